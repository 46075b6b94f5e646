/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Explain: "is this connection allowed, and why", answered by walking the
 * resolved policy's chains as the kernel would, then naming the flows,
 * seed rows and baseline rules that admit it and the flows that do not.
 * The answer is written for people by explain-text.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "eval.h"
#include "explain.h"
#include "flow-text.h"
#include "model.h"
#include "policy.h"
#include "util.h"
#include "yaml-doc.h"

/* Query */

FWGEN_EXPORT struct fwgen_query *fwgen_query_new(void)
{
	return calloc(1, sizeof(struct fwgen_query));
}

static void query_release(struct fwgen_query *q)
{
	free(q->role);
	free(q->peer_text);
}

FWGEN_EXPORT void fwgen_query_free(struct fwgen_query *q)
{
	if (!q)
		return;
	query_release(q);
	free(q);
}

FWGEN_EXPORT int fwgen_query_set_peer(struct fwgen_ctx *ctx,
				      struct fwgen_query *q, const char *peer)
{
	struct addr_prefix p;
	const char *why;
	char *text = NULL, *role = NULL;
	enum peer_kind kind = PEER_ANY;

	ARG_CTX(ctx);
	ARG_CHECK(ctx, q);

	if (peer && addr_parse(peer, &p, &why) == 0) {
		if (p.len != (p.family == 4 ? 32 : 128))
			return ctx_err(ctx, -EINVAL,
				       "peer '%s': give one address, not a prefix", peer);
		kind = PEER_ADDR;
	} else if (peer && yd_is_name(peer, YD_NAME_MAX)) {
		kind = PEER_ROLE;
		role = strdup(peer);
		if (!role)
			return ctx_nomem(ctx);
	} else if (peer) {
		return ctx_err(ctx, -EINVAL,
			       "peer '%s' is neither a role name nor an address (%s)",
			       peer, why);
	}
	if (peer && !(text = strdup(peer))) {
		free(role);
		return ctx_nomem(ctx);
	}
	query_release(q);
	q->peer = kind;
	q->role = role;
	q->peer_text = text;
	if (kind == PEER_ADDR) {
		q->family = p.family;
		memcpy(q->addr, p.addr, sizeof(q->addr));
	}
	return 0;
}

FWGEN_EXPORT int fwgen_query_set_service(struct fwgen_ctx *ctx,
					 struct fwgen_query *q,
					 const char *proto, unsigned long port)
{
	uint8_t l4;

	ARG_CTX(ctx);
	ARG_CHECK(ctx, q);
	ARG_CHECK(ctx, proto);

	if (proto && strcmp(proto, "tcp") == 0)
		l4 = POL_L4_TCP;
	else if (proto && strcmp(proto, "udp") == 0)
		l4 = POL_L4_UDP;
	else
		return ctx_err(ctx, -EINVAL, "protocol '%s': give tcp or udp",
			       proto ? proto : "");
	if (port > 65535)
		return ctx_err(ctx, -EINVAL, "port %lu out of range 0-65535", port);
	q->l4proto = l4;
	q->port = (uint16_t)port;
	return 0;
}

FWGEN_EXPORT int fwgen_query_parse_service(struct fwgen_ctx *ctx,
					   struct fwgen_query *q,
					   const char *text)
{
	const char *slash;
	char proto[8];
	unsigned long port = 0;
	const char *p;

	ARG_CTX(ctx);
	ARG_CHECK(ctx, q);
	ARG_CHECK(ctx, text);
	slash = strchr(text, '/');

	if (!slash || slash == text || (size_t)(slash - text) >= sizeof(proto) ||
	    !slash[1] || strlen(slash + 1) > 5)
		goto bad;
	for (p = slash + 1; *p; p++) {
		if (*p < '0' || *p > '9')
			goto bad;
		port = port * 10 + (unsigned long)(*p - '0');
	}
	memcpy(proto, text, (size_t)(slash - text));
	proto[slash - text] = '\0';
	return fwgen_query_set_service(ctx, q, proto, port);
bad:
	return ctx_err(ctx, -EINVAL,
		       "service '%s': give PROTO/PORT, e.g. tcp/443 or udp/53", text);
}

