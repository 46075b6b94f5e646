/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The policy as libnftnl objects: what apply sends in one batch, what the
 * public API hands out, and the desired side of diff.
 */
#ifndef FWGEN_NFT_BUILD_H
#define FWGEN_NFT_BUILD_H

#include <stddef.h>

#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>

#include "ctx.h"
#include "policy.h"

struct nft_objs {
	struct nftnl_table *table;
	struct nftnl_set **sets;	/* named peer sets with their elements,
					 * then anonymous sets/maps used by rules */
	size_t nsets;
	struct nftnl_chain **chains;	/* in policy order */
	size_t nchains;
	struct nftnl_rule **rules;	/* in chain order, then rule order */
	size_t nrules;
};

/* Builds every object of the policy. On error *out stays NULL. */
int nft_build(struct fwgen_ctx *ctx, const struct fwgen_policy *pol,
	      struct nft_objs **out);

void nft_objs_free(struct nft_objs *objs);

#endif
