/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * build-inventory: what a provisioning tool does with libfwgen when its
 * address plan lives in a database rather than in YAML. It builds the
 * inventory in code, resolves the policy of one host role and prints the
 * nft ruleset (an `nft -f` script) on standard output.
 *
 *   cc -o build-inventory build-inventory.c $(pkg-config --cflags --libs fwgen)
 *   ./build-inventory [TOPOLOGY [HOST_ROLE]]
 *
 * Default: the server role of tachyon-single-server. The catalog comes from
 * the installed data directory, or from FWGEN_CATALOG_DIR.
 */
#include <stdio.h>
#include <string.h>

#include <fwgen/fwgen.h>

/*
 * Stands in for the tool's own address plan: role i of the topology gets
 * 198.18.i.0/24 and 2001:db8:i::/48 (a host role one address of each), and
 * the admin role only the jump host. The last role stays unbound, so the
 * ruleset shows how an unbound peer role reads: any address.
 */
static int add_site_addresses(struct fwgen_ctx *ctx,
			      const struct fwgen_topology *topo,
			      struct fwgen_inventory *inv)
{
	size_t i, n = fwgen_topology_role_count(topo);
	char v4[32], v6[48];
	bool host;
	int ret;

	for (i = 0; i + 1 < n && i < 254; i++) {
		const char *role = fwgen_topology_role_name(topo, i, &host);

		if (strcmp(role, "admin") == 0) {
			/* Management SSH from one jump host, IPv4 only. */
			ret = fwgen_inventory_add_address(ctx, inv, role,
							  "198.18.0.22");
			if (ret < 0)
				return ret;
			continue;
		}
		snprintf(v4, sizeof(v4), host ? "198.18.%zu.10" : "198.18.%zu.0/24",
			 i + 1);
		snprintf(v6, sizeof(v6), host ? "2001:db8:%zx::10" : "2001:db8:%zx::/48",
			 i + 1);
		ret = fwgen_inventory_add_address(ctx, inv, role, v4);
		if (ret == 0)
			ret = fwgen_inventory_add_address(ctx, inv, role, v6);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* The first host role of a topology, for a run without HOST_ROLE. */
static const char *first_host_role(const struct fwgen_topology *topo)
{
	size_t i;
	bool host;

	for (i = 0; i < fwgen_topology_role_count(topo); i++) {
		const char *role = fwgen_topology_role_name(topo, i, &host);

		if (host)
			return role;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	const char *topology = argc > 1 ? argv[1] : "tachyon-single-server";
	const char *role = argc > 2 ? argv[2] : NULL;
	const struct fwgen_topology *topo;
	struct fwgen_inventory *inv = NULL;
	struct fwgen_catalog *cat = NULL;
	struct fwgen_policy *pol = NULL;
	struct fwgen_ctx *ctx;
	int status = 2;

	if (argc > 3) {
		fprintf(stderr, "usage: %s [TOPOLOGY [HOST_ROLE]]\n", argv[0]);
		return 2;
	}
	ctx = fwgen_ctx_new();
	if (!ctx) {
		fputs("build-inventory: out of memory\n", stderr);
		return 2;
	}
	if (fwgen_catalog_load(ctx, &cat) < 0)
		goto err;
	topo = fwgen_catalog_topology(ctx, cat, topology);
	if (!topo)
		goto err;
	if (!role && !(role = first_host_role(topo))) {
		fprintf(stderr, "build-inventory: %s has no host role\n", topology);
		goto out;
	}

	inv = fwgen_inventory_new();
	if (!inv) {
		fputs("build-inventory: out of memory\n", stderr);
		goto out;
	}
	if (fwgen_inventory_set_topology(ctx, inv, topology) < 0 ||
	    fwgen_inventory_set_table(ctx, inv, "fwgen") < 0 ||
	    add_site_addresses(ctx, topo, inv) < 0)
		goto err;
	/* Only catalog flows, DNS and NTP leave the host. */
	fwgen_inventory_set_egress(inv, FWGEN_EGRESS_FILTERED);

	/* NULL topology: the inventory's. No flags: unbound roles are any. */
	if (fwgen_policy_resolve(ctx, cat, inv, NULL, &role, 1, 0, &pol) < 0 ||
	    fwgen_policy_render(ctx, pol, FWGEN_FORMAT_NFT, stdout) < 0)
		goto err;
	if (fflush(stdout) != 0) {
		perror("build-inventory: standard output");
		goto out;
	}
	status = 0;
	goto out;
err:
	fprintf(stderr, "build-inventory: %s\n", fwgen_ctx_error(ctx));
out:
	/* The policy, then what it was resolved from; each _free takes NULL. */
	fwgen_policy_free(pol);
	fwgen_inventory_free(inv);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
	return status;
}