FWGEN_EXPORT void fwgen_query_set_outbound(struct fwgen_query *q, bool outbound)
{
	ARG_CHECK_RET(q, );

	q->outbound = outbound;
}

/* Matching a packet against the policy's rules */

static bool range_has(const struct port_range *v, size_t n, uint16_t port)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (port >= v[i].lo && port <= v[i].hi)
			return true;
	}
	return false;
}

static bool set_has_role(const struct fwgen_policy *pol, const char *role)
{
	size_t i;

	for (i = 0; i < pol->nsets; i++) {
		if (strcmp(pol->sets[i].role, role) == 0)
			return true;
	}
	return false;
}

static bool interval_inside(const struct addr_interval *iv,
			    const struct pol_set *s)
{
	size_t i, n = addr_bytes(s->family);

	for (i = 0; i < s->nelems; i++) {
		if (memcmp(s->elems[i].lo, iv->lo, n) <= 0 &&
		    memcmp(iv->hi, s->elems[i].hi, n) <= 0)
			return true;
	}
	return false;
}

/*
 * Whether every address of the queried role lies in set s: then a rule for
 * another role's set admits the queried role's hosts as well.
 */
static bool role_inside(const struct fwgen_explain *e, const struct pol_set *s)
{
	const struct inv_role *ir = inventory_role(e->inv, e->q.role);
	const struct addr_list *l;
	size_t i;

	if (!ir || ir->any)
		return false;
	l = s->family == 4 ? &ir->v4 : &ir->v6;
	if (l->n == 0)
		return false;
	for (i = 0; i < l->n; i++) {
		/* A host part answers for its role's _net part too (eval.c). */
		if (!interval_inside(&l->v[i], s) &&
		    !(s->hash && s->net >= 0 && interval_inside(&l->v[i], &e->pol->sets[s->net])))
			return false;
	}
	return true;
}

static bool set_matches(const struct fwgen_explain *e, const struct pol_set *s)
{
	struct addr_list view;

	switch (e->q.peer) {
	case PEER_ANY:
		return true;
	case PEER_ADDR:
		view.v = s->elems;
		view.n = s->nelems;
		view.cap = s->nelems;
		return s->family == e->q.family &&
		       addr_list_contains(&view, s->family, e->q.addr);
	case PEER_ROLE:
		return strcmp(s->role, e->q.role) == 0 || role_inside(e, s);
	}
	return false;
}

/* The peer's side of a rule: saddr coming in, daddr going out. */
static int peer_set(const struct fwgen_explain *e, const struct pol_rule *r)
{
	return e->q.outbound ? r->daddr_set : r->saddr_set;
}

static int add_admission(struct fwgen_explain *e, enum fwgen_explain_kind kind,
			 const struct flow *f, const char *peer, bool set,
			 const struct pol_chain *c, const struct pol_rule *r)
{
	struct admission *a;
	size_t i;

	for (i = 0; i < e->nadm; i++) {
		a = &e->adm[i];
		if (a->kind == kind && a->flow == f &&
		    (a->peer_role == peer ||
		     (a->peer_role && peer && !strcmp(a->peer_role, peer))) &&
		    (f || !r || !strcmp(a->comment, r->comment)))
			return 0;
	}
	if (array_push(&e->adm, &e->nadm, &e->capadm, sizeof(*e->adm)) < 0)
		return -ENOMEM;
	a = &e->adm[e->nadm - 1];
	a->kind = kind;
	a->flow = f;
	a->peer_role = peer;
	a->set = set;
	a->chain = c ? c->name : NULL;
	a->comment = r ? r->comment : NULL;
	return 0;
}

static const struct pol_flow *policy_flow(const struct fwgen_explain *e,
					  const char *id, size_t from)
{
	size_t i;

	for (i = from; i < e->pol->nflows; i++) {
		const struct pol_flow *pf = &e->pol->flows[i];

		if (pf->inbound == !e->q.outbound && strcmp(pf->flow->id, id) == 0)
			return pf;
	}
	return NULL;
}

/*
 * A flow rule without an address set serves the flow's peer roles that
 * have no set (bound to any address); name the queried role when it is one
 * of them, else all of them.
 */
