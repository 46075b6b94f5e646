/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The context: where catalogs are read from, and the last error, kept as
 * text so that the CLI and embedding tools show the same words.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"

FWGEN_EXPORT struct fwgen_ctx *fwgen_ctx_new(void)
{
	struct fwgen_ctx *ctx = calloc(1, sizeof(*ctx));
	const char *dir = getenv("FWGEN_CATALOG_DIR");

	if (!ctx)
		return NULL;
	ctx->catalog_dir = strdup(dir && *dir ? dir : FWGEN_DATADIR);
	if (!ctx->catalog_dir) {
		free(ctx);
		return NULL;
	}
	return ctx;
}

FWGEN_EXPORT void fwgen_ctx_free(struct fwgen_ctx *ctx)
{
	if (!ctx)
		return;
	free(ctx->catalog_dir);
	free(ctx);
}

FWGEN_EXPORT const char *fwgen_ctx_error(const struct fwgen_ctx *ctx)
{
	return ctx->errmsg;
}

FWGEN_EXPORT void fwgen_ctx_clear_error(struct fwgen_ctx *ctx)
{
	ctx->errmsg[0] = '\0';
}

FWGEN_EXPORT int fwgen_ctx_set_catalog_dir(struct fwgen_ctx *ctx,
					   const char *dir)
{
	char *copy;

	if (!dir || !*dir)
		return ctx_err(ctx, -EINVAL, "empty catalog directory");
	copy = strdup(dir);
	if (!copy)
		return ctx_nomem(ctx);
	free(ctx->catalog_dir);
	ctx->catalog_dir = copy;
	return 0;
}

FWGEN_EXPORT const char *fwgen_ctx_catalog_dir(const struct fwgen_ctx *ctx)
{
	return ctx->catalog_dir;
}

FWGEN_EXPORT const char *fwgen_version(void)
{
	return FWGEN_VERSION;
}

static void ctx_vset(struct fwgen_ctx *ctx, size_t off, const char *fmt,
		     va_list ap)
{
	int n = vsnprintf(ctx->errmsg + off, sizeof(ctx->errmsg) - off, fmt, ap);

	/* A message cut short still says what matters first; mark the cut. */
	if (n >= 0 && (size_t)n >= sizeof(ctx->errmsg) - off)
		memcpy(ctx->errmsg + sizeof(ctx->errmsg) - 4, "...", 4);
}

int ctx_err(struct fwgen_ctx *ctx, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ctx_vset(ctx, 0, fmt, ap);
	va_end(ap);
	return err;
}

int ctx_err_at(struct fwgen_ctx *ctx, int err, const struct src_loc *loc,
	       const char *fmt, ...)
{
	size_t off = 0;
	va_list ap;
	int n;

	if (loc && loc->file) {
		if (loc->line)
			n = snprintf(ctx->errmsg, sizeof(ctx->errmsg),
				     "%s:%u:%u: ", loc->file, loc->line,
				     loc->col);
		else
			n = snprintf(ctx->errmsg, sizeof(ctx->errmsg), "%s: ",
				     loc->file);
		if (n > 0 && (size_t)n < sizeof(ctx->errmsg) / 2)
			off = (size_t)n;
	}
	va_start(ap, fmt);
	ctx_vset(ctx, off, fmt, ap);
	va_end(ap);
	return err;
}

int ctx_nomem(struct fwgen_ctx *ctx)
{
	return ctx_err(ctx, -ENOMEM, "out of memory");
}
