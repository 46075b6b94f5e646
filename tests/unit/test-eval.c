/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one policy evaluator (lib/policy/eval.c), through its two users: the
 * anti-lockout check (fwgen_policy_lockout_check) and explain. Each rule
 * shape is tried on hand-built policies -- protocol-only rules,
 * rate-limited accepts, drops, ct states, loopback, families, sets,
 * redirects, dispatch maps with a bad chain index, jump loops -- and both
 * users must give the same answer. Then every policy resolve makes from
 * the shipped catalog: the two agree on every TCP port it opens.
 */
#include <arpa/inet.h>

#include <fwgen/kernel.h>

#include "addr.h"
#include "eval.h"
#include "model.h"
#include "policy.h"
#include "policy-fixture.h"
#include "testutil.h"

#define SERVER "198.18.0.1"
#define SERVER6 "2001:db8::1"

struct fix {
	struct fwgen_ctx *ctx;
	struct fwgen_catalog *cat;
};

static struct fix fix_new(void)
{
	struct fix f;

	f.ctx = fwgen_ctx_new();
	f.cat = load_demo_catalog(f.ctx);
	return f;
}

static void fix_free(struct fix *f, struct fwgen_policy *pol)
{
	fwgen_policy_free(pol);
	fwgen_catalog_free(f->cat);
	fwgen_ctx_free(f->ctx);
}

/* Anti-lockout: would a new connection from client to tcp/port pass? */
static bool lockout_admits(struct fix *f, const struct fwgen_policy *pol,
			   const char *client, unsigned int port)
{
	char conn[128];
	int ret;

	snprintf(conn, sizeof(conn), "%s 50000 %s %u", client,
		 strchr(client, ':') ? SERVER6 : SERVER, port);
	ret = fwgen_policy_lockout_check(f->ctx, pol, conn);
	ck_assert_msg(ret == 0 || ret == -EACCES, "%s: %d %s", conn, ret,
		      fwgen_ctx_error(f->ctx));
	return ret == 0;
}

/* Explain: is proto/port from peer (an address) allowed? */
static bool explain_admits(struct fix *f, const struct fwgen_policy *pol,
			   const char *peer, const char *service)
{
	struct fwgen_query *q = fwgen_query_new();
	struct fwgen_explain *e = NULL;
	bool allowed;

	ck_assert_int_eq(fwgen_query_set_peer(f->ctx, q, peer), 0);
	ck_assert_int_eq(fwgen_query_parse_service(f->ctx, q, service), 0);
	ck_assert_msg(fwgen_policy_explain(f->ctx, f->cat, pol, NULL, q, &e) == 0,
		      "%s", fwgen_ctx_error(f->ctx));
	allowed = fwgen_explain_allowed(e);
	fwgen_explain_free(e);
	fwgen_query_free(q);
	return allowed;
}

/* Both users of the evaluator, on tcp/port from client: the same answer. */
static bool admits_tcp(struct fix *f, const struct fwgen_policy *pol,
		       const char *client, unsigned int port)
{
	char service[16];
	bool lo = lockout_admits(f, pol, client, port), ex;

	snprintf(service, sizeof(service), "tcp/%u", port);
	ex = explain_admits(f, pol, client, service);
	ck_assert_msg(lo == ex, "tcp/%u from %s: lockout says %d, explain %d",
		      port, client, lo, ex);
	return lo;
}

/* `meta l4proto udp accept`: no ports, and no TCP either. */
START_TEST(test_eval_protocol_only_rule)
{
	struct fix f = fix_new();
	struct fwgen_policy *pol = pol_new("demo");
	size_t in = add_chain(pol, "input", POL_HOOK_INPUT, true);

	add_rule(pol, in, "test rule", POL_VERDICT_ACCEPT)->l4proto = POL_L4_UDP;
	ck_assert(!admits_tcp(&f, pol, "198.18.5.5", 22));
	ck_assert(explain_admits(&f, pol, "198.18.5.5", "udp/53"));
	add_rule(pol, in, "test rule", POL_VERDICT_ACCEPT)->l4proto = POL_L4_TCP;
	ck_assert(admits_tcp(&f, pol, "198.18.5.5", 22));
	fix_free(&f, pol);
}
END_TEST

