/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Resolve: every topology x host role of the shipped catalog, and the
 * semantics (union, local flows, same-role flows, options, params,
 * redirects, egress, strict) on the demo product.
 */
#include <errno.h>

#include "testutil.h"

#include "model.h"
#include "policy.h"
#include "policy_build.h"

static const struct pol_chain *chain(const struct fwgen_policy *pol,
				     const char *name)
{
	size_t i;

	for (i = 0; i < pol->nchains; i++) {
		if (strcmp(pol->chains[i].name, name) == 0)
			return &pol->chains[i];
	}
	return NULL;
}

static struct fwgen_policy *resolve(struct fwgen_ctx *ctx,
				    const struct fwgen_catalog *cat,
				    const struct fwgen_inventory *inv,
				    const char *topo, const char *r1,
				    const char *r2)
{
	const char *roles[2] = { r1, r2 };
	struct fwgen_policy *pol = NULL;
	int ret = fwgen_policy_resolve(ctx, cat, inv, topo, roles, r2 ? 2 : 1,
				       0, &pol);

	ck_assert_msg(ret == 0, "%s: %s", r1, fwgen_ctx_error(ctx));
	return pol;
}

static void check_shape(const struct fwgen_policy *pol)
{
	const struct pol_chain *in = chain(pol, "input");
	size_t c, r;

	ck_assert_ptr_nonnull(in);
	ck_assert_int_eq(in->hook, POL_HOOK_INPUT);
	ck_assert(in->policy_drop);
	ck_assert_uint_ge(in->nrules, 8);
	ck_assert_uint_eq(in->rules[0].ct_states, POL_CT_INVALID);
	ck_assert_int_eq(in->rules[0].verdict, POL_VERDICT_DROP);
	for (c = 0; c < pol->nchains; c++) {
		for (r = 0; r < pol->chains[c].nrules; r++) {
			const char *cm = pol->chains[c].rules[r].comment;

			ck_assert_ptr_nonnull(cm);
			ck_assert_uint_lt(strlen(cm), 128);
		}
	}
}

START_TEST(test_resolve_every_topology_and_host_role)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = load_real_catalog(ctx);
	size_t i, r, n = 0;

	for (i = 0; i < fwgen_catalog_topology_count(cat); i++) {
		const struct fwgen_topology *t = fwgen_catalog_topology_at(cat, i);

		for (r = 0; r < fwgen_topology_role_count(t); r++) {
			bool host;
			const char *role = fwgen_topology_role_name(t, r, &host);
			struct fwgen_policy *pol;

			if (!host)
				continue;
			pol = resolve(ctx, cat, NULL, fwgen_topology_name(t), role, NULL);
			check_shape(pol);
			ck_assert_str_eq(pol->table, "fwgen");
			ck_assert_uint_eq(pol->nroles, 1);
			fwgen_policy_free(pol);
			n++;
		}
	}
	ck_assert_uint_ge(n, 20);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
}
END_TEST

/*
 * Issue 15: no host role, named alone with the options at their defaults,
 * yields a policy without catalog flows (remote_catalog's catalog-server
 * did). Inbound: some flow admits peers, unless the catalog marks the role
 * no_inbound. With egress filtered every host role has some flow.
 */
static size_t count_flows(const struct fwgen_policy *pol, bool inbound_only)
{
	size_t i, n = 0;

	for (i = 0; i < pol->nflows; i++) {
		if (!inbound_only || pol->flows[i].inbound)
			n++;
	}
	return n;
}

