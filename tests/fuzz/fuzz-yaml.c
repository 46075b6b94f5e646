/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: the fast YAML scanner against libyaml. Whatever the
 * scanner accepts, libyaml must accept too, with the same tree, marks and
 * duplicate keys; what it refuses, the default path must read exactly as
 * libyaml does.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <fwgen/fwgen.h>

#include "../unit/yaml-compare.h"
#include "yaml-fast.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fwgen_ctx *fctx = fwgen_ctx_new(), *sctx = fwgen_ctx_new();
	struct yd_doc *fast = NULL, *slow = NULL;
	const char *buf = (const char *)data;
	char why[512];
	int fret, sret;

	if (!fctx || !sctx)
		abort();
	fret = yd_load_buf_with(fctx, "f.yaml", buf, size, YD_PARSE_FAST, &fast);
	sret = yd_load_buf_with(sctx, "f.yaml", buf, size, YD_PARSE_LIBYAML, &slow);
	if (fret == 0) {
		if (sret != 0 || !same_node(fast->root, slow->root, why, sizeof(why)) ||
		    !same_pos(fast->dup, slow->dup) ||
		    !same_pos(fast->dup_first, slow->dup_first)) {
			fprintf(stderr, "fast and libyaml differ: %s\n",
				sret ? fwgen_ctx_error(sctx) : why);
			abort();
		}
	} else if (fret != YF_UNSUPPORTED || fast) {
		abort();
	}
	yd_free(fast);
	yd_free(slow);
	fwgen_ctx_free(fctx);
	fwgen_ctx_free(sctx);
	return 0;
}
