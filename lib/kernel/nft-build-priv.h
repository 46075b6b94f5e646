/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside nft-build: the state of one build, shared by the rule builder
 * (nft-build.c) and the set builder (nft-build-sets.c).
 */
#ifndef FWGEN_NFT_BUILD_PRIV_H
#define FWGEN_NFT_BUILD_PRIV_H

#include "nft-build.h"
#include "nft-types.h"

struct build {
	struct fwgen_ctx *ctx;
	const struct fwgen_policy *pol;
	struct nft_objs *o;
	size_t set_cap;
	size_t rule_cap;
	uint32_t set_id; /* the last NFTNL_SET_ID handed out */
	bool lazy;	 /* named sets keep the policy's intervals */
	bool nomem;	 /* an allocation inside an expression failed */
};

/* Appends s to the objects (taking it); -ENOMEM frees it. */
int nftb_push_set(struct build *b, struct nftnl_set *s);

/*
 * A named peer set: the hash part `type ipv4_addr; size N` of a role's
 * hosts, or the interval part `type ipv4_addr; flags interval` of its
 * prefixes (policy_split_sets()), appended with its elements (or, for a
 * batch, their place in b->o->lazy).
 */
int nftb_named_set(struct build *b, const struct pol_set *ps);

/* A refused set of the drop path, appended. */
int nftb_refused_set(struct build *b, const struct pol_refused *pr);

/*
 * The anonymous sets and maps of one rule, as nft makes them, not yet
 * appended (the caller looks them up, then nftb_push_set()s them): its
 * ports, its ICMP types, its dispatch map. NULL when out of memory.
 */
struct nftnl_set *nftb_port_set(struct build *b, const struct pol_rule *pr);
struct nftnl_set *nftb_icmp_set(struct build *b, const struct pol_rule *pr,
				int family);
struct nftnl_set *nftb_vmap(struct build *b, const struct pol_rule *pr);

/* Whether the dispatch map needs intervals (a port range among its keys). */
bool nftb_vmap_is_interval(const struct pol_rule *pr);

#endif