/* A rate-limited accept is not counted on; what follows it decides. */
START_TEST(test_eval_rate_limited_accept)
{
	struct fix f = fix_new();
	struct fwgen_policy *pol = pol_new("demo");
	size_t in = add_chain(pol, "input", POL_HOOK_INPUT, true);
	struct pol_rule *r = add_rule(pol, in, "test rule", POL_VERDICT_ACCEPT);

	rule_ports(r, POL_L4_TCP, "22");
	r->has_limit = true;
	r->limit_rate = 10;
	ck_assert(!admits_tcp(&f, pol, "198.18.5.5", 22));
	rule_ports(add_rule(pol, in, "test rule", POL_VERDICT_ACCEPT), POL_L4_TCP, "22");
	ck_assert(admits_tcp(&f, pol, "198.18.5.5", 22));
	fix_free(&f, pol);
}
END_TEST

/* The first verdict decides: a drop before an accept; ct and loopback. */
START_TEST(test_eval_order_ct_loopback_family)
{
	struct fix f = fix_new();
	struct fwgen_policy *pol = pol_new("demo");
	size_t in = add_chain(pol, "input", POL_HOOK_INPUT, true);
	struct pol_rule *r;

	add_rule(pol, in, "test rule", POL_VERDICT_DROP)->ct_states = POL_CT_INVALID;
	add_rule(pol, in, "test rule", POL_VERDICT_ACCEPT)->ct_states =
		POL_CT_ESTABLISHED | POL_CT_RELATED;
	add_rule(pol, in, "test rule", POL_VERDICT_ACCEPT)->iface = POL_IFACE_IIF_LO;
	ck_assert(!admits_tcp(&f, pol, "198.18.5.5", 22));
	ck_assert(lockout_admits(&f, pol, "127.0.0.1", 22)); /* on lo */
	r = add_rule(pol, in, "test rule", POL_VERDICT_ACCEPT);
	rule_ports(r, POL_L4_TCP, "22");
	r->family = 6;
	ck_assert(!admits_tcp(&f, pol, "198.18.5.5", 22));
	ck_assert(admits_tcp(&f, pol, "2001:db8::5", 22));
	/* A drop of tcp/22 before the accept that would admit it. */
	pol->chains[in].nrules--;
	free(r->comment);
	free(r->dports);
	rule_ports(add_rule(pol, in, "test rule", POL_VERDICT_DROP), POL_L4_TCP, "22");
	rule_ports(add_rule(pol, in, "test rule", POL_VERDICT_ACCEPT), POL_L4_TCP, "1-65535");
	ck_assert(!admits_tcp(&f, pol, "198.18.5.5", 22));
	ck_assert(admits_tcp(&f, pol, "198.18.5.5", 23));
	/* An input chain with policy accept admits what no rule decides. */
	pol->chains[in].policy_drop = false;
	ck_assert(!admits_tcp(&f, pol, "198.18.5.5", 22));
	ck_assert(admits_tcp(&f, pol, "198.18.5.5", 24));
	fix_free(&f, pol);
}
END_TEST

START_TEST(test_eval_address_set)
{
	struct fix f = fix_new();
	struct fwgen_policy *pol = pol_new("demo");
	size_t in = add_chain(pol, "input", POL_HOOK_INPUT, true);
	int users = add_set(pol, "user_v4", 4, "198.18.5.0/24");
	struct pol_rule *r = add_rule(pol, in, "test rule", POL_VERDICT_ACCEPT);

	rule_ports(r, POL_L4_TCP, "22");
	r->family = 4;
	r->saddr_set = users;
	ck_assert(admits_tcp(&f, pol, "198.18.5.5", 22));
	ck_assert(!admits_tcp(&f, pol, "198.18.6.5", 22));
	ck_assert(!lockout_admits(&f, pol, "198.18.6.5", 22));
	/* The refusal names the set that misses the client. */
	ck_assert_ptr_nonnull(strstr(fwgen_ctx_error(f.ctx), "only from set user_v4"));
	fix_free(&f, pol);
}
END_TEST

