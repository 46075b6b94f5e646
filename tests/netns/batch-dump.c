/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writes the batch `fwgen apply` would send for a policy, as `nft
 * --debug=mnl` writes the batch of `nft -f`, so test-apply.sh can compare
 * the two byte for byte: same messages, same attributes, same order.
 *
 * Usage: batch-dump [-i INVENTORY] [-t TOPOLOGY] -r ROLE [-r ROLE...] [-c] [-a]
 * (-a: audit mode)
 */
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>

#include <fwgen/fwgen.h>

#include "ctx.h"
#include "netlink.h"
#include "nft-build.h"

int main(int argc, char **argv)
{
	const char *inventory = NULL, *topology = NULL, *roles[64];
	enum nl_mode mode = NL_COMMIT;
	struct fwgen_inventory *inv = NULL;
	struct fwgen_catalog *cat = NULL;
	struct fwgen_policy *pol = NULL;
	struct nft_objs *o = NULL;
	struct fwgen_ctx *ctx;
	size_t nroles = 0;
	unsigned int flags = 0;
	int c, ret = 1;

	while ((c = getopt(argc, argv, "i:t:r:ca")) != -1) {
		switch (c) {
		case 'i':
			inventory = optarg;
			break;
		case 't':
			topology = optarg;
			break;
		case 'r':
			if (nroles < 64)
				roles[nroles++] = optarg;
			break;
		case 'a':
			flags |= FWGEN_RESOLVE_AUDIT;
			break;
		case 'c':
			mode = NL_CHECK;
			break;
		default:
			fprintf(stderr, "usage: batch-dump [-i INV] [-t TOPO] -r ROLE... [-c]\n");
			return 2;
		}
	}
	ctx = fwgen_ctx_new();
	if (!ctx)
		return 1;
	if (fwgen_catalog_load(ctx, &cat) < 0 ||
	    (inventory && fwgen_inventory_load(ctx, inventory, &inv) < 0) ||
	    fwgen_policy_resolve(ctx, cat, inv, topology, roles, nroles, flags,
				 &pol) < 0 ||
	    nft_build_for_batch(ctx, pol, &o) < 0 ||
	    nl_batch_fprintf(ctx, o, mode, 0, stdout) < 0)
		fprintf(stderr, "batch-dump: %s\n", fwgen_ctx_error(ctx));
	else
		ret = 0;
	nft_objs_free(o);
	fwgen_policy_free(pol);
	fwgen_inventory_free(inv);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
	return ret;
}