START_TEST(test_resolve_no_host_role_is_silently_empty)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = load_real_catalog(ctx);
	size_t i, r, n = 0;

	for (i = 0; i < cat->ntopos; i++) {
		const struct fwgen_topology *t = cat->topos[i];
		struct fwgen_inventory *filtered = fwgen_inventory_new();

		ck_assert_ptr_nonnull(filtered);
		fwgen_inventory_set_egress(filtered, FWGEN_EGRESS_FILTERED);
		ck_assert_int_eq(fwgen_inventory_set_topology(ctx, filtered, t->name), 0);
		for (r = 0; r < t->nroles; r++) {
			const struct role *role = &t->roles[r];
			struct fwgen_policy *pol;

			if (!role->host)
				continue;
			pol = resolve(ctx, cat, NULL, t->name, role->name, NULL);
			if (role->no_inbound)
				ck_assert_msg(count_flows(pol, true) == 0,
					      "%s/%s is marked no_inbound but admits a flow",
					      t->name, role->name);
			else
				ck_assert_msg(count_flows(pol, true) > 0,
					      "%s/%s named alone admits no catalog flow",
					      t->name, role->name);
			fwgen_policy_free(pol);
			pol = resolve(ctx, cat, filtered, NULL, role->name, NULL);
			ck_assert_msg(count_flows(pol, false) > 0,
				      "%s/%s with egress filtered has no catalog flow",
				      t->name, role->name);
			fwgen_policy_free(pol);
			n++;
		}
		fwgen_inventory_free(filtered);
	}
	ck_assert_uint_ge(n, 20);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
}
END_TEST

/*
 * An option a host role implies (remote_catalog by catalog-server) is on
 * when the role is named or bound, in every host's ruleset; an inventory
 * that turns it off is an error naming the option.
 */
START_TEST(test_resolve_role_implies_option)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = load_real_catalog(ctx);
	struct fwgen_inventory *bound = parse_inventory(ctx,
							"topology: tachyon-single-server\negress: filtered\n"
							"roles:\n  catalog-server: [198.18.10.30]\n");
	struct fwgen_inventory *off = parse_inventory(ctx,
						      "topology: tachyon-single-server\noptions:\n  remote_catalog: false\n");
	const char *cs[] = { "catalog-server" };
	struct fwgen_policy *pol = NULL;
	size_t i;
	bool to_catalog = false;

	pol = resolve(ctx, cat, NULL, "tachyon-single-server", "catalog-server", NULL);
	ck_assert_ptr_nonnull(chain(pol, "in_tcp_80"));
	fwgen_policy_free(pol);
	/* Unbound: the server has no remote catalog to reach. */
	pol = resolve(ctx, cat, NULL, "tachyon-single-server", "server", NULL);
	for (i = 0; i < pol->nflows; i++)
		ck_assert_str_ne(pol->flows[i].flow->id, "server-catalog");
	fwgen_policy_free(pol);
	/* Bound in the inventory: the server's ruleset follows. */
	pol = resolve(ctx, cat, bound, NULL, "server", NULL);
	for (i = 0; i < pol->nflows; i++) {
		if (strcmp(pol->flows[i].flow->id, "server-catalog") == 0)
			to_catalog = true;
	}
	ck_assert(to_catalog);
	fwgen_policy_free(pol);
	pol = NULL;
	ck_assert_int_eq(fwgen_policy_resolve(ctx, cat, off, NULL, cs, 1, 0, &pol), -EINVAL);
	ck_assert_str_eq(fwgen_ctx_error(ctx),
			 "inv.yaml:3:3: option 'remote_catalog' is false, but role 'catalog-server' (named as a host role) needs it: set 'remote_catalog: true' or drop the role");
	ck_assert_ptr_null(pol);
	fwgen_inventory_free(bound);
	fwgen_inventory_free(off);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
}
END_TEST

START_TEST(test_resolve_union_of_two_roles_without_duplicates)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = load_demo_catalog(ctx);
	struct fwgen_inventory *inv = parse_inventory(ctx,
						      "topology: demo\nroles:\n  web: [198.18.1.10]\n  db: [198.18.2.1]\n");
	struct fwgen_policy *pol = resolve(ctx, cat, inv, NULL, "web", "db");
	const struct pol_chain *c;

	ck_assert_uint_eq(pol->nroles, 2);
	ck_assert_str_eq(pol->roles[0], "db");
	ck_assert_str_eq(pol->roles[1], "web");
	/*
	 * web -> db: bound, so other web hosts still need it; once per
	 * family, each with its twin for the prefixes' part.
	 */
	c = chain(pol, "in_tcp_3306");
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->nrules, 4);
	ck_assert_str_eq(pol->sets[c->rules[0].saddr_set].name, "web_v4");
	ck_assert_str_eq(pol->sets[c->rules[1].saddr_set].name, "web_v4_net");
	ck_assert_str_eq(pol->sets[c->rules[2].saddr_set].name, "web_v6");
	ck_assert_str_eq(pol->sets[c->rules[3].saddr_set].name, "web_v6_net");
	ck_assert(!c->rules[0].net && c->rules[1].net);
	ck_assert(!c->rules[2].net && c->rules[3].net);
	ck_assert_str_eq(c->rules[0].comment, "web-db (d:t#2)");
	ck_assert_str_eq(c->rules[1].comment, "web-db (d:t#2)");
	ck_assert_uint_eq(chain(pol, "in_tcp_443")->nrules, 1);
	fwgen_policy_free(pol);
	fwgen_inventory_free(inv);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
}
END_TEST

