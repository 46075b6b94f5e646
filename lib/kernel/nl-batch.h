/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Between netlink.c (sending, acknowledgements) and nl-batch.c (encoding):
 * the batches fwgen sends, built whole, and the names of their messages.
 */
#ifndef FWGEN_NL_BATCH_H
#define FWGEN_NL_BATCH_H

#include "netlink.h"

/*
 * The batch replacing o->table, in *out (free with nftnl_batch_free()).
 * A check batch (NL_CHECK) has no end message: the kernel then runs every
 * message and validates the result, reports what it refuses, and aborts
 * -- the way `nft -c` checks. m (may be NULL) records the messages.
 * -ENOMEM, *out NULL.
 */
int nl_build_replace(const struct nft_objs *o, enum nl_mode mode,
		     uint32_t genid, uint16_t nlflags, uint32_t *seq,
		     struct nftnl_batch **out, struct nl_msgs *m);

/* The batch deleting table t (its name), as nl_build_replace(). */
int nl_build_delete_table(const struct nftnl_table *t, uint32_t *seq,
			  struct nftnl_batch **out, struct nl_msgs *m);

/* The batch of a live set update: ops in order, valid for genid (0 any). */
int nl_build_set_elems(const struct nl_elems_op *ops, size_t nops,
		       uint32_t genid, uint32_t *seq, struct nftnl_batch **out,
		       struct nl_msgs *m);

/* The sequence number of the last message that asked for an ack; 0 none. */
uint32_t nl_last_acked(const struct nl_msgs *m);

/* The message of m with sequence number seq, or NULL. */
const struct nl_msginfo *nl_msg_find(const struct nl_msgs *m, uint32_t seq);

/* What message i carries, in words: "set user_v4", "rule in chain ...". */
void nl_msg_describe(const struct nl_msginfo *i, char *buf, size_t len);

#endif
