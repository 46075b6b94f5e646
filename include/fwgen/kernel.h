/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libfwgen: putting a policy into the kernel -- apply, check and remove
 * fwgen's own table over netlink, in one transaction, never touching any
 * other table -- and the safety around it.
 */
#ifndef FWGEN_KERNEL_H
#define FWGEN_KERNEL_H

#include <stdbool.h>
#include <stddef.h>

#include <fwgen/fwgen.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Conventions: as in fwgen.h. Every function here talks to nf_tables in
 * the caller's network namespace and needs CAP_NET_ADMIN there; without
 * it they return -EPERM and say so. When the kernel refuses a batch they
 * return -EIO and the message names the object refused ("set
 * app-tier_v4", "rule in chain input (\"<comment>\")") and why (the
 * error, the expression at fault when the kernel points at one, a hint).
 * A refused batch changes nothing: the previous ruleset stays as it was.
 */

/*
 * Ownership: fwgen marks the table it creates with the comment "managed
 * by fwgen". fwgen_policy_apply(), fwgen_policy_apply_confirmed(),
 * fwgen_table_remove() and the set updates of fwgen/sets.h refuse a table
 * of that name without it -- made by hand, by another tool, or a
 * distribution's `inet filter` -- with -EEXIST and a message naming it,
 * unless forced (FWGEN_APPLY_FORCE; the set updates cannot be forced:
 * apply once with force to take the table over). A table that was loaded
 * from fwgen's JSON output carries no comment (nft 1.0.6 drops table
 * comments in JSON) and needs the same.
 */

/* Flags of fwgen_policy_apply() and fwgen_policy_apply_confirmed(). */
enum fwgen_apply_flags {
	/*
	 * Apply even if the anti-lockout check refuses the policy, if the
	 * table of that name is not fwgen's, or (confirmed) if the previous
	 * table cannot be put back.
	 */
	FWGEN_APPLY_FORCE = 1 << 0,
	/*
	 * fwgen_policy_apply_confirmed() only: while confirm runs, a guard
	 * process (fork()ed, in its own session, holding the same lock)
	 * puts the previous table back at once if the calling process dies
	 * -- SIGKILL, the OOM killer -- so that no single death leaves the
	 * unconfirmed table live. For single-threaded callers (it forks).
	 */
	FWGEN_APPLY_GUARD = 1 << 1,
};

/*
 * The default directory of fwgen's runtime files, "/run/fwgen". The
 * library reads no environment variable for it: a context uses
 * fwgen_ctx_set_run_dir() (the fwgen CLI maps FWGEN_RUN_DIR onto it).
 * Static storage; do not free.
 */
const char *fwgen_run_dir(void);

/*
 * Configuration of a context for the functions of this header, so that
 * one process (a daemon) can serve several with different settings.
 *
 * fwgen_ctx_set_run_dir(): the runtime directory (absolute; NULL: the
 * default). In it each network namespace has its own directory,
 * "net-<dev>-<inode>" of /proc/self/ns/net, holding the lock, the
 * confirmation FIFO and the rollback state: namespaces never block or
 * confirm each other. Both directories are created 0700 and must be owned
 * by the effective uid and not writable by group or others; a file in them
 * is opened without following symlinks and must be of the expected type
 * and ours. -EINVAL for a relative or empty path.
 *
 * fwgen_ctx_set_lock_timeout(): how long apply, remove and set updates
 * wait for another holder of the lock, 0-86400 s (default 30; -EINVAL
 * otherwise).
 *
 * fwgen_ctx_set_ssh_connection(): the session the anti-lockout check of
 * fwgen_policy_apply() protects, in the format of sshd's SSH_CONNECTION
 * (copied; NULL: none, the default). The library does not read the
 * environment: the CLI passes SSH_CONNECTION here.
 *
 * All return 0 or a negative errno (-EINVAL for a NULL ctx, -ENOMEM).
 */
int fwgen_ctx_set_run_dir(struct fwgen_ctx *ctx, const char *dir);
const char *fwgen_ctx_run_dir(const struct fwgen_ctx *ctx);
int fwgen_ctx_set_lock_timeout(struct fwgen_ctx *ctx, unsigned int seconds);
int fwgen_ctx_set_ssh_connection(struct fwgen_ctx *ctx,
				 const char *ssh_connection);
const char *fwgen_ctx_ssh_connection(const struct fwgen_ctx *ctx);

/*
 * Writes the current network namespace's runtime directory (created and
 * checked as described above) to buf. Returns 0, -EINVAL (NULL ctx or
 * buf, len 0, a name too long for buf), -ENOTDIR when a directory on the way is a
 * symlink, not a directory, not ours or writable by others, or another
 * negative errno of mkdir/open.
 */
int fwgen_ctx_state_dir(struct fwgen_ctx *ctx, char *buf, size_t len);

/*
 * The lock fwgen's own changes of the ruleset take, for tools that send
 * their own batch (fwgen_nftnl_batch_append()): between fwgen_ctx_lock()
 * and fwgen_ctx_unlock() no fwgen process, and no other context, changes
 * the ruleset of this network namespace; the context's own apply, remove
 * and set calls work inside it. fwgen_ctx_lock() waits up to the lock
 * timeout: -EBUSY naming the holder; -EALREADY when this context holds it.
 * fwgen_ctx_unlock(): -ENOLCK when it does not. fwgen_ctx_free() releases
 * it. Pair it with fwgen_policy_lockout_check(ctx, pol,
 * fwgen_ctx_ssh_connection(ctx)) before sending.
 */
int fwgen_ctx_lock(struct fwgen_ctx *ctx);
int fwgen_ctx_unlock(struct fwgen_ctx *ctx);

/*
 * Anti-lockout: whether pol admits a new SSH connection like the one
 * described by ssh_connection, the value of the SSH_CONNECTION variable
 * sshd sets ("CLIENT_IP CLIENT_PORT SERVER_IP SERVER_PORT"). The policy's
 * own chains and sets are evaluated as the kernel would for a new TCP
 * connection from the client to the server port (a prerouting redirect
 * first, then the input chain, its dispatch map and service chains).
 * Returns 0 when admitted or when ssh_connection is NULL or empty, -EACCES
 * when refused -- the message then says which address and port, what the
 * input chain does with them and how to fix it -- and -EINVAL when
 * ssh_connection cannot be parsed.
 */
int fwgen_policy_lockout_check(struct fwgen_ctx *ctx,
			       const struct fwgen_policy *pol,
			       const char *ssh_connection);

/*
 * Replaces table inet <pol table> with the policy in one transaction: the
 * kernel state afterwards is the one `nft -f` of the printed script gives,
 * and no other table is touched. Unless flags has FWGEN_APPLY_FORCE, the
 * policy is first checked with fwgen_policy_lockout_check() against the
 * context's SSH connection (-EACCES when refused). Applies of fwgen
 * processes never interleave: each holds the lock of the network
 * namespace's runtime directory (flock) and waits for it up to the
 * context's lock timeout before giving up with -EBUSY, naming the holder.
 * When the kernel's acknowledgements are lost, the outcome is settled by
 * reading the ruleset back (generation and table): 0 when the table sent
 * is live, -EIO when nothing was changed, -ETIME only when even that read
 * fails.
 */
int fwgen_policy_apply(struct fwgen_ctx *ctx, const struct fwgen_policy *pol,
		       unsigned int flags);

/*
 * Asked by fwgen_policy_apply_confirmed() once the new table is live:
 * return 1 to keep it, 0 (or a negative errno) to restore the previous
 * one. seconds is the time the caller asked for; the callback waits for
 * the user itself (a terminal, a FIFO, ...).
 */
typedef int (*fwgen_confirm_fn)(void *data, unsigned int seconds);

/*
 * Commit-confirmed apply: reads the current table back (all from one
 * ruleset generation), applies the policy with the kernel's generation
 * check so that nothing changed in between (retrying otherwise), then
 * calls confirm. Unless confirmed, puts the previous table back exactly
 * as it was read -- chains (with their devices), sets, elements, rules,
 * comments -- or removes the table if there was none. The lock is held
 * throughout. Before committing, the restore batch is checked by the
 * kernel (and aborted): a previous table it refuses, or one holding what
 * a restore could not recreate (named stateful objects, flowtables), is
 * refused before anything changes (-EOPNOTSUPP, naming the object),
 * unless flags has FWGEN_APPLY_FORCE: then an unconfirmed apply removes
 * the table instead. A restore that fails all the same removes the
 * unconfirmed table (-EIO). Lost acknowledgements are settled as for
 * fwgen_policy_apply(): confirm is called whenever the new table went
 * live. Returns 0
 * when confirmed, 1 when rolled back, a negative errno on error (-EIO with
 * an urgent message if even the restore failed).
 */
int fwgen_policy_apply_confirmed(struct fwgen_ctx *ctx,
				 const struct fwgen_policy *pol,
				 unsigned int flags, unsigned int seconds,
				 fwgen_confirm_fn confirm, void *data);

/*
 * Lets the kernel validate the batch apply would send without committing
 * it: the batch goes without its end message, so nf_tables runs and checks
 * every message, then aborts -- as `nft -c` does. Nothing changes. Returns
 * 0 when the kernel accepts it, -EIO (message as above) when not.
 */
int fwgen_policy_check(struct fwgen_ctx *ctx, const struct fwgen_policy *pol);

/*
 * Deletes table inet <table_name> (NULL: "fwgen") and nothing else, under
 * the same lock as apply. Returns -ENOENT with a message when there is no
 * such table, so that callers decide whether that is an error (the fwgen
 * CLI reports it and succeeds).
 */
int fwgen_table_remove(struct fwgen_ctx *ctx, const char *table_name);

/*
 * As fwgen_table_remove(), with flags: FWGEN_APPLY_FORCE removes the
 * table even when fwgen did not create it (see Ownership below); other
 * bits are -EINVAL.
 */
int fwgen_table_remove_flags(struct fwgen_ctx *ctx, const char *table_name,
			     unsigned int flags);

#ifdef __cplusplus
}
#endif

#endif