static int admit_flow_rule(struct fwgen_explain *e, const struct pol_chain *c,
			   const struct pol_rule *r)
{
	const struct pol_flow *pf = policy_flow(e, r->flow_id, 0);
	int set = peer_set(e, r);
	bool mine = false;
	size_t i;
	int ret = 0;

	if (!pf) /* not from resolve: still the rule that admits it */
		return add_admission(e, FWGEN_EXPLAIN_BASELINE, NULL, NULL,
				     set >= 0, c, r);
	if (set >= 0)
		return add_admission(e, FWGEN_EXPLAIN_FLOW, pf->flow,
				     e->pol->sets[set].role, true, c, r);
	for (i = 0; i < e->pol->nflows; i++) {
		const struct pol_flow *o = &e->pol->flows[i];

		if (o->flow == pf->flow && o->inbound == pf->inbound &&
		    e->q.peer == PEER_ROLE && !strcmp(o->peer_role, e->q.role) &&
		    !set_has_role(e->pol, o->peer_role))
			mine = true;
	}
	for (i = 0; i < e->pol->nflows && ret == 0; i++) {
		const struct pol_flow *o = &e->pol->flows[i];

		if (o->flow != pf->flow || o->inbound != pf->inbound ||
		    set_has_role(e->pol, o->peer_role))
			continue;
		if (mine && strcmp(o->peer_role, e->q.role))
			continue;
		ret = add_admission(e, FWGEN_EXPLAIN_FLOW, pf->flow, o->peer_role,
				    false, c, r);
	}
	return ret;
}

static int admit(struct fwgen_explain *e, const struct pol_chain *c,
		 const struct pol_rule *r)
{
	int set = peer_set(e, r);

	if (r->flow_id)
		return admit_flow_rule(e, c, r);
	return add_admission(e, FWGEN_EXPLAIN_BASELINE, NULL,
			     set >= 0 ? e->pol->sets[set].role : NULL,
			     set >= 0, c, r);
}

static bool peer_in(void *data, const struct pol_set *s)
{
	return set_matches(data, s);
}

/* Every accept is named (the first decides); a drop ends the walk. */
static int verdict(void *data, const struct pol_chain *c,
		   const struct pol_rule *r)
{
	struct fwgen_explain *e = data;

	if (r->verdict != POL_VERDICT_ACCEPT)
		return 1;
	return admit(e, c, r);
}

static const struct eval_ops explain_ops = {
	.peer_in = peer_in,
	.verdict = verdict,
};

/* The first packet of the queried connection, as e->port now stands. */
static struct eval_pkt query_pkt(const struct fwgen_explain *e)
{
	struct eval_pkt p = {
		.family = e->q.peer == PEER_ADDR ? e->q.family : 0,
		.l4proto = e->q.l4proto,
		.dport = e->port,
		.outbound = e->q.outbound,
		/* The peer is another host, never the loopback interface. */
		.loopback = false,
	};

	return p;
}

/* NAT prerouting runs before input: a redirect changes the port input sees. */
static void eval_redirects(struct fwgen_explain *e)
{
	struct eval_pkt p = query_pkt(e);
	const struct pol_chain *ch = NULL;
	const struct pol_rule *r;
	const struct pol_flow *pf;

	r = eval_redirect(e->pol, &p, &explain_ops, e, &ch);
	if (!r)
		return;
	pf = r->flow_id ? policy_flow(e, r->flow_id, 0) : NULL;
	e->redirect_flow = pf ? pf->flow : NULL;
	e->redirect_rule = r;
	e->redirect_chain = ch->name;
	e->port = r->redirect_port;
}

/* Near misses: flows of the catalog on this port, and why they do not admit */

static bool held(const struct fwgen_explain *e, size_t role)
{
	size_t i;

	for (i = 0; i < e->pol->nroles; i++) {
		if (strcmp(e->pol->roles[i], e->t->roles[role].name) == 0)
			return true;
	}
	return false;
}

