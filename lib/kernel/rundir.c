/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fwgen's runtime directory and the lock in it: per network namespace,
 * and trusting nothing it finds there. The directory must be owned by us
 * and writable by nobody else; every file in it is opened without
 * following symlinks and checked for its type and owner, and the lock file
 * is never truncated (its pid is overwritten in place).
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
#include "runlock.h"

#define RUN_DIR_DEFAULT "/run/fwgen"
#define LOCK_TIMEOUT_DEFAULT 30
#define LOCK_TIMEOUT_MAX 86400

FWGEN_EXPORT const char *fwgen_run_dir(void)
{
	return RUN_DIR_DEFAULT;
}

FWGEN_EXPORT int fwgen_ctx_set_run_dir(struct fwgen_ctx *ctx, const char *dir)
{
	char *copy = NULL;

	ARG_CTX(ctx);
	if (dir && (!*dir || dir[0] != '/'))
		return ctx_err(ctx, -EINVAL,
			       "the runtime directory must be an absolute path, not '%s'",
			       dir);
	if (dir && strlen(dir) > RUN_DIR_PATH_MAX - 64)
		return ctx_err(ctx, -EINVAL, "runtime directory name too long");
	if (dir && !(copy = strdup(dir)))
		return ctx_nomem(ctx);
	free(ctx->run_dir);
	ctx->run_dir = copy;
	return 0;
}

FWGEN_EXPORT const char *fwgen_ctx_run_dir(const struct fwgen_ctx *ctx)
{
	ARG_CHECK_RET(ctx, NULL);
	return ctx->run_dir ? ctx->run_dir : RUN_DIR_DEFAULT;
}

FWGEN_EXPORT int fwgen_ctx_set_lock_timeout(struct fwgen_ctx *ctx,
					    unsigned int seconds)
{
	ARG_CTX(ctx);
	if (seconds > LOCK_TIMEOUT_MAX)
		return ctx_err(ctx, -EINVAL,
			       "lock timeout %u s is out of range (0-%d)",
			       seconds, LOCK_TIMEOUT_MAX);
	ctx->lock_timeout = (int)seconds;
	return 0;
}

FWGEN_EXPORT int fwgen_ctx_set_ssh_connection(struct fwgen_ctx *ctx,
					      const char *ssh_connection)
{
	char *copy = NULL;

	ARG_CTX(ctx);
	if (ssh_connection && !(copy = strdup(ssh_connection)))
		return ctx_nomem(ctx);
	free(ctx->ssh_connection);
	ctx->ssh_connection = copy;
	return 0;
}

FWGEN_EXPORT const char *
fwgen_ctx_ssh_connection(const struct fwgen_ctx *ctx)
{
	return ctx ? ctx->ssh_connection : NULL;
}

/*
 * A directory we may keep state in: a real directory (fd opened with
 * O_NOFOLLOW), owned by our effective uid, writable by nobody else.
 */
static int trusted_dir(struct fwgen_ctx *ctx, int fd, const char *path)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return ctx_err(ctx, ctx_sys_errno(errno), "cannot stat %s: %s", path,
			       strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return ctx_err(ctx, -ENOTDIR, "%s is not a directory", path);
	if (st.st_uid != geteuid())
		return ctx_err(ctx, -ENOTDIR,
			       "runtime directory %s is owned by uid %u, not %u: not trusted",
			       path, (unsigned int)st.st_uid,
			       (unsigned int)geteuid());
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return ctx_err(ctx, -ENOTDIR,
			       "runtime directory %s is writable by group or others (mode %04o): not trusted",
			       path, (unsigned int)(st.st_mode & 07777));
	return 0;
}

static int open_dir(struct fwgen_ctx *ctx, int at, const char *name,
		    const char *path)
{
	int fd, ret;

	if (mkdirat(at, name, 0700) < 0 && errno != EEXIST)
		return ctx_err(ctx, ctx_sys_errno(errno), "cannot create %s: %s", path,
			       strerror(errno));
	fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOTDIR || errno == ELOOP)
			return ctx_err(ctx, -ENOTDIR,
				       "%s is a symlink or not a directory: not trusted",
				       path);
		return ctx_err(ctx, ctx_sys_errno(errno), "cannot open %s: %s", path,
			       strerror(errno));
	}
	ret = trusted_dir(ctx, fd, path);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	return fd;
}

