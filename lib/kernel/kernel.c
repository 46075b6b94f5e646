/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The public apply, check and remove: build the objects, hold the lock,
 * talk to the kernel through netlink.c, and for commit-confirmed applies
 * keep the previous table (read by readback.c) to put it back.
 */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fwgen/kernel.h>

#include "ctx.h"
#include "diff.h"
#include "netlink.h"
#include "nft-canon.h"
#include "nft-build.h"
#include "policy.h"
#include "render.h"
#include "readback.h"
#include "runlock.h"
#include "tablename.h"

/* Apply tries this often when the ruleset changes under a confirm. */
#define GENID_TRIES 5

/*
 * The ownership check: a table of that name that fwgen did not create
 * (no FWGEN_TABLE_COMMENT) is not replaced or removed unless forced.
 */
static int refuse_foreign(struct fwgen_ctx *ctx, const struct nftnl_table *t,
			  const char *name, unsigned int flags)
{
	char buf[CANON_COMMENT_MAX];
	const char *c = readback_not_ours(t, buf, sizeof(buf));

	if (!c || (flags & FWGEN_APPLY_FORCE))
		return 0;
	return ctx_err(ctx, -EEXIST,
		       "table inet %s exists and was not made by fwgen (%s%.200s%s, not \"%s\"): fwgen replaces or removes only its own table; nothing was changed (forcing takes it over)",
		       name, *c ? "its comment is \"" : "it has no comment",
		       c, *c ? "\"" : "", FWGEN_TABLE_COMMENT);
}

static int check_owner(struct fwgen_ctx *ctx, const char *name,
		       unsigned int flags)
{
	struct nftnl_table *t = NULL;
	int ret;

	if (flags & FWGEN_APPLY_FORCE)
		return 0;
	ret = readback_table_head(ctx, name, &t);
	if (ret == 0)
		ret = refuse_foreign(ctx, t, name, flags);
	if (t)
		nftnl_table_free(t);
	return ret;
}

static int lockout(struct fwgen_ctx *ctx, const struct fwgen_policy *pol,
		   unsigned int flags)
{
	if (flags & FWGEN_APPLY_FORCE)
		return 0;
	return fwgen_policy_lockout_check(ctx, pol, ctx->ssh_connection);
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

/*
 * After acknowledgements were lost (-ETIME from nl_replace()), finds out
 * whether the batch for pol was committed, on a fresh socket: a ruleset
 * generation still at before means nothing was committed at all; one that
 * moved, with the table now exactly what pol builds, means it was. Returns
 * 0 when committed, -EIO (nothing changed) when not, -ETIME only when even
 * the read back fails.
 */
static int settle(struct fwgen_ctx *ctx, const struct fwgen_policy *pol,
		  uint32_t before)
{
	struct nft_objs *want = NULL, *have = NULL;
	char lost[FWGEN_ERRMSG_MAX];
	struct nl_sock *s = NULL;
	uint32_t after = 0;
	size_t ndiff = 1;
	int ret;

	snprintf(lost, sizeof(lost), "%s", ctx->errmsg);
	ret = nl_open(ctx, &s);
	if (ret == 0)
		ret = nl_genid(ctx, s, &after);
	nl_close(s);
	if (ret == 0 && after == before)
		return ctx_err(ctx, -EIO,
			       "%s; the ruleset generation did not move, so nothing was changed",
			       lost);
	if (ret == 0)
		ret = nft_build_for_batch(ctx, pol, &want);
	if (ret == 0)
		ret = readback_table(ctx, pol->table, &have);
	if (ret == 0)
		ret = diff_objs(ctx, pol, want, have, NULL, &ndiff);
	nft_objs_free(want);
	nft_objs_free(have);
	if (ret < 0) {
		char why[FWGEN_ERRMSG_MAX];

		snprintf(why, sizeof(why), "%s", ctx->errmsg);
		return ctx_err(ctx, -ETIME,
			       "%s, and reading the ruleset back failed (%s): the outcome is unknown",
			       lost, why);
	}
	if (ndiff)
		return ctx_err(ctx, -EIO,
			       "%s; table inet %s is not the one sent (read back), so nothing was committed",
			       lost, pol->table);
	ctx_err(ctx, 0, "%s; read back, table inet %s is the one sent: committed",
		lost, pol->table);
	return 0;
}

FWGEN_EXPORT int fwgen_policy_apply(struct fwgen_ctx *ctx,
				    const struct fwgen_policy *pol,
				    unsigned int flags)
{
	struct nft_objs *o = NULL;
	struct nl_sock *s = NULL;
	uint32_t genid = 0;
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
	ret = check_owner(ctx, pol->table, flags);
	if (ret == 0)
		ret = nl_genid(ctx, s, &genid);
	if (ret == 0)
		ret = nl_replace(ctx, s, o, NL_COMMIT, 0);
	if (ret == -ETIME)
		ret = settle(ctx, pol, genid);
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
	if (ret == -ETIME)
		ret = ctx_err(ctx, -EIO,
			      "%s; a check batch is never committed, so nothing changed, but the kernel's verdict is unknown",
			      ctx->errmsg);
	nl_close(s);
	nft_objs_free(o);
	return ret;
}

/*
 * Reads the table a confirmed apply replaces, ready to be sent back, and
 * the generation it was read in. *prev is NULL when there is none.
 */
static int read_previous(struct fwgen_ctx *ctx, const char *table,
			 unsigned int flags, struct nft_objs **prev,
			 uint32_t *genid)
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
			       "table inet %s holds %u named stateful object(s) or flowtable(s), which fwgen cannot put back: remove them, or apply without a confirmation window",
			       table, others);
	}
	if (!(*prev)->table) {
		nft_objs_free(*prev);
		*prev = NULL;
		return 0;
	}
	ret = refuse_foreign(ctx, (*prev)->table, table, flags);
	if (ret < 0) {
		nft_objs_free(*prev);
		*prev = NULL;
		return ret;
	}
	readback_make_resendable(*prev);
	return 0;
}

