/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one policy evaluator (see eval.h): rule matching, the walk through
 * base chains, dispatch maps and service chains, prerouting redirects.
 */
#include <stddef.h>

#include "eval.h"
#include "policy.h"

static bool port_in(const struct port_range *r, size_t n, uint16_t port)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (port >= r[i].lo && port <= r[i].hi)
			return true;
	return false;
}

static bool set_ok(const struct fwgen_policy *pol, int idx,
		   bool (*in)(void *, const struct pol_set *), void *data)
{
	if (idx < 0 || !in)
		return true;
	/* A set index the policy does not have matches nothing. */
	if ((size_t)idx >= pol->nsets)
		return false;
	if (in(data, &pol->sets[idx]))
		return true;
	/* A hash part's _net part: its twin rule is not walked. */
	if (!pol->sets[idx].hash)
		return false;
	idx = pol->sets[idx].net;
	return idx >= 0 && (size_t)idx < pol->nsets && in(data, &pol->sets[idx]);
}

/* The matches of r other than its sets: see eval_rule_matches(). */
static bool plain_matches(const struct eval_pkt *p, const struct pol_rule *r)
{
	if (r->ct_states && !(r->ct_states & POL_CT_NEW))
		return false;
	switch (r->iface) {
	case POL_IFACE_NONE:
		break;
	case POL_IFACE_IIF_LO:
		if (p->outbound || !p->loopback)
			return false;
		break;
	case POL_IFACE_OIF_LO:
		if (!p->outbound || !p->loopback)
			return false;
		break;
	}
	if (r->family && p->family && r->family != p->family)
		return false;
	if (r->l4proto && r->l4proto != p->l4proto)
		return false;
	if (r->nicmp_types)
		return false;
	if (r->ndports && !port_in(r->dports, r->ndports, p->dport))
		return false;
	return true;
}

bool eval_rule_matches(const struct fwgen_policy *pol,
		       const struct eval_pkt *p, const struct eval_ops *ops,
		       void *data, const struct pol_rule *r)
{
	int peer = p->outbound ? r->daddr_set : r->saddr_set;
	int self = p->outbound ? r->saddr_set : r->daddr_set;

	/*
	 * A twin for the _net part adds nothing to what the rule before it
	 * answers for the whole role (set_ok()); evaluated, it would name
	 * every admission twice.
	 */
	if (r->net)
		return false;
	if (!plain_matches(p, r) || !set_ok(pol, self, ops->self_in, data))
		return false;
	if (!set_ok(pol, peer, ops->peer_in, data)) {
		if (r->verdict == POL_VERDICT_ACCEPT && ops->peer_miss &&
		    !r->has_limit)
			ops->peer_miss(data, r, &pol->sets[peer]);
		return false;
	}
	return !(r->has_limit && r->verdict == POL_VERDICT_ACCEPT);
}

struct walk {
	const struct fwgen_policy *pol;
	const struct eval_pkt *p;
	const struct eval_ops *ops;
	void *data;
	enum eval_result result;
	bool stop;
};

static int walk_chain(struct walk *w, const struct pol_chain *c, int depth);

/* The dispatch map: jump to the chain of l4proto . dport, if there is one. */
static int walk_vmap(struct walk *w, const struct pol_rule *r, int depth)
{
	size_t i;

	for (i = 0; i < r->nvmap; i++) {
		const struct pol_vmap_elem *e = &r->vmap[i];

		if (e->l4proto != w->p->l4proto || w->p->dport < e->ports.lo ||
		    w->p->dport > e->ports.hi)
			continue;
		/* A jump to a chain the policy lacks: nothing to evaluate. */
		if (e->chain >= w->pol->nchains)
			return 0;
		return walk_chain(w, &w->pol->chains[e->chain], depth + 1);
	}
	return 0;
}

static int walk_chain(struct walk *w, const struct pol_chain *c, int depth)
{
	size_t i;
	int ret = 0;

	if (depth >= EVAL_MAX_DEPTH)
		return 0;
	for (i = 0; i < c->nrules && !w->stop && ret == 0; i++) {
		const struct pol_rule *r = &c->rules[i];

		if (!eval_rule_matches(w->pol, w->p, w->ops, w->data, r))
			continue;
		switch (r->verdict) {
		case POL_VERDICT_ACCEPT:
		case POL_VERDICT_DROP:
			if (w->result == EVAL_NONE)
				w->result = r->verdict == POL_VERDICT_ACCEPT ?
						    EVAL_ACCEPT :
						    EVAL_DROP;
			ret = w->ops->verdict ?
				      w->ops->verdict(w->data, c, r) :
				      1;
			/* Nothing after a drop is ever reached. */
			if (ret > 0 || r->verdict == POL_VERDICT_DROP)
				w->stop = true;
			if (ret > 0)
				ret = 0;
			break;
		case POL_VERDICT_VMAP:
			ret = walk_vmap(w, r, depth);
			break;
		case POL_VERDICT_NONE:	   /* log: evaluation goes on */
		case POL_VERDICT_REDIRECT: /* NAT chains only */
			break;
		}
	}
	return ret;
}

int eval_chain(const struct fwgen_policy *pol, const struct eval_pkt *p,
	       const struct eval_ops *ops, void *data,
	       const struct pol_chain *c, enum eval_result *result)
{
	struct walk w = { .pol = pol, .p = p, .ops = ops, .data = data };
	int ret = walk_chain(&w, c, 0);

	*result = w.result;
	return ret;
}

const struct pol_rule *eval_redirect(const struct fwgen_policy *pol,
				     const struct eval_pkt *p,
				     const struct eval_ops *ops, void *data,
				     const struct pol_chain **chain)
{
	size_t i, j;

	if (p->outbound)
		return NULL;
	for (i = 0; i < pol->nchains; i++) {
		const struct pol_chain *c = &pol->chains[i];

		if (c->hook != POL_HOOK_PREROUTING)
			continue;
		for (j = 0; j < c->nrules; j++) {
			const struct pol_rule *r = &c->rules[j];

			if (r->verdict != POL_VERDICT_REDIRECT ||
			    !eval_rule_matches(pol, p, ops, data, r))
				continue;
			if (chain)
				*chain = c;
			return r;
		}
	}
	return NULL;
}

const struct pol_chain *eval_base_chain(const struct fwgen_policy *pol,
					enum pol_hook hook)
{
	size_t i;

	for (i = 0; i < pol->nchains; i++)
		if (pol->chains[i].hook == hook)
			return &pol->chains[i];
	return NULL;
}
