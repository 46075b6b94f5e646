/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state of one resolve, shared by resolve.c (the catalog's flows) and
 * resolve-baseline.c (the rules every chain has). Private to those two.
 */
#ifndef FWGEN_RESOLVE_H
#define FWGEN_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>

#include "ctx.h"
#include "model.h"
#include "policy_build.h"

/* One flow as it reaches this host from (or leaves it to) one peer role. */
struct item {
	size_t flow;
	size_t peer; /* role index */
	bool inbound;
	unsigned int protos;
	struct port_range *ports; /* params substituted */
	size_t nports;
};

struct resolver {
	struct fwgen_ctx *ctx;
	const struct fwgen_topology *t;
	const struct fwgen_inventory *inv;
	unsigned int flags;
	bool *held;    /* by role index */
	bool *options; /* by option index */
	struct item *items;
	size_t nitems;
	size_t capitems;
	struct fwgen_policy *pol;
	int *set_v4; /* by role index: set index or -1 */
	int *set_v6;
	bool *seen_in; /* by role index: item made for the current flow */
	bool *seen_out;
};

static inline int resolver_nomem(struct resolver *r)
{
	return ctx_nomem(r->ctx);
}

/*
 * The service chains of one direction and the verdict map rule in chain
 * base that reaches them (resolve.c).
 */
int resolve_add_dispatch(struct resolver *r, size_t base, bool inbound);

/*
 * The input chain: baseline, management SSH from role admin, the flows'
 * dispatch, the refused count and the log (resolve-baseline.c).
 */
int resolve_add_input(struct resolver *r, size_t admin);

/* The output chain of filtered egress, likewise (resolve-baseline.c). */
int resolve_add_output(struct resolver *r);

#endif
