/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The policy as libnftnl objects: what apply sends in one batch, what the
 * public API hands out, and the desired side of diff.
 */
#ifndef FWGEN_NFT_BUILD_H
#define FWGEN_NFT_BUILD_H

#include <stdbool.h>
#include <stddef.h>

#include <libnftnl/chain.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>

#include "ctx.h"
#include "policy.h"

/*
 * The elements of a named peer set left as the policy's sorted, disjoint
 * intervals (nft_build_for_batch()), for netlink to encode straight into
 * the batch: a libnftnl object per element would cost more than the rest
 * of an apply's user time.
 */
struct nft_lazy_elems {
	const struct addr_interval *v; /* the policy's: it must outlive the objects */
	size_t n;
	uint32_t len;  /* key bytes: 4 or 16 */
	bool sentinel; /* lead with nft's end element at zero */
	/*
	 * a hash set: one element a host, its
	 * key alone (v[i].lo == v[i].hi)
	 */
	bool hash;
};

struct nft_objs {
	struct nftnl_table *table;
	/*
	 * named peer sets with their elements,
	 * then anonymous sets/maps used by rules
	 */
	struct nftnl_set **sets;
	size_t nsets;
	struct nftnl_chain **chains; /* in policy order */
	size_t nchains;
	struct nftnl_obj **objs; /* stateful objects: ct helpers, in policy order */
	size_t nobjs;
	struct nftnl_rule **rules; /* in chain order, then rule order */
	size_t nrules;
	/*
	 * by set index, the first nlazy sets;
	 * NULL: every set holds its elements
	 */
	struct nft_lazy_elems *lazy;
	size_t nlazy;
};

/* Builds every object of the policy. On error *out stays NULL. */
int nft_build(struct fwgen_ctx *ctx, const struct fwgen_policy *pol,
	      struct nft_objs **out);

/*
 * The same for a batch only (apply, check): the named peer sets hold no
 * libnftnl elements; o->lazy has them. Not for diff or the public API,
 * which read the elements of the sets.
 */
int nft_build_for_batch(struct fwgen_ctx *ctx, const struct fwgen_policy *pol,
			struct nft_objs **out);

void nft_objs_free(struct nft_objs *objs);

/*
 * Adds the elements of n sorted, disjoint intervals (big-endian keys lo..hi
 * of len bytes, stride bytes apart) to an interval set as nft encodes them:
 * a start element, and an INTERVAL_END element one past the end (a range
 * up to the largest key is marked open instead). sentinel: lead with nft's
 * end element at zero, as nft does when it fills an empty set. Returns the
 * number of elements added, or -ENOMEM.
 */
int nft_interval_elems(struct nftnl_set *s, const uint8_t *lo,
		       const uint8_t *hi, size_t n, size_t stride, size_t len,
		       bool sentinel);

/*
 * Adds n single addresses (big-endian keys of len bytes, stride bytes
 * apart) to a hash set, one element each. Returns the number added, or
 * -ENOMEM.
 */
int nft_hash_elems(struct nftnl_set *s, const uint8_t *lo, size_t n,
		   size_t stride, size_t len);

#endif
