/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Explain: "is this connection allowed, and why", answered by walking the
 * resolved policy's chains as the kernel would, then naming the flows,
 * seed rows and baseline rules that admit it and the flows that do not.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "eval.h"
#include "flow-text.h"
#include "model.h"
#include "util.h"

enum peer_kind {
	PEER_ANY = 0,		/* no peer given: who may connect at all */
	PEER_ROLE,
	PEER_ADDR,
};

struct fwgen_query {
	enum peer_kind peer;
	char *role;		/* PEER_ROLE */
	int family;		/* PEER_ADDR: 4 or 6 */
	uint8_t addr[16];
	char *peer_text;	/* the role or address as given */
	uint8_t l4proto;	/* POL_L4_TCP or POL_L4_UDP, 0 not set */
	uint16_t port;
	bool outbound;
};

/* How the inventory binds a role, for telling people what "any" means. */
enum binding {
	BIND_NONE = 0,		/* not in the inventory: any address */
	BIND_ANY,		/* explicitly `any` */
	BIND_ADDRS,		/* to addresses */
};

struct admission {
	enum fwgen_explain_kind kind;
	const struct flow *flow;	/* FWGEN_EXPLAIN_FLOW */
	const char *peer_role;		/* borrowed from the policy */
	bool set;			/* the rule matches an address set */
	const char *chain;		/* borrowed from the policy */
	const char *comment;
};

struct miss {
	const struct flow *flow;
	char *reason;
};

struct fwgen_explain {
	const struct fwgen_topology *t;
	const struct fwgen_policy *pol;
	struct fwgen_query q;	/* a copy; strings owned */
	bool allowed;
	const struct pol_chain *base;	/* input or output; NULL: egress open */
	struct admission *adm;
	size_t nadm;
	size_t capadm;
	struct miss *miss;
	size_t nmiss;
	size_t capmiss;
	uint16_t port;		/* after a redirect, the port input sees */
	const struct flow *redirect_flow;
	const struct pol_rule *redirect_rule;
	const char *redirect_chain;
	enum binding *binding;	/* by role index */
	bool *has_addr;		/* by role index: PEER_ADDR is one of its addresses */
	const struct fwgen_inventory *inv;	/* borrowed, may be NULL */
};

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