int rundir_open(struct fwgen_ctx *ctx, char *path, size_t len)
{
	const char *dir = fwgen_ctx_run_dir(ctx);
	char sub[64];
	struct stat ns;
	int top, fd;

	/* The namespace's identity, as `ip netns identify` compares them. */
	if (stat("/proc/self/ns/net", &ns) < 0)
		return ctx_err(ctx, ctx_sys_errno(errno),
			       "cannot identify the network namespace (/proc/self/ns/net): %s",
			       strerror(errno));
	snprintf(sub, sizeof(sub), "net-%llu-%llu",
		 (unsigned long long)ns.st_dev, (unsigned long long)ns.st_ino);
	if (snprintf(path, len, "%s/%s", dir, sub) >= (int)len)
		return ctx_err(ctx, -EINVAL, "runtime directory name too long");
	top = open_dir(ctx, AT_FDCWD, dir, dir);
	if (top < 0)
		return top;
	fd = open_dir(ctx, top, sub, path);
	close(top);
	return fd;
}

FWGEN_EXPORT int fwgen_ctx_state_dir(struct fwgen_ctx *ctx, char *buf,
				     size_t len)
{
	int fd;

	ARG_CTX(ctx);
	ARG_CHECK(ctx, buf);
	ARG_CHECK(ctx, len > 0);
	fd = rundir_open(ctx, buf, len);
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

int rundir_open_file(struct fwgen_ctx *ctx, int dirfd, const char *dir,
		     const char *name, int flags, mode_t type)
{
	struct stat st;
	int fd;

	fd = openat(dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		int err = errno;

		if (err == ELOOP)
			return ctx_err(ctx, -ENOTDIR,
				       "%s/%s is a symlink: not trusted", dir,
				       name);
		return ctx_err(ctx, -err, "cannot open %s/%s: %s", dir, name,
			       strerror(err));
	}
	if (fstat(fd, &st) < 0 || (st.st_mode & S_IFMT) != type ||
	    st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		close(fd);
		return ctx_err(ctx, -ENOTDIR,
			       "%s/%s is not a %s of ours (type, owner or mode): not trusted",
			       dir, name, type == S_IFIFO ? "FIFO" : "regular file");
	}
	return fd;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * The lock every ruleset change of fwgen takes: flock() on a file in the
 * namespace's runtime directory, released by the kernel when the last
 * process holding it dies, so a crashed apply never leaves it stuck. The
 * holder writes its pid there, in place, for the message of whoever waits.
 */
int lock_take(struct fwgen_ctx *ctx, int *out)
{
	unsigned int timeout = ctx->lock_timeout >= 0 ?
				       (unsigned int)ctx->lock_timeout :
				       LOCK_TIMEOUT_DEFAULT;
	char dir[RUN_DIR_PATH_MAX], pid[32] = "";
	double start = now();
	int dfd, fd, n;

	*out = -1;
	/* Held through fwgen_ctx_lock(): this call is inside it. */
	if (ctx->lock_fd >= 0)
		return 0;
	dfd = rundir_open(ctx, dir, sizeof(dir));
	if (dfd < 0)
		return dfd;
	fd = rundir_open_file(ctx, dfd, dir, "lock", O_RDWR | O_CREAT, S_IFREG);
	close(dfd);
	if (fd < 0)
		return fd;
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			int err = errno;

			close(fd);
			return ctx_err(ctx, -err, "cannot lock %s/lock: %s", dir,
				       strerror(err));
		}
		if (now() - start >= timeout) {
			ssize_t r = pread(fd, pid, sizeof(pid) - 1, 0);

			pid[r > 0 ? r : 0] = '\0';
			pid[strcspn(pid, " \n")] = '\0';
			close(fd);
			return ctx_err(ctx, -EBUSY,
				       "another fwgen (pid %s) is changing the ruleset or waiting for a confirmation; gave up after %u s waiting for %s/lock",
				       pid[0] ? pid : "unknown", timeout, dir);
		}
		usleep(50 * 1000);
	}
	/* Fixed width: overwrites the last holder's pid without truncating. */
	n = snprintf(pid, sizeof(pid), "%-20ld\n", (long)getpid());
	if (pwrite(fd, pid, (size_t)n, 0) < 0) {
		/* The pid is only for messages. */
	}
	*out = fd;
	return 0;
}

void lock_release(int fd)
{
	if (fd >= 0)
		close(fd);
}

FWGEN_EXPORT int fwgen_ctx_lock(struct fwgen_ctx *ctx)
{
	int fd, ret;

	ARG_CTX(ctx);
	if (ctx->lock_fd >= 0)
		return ctx_err(ctx, -EALREADY, "this context holds the lock already");
	ret = lock_take(ctx, &fd);
	if (ret < 0)
		return ret;
	ctx->lock_fd = fd;
	return 0;
}

FWGEN_EXPORT int fwgen_ctx_unlock(struct fwgen_ctx *ctx)
{
	ARG_CTX(ctx);
	if (ctx->lock_fd < 0)
		return ctx_err(ctx, -ENOLCK, "this context does not hold the lock");
	close(ctx->lock_fd);
	ctx->lock_fd = -1;
	return 0;
}
