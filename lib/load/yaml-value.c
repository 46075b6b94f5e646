/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading values out of a built document for the catalog and inventory
 * loaders: types, keys, strings, booleans, numbers, names and ports, each
 * refused with the file, line and column of the node at fault.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "port-range.h"
#include "yaml-doc.h"

struct src_loc yd_loc(const struct yd_doc *doc, const struct yd_node *n)
{
	struct src_loc loc = {
		.file = doc->file,
		.line = n ? n->line : 0,
		.col = n ? n->col : 0,
	};
	return loc;
}

static const char *type_name(enum yd_type t)
{
	switch (t) {
	case YD_SCALAR:
		return "a single value";
	case YD_SEQ:
		return "a list";
	case YD_MAP:
		return "a mapping";
	}
	return "?";
}

int yd_want(struct fwgen_ctx *ctx, const struct yd_doc *doc,
	    const struct yd_node *n, enum yd_type type, const char *what)
{
	struct src_loc loc = yd_loc(doc, n);

	if (n && n->type == type)
		return 0;
	return ctx_err_at(ctx, -EINVAL, &loc, "%s must be %s", what,
			  type_name(type));
}

const struct yd_node *yd_map_get(const struct yd_node *map, const char *key)
{
	size_t i;

	for (i = 0; i + 1 < map->nitems; i += 2) {
		const struct yd_node *k = map->items[i];

		if (k->type == YD_SCALAR && strcmp(k->value, key) == 0)
			return map->items[i + 1];
	}
	return NULL;
}

int yd_check_keys(struct fwgen_ctx *ctx, const struct yd_doc *doc,
		  const struct yd_node *map, const char *what,
		  const char *const *allowed)
{
	size_t i, j;

	for (i = 0; i + 1 < map->nitems; i += 2) {
		const struct yd_node *k = map->items[i];
		struct src_loc loc = yd_loc(doc, k);
		const char *const *a;
		char list[512];
		size_t off = 0;

		if (k->type != YD_SCALAR)
			return ctx_err_at(ctx, -EINVAL, &loc,
					  "keys of %s must be plain names", what);
		for (j = 0; j < i; j += 2) {
			if (strcmp(map->items[j]->value, k->value) == 0)
				return ctx_err_at(ctx, -EINVAL, &loc,
						  "duplicate key '%s' in %s (first at line %u)",
						  k->value, what,
						  map->items[j]->line);
		}
		for (a = allowed; *a; a++) {
			if (strcmp(*a, k->value) == 0)
				break;
		}
		if (*a)
			continue;
		list[0] = '\0';
		for (a = allowed; *a; a++) {
			int n = snprintf(list + off, sizeof(list) - off, "%s%s",
					 off ? ", " : "", *a);

			if (n < 0 || (size_t)n >= sizeof(list) - off)
				break;
			off += (size_t)n;
		}
		return ctx_err_at(ctx, -EINVAL, &loc,
				  "unknown key '%s' in %s (expected one of: %s)",
				  k->value, what, list);
	}
	return 0;
}

int yd_require(struct fwgen_ctx *ctx, const struct yd_doc *doc,
	       const struct yd_node *map, const char *key, const char *what,
	       const struct yd_node **out)
{
	struct src_loc loc = yd_loc(doc, map);

	*out = yd_map_get(map, key);
	if (*out)
		return 0;
	return ctx_err_at(ctx, -EINVAL, &loc, "%s lacks the required key '%s'",
			  what, key);
}

int yd_str(struct fwgen_ctx *ctx, const struct yd_doc *doc,
	   const struct yd_node *n, const char *what, char **out)
{
	int ret = yd_want(ctx, doc, n, YD_SCALAR, what);

	if (ret < 0)
		return ret;
	*out = strdup(n->value);
	return *out ? 0 : ctx_nomem(ctx);
}

int yd_text(struct fwgen_ctx *ctx, const struct yd_doc *doc,
	    const struct yd_node *n, const char *what, char **out)
{
	struct src_loc loc = yd_loc(doc, n);
	const unsigned char *s;
	size_t len;
	int ret = yd_want(ctx, doc, n, YD_SCALAR, what);

	if (ret < 0)
		return ret;
	for (s = (const unsigned char *)n->value; *s; s++) {
		/* C0 but newline and tab, DEL, and C1 (U+0080-U+009F). */
		if ((*s < 0x20 && *s != '\n' && *s != '\t') || *s == 0x7f ||
		    (*s == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f))
			return ctx_err_at(ctx, -EINVAL, &loc,
					  "%s contains a control character", what);
	}
	len = n->len;
	while (len > 0 && n->value[len - 1] == '\n')
		len--;
	*out = strndup(n->value, len);
	return *out ? 0 : ctx_nomem(ctx);
}

