/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside diff: both sides as diff.c lays them out, shared with the set
 * comparison (diff-sets.c).
 */
#ifndef FWGEN_DIFF_PRIV_H
#define FWGEN_DIFF_PRIV_H

#include <stdio.h>

#include "nft-build.h"
#include "nft-canon.h"
#include "policy.h"

/* The set flags that change what a set is; others are bookkeeping. */
#define SET_FLAGS_CMP (NFT_SET_CONSTANT | NFT_SET_INTERVAL | NFT_SET_MAP | \
		       NFT_SET_TIMEOUT | NFT_SET_EVAL | NFT_SET_OBJECT)

/* Keys up to an IPv6 address are compared element by element. */
#define SPAN_KEY 16

struct span {
	uint8_t lo[SPAN_KEY];
	uint8_t hi[SPAN_KEY];
};

struct dset {
	const char *name;
	const struct nftnl_set *s;
	uint32_t key_len;
	uint32_t key_type; /* 0 when not given */
	uint32_t flags;
	uint32_t size; /* the most elements it takes; 0 unbounded */
	/*
	 * desired side: the policy's
	 * intervals, not libnftnl's
	 */
	const struct nft_lazy_elems *lazy;
};

struct drule {
	const struct nftnl_rule *r;
	char *key;
	const struct pol_rule *pr; /* desired side with a policy */
};

struct name_idx {
	const char *name;
	size_t idx;
};

struct dchain {
	const char *name;
	const struct nftnl_chain *c;
	struct drule *rules;
	size_t n, cap;
};

struct side {
	const struct nft_objs *objs;
	struct canon_env env;
	struct dset *sets; /* named sets, by name */
	size_t nsets, cap_sets;
	struct dchain *chains; /* in the objects' order */
	size_t nchains, cap_chains;
	struct name_idx *byname; /* chains sorted by name */
};

struct diff {
	struct fwgen_ctx *ctx;
	const struct fwgen_policy *pol;
	const char *table;
	FILE *out;
	size_t n;
	struct side want, have;
};

/* One difference: counted always, written when there is somewhere to write. */
FILE *diff_line_start(struct diff *d, char sign, const char *what);
void diff_line_end(struct diff *d);

/* The named sets of both sides, by name: "+", "-" and "~" lines. */
int diff_sets(struct diff *d);

#endif
