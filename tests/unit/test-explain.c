/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Explain: every flow of every topology (shipped and demo) is admitted from
 * each of its peers on each of its ports, inbound and outbound, by role and
 * by address, with its options set; and what is not in a flow is refused.
 * Then the semantics on the demo: baseline, redirects, options, params,
 * roles bound to any address, local traffic, egress, errors and the text.
 */
#include <stdbool.h>
#include <unistd.h>

#include "testutil.h"
#include "yaml-doc.h"

#include "model.h"

/* Role i of a topology owns 198.18.(i+1).0/24 and 2001:db8:(i+1)::/48. */
static void role_address(size_t role, int family, char *buf, size_t len)
{
	if (family == 4)
		snprintf(buf, len, "198.18.%zu.9", role + 1);
	else
		snprintf(buf, len, "2001:db8:%zx::9", role + 1);
}

/* An address in no role's range. */
#define OUTSIDE_V4 "198.19.200.9"
#define OUTSIDE_V6 "2001:db8:ffff::9"

/*
 * Every role bound to its own prefixes (so no rule admits "any"), egress
 * filtered, and the options set so that flow f's conditions hold (or, with
 * hold false, so that its first condition fails).
 */
static bool implies(const struct fwgen_topology *t, size_t opt, size_t role)
{
	size_t i;

	for (i = 0; i < t->options[opt].nimplied_by; i++) {
		if (t->options[opt].implied_by[i] == role)
			return true;
	}
	return false;
}

static struct fwgen_inventory *bound_inventory(struct fwgen_ctx *ctx,
					       const struct fwgen_topology *t,
					       const struct flow *f, bool hold)
{
	struct fwgen_inventory *inv = fwgen_inventory_new();
	char buf[64];
	size_t i;

	ck_assert_ptr_nonnull(inv);
	ck_assert_int_eq(fwgen_inventory_set_topology(ctx, inv, t->name), 0);
	fwgen_inventory_set_egress(inv, FWGEN_EGRESS_FILTERED);
	ck_assert_uint_lt(t->nroles, 255);
	for (i = 0; i < t->nroles; i++) {
		/*
		 * A role that implies the option turned off here would make
		 * the inventory contradict itself: leave it unbound.
		 */
		if (!hold && f && f->nwhen && !f->when[0].negate &&
		    implies(t, f->when[0].option, i))
			continue;
		snprintf(buf, sizeof(buf), "198.18.%zu.0/24", i + 1);
		ck_assert_int_eq(fwgen_inventory_add_address(ctx, inv, t->roles[i].name, buf), 0);
		snprintf(buf, sizeof(buf), "2001:db8:%zx::/48", i + 1);
		ck_assert_int_eq(fwgen_inventory_add_address(ctx, inv, t->roles[i].name, buf), 0);
	}
	for (i = 0; f && i < f->nwhen; i++) {
		bool value = !f->when[i].negate;

		if (!hold && i == 0)
			value = !value;
		ck_assert_int_eq(fwgen_inventory_set_option(ctx, inv,
							    t->options[f->when[i].option].name, value),
				 0);
	}
	return inv;
}

static struct fwgen_policy *resolve1(struct fwgen_ctx *ctx,
				     const struct fwgen_catalog *cat,
				     const struct fwgen_inventory *inv,
				     const char *topo, const char *role)
{
	struct fwgen_policy *pol = NULL;

	ck_assert_msg(fwgen_policy_resolve(ctx, cat, inv, topo, &role, 1, 0, &pol) == 0,
		      "%s: %s", role, fwgen_ctx_error(ctx));
	return pol;
}

static struct fwgen_explain *ask(struct fwgen_ctx *ctx,
				 const struct fwgen_catalog *cat,
				 const struct fwgen_policy *pol,
				 const struct fwgen_inventory *inv,
				 const char *peer, const char *proto,
				 unsigned int port, bool outbound)
{
	struct fwgen_query *q = fwgen_query_new();
	struct fwgen_explain *e = NULL;

	ck_assert_ptr_nonnull(q);
	ck_assert_msg(fwgen_query_set_peer(ctx, q, peer) == 0, "%s", fwgen_ctx_error(ctx));
	ck_assert_int_eq(fwgen_query_set_service(ctx, q, proto, port), 0);
	fwgen_query_set_outbound(q, outbound);
	ck_assert_msg(fwgen_policy_explain(ctx, cat, pol, inv, q, &e) == 0, "%s",
		      fwgen_ctx_error(ctx));
	fwgen_query_free(q);
	return e;
}

static bool admits(const struct fwgen_explain *e, const char *flow)
{
	size_t i;

	for (i = 0; i < fwgen_explain_count(e); i++) {
		const char *id = fwgen_explain_flow_id(e, i);

		if (id && strcmp(id, flow) == 0)
			return true;
	}
	return false;
}

