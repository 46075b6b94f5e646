/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Picks the renderer for a format, and renders into memory for callers
 * that want a buffer rather than a stream.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "render.h"

FWGEN_EXPORT int fwgen_policy_render(struct fwgen_ctx *ctx,
				     const struct fwgen_policy *pol,
				     enum fwgen_format format, FILE *out)
{
	ARG_CTX(ctx);
	ARG_CHECK(ctx, pol);
	ARG_CHECK(ctx, out);
	ARG_CHECK(ctx, (unsigned int)format <= FWGEN_FORMAT_IPSET);

	switch (format) {
	case FWGEN_FORMAT_NFT:
		return render_nft(ctx, pol, out);
	case FWGEN_FORMAT_JSON:
		return render_json(ctx, pol, out);
	case FWGEN_FORMAT_IPTABLES:
		return render_iptables(ctx, pol, 4, out);
	case FWGEN_FORMAT_IP6TABLES:
		return render_iptables(ctx, pol, 6, out);
	case FWGEN_FORMAT_IPSET:
		return render_ipset(ctx, pol, out);
	}
	return ctx_err(ctx, -EINVAL, "unknown output format %d", (int)format);
}

FWGEN_EXPORT int fwgen_policy_render_buf(struct fwgen_ctx *ctx,
					 const struct fwgen_policy *pol,
					 enum fwgen_format format, char **buf,
					 size_t *len)
{
	size_t size = 0;
	char *text = NULL;
	FILE *out;
	int ret;

	ARG_CTX(ctx);
	ARG_CHECK(ctx, pol);
	ARG_CHECK(ctx, buf);
	ARG_CHECK(ctx, (unsigned int)format <= FWGEN_FORMAT_IPSET);

	out = open_memstream(&text, &size);
	if (!out)
		return ctx_nomem(ctx);
	ret = fwgen_policy_render(ctx, pol, format, out);
	if (fclose(out) != 0 && ret == 0)
		ret = ctx_nomem(ctx);
	if (ret < 0) {
		free(text);
		return ret;
	}
	*buf = text;
	if (len)
		*len = size;
	return 0;
}
