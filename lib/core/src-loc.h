/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A place in an input file, kept apart so that error reporting (ctx.h)
 * does not pull in the catalog model.
 */
#ifndef FWGEN_SRC_LOC_H
#define FWGEN_SRC_LOC_H

/* Where in a file something was written, for error messages. */
struct src_loc {
	const char *file;  /* borrowed from the owning catalog/inventory */
	unsigned int line; /* 1-based; 0 when built in code */
	unsigned int col;
};

#endif