static const char *miss_reason(const struct fwgen_explain *e, const char *flow)
{
	size_t i;

	for (i = 0; i < fwgen_explain_miss_count(e); i++) {
		if (strcmp(fwgen_explain_miss_flow_id(e, i), flow) == 0)
			return fwgen_explain_miss_reason(e, i);
	}
	return NULL;
}

/* The ports to try for a flow: each range's ends, params at their defaults. */
static size_t flow_ports(const struct fwgen_topology *t, const struct flow *f,
			 uint16_t *out, size_t max)
{
	size_t i, j, n = 0;

	for (i = 0; i < f->nports; i++) {
		const struct port_range *v = &f->ports[i].range;
		size_t cnt = 1;

		if (f->ports[i].is_param) {
			v = t->params[f->ports[i].param].defaults;
			cnt = t->params[f->ports[i].param].ndefaults;
		}
		for (j = 0; j < cnt && n + 2 <= max; j++) {
			out[n++] = v[j].lo;
			if (v[j].hi != v[j].lo)
				out[n++] = v[j].hi;
		}
	}
	return n;
}

struct tally {
	size_t allowed; /* positive answers checked */
	size_t refused; /* negative answers checked */
};

/*
 * Host `self` holds one end of flow f, `peer` is the other: each peer form
 * (role, IPv4 and IPv6 address) on each protocol and port is admitted by f,
 * and the same from an address outside every role is refused outright.
 */
static void check_admitted(struct fwgen_ctx *ctx, const struct fwgen_catalog *cat,
			   const struct fwgen_topology *t, const struct flow *f,
			   size_t self, size_t peer, bool outbound,
			   struct tally *n)
{
	struct fwgen_inventory *inv = bound_inventory(ctx, t, f, true);
	struct fwgen_policy *pol = resolve1(ctx, cat, inv, t->name, t->roles[self].name);
	static const char *const protos[] = { "tcp", "udp" };
	char v4[64], v6[64];
	const char *peers[3] = { t->roles[peer].name, v4, v6 };
	uint16_t ports[256];
	size_t np = flow_ports(t, f, ports, 256), p, k, i;

	role_address(peer, 4, v4, sizeof(v4));
	role_address(peer, 6, v6, sizeof(v6));
	for (p = 0; p < 2; p++) {
		if (!(f->protos & (p ? PROTO_UDP : PROTO_TCP)))
			continue;
		for (i = 0; i < np; i++) {
			struct fwgen_explain *e;

			for (k = 0; k < 3; k++) {
				e = ask(ctx, cat, pol, inv, peers[k], protos[p], ports[i], outbound);
				ck_assert_msg(fwgen_explain_allowed(e) && admits(e, f->id),
					      "%s: flow %s: %s/%u %s %s with host role %s not admitted",
					      t->name, f->id, protos[p], ports[i],
					      outbound ? "to" : "from", peers[k],
					      t->roles[self].name);
				if (!outbound && f->redirect)
					ck_assert_uint_eq(fwgen_explain_redirect_port(e), f->redirect);
				fwgen_explain_free(e);
				n->allowed++;
			}
			/* Every role is bound: an address in none of them gets nothing. */
			e = ask(ctx, cat, pol, inv, OUTSIDE_V4, protos[p], ports[i], outbound);
			ck_assert_msg(!fwgen_explain_allowed(e) && fwgen_explain_count(e) == 0,
				      "%s: flow %s: %s/%u from outside admitted",
				      t->name, f->id, protos[p], ports[i]);
			fwgen_explain_free(e);
			e = ask(ctx, cat, pol, inv, OUTSIDE_V6, protos[p], ports[i], outbound);
			ck_assert(!fwgen_explain_allowed(e));
			fwgen_explain_free(e);
			n->refused += 2;
		}
	}
	fwgen_policy_free(pol);
	fwgen_inventory_free(inv);
}

/*
 * A peer role the flow does not name is not admitted by it (another flow
 * may admit it on the same port; this one must not), and the answer says
 * whom the flow admits.
 */
