/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libfwgen: a resolved policy as libnftnl objects, for tools that talk to
 * the kernel themselves or add fwgen's table to a transaction of their own.
 */
#ifndef FWGEN_NFTNL_H
#define FWGEN_NFTNL_H

#include <stddef.h>
#include <stdint.h>

#include <fwgen/fwgen.h>

#ifdef __cplusplus
extern "C" {
#endif

struct nftnl_table;
struct nftnl_chain;
struct nftnl_set;
struct nftnl_rule;
struct nftnl_obj;
struct nftnl_batch;

/*
 * The largest netlink message fwgen_nftnl_batch_append() writes: a set
 * element message fills its element list up to the 64 KiB an attribute can
 * hold. Each message needs this much room left in the batch's page: use
 * fwgen_nftnl_batch_new(), or allocate with a page size and an overrun of
 * at least this many bytes, e.g.
 * nftnl_batch_alloc(2 * 1024 * 1024, FWGEN_NFTNL_MSG_MAX).
 */
#define FWGEN_NFTNL_MSG_MAX (65536 + 8192)

/*
 * Builds the objects `fwgen apply` sends for a policy: table inet <table>,
 * its chains, the named peer sets with their elements, the anonymous sets
 * and maps the rules look up, and the rules with their comments. They are
 * encoded as nft 1.0.6 encodes the script `fwgen print` writes, so loading
 * either gives the same kernel state. On success *out is new; free it with
 * fwgen_nftnl_free(). It does not borrow pol. On error *out is unchanged.
 */
int fwgen_policy_to_nftnl(struct fwgen_ctx *ctx,
			  const struct fwgen_policy *pol,
			  struct fwgen_nftnl **out);

/* Frees the objects and everything borrowed from them; NULL is allowed. */
void fwgen_nftnl_free(struct fwgen_nftnl *o);

/*
 * The table (family inet). Borrowed: owned by o, valid until
 * fwgen_nftnl_free(); do not free or change it.
 */
struct nftnl_table *fwgen_nftnl_table(const struct fwgen_nftnl *o);

/*
 * The sets: first the named peer sets in the policy's (name) order, then
 * the anonymous sets and maps ("__set%d", "__map%d") in the order of the
 * rules that use them. Each carries its elements and NFTNL_SET_ID (1, 2,
 * ... in this order), which the rules' lookups name. Borrowed as above;
 * NULL when i is out of range.
 */
size_t fwgen_nftnl_set_count(const struct fwgen_nftnl *o);
struct nftnl_set *fwgen_nftnl_set_at(const struct fwgen_nftnl *o, size_t i);

/*
 * The chains in policy order: base chains (input, output, prerouting)
 * with their hooks, then the service chains. Borrowed as above.
 */
size_t fwgen_nftnl_chain_count(const struct fwgen_nftnl *o);
struct nftnl_chain *fwgen_nftnl_chain_at(const struct fwgen_nftnl *o,
					 size_t i);

/*
 * The table's stateful objects: conntrack helpers (`ct helper NAME`, type
 * NFT_OBJECT_CT_HELPER) that rules assign with an objref expression. A
 * batch needs them after the chains and before the rules that reference
 * them. Borrowed as above; 0 / NULL for a NULL handle or an index out of
 * range.
 */
size_t fwgen_nftnl_obj_count(const struct fwgen_nftnl *o);
struct nftnl_obj *fwgen_nftnl_obj_at(const struct fwgen_nftnl *o, size_t i);

/*
 * The rules, chain by chain in policy order, each with its expressions
 * and its comment (NFTNL_UDATA_RULE_COMMENT userdata). Borrowed as above.
 */
size_t fwgen_nftnl_rule_count(const struct fwgen_nftnl *o);
struct nftnl_rule *fwgen_nftnl_rule_at(const struct fwgen_nftnl *o, size_t i);

/*
 * A batch sized for fwgen_nftnl_batch_append(): nftnl_batch_alloc() with
 * pages of 2 MiB and an overrun of FWGEN_NFTNL_MSG_MAX, as fwgen uses
 * itself. The caller owns it: add its own messages with libnftnl and free
 * it with nftnl_batch_free(). NULL when out of memory.
 */
struct nftnl_batch *fwgen_nftnl_batch_new(void);

/*
 * Appends to batch b the messages that replace fwgen's table: add table
 * (so that the delete is valid when it is absent), delete table, add table,
 * chains, the ct helper objects, named sets each followed by its elements, then the rules, each
 * preceded by the anonymous sets it uses -- the order nft uses. Element
 * lists longer than one message allows are split over several messages.
 * The caller owns b and writes the batch begin and end messages around
 * these. *seq is the sequence number of the first message and is
 * advanced past the last. The set IDs are those of fwgen_nftnl_set_at();
 * a batch holding other new sets must not reuse them.
 *
 * Before each message it checks that the page has FWGEN_NFTNL_MSG_MAX
 * bytes left (see there), so no batch is ever written past its end.
 * Returns 0; -EINVAL when o, b or seq is NULL (nothing written);
 * -ENOSPC when b has too little room (allocated with a smaller overrun or
 * page size); -ENOMEM. On error *seq is unchanged and b may hold part of
 * the messages: free it.
 */
int fwgen_nftnl_batch_append(const struct fwgen_nftnl *o,
			     struct nftnl_batch *b, uint32_t *seq);

/*
 * Names the object the message with sequence number seq carried, among
 * those fwgen_nftnl_batch_append() wrote for o starting at first_seq
 * (the *seq it was given): for a message the kernel refused, e.g.
 * "table inet fwgen", "chain input", "set user_v4", "elements 1-4000 of
 * 8000 of set user_v4", "rule in chain input (\"<comment>\")". Writes
 * a NUL-terminated text of at most len - 1 bytes into buf (cut to fit).
 * Returns 0; -EINVAL for a NULL argument or len 0; -ENOENT when seq is
 * not one of those messages; -ENOMEM.
 */
int fwgen_nftnl_describe(struct fwgen_ctx *ctx, const struct fwgen_nftnl *o,
			 uint32_t first_seq, uint32_t seq, char *buf,
			 size_t len);

#ifdef __cplusplus
}
#endif

#endif