static bool is_role_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '-' || *s == '_'))
			return false;
	}
	return true;
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
	} else if (peer && is_role_name(peer)) {
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

static const char *l4name(uint8_t l4)
{
	return l4 == POL_L4_UDP ? "udp" : "tcp";
}

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

	if (!pf)	/* not from resolve: still the rule that admits it */
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

static void put_roles(FILE *m, const struct fwgen_topology *t, const size_t *v,
		      size_t n)
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
		put_roles(m, e->t, self, nself);
		fputs("; this host holds ", m);
		for (i = 0; i < e->pol->nroles; i++)
			fprintf(m, "%s%s", i ? ", " : "", e->pol->roles[i]);
		return;
	}
	for (i = 0; i < npeers; i++)
		any_peer = any_peer || peer_is(e, peers[i]);
	if (!any_peer) {
		fprintf(m, "%s peer role ", e->q.outbound ? "goes to" : "admits");
		put_roles(m, e->t, peers, npeers);
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
				BIND_ADDRS : BIND_NONE;
		} else {
			e->binding[i] = !ir ? BIND_NONE : ir->any ? BIND_ANY : BIND_ADDRS;
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

/* The answer for people */

static void write_peer(const struct fwgen_explain *e, FILE *out)
{
	switch (e->q.peer) {
	case PEER_ANY:
		fputs("any peer", out);
		break;
	case PEER_ROLE:
		fprintf(out, "peer role %s", e->q.role);
		break;
	case PEER_ADDR:
		fputs(e->q.peer_text, out);
		break;
	}
}

static void write_host(const struct fwgen_explain *e, FILE *out)
{
	size_t i;

	fputs("this host (", out);
	for (i = 0; i < e->pol->nroles; i++)
		fprintf(out, "%s%s", i ? ", " : "", e->pol->roles[i]);
	fputc(')', out);
}

/* "198.18.1.0/24, 2001:db8:1::/48 and 2 more", from the inventory. */
static void write_addresses(const struct fwgen_explain *e, const char *role,
			    FILE *out)
{
	const struct inv_role *ir = inventory_role(e->inv, role);
	char buf[ADDR_INTERVAL_STRLEN];
	size_t i, n = 0, total;
	int fam;

	if (!ir) {
		fputs("its addresses in the inventory", out);
		return;
	}
	total = ir->v4.n + ir->v6.n;
	fputs("bound to ", out);
	for (fam = 4; fam <= 6; fam += 2) {
		const struct addr_list *l = fam == 4 ? &ir->v4 : &ir->v6;

		for (i = 0; i < l->n && n < 3; i++, n++) {
			if (addr_interval_format(&l->v[i], fam, buf, sizeof(buf)) < 0)
				continue;
			fprintf(out, "%s%s", n ? ", " : "", buf);
		}
	}
	if (total > n)
		fprintf(out, " and %zu more", total - n);
}

static enum binding role_binding(const struct fwgen_explain *e,
				 const char *role)
{
	size_t idx;

	return topology_role_index(e->t, role, &idx) == 0 ? e->binding[idx] :
							   BIND_NONE;
}

/* Whether admission a belongs with a0's group and its peer role is bound so. */
static bool peer_of(const struct fwgen_explain *e, const struct admission *a0,
		    const struct admission *a, enum binding kind)
{
	return a->flow == a0->flow && a->kind == a0->kind && a->peer_role &&
	       role_binding(e, a->peer_role) == kind;
}

/*
 * The peer roles of admissions [first, last) of one flow: roles bound to
 * addresses one line each, the roles meaning any address one line per kind,
 * so a flow from nine unbound roles reads as one line, not nine.
 */
static void write_peers(const struct fwgen_explain *e, size_t first,
			size_t last, FILE *out)
{
	static const enum binding kinds[] = { BIND_ADDRS, BIND_NONE, BIND_ANY };
	const struct admission *a0 = &e->adm[first];
	size_t k, i, n, total;
	bool includes;

	for (k = 0; k < ARRAY_SIZE(kinds); k++) {
		for (i = first, total = 0; i < last; i++)
			total += peer_of(e, a0, &e->adm[i], kinds[k]);
		includes = false;
		for (i = first, n = 0; i < last; i++) {
			const struct admission *a = &e->adm[i];

			if (!peer_of(e, a0, a, kinds[k]))
				continue;
			if (kinds[k] == BIND_ADDRS) {
				fprintf(out, "      peer role %s: ", a->peer_role);
				write_addresses(e, a->peer_role, out);
				fputc('\n', out);
				continue;
			}
			fprintf(out, "%s%s", n++ ? ", " :
				total > 1 ? "      peer roles " : "      peer role ",
				a->peer_role);
			includes = includes || (e->q.peer == PEER_ROLE &&
						strcmp(a->peer_role, e->q.role));
		}
		if (n == 0)
			continue;
		fputs(kinds[k] == BIND_NONE ? ": not bound in the inventory, so any address" :
		      ": bound to any address", out);
		if (includes)
			fprintf(out, ", which includes the hosts of %s", e->q.role);
		fputc('\n', out);
	}
}

static void write_flow(const struct fwgen_explain *e, const struct flow *f,
		       FILE *out)
{
	size_t i;

	fprintf(out, "  flow %s: %s\n      ", f->id, f->description);
	put_roles(out, e->t, f->from, f->nfrom);
	fputs(" -> ", out);
	put_roles(out, e->t, f->to, f->nto);
	fputs("  ", out);
	flow_text_ports(e->t, f, e->inv, out);
	if (f->nwhen) {
		fputs(" if ", out);
		flow_text_when(e->t, f, out);
	}
	fputs("\n      source:", out);
	for (i = 0; i < f->nsources; i++)
		fprintf(out, " %s", f->sources[i]);
	fputc('\n', out);
	if (f->note)
		fprintf(out, "      note: %s\n", f->note);
}

/* Admission i and the later ones of the same flow (or baseline rule). */
static void write_admission(const struct fwgen_explain *e, size_t i, FILE *out)
{
	const struct admission *a = &e->adm[i];

	switch (a->kind) {
	case FWGEN_EXPLAIN_FLOW:
		write_flow(e, a->flow, out);
		break;
	case FWGEN_EXPLAIN_BASELINE:
		fprintf(out, "  %s\n", a->comment);
		break;
	case FWGEN_EXPLAIN_OPEN_EGRESS:
		fputs("  egress is open (the default; 'egress: filtered' in the inventory\n"
		      "      closes it): there is no output chain, so this host may connect anywhere\n",
		      out);
		return;
	case FWGEN_EXPLAIN_NONE:	/* never stored */
		return;
	}
	if (a->peer_role)
		write_peers(e, i, a->kind == FWGEN_EXPLAIN_FLOW ? e->nadm : i + 1, out);
	else
		fprintf(out, "      %s any address\n", e->q.outbound ? "to" : "from");
	if (a->kind == FWGEN_EXPLAIN_FLOW)
		fprintf(out, "      rule: \"%s\" in chain %s\n", a->comment, a->chain);
	else
		fprintf(out, "      rule: in chain %s\n", a->chain);
}

/* Whether an earlier admission was written with admission i. */
static bool written_before(const struct fwgen_explain *e, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++) {
		if (e->adm[j].kind == FWGEN_EXPLAIN_FLOW && e->adm[j].flow == e->adm[i].flow)
			return true;
	}
	return false;
}

