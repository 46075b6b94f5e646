/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The context: where catalogs are read from, and the last error, kept as
 * text so that the CLI and embedding tools show the same words.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctx.h"

FWGEN_EXPORT struct fwgen_ctx *fwgen_ctx_new(void)
{
	struct fwgen_ctx *ctx = calloc(1, sizeof(*ctx));
	const char *dir = getenv("FWGEN_CATALOG_DIR");

	if (!ctx)
		return NULL;
	ctx->lock_timeout = -1;
	ctx->lock_fd = -1;
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
	free(ctx->run_dir);
	free(ctx->ssh_connection);
	if (ctx->lock_fd >= 0)
		close(ctx->lock_fd);
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

/*
 * Keeps a message as one line of plain text: a value quoted from a hostile
 * file may hold newlines or terminal escapes, and the CLI prints messages
 * as they are. C0 and C1 control characters and DEL become \n, \t, \r
 * or \xNN; what does not fit is cut and marked "...".
 */
static void ctx_store(struct fwgen_ctx *ctx, const char *raw, bool cut)
{
	const unsigned char *s = (const unsigned char *)raw;
	size_t max = sizeof(ctx->errmsg) - 4, off = 0;
	char esc[8];

	for (; *s && off < max; s++) {
		const char *put = esc;
		size_t n;

		if (*s == '\n')
			put = "\\n";
		else if (*s == '\t')
			put = "\\t";
		else if (*s == '\r')
			put = "\\r";
		else if (*s < 0x20 || *s == 0x7f)
			snprintf(esc, sizeof(esc), "\\x%02x", *s);
		else if (*s == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f)
			snprintf(esc, sizeof(esc), "\\x%02x", *++s);	/* U+0080-U+009F */
		else
			esc[0] = (char)*s, esc[1] = '\0';
		n = strlen(put);
		if (off + n > max)
			break;
		memcpy(ctx->errmsg + off, put, n);
		off += n;
	}
	if (*s || cut)
		memcpy(ctx->errmsg + off, "...", 4);
	else
		ctx->errmsg[off] = '\0';
}

static void ctx_vset(struct fwgen_ctx *ctx, const char *prefix,
		     const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

static void ctx_vset(struct fwgen_ctx *ctx, const char *prefix,
		     const char *fmt, va_list ap)
{
	char raw[FWGEN_ERRMSG_MAX];
	size_t off = strlen(prefix);
	int n;

	/* A long file name must not crowd out what is wrong. */
	if (off >= sizeof(raw) / 2)
		off = 0;
	memcpy(raw, prefix, off);
	n = vsnprintf(raw + off, sizeof(raw) - off, fmt, ap);
	if (n < 0)
		raw[off] = '\0';
	ctx_store(ctx, raw, n >= 0 && (size_t)n >= sizeof(raw) - off);
}

int ctx_err(struct fwgen_ctx *ctx, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ctx_vset(ctx, "", fmt, ap);
	va_end(ap);
	return err;
}

int ctx_err_at(struct fwgen_ctx *ctx, int err, const struct src_loc *loc,
	       const char *fmt, ...)
{
	char prefix[FWGEN_ERRMSG_MAX / 2] = "";
	va_list ap;
	int n = 0;

	if (loc && loc->file) {
		if (loc->line)
			n = snprintf(prefix, sizeof(prefix), "%s:%u:%u: ",
				     loc->file, loc->line, loc->col);
		else
			n = snprintf(prefix, sizeof(prefix), "%s: ", loc->file);
		if (n < 0 || (size_t)n >= sizeof(prefix))
			prefix[0] = '\0';
	}
	va_start(ap, fmt);
	ctx_vset(ctx, prefix, fmt, ap);
	va_end(ap);
	return err;
}

int ctx_nomem(struct fwgen_ctx *ctx)
{
	return ctx_err(ctx, -ENOMEM, "out of memory");
}
