/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The public apply, check and remove: build the objects, hold the lock,
 * talk to the kernel through netlink.c, and for commit-confirmed applies
 * keep the previous table (read by readback.c) to put it back.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <fwgen/kernel.h>

#include "ctx.h"
#include "netlink.h"
#include "nft-build.h"
#include "readback.h"
#include "runlock.h"

#define RUN_DIR_DEFAULT "/run/fwgen"
#define LOCK_TIMEOUT_DEFAULT 30

/* Apply tries this often when the ruleset changes under a confirm. */
#define GENID_TRIES 5

FWGEN_EXPORT const char *fwgen_run_dir(void)
{
	const char *d = getenv("FWGEN_RUN_DIR");

	return d && *d ? d : RUN_DIR_DEFAULT;
}

static unsigned int lock_timeout(void)
{
	const char *s = getenv("FWGEN_LOCK_TIMEOUT");
	char *end;
	long v;

	if (!s || !*s)
		return LOCK_TIMEOUT_DEFAULT;
	v = strtol(s, &end, 10);
	if (*end || v < 0 || v > 86400)
		return LOCK_TIMEOUT_DEFAULT;
	return (unsigned int)v;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * The lock every ruleset change of fwgen takes: flock() on a file in the
 * runtime directory, released by the kernel when the process dies, so a
 * crashed apply never leaves it stuck. The holder writes its pid there
 * for the message of whoever waits.
 */
int lock_take(struct fwgen_ctx *ctx, int *out)
{
	unsigned int timeout = lock_timeout();
	const char *dir = fwgen_run_dir();
	char path[4096], pid[32] = "";
	double start = now();
	ssize_t n;
	int fd;

	*out = -1;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return ctx_err(ctx, -errno, "cannot create %s: %s", dir,
			       strerror(errno));
	if (snprintf(path, sizeof(path), "%s/lock", dir) >= (int)sizeof(path))
		return ctx_err(ctx, -ENAMETOOLONG, "runtime directory name too long");
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return ctx_err(ctx, -errno, "cannot open %s: %s", path,
			       strerror(errno));
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			int err = errno;

			close(fd);
			return ctx_err(ctx, -err, "cannot lock %s: %s", path,
				       strerror(err));
		}
		if (now() - start >= timeout) {
			n = pread(fd, pid, sizeof(pid) - 1, 0);
			pid[n > 0 ? n : 0] = '\0';
			pid[strcspn(pid, "\n")] = '\0';
			close(fd);
			return ctx_err(ctx, -EBUSY,
				       "another fwgen (pid %s) is changing the ruleset or waiting for a confirmation; gave up after %u s waiting for %s",
				       pid[0] ? pid : "unknown", timeout, path);
		}
		usleep(50 * 1000);
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == 0 && pwrite(fd, pid, (size_t)n, 0) < 0) {
		/* The pid is only for messages. */
	}
	*out = fd;
	return 0;
}

void lock_release(int fd)
{
	if (fd < 0)
		return;
	if (ftruncate(fd, 0) < 0) {
		/* Only the pid for messages is left behind. */
	}
	close(fd);
}

static int lockout(struct fwgen_ctx *ctx, const struct fwgen_policy *pol,
		   unsigned int flags)
{
	if (flags & FWGEN_APPLY_FORCE)
		return 0;
	return fwgen_policy_lockout_check(ctx, pol, getenv("SSH_CONNECTION"));
}

/* Socket first: it tells a missing CAP_NET_ADMIN before any file is made. */
static int open_and_build(struct fwgen_ctx *ctx, const struct fwgen_policy *pol,
			  struct nl_sock **s, struct nft_objs **o)
{
	int ret;

	ret = nft_build_for_batch(ctx, pol, o);
	if (ret < 0)
		return ret;
	ret = nl_open(ctx, s);
	if (ret < 0) {
		nft_objs_free(*o);
		*o = NULL;
	}
	return ret;
}

FWGEN_EXPORT int fwgen_policy_apply(struct fwgen_ctx *ctx,
				    const struct fwgen_policy *pol,
				    unsigned int flags)
{
	struct nft_objs *o = NULL;
	struct nl_sock *s = NULL;
	int fd, ret;

	ARG_CTX(ctx);
	ARG_CHECK(ctx, pol);
	ARG_CHECK(ctx, !(flags & ~(unsigned int)FWGEN_APPLY_FORCE));

	if ((ret = lockout(ctx, pol, flags)) < 0)
		return ret;
	if ((ret = open_and_build(ctx, pol, &s, &o)) < 0)
		return ret;
	if ((ret = lock_take(ctx, &fd)) < 0)
		goto out;
	ret = nl_replace(ctx, s, o, NL_COMMIT, 0);
	lock_release(fd);
out:
	nl_close(s);
	nft_objs_free(o);
	return ret;
}