static bool flow_covers(const struct fwgen_explain *e, const struct flow *f)
{
	unsigned int bit = e->q.l4proto == POL_L4_TCP ? PROTO_TCP : PROTO_UDP;
	const struct port_range *v;
	size_t i, n;

	if (!(f->protos & bit))
		return false;
	if (!e->q.outbound && f->redirect && f->redirect == e->q.port)
		return true;
	for (i = 0; i < f->nports; i++) {
		if (!f->ports[i].is_param) {
			if (range_has(&f->ports[i].range, 1, e->q.port))
				return true;
			continue;
		}
		v = flow_param_ports(e->t, f->ports[i].param, e->inv, &n);
		if (range_has(v, n, e->q.port))
			return true;
	}
	return false;
}

static bool option_value(const struct fwgen_explain *e, size_t opt)
{
	const struct option *o = &e->t->options[opt];
	size_t i;

	/* As resolved: an option a held or bound role implies is on. */
	if (e->pol && e->pol->options && opt < e->pol->noptions)
		return e->pol->options[opt];
	for (i = 0; e->inv && i < e->inv->noptions; i++) {
		if (strcmp(e->inv->options[i].name, o->name) == 0)
			return e->inv->options[i].value;
	}
	return o->default_value;
}

static bool admitted(const struct fwgen_explain *e, const struct flow *f)
{
	size_t i;

	for (i = 0; i < e->nadm; i++) {
		if (e->adm[i].flow == f)
			return true;
	}
	return false;
}

/* Whether the queried peer can be a host of role idx. */
static bool peer_is(const struct fwgen_explain *e, size_t idx)
{
	switch (e->q.peer) {
	case PEER_ANY:
		return true;
	case PEER_ROLE:
		return strcmp(e->t->roles[idx].name, e->q.role) == 0;
	case PEER_ADDR:
		return e->has_addr[idx];
	}
	return false;
}

void explain_put_roles(FILE *m, const struct fwgen_topology *t,
		       const size_t *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(m, "%s%s", i ? ", " : "", t->roles[v[i]].name);
}

/* Writes why flow f does not admit the queried connection. */
static void miss_reason(const struct fwgen_explain *e, const struct flow *f,
			FILE *m)
{
	const size_t *self = e->q.outbound ? f->from : f->to;
	const size_t *peers = e->q.outbound ? f->to : f->from;
	size_t nself = e->q.outbound ? f->nfrom : f->nto;
	size_t npeers = e->q.outbound ? f->nto : f->nfrom;
	bool any_self = false, any_peer = false;
	size_t i, j;

	for (i = 0; i < f->nwhen; i++) {
		const char *name = e->t->options[f->when[i].option].name;

		if (option_value(e, f->when[i].option) == f->when[i].negate) {
			fprintf(m, "applies only when option '%s' is %s; it is %s",
				name, f->when[i].negate ? "false" : "true",
				f->when[i].negate ? "true" : "false");
			return;
		}
	}
	for (i = 0; i < nself; i++)
		any_self = any_self || held(e, self[i]);
	if (!any_self) {
		fputs(e->q.outbound ? "goes out from host role " : "serves host role ", m);
		explain_put_roles(m, e->t, self, nself);
		fputs("; this host holds ", m);
		for (i = 0; i < e->pol->nroles; i++)
			fprintf(m, "%s%s", i ? ", " : "", e->pol->roles[i]);
		return;
	}
	for (i = 0; i < npeers; i++)
		any_peer = any_peer || peer_is(e, peers[i]);
	if (!any_peer) {
		fprintf(m, "%s peer role ", e->q.outbound ? "goes to" : "admits");
		explain_put_roles(m, e->t, peers, npeers);
		if (e->q.peer == PEER_ROLE)
			fprintf(m, ", not %s", e->q.role);
		else
			fprintf(m, ", whose addresses do not include %s", e->q.peer_text);
		return;
	}
	if (e->q.outbound && !e->base) {
		fputs("egress is open, so no rule is needed; under egress: filtered this flow lets it out", m);
		return;
	}
	for (i = 0; i < npeers; i++) {
		for (j = 0; j < nself; j++) {
			if (peer_is(e, peers[i]) && held(e, self[j]) &&
			    peers[i] != self[j] && held(e, peers[i]) &&
			    e->binding[peers[i]] != BIND_ADDRS) {
				fprintf(m, "%s is a role this host holds too: traffic within the host, which the loopback rule admits",
					e->t->roles[peers[i]].name);
				return;
			}
		}
	}
	fputs("no rule of the resolved policy for it matches this connection", m);
}

