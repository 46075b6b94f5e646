/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libfwgen: putting a policy into the kernel -- apply, check and remove
 * fwgen's own table over netlink, in one transaction, never touching any
 * other table -- and the safety around it.
 */
#ifndef FWGEN_KERNEL_H
#define FWGEN_KERNEL_H

#include <stdbool.h>

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

/* Flags of fwgen_policy_apply() and fwgen_policy_apply_confirmed(). */
enum fwgen_apply_flags {
	/* Apply even if the anti-lockout check refuses the policy. */
	FWGEN_APPLY_FORCE = 1 << 0,
};

/*
 * The directory of fwgen's runtime files: the lock and the confirmation
 * FIFO. The environment variable FWGEN_RUN_DIR if set, else "/run/fwgen".
 * Static storage or the environment's; do not free.
 */
const char *fwgen_run_dir(void);

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
 * environment's SSH_CONNECTION (-EACCES when refused). Applies of fwgen
 * processes never interleave: each holds fwgen_run_dir()/lock (flock) and
 * waits for it up to FWGEN_LOCK_TIMEOUT seconds (environment, default 30)
 * before giving up with -EBUSY, naming the holder. There is one lock per
 * runtime directory, whatever the network namespace.
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
 * as it was read -- chains, sets, elements, rules, comments -- or removes
 * the table if there was none. The lock is held throughout. A table
 * holding what a restore could not recreate (named stateful objects,
 * flowtables) is refused before anything changes (-EOPNOTSUPP). Returns 0
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

#ifdef __cplusplus
}
#endif

#endif
