/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Resolve: (catalog, inventory, host roles) -> one policy. Flows of the
 * host's roles become per-service chains reached through one verdict map on
 * "l4proto . dport", so a new connection passes a fixed number of rules
 * however many flows or addresses there are.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "model.h"
#include "policy.h"
#include "policy_build.h"
#include "resolve.h"
#include "util.h"

#define COMMENT_MAX 128 /* nft refuses longer rule comments */

static const struct src_loc *inv_loc(const struct src_loc *loc)
{
	return loc && loc->file ? loc : NULL;
}

/* Inventory names must exist in the topology: a typo is an error. */
static int check_inventory(struct resolver *r)
{
	const struct fwgen_inventory *inv = r->inv;
	const struct fwgen_topology *t = r->t;
	size_t i, idx;

	for (i = 0; inv && i < inv->nroles; i++) {
		if (topology_role_index(t, inv->roles[i].name, &idx) < 0)
			return ctx_err_at(r->ctx, -EINVAL, inv_loc(&inv->roles[i].loc),
					  "unknown role '%s' in topology '%s'",
					  inv->roles[i].name, t->name);
	}
	for (i = 0; inv && i < inv->nparams; i++) {
		if (topology_param_index(t, inv->params[i].name, &idx) < 0)
			return ctx_err_at(r->ctx, -EINVAL, inv_loc(&inv->params[i].loc),
					  "unknown param '%s' in topology '%s'",
					  inv->params[i].name, t->name);
	}
	for (i = 0; inv && i < inv->noptions; i++) {
		if (topology_option_index(t, inv->options[i].name, &idx) < 0)
			return ctx_err_at(r->ctx, -EINVAL, inv_loc(&inv->options[i].loc),
					  "unknown option '%s' in topology '%s'",
					  inv->options[i].name, t->name);
		r->options[idx] = inv->options[i].value;
	}
	return 0;
}

static int host_roles(struct resolver *r, const char *const *roles,
		      size_t nroles)
{
	const struct fwgen_topology *t = r->t;
	char hosts[512];
	size_t i, idx, off = 0;

	if (nroles == 0)
		return ctx_err(r->ctx, -EINVAL, "no host role given");
	for (i = 0; i < nroles; i++) {
		if (topology_role_index(t, roles[i], &idx) == 0 &&
		    t->roles[idx].host) {
			r->held[idx] = true;
			continue;
		}
		hosts[0] = '\0';
		for (idx = 0, off = 0; idx < t->nroles; idx++) {
			int n;

			if (!t->roles[idx].host)
				continue;
			n = snprintf(hosts + off, sizeof(hosts) - off, "%s%s",
				     off ? ", " : "", t->roles[idx].name);
			if (n < 0 || (size_t)n >= sizeof(hosts) - off)
				break;
			off += (size_t)n;
		}
		if (topology_role_index(t, roles[i], &idx) == 0)
			return ctx_err(r->ctx, -EINVAL,
				       "'%s' is a peer role of '%s', not a host role; host roles: %s",
				       roles[i], t->name, hosts);
		return ctx_err(r->ctx, -EINVAL,
			       "unknown role '%s' in topology '%s'; host roles: %s",
			       roles[i], t->name, hosts);
	}
	return 0;
}

/*
 * Options a host role depends on (catalog 'implied_by'): holding the role,
 * or binding it in the inventory, turns them on for every host's ruleset, so
 * the other roles' flows to and from it follow. An inventory that sets such
 * an option to false contradicts itself: an error naming the option, never
 * a policy without the role's flows. Runs after the host roles are known and
 * after check_inventory() applied the inventory's own values.
 */
static int implied_options(struct resolver *r)
{
	const struct fwgen_topology *t = r->t;
	const struct fwgen_inventory *inv = r->inv;
	size_t i, j, k;

	for (i = 0; i < t->noptions; i++) {
		const struct option *o = &t->options[i];
		const struct inv_option *set = NULL;

		for (k = 0; inv && k < inv->noptions; k++) {
			if (strcmp(inv->options[k].name, o->name) == 0)
				set = &inv->options[k];
		}
		for (j = 0; j < o->nimplied_by; j++) {
			size_t role = o->implied_by[j];
			const char *name = t->roles[role].name;
			bool bound = inventory_role(inv, name) != NULL;

			if (!r->held[role] && !bound)
				continue;
			if (set && !set->value)
				return ctx_err_at(r->ctx, -EINVAL, inv_loc(&set->loc),
						  "option '%s' is false, but role '%s' (%s) needs it: set '%s: true' or drop the role",
						  o->name, name,
						  r->held[role] ? "named as a host role" :
								  "bound in the inventory",
						  o->name);
			r->options[i] = true;
		}
	}
	return 0;
}

