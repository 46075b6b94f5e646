/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pure half of live set updates (include/fwgen/sets.h): addresses
 * split by family, and the delta between a set's elements and the result.
 */
#ifndef FWGEN_SETOPS_H
#define FWGEN_SETOPS_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"
#include "ctx.h"

enum setops_op {
	SETOPS_ADD = 0,
	SETOPS_DEL,
};

/*
 * Parses addresses[0..n-1] into normalised lists per family (*v4, *v6,
 * both empty on entry; release them either way). -EINVAL naming the first
 * bad address; -ENOMEM.
 */
int setops_parse(struct fwgen_ctx *ctx, const char *const *addresses,
		 size_t n, struct addr_list *v4, struct addr_list *v6);

/* Whether the normalised list l holds every address of iv. */
bool setops_covers(const struct addr_list *l, int family,
		   const struct addr_interval *iv);

/*
 * The update of a set whose elements are cur (sorted, disjoint, perhaps
 * adjacent as hand-made sets can be) by the normalised request req: the
 * result is cur's union with req (add) or cur without req (del),
 * normalised, and *del / *add (new lists; release them) receive what
 * addr_list_delta() says turns cur into it. For del, every interval of req
 * must be covered by cur: -ENOENT otherwise, nothing computed. -ENOMEM.
 */
int setops_plan(enum setops_op op, int family, const struct addr_list *cur,
		const struct addr_list *req, struct addr_list *del,
		struct addr_list *add);

#endif
