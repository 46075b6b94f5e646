/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The library context: catalog search path and the last error message,
 * which every failing call sets instead of printing.
 */
#ifndef FWGEN_CTX_H
#define FWGEN_CTX_H

#include <fwgen/fwgen.h>

#include "model.h"

#define FWGEN_ERRMSG_MAX 1024

struct fwgen_ctx {
	char *catalog_dir;
	char *run_dir;		/* NULL: /run/fwgen */
	int lock_timeout;	/* seconds; -1: the default */
	char *ssh_connection;	/* the session anti-lockout protects */
	int lock_fd;		/* held by fwgen_ctx_lock(), else -1 */
	char errmsg[FWGEN_ERRMSG_MAX];
};

#define FWGEN_EXPORT __attribute__((visibility("default")))

/* Sets the context's message and returns err (a negative errno). */
int ctx_err(struct fwgen_ctx *ctx, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The same, prefixed "file:line:col: " where loc names a place in a file. */
int ctx_err_at(struct fwgen_ctx *ctx, int err, const struct src_loc *loc,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Sets -ENOMEM with a plain message. */
int ctx_nomem(struct fwgen_ctx *ctx);

#endif