static bool flow_enabled(const struct resolver *r, const struct flow *f)
{
	size_t i;

	for (i = 0; i < f->nwhen; i++) {
		if (r->options[f->when[i].option] == f->when[i].negate)
			return false;
	}
	return true;
}

static const struct inv_param *inv_param(const struct fwgen_inventory *inv,
					 const char *name)
{
	size_t i;

	for (i = 0; inv && i < inv->nparams; i++) {
		if (strcmp(inv->params[i].name, name) == 0)
			return &inv->params[i];
	}
	return NULL;
}

/* The flow's ports with params substituted: inventory value, else default. */
static int flow_ports(struct resolver *r, const struct flow *f,
		      struct port_range **out, size_t *n)
{
	size_t i, j, cap = 0;

	*out = NULL;
	*n = 0;
	for (i = 0; i < f->nports; i++) {
		const struct port_item *it = &f->ports[i];
		const struct port_range *src = &it->range;
		size_t cnt = 1;

		if (it->is_param) {
			const struct param *p = &r->t->params[it->param];
			const struct inv_param *ip = inv_param(r->inv, p->name);

			src = ip ? ip->ports : p->defaults;
			cnt = ip ? ip->nports : p->ndefaults;
		}
		for (j = 0; j < cnt; j++) {
			if (array_push(out, n, &cap, sizeof(**out)) < 0) {
				free(*out);
				return resolver_nomem(r);
			}
			(*out)[*n - 1] = src[j];
		}
	}
	return 0;
}

static bool role_bound(const struct resolver *r, size_t role)
{
	const struct inv_role *ir = inventory_role(r->inv, r->t->roles[role].name);

	return ir && !ir->any;
}

/*
 * A flow between two roles this host holds is local traffic, which the
 * loopback rule admits; it still needs a rule when the peer role is bound
 * to addresses, since other hosts of that role reach this one. Same-role
 * flows are cluster traffic between different hosts and always need one.
 */
static bool local_only(const struct resolver *r, size_t self, size_t peer)
{
	return self != peer && r->held[peer] && !role_bound(r, peer);
}

static int add_item(struct resolver *r, size_t flow, size_t peer,
		    bool inbound, const struct port_range *ports, size_t n)
{
	const struct flow *f = &r->t->flows[flow];
	bool *seen = inbound ? r->seen_in : r->seen_out;
	struct item *it;

	/*
	 * Items are collected flow by flow, so a flag per peer role for the
	 * current flow finds a repeat without scanning every item so far.
	 */
	if (seen[peer])
		return 0;
	seen[peer] = true;
	if (array_push(&r->items, &r->nitems, &r->capitems, sizeof(*r->items)) < 0)
		return resolver_nomem(r);
	it = &r->items[r->nitems - 1];
	it->flow = flow;
	it->peer = peer;
	it->inbound = inbound;
	it->protos = f->protos;
	it->nports = n;
	if (n == 0)
		return 0; /* a flow without ports, kept for explain */
	it->ports = malloc(n * sizeof(*ports));
	if (!it->ports) {
		r->nitems--;
		return resolver_nomem(r);
	}
	memcpy(it->ports, ports, n * sizeof(*ports));
	return 0;
}

static int collect_items(struct resolver *r, bool egress)
{
	const struct fwgen_topology *t = r->t;
	size_t fi, i, j;
	int ret = 0;

	for (fi = 0; fi < t->nflows && ret == 0; fi++) {
		const struct flow *f = &t->flows[fi];
		struct port_range *ports;
		size_t nports;

		if (!flow_enabled(r, f))
			continue;
		ret = flow_ports(r, f, &ports, &nports);
		if (ret < 0)
			return ret;
		memset(r->seen_in, 0, t->nroles * sizeof(*r->seen_in));
		memset(r->seen_out, 0, t->nroles * sizeof(*r->seen_out));
		for (i = 0; i < f->nto && ret == 0; i++) {
			if (!r->held[f->to[i]])
				continue;
			for (j = 0; j < f->nfrom && ret == 0; j++) {
				if (local_only(r, f->to[i], f->from[j]))
					continue;
				ret = add_item(r, fi, f->from[j], true, ports, nports);
			}
		}
		for (i = 0; egress && i < f->nfrom && ret == 0; i++) {
			if (!r->held[f->from[i]])
				continue;
			for (j = 0; j < f->nto && ret == 0; j++) {
				if (local_only(r, f->from[i], f->to[j]))
					continue;
				ret = add_item(r, fi, f->to[j], false, ports, nports);
			}
		}
		free(ports);
	}
	return ret;
}

