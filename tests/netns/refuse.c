/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Makes the kernel refuse one expression of a real policy's batch and
 * prints fwgen's message, so test-apply.sh can check that a refusal names
 * the rule, its comment and the expression the kernel pointed at, and that
 * nothing changed. Run it only inside a test namespace.
 *
 * With -s instead, sends the intact batch guarded by a ruleset generation
 * that has passed (NFNL_BATCH_GENID), as a commit-confirmed apply would
 * after someone changed the ruleset under it: the kernel must refuse it.
 *
 * Usage: refuse -t TOPOLOGY -r ROLE (-n RULE_INDEX | -s)
 * Exit: 0 when the kernel refused (message on stdout), 1 otherwise.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <libnftnl/expr.h>
#include <libnftnl/rule.h>

#include <fwgen/fwgen.h>

#include "ctx.h"
#include "netlink.h"
#include "nft-build.h"

/* A meta key no kernel knows: nft_meta refuses it with EOPNOTSUPP. */
#define BOGUS_META_KEY 250

int main(int argc, char **argv)
{
	const char *topology = NULL, *role = NULL;
	struct fwgen_catalog *cat = NULL;
	struct fwgen_policy *pol = NULL;
	struct nft_objs *o = NULL;
	struct nl_sock *s = NULL;
	struct fwgen_ctx *ctx;
	struct nftnl_expr *e;
	bool stale = false;
	uint32_t genid;
	long n = 0;
	int c, ret = 1;

	while ((c = getopt(argc, argv, "t:r:n:s")) != -1) {
		switch (c) {
		case 't':
			topology = optarg;
			break;
		case 'r':
			role = optarg;
			break;
		case 'n':
			n = strtol(optarg, NULL, 10);
			break;
		case 's':
			stale = true;
			break;
		default:
			return 2;
		}
	}
	if (!topology || !role)
		return 2;
	ctx = fwgen_ctx_new();
	if (!ctx)
		return 2;
	if (fwgen_catalog_load(ctx, &cat) < 0 ||
	    fwgen_policy_resolve(ctx, cat, NULL, topology, &role, 1, 0, &pol) < 0 ||
	    nft_build(ctx, pol, &o) < 0 || nl_open(ctx, &s) < 0) {
		fprintf(stderr, "refuse: %s\n", fwgen_ctx_error(ctx));
		goto out;
	}
	if (stale) {
		if (nl_genid(ctx, s, &genid) < 0)
			goto out;
		/* One generation back: the ruleset "changed" since. */
		if (nl_replace(ctx, s, o, NL_COMMIT, genid - 1) == -ERESTART) {
			printf("stale generation refused\n");
			ret = 0;
		}
		goto out;
	}
	if (n < 0 || (size_t)n >= o->nrules || !(e = nftnl_expr_alloc("meta"))) {
		fprintf(stderr, "refuse: no rule %ld\n", n);
		goto out;
	}
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, BOGUS_META_KEY);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, 1);
	nftnl_rule_add_expr(o->rules[n], e);
	if (nl_replace(ctx, s, o, NL_COMMIT, 0) < 0) {
		printf("%s\n", fwgen_ctx_error(ctx));
		ret = 0;
	}
out:
	nl_close(s);
	nft_objs_free(o);
	fwgen_policy_free(pol);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
	return ret;
}