static void check_other_peer(struct fwgen_ctx *ctx, const struct fwgen_catalog *cat,
			     const struct fwgen_topology *t, const struct flow *f,
			     size_t self, struct tally *n)
{
	struct fwgen_inventory *inv = bound_inventory(ctx, t, f, true);
	struct fwgen_policy *pol = resolve1(ctx, cat, inv, t->name, t->roles[self].name);
	uint16_t ports[256];
	size_t np = flow_ports(t, f, ports, 256), r, j;
	const char *proto = f->protos & PROTO_TCP ? "tcp" : "udp";

	for (r = 0; r < t->nroles && np; r++) {
		struct fwgen_explain *e;
		const char *why;
		bool named = false;

		for (j = 0; j < f->nfrom; j++)
			named = named || f->from[j] == r;
		if (named)
			continue;
		e = ask(ctx, cat, pol, inv, t->roles[r].name, proto, ports[0], false);
		ck_assert_msg(!admits(e, f->id), "%s: flow %s admits %s",
			      t->name, f->id, t->roles[r].name);
		why = miss_reason(e, f->id);
		ck_assert_msg(why && strstr(why, "admits peer role") && strstr(why, t->roles[r].name),
			      "%s: flow %s from %s: %s", t->name, f->id,
			      t->roles[r].name, why ? why : "(no reason)");
		fwgen_explain_free(e);
		n->refused++;
	}
	fwgen_policy_free(pol);
	fwgen_inventory_free(inv);
}

/* With its first condition false, a conditional flow admits nothing. */
static void check_condition_off(struct fwgen_ctx *ctx, const struct fwgen_catalog *cat,
				const struct fwgen_topology *t, const struct flow *f,
				size_t self, size_t peer, struct tally *n)
{
	struct fwgen_inventory *inv;
	struct fwgen_policy *pol;
	uint16_t ports[256];
	size_t np = flow_ports(t, f, ports, 256);
	const char *proto = f->protos & PROTO_TCP ? "tcp" : "udp";
	struct fwgen_explain *e;
	const char *why;

	/* A host holding a role that implies the option has it on. */
	if (!f->when[0].negate && implies(t, f->when[0].option, self))
		return;
	inv = bound_inventory(ctx, t, f, false);
	pol = resolve1(ctx, cat, inv, t->name, t->roles[self].name);
	if (np == 0)
		goto out;
	e = ask(ctx, cat, pol, inv, t->roles[peer].name, proto, ports[0], false);
	ck_assert(!admits(e, f->id));
	why = miss_reason(e, f->id);
	ck_assert_msg(why && strstr(why, "applies only when option") &&
			      strstr(why, t->options[f->when[0].option].name),
		      "%s: flow %s: %s", t->name, f->id, why ? why : "(no reason)");
	fwgen_explain_free(e);
	n->refused++;
out:
	fwgen_policy_free(pol);
	fwgen_inventory_free(inv);
}

/* The first port above 1000 that no flow (params at defaults) uses. */
static uint16_t unused_port(const struct fwgen_topology *t)
{
	uint32_t port;
	size_t fi, i;

	for (port = 1001; port < 65536; port++) {
		bool used = false;

		for (fi = 0; fi < t->nflows && !used; fi++) {
			const struct flow *f = &t->flows[fi];

			used = f->redirect == port;
			for (i = 0; i < f->nports && !used; i++) {
				const struct port_range *v = &f->ports[i].range;
				size_t cnt = 1, j;

				if (f->ports[i].is_param) {
					v = t->params[f->ports[i].param].defaults;
					cnt = t->params[f->ports[i].param].ndefaults;
				}
				for (j = 0; j < cnt; j++)
					used = used || (port >= v[j].lo && port <= v[j].hi);
			}
		}
		if (!used)
			return (uint16_t)port;
	}
	ck_abort_msg("%s uses every port", t->name);
	return 0;
}

static void check_topology(struct fwgen_ctx *ctx, const struct fwgen_catalog *cat,
			   const struct fwgen_topology *t, struct tally *n)
{
	uint16_t spare = unused_port(t);
	size_t fi, a, b, r;

	for (fi = 0; fi < t->nflows; fi++) {
		const struct flow *f = &t->flows[fi];

		for (a = 0; a < f->nto; a++) {
			if (!t->roles[f->to[a]].host)
				continue;
			for (b = 0; b < f->nfrom; b++)
				check_admitted(ctx, cat, t, f, f->to[a], f->from[b], false, n);
			check_other_peer(ctx, cat, t, f, f->to[a], n);
			if (f->nwhen && f->nfrom)
				check_condition_off(ctx, cat, t, f, f->to[a], f->from[0], n);
		}
		for (a = 0; a < f->nfrom; a++) {
			if (!t->roles[f->from[a]].host)
				continue;
			for (b = 0; b < f->nto; b++)
				check_admitted(ctx, cat, t, f, f->from[a], f->to[b], true, n);
		}
	}
	/* A port no flow uses: refused from any peer, to every host role. */
	for (r = 0; r < t->nroles; r++) {
		struct fwgen_inventory *inv;
		struct fwgen_policy *pol;
		struct fwgen_explain *e;

		if (!t->roles[r].host)
			continue;
		inv = bound_inventory(ctx, t, NULL, true);
		pol = resolve1(ctx, cat, inv, t->name, t->roles[r].name);
		e = ask(ctx, cat, pol, inv, NULL, "tcp", spare, false);
		ck_assert_msg(!fwgen_explain_allowed(e) && fwgen_explain_count(e) == 0 &&
				      fwgen_explain_miss_count(e) == 0,
			      "%s: tcp/%u admitted on %s", t->name, spare, t->roles[r].name);
		fwgen_explain_free(e);
		e = ask(ctx, cat, pol, inv, NULL, "udp", spare, true);
		ck_assert(!fwgen_explain_allowed(e));
		fwgen_explain_free(e);
		n->refused += 2;
		fwgen_policy_free(pol);
		fwgen_inventory_free(inv);
	}
}