static int cmp_set(const void *a, const void *b)
{
	return strcmp(((const struct pol_set *)a)->name,
		      ((const struct pol_set *)b)->name);
}

/* Named sets for every peer role used and bound: one per family. */
static int make_sets(struct resolver *r, const bool *used)
{
	const struct fwgen_topology *t = r->t;
	struct fwgen_policy *pol = r->pol;
	size_t i, cap = 0;
	int fam;

	for (i = 0; i < t->nroles; i++) {
		const struct inv_role *ir;
		char *note;

		r->set_v4[i] = r->set_v6[i] = -1;
		if (!used[i])
			continue;
		ir = inventory_role(r->inv, t->roles[i].name);
		if (ir && !ir->any)
			continue;
		if (!ir && (r->flags & FWGEN_RESOLVE_STRICT))
			return ctx_err(r->ctx, -EINVAL,
				       "role '%s' is not bound in the inventory, and the resolve is strict: give its addresses or the word any",
				       t->roles[i].name);
		if (ir)
			note = strdupf("peer role '%s' is bound to any address",
				       t->roles[i].name);
		else
			note = strdupf("peer role '%s' is not bound in the inventory: any address",
				       t->roles[i].name);
		if (policy_add_note(pol, note) < 0)
			return resolver_nomem(r);
	}
	for (i = 0; i < t->nroles; i++) {
		const struct inv_role *ir = inventory_role(r->inv, t->roles[i].name);

		if (!used[i] || !ir || ir->any)
			continue;
		for (fam = 4; fam <= 6; fam += 2) {
			const struct addr_list *src = fam == 4 ? &ir->v4 : &ir->v6;
			struct pol_set *s;

			if (array_push(&pol->sets, &pol->nsets, &cap, sizeof(*pol->sets)) < 0)
				return resolver_nomem(r);
			s = &pol->sets[pol->nsets - 1];
			s->family = fam;
			s->role = strdup(t->roles[i].name);
			if (!s->role || asprintf(&s->name, "%s_v%d", t->roles[i].name, fam) < 0) {
				s->name = NULL;
				return resolver_nomem(r);
			}
			if (src->n) {
				s->elems = malloc(src->n * sizeof(*s->elems));
				if (!s->elems)
					return resolver_nomem(r);
				memcpy(s->elems, src->v, src->n * sizeof(*s->elems));
				s->nelems = src->n;
			}
		}
	}
	/* qsort() must not see the NULL of an empty array (C11 7.22.5). */
	if (pol->nsets > 1)
		qsort(pol->sets, pol->nsets, sizeof(*pol->sets), cmp_set);
	/* Map roles to their sets after sorting. */
	for (i = 0; i < pol->nsets; i++) {
		size_t role;

		topology_role_index(t, pol->sets[i].role, &role);
		if (pol->sets[i].family == 4)
			r->set_v4[role] = (int)i;
		else
			r->set_v6[role] = (int)i;
	}
	return 0;
}

/* "<flow-id> (<first source>[ +N])", cut to what nft accepts. */
static char *flow_comment(const struct flow *f)
{
	char buf[COMMENT_MAX];
	int n;

	if (f->nsources > 1)
		n = snprintf(buf, sizeof(buf), "%s (%s +%zu)", f->id,
			     f->sources[0], f->nsources - 1);
	else
		n = snprintf(buf, sizeof(buf), "%s (%s)", f->id, f->sources[0]);
	if (n < 0)
		return NULL;
	return strdup(buf);
}