static int add_misses(struct fwgen_explain *e)
{
	size_t i;

	for (i = 0; i < e->t->nflows; i++) {
		const struct flow *f = &e->t->flows[i];
		struct miss *ms;
		char *buf = NULL;
		size_t len = 0;
		FILE *m;

		if (!flow_covers(e, f) || admitted(e, f))
			continue;
		m = open_memstream(&buf, &len);
		if (!m)
			return -ENOMEM;
		miss_reason(e, f, m);
		if (fclose(m) != 0 ||
		    array_push(&e->miss, &e->nmiss, &e->capmiss, sizeof(*e->miss)) < 0) {
			free(buf);
			return -ENOMEM;
		}
		ms = &e->miss[e->nmiss - 1];
		ms->flow = f;
		ms->reason = buf;
	}
	return 0;
}

/* What the inventory says of each role, and which hold the queried address. */
static int bind_roles(struct fwgen_explain *e)
{
	const struct fwgen_topology *t = e->t;
	size_t i, s;

	e->binding = calloc(t->nroles + 1, sizeof(*e->binding));
	e->has_addr = calloc(t->nroles + 1, sizeof(*e->has_addr));
	if (!e->binding || !e->has_addr)
		return -ENOMEM;
	for (i = 0; i < t->nroles; i++) {
		const struct inv_role *ir = inventory_role(e->inv, t->roles[i].name);
		const struct addr_list *l;

		if (!e->inv) {
			/* No inventory given: the policy's sets tell bound roles. */
			e->binding[i] = set_has_role(e->pol, t->roles[i].name) ?
						BIND_ADDRS :
						BIND_NONE;
		} else {
			e->binding[i] = !ir ? BIND_NONE : ir->any ? BIND_ANY :
								    BIND_ADDRS;
		}
		if (e->q.peer != PEER_ADDR)
			continue;
		if (e->binding[i] != BIND_ADDRS) {
			e->has_addr[i] = true;
			continue;
		}
		if (ir) {
			l = e->q.family == 4 ? &ir->v4 : &ir->v6;
			e->has_addr[i] = addr_list_contains(l, e->q.family, e->q.addr);
			continue;
		}
		for (s = 0; s < e->pol->nsets; s++) {
			const struct pol_set *ps = &e->pol->sets[s];

			if (!strcmp(ps->role, t->roles[i].name) &&
			    set_matches(e, ps))
				e->has_addr[i] = true;
		}
	}
	return 0;
}

static int copy_query(struct fwgen_query *dst, const struct fwgen_query *src)
{
	*dst = *src;
	dst->role = src->role ? strdup(src->role) : NULL;
	dst->peer_text = src->peer_text ? strdup(src->peer_text) : NULL;
	if ((src->role && !dst->role) || (src->peer_text && !dst->peer_text))
		return -ENOMEM;
	return 0;
}

static int explain(struct fwgen_ctx *ctx, struct fwgen_explain *e)
{
	size_t idx;
	int ret;

	if (e->q.peer == PEER_ROLE && topology_role_index(e->t, e->q.role, &idx) < 0)
		return ctx_err(ctx, -EINVAL,
			       "unknown role '%s' in topology '%s'",
			       e->q.role, e->t->name);
	if (bind_roles(e) < 0)
		return ctx_nomem(ctx);
	e->base = eval_base_chain(e->pol, e->q.outbound ? POL_HOOK_OUTPUT : POL_HOOK_INPUT);
	if (!e->base && e->q.outbound) {
		e->allowed = true;
		ret = add_admission(e, FWGEN_EXPLAIN_OPEN_EGRESS, NULL, NULL,
				    false, NULL, NULL);
	} else if (!e->base) {
		return ctx_err(ctx, -EINVAL, "the policy has no input chain");
	} else {
		struct eval_pkt p;
		enum eval_result v;

		if (!e->q.outbound)
			eval_redirects(e);
		p = query_pkt(e);
		ret = eval_chain(e->pol, &p, &explain_ops, e, e->base, &v);
		e->allowed = v == EVAL_ACCEPT ||
			     (v == EVAL_NONE && !e->base->policy_drop);
	}
	if (ret == 0)
		ret = add_misses(e);
	return ret < 0 ? ctx_nomem(ctx) : 0;
}

