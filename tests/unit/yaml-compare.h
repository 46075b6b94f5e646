/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Whether two YAML trees are the same, node for node and mark for mark:
 * the fast scanner's against libyaml's, in test-yaml and fuzz-yaml.
 */
#ifndef FWGEN_TEST_YAML_COMPARE_H
#define FWGEN_TEST_YAML_COMPARE_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "yaml-doc.h"

static inline bool same_node(const struct yd_node *a, const struct yd_node *b,
			     char *why, size_t size)
{
	size_t i;

	if (!a || !b) {
		if (a != b)
			snprintf(why, size, "a node missing on one side");
		return a == b;
	}
	if (a->type != b->type || a->line != b->line || a->col != b->col ||
	    a->nitems != b->nitems || a->plain != b->plain ||
	    a->len != b->len || a->expanded != b->expanded ||
	    (a->value && strcmp(a->value, b->value) != 0)) {
		snprintf(why, size,
			 "fast: type %d at %u:%u, %zu items, plain %d, '%s'; "
			 "libyaml: type %d at %u:%u, %zu items, plain %d, '%s'",
			 a->type, a->line, a->col, a->nitems, a->plain,
			 a->value ? a->value : "", b->type, b->line, b->col,
			 b->nitems, b->plain, b->value ? b->value : "");
		return false;
	}
	for (i = 0; i < a->nitems; i++) {
		if (!same_node(a->items[i], b->items[i], why, size))
			return false;
	}
	return true;
}

static inline bool same_pos(const struct yd_node *a, const struct yd_node *b)
{
	if (!a || !b)
		return a == b;
	return a->line == b->line && a->col == b->col;
}

#endif