/* Rules admitting one item: per family from its set, or from anywhere. */
static int add_item_rules(struct resolver *r, size_t chain,
			  const struct item *it)
{
	const struct flow *f = &r->t->flows[it->flow];
	int sets[2] = { r->set_v4[it->peer], r->set_v6[it->peer] };
	char *comment = flow_comment(f);
	size_t k, nrules = sets[0] < 0 ? 1 : 2;

	if (!comment)
		return resolver_nomem(r);
	for (k = 0; k < nrules; k++) {
		struct pol_rule *rule = policy_add_rule(&r->pol->chains[chain], comment);

		if (!rule || !(rule->flow_id = strdup(f->id))) {
			free(comment);
			return resolver_nomem(r);
		}
		if (sets[0] >= 0) {
			rule->family = k == 0 ? 4 : 6;
			if (it->inbound)
				rule->saddr_set = sets[k];
			else
				rule->daddr_set = sets[k];
		}
		rule->counter = true;
		rule->verdict = POL_VERDICT_ACCEPT;
	}
	free(comment);
	return 0;
}

struct segment {
	uint8_t l4proto;
	struct port_range ports;
	size_t *items; /* item indices, ascending */
	size_t nitems;
};

/* Where an item starts (+1) or stops (-1) covering a port. */
struct edge {
	uint32_t port;
	int delta;
	size_t item;
};

static int cmp_edge(const void *a, const void *b)
{
	const struct edge *x = a, *y = b;

	return x->port < y->port ? -1 : x->port > y->port;
}

static bool same_cover(const struct segment *s, const size_t *v, size_t n)
{
	return s->nitems == n && memcmp(s->items, v, n * sizeof(*v)) == 0;
}