START_TEST(test_explain_every_flow_of_the_demo)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = load_demo_catalog(ctx);
	struct tally n = { 0 };

	check_topology(ctx, cat, fwgen_catalog_topology(ctx, cat, "demo"), &n);
	/*
	 * Allowed, 3 peer forms each: user-web 2 ports, web-db 1 in + 1 out,
	 * db-cluster 3 ports x 2 protocols in and out, pxe 1, legacy 1.
	 * Refused: 2 outside addresses per port checked, 5 other peer roles
	 * for each of 5 flows, legacy with its option off, and an unused port
	 * in and out on each of 2 host roles.
	 */
	ck_assert_uint_eq(n.allowed, 54);
	ck_assert_uint_eq(n.refused, 36 + 25 + 1 + 4);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
}
END_TEST

START_TEST(test_explain_every_flow_of_every_shipped_topology)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = load_real_catalog(ctx);
	struct tally n = { 0 };
	size_t i;

	ck_assert_uint_ge(fwgen_catalog_topology_count(cat), 3);
	for (i = 0; i < fwgen_catalog_topology_count(cat); i++)
		check_topology(ctx, cat, fwgen_catalog_topology_at(cat, i), &n);
	ck_assert_uint_ge(n.allowed, 100);
	ck_assert_uint_ge(n.refused, 100);
	fprintf(stderr, "explain: %zu admissions and %zu refusals checked\n",
		n.allowed, n.refused);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
}
END_TEST

/* Demo semantics */

struct demo {
	struct fwgen_ctx *ctx;
	struct fwgen_catalog *cat;
	struct fwgen_inventory *inv;
	struct fwgen_policy *pol;
};

static void demo_open(struct demo *d, const char *inventory, const char *r1,
		      const char *r2)
{
	const char *roles[2] = { r1, r2 };

	d->ctx = fwgen_ctx_new();
	d->cat = load_demo_catalog(d->ctx);
	d->inv = inventory ? parse_inventory(d->ctx, inventory) : NULL;
	d->pol = NULL;
	ck_assert_msg(fwgen_policy_resolve(d->ctx, d->cat, d->inv, "demo", roles,
					   r2 ? 2 : 1, 0, &d->pol) == 0,
		      "%s", fwgen_ctx_error(d->ctx));
}

static struct fwgen_explain *demo_ask(struct demo *d, const char *peer,
				      const char *proto, unsigned int port,
				      bool outbound)
{
	return ask(d->ctx, d->cat, d->pol, d->inv, peer, proto, port, outbound);
}

static void demo_close(struct demo *d)
{
	fwgen_policy_free(d->pol);
	fwgen_inventory_free(d->inv);
	fwgen_catalog_free(d->cat);
	fwgen_ctx_free(d->ctx);
}

static char *written(struct demo *d, const struct fwgen_explain *e)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	ck_assert_int_eq(fwgen_explain_write(d->ctx, e, m), 0);
	fclose(m);
	return buf;
}

START_TEST(test_explain_flow_names_source_row_and_rule)
{
	struct demo d;
	struct fwgen_explain *e;
	char *text;

	demo_open(&d, NULL, "web", NULL);
	e = demo_ask(&d, "user", "tcp", 443, false);
	ck_assert(fwgen_explain_allowed(e));
	ck_assert_uint_eq(fwgen_explain_count(e), 1);
	ck_assert_int_eq(fwgen_explain_kind(e, 0), FWGEN_EXPLAIN_FLOW);
	ck_assert_str_eq(fwgen_explain_flow_id(e, 0), "user-web");
	ck_assert_str_eq(fwgen_explain_peer_role(e, 0), "user");
	ck_assert_str_eq(fwgen_explain_rule(e, 0), "user-web (d:t#1)");
	ck_assert_uint_eq(fwgen_explain_redirect_port(e), 0);
	text = written(&d, e);
	ck_assert_str_eq(text,
			 "tcp/443 from peer role user to this host (web), topology demo: allowed\n"
			 "\n"
			 "Admitted by:\n"
			 "  flow user-web: web\n"
			 "      user -> web  tcp/80, 443 ($https_port)\n"
			 "      source: d:t#1\n"
			 "      peer role user: not bound in the inventory, so any address\n"
			 "      rule: \"user-web (d:t#1)\" in chain in_tcp_443\n"
			 "\n"
			 "Replies and related packets then pass \"baseline: packets of allowed connections\".\n");
	free(text);
	fwgen_explain_free(e);
	demo_close(&d);
}
END_TEST