FWGEN_EXPORT int fwgen_policy_check(struct fwgen_ctx *ctx,
				    const struct fwgen_policy *pol)
{
	struct nft_objs *o = NULL;
	struct nl_sock *s = NULL;
	int ret;

	ARG_CTX(ctx);
	ARG_CHECK(ctx, pol);

	if ((ret = open_and_build(ctx, pol, &s, &o)) < 0)
		return ret;
	ret = nl_replace(ctx, s, o, NL_CHECK, 0);
	nl_close(s);
	nft_objs_free(o);
	return ret;
}

/*
 * Reads the table a confirmed apply replaces, ready to be sent back, and
 * the generation it was read in. *prev is NULL when there is none.
 */
static int read_previous(struct fwgen_ctx *ctx, const char *table,
			 struct nft_objs **prev, uint32_t *genid)
{
	unsigned int others;
	int ret;

	ret = readback_table_gen(ctx, table, prev, genid, &others);
	if (ret < 0)
		return ret;
	if (others) {
		nft_objs_free(*prev);
		*prev = NULL;
		return ctx_err(ctx, -EOPNOTSUPP,
			       "table inet %s holds %u named stateful object(s) or flowtable(s), which fwgen cannot put back: remove them, or apply without --confirm",
			       table, others);
	}
	if (!(*prev)->table) {
		nft_objs_free(*prev);
		*prev = NULL;
		return 0;
	}
	readback_make_resendable(*prev);
	return 0;
}

/* Puts back the table as read before the apply, or removes it. */
static int restore(struct fwgen_ctx *ctx, struct nl_sock *s,
		   const struct nft_objs *prev, const char *table)
{
	int ret;

	if (prev)
		ret = nl_replace(ctx, s, prev, NL_COMMIT, 0);
	else
		ret = nl_delete_table(ctx, s, table);
	if (ret == -ENOENT)
		ret = 0;
	if (ret < 0) {
		char msg[FWGEN_ERRMSG_MAX];

		snprintf(msg, sizeof(msg), "%s", ctx->errmsg);
		return ctx_err(ctx, ret,
			       "could not restore the previous table inet %s, the new one is still live: %s",
			       table, msg);
	}
	return 0;
}

FWGEN_EXPORT int fwgen_policy_apply_confirmed(struct fwgen_ctx *ctx,
					      const struct fwgen_policy *pol,
					      unsigned int flags,
					      unsigned int seconds,
					      fwgen_confirm_fn confirm,
					      void *data)
{
	struct nft_objs *o = NULL, *prev = NULL;
	struct nl_sock *s = NULL;
	uint32_t genid;
	int fd = -1, tries, ret;

	ARG_CTX(ctx);
	ARG_CHECK(ctx, pol);
	ARG_CHECK(ctx, !(flags & ~(unsigned int)FWGEN_APPLY_FORCE));
	ARG_CHECK(ctx, confirm);

	if (!confirm)
		return ctx_err(ctx, -EINVAL, "no confirmation callback");
	if ((ret = lockout(ctx, pol, flags)) < 0)
		return ret;
	if ((ret = open_and_build(ctx, pol, &s, &o)) < 0)
		return ret;
	if ((ret = lock_take(ctx, &fd)) < 0)
		goto out;
	/*
	 * The kernel commits the batch only if the ruleset generation is
	 * still the one the previous table was read in: what is restored
	 * is then exactly what the apply replaced.
	 */
	for (tries = 0; tries < GENID_TRIES; tries++) {
		nft_objs_free(prev);
		prev = NULL;
		ret = read_previous(ctx, pol->table, &prev, &genid);
		if (ret < 0)
			goto out;
		ret = nl_replace(ctx, s, o, NL_COMMIT, genid);
		if (ret != -ERESTART)
			break;
	}
	if (ret == -ERESTART)
		ret = ctx_err(ctx, -EAGAIN,
			      "the ruleset kept changing while fwgen applied; nothing was changed, try again");
	if (ret < 0)
		goto out;

	ret = confirm(data, seconds);
	if (ret == 1) {
		ret = 0;
		goto out;
	}
	ret = restore(ctx, s, prev, pol->table);
	if (ret == 0) {
		ctx_err(ctx, 0, "not confirmed: table inet %s was %s",
			pol->table,
			prev ? "restored as it was" : "removed (there was none)");
		ret = 1;
	}
out:
	lock_release(fd);
	nl_close(s);
	nft_objs_free(prev);
	nft_objs_free(o);
	return ret;
}

FWGEN_EXPORT int fwgen_table_remove(struct fwgen_ctx *ctx,
				    const char *table_name)
{
	const char *name = table_name ? table_name : FWGEN_DEFAULT_TABLE;
	struct nl_sock *s = NULL;
	int fd, ret;

	ARG_CTX(ctx);

	if (!*name)
		return ctx_err(ctx, -EINVAL, "empty table name");
	if ((ret = nl_open(ctx, &s)) < 0)
		return ret;
	if ((ret = lock_take(ctx, &fd)) == 0) {
		ret = nl_delete_table(ctx, s, name);
		lock_release(fd);
	}
	nl_close(s);
	return ret;
}