/*
 * Proves, before anything changes, that the previous table can be sent
 * back: the kernel checks the restore batch and aborts it, as
 * fwgen_policy_check() does. A table it refuses would turn a rollback into
 * a failure with the unconfirmed ruleset live, so it is refused up front
 * unless forced (the rollback then removes the table instead).
 */
static int prove_restorable(struct fwgen_ctx *ctx, struct nl_sock *s,
			    const struct nft_objs *prev, const char *table,
			    unsigned int flags, bool *restorable)
{
	char msg[FWGEN_ERRMSG_MAX];
	int ret;

	*restorable = true;
	if (!prev)
		return 0;
	ret = nl_replace(ctx, s, prev, NL_CHECK, 0);
	if (ret == 0)
		return 0;
	if (ret == -EPERM)
		return ret;
	/* Lost acks of a check (-ETIME) prove nothing: refused alike. */
	*restorable = false;
	if (flags & FWGEN_APPLY_FORCE) {
		ctx_err(ctx, 0, "forced: the previous table cannot be put back, a rollback removes it");
		return 0;
	}
	snprintf(msg, sizeof(msg), "%s", ctx->errmsg);
	return ctx_err(ctx, -EOPNOTSUPP,
		       "the previous table inet %s could not be put back if the new one is not confirmed -- %s; nothing was changed (forcing applies anyway, and a rollback then removes the table)",
		       table, msg);
}

/* Puts back the table as read before the apply, or removes it. */
static int restore(struct fwgen_ctx *ctx, struct nl_sock *s,
		   const struct nft_objs *prev, const char *table)
{
	int ret;

	char msg[FWGEN_ERRMSG_MAX];

	if (prev) {
		ret = nl_replace(ctx, s, prev, NL_COMMIT, 0);
		if (ret == 0)
			return 0;
		/*
		 * The check before the apply makes this rare (forced, or the
		 * kernel changed its mind): the unconfirmed table must not
		 * stay, so it goes.
		 */
		snprintf(msg, sizeof(msg), "%s", ctx->errmsg);
		ret = nl_delete_table(ctx, s, table);
		if (ret == 0 || ret == -ENOENT)
			return ctx_err(ctx, -EIO,
				       "could not restore the previous table inet %s (%s); the unconfirmed table was removed instead",
				       table, msg);
	} else {
		ret = nl_delete_table(ctx, s, table);
		if (ret == -ENOENT)
			return 0;
		if (ret == 0)
			return 0;
	}
	snprintf(msg, sizeof(msg), "%s", ctx->errmsg);
	return ctx_err(ctx, ret,
		       "could not restore the previous table inet %s, the new one is still live: %s",
		       table, msg);
}

/*
 * FWGEN_APPLY_GUARD: a second process, in a session of its own, that puts
 * the previous table back as soon as the confirming one dies inside the
 * window -- SIGKILL, the OOM killer -- so that one death never leaves the
 * unconfirmed table live. It waits on a socket the caller holds: a byte
 * says the caller settled the window itself, end of file that it died.
 * It shares the lock (the same open file), so nothing interleaves.
 */
struct guard {
	pid_t pid;
	int fd;
};

/*
 * The guard keeps only its socket and the lock: holding the caller's other
 * descriptors (a pipe someone reads to its end, a terminal) would keep
 * them open as long as the window lasts.
 */
static void guard_close_others(int keep1, int keep2)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int self;

	if (!d)
		return;
	self = dirfd(d);
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);

		if (e->d_name[0] == '.' || fd <= STDERR_FILENO || fd == keep1 ||
		    fd == keep2 || fd == self)
			continue;
		close(fd);
	}
	closedir(d);
}