START_TEST(test_explain_refusal_names_the_option)
{
	struct demo d;
	struct fwgen_explain *e;
	char *text;

	demo_open(&d, NULL, "web", NULL);
	e = demo_ask(&d, "user", "tcp", 8080, false);
	ck_assert(!fwgen_explain_allowed(e));
	ck_assert_uint_eq(fwgen_explain_count(e), 0);
	ck_assert_uint_eq(fwgen_explain_miss_count(e), 1);
	ck_assert_str_eq(fwgen_explain_miss_flow_id(e, 0), "legacy");
	ck_assert_str_eq(fwgen_explain_miss_reason(e, 0),
			 "applies only when option 'legacy' is true; it is false");
	text = written(&d, e);
	ck_assert_str_eq(text,
			 "tcp/8080 from peer role user to this host (web), topology demo: not allowed\n"
			 "\n"
			 "No rule accepts it: the input chain drops it (policy drop) after logging it, "
			 "rate-limited, with the prefix \"fwgen drop in: \".\n"
			 "\n"
			 "Catalog flows on tcp/8080 that do not admit it:\n"
			 "  legacy (old)\n"
			 "      applies only when option 'legacy' is true; it is false\n");
	free(text);
	fwgen_explain_free(e);
	demo_close(&d);
}
END_TEST

START_TEST(test_explain_options_and_params_from_the_inventory)
{
	struct demo d;
	struct fwgen_explain *e;

	demo_open(&d, "topology: demo\nparams:\n  https_port: 8443\noptions:\n  legacy: true\n",
		  "web", NULL);
	e = demo_ask(&d, "user", "tcp", 8080, false);
	ck_assert(fwgen_explain_allowed(e));
	ck_assert_str_eq(fwgen_explain_flow_id(e, 0), "legacy");
	fwgen_explain_free(e);
	e = demo_ask(&d, "user", "tcp", 8443, false);
	ck_assert(admits(e, "user-web"));
	fwgen_explain_free(e);
	/* The param moved the port: 443 is no longer open. */
	e = demo_ask(&d, "user", "tcp", 443, false);
	ck_assert(!fwgen_explain_allowed(e));
	ck_assert_uint_eq(fwgen_explain_miss_count(e), 0);
	fwgen_explain_free(e);
	demo_close(&d);
}
END_TEST

START_TEST(test_explain_baseline_ssh_from_admin)
{
	struct demo d;
	struct fwgen_explain *e;

	demo_open(&d, "topology: demo\nroles:\n  admin: [198.18.50.0/24]\n", "web", NULL);
	e = demo_ask(&d, "198.18.50.7", "tcp", 22, false);
	ck_assert(fwgen_explain_allowed(e));
	ck_assert_uint_eq(fwgen_explain_count(e), 1);
	ck_assert_int_eq(fwgen_explain_kind(e, 0), FWGEN_EXPLAIN_BASELINE);
	ck_assert_ptr_null(fwgen_explain_flow_id(e, 0));
	ck_assert_str_eq(fwgen_explain_peer_role(e, 0), "admin");
	ck_assert_str_eq(fwgen_explain_rule(e, 0), "baseline: management SSH from admin");
	fwgen_explain_free(e);
	e = demo_ask(&d, "admin", "tcp", 22, false);
	ck_assert(fwgen_explain_allowed(e));
	fwgen_explain_free(e);
	e = demo_ask(&d, "198.18.51.7", "tcp", 22, false);
	ck_assert(!fwgen_explain_allowed(e));
	fwgen_explain_free(e);
	e = demo_ask(&d, "user", "tcp", 22, false);
	ck_assert(!fwgen_explain_allowed(e));
	fwgen_explain_free(e);
	demo_close(&d);

	demo_open(&d, "topology: demo\nadmin_ssh: false\n", "web", NULL);
	e = demo_ask(&d, "admin", "tcp", 22, false);
	ck_assert(!fwgen_explain_allowed(e));
	fwgen_explain_free(e);
	demo_close(&d);
}
END_TEST

