/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The library context: catalog search path and the last error message,
 * which every failing call sets instead of printing.
 */
#ifndef FWGEN_CTX_H
#define FWGEN_CTX_H

#include <fwgen/fwgen.h>

#include "src-loc.h"

#define FWGEN_ERRMSG_MAX 1024

struct fwgen_ctx {
	char *catalog_dir;
	char *run_dir;	      /* NULL: /run/fwgen */
	int lock_timeout;     /* seconds; -1: the default */
	char *ssh_connection; /* the session anti-lockout protects */
	int lock_fd;	      /* held by fwgen_ctx_lock(), else -1 */
	char errmsg[FWGEN_ERRMSG_MAX];
	int err;			    /* the errno of errmsg, 0 when none */
	char errfile[FWGEN_ERRMSG_MAX / 2]; /* where, when in a file */
	unsigned int errline, errcol;
};

#define FWGEN_EXPORT __attribute__((visibility("default")))

/* Sets the context's message and returns err (a negative errno). */
int ctx_err(struct fwgen_ctx *ctx, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The same, prefixed "file:line:col: " where loc names a place in a file. */
int ctx_err_at(struct fwgen_ctx *ctx, int err, const struct src_loc *loc,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * The library's errno for a failed system call's errno e, so that each
 * errno keeps one meaning (libfwgen(3)): not found -ENOENT, no permission
 * -EPERM, out of memory -ENOMEM, a bad name -EINVAL, anything else -EIO.
 */
int ctx_sys_errno(int e);

/* Sets -ENOMEM with a plain message. */
int ctx_nomem(struct fwgen_ctx *ctx);

/*
 * Forgets the last error and returns 0: public functions taking a context
 * start with it (through ARG_CTX), so that an error never outlives a later
 * success. NULL ctx is allowed.
 */
int ctx_ok(struct fwgen_ctx *ctx);

/* -EINVAL with "func: invalid argument (what)"; ctx may be NULL. */
int ctx_bad_arg(struct fwgen_ctx *ctx, const char *func, const char *what);

/*
 * Argument checks at the entry of public functions, in the manner of
 * systemd's assert_return(): a caller's mistake (a NULL pointer, an enum
 * or flag out of range) is -EINVAL naming the function and the check,
 * before anything changes -- never a crash, never a silent default.
 * ARG_CTX checks the context and forgets its last error.
 */
#define ARG_CHECK(ctx, expr)                                        \
	do {                                                        \
		if (!(expr))                                        \
			return ctx_bad_arg((ctx), __func__, #expr); \
	} while (0)

#define ARG_CTX(ctx)                    \
	do {                            \
		if (!(ctx))             \
			return -EINVAL; \
		ctx_ok(ctx);            \
	} while (0)

/* For functions without a context or an int result: returns ret. */
#define ARG_CHECK_RET(expr, ret)    \
	do {                        \
		if (!(expr))        \
			return ret; \
	} while (0)

#endif