static int guard_start(struct fwgen_ctx *ctx, const struct nft_objs *prev,
		       const char *table, int lock_fd, struct guard *g)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return ctx_err(ctx, -errno, "cannot start the rollback guard: %s",
			       strerror(errno));
	pid = fork();
	if (pid < 0) {
		int err = errno;

		close(sv[0]);
		close(sv[1]);
		return ctx_err(ctx, -err, "cannot start the rollback guard: %s",
			       strerror(err));
	}
	if (pid == 0) {
		struct nl_sock *s = NULL;
		ssize_t n;
		char c;

		close(sv[0]);
		setsid();
		guard_close_others(sv[1], lock_fd);
		do
			n = read(sv[1], &c, 1);
		while (n < 0 && errno == EINTR);
		if (n == 1)
			_exit(0);
		if (nl_open(ctx, &s) == 0)
			restore(ctx, s, prev, table);
		_exit(0);
	}
	close(sv[1]);
	g->pid = pid;
	g->fd = sv[0];
	return 0;
}

static void guard_stop(struct guard *g)
{
	if (g->fd >= 0) {
		if (send(g->fd, "d", 1, MSG_NOSIGNAL) < 0) {
			/* The guard is gone already: nothing to stop. */
		}
		close(g->fd);
	}
	if (g->pid > 0)
		while (waitpid(g->pid, NULL, 0) < 0 && errno == EINTR)
			;
	g->pid = g->fd = -1;
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
	struct guard g = { .pid = -1, .fd = -1 };
	bool restorable = true;
	uint32_t genid;
	int fd = -1, tries, ret;

	ARG_CTX(ctx);
	ARG_CHECK(ctx, pol);
	ARG_CHECK(ctx, !(flags & ~(unsigned int)(FWGEN_APPLY_FORCE |
						 FWGEN_APPLY_GUARD)));
	ARG_CHECK(ctx, confirm);

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
		ret = read_previous(ctx, pol->table, flags, &prev, &genid);
		if (ret < 0)
			goto out;
		ret = prove_restorable(ctx, s, prev, pol->table, flags,
				       &restorable);
		if (ret < 0)
			goto out;
		ret = nl_replace(ctx, s, o, NL_COMMIT, genid);
		if (ret == -ETIME)
			ret = settle(ctx, pol, genid);
		if (ret != -ERESTART)
			break;
	}
	if (ret == -ERESTART)
		ret = ctx_err(ctx, -EAGAIN,
			      "the ruleset kept changing while fwgen applied; nothing was changed, try again");
	if (ret < 0)
		goto out;

	if ((flags & FWGEN_APPLY_GUARD) &&
	    guard_start(ctx, restorable ? prev : NULL, pol->table, fd, &g) < 0) {
		/* No guard, no window: roll back now. */
		char why[FWGEN_ERRMSG_MAX];

		snprintf(why, sizeof(why), "%s", ctx->errmsg);
		ret = restore(ctx, s, restorable ? prev : NULL, pol->table);
		if (ret == 0)
			ret = ctx_err(ctx, -EAGAIN, "%s; the new table was taken back, nothing changed",
				      why);
		goto out;
	}
	ret = confirm(data, seconds);
	if (ret == 1) {
		ret = 0;
		goto out;
	}
	ret = restore(ctx, s, restorable ? prev : NULL, pol->table);
	if (ret == 0) {
		ctx_err(ctx, 0, "not confirmed: table inet %s was %s",
			pol->table,
			prev ? "restored as it was" : "removed (there was none)");
		ret = 1;
	}
out:
	guard_stop(&g);
	lock_release(fd);
	nl_close(s);
	nft_objs_free(prev);
	nft_objs_free(o);
	return ret;
}

FWGEN_EXPORT int fwgen_table_remove(struct fwgen_ctx *ctx,
				    const char *table_name)
{
	return fwgen_table_remove_flags(ctx, table_name, 0);
}

FWGEN_EXPORT int fwgen_table_remove_flags(struct fwgen_ctx *ctx,
					  const char *table_name,
					  unsigned int flags)
{
	const char *name = table_name ? table_name : FWGEN_DEFAULT_TABLE;
	struct nl_sock *s = NULL;
	int fd, ret;

	ARG_CTX(ctx);
	ARG_CHECK(ctx, !(flags & ~(unsigned int)FWGEN_APPLY_FORCE));

	if ((ret = table_name_check(ctx, name)) < 0)
		return ret;
	if ((ret = nl_open(ctx, &s)) < 0)
		return ret;
	if ((ret = lock_take(ctx, &fd)) == 0) {
		ret = check_owner(ctx, name, flags);
		if (ret == 0)
			ret = nl_delete_table(ctx, s, name);
		lock_release(fd);
	}
	nl_close(s);
	return ret;
}