START_TEST(test_explain_redirect_before_input)
{
	struct demo d;
	struct fwgen_explain *e;
	char *text;

	demo_open(&d, NULL, "web", NULL);
	e = demo_ask(&d, "user", "udp", 69, false);
	ck_assert(fwgen_explain_allowed(e));
	ck_assert_uint_eq(fwgen_explain_redirect_port(e), 6969);
	ck_assert_str_eq(fwgen_explain_flow_id(e, 0), "pxe");
	text = written(&d, e);
	ck_assert_ptr_nonnull(strstr(text,
				     "Redirected to udp/6969 before the input chain, by \"pxe (d:t#5)\" in chain prerouting (flow pxe).\n"));
	ck_assert_ptr_nonnull(strstr(text, "rule: \"pxe (d:t#5)\" in chain in_udp_6969\n"));
	free(text);
	fwgen_explain_free(e);
	/* Not redirected for TCP: the redirect is UDP only. */
	e = demo_ask(&d, "user", "tcp", 69, false);
	ck_assert(!fwgen_explain_allowed(e));
	ck_assert_uint_eq(fwgen_explain_redirect_port(e), 0);
	fwgen_explain_free(e);
	demo_close(&d);
}
END_TEST

START_TEST(test_explain_any_peer_admits_every_role)
{
	struct demo d;
	struct fwgen_explain *e;
	char *text;

	/* user is not bound: any address, so a db host reaches web's 443 too. */
	demo_open(&d, NULL, "web", NULL);
	e = demo_ask(&d, "db", "tcp", 443, false);
	ck_assert(fwgen_explain_allowed(e));
	ck_assert_str_eq(fwgen_explain_peer_role(e, 0), "user");
	text = written(&d, e);
	ck_assert_ptr_nonnull(strstr(text,
				     "peer role user: not bound in the inventory, so any address, which includes the hosts of db\n"));
	free(text);
	fwgen_explain_free(e);
	/* Without a peer: who may connect at all. */
	e = demo_ask(&d, NULL, "tcp", 80, false);
	ck_assert(fwgen_explain_allowed(e));
	ck_assert_str_eq(fwgen_explain_flow_id(e, 0), "user-web");
	fwgen_explain_free(e);
	demo_close(&d);
}
END_TEST

START_TEST(test_explain_role_inside_another_roles_set)
{
	struct demo d;
	struct fwgen_explain *e;
	const char *want;
	char *text;

	/* db's one address lies in user's prefix: user's rule admits db hosts. */
	demo_open(&d, "topology: demo\nroles:\n  user: [198.18.100.0/24]\n  db: [198.18.100.5]\n",
		  "web", NULL);
	e = demo_ask(&d, "db", "tcp", 443, false);
	ck_assert(fwgen_explain_allowed(e));
	ck_assert_str_eq(fwgen_explain_peer_role(e, 0), "user");
	fwgen_explain_free(e);
	e = demo_ask(&d, "198.18.100.5", "tcp", 443, false);
	ck_assert(fwgen_explain_allowed(e));
	text = written(&d, e);
	want = "tcp/443 from 198.18.100.5 to this host (web), topology demo: allowed\n"
	       "198.18.100.5 is an inventory address of db, user\n"
	       "Roles that mean any address (not bound, or 'any'): web, admin, dns-server, time-source\n"
	       "\n";
	ck_assert_msg(strncmp(text, want, strlen(want)) == 0, "%s", text);
	free(text);
	fwgen_explain_free(e);
	e = demo_ask(&d, "198.18.101.5", "tcp", 443, false);
	ck_assert(!fwgen_explain_allowed(e));
	ck_assert_str_eq(miss_reason(e, "user-web"),
			 "admits peer role user, whose addresses do not include 198.18.101.5");
	fwgen_explain_free(e);
	/* IPv6 rules need IPv6 addresses: user has none. */
	e = demo_ask(&d, "2001:db8::5", "tcp", 443, false);
	ck_assert(!fwgen_explain_allowed(e));
	fwgen_explain_free(e);
	demo_close(&d);
}
END_TEST

START_TEST(test_explain_local_traffic_is_loopback)
{
	struct demo d;
	struct fwgen_explain *e;

	demo_open(&d, NULL, "web", "db");
	e = demo_ask(&d, "web", "tcp", 3306, false);
	ck_assert(!fwgen_explain_allowed(e));
	ck_assert_str_eq(miss_reason(e, "web-db"),
			 "web is a role this host holds too: traffic within the host, which the loopback rule admits");
	fwgen_explain_free(e);
	demo_close(&d);
}
END_TEST

START_TEST(test_explain_other_host_role)
{
	struct demo d;
	struct fwgen_explain *e;

	demo_open(&d, NULL, "web", NULL);
	e = demo_ask(&d, "web", "tcp", 3306, false);
	ck_assert(!fwgen_explain_allowed(e));
	ck_assert_str_eq(miss_reason(e, "web-db"), "serves host role db; this host holds web");
	fwgen_explain_free(e);
	demo_close(&d);
}
END_TEST