START_TEST(test_resolve_local_flow_needs_no_rule_when_peer_unbound)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = load_demo_catalog(ctx);
	struct fwgen_policy *pol = resolve(ctx, cat, NULL, "demo", "web", "db");

	ck_assert_ptr_null(chain(pol, "in_tcp_3306"));
	/* Same-role cluster traffic is between different hosts: kept. */
	ck_assert_ptr_nonnull(chain(pol, "in_tcp_4560-4570"));
	ck_assert_ptr_nonnull(chain(pol, "in_udp_4560-4570"));
	fwgen_policy_free(pol);
	pol = resolve(ctx, cat, NULL, "demo", "db", NULL);
	ck_assert_ptr_nonnull(chain(pol, "in_tcp_3306"));
	ck_assert_int_eq(chain(pol, "in_tcp_3306")->rules[0].saddr_set, -1);
	fwgen_policy_free(pol);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
}
END_TEST

START_TEST(test_resolve_options_and_params)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = load_demo_catalog(ctx);
	struct fwgen_inventory *inv = parse_inventory(ctx,
						      "topology: demo\nparams:\n  https_port: [8443, 9443]\noptions:\n  legacy: true\n");
	struct fwgen_policy *pol = resolve(ctx, cat, NULL, "demo", "web", NULL);

	ck_assert_ptr_null(chain(pol, "in_tcp_8080"));
	ck_assert_ptr_nonnull(chain(pol, "in_tcp_443"));
	fwgen_policy_free(pol);
	pol = resolve(ctx, cat, inv, NULL, "web", NULL);
	ck_assert_ptr_nonnull(chain(pol, "in_tcp_8080"));
	ck_assert_ptr_null(chain(pol, "in_tcp_443"));
	ck_assert_ptr_nonnull(chain(pol, "in_tcp_8443"));
	ck_assert_ptr_nonnull(chain(pol, "in_tcp_9443"));
	fwgen_policy_free(pol);
	fwgen_inventory_free(inv);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
}
END_TEST

START_TEST(test_resolve_redirect_accepts_the_target_port)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = load_demo_catalog(ctx);
	struct fwgen_policy *pol = resolve(ctx, cat, NULL, "demo", "web", NULL);
	const struct pol_chain *pre = chain(pol, "prerouting");

	ck_assert_ptr_nonnull(pre);
	ck_assert_int_eq(pre->type, POL_CHAIN_NAT);
	ck_assert_int_eq(pre->priority, -100);
	ck_assert_uint_eq(pre->nrules, 1);
	ck_assert_int_eq(pre->rules[0].verdict, POL_VERDICT_REDIRECT);
	ck_assert_uint_eq(pre->rules[0].redirect_port, 6969);
	ck_assert_uint_eq(pre->rules[0].dports[0].lo, 69);
	ck_assert_ptr_nonnull(chain(pol, "in_udp_6969"));
	ck_assert_ptr_null(chain(pol, "in_udp_69"));
	fwgen_policy_free(pol);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
}
END_TEST

