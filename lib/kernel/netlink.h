/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Talking to nf_tables: one netlink socket, batches that replace or delete
 * fwgen's table in one transaction, acknowledgements mapped back to the
 * object the kernel refused, and live changes of set elements.
 */
#ifndef FWGEN_NETLINK_H
#define FWGEN_NETLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libnftnl/batch.h>

#include "ctx.h"
#include "nft-build.h"

/* What one message of a batch carries, to name it when the kernel refuses. */
enum nl_what {
	NL_WHAT_BATCH = 0, /* batch begin/end: the transaction itself */
	NL_WHAT_TABLE_ADD,
	NL_WHAT_TABLE_DEL,
	NL_WHAT_CHAIN,
	NL_WHAT_SET,
	NL_WHAT_ELEMS,
	NL_WHAT_RULE,
	NL_WHAT_OBJ,
};

struct nl_msginfo {
	uint32_t seq;
	enum nl_what what;
	const void *obj;	       /* the nftnl object, by what */
	const struct nftnl_rule *rule; /* the rule an anonymous set serves */
	const struct nlmsghdr *nlh;    /* the message as sent, in the batch */
	uint32_t first, count;	       /* NL_WHAT_ELEMS: which elements */
	uint32_t total;
};

struct nl_msgs {
	struct nl_msginfo *v;
	size_t n;
	size_t cap;
	bool nomem;
};

void nl_msgs_release(struct nl_msgs *m);

/*
 * Appends the messages replacing o->table to b (see
 * fwgen_nftnl_batch_append()); msgs (may be NULL) records what each
 * sequence number carries. nlflags are added to every message (NLM_F_ACK).
 */
int nl_batch_append_objs(struct nftnl_batch *b, const struct nft_objs *o,
			 uint32_t *seq, uint16_t nlflags, struct nl_msgs *msgs);

/*
 * A batch of fwgen's size: pages of 2 MiB with room past each for the
 * largest message (FWGEN_NFTNL_MSG_MAX). NULL when out of memory.
 */
struct nftnl_batch *nl_batch_new(void);

/*
 * Writes into buf what the message seq carries among those
 * nl_batch_append_objs() writes for o from first_seq on, e.g. "set
 * user_v4" or "elements 1-4000 of 8000 of set user_v4". -ENOENT when seq
 * is not one of them, -ENOMEM.
 */
int nl_describe_seq(const struct nft_objs *o, uint32_t first_seq,
		    uint32_t seq, char *buf, size_t len);

/* An open nf_tables socket. */
struct nl_sock;

/*
 * Opens the socket and asks the kernel for the ruleset generation, which
 * also tells whether we may talk to nf_tables at all: -EPERM with a clear
 * message without CAP_NET_ADMIN.
 */
int nl_open(struct fwgen_ctx *ctx, struct nl_sock **out);
void nl_close(struct nl_sock *s);

/* The current ruleset generation (NFT_MSG_GETGEN). */
int nl_genid(struct fwgen_ctx *ctx, struct nl_sock *s, uint32_t *genid);

enum nl_mode {
	NL_COMMIT = 0, /* batch end: the kernel commits */
	NL_CHECK,      /* no batch end: the kernel validates, then aborts */
};

/*
 * Replaces the table with objects o in one transaction. genid, when not 0,
 * makes the kernel refuse the batch (-ERESTART, no message set) if the
 * ruleset generation is no longer genid. On refusal the context names the
 * object refused and why; returns -EPERM without permission, -EIO when
 * the kernel refused, -ETIME when acknowledgements were lost (a receive
 * buffer overflowed, or none came): the batch may or may not have been
 * committed, and only reading the ruleset back tells.
 */
int nl_replace(struct fwgen_ctx *ctx, struct nl_sock *s,
	       const struct nft_objs *o, enum nl_mode mode, uint32_t genid);

/* Deletes table inet <name>; -ENOENT (message set) when it is not there. */
int nl_delete_table(struct fwgen_ctx *ctx, struct nl_sock *s,
		    const char *name);

/* One part of a live set update: the elements of set to add or delete. */
struct nl_elems_op {
	uint16_t type;	       /* NFT_MSG_DELSETELEM or NFT_MSG_NEWSETELEM */
	struct nftnl_set *set; /* table, name and the elements */
};

/*
 * Sends ops in order, in one transaction valid only for ruleset generation
 * genid (0: any): -ERESTART (no message) when it moved on. Sets without
 * elements send nothing; with none at all no batch is sent. Other errors
 * as nl_replace().
 */
int nl_set_elems(struct fwgen_ctx *ctx, struct nl_sock *s,
		 const struct nl_elems_op *ops, size_t nops, uint32_t genid);

/*
 * For tests: writes the batch nl_replace() would send, as `nft
 * --debug=mnl` prints batches (libmnl's mnl_nlmsg_fprintf()), with
 * sequence numbers starting at seq.
 */
int nl_batch_fprintf(struct fwgen_ctx *ctx, const struct nft_objs *o,
		     enum nl_mode mode, uint32_t seq, FILE *out);

#endif