/* Adds or removes item k in the ascending array active[0..*n-1]. */
static void active_update(size_t *active, size_t *n, size_t k, bool add)
{
	size_t lo = 0, hi = *n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (active[mid] < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (add) {
		memmove(&active[lo + 1], &active[lo], (*n - lo) * sizeof(*active));
		active[lo] = k;
		(*n)++;
	} else {
		memmove(&active[lo], &active[lo + 1], (*n - lo - 1) * sizeof(*active));
		(*n)--;
	}
}

/*
 * Splits the ports of one direction and protocol into disjoint segments,
 * each with the items that cover it, so the verdict map has no overlaps.
 * A sweep over the sorted range edges keeps the set of covering items as
 * it goes, so the work follows the size of the result rather than ports x
 * items (a catalog of 64 flows x 64 peers x 64 ports took 1.6 s before).
 * Adjacent ports covered by the same items make one segment.
 */
static int make_segments(struct resolver *r, bool inbound, uint8_t l4,
			 struct segment **segs, size_t *nsegs, size_t *capsegs)
{
	unsigned int bit = l4 == POL_L4_TCP ? PROTO_TCP : PROTO_UDP;
	struct edge *edges = NULL;
	size_t ne = 0, cape = 0, i, k, nactive = 0, *active = NULL;
	unsigned int *depth = NULL;
	int ret = 0;

	for (i = 0; i < r->nitems; i++) {
		const struct item *it = &r->items[i];
		const struct flow *f = &r->t->flows[it->flow];
		/* After a redirect the packet reaches input on the redirect port. */
		bool redirected = it->inbound && f->redirect;

		if (it->inbound != inbound || !(it->protos & bit))
			continue;
		for (k = 0; k < (redirected ? 1 : it->nports); k++) {
			uint32_t lo = redirected ? f->redirect : it->ports[k].lo;
			uint32_t hi = redirected ? f->redirect : it->ports[k].hi;

			if (array_push(&edges, &ne, &cape, sizeof(*edges)) < 0 ||
			    array_push(&edges, &ne, &cape, sizeof(*edges)) < 0)
				goto nomem;
			edges[ne - 2] = (struct edge){ lo, 1, i };
			edges[ne - 1] = (struct edge){ hi + 1, -1, i };
		}
	}
	if (ne == 0)
		return 0;
	qsort(edges, ne, sizeof(*edges), cmp_edge);
	/* An item's own ranges may overlap: count them per item. */
	depth = calloc(r->nitems, sizeof(*depth));
	active = calloc(r->nitems, sizeof(*active));
	if (!depth || !active)
		goto nomem;
	for (i = 0; i < ne;) {
		uint32_t port = edges[i].port, next;
		struct segment *s;

		for (; i < ne && edges[i].port == port; i++) {
			size_t it = edges[i].item;

			if (edges[i].delta > 0 && depth[it]++ == 0)
				active_update(active, &nactive, it, true);
			else if (edges[i].delta < 0 && --depth[it] == 0)
				active_update(active, &nactive, it, false);
		}
		if (i == ne || nactive == 0)
			continue;
		next = edges[i].port;
		s = *nsegs ? &(*segs)[*nsegs - 1] : NULL;
		if (s && s->l4proto == l4 && s->ports.hi + 1u == port &&
		    same_cover(s, active, nactive)) {
			s->ports.hi = (uint16_t)(next - 1);
			continue;
		}
		if (array_push(segs, nsegs, capsegs, sizeof(**segs)) < 0)
			goto nomem;
		s = &(*segs)[*nsegs - 1];
		s->l4proto = l4;
		s->ports.lo = (uint16_t)port;
		s->ports.hi = (uint16_t)(next - 1);
		s->items = malloc(nactive * sizeof(*active));
		if (!s->items)
			goto nomem;
		memcpy(s->items, active, nactive * sizeof(*active));
		s->nitems = nactive;
	}
	goto out;
nomem:
	ret = resolver_nomem(r);
out:
	free(edges);
	free(depth);
	free(active);
	return ret;
}

/* Service chains of one direction and the verdict map rule that reaches them. */
int resolve_add_dispatch(struct resolver *r, size_t base, bool inbound)
{
	static const uint8_t protos[] = { POL_L4_TCP, POL_L4_UDP };
	struct segment *segs = NULL;
	size_t nsegs = 0, capsegs = 0, i, k;
	struct pol_vmap_elem *vmap = NULL;
	struct pol_rule *rule;
	int ret = 0;

	for (i = 0; i < ARRAY_SIZE(protos) && ret == 0; i++)
		ret = make_segments(r, inbound, protos[i], &segs, &nsegs, &capsegs);
	if (ret < 0 || nsegs == 0)
		goto out;
	vmap = calloc(nsegs, sizeof(*vmap));
	if (!vmap)
		goto nomem;
	for (i = 0; i < nsegs; i++) {
		const struct segment *s = &segs[i];
		char name[64];
		size_t chain;

		if (s->ports.lo == s->ports.hi)
			snprintf(name, sizeof(name), "%s_%s_%u", inbound ? "in" : "out",
				 s->l4proto == POL_L4_TCP ? "tcp" : "udp", s->ports.lo);
		else
			snprintf(name, sizeof(name), "%s_%s_%u-%u", inbound ? "in" : "out",
				 s->l4proto == POL_L4_TCP ? "tcp" : "udp",
				 s->ports.lo, s->ports.hi);
		if (policy_add_chain(r->pol, name, POL_HOOK_NONE, POL_CHAIN_FILTER,
				     0, false, &chain) < 0)
			goto nomem;
		for (k = 0; k < s->nitems && ret == 0; k++)
			ret = add_item_rules(r, chain, &r->items[s->items[k]]);
		if (ret < 0)
			goto out;
		vmap[i].l4proto = s->l4proto;
		vmap[i].ports = s->ports;
		vmap[i].chain = chain;
	}
	rule = policy_add_rule(&r->pol->chains[base],
			       inbound ? "catalog flows: dispatch by protocol and port" :
					 "catalog flows out: dispatch by protocol and port");
	if (!rule)
		goto nomem;
	rule->verdict = POL_VERDICT_VMAP;
	rule->vmap = vmap;
	rule->nvmap = nsegs;
	vmap = NULL;
	goto out;
nomem:
	ret = resolver_nomem(r);
out:
	for (i = 0; i < nsegs; i++)
		free(segs[i].items);
	free(segs);
	free(vmap);
	return ret;
}

/*
 * Redirects (PXE: TFTP 69 -> 6969) happen before input sees the packet.
 * The same rule assigns a flow's conntrack helper to the connection it
 * matches (the tftp helper then admits the transfer from a new server
 * port as related): the first packet of each connection, before conntrack
 * confirms it, is what a nat chain sees.
 */
static int add_redirects(struct resolver *r)
{
	static const uint8_t protos[] = { POL_L4_TCP, POL_L4_UDP };
	size_t i, p, k, chain = 0;
	bool have = false;

	for (i = 0; i < r->nitems; i++) {
		const struct item *it = &r->items[i];
		const struct flow *f = &r->t->flows[it->flow];
		int sets[2] = { r->set_v4[it->peer], r->set_v6[it->peer] };
		const char *helper = NULL;
		char *comment;

		if (!it->inbound || (!f->redirect && !f->helper))
			continue;
		if (!have && policy_add_chain(r->pol, "prerouting", POL_HOOK_PREROUTING,
					      POL_CHAIN_NAT, -100, false, &chain) < 0)
			return resolver_nomem(r);
		have = true;
		comment = flow_comment(f);
		if (!comment)
			return resolver_nomem(r);
		for (p = 0; p < ARRAY_SIZE(protos); p++) {
			unsigned int bit = protos[p] == POL_L4_TCP ? PROTO_TCP : PROTO_UDP;

			if (!(it->protos & bit))
				continue;
			if (f->helper && policy_add_helper(r->pol, f->helper, protos[p],
							   &helper) < 0) {
				free(comment);
				return resolver_nomem(r);
			}
			for (k = 0; k < (sets[0] < 0 ? 1u : 2u); k++) {
				struct pol_rule *rule = policy_add_rule(&r->pol->chains[chain],
									comment);

				if (!rule || !(rule->flow_id = strdup(f->id)) ||
				    rule_set_dports(rule, protos[p], it->ports, it->nports) < 0) {
					free(comment);
					return resolver_nomem(r);
				}
				if (sets[0] >= 0) {
					rule->family = k == 0 ? 4 : 6;
					rule->saddr_set = sets[k];
				}
				if (helper && !(rule->ct_helper = strdup(helper))) {
					free(comment);
					return resolver_nomem(r);
				}
				if (f->redirect) {
					rule->verdict = POL_VERDICT_REDIRECT;
					rule->redirect_port = f->redirect;
				}
			}
		}
		free(comment);
	}
	return 0;
}

static int record_flows(struct resolver *r)
{
	struct fwgen_policy *pol = r->pol;
	size_t i;

	if (!r->nitems)
		return 0;
	pol->flows = calloc(r->nitems, sizeof(*pol->flows));
	if (!pol->flows)
		return resolver_nomem(r);
	for (i = 0; i < r->nitems; i++) {
		pol->flows[i].flow = &r->t->flows[r->items[i].flow];
		pol->flows[i].inbound = r->items[i].inbound;
		pol->flows[i].peer_role = strdup(r->t->roles[r->items[i].peer].name);
		pol->nflows++;
		if (!pol->flows[i].peer_role)
			return resolver_nomem(r);
	}
	return 0;
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int fill_header(struct resolver *r, bool egress)
{
	const struct fwgen_topology *t = r->t;
	struct fwgen_policy *pol = r->pol;
	const char *table = r->inv && r->inv->table ? r->inv->table : FWGEN_DEFAULT_TABLE;
	size_t i;

	pol->table = strdup(table);
	pol->topology = strdup(t->name);
	pol->egress_filtered = egress;
	/* The command line's --audit (or --enforce) wins over the file. */
	if (r->flags & FWGEN_RESOLVE_AUDIT)
		pol->audit = true;
	else if (!(r->flags & FWGEN_RESOLVE_ENFORCE))
		pol->audit = r->inv && r->inv->mode == FWGEN_MODE_AUDIT;
	pol->roles = calloc(t->nroles, sizeof(*pol->roles));
	if (!pol->table || !pol->topology || !pol->roles)
		return resolver_nomem(r);
	for (i = 0; i < t->nroles; i++) {
		if (!r->held[i])
			continue;
		pol->roles[pol->nroles] = strdup(t->roles[i].name);
		if (!pol->roles[pol->nroles])
			return resolver_nomem(r);
		pol->nroles++;
	}
	qsort(pol->roles, pol->nroles, sizeof(*pol->roles), cmp_strp);
	return 0;
}

static int resolve(struct resolver *r, const char *const *roles, size_t nroles)
{
	const struct fwgen_topology *t = r->t;
	bool egress = r->inv && r->inv->egress == FWGEN_EGRESS_FILTERED;
	bool *used = NULL;
	size_t i, admin;
	int ret;

	for (i = 0; i < t->noptions; i++)
		r->options[i] = t->options[i].default_value;
	if ((ret = check_inventory(r)) < 0 ||
	    (ret = host_roles(r, roles, nroles)) < 0 ||
	    (ret = implied_options(r)) < 0 ||
	    (ret = fill_header(r, egress)) < 0 ||
	    (ret = collect_items(r, egress)) < 0)
		return ret;
	topology_role_index(t, "admin", &admin);
	used = calloc(t->nroles, sizeof(*used));
	if (!used)
		return resolver_nomem(r);
	for (i = 0; i < r->nitems; i++)
		used[r->items[i].peer] = true;
	if (!r->inv || r->inv->admin_ssh)
		used[admin] = true;
	if (egress) {
		size_t idx;

		topology_role_index(t, "dns-server", &idx);
		used[idx] = true;
		topology_role_index(t, "time-source", &idx);
		used[idx] = true;
	}
	ret = make_sets(r, used);
	free(used);
	if (ret < 0 ||
	    (ret = resolve_add_input(r, admin)) < 0 ||
	    (egress && (ret = resolve_add_output(r)) < 0) ||
	    (ret = add_redirects(r)) < 0 ||
	    (ret = record_flows(r)) < 0)
		return ret;
	if (policy_split_sets(r->pol) < 0)
		return resolver_nomem(r);
	/* Explain reads the options as resolved, implied ones included. */
	r->pol->options = calloc(t->noptions + 1, sizeof(*r->pol->options));
	if (!r->pol->options)
		return resolver_nomem(r);
	memcpy(r->pol->options, r->options, t->noptions * sizeof(*r->options));
	r->pol->noptions = t->noptions;
	return 0;
}

FWGEN_EXPORT int fwgen_policy_resolve(struct fwgen_ctx *ctx,
				      const struct fwgen_catalog *cat,
				      const struct fwgen_inventory *inv,
				      const char *topology,
				      const char *const *roles, size_t nroles,
				      unsigned int flags,
				      struct fwgen_policy **out)
{
	struct resolver r = { .ctx = ctx, .inv = inv, .flags = flags };
	size_t i;
	int ret;

	ARG_CTX(ctx);
	ARG_CHECK(ctx, cat);
	ARG_CHECK(ctx, roles || !nroles);
	ARG_CHECK(ctx, out);
	ARG_CHECK(ctx, !(flags & ~(unsigned int)(FWGEN_RESOLVE_STRICT |
						 FWGEN_RESOLVE_AUDIT |
						 FWGEN_RESOLVE_ENFORCE)));
	ARG_CHECK(ctx, !((flags & FWGEN_RESOLVE_AUDIT) &&
			 (flags & FWGEN_RESOLVE_ENFORCE)));

	if (topology && inv && inv->topology && strcmp(topology, inv->topology))
		return ctx_err_at(ctx, -EINVAL, inv_loc(&inv->topology_loc),
				  "the inventory is for topology '%s', not '%s'",
				  inv->topology, topology);
	if (!topology && inv)
		topology = inv->topology;
	if (!topology) {
		/* The inventory file is at fault when there is one. */
		struct src_loc file = { .file = inv ? inv->file : NULL };

		return ctx_err_at(ctx, -EINVAL, &file,
				  "no topology: none given, and the inventory names none");
	}
	for (i = 0; i < cat->ntopos; i++) {
		if (strcmp(cat->topos[i]->name, topology) == 0)
			r.t = cat->topos[i];
	}
	if (!r.t) {
		const struct src_loc *loc = NULL;

		/* Point at the inventory's line when the name came from it. */
		if (inv && inv->topology && strcmp(inv->topology, topology) == 0)
			loc = inv_loc(&inv->topology_loc);

		return ctx_err_at(ctx, -ENOENT, loc,
				  "unknown topology '%s'",
				  topology);
	}
	r.held = calloc(r.t->nroles, sizeof(*r.held));
	r.options = calloc(r.t->noptions + 1, sizeof(*r.options));
	r.set_v4 = calloc(r.t->nroles, sizeof(*r.set_v4));
	r.set_v6 = calloc(r.t->nroles, sizeof(*r.set_v6));
	r.seen_in = calloc(r.t->nroles, sizeof(*r.seen_in));
	r.seen_out = calloc(r.t->nroles, sizeof(*r.seen_out));
	r.pol = calloc(1, sizeof(*r.pol));
	if (!r.held || !r.options || !r.set_v4 || !r.set_v6 || !r.seen_in ||
	    !r.seen_out || !r.pol) {
		ret = resolver_nomem(&r);
		goto out;
	}
	ret = resolve(&r, roles, nroles);
	if (ret == 0) {
		*out = r.pol;
		r.pol = NULL;
	}
out:
	for (i = 0; i < r.nitems; i++)
		free(r.items[i].ports);
	free(r.items);
	free(r.held);
	free(r.options);
	free(r.set_v4);
	free(r.set_v6);
	free(r.seen_in);
	free(r.seen_out);
	fwgen_policy_free(r.pol);
	return ret;
}
