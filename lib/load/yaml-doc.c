/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Builds a YAML tree from libyaml events, or from the fast scanner's when a
 * file is within its subset (yaml-fast.c). Aliases share their anchor's node
 * instead of copying it, and every collection records how many nodes it
 * stands for once aliases are expanded, so "billion laughs" is refused at
 * load time rather than discovered by a loader that walks it.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "src-loc.h"
#include "yaml-doc.h"
#include "yaml-fast.h"

struct anchor {
	char *name; /* NULL: an empty slot */
	uint64_t hash;
	struct yd_node *node;
};

struct builder {
	struct fwgen_ctx *ctx;
	struct yd_doc *doc;
	struct yd_node *stack[YD_MAX_DEPTH + 1];
	size_t depth;
	struct anchor *anchors; /* hash table, capanchors a power of two */
	size_t nanchors;
	size_t capanchors;
	bool seen_document;
	const unsigned char *buf; /* the input, for reader error positions */
	size_t len;
};

static struct src_loc mark_loc(const struct yd_doc *doc, yaml_mark_t m)
{
	struct src_loc loc = {
		.file = doc->file,
		.line = (unsigned int)m.line + 1,
		.col = (unsigned int)m.column + 1,
	};
	return loc;
}

/*
 * Counts a node against the limit; a collection is also listed, to free
 * its items (everything else is in the arena).
 */
static int track(struct builder *b, struct yd_node *n, enum yd_type type,
		 yaml_mark_t m)
{
	struct yd_doc *doc = b->doc;

	/*
	 * Aliases are bounded by the expanded count; this bounds the nodes
	 * themselves, and so the memory a file can make us allocate.
	 */
	if (doc->nnodes >= YD_MAX_NODES) {
		struct src_loc loc = mark_loc(doc, m);

		return ctx_err_at(b->ctx, -E2BIG, &loc,
				  "document too large (more than %u values)",
				  YD_MAX_NODES);
	}
	doc->nnodes++;
	if (type == YD_SCALAR)
		return 0;
	if (doc->nall == doc->capall) {
		size_t cap = doc->capall ? doc->capall * 2 : 64;
		struct yd_node **all = realloc(doc->all, cap * sizeof(*all));

		if (!all)
			return ctx_nomem(b->ctx);
		doc->all = all;
		doc->capall = cap;
	}
	doc->all[doc->nall++] = n;
	return 0;
}

static int append_child(struct builder *b, struct yd_node *parent,
			struct yd_node *child, yaml_mark_t m)
{
	struct yd_node **items;
	size_t total;

	if (parent->nitems == parent->capitems) {
		size_t cap = parent->capitems ? parent->capitems * 2 : 4;

		items = realloc(parent->items, cap * sizeof(*items));
		if (!items)
			return ctx_nomem(b->ctx);
		parent->items = items;
		parent->capitems = cap;
	}
	parent->items[parent->nitems++] = child;

	total = parent->expanded + child->expanded;
	if (total > YD_MAX_EXPANDED) {
		struct src_loc loc = mark_loc(b->doc, m);

		return ctx_err_at(b->ctx, -E2BIG, &loc,
				  "document too large once aliases are expanded (more than %u nodes)",
				  YD_MAX_EXPANDED);
	}
	parent->expanded = total;
	return 0;
}

static int attach(struct builder *b, struct yd_node *n, yaml_mark_t m)
{
	if (b->depth == 0) {
		if (b->doc->root) {
			struct src_loc loc = mark_loc(b->doc, m);

			return ctx_err_at(b->ctx, -EINVAL, &loc,
					  "only one YAML document is allowed");
		}
		b->doc->root = n;
		return 0;
	}
	return append_child(b, b->stack[b->depth - 1], n, m);
}

/*
 * Nodes and scalars come from chunks freed all at once: an inventory of
 * 100,000 addresses is 100,000 nodes, and a malloc() and free() of each
 * node and each value cost more than libyaml's parse of them.
 */
struct yd_chunk {
	struct yd_chunk *next;
	size_t used, size;
	max_align_t data[];
};

#define YD_CHUNK_MIN (64u * 1024)