START_TEST(test_resolve_egress_filtered_adds_output)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = load_demo_catalog(ctx);
	struct fwgen_inventory *inv = parse_inventory(ctx,
						      "topology: demo\negress: filtered\nroles:\n  db: [198.18.2.1]\n");
	struct fwgen_policy *pol = resolve(ctx, cat, NULL, "demo", "web", NULL);
	const struct pol_chain *out;

	ck_assert_ptr_null(chain(pol, "output"));
	fwgen_policy_free(pol);
	pol = resolve(ctx, cat, inv, NULL, "web", NULL);
	out = chain(pol, "output");
	ck_assert_ptr_nonnull(out);
	ck_assert(out->policy_drop);
	ck_assert_int_eq(out->rules[2].iface, POL_IFACE_OIF_LO);
	ck_assert_uint_eq(chain(pol, "out_tcp_3306")->nrules, 4);
	ck_assert_str_eq(pol->sets[chain(pol, "out_tcp_3306")->rules[0].daddr_set].name, "db_v4");
	fwgen_policy_free(pol);
	fwgen_inventory_free(inv);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
}
END_TEST

/* The set of a role's part by name, or NULL. */
static const struct pol_set *set_named(const struct fwgen_policy *pol,
				       const char *name)
{
	size_t i;

	for (i = 0; i < pol->nsets; i++)
		if (strcmp(pol->sets[i].name, name) == 0)
			return &pol->sets[i];
	return NULL;
}

/*
 * Hosts go to a hash set sized for live adds, prefixes (and ranges that
 * merged) to the _net interval set; both parts exist whatever the shape.
 */
START_TEST(test_resolve_hosts_hash_prefixes_interval)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = load_demo_catalog(ctx);
	struct fwgen_inventory *inv = parse_inventory(ctx,
						      "topology: demo\nroles:\n"
						      "  web: [198.18.1.10, 198.18.1.12, 198.18.4.0/24, 198.18.5.1, 198.18.5.2]\n"
						      "  db: [198.18.2.0/24, \"2001:db8:2::1\"]\n");
	struct fwgen_policy *pol = resolve(ctx, cat, inv, NULL, "db", NULL);
	const struct pol_set *h, *n;
	size_t i;

	/* Mixed: two hosts; a prefix and a range of two adjacent hosts. */
	h = set_named(pol, "web_v4");
	n = set_named(pol, "web_v4_net");
	ck_assert_ptr_nonnull(h);
	ck_assert_ptr_nonnull(n);
	ck_assert(h->hash && !n->hash);
	ck_assert_uint_eq(h->nelems, 2);
	ck_assert_uint_eq(h->size, POL_HASH_MIN_SIZE);
	ck_assert_str_eq(pol->sets[h->net].name, "web_v4_net");
	ck_assert_uint_eq(n->nelems, 2);
	ck_assert_int_eq(n->net, -1);
	/* Host-only (db v6) and prefix-only (db v4): the other part empty. */
	ck_assert_uint_eq(set_named(pol, "db_v6")->nelems, 1);
	ck_assert_uint_eq(set_named(pol, "db_v6_net")->nelems, 0);
	ck_assert_uint_eq(set_named(pol, "db_v4")->nelems, 0);
	ck_assert_uint_eq(set_named(pol, "db_v4_net")->nelems, 1);
	/* Sorted by name, as the renderers and diff expect. */
	for (i = 1; i < pol->nsets; i++)
		ck_assert_int_lt(strcmp(pol->sets[i - 1].name, pol->sets[i].name), 0);
	ck_assert_uint_eq(policy_set_size(0), 1024);
	ck_assert_uint_eq(policy_set_size(512), 1024);
	ck_assert_uint_eq(policy_set_size(513), 2048);
	ck_assert_uint_eq(policy_set_size(100000), 262144);
	fwgen_policy_free(pol);
	fwgen_inventory_free(inv);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
}
END_TEST

