/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small YAML tree with line/column on every node, built under hard
 * limits from libyaml's events or, for the plain block YAML inventories
 * are written in, from yaml-fast.c's (yaml-doc.c); read from a file or a
 * buffer (yaml-read.c); and the checked accessors the loaders use
 * (yaml-value.c).
 */
#ifndef FWGEN_YAML_DOC_H
#define FWGEN_YAML_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctx.h"

/*
 * Limits that keep a hostile file from costing time or memory: any file
 * is refused or loaded within about a second and 100 MB (libyaml reads
 * 20-30 MB/s and a node costs about 150 bytes). They leave room for an
 * inventory of 256Ki addresses (inventory.c) with one node each.
 */
#define YD_MAX_FILE_SIZE (16u << 20) /* bytes */
#define YD_MAX_DEPTH 32		     /* nested collections */
#define YD_MAX_SCALAR 16384	     /* bytes in one scalar */
#define YD_MAX_EXPANDED (1u << 20)   /* nodes once aliases are expanded */
#define YD_MAX_NODES (512u << 10)    /* nodes in the file itself */

enum yd_type {
	YD_SCALAR,
	YD_SEQ,
	YD_MAP,
};

struct yd_node {
	enum yd_type type;
	bool plain;  /* an unquoted scalar: may be a number, bool, null */
	char *value; /* scalars: NUL-terminated */
	size_t len;
	unsigned int line;	/* 1-based */
	unsigned int col;	/* 1-based */
	struct yd_node **items; /* seq: items; map: key, value, key, value... */
	size_t nitems;
	size_t capitems;
	size_t expanded; /* nodes below, counting alias targets each time */
};

struct yd_chunk;

struct yd_doc {
	char *file;
	struct yd_node *root;	/* NULL for an empty document */
	struct yd_chunk *arena; /* the nodes and their scalars */
	size_t nnodes;		/* in the arena: bounded by YD_MAX_NODES */
	struct yd_node **all;	/* every collection, for freeing its items */
	size_t nall;
	size_t capall;
	const struct yd_node *dup;	 /* first repeated mapping key, or NULL */
	const struct yd_node *dup_first; /* its first occurrence */
	bool fast;			 /* read by yaml-fast.c's scanner, not libyaml */
};

/*
 * Which parser reads a document. YD_PARSE_BY_SIZE: libyaml, unless the
 * input is large enough for the fast scanner of yaml-fast.c to matter (the
 * threshold is yaml-doc.c's), and even then libyaml when the input is
 * beyond the scanner's subset: for inventories. YD_PARSE_LIBYAML always:
 * for catalogs, which are small and written by hand. Tests choose
 * YD_PARSE_FAST to compare the two; it returns YF_UNSUPPORTED (1) for an
 * input beyond the subset.
 */
enum yd_parser {
	YD_PARSE_BY_SIZE,
	YD_PARSE_FAST,
	YD_PARSE_LIBYAML,
};

/*
 * A new document from a file (yaml-read.c) or a buffer named name in
 * messages; *out is NULL on error. Free with yd_free().
 */
int yd_load_file(struct fwgen_ctx *ctx, const char *path,
		 enum yd_parser parser, struct yd_doc **out);
void yd_free(struct yd_doc *doc);
int yd_load_buf_with(struct fwgen_ctx *ctx, const char *name, const char *buf,
		     size_t len, enum yd_parser parser, struct yd_doc **out);

/* Makes an object of a document; the document is freed after it returns. */
typedef int (*yd_loader)(struct fwgen_ctx *ctx, struct yd_doc *doc,
			 void *arg);

/*
 * Loads a file or a buffer, calls load on the document and frees it
 * (yaml-read.c): the one load path of catalogs and inventories. Returns
 * the load error or what load returned.
 */
int yd_read_file(struct fwgen_ctx *ctx, const char *path,
		 enum yd_parser parser, yd_loader load, void *arg);
int yd_read_buf(struct fwgen_ctx *ctx, const char *name, const char *buf,
		size_t len, enum yd_parser parser, yd_loader load, void *arg);

/*
 * Refuses a document in which a mapping repeats a key. Loaders call it once
 * they have read the document, so that their own, more specific messages
 * ("role 'db' given twice") come first where they have them.
 */
int yd_check_unique(struct fwgen_ctx *ctx, const struct yd_doc *doc);

/* The location of a node, borrowing the document's file name. */
struct src_loc yd_loc(const struct yd_doc *doc, const struct yd_node *n);

/* Type checks that set "file:line:col: <what> must be a mapping" etc. */
int yd_want(struct fwgen_ctx *ctx, const struct yd_doc *doc,
	    const struct yd_node *n, enum yd_type type, const char *what);

/* Map access. Pairs are (items[2i], items[2i+1]). */
static inline size_t yd_map_size(const struct yd_node *n)
{
	return n->nitems / 2;
}
const struct yd_node *yd_map_get(const struct yd_node *map, const char *key);

/*
 * Refuses keys of map that are not in allowed (NULL-terminated), naming the
 * key's position and the keys allowed there; refuses duplicate keys too.
 */
int yd_check_keys(struct fwgen_ctx *ctx, const struct yd_doc *doc,
		  const struct yd_node *map, const char *what,
		  const char *const *allowed);

/* Required key: error at the map's position when missing. */
int yd_require(struct fwgen_ctx *ctx, const struct yd_doc *doc,
	       const struct yd_node *map, const char *key, const char *what,
	       const struct yd_node **out);

int yd_str(struct fwgen_ctx *ctx, const struct yd_doc *doc,
	   const struct yd_node *n, const char *what, char **out);
/*
 * Free text (a description, note or title): a scalar without control
 * characters other than newline and tab, so no file can send terminal
 * escapes through `catalog show` or `explain`. Trailing newlines, which
 * block scalars (`>`, `|`) end with, are dropped.
 */
int yd_text(struct fwgen_ctx *ctx, const struct yd_doc *doc,
	    const struct yd_node *n, const char *what, char **out);
int yd_bool(struct fwgen_ctx *ctx, const struct yd_doc *doc,
	    const struct yd_node *n, const char *what, bool *out);
/* An unsigned integer in [min, max], decimal, no sign, no junk. */
int yd_uint(struct fwgen_ctx *ctx, const struct yd_doc *doc,
	    const struct yd_node *n, const char *what, unsigned long min,
	    unsigned long max, unsigned long *out);

/* A port "443" or a range "2382-2383", each in 1-65535. */
struct port_range;
int yd_port_range(struct fwgen_ctx *ctx, const struct yd_doc *doc,
		  const struct yd_node *n, struct port_range *out);

/*
 * The longest name of a topology, role, parameter or option, in catalogs
 * and inventories alike (the table's name has its own, tablename.h).
 */
#define YD_NAME_MAX 40

/* Whether s is a name made of [a-z0-9_-], starting with a letter, <= max. */
bool yd_is_name(const char *s, size_t max);

#endif