static void *arena_alloc(struct yd_doc *doc, size_t len)
{
	struct yd_chunk *c = doc->arena;
	size_t align = sizeof(max_align_t);
	void *p;

	len = (len + align - 1) / align * align;
	if (!c || c->size - c->used < len) {
		size_t size = len > YD_CHUNK_MIN ? len : YD_CHUNK_MIN;

		/* Each chunk twice the last, so that few are needed. */
		if (c && c->size * 2 > size && c->size < (64u << 20))
			size = c->size * 2;
		c = malloc(sizeof(*c) + size);
		if (!c)
			return NULL;
		c->next = doc->arena;
		c->used = 0;
		c->size = size;
		doc->arena = c;
	}
	p = (char *)c->data + c->used;
	c->used += len;
	return p;
}

static int new_node(struct builder *b, enum yd_type type, yaml_mark_t m,
		    struct yd_node **out)
{
	struct yd_node *n = arena_alloc(b->doc, sizeof(*n));
	int ret;

	if (!n)
		return ctx_nomem(b->ctx);
	memset(n, 0, sizeof(*n));
	ret = track(b, n, type, m);
	if (ret < 0)
		return ret;
	n->type = type;
	n->line = (unsigned int)m.line + 1;
	n->col = (unsigned int)m.column + 1;
	n->expanded = 1;
	*out = n;
	return 0;
}

/* FNV-1a: anchors are looked up once per alias, so this must not be a scan. */
static uint64_t anchor_hash(const char *name)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 0x100000001b3ull;
	return h;
}