START_TEST(test_resolve_errors)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = load_demo_catalog(ctx);
	struct fwgen_inventory *inv = parse_inventory(ctx,
						      "topology: demo\nroles:\n  wbe: any\n");
	struct fwgen_policy *pol = NULL;
	const char *web[] = { "web" }, *user[] = { "user" }, *nope[] = { "nope" };

	ck_assert_int_eq(fwgen_policy_resolve(ctx, cat, inv, NULL, web, 1, 0, &pol), -EINVAL);
	ck_assert_str_eq(fwgen_ctx_error(ctx),
			 "inv.yaml:3:3: unknown role 'wbe' in topology 'demo'");
	ck_assert_int_eq(fwgen_policy_resolve(ctx, cat, NULL, "demo", user, 1, 0, &pol), -EINVAL);
	ck_assert_str_eq(fwgen_ctx_error(ctx),
			 "'user' is a peer role of 'demo', not a host role; host roles: web, db");
	ck_assert_int_eq(fwgen_policy_resolve(ctx, cat, NULL, "demo", nope, 1, 0, &pol), -EINVAL);
	ck_assert_int_eq(fwgen_policy_resolve(ctx, cat, NULL, "other", web, 1, 0, &pol), -ENOENT);
	ck_assert_int_eq(fwgen_policy_resolve(ctx, cat, NULL, NULL, web, 1, 0, &pol), -EINVAL);
	ck_assert_int_eq(fwgen_policy_resolve(ctx, cat, NULL, "demo", web, 1,
					      FWGEN_RESOLVE_STRICT, &pol),
			 -EINVAL);
	ck_assert_str_eq(fwgen_ctx_error(ctx),
			 "role 'user' is not bound in the inventory, and the resolve is strict: give its addresses or the word any");
	ck_assert_ptr_null(pol);
	fwgen_inventory_free(inv);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
}
END_TEST

START_TEST(test_resolve_admin_ssh_narrowed_or_off)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = load_demo_catalog(ctx);
	struct fwgen_inventory *on = parse_inventory(ctx,
						     "topology: demo\nroles:\n  admin: [198.18.9.0/24]\n");
	struct fwgen_inventory *off = parse_inventory(ctx,
						      "topology: demo\nadmin_ssh: false\n");
	struct fwgen_policy *pol = resolve(ctx, cat, on, NULL, "web", NULL);
	const struct pol_chain *in = chain(pol, "input");
	size_t i, ssh = 0;

	for (i = 0; i < in->nrules; i++) {
		if (strcmp(in->rules[i].comment, "baseline: management SSH from admin") == 0) {
			ck_assert_int_ge(in->rules[i].saddr_set, 0);
			ssh++;
		}
	}
	ck_assert_uint_eq(ssh, 4); /* per family, hash part and _net part */
	fwgen_policy_free(pol);
	pol = resolve(ctx, cat, off, NULL, "web", NULL);
	in = chain(pol, "input");
	for (i = 0; i < in->nrules; i++)
		ck_assert_str_ne(in->rules[i].comment, "baseline: management SSH from admin");
	fwgen_policy_free(pol);
	fwgen_inventory_free(on);
	fwgen_inventory_free(off);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
}
END_TEST

/*
 * An inventory for one topology resolved as another is an error naming
 * the inventory's line; a failed resolve leaves the caller's policy alone.
 */
START_TEST(test_resolve_topology_mismatch_and_all_or_nothing)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = load_real_catalog(ctx);
	struct fwgen_inventory *inv = parse_inventory(ctx,
						      "topology: morpheus-distributed\n");
	const char *roles[] = { "app-tier" };
	struct fwgen_policy *pol = NULL, *old;

	ck_assert_int_eq(fwgen_policy_resolve(ctx, cat, inv, NULL, roles, 1, 0, &pol), 0);
	old = pol;
	ck_assert_int_eq(fwgen_policy_resolve(ctx, cat, inv, "tachyon-single-server",
					      roles, 1, 0, &pol),
			 -EINVAL);
	ck_assert_str_eq(fwgen_ctx_error(ctx),
			 "inv.yaml:1:11: the inventory is for topology 'morpheus-distributed', not 'tachyon-single-server'");
	ck_assert_ptr_eq(pol, old);
	ck_assert_int_eq(fwgen_policy_resolve(ctx, cat, inv, NULL, roles, 1, 0x80, &pol), -EINVAL);
	ck_assert_ptr_eq(pol, old);
	ck_assert_int_eq(fwgen_policy_resolve(ctx, cat, inv, "morpheus-distributed",
					      roles, 1, 0, &pol),
			 0);
	ck_assert_ptr_ne(pol, old);
	fwgen_policy_free(old);
	fwgen_policy_free(pol);
	fwgen_inventory_free(inv);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
}
END_TEST

