/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TEMPORARY while the renderers are written in parallel: weak placeholders
 * that the real definitions override. Deleted once every renderer exists.
 */
#include <errno.h>

#include "render.h"

__attribute__((weak)) int render_json(struct fwgen_ctx *ctx,
				      const struct fwgen_policy *pol, FILE *out)
{
	return ctx_err(ctx, -ENOSYS, "json output is not built yet");
}

__attribute__((weak)) int render_iptables(struct fwgen_ctx *ctx,
					  const struct fwgen_policy *pol,
					  int family, FILE *out)
{
	return ctx_err(ctx, -ENOSYS, "iptables output is not built yet");
}

__attribute__((weak)) int render_ipset(struct fwgen_ctx *ctx,
				       const struct fwgen_policy *pol, FILE *out)
{
	return ctx_err(ctx, -ENOSYS, "ipset output is not built yet");
}