/* The slot holding name, or the empty slot where it would go. */
static struct anchor *anchor_slot(struct anchor *slots, size_t cap,
				  const char *name, uint64_t h)
{
	size_t i = (size_t)h & (cap - 1);

	while (slots[i].name && (slots[i].hash != h || strcmp(slots[i].name, name)))
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static int grow_anchors(struct builder *b)
{
	size_t cap = b->capanchors ? b->capanchors * 2 : 16, i;
	struct anchor *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return ctx_nomem(b->ctx);
	for (i = 0; i < b->capanchors; i++) {
		const struct anchor *old = &b->anchors[i];

		if (old->name)
			*anchor_slot(slots, cap, old->name, old->hash) = *old;
	}
	free(b->anchors);
	b->anchors = slots;
	b->capanchors = cap;
	return 0;
}

static int remember_anchor(struct builder *b, const yaml_char_t *name,
			   struct yd_node *n)
{
	uint64_t h;
	struct anchor *a;

	if (!name)
		return 0;
	/* Keep the table at most half full so that probes stay short. */
	if (2 * (b->nanchors + 1) > b->capanchors && grow_anchors(b) < 0)
		return -ENOMEM;
	h = anchor_hash((const char *)name);
	a = anchor_slot(b->anchors, b->capanchors, (const char *)name, h);
	/* The latest definition of a name wins, as YAML says. */
	if (!a->name) {
		a->name = strdup((const char *)name);
		if (!a->name)
			return ctx_nomem(b->ctx);
		a->hash = h;
		b->nanchors++;
	}
	a->node = n;
	return 0;
}

static struct yd_node *find_anchor(struct builder *b, const yaml_char_t *name)
{
	const struct anchor *a;

	if (!b->capanchors)
		return NULL;
	a = anchor_slot(b->anchors, b->capanchors, (const char *)name,
			anchor_hash((const char *)name));
	return a->name ? a->node : NULL;
}

static int add_scalar(struct builder *b, const char *value, size_t len,
		      bool plain, const yaml_char_t *anchor, yaml_mark_t m)
{
	struct yd_node *n;
	int ret;

	if (len > YD_MAX_SCALAR) {
		struct src_loc loc = mark_loc(b->doc, m);

		return ctx_err_at(b->ctx, -E2BIG, &loc,
				  "value longer than %u bytes", YD_MAX_SCALAR);
	}
	ret = new_node(b, YD_SCALAR, m, &n);
	if (ret < 0)
		return ret;
	n->value = arena_alloc(b->doc, len + 1);
	if (!n->value)
		return ctx_nomem(b->ctx);
	memcpy(n->value, value, len);
	n->value[len] = '\0';
	n->len = len;
	n->plain = plain;
	if (remember_anchor(b, anchor, n) < 0)
		return -ENOMEM;
	return attach(b, n, m);
}

/*
 * Whether a scalar is read as a number, bool or null: unquoted, or quoted
 * with an explicit core-schema tag saying so (`!!bool "true"`, as
 * generators write it); `!!str true` is a string.
 */
static bool scalar_plain(const yaml_event_t *ev)
{
	const char *tag = (const char *)ev->data.scalar.tag;

	if (tag && !strcmp(tag, YAML_STR_TAG))
		return false;
	if (tag && (!strcmp(tag, YAML_BOOL_TAG) || !strcmp(tag, YAML_INT_TAG) ||
		    !strcmp(tag, YAML_NULL_TAG) || !strcmp(tag, YAML_FLOAT_TAG)))
		return true;
	return ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

/* libyaml lets an escaped NUL through ("\0"); the fast path never sees one. */
static int on_scalar(struct builder *b, const yaml_event_t *ev)
{
	if (memchr(ev->data.scalar.value, '\0', ev->data.scalar.length)) {
		struct src_loc loc = mark_loc(b->doc, ev->start_mark);

		return ctx_err_at(b->ctx, -EINVAL, &loc,
				  "value contains a NUL character");
	}
	return add_scalar(b, (const char *)ev->data.scalar.value,
			  ev->data.scalar.length, scalar_plain(ev),
			  ev->data.scalar.anchor, ev->start_mark);
}

static int open_node(struct builder *b, enum yd_type type,
		     const yaml_char_t *anchor, yaml_mark_t m)
{
	struct yd_node *n;
	int ret;

	if (b->depth >= YD_MAX_DEPTH) {
		struct src_loc loc = mark_loc(b->doc, m);

		return ctx_err_at(b->ctx, -E2BIG, &loc,
				  "nested deeper than %u levels", YD_MAX_DEPTH);
	}
	ret = new_node(b, type, m, &n);
	if (ret < 0)
		return ret;
	if (remember_anchor(b, anchor, n) < 0)
		return -ENOMEM;
	b->stack[b->depth++] = n;
	return 0;
}

static int on_start(struct builder *b, const yaml_event_t *ev,
		    enum yd_type type)
{
	if (type == YD_SEQ)
		return open_node(b, type, ev->data.sequence_start.anchor,
				 ev->start_mark);
	return open_node(b, type, ev->data.mapping_start.anchor,
			 ev->start_mark);
}

static int cmp_pos(const struct yd_node *x, const struct yd_node *y)
{
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->col < y->col ? -1 : x->col > y->col;
}

static int cmp_key(const void *a, const void *b)
{
	const struct yd_node *x = *(const struct yd_node *const *)a;
	const struct yd_node *y = *(const struct yd_node *const *)b;
	int c = strcmp(x->value, y->value);

	return c ? c : cmp_pos(x, y);
}

/*
 * YAML keys are unique within a mapping, and a loader that met a key twice
 * would take one of them silently. Remember the first repeated key of the
 * document (in document order) for yd_check_unique(); sorting keeps this
 * O(n log n) for a mapping with a million keys.
 */
static int find_duplicates(struct builder *b, const struct yd_node *map)
{
	const struct yd_node **keys;
	struct yd_doc *doc = b->doc;
	size_t i, n = 0;

	if (map->nitems < 4)
		return 0;
	keys = malloc(map->nitems / 2 * sizeof(*keys));
	if (!keys)
		return ctx_nomem(b->ctx);
	for (i = 0; i + 1 < map->nitems; i += 2) {
		if (map->items[i]->type == YD_SCALAR)
			keys[n++] = map->items[i];
	}
	if (n > 1)
		qsort(keys, n, sizeof(*keys), cmp_key);
	/* In a run of equal keys the second is the first repetition. */
	for (i = 1; i < n; i++) {
		if (strcmp(keys[i - 1]->value, keys[i]->value) != 0)
			continue;
		if (!doc->dup || cmp_pos(keys[i], doc->dup) < 0) {
			doc->dup = keys[i];
			doc->dup_first = keys[i - 1];
		}
		while (i + 1 < n && strcmp(keys[i]->value, keys[i + 1]->value) == 0)
			i++;
	}
	free(keys);
	return 0;
}

int yd_check_unique(struct fwgen_ctx *ctx, const struct yd_doc *doc)
{
	struct src_loc loc = yd_loc(doc, doc->dup);

	if (!doc->dup)
		return 0;
	return ctx_err_at(ctx, -EINVAL, &loc, "duplicate key '%s' (first at line %u)",
			  doc->dup->value, doc->dup_first->line);
}

static int on_end(struct builder *b, yaml_mark_t m)
{
	struct yd_node *n = b->stack[--b->depth];
	int ret;

	if (n->type == YD_MAP && (ret = find_duplicates(b, n)) < 0)
		return ret;
	/* Attached only once complete, so its expanded size is final. */
	return attach(b, n, m);
}

static int on_alias(struct builder *b, const yaml_event_t *ev)
{
	struct yd_node *n = find_anchor(b, ev->data.alias.anchor);
	size_t i;

	if (!n) {
		struct src_loc loc = mark_loc(b->doc, ev->start_mark);

		return ctx_err_at(b->ctx, -EINVAL, &loc, "unknown alias '*%s'",
				  (const char *)ev->data.alias.anchor);
	}
	/* An alias to a collection still open would make a cycle. */
	for (i = 0; i < b->depth; i++) {
		if (b->stack[i] == n) {
			struct src_loc loc = mark_loc(b->doc, ev->start_mark);

			return ctx_err_at(b->ctx, -EINVAL, &loc,
					  "alias '*%s' refers to a node that contains it",
					  (const char *)ev->data.alias.anchor);
		}
	}
	return attach(b, n, ev->start_mark);
}

/*
 * libyaml's reader (encoding, control characters) reports a byte offset,
 * not a mark: turn it into a line and a column counted in characters, as
 * marks are.
 */
static struct src_loc offset_loc(const struct builder *b, size_t offset)
{
	struct src_loc loc = { .file = b->doc->file, .line = 1, .col = 1 };
	size_t i;

	for (i = 0; i < offset && i < b->len; i++) {
		if (b->buf[i] == '\n') {
			loc.line++;
			loc.col = 1;
		} else if ((b->buf[i] & 0xc0) != 0x80) {
			loc.col++;
		}
	}
	return loc;
}

static int parse_error(struct builder *b, const yaml_parser_t *p)
{
	struct src_loc loc = mark_loc(b->doc, p->problem_mark);
	const char *problem = p->problem ? p->problem : "malformed YAML";

	if (p->error == YAML_MEMORY_ERROR)
		return ctx_nomem(b->ctx);
	if (p->error == YAML_READER_ERROR) {
		loc = offset_loc(b, p->problem_offset);
		if (p->problem_value >= 0)
			return ctx_err_at(b->ctx, -EINVAL, &loc,
					  "malformed YAML: %s (0x%02x)", problem,
					  (unsigned int)p->problem_value);
	}
	if (p->context)
		return ctx_err_at(b->ctx, -EINVAL, &loc, "malformed YAML: %s %s",
				  problem, p->context);
	return ctx_err_at(b->ctx, -EINVAL, &loc, "malformed YAML: %s", problem);
}

static int build(struct builder *b, yaml_parser_t *p)
{
	yaml_event_t ev;
	int ret = 0;
	bool done = false;

	while (!done && ret == 0) {
		if (!yaml_parser_parse(p, &ev))
			return parse_error(b, p);
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (b->seen_document) {
				struct src_loc loc = mark_loc(b->doc,
							      ev.start_mark);

				ret = ctx_err_at(b->ctx, -EINVAL, &loc,
						 "only one YAML document is allowed");
			}
			b->seen_document = true;
			break;
		case YAML_SCALAR_EVENT:
			ret = on_scalar(b, &ev);
			break;
		case YAML_SEQUENCE_START_EVENT:
			ret = on_start(b, &ev, YD_SEQ);
			break;
		case YAML_MAPPING_START_EVENT:
			ret = on_start(b, &ev, YD_MAP);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			ret = on_end(b, ev.start_mark);
			break;
		case YAML_ALIAS_EVENT:
			ret = on_alias(b, &ev);
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	return ret;
}

void yd_free(struct yd_doc *doc)
{
	size_t i;

	if (!doc)
		return;
	for (i = 0; i < doc->nall; i++)
		free(doc->all[i]->items);
	free(doc->all);
	while (doc->arena) {
		struct yd_chunk *next = doc->arena->next;

		free(doc->arena);
		doc->arena = next;
	}
	free(doc->file);
	free(doc);
}

/*
 * The fast scanner's events, into the same builder. A limit reached there
 * is not reported but hands the file to libyaml, so that every message
 * about a file comes from one place.
 */
static yaml_mark_t mark_at(unsigned int line, unsigned int col)
{
	yaml_mark_t m = { .line = line, .column = col };

	return m;
}

static int fast_scalar(void *data, const char *value, size_t len, bool plain,
		       unsigned int line, unsigned int col)
{
	struct builder *b = data;

	if (len > YD_MAX_SCALAR || b->doc->nnodes >= YD_MAX_NODES)
		return YF_UNSUPPORTED;
	return add_scalar(b, value, len, plain, NULL, mark_at(line, col));
}

static int fast_start(void *data, enum yd_type type, unsigned int line,
		      unsigned int col)
{
	struct builder *b = data;

	if (b->depth >= YD_MAX_DEPTH || b->doc->nnodes >= YD_MAX_NODES)
		return YF_UNSUPPORTED;
	return open_node(b, type, NULL, mark_at(line, col));
}

static int fast_end(void *data)
{
	struct builder *b = data;

	return on_end(b, mark_at(0, 0));
}

static const struct yf_sink fast_sink = {
	.scalar = fast_scalar,
	.start = fast_start,
	.end = fast_end,
};

static int parse_libyaml(struct builder *b, const char *buf, size_t len)
{
	yaml_parser_t parser;
	int ret;

	if (!yaml_parser_initialize(&parser))
		return ctx_nomem(b->ctx);
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	ret = build(b, &parser);
	yaml_parser_delete(&parser);
	return ret;
}

static struct yd_doc *new_doc(struct fwgen_ctx *ctx, const char *name)
{
	struct yd_doc *doc = calloc(1, sizeof(*doc));

	if (doc)
		doc->file = strdup(name);
	if (!doc || !doc->file) {
		free(doc);
		ctx_nomem(ctx);
		return NULL;
	}
	return doc;
}

/*
 * The fast scanner takes about a fifth of libyaml's time at every size, but
 * below 64 KiB (some 3,000 addresses) libyaml itself needs under a
 * millisecond: there the second parser would save nothing anyone notices
 * and only add a way to be wrong. The measurements are in
 * tests/bench/README.md (tests/unit/bench-yaml.c).
 */
#define YD_FAST_MIN_BYTES (64u << 10)

int yd_load_buf_with(struct fwgen_ctx *ctx, const char *name, const char *buf,
		     size_t len, enum yd_parser parser, struct yd_doc **out)
{
	struct builder b = {
		.ctx = ctx,
		.buf = (const unsigned char *)buf,
		.len = len,
	};
	size_t i;
	int ret = YF_UNSUPPORTED;

	*out = NULL;
	if (len > YD_MAX_FILE_SIZE)
		return ctx_err(ctx, -EINVAL, "%s: larger than %u MiB", name,
			       YD_MAX_FILE_SIZE >> 20);
	if (parser == YD_PARSE_FAST ||
	    (parser == YD_PARSE_BY_SIZE && len >= YD_FAST_MIN_BYTES)) {
		b.doc = new_doc(ctx, name);
		if (!b.doc)
			return -ENOMEM;
		ret = yf_scan(buf, len, &fast_sink, &b);
		if (ret != 0) {
			yd_free(b.doc);
			b.doc = NULL;
			b.depth = 0;
		} else {
			b.doc->fast = true;
		}
		if (ret < 0 || (ret == YF_UNSUPPORTED && parser == YD_PARSE_FAST))
			return ret;
	}
	if (ret == YF_UNSUPPORTED) {
		b.doc = new_doc(ctx, name);
		if (!b.doc)
			return -ENOMEM;
		ret = parse_libyaml(&b, buf, len);
	}

	/* Nodes still on the stack after an error belong to the document. */
	for (i = 0; i < b.capanchors; i++)
		free(b.anchors[i].name);
	free(b.anchors);
	if (ret < 0) {
		yd_free(b.doc);
		return ret;
	}
	*out = b.doc;
	return 0;
}
