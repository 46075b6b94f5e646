/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pure half of a live set update (sets.c does the kernel's): the
 * request parsed and split by family, and the elements that turn what the
 * set holds into the normalised result.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "setops.h"

int setops_parse(struct fwgen_ctx *ctx, const char *const *addresses,
		 size_t n, struct addr_list *v4, struct addr_list *v6)
{
	struct addr_interval iv;
	struct addr_prefix p;
	const char *why;
	size_t i;

	for (i = 0; i < n; i++) {
		const char *a = addresses[i];

		if (!a)
			return ctx_err(ctx, -EINVAL, "address %zu is NULL", i + 1);
		/* The inventory's rule: what it refuses cannot go in live. */
		if (addr_parse_peer(a, &p, &why) < 0)
			return ctx_err(ctx, -EINVAL, "'%.100s': %s", a, why);
		addr_prefix_interval(&p, &iv);
		if (addr_list_add(p.family == 4 ? v4 : v6, &iv) < 0)
			return ctx_nomem(ctx);
	}
	addr_list_normalize(v4, 4);
	addr_list_normalize(v6, 6);
	return 0;
}

bool setops_covers(const struct addr_list *l, int family,
		   const struct addr_interval *iv)
{
	size_t bytes = addr_bytes(family), lo = 0, hi = l->n;

	/* The last interval starting at or below iv->lo must reach iv->hi. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (memcmp(l->v[mid].lo, iv->lo, bytes) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && memcmp(l->v[lo - 1].hi, iv->hi, bytes) >= 0;
}

/*
 * The sorted merge of two sorted lists, in linear time: a set of 100,000
 * elements gains one address without a sort of the whole.
 */
static int merge_sorted(const struct addr_list *a, const struct addr_list *b,
			int family, struct addr_list *out)
{
	size_t bytes = addr_bytes(family), i = 0, j = 0, n = a->n + b->n;

	memset(out, 0, sizeof(*out));
	if (!n)
		return 0;
	out->v = malloc(n * sizeof(*out->v));
	if (!out->v)
		return -ENOMEM;
	out->cap = n;
	while (i < a->n || j < b->n) {
		if (j == b->n ||
		    (i < a->n && memcmp(a->v[i].lo, b->v[j].lo, bytes) <= 0))
			out->v[out->n++] = a->v[i++];
		else
			out->v[out->n++] = b->v[j++];
	}
	return 0;
}

int setops_plan(enum setops_op op, int family, const struct addr_list *cur,
		const struct addr_list *req, struct addr_list *del,
		struct addr_list *add)
{
	struct addr_list now = { 0 }, empty = { 0 };
	size_t i;
	int ret;

	memset(del, 0, sizeof(*del));
	memset(add, 0, sizeof(*add));
	/*
	 * normalize() sorts first, which the merged (already sorted) lists
	 * pass through quickly; what matters is that adjacent ranges of a
	 * hand-made set and of the request become one, as apply writes them.
	 */
	if (op == SETOPS_ADD)
		ret = merge_sorted(cur, req, family, &now);
	else
		ret = merge_sorted(cur, &empty, family, &now);
	if (ret < 0)
		return ret;
	addr_list_normalize(&now, family);
	if (op == SETOPS_DEL) {
		for (i = 0; i < req->n; i++) {
			if (!setops_covers(&now, family, &req->v[i])) {
				addr_list_release(&now);
				return -ENOENT;
			}
		}
		for (i = 0; i < req->n; i++) {
			ret = addr_list_subtract(&now, family, &req->v[i]);
			if (ret < 0) {
				addr_list_release(&now);
				return ret;
			}
		}
	}
	ret = addr_list_delta(cur, &now, family, del, add);
	addr_list_release(&now);
	return ret;
}