FWGEN_EXPORT int fwgen_policy_explain(struct fwgen_ctx *ctx,
				      const struct fwgen_catalog *cat,
				      const struct fwgen_policy *pol,
				      const struct fwgen_inventory *inv,
				      const struct fwgen_query *q,
				      struct fwgen_explain **out)
{
	struct fwgen_explain *e;
	int ret;

	ARG_CTX(ctx);
	ARG_CHECK(ctx, cat);
	ARG_CHECK(ctx, pol);
	ARG_CHECK(ctx, q);
	ARG_CHECK(ctx, out);

	if (!q->l4proto)
		return ctx_err(ctx, -EINVAL,
			       "no service to explain: give PROTO/PORT, e.g. tcp/443");
	e = calloc(1, sizeof(*e));
	if (!e)
		return ctx_nomem(ctx);
	e->pol = pol;
	e->inv = inv;
	e->t = fwgen_catalog_topology(ctx, cat, pol->topology);
	if (!e->t) {
		fwgen_explain_free(e);
		return -ENOENT;
	}
	if (copy_query(&e->q, q) < 0) {
		fwgen_explain_free(e);
		return ctx_nomem(ctx);
	}
	e->port = q->port;
	ret = explain(ctx, e);
	if (ret < 0) {
		fwgen_explain_free(e);
		return ret;
	}
	*out = e;
	return 0;
}

FWGEN_EXPORT void fwgen_explain_free(struct fwgen_explain *e)
{
	size_t i;

	if (!e)
		return;
	for (i = 0; i < e->nmiss; i++)
		free(e->miss[i].reason);
	free(e->miss);
	free(e->adm);
	free(e->binding);
	free(e->has_addr);
	query_release(&e->q);
	free(e);
}

FWGEN_EXPORT bool fwgen_explain_allowed(const struct fwgen_explain *e)
{
	ARG_CHECK_RET(e, false);

	return e->allowed;
}

FWGEN_EXPORT size_t fwgen_explain_count(const struct fwgen_explain *e)
{
	ARG_CHECK_RET(e, 0);

	return e->nadm;
}

FWGEN_EXPORT enum fwgen_explain_kind
fwgen_explain_kind(const struct fwgen_explain *e, size_t i)
{
	ARG_CHECK_RET(e, FWGEN_EXPLAIN_NONE);

	return i < e->nadm ? e->adm[i].kind : FWGEN_EXPLAIN_NONE;
}

FWGEN_EXPORT const char *fwgen_explain_flow_id(const struct fwgen_explain *e,
					       size_t i)
{
	ARG_CHECK_RET(e, NULL);

	return i < e->nadm && e->adm[i].flow ? e->adm[i].flow->id : NULL;
}

FWGEN_EXPORT const char *fwgen_explain_peer_role(const struct fwgen_explain *e,
						 size_t i)
{
	ARG_CHECK_RET(e, NULL);

	return i < e->nadm ? e->adm[i].peer_role : NULL;
}

FWGEN_EXPORT const char *fwgen_explain_rule(const struct fwgen_explain *e,
					    size_t i)
{
	ARG_CHECK_RET(e, NULL);

	return i < e->nadm ? e->adm[i].comment : NULL;
}

FWGEN_EXPORT unsigned int
fwgen_explain_redirect_port(const struct fwgen_explain *e)
{
	ARG_CHECK_RET(e, 0);

	return e->redirect_rule ? e->redirect_rule->redirect_port : 0;
}

FWGEN_EXPORT size_t fwgen_explain_miss_count(const struct fwgen_explain *e)
{
	ARG_CHECK_RET(e, 0);

	return e->nmiss;
}

FWGEN_EXPORT const char *
fwgen_explain_miss_flow_id(const struct fwgen_explain *e, size_t i)
{
	ARG_CHECK_RET(e, NULL);

	return i < e->nmiss ? e->miss[i].flow->id : NULL;
}

FWGEN_EXPORT const char *
fwgen_explain_miss_reason(const struct fwgen_explain *e, size_t i)
{
	ARG_CHECK_RET(e, NULL);

	return i < e->nmiss ? e->miss[i].reason : NULL;
}
