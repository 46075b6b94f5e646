/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: a product catalog file made of arbitrary bytes must
 * load or fail with a one-line message; what loads must describe and graph
 * without crashing.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fwgen/fwgen.h>

#include "model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = NULL;
	size_t i;
	int ret;

	if (!ctx)
		return 0;
	ret = catalog_parse_buf(ctx, "fuzz.yaml", (const char *)data, size, &cat);
	if (ret < 0) {
		if (cat || fwgen_ctx_error(ctx)[0] == '\0' ||
		    strchr(fwgen_ctx_error(ctx), '\n'))
			abort();
		fwgen_ctx_free(ctx);
		return 0;
	}
	for (i = 0; i < fwgen_catalog_topology_count(cat); i++) {
		const struct fwgen_topology *t = fwgen_catalog_topology_at(cat, i);
		char *buf = NULL;
		size_t len = 0;
		FILE *out = open_memstream(&buf, &len);

		if (!out)
			break;
		fwgen_topology_describe(ctx, t, out);
		fwgen_topology_graph(ctx, t, out);
		fclose(out);
		free(buf);
	}
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
	return 0;
}