/*
 * A role split into its hash part and _net part: the hash part's rule
 * answers for both (a peer in either is admitted), and the twin for the
 * _net part is not walked, so it neither admits alone nor names a miss.
 */
START_TEST(test_eval_hash_part_answers_for_net_part)
{
	struct fix f = fix_new();
	struct fwgen_policy *pol = pol_new("demo");
	size_t in = add_chain(pol, "input", POL_HOOK_INPUT, true);
	int users = add_set_parts(pol, "user_v4", 4, "198.18.7.7", "198.18.5.0/24");
	struct pol_rule *r = add_rule(pol, in, "test rule", POL_VERDICT_ACCEPT);

	rule_ports(r, POL_L4_TCP, "22");
	r->family = 4;
	r->saddr_set = users;
	r = add_rule(pol, in, "test rule", POL_VERDICT_ACCEPT);
	rule_ports(r, POL_L4_TCP, "22");
	r->family = 4;
	r->saddr_set = users + 1;
	r->net = true;
	ck_assert(admits_tcp(&f, pol, "198.18.7.7", 22));
	ck_assert(admits_tcp(&f, pol, "198.18.5.5", 22));
	ck_assert(!admits_tcp(&f, pol, "198.18.6.5", 22));
	ck_assert(!lockout_admits(&f, pol, "198.18.6.5", 22));
	ck_assert_ptr_nonnull(strstr(fwgen_ctx_error(f.ctx), "only from set user_v4"));
	/* The twin alone admits nothing: evaluators skip it. */
	pol->chains[in].rules[0].l4proto = POL_L4_UDP;
	ck_assert(!admits_tcp(&f, pol, "198.18.5.5", 22));
	fix_free(&f, pol);
}
END_TEST

/* Dispatch maps: the chain of the port; a bad index and loops end. */
START_TEST(test_eval_dispatch_bounds)
{
	struct fix f = fix_new();
	struct fwgen_policy *pol = pol_new("demo");
	size_t in = add_chain(pol, "input", POL_HOOK_INPUT, true);
	size_t svc = add_chain(pol, "in_tcp_22", POL_HOOK_NONE, false);
	size_t loop = add_chain(pol, "in_tcp_23", POL_HOOK_NONE, false);
	struct pol_rule *d = add_rule(pol, in, "test rule", POL_VERDICT_VMAP);
	struct pol_rule *l;

	d->vmap = calloc(3, sizeof(*d->vmap));
	d->nvmap = 3;
	d->vmap[0] = (struct pol_vmap_elem){ POL_L4_TCP, { 22, 22 }, svc };
	d->vmap[1] = (struct pol_vmap_elem){ POL_L4_TCP, { 23, 23 }, loop };
	d->vmap[2] = (struct pol_vmap_elem){ POL_L4_TCP, { 24, 24 }, 1000 };
	add_rule(pol, svc, "test rule", POL_VERDICT_ACCEPT);
	/* in_tcp_23 jumps to itself: the walk must end, without a verdict. */
	l = add_rule(pol, loop, "test rule", POL_VERDICT_VMAP);
	l->vmap = calloc(1, sizeof(*l->vmap));
	l->nvmap = 1;
	l->vmap[0] = (struct pol_vmap_elem){ POL_L4_TCP, { 23, 23 }, loop };
	ck_assert(admits_tcp(&f, pol, "198.18.5.5", 22));
	ck_assert(!admits_tcp(&f, pol, "198.18.5.5", 23));
	ck_assert(!admits_tcp(&f, pol, "198.18.5.5", 24)); /* chain 1000 */
	ck_assert(!admits_tcp(&f, pol, "198.18.5.5", 25));
	ck_assert(!explain_admits(&f, pol, "198.18.5.5", "udp/22"));
	fix_free(&f, pol);
}
END_TEST