/*
 * The policy copies what it takes from the inventory (addresses, params,
 * options, table, mode), so the inventory may be freed at once: rendering
 * and explaining afterwards give the same answers. Under ASan
 * (tests/run-sanitizers.sh) a pointer kept into the inventory is a
 * use-after-free; without it, free() scribbles over what a borrow would
 * read, and the texts would differ.
 */
START_TEST(test_resolve_policy_outlives_its_inventory)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = load_demo_catalog(ctx);
	struct fwgen_inventory *inv = parse_inventory(ctx,
						      "topology: demo\ntable: shop\nmode: audit\negress: filtered\n"
						      "params:\n  https_port: [8443, 9443]\noptions:\n  legacy: true\n"
						      "roles:\n  user: [198.18.1.0/24, \"2001:db8:1::/64\"]\n"
						      "  db: [198.18.2.1]\n  admin: [198.18.9.9]\n");
	struct fwgen_policy *pol = resolve(ctx, cat, inv, NULL, "web", NULL);
	/* iptables has no audit mode: the formats that render this policy. */
	enum fwgen_format fmt[] = { FWGEN_FORMAT_NFT, FWGEN_FORMAT_JSON,
				    FWGEN_FORMAT_IPSET };
	char *before[3], *after;
	struct fwgen_query *q = fwgen_query_new();
	struct fwgen_explain *e = NULL;
	size_t i;

	for (i = 0; i < 3; i++)
		ck_assert_int_eq(fwgen_policy_render_buf(ctx, pol, fmt[i], &before[i], NULL), 0);
	fwgen_inventory_free(inv);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(fwgen_policy_render_buf(ctx, pol, fmt[i], &after, NULL), 0);
		ck_assert_str_eq(after, before[i]);
		free(after);
		free(before[i]);
	}
	ck_assert_str_eq(fwgen_policy_table(pol), "shop");
	ck_assert_int_eq(fwgen_policy_mode(pol), FWGEN_MODE_AUDIT);
	ck_assert_ptr_nonnull(strstr(pol->sets[0].name, "_v"));
	/* Explain reads the flows the policy borrows from the catalog. */
	ck_assert_int_eq(fwgen_query_set_peer(ctx, q, "198.18.1.7"), 0);
	ck_assert_int_eq(fwgen_query_set_service(ctx, q, "tcp", 9443), 0);
	ck_assert_msg(fwgen_policy_explain(ctx, cat, pol, NULL, q, &e) == 0, "%s",
		      fwgen_ctx_error(ctx));
	ck_assert(fwgen_explain_allowed(e));
	ck_assert_uint_eq(fwgen_explain_count(e), 1);
	ck_assert_str_eq(fwgen_explain_flow_id(e, 0), "user-web");
	fwgen_explain_free(e);
	fwgen_query_free(q);
	fwgen_policy_free(pol);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("resolve");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_resolve_every_topology_and_host_role);
	tcase_add_test(tc, test_resolve_no_host_role_is_silently_empty);
	tcase_add_test(tc, test_resolve_role_implies_option);
	tcase_add_test(tc, test_resolve_topology_mismatch_and_all_or_nothing);
	tcase_add_test(tc, test_resolve_union_of_two_roles_without_duplicates);
	tcase_add_test(tc, test_resolve_local_flow_needs_no_rule_when_peer_unbound);
	tcase_add_test(tc, test_resolve_options_and_params);
	tcase_add_test(tc, test_resolve_redirect_accepts_the_target_port);
	tcase_add_test(tc, test_resolve_egress_filtered_adds_output);
	tcase_add_test(tc, test_resolve_errors);
	tcase_add_test(tc, test_resolve_hosts_hash_prefixes_interval);
	tcase_add_test(tc, test_resolve_admin_ssh_narrowed_or_off);
	tcase_add_test(tc, test_resolve_policy_outlives_its_inventory);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
