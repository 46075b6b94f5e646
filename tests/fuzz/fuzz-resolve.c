/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: an inventory made of arbitrary bytes against the real
 * catalog (loaded once): resolve each host role of its topology alone and
 * all of them together, and render every format that is built, into
 * memory. Nothing may crash, leak or hang, and rendering a policy that
 * resolved must succeed for nft.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fwgen/fwgen.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct fwgen_ctx *g_ctx;
static struct fwgen_catalog *g_cat;

#ifndef FUZZ_CATALOG_DIR
#define FUZZ_CATALOG_DIR "catalog"
#endif
#ifndef FUZZ_DEMO_CATALOG
#define FUZZ_DEMO_CATALOG "tests/data/catalog-demo/demo.yaml"
#endif

/*
 * The catalog: FWGEN_CATALOG_DIR, else the source tree's catalog/; the demo
 * catalog is added too, so the target has topologies to work on even while
 * catalog/ is empty.
 */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("FWGEN_CATALOG_DIR");

	g_ctx = fwgen_ctx_new();
	if (!g_ctx)
		abort();
	fwgen_ctx_set_catalog_dir(g_ctx, dir && *dir ? dir : FUZZ_CATALOG_DIR);
	if (fwgen_catalog_load(g_ctx, &g_cat) < 0)
		g_cat = NULL;
	if (fwgen_catalog_load_file(g_ctx, FUZZ_DEMO_CATALOG, &g_cat) < 0 && !g_cat) {
		fprintf(stderr, "fuzz-resolve: no catalog: %s\n", fwgen_ctx_error(g_ctx));
		abort();
	}
	return 0;
}

static void render_all(struct fwgen_ctx *ctx, const struct fwgen_policy *pol)
{
	static const enum fwgen_format formats[] = {
		FWGEN_FORMAT_NFT,
		FWGEN_FORMAT_JSON,
		FWGEN_FORMAT_IPTABLES,
		FWGEN_FORMAT_IP6TABLES,
		FWGEN_FORMAT_IPSET,
	};
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		char *buf = NULL;
		size_t len = 0;
		int ret = fwgen_policy_render_buf(ctx, pol, formats[i], &buf, &len);

		/* nft always exists; the others may not be built yet. */
		if (ret < 0 && formats[i] == FWGEN_FORMAT_NFT)
			abort();
		if (ret == 0 && (!buf || strlen(buf) != len))
			abort();
		free(buf);
	}
}

static void resolve_one(struct fwgen_ctx *ctx, const struct fwgen_inventory *inv,
			const char *topo, const char *const *roles, size_t n,
			unsigned int flags)
{
	struct fwgen_policy *pol = NULL;

	if (fwgen_policy_resolve(ctx, g_cat, inv, topo, roles, n, flags, &pol) < 0) {
		if (pol || fwgen_ctx_error(ctx)[0] == '\0')
			abort();
		return;
	}
	render_all(ctx, pol);
	fwgen_policy_free(pol);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_inventory *inv = NULL;
	const struct fwgen_topology *t = NULL;
	const char *roles[64];
	size_t i, n = 0;
	const char *topo;
	unsigned int flags = size % 2 ? FWGEN_RESOLVE_STRICT : 0;

	if (!ctx)
		return 0;
	if (fwgen_inventory_parse(ctx, "fuzz.yaml", (const char *)data, size, &inv) < 0)
		goto out;
	topo = fwgen_inventory_topology(inv);
	for (i = 0; topo && i < fwgen_catalog_topology_count(g_cat); i++) {
		if (!strcmp(fwgen_topology_name(fwgen_catalog_topology_at(g_cat, i)), topo))
			t = fwgen_catalog_topology_at(g_cat, i);
	}
	if (!t) {
		/* Unknown or no topology: resolve must say so; then use one. */
		resolve_one(ctx, inv, NULL, NULL, 0, flags);
		t = fwgen_catalog_topology_at(g_cat, size % fwgen_catalog_topology_count(g_cat));
	}
	topo = fwgen_topology_name(t);
	for (i = 0; i < fwgen_topology_role_count(t) && n < 64; i++) {
		bool host;
		const char *name = fwgen_topology_role_name(t, i, &host);

		if (!host)
			continue;
		roles[n++] = name;
		resolve_one(ctx, inv, topo, &roles[n - 1], 1, flags);
	}
	if (n > 1)
		resolve_one(ctx, inv, topo, roles, n, flags);
out:
	fwgen_inventory_free(inv);
	fwgen_ctx_free(ctx);
	return 0;
}
