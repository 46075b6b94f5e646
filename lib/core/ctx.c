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
	ARG_CHECK_RET(ctx, NULL);
	return ctx->errmsg;
}

FWGEN_EXPORT int fwgen_ctx_errno(const struct fwgen_ctx *ctx)
{
	ARG_CHECK_RET(ctx, -EINVAL);
	return ctx->err;
}

FWGEN_EXPORT const char *fwgen_ctx_error_file(const struct fwgen_ctx *ctx)
{
	ARG_CHECK_RET(ctx, NULL);
	return ctx->errfile[0] ? ctx->errfile : NULL;
}

FWGEN_EXPORT unsigned int fwgen_ctx_error_line(const struct fwgen_ctx *ctx)
{
	ARG_CHECK_RET(ctx, 0);
	return ctx->errline;
}

FWGEN_EXPORT unsigned int fwgen_ctx_error_column(const struct fwgen_ctx *ctx)
{
	ARG_CHECK_RET(ctx, 0);
	return ctx->errcol;
}

FWGEN_EXPORT void fwgen_ctx_clear_error(struct fwgen_ctx *ctx)
{
	ctx_ok(ctx);
}

int ctx_ok(struct fwgen_ctx *ctx)
{
	if (ctx) {
		ctx->errmsg[0] = '\0';
		ctx->err = 0;
		ctx->errfile[0] = '\0';
		ctx->errline = ctx->errcol = 0;
	}
	return 0;
}

int ctx_bad_arg(struct fwgen_ctx *ctx, const char *func, const char *what)
{
	if (!ctx)
		return -EINVAL;
	return ctx_err(ctx, -EINVAL, "%s: invalid argument (%s)", func, what);
}

FWGEN_EXPORT int fwgen_ctx_set_catalog_dir(struct fwgen_ctx *ctx,
					   const char *dir)
{
	char *copy;

	ARG_CTX(ctx);
	ARG_CHECK(ctx, dir);
	if (!*dir)
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
	ARG_CHECK_RET(ctx, NULL);
	return ctx->catalog_dir;
}

FWGEN_EXPORT const char *fwgen_version(void)
{
	return FWGEN_VERSION;
}

/* One byte of a message as it is kept: itself, or an escape. */
static const char *escape(const unsigned char **sp, char esc[8])
{
	const unsigned char *s = *sp;

	if (*s == '\n')
		return "\\n";
	if (*s == '\t')
		return "\\t";
	if (*s == '\r')
		return "\\r";
	if (*s < 0x20 || *s == 0x7f) {
		snprintf(esc, 8, "\\x%02x", *s);
	} else if (*s == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f) {
		snprintf(esc, 8, "\\x%02x", s[1]); /* U+0080-U+009F */
		*sp = s + 1;
	} else {
		esc[0] = (char)*s;
		esc[1] = '\0';
	}
	return esc;
}

/* Whether p is the start of a character (not a UTF-8 continuation byte). */
static bool char_start(const char *p)
{
	return ((unsigned char)*p & 0xc0) != 0x80;
}

/*
 * Keeps a message as one line of plain text: a value quoted from a hostile
 * file may hold newlines or terminal escapes, and the CLI prints messages
 * as they are. C0 and C1 control characters and DEL become \n, \t, \r
 * or \xNN. A message too long to keep loses its middle, marked "...":
 * what is wrong comes last ("'<long name>' is not a role name"), and a
 * long value must not push it out.
 */
static void ctx_store(struct fwgen_ctx *ctx, const char *raw)
{
	size_t max = sizeof(ctx->errmsg) - 1, len = strlen(raw), off = 0;
	size_t head, tail;
	char *out = malloc(4 * len + 1), *t, esc[8];
	const unsigned char *s;

	if (!out) {
		snprintf(ctx->errmsg, sizeof(ctx->errmsg), "%s", "out of memory");
		return;
	}
	for (s = (const unsigned char *)raw; *s; s++) {
		const char *put = escape(&s, esc);
		size_t n = strlen(put);

		memcpy(out + off, put, n);
		off += n;
	}
	out[off] = '\0';
	if (off <= max) {
		memcpy(ctx->errmsg, out, off + 1);
		free(out);
		return;
	}
	/* The first and the last part, cut where characters start. */
	tail = max / 2;
	t = out + off - tail;
	while (*t && !char_start(t))
		t++;
	head = max - 3 - strlen(t);
	while (head > 0 && !char_start(out + head))
		head--;
	memcpy(ctx->errmsg, out, head);
	memcpy(ctx->errmsg + head, "...", 3);
	memcpy(ctx->errmsg + head + 3, t, strlen(t) + 1);
	free(out);
}

static void ctx_vset(struct fwgen_ctx *ctx, const char *prefix,
		     const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

static void ctx_vset(struct fwgen_ctx *ctx, const char *prefix,
		     const char *fmt, va_list ap)
{
	char *msg = NULL, *raw = NULL;

	if (vasprintf(&msg, fmt, ap) < 0) {
		snprintf(ctx->errmsg, sizeof(ctx->errmsg), "%s", "out of memory");
		return;
	}
	if (asprintf(&raw, "%s%s", prefix, msg) < 0)
		ctx_store(ctx, msg);
	else
		ctx_store(ctx, raw);
	free(raw);
	free(msg);
}

int ctx_err(struct fwgen_ctx *ctx, int err, const char *fmt, ...)
{
	va_list ap;

	if (!ctx)
		return err;
	ctx_ok(ctx);
	ctx->err = err;
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

	if (!ctx)
		return err;
	ctx_ok(ctx);
	ctx->err = err;
	if (loc && loc->file) {
		snprintf(ctx->errfile, sizeof(ctx->errfile), "%s", loc->file);
		ctx->errline = loc->line;
		ctx->errcol = loc->col;
	}
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

int ctx_sys_errno(int e)
{
	switch (e) {
	case ENOENT:
	case ENOTDIR:
		return -ENOENT;
	case EACCES:
	case EPERM:
	case EROFS:
		return -EPERM;
	case ENOMEM:
		return -ENOMEM;
	case ENAMETOOLONG:
	case ELOOP:
		return -EINVAL;
	}
	return -EIO;
}

int ctx_nomem(struct fwgen_ctx *ctx)
{
	return ctx_err(ctx, -ENOMEM, "out of memory");
}