START_TEST(test_explain_egress_open_and_filtered)
{
	struct demo d;
	struct fwgen_explain *e;

	demo_open(&d, NULL, "web", NULL);
	e = demo_ask(&d, "db", "tcp", 3306, true);
	ck_assert(fwgen_explain_allowed(e));
	ck_assert_uint_eq(fwgen_explain_count(e), 1);
	ck_assert_int_eq(fwgen_explain_kind(e, 0), FWGEN_EXPLAIN_OPEN_EGRESS);
	ck_assert_ptr_null(fwgen_explain_rule(e, 0));
	ck_assert_str_eq(miss_reason(e, "web-db"),
			 "egress is open, so no rule is needed; under egress: filtered this flow lets it out");
	fwgen_explain_free(e);
	demo_close(&d);

	demo_open(&d, "topology: demo\negress: filtered\nroles:\n  db: [198.18.2.0/29]\n"
		      "  dns-server: [198.18.53.53]\n",
		  "web", NULL);
	e = demo_ask(&d, "198.18.2.3", "tcp", 3306, true);
	ck_assert(fwgen_explain_allowed(e));
	ck_assert_str_eq(fwgen_explain_flow_id(e, 0), "web-db");
	ck_assert_str_eq(fwgen_explain_peer_role(e, 0), "db");
	fwgen_explain_free(e);
	e = demo_ask(&d, "198.18.3.3", "tcp", 3306, true);
	ck_assert(!fwgen_explain_allowed(e));
	fwgen_explain_free(e);
	e = demo_ask(&d, "198.18.53.53", "udp", 53, true);
	ck_assert(fwgen_explain_allowed(e));
	ck_assert_int_eq(fwgen_explain_kind(e, 0), FWGEN_EXPLAIN_BASELINE);
	ck_assert_str_eq(fwgen_explain_rule(e, 0), "baseline: DNS to dns-server");
	fwgen_explain_free(e);
	e = demo_ask(&d, "198.18.53.54", "udp", 53, true);
	ck_assert(!fwgen_explain_allowed(e));
	fwgen_explain_free(e);
	demo_close(&d);
}
END_TEST

static const char group_yaml[] =
	"topology: group\n"
	"product: G\n"
	"summary: s\n"
	"documents:\n"
	"  d: {file: x.txt, tables: {t: \"T\"}}\n"
	"roles:\n"
	"  a: {kind: host}\n"
	"  b: {kind: host}\n"
	"  c: {kind: host}\n"
	"  d: {kind: host}\n"
	"  db: {kind: host}\n"
	"flows:\n"
	"  - {id: sql, from: [a, b, c, d], to: db, proto: tcp, ports: [3306], description: sql, source: \"d:t#1\"}\n";

/* One flow from many roles: its block once, its peer roles grouped by binding. */
START_TEST(test_explain_groups_peer_roles_of_one_flow)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = NULL;
	struct fwgen_inventory *inv = parse_inventory(ctx,
						      "topology: group\nroles:\n  a: [198.18.1.0/24]\n  b: any\n");
	struct fwgen_policy *pol;
	struct fwgen_explain *e;
	char path[] = "/tmp/fwgen-explain-XXXXXX.yaml", *buf = NULL;
	size_t len = 0;
	int fd = mkstemps(path, 5);
	FILE *f, *m;

	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	fputs(group_yaml, f);
	fclose(f);
	ck_assert_msg(fwgen_catalog_load_file(ctx, path, &cat) == 0, "%s", fwgen_ctx_error(ctx));
	unlink(path);
	pol = resolve1(ctx, cat, inv, "group", "db");
	e = ask(ctx, cat, pol, inv, NULL, "tcp", 3306, false);
	ck_assert_uint_eq(fwgen_explain_count(e), 4);
	ck_assert_str_eq(fwgen_explain_peer_role(e, 0), "a");
	ck_assert_str_eq(fwgen_explain_peer_role(e, 1), "b");
	ck_assert_str_eq(fwgen_explain_peer_role(e, 2), "c");
	ck_assert_str_eq(fwgen_explain_peer_role(e, 3), "d");
	m = open_memstream(&buf, &len);
	ck_assert_int_eq(fwgen_explain_write(ctx, e, m), 0);
	fclose(m);
	ck_assert_str_eq(buf,
			 "tcp/3306 from any peer to this host (db), topology group: allowed\n"
			 "\n"
			 "Admitted by:\n"
			 "  flow sql: sql\n"
			 "      a, b, c, d -> db  tcp/3306\n"
			 "      source: d:t#1\n"
			 "      peer role a: bound to 198.18.1.0/24\n"
			 "      peer roles c, d: not bound in the inventory, so any address\n"
			 "      peer role b: bound to any address\n"
			 "      rule: \"sql (d:t#1)\" in chain in_tcp_3306\n"
			 "\n"
			 "Replies and related packets then pass \"baseline: packets of allowed connections\".\n");
	free(buf);
	fwgen_explain_free(e);
	fwgen_policy_free(pol);
	fwgen_inventory_free(inv);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
}
END_TEST

