/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: an inventory parsed from arbitrary bytes must load or
 * fail with a message, never crash, leak, hang or print.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <fwgen/fwgen.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_inventory *inv = NULL;
	int ret;

	if (!ctx)
		return 0;
	ret = fwgen_inventory_parse(ctx, "fuzz.yaml", (const char *)data, size, &inv);
	if (ret < 0) {
		/* Every failure says something, and only failures leave inv NULL. */
		if (inv || fwgen_ctx_error(ctx)[0] == '\0' ||
		    strchr(fwgen_ctx_error(ctx), '\n'))
			abort();
	} else if (!inv) {
		abort();
	}
	fwgen_inventory_free(inv);
	fwgen_ctx_free(ctx);
	return 0;
}
