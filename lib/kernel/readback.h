/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading fwgen's own table back from the kernel, into the libnftnl objects
 * nft_build() makes for the desired side: diff compares one shape, and a
 * commit-confirmed apply sends them back to undo itself.
 */
#ifndef FWGEN_READBACK_H
#define FWGEN_READBACK_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"
#include "nft-build.h"

/*
 * Reads table inet <table> of the current network namespace: the table,
 * its chains, its rules in chain order, its sets (named and anonymous) with
 * their elements. Only that table is asked for; nothing else of the
 * ruleset is read. The dumps form one snapshot: when the ruleset changes
 * while they run, they start over.
 *
 * A missing table is not an error: *out then has table == NULL and nothing
 * else. On success *out is new; free it with nft_objs_free(). Errors:
 * -EPERM (no CAP_NET_ADMIN), -ENOMEM, -EIO (netlink failed, or the ruleset
 * kept changing), each with a message in ctx.
 */
int readback_table(struct fwgen_ctx *ctx, const char *table,
		   struct nft_objs **out);

/*
 * As readback_table(), with what a commit-confirmed apply also needs.
 * genid (may be NULL) receives the ruleset generation every reply of the
 * snapshot came from: a batch sent with it (nl_replace()) is refused if
 * anything changed since. others (may be NULL; when given, two more dumps
 * run) receives how many named stateful objects and flowtables the table
 * holds: struct nft_objs has no room for them. When the ruleset kept
 * changing the error is -EAGAIN rather than -EIO.
 */
int readback_table_gen(struct fwgen_ctx *ctx, const char *table,
		       struct nft_objs **out, uint32_t *genid,
		       unsigned int *others);

/*
 * Reads only the table itself (name, flags, userdata): *out NULL when there
 * is none. Errors as readback_table().
 */
int readback_table_head(struct fwgen_ctx *ctx, const char *table,
			struct nftnl_table **out);

/*
 * Whether table t (NULL: none) is fwgen's: NULL when it is absent or
 * has a comment that begins with FWGEN_TABLE_COMMENT, else its comment ("" when none), in buf.
 */
const char *readback_not_ours(const struct nftnl_table *t, char *buf,
			      size_t len);

/*
 * Makes objects read back ready to be sent again as they are, by
 * nl_replace(): drops what the kernel reports but refuses from a sender
 * (handles, use counts, counters, the owner flag, positions) and numbers
 * the sets with transaction ids, which lookups of rules then name.
 */
/*
 * The same, but of the sets' elements only those of dynamic sets (what the
 * kernel fills, with their counters): for fwgen status, which must not
 * read 100k peer addresses to report a few counters.
 */
int readback_table_counts(struct fwgen_ctx *ctx, const char *table,
			  struct nft_objs **out);

void readback_make_resendable(struct nft_objs *o);

#endif
