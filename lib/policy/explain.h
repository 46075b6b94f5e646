/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The answer of an explain query as explain.c finds it and explain-text.c
 * writes it. Private to those two files.
 */
#ifndef FWGEN_EXPLAIN_H
#define FWGEN_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ctx.h"
#include "model.h"

enum peer_kind {
	PEER_ANY = 0, /* no peer given: who may connect at all */
	PEER_ROLE,
	PEER_ADDR,
};

struct fwgen_query {
	enum peer_kind peer;
	char *role; /* PEER_ROLE */
	int family; /* PEER_ADDR: 4 or 6 */
	uint8_t addr[16];
	char *peer_text; /* the role or address as given */
	uint8_t l4proto; /* POL_L4_TCP or POL_L4_UDP, 0 not set */
	uint16_t port;
	bool outbound;
};

/* How the inventory binds a role, for telling people what "any" means. */
enum binding {
	BIND_NONE = 0, /* not in the inventory: any address */
	BIND_ANY,      /* explicitly `any` */
	BIND_ADDRS,    /* to addresses */
};

struct admission {
	enum fwgen_explain_kind kind;
	const struct flow *flow; /* FWGEN_EXPLAIN_FLOW */
	const char *peer_role;	 /* borrowed from the policy */
	bool set;		 /* the rule matches an address set */
	const char *chain;	 /* borrowed from the policy */
	const char *comment;
};

struct miss {
	const struct flow *flow;
	char *reason;
};

struct fwgen_explain {
	const struct fwgen_topology *t;
	const struct fwgen_policy *pol;
	struct fwgen_query q; /* a copy; strings owned */
	bool allowed;
	const struct pol_chain *base; /* input or output; NULL: egress open */
	struct admission *adm;
	size_t nadm;
	size_t capadm;
	struct miss *miss;
	size_t nmiss;
	size_t capmiss;
	uint16_t port; /* after a redirect, the port input sees */
	const struct flow *redirect_flow;
	const struct pol_rule *redirect_rule;
	const char *redirect_chain;
	enum binding *binding;		   /* by role index */
	bool *has_addr;			   /* by role index: PEER_ADDR is one of its addresses */
	const struct fwgen_inventory *inv; /* borrowed, may be NULL */
};

/* Writes the names of roles v[0..n) of t, comma-separated. */
void explain_put_roles(FILE *m, const struct fwgen_topology *t,
		       const size_t *v, size_t n);

#endif