static void write_address_roles(const struct fwgen_explain *e, FILE *out)
{
	size_t i, n = 0;

	for (i = 0; i < e->t->nroles; i++) {
		if (!e->has_addr[i] || e->binding[i] != BIND_ADDRS)
			continue;
		if (n++ == 0)
			fprintf(out, "%s is an inventory address of ", e->q.peer_text);
		else
			fputs(", ", out);
		fputs(e->t->roles[i].name, out);
	}
	if (n == 0)
		fprintf(out, "%s is in no role's inventory addresses", e->q.peer_text);
	fputc('\n', out);
	for (i = 0, n = 0; i < e->t->nroles; i++) {
		if (!e->has_addr[i] || e->binding[i] == BIND_ADDRS)
			continue;
		fprintf(out, "%s%s", n++ ? ", " : "Roles that mean any address (not bound, or 'any'): ",
			e->t->roles[i].name);
	}
	if (n)
		fputc('\n', out);
}

FWGEN_EXPORT int fwgen_explain_write(struct fwgen_ctx *ctx,
				     const struct fwgen_explain *e, FILE *out)
{
	const char *proto;
	size_t i, groups;

	ARG_CTX(ctx);
	ARG_CHECK(ctx, e);
	ARG_CHECK(ctx, out);
	proto = l4name(e->q.l4proto);

	fprintf(out, "%s/%u ", proto, e->q.port);
	if (e->q.outbound) {
		fputs("from ", out);
		write_host(e, out);
		fputs(" to ", out);
		write_peer(e, out);
	} else {
		fputs("from ", out);
		write_peer(e, out);
		fputs(" to ", out);
		write_host(e, out);
	}
	fprintf(out, ", topology %s: %s\n", e->t->name,
		e->allowed ? "allowed" : "not allowed");
	if (e->q.peer == PEER_ADDR)
		write_address_roles(e, out);
	if (e->redirect_rule) {
		fprintf(out, "\nRedirected to %s/%u before the input chain, by \"%s\" in chain %s",
			proto, e->redirect_rule->redirect_port,
			e->redirect_rule->comment, e->redirect_chain);
		if (e->redirect_flow)
			fprintf(out, " (flow %s)", e->redirect_flow->id);
		fputs(".\n", out);
	}
	for (i = 0, groups = 0; i < e->nadm; i++)
		groups += e->adm[i].kind != FWGEN_EXPLAIN_FLOW || !written_before(e, i);
	if (e->nadm) {
		fprintf(out, "\nAdmitted by%s:\n",
			groups > 1 ? " (the first one decides)" : "");
		for (i = 0; i < e->nadm; i++) {
			if (e->adm[i].kind != FWGEN_EXPLAIN_FLOW || !written_before(e, i))
				write_admission(e, i, out);
		}
	} else if (e->base) {
		/* Audit mode: the policy accepts what enforce mode drops. */
		fprintf(out, e->base->policy_drop ?
			"\nNo rule accepts it: the %s chain drops it (policy drop)" :
			"\nNo rule accepts it: the %s chain would drop it in enforce mode; in audit mode it counts it as refused and accepts it (policy accept)",
			e->base->name);
		for (i = 0; i < e->base->nrules; i++) {
			if (e->base->rules[i].log_prefix) {
				fprintf(out, " after logging it, rate-limited, with the prefix \"%s\"",
					e->base->rules[i].log_prefix);
				break;
			}
		}
		fputs(".\n", out);
	}
	if (e->nmiss) {
		fprintf(out, "\nCatalog flows on %s/%u that do not admit it:\n",
			proto, e->q.port);
		for (i = 0; i < e->nmiss; i++)
			fprintf(out, "  %s (%s)\n      %s\n", e->miss[i].flow->id,
				e->miss[i].flow->description, e->miss[i].reason);
	}
	if (e->allowed && e->base) {
		for (i = 0; i < e->base->nrules; i++) {
			const struct pol_rule *r = &e->base->rules[i];

			if (r->verdict == POL_VERDICT_ACCEPT &&
			    (r->ct_states & POL_CT_ESTABLISHED)) {
				fprintf(out, "\nReplies and related packets then pass \"%s\".\n",
					r->comment);
				break;
			}
		}
	}
	if (ferror(out))
		return ctx_err(ctx, -EIO, "writing the answer failed");
	return 0;
}