START_TEST(test_explain_query_errors)
{
	struct demo d;
	struct fwgen_query *q = fwgen_query_new();
	struct fwgen_explain *e = NULL;

	demo_open(&d, NULL, "web", NULL);
	ck_assert_int_eq(fwgen_policy_explain(d.ctx, d.cat, d.pol, NULL, q, &e), -EINVAL);
	ck_assert_str_eq(fwgen_ctx_error(d.ctx),
			 "no service to explain: give PROTO/PORT, e.g. tcp/443");
	ck_assert_int_eq(fwgen_query_parse_service(d.ctx, q, "icmp/8"), -EINVAL);
	ck_assert_int_eq(fwgen_query_parse_service(d.ctx, q, "tcp/65536"), -EINVAL);
	ck_assert_int_eq(fwgen_query_parse_service(d.ctx, q, "tcp/"), -EINVAL);
	ck_assert_int_eq(fwgen_query_parse_service(d.ctx, q, "tcp/4x"), -EINVAL);
	ck_assert_int_eq(fwgen_query_parse_service(d.ctx, q, "443"), -EINVAL);
	ck_assert_str_eq(fwgen_ctx_error(d.ctx),
			 "service '443': give PROTO/PORT, e.g. tcp/443 or udp/53");
	ck_assert_int_eq(fwgen_query_set_peer(d.ctx, q, "198.18.0.0/24"), -EINVAL);
	ck_assert_str_eq(fwgen_ctx_error(d.ctx),
			 "peer '198.18.0.0/24': give one address, not a prefix");
	ck_assert_int_eq(fwgen_query_set_peer(d.ctx, q, "Bad Role"), -EINVAL);
	ck_assert_int_eq(fwgen_query_parse_service(d.ctx, q, "udp/53"), 0);
	ck_assert_int_eq(fwgen_query_set_peer(d.ctx, q, "nobody"), 0);
	ck_assert_int_eq(fwgen_policy_explain(d.ctx, d.cat, d.pol, NULL, q, &e), -EINVAL);
	ck_assert_ptr_null(e);
	ck_assert_str_eq(fwgen_ctx_error(d.ctx),
			 "unknown role 'nobody' in topology 'demo'");
	fwgen_query_free(q);
	fwgen_query_free(NULL);
	fwgen_explain_free(NULL);
	demo_close(&d);
}
END_TEST

/* A peer is a role only if a catalog could name it so (yd_is_name, YD_NAME_MAX). */
START_TEST(test_explain_peer_role_name_rules_of_the_catalog)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_query *q = fwgen_query_new();
	char name[YD_NAME_MAX + 2];

	ck_assert_ptr_nonnull(ctx);
	ck_assert_ptr_nonnull(q);
	memset(name, 'a', YD_NAME_MAX);
	name[YD_NAME_MAX] = '\0';
	ck_assert_int_eq(fwgen_query_set_peer(ctx, q, name), 0);
	name[YD_NAME_MAX] = 'a';
	name[YD_NAME_MAX + 1] = '\0';
	ck_assert_int_eq(fwgen_query_set_peer(ctx, q, name), -EINVAL);
	ck_assert_ptr_nonnull(strstr(fwgen_ctx_error(ctx),
				     "is neither a role name nor an address"));
	ck_assert_int_eq(fwgen_query_set_peer(ctx, q, "1db"), -EINVAL);
	ck_assert_int_eq(fwgen_query_set_peer(ctx, q, "-db"), -EINVAL);
	ck_assert_int_eq(fwgen_query_set_peer(ctx, q, "db_1-a"), 0);
	fwgen_query_free(q);
	fwgen_ctx_free(ctx);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("explain");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_explain_every_flow_of_the_demo);
	tcase_add_test(tc, test_explain_every_flow_of_every_shipped_topology);
	tcase_add_test(tc, test_explain_flow_names_source_row_and_rule);
	tcase_add_test(tc, test_explain_refusal_names_the_option);
	tcase_add_test(tc, test_explain_options_and_params_from_the_inventory);
	tcase_add_test(tc, test_explain_baseline_ssh_from_admin);
	tcase_add_test(tc, test_explain_redirect_before_input);
	tcase_add_test(tc, test_explain_any_peer_admits_every_role);
	tcase_add_test(tc, test_explain_role_inside_another_roles_set);
	tcase_add_test(tc, test_explain_local_traffic_is_loopback);
	tcase_add_test(tc, test_explain_other_host_role);
	tcase_add_test(tc, test_explain_egress_open_and_filtered);
	tcase_add_test(tc, test_explain_groups_peer_roles_of_one_flow);
	tcase_add_test(tc, test_explain_query_errors);
	tcase_add_test(tc, test_explain_peer_role_name_rules_of_the_catalog);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
