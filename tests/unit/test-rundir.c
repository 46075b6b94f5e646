/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The context's configuration for the kernel functions (run directory,
 * lock timeout, SSH connection), the per-namespace run directory and its
 * checks, and the public lock -- what fwgen/kernel.h promises, without
 * touching the kernel.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fwgen/kernel.h>

#include "testutil.h"

static char tmpdir[] = "/tmp/fwgen-rundir-XXXXXX";

static void make_tmp(void)
{
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void rm_tmp(void)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
	strcpy(tmpdir, "/tmp/fwgen-rundir-XXXXXX");
}

START_TEST(test_config_arguments)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	char buf[64];

	/* NULL contexts: -EINVAL, never a crash. */
	ck_assert_int_eq(fwgen_ctx_set_run_dir(NULL, "/x"), -EINVAL);
	ck_assert_int_eq(fwgen_ctx_set_lock_timeout(NULL, 1), -EINVAL);
	ck_assert_int_eq(fwgen_ctx_set_ssh_connection(NULL, "x"), -EINVAL);
	ck_assert_int_eq(fwgen_ctx_state_dir(NULL, buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(fwgen_ctx_lock(NULL), -EINVAL);
	ck_assert_int_eq(fwgen_ctx_unlock(NULL), -EINVAL);
	ck_assert_ptr_null(fwgen_ctx_run_dir(NULL));
	ck_assert_ptr_null(fwgen_ctx_ssh_connection(NULL));
	ck_assert_int_eq(fwgen_ctx_state_dir(ctx, NULL, 10), -EINVAL);
	ck_assert_int_eq(fwgen_ctx_state_dir(ctx, buf, 0), -EINVAL);

	/* Defaults, and no environment read. */
	setenv("FWGEN_RUN_DIR", "/tmp/not-this", 1);
	setenv("SSH_CONNECTION", "198.18.0.1 5 198.18.0.2 22", 1);
	ck_assert_str_eq(fwgen_ctx_run_dir(ctx), "/run/fwgen");
	ck_assert_str_eq(fwgen_run_dir(), "/run/fwgen");
	ck_assert_ptr_null(fwgen_ctx_ssh_connection(ctx));
	unsetenv("FWGEN_RUN_DIR");
	unsetenv("SSH_CONNECTION");

	ck_assert_int_eq(fwgen_ctx_set_run_dir(ctx, "relative"), -EINVAL);
	ck_assert_int_eq(fwgen_ctx_set_run_dir(ctx, ""), -EINVAL);
	ck_assert_str_eq(fwgen_ctx_run_dir(ctx), "/run/fwgen");
	ck_assert_int_eq(fwgen_ctx_set_run_dir(ctx, "/srv/x"), 0);
	ck_assert_str_eq(fwgen_ctx_run_dir(ctx), "/srv/x");
	ck_assert_int_eq(fwgen_ctx_set_run_dir(ctx, NULL), 0);
	ck_assert_str_eq(fwgen_ctx_run_dir(ctx), "/run/fwgen");

	ck_assert_int_eq(fwgen_ctx_set_lock_timeout(ctx, 86401), -EINVAL);
	ck_assert_int_eq(fwgen_ctx_set_lock_timeout(ctx, 0), 0);

	ck_assert_int_eq(fwgen_ctx_set_ssh_connection(ctx, "198.18.0.1 5 198.18.0.2 22"), 0);
	ck_assert_str_eq(fwgen_ctx_ssh_connection(ctx), "198.18.0.1 5 198.18.0.2 22");
	ck_assert_int_eq(fwgen_ctx_set_ssh_connection(ctx, NULL), 0);
	ck_assert_ptr_null(fwgen_ctx_ssh_connection(ctx));
	fwgen_ctx_free(ctx);
}
END_TEST

START_TEST(test_state_dir_per_namespace)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	char buf[4096], want[4096];
	struct stat ns, st;

	make_tmp();
	ck_assert_int_eq(fwgen_ctx_set_run_dir(ctx, tmpdir), 0);
	ck_assert_int_eq(fwgen_ctx_state_dir(ctx, buf, sizeof(buf)), 0);
	ck_assert_int_eq(stat("/proc/self/ns/net", &ns), 0);
	snprintf(want, sizeof(want), "%s/net-%llu-%llu", tmpdir,
		 (unsigned long long)ns.st_dev, (unsigned long long)ns.st_ino);
	ck_assert_str_eq(buf, want);
	ck_assert_int_eq(stat(buf, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 07777, 0700);
	/* Too small a buffer. */
	ck_assert_int_eq(fwgen_ctx_state_dir(ctx, buf, 8), -EINVAL);

	/* Writable by others: refused. */
	ck_assert_int_eq(chmod(tmpdir, 0777), 0);
	ck_assert_int_eq(fwgen_ctx_state_dir(ctx, buf, sizeof(buf)), -ENOTDIR);
	ck_assert_ptr_nonnull(strstr(fwgen_ctx_error(ctx), "writable by group or others"));
	ck_assert_int_eq(chmod(tmpdir, 0700), 0);

	/* The namespace directory a symlink: refused. */
	ck_assert_int_eq(rmdir(want), 0);
	ck_assert_int_eq(symlink("/tmp", want), 0);
	ck_assert_int_eq(fwgen_ctx_state_dir(ctx, buf, sizeof(buf)), -ENOTDIR);
	ck_assert_ptr_nonnull(strstr(fwgen_ctx_error(ctx), "symlink"));
	fwgen_ctx_free(ctx);
	rm_tmp();
}
END_TEST

START_TEST(test_public_lock)
{
	struct fwgen_ctx *a = fwgen_ctx_new(), *b = fwgen_ctx_new();

	make_tmp();
	ck_assert_int_eq(fwgen_ctx_set_run_dir(a, tmpdir), 0);
	ck_assert_int_eq(fwgen_ctx_set_run_dir(b, tmpdir), 0);
	ck_assert_int_eq(fwgen_ctx_set_lock_timeout(b, 0), 0);
	ck_assert_int_eq(fwgen_ctx_unlock(a), -ENOLCK);
	ck_assert_int_eq(fwgen_ctx_lock(a), 0);
	ck_assert_int_eq(fwgen_ctx_lock(a), -EALREADY);
	/* Another context waits, then gives up naming the holder. */
	ck_assert_int_eq(fwgen_ctx_lock(b), -EBUSY);
	ck_assert_ptr_nonnull(strstr(fwgen_ctx_error(b), "another fwgen (pid"));
	ck_assert_int_eq(fwgen_ctx_unlock(a), 0);
	ck_assert_int_eq(fwgen_ctx_lock(b), 0);
	/* fwgen_ctx_free() releases it. */
	fwgen_ctx_free(b);
	ck_assert_int_eq(fwgen_ctx_lock(a), 0);
	fwgen_ctx_free(a);
	rm_tmp();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rundir");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_config_arguments);
	tcase_add_test(tc, test_state_dir_per_namespace);
	tcase_add_test(tc, test_public_lock);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