/* A prerouting redirect moves the port input sees. */
START_TEST(test_eval_redirect)
{
	struct fix f = fix_new();
	struct fwgen_policy *pol = pol_new("demo");
	size_t in = add_chain(pol, "input", POL_HOOK_INPUT, true);
	size_t pre = add_chain(pol, "prerouting", POL_HOOK_PREROUTING, false);
	struct pol_rule *r = add_rule(pol, pre, "test rule", POL_VERDICT_REDIRECT);

	rule_ports(r, POL_L4_TCP, "2222");
	r->redirect_port = 22;
	rule_ports(add_rule(pol, in, "test rule", POL_VERDICT_ACCEPT), POL_L4_TCP, "22");
	ck_assert(admits_tcp(&f, pol, "198.18.5.5", 2222));
	ck_assert(admits_tcp(&f, pol, "198.18.5.5", 22));
	ck_assert(!admits_tcp(&f, pol, "198.18.5.5", 2223));
	fix_free(&f, pol);
}
END_TEST

/*
 * Every policy resolve makes from the shipped catalog (each topology,
 * each host role, admin bound to one prefix): lockout and explain agree
 * on each TCP port the dispatch maps name, and on SSH, from an admin
 * address and from elsewhere.
 */
START_TEST(test_eval_resolved_policies_agree)
{
	struct fix f = { fwgen_ctx_new(), NULL };
	size_t t, i, c, k, nports = 0;

	f.cat = load_real_catalog(f.ctx);
	for (t = 0; t < fwgen_catalog_topology_count(f.cat); t++) {
		const struct fwgen_topology *topo = fwgen_catalog_topology_at(f.cat, t);
		struct fwgen_inventory *inv = fwgen_inventory_new();

		ck_assert_int_eq(fwgen_inventory_set_topology(f.ctx, inv,
							      fwgen_topology_name(topo)),
				 0);
		ck_assert_int_eq(fwgen_inventory_add_address(f.ctx, inv, "admin",
							     "198.18.9.0/24"),
				 0);
		for (i = 0; i < fwgen_topology_role_count(topo); i++) {
			bool is_host;
			const char *role = fwgen_topology_role_name(topo, i, &is_host);
			struct fwgen_policy *pol = NULL;

			if (!is_host)
				continue;
			ck_assert_msg(fwgen_policy_resolve(f.ctx, f.cat, inv, NULL, &role, 1,
							   0, &pol) == 0,
				      "%s", fwgen_ctx_error(f.ctx));
			free(pol->topology);
			pol->topology = strdup(fwgen_topology_name(topo));
			ck_assert(admits_tcp(&f, pol, "198.18.9.7", 22));
			/* A flow may open tcp/22 to others: only agreement counts. */
			admits_tcp(&f, pol, "198.18.200.7", 22);
			for (c = 0; c < pol->nchains; c++) {
				const struct pol_chain *ch = &pol->chains[c];

				if (ch->hook != POL_HOOK_INPUT)
					continue;
				for (k = 0; k < ch->nrules; k++) {
					const struct pol_rule *r = &ch->rules[k];
					size_t v;

					for (v = 0; v < r->nvmap; v++) {
						if (r->vmap[v].l4proto != POL_L4_TCP)
							continue;
						admits_tcp(&f, pol, "198.18.9.7", r->vmap[v].ports.lo);
						admits_tcp(&f, pol, "198.19.1.1", r->vmap[v].ports.hi);
						nports++;
					}
				}
			}
			fwgen_policy_free(pol);
		}
		fwgen_inventory_free(inv);
	}
	ck_assert_uint_gt(nports, 20);
	fix_free(&f, NULL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("eval");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_eval_protocol_only_rule);
	tcase_add_test(tc, test_eval_rate_limited_accept);
	tcase_add_test(tc, test_eval_order_ct_loopback_family);
	tcase_add_test(tc, test_eval_address_set);
	tcase_add_test(tc, test_eval_hash_part_answers_for_net_part);
	tcase_add_test(tc, test_eval_dispatch_bounds);
	tcase_add_test(tc, test_eval_redirect);
	tcase_add_test(tc, test_eval_resolved_policies_agree);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