int yd_bool(struct fwgen_ctx *ctx, const struct yd_doc *doc,
	    const struct yd_node *n, const char *what, bool *out)
{
	struct src_loc loc = yd_loc(doc, n);
	int ret = yd_want(ctx, doc, n, YD_SCALAR, what);

	if (ret < 0)
		return ret;
	if (n->plain && (!strcmp(n->value, "true") || !strcmp(n->value, "yes") ||
			 !strcmp(n->value, "on"))) {
		*out = true;
		return 0;
	}
	if (n->plain && (!strcmp(n->value, "false") || !strcmp(n->value, "no") ||
			 !strcmp(n->value, "off"))) {
		*out = false;
		return 0;
	}
	if (!n->plain && (!strcmp(n->value, "true") || !strcmp(n->value, "false")))
		return ctx_err_at(ctx, -EINVAL, &loc,
				  "%s must be true or false, not the string '%s' (write it unquoted, or tag it !!bool)",
				  what, n->value);
	return ctx_err_at(ctx, -EINVAL, &loc,
			  "%s must be true or false, not '%s'", what, n->value);
}

int yd_uint(struct fwgen_ctx *ctx, const struct yd_doc *doc,
	    const struct yd_node *n, const char *what, unsigned long min,
	    unsigned long max, unsigned long *out)
{
	struct src_loc loc = yd_loc(doc, n);
	unsigned long v = 0;
	const char *s;
	int ret = yd_want(ctx, doc, n, YD_SCALAR, what);

	if (ret < 0)
		return ret;
	s = n->value;
	if (*s == '\0')
		goto bad;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			goto bad;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > max)
			goto range;
	}
	if (v < min)
		goto range;
	*out = v;
	return 0;
range:
	return ctx_err_at(ctx, -ERANGE, &loc, "%s '%s' out of range %lu-%lu",
			  what, n->value, min, max);
bad:
	return ctx_err_at(ctx, -EINVAL, &loc, "%s must be a number, not '%s'",
			  what, n->value);
}

bool yd_is_name(const char *s, size_t max)
{
	size_t i;

	if (!((s[0] >= 'a' && s[0] <= 'z')))
		return false;
	for (i = 0; s[i]; i++) {
		char c = s[i];

		if (i >= max)
			return false;
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return false;
	}
	return true;
}

int yd_port_range(struct fwgen_ctx *ctx, const struct yd_doc *doc,
		  const struct yd_node *n, struct port_range *out)
{
	struct src_loc loc = yd_loc(doc, n);
	unsigned long lo, hi;
	char *dash, *end;

	if (n->type != YD_SCALAR)
		return ctx_err_at(ctx, -EINVAL, &loc,
				  "a port must be a number or a range \"low-high\"");
	if (n->value[0] < '0' || n->value[0] > '9')
		goto bad;
	errno = 0;
	lo = strtoul(n->value, &dash, 10);
	if (errno)
		goto range;
	if (*dash == '\0') {
		hi = lo;
	} else if (*dash == '-' && dash[1] >= '0' && dash[1] <= '9') {
		hi = strtoul(dash + 1, &end, 10);
		if (*end)
			goto bad;
		if (errno)
			goto range;
	} else {
		goto bad;
	}
	if (lo < 1 || lo > 65535 || hi < 1 || hi > 65535)
		goto range;
	if (hi < lo)
		return ctx_err_at(ctx, -EINVAL, &loc,
				  "port range '%s' ends before it starts", n->value);
	out->lo = (uint16_t)lo;
	out->hi = (uint16_t)hi;
	return 0;
range:
	return ctx_err_at(ctx, -ERANGE, &loc, "port '%s' out of range 1-65535",
			  n->value);
bad:
	return ctx_err_at(ctx, -EINVAL, &loc,
			  "'%s' is not a port or a range \"low-high\"", n->value);
}
