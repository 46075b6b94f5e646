/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading fwgen's own table back from the kernel, into the libnftnl objects
 * nft_build() makes for the desired side, so diff compares one shape.
 */
#ifndef FWGEN_READBACK_H
#define FWGEN_READBACK_H

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

#endif
