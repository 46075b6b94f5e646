/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Issue 12 without a kernel: the inventory's mode and the flags that win
 * over it, what audit changes in the policy (and what it does not), the
 * formats' mode headers, and fwgen_status: its argument checks, getters
 * and the three renderings of a known status.
 */
#include <fwgen/status.h>

#include "policy.h"
#include "render.h"
#include "status-priv.h"
#include "testutil.h"

static const char demo_inv[] =
	"topology: demo\n"
	"egress: filtered\n"
	"roles:\n"
	"  web: [198.18.0.10]\n"
	"  user: [198.18.1.0/24, \"2001:db8:1::/48\"]\n"
	"  admin: [198.18.2.1]\n";

static struct fwgen_policy *resolve_demo(struct fwgen_ctx *ctx,
					 const char *extra, unsigned int flags)
{
	struct fwgen_catalog *cat = load_demo_catalog(ctx);
	struct fwgen_inventory *inv;
	struct fwgen_policy *pol = NULL;
	const char *roles[] = { "web" };
	char text[1024];

	snprintf(text, sizeof(text), "%s%s", demo_inv, extra);
	inv = parse_inventory(ctx, text);
	ck_assert_msg(fwgen_policy_resolve(ctx, cat, inv, NULL, roles, 1, flags,
					   &pol) == 0,
		      "%s", fwgen_ctx_error(ctx));
	fwgen_inventory_free(inv);
	fwgen_catalog_free(cat);
	return pol;
}

static const struct pol_chain *chain_named(const struct fwgen_policy *pol,
					   const char *name)
{
	size_t i;

	for (i = 0; i < pol->nchains; i++)
		if (!strcmp(pol->chains[i].name, name))
			return &pol->chains[i];
	return NULL;
}

START_TEST(test_mode_from_inventory_and_flags)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_policy *pol;

	pol = resolve_demo(ctx, "", 0);
	ck_assert_int_eq(fwgen_policy_mode(pol), FWGEN_MODE_ENFORCE);
	fwgen_policy_free(pol);
	pol = resolve_demo(ctx, "mode: audit\n", 0);
	ck_assert_int_eq(fwgen_policy_mode(pol), FWGEN_MODE_AUDIT);
	fwgen_policy_free(pol);
	/* The flag wins over the file, both ways. */
	pol = resolve_demo(ctx, "mode: audit\n", FWGEN_RESOLVE_ENFORCE);
	ck_assert_int_eq(fwgen_policy_mode(pol), FWGEN_MODE_ENFORCE);
	fwgen_policy_free(pol);
	pol = resolve_demo(ctx, "mode: enforce\n", FWGEN_RESOLVE_AUDIT);
	ck_assert_int_eq(fwgen_policy_mode(pol), FWGEN_MODE_AUDIT);
	fwgen_policy_free(pol);
	ck_assert_int_eq(fwgen_policy_mode(NULL), FWGEN_MODE_INVALID);
	fwgen_ctx_free(ctx);
}
END_TEST

START_TEST(test_mode_errors)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = load_demo_catalog(ctx);
	struct fwgen_inventory *inv = NULL;
	struct fwgen_policy *pol = NULL;
	const char *roles[] = { "web" };
	const char bad[] = "mode: permissive\n";

	ck_assert_int_eq(fwgen_inventory_parse(ctx, "inv.yaml", bad, strlen(bad), &inv),
			 -EINVAL);
	ck_assert_str_eq(fwgen_ctx_error(ctx), "inv.yaml:1:7: 'mode' must be enforce or audit");
	ck_assert_int_eq(fwgen_policy_resolve(ctx, cat, NULL, "demo", roles, 1,
					      FWGEN_RESOLVE_AUDIT | FWGEN_RESOLVE_ENFORCE,
					      &pol),
			 -EINVAL);
	ck_assert_ptr_null(pol);
	ck_assert_ptr_nonnull(strstr(fwgen_ctx_error(ctx), "FWGEN_RESOLVE_ENFORCE"));
	inv = fwgen_inventory_new();
	ck_assert_int_eq(fwgen_inventory_set_mode(ctx, inv, FWGEN_MODE_AUDIT), 0);
	ck_assert_int_eq(fwgen_inventory_set_mode(ctx, inv, (enum fwgen_mode)7), -EINVAL);
	ck_assert_ptr_nonnull(strstr(fwgen_ctx_error(ctx), "invalid argument (mode"));
	ck_assert_int_eq(fwgen_inventory_set_mode(ctx, NULL, FWGEN_MODE_AUDIT), -EINVAL);
	ck_assert_int_eq(fwgen_inventory_set_topology(ctx, inv, "demo"), 0);
	ck_assert_int_eq(fwgen_policy_resolve(ctx, cat, inv, NULL, roles, 1, 0, &pol), 0);
	ck_assert_int_eq(fwgen_policy_mode(pol), FWGEN_MODE_AUDIT);
	fwgen_policy_free(pol);
	fwgen_inventory_free(inv);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
}
END_TEST

/*
 * Audit and enforce differ in the filter base chains' policy and nothing
 * else: same chains, same rules in the same order.
 */
START_TEST(test_audit_changes_only_the_policy)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_policy *en = resolve_demo(ctx, "", 0);
	struct fwgen_policy *au = resolve_demo(ctx, "", FWGEN_RESOLVE_AUDIT);
	size_t i, j, counted = 0;

	ck_assert_uint_eq(en->nchains, au->nchains);
	ck_assert_uint_eq(en->nrefused, 4); /* in and out (egress filtered), v4 and v6 */
	ck_assert_uint_eq(au->nrefused, 4);
	for (i = 0; i < en->nchains; i++) {
		const struct pol_chain *a = &en->chains[i], *b = &au->chains[i];
		bool filter_base = a->hook != POL_HOOK_NONE && a->type == POL_CHAIN_FILTER;

		ck_assert_str_eq(a->name, b->name);
		ck_assert_uint_eq(a->nrules, b->nrules);
		ck_assert_int_eq(a->policy_drop, filter_base);
		ck_assert_int_eq(b->policy_drop, false);
		for (j = 0; j < a->nrules; j++) {
			char *ta = NULL, *tb = NULL;
			size_t la, lb;
			FILE *fa = open_memstream(&ta, &la), *fb = open_memstream(&tb, &lb);

			render_nft_rule(en, &a->rules[j], fa);
			render_nft_rule(au, &b->rules[j], fb);
			fclose(fa);
			fclose(fb);
			ck_assert_str_eq(ta, tb);
			/* Every catalog flow rule of a filter chain counts. */
			if (a->type == POL_CHAIN_FILTER && a->rules[j].flow_id) {
				ck_assert(a->rules[j].counter);
				counted++;
			} else {
				ck_assert(!a->rules[j].counter);
			}
			free(ta);
			free(tb);
		}
	}
	ck_assert_uint_gt(counted, 0);
	/* The refused updates sit before the log, at the end of each base chain. */
	{
		const struct pol_chain *in = chain_named(au, "input");
		const struct pol_rule *last = &in->rules[in->nrules - 1];

		ck_assert_ptr_nonnull(last->log_prefix);
		for (i = 2; i <= 5; i++)
			ck_assert_uint_ne(in->rules[in->nrules - i].refused, 0);
	}
	fwgen_policy_free(en);
	fwgen_policy_free(au);
	fwgen_ctx_free(ctx);
}
END_TEST

START_TEST(test_formats_state_the_mode)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_policy *au = resolve_demo(ctx, "mode: audit\n", 0);
	struct fwgen_policy *en = resolve_demo(ctx, "", 0);
	char *buf = NULL;

	ck_assert_int_eq(fwgen_policy_render_buf(ctx, au, FWGEN_FORMAT_NFT, &buf, NULL), 0);
	ck_assert_ptr_nonnull(strstr(buf, "\n# mode: audit "));
	ck_assert_ptr_nonnull(strstr(buf, "type filter hook input priority filter; policy accept;"));
	ck_assert_ptr_nonnull(strstr(buf, "comment \"managed by fwgen; topology demo; role web\""));
	free(buf);
	ck_assert_int_eq(fwgen_policy_render_buf(ctx, au, FWGEN_FORMAT_JSON, &buf, NULL), 0);
	ck_assert_ptr_nonnull(strstr(buf, "\"fwgen_mode\": \"audit\""));
	free(buf);
	ck_assert_int_eq(fwgen_policy_render_buf(ctx, au, FWGEN_FORMAT_IPSET, &buf, NULL), 0);
	ck_assert_ptr_nonnull(strstr(buf, "\n# mode: audit\n"));
	free(buf);
	buf = NULL;
	ck_assert_int_eq(fwgen_policy_render_buf(ctx, au, FWGEN_FORMAT_IPTABLES, &buf, NULL),
			 -EOPNOTSUPP);
	ck_assert_ptr_nonnull(strstr(fwgen_ctx_error(ctx), "audit mode needs nftables"));
	free(buf);
	buf = NULL;
	ck_assert_int_eq(fwgen_policy_render_buf(ctx, au, FWGEN_FORMAT_IP6TABLES, &buf, NULL),
			 -EOPNOTSUPP);
	free(buf);
	ck_assert_int_eq(fwgen_policy_render_buf(ctx, en, FWGEN_FORMAT_IPTABLES, &buf, NULL), 0);
	ck_assert_ptr_nonnull(strstr(buf, "\n# mode: enforce\n"));
	free(buf);
	ck_assert_int_eq(fwgen_policy_render_buf(ctx, en, FWGEN_FORMAT_NFT, &buf, NULL), 0);
	ck_assert_ptr_nonnull(strstr(buf, "\n# mode: enforce\n"));
	ck_assert_ptr_nonnull(strstr(buf, "type filter hook input priority filter; policy drop;"));
	free(buf);
	fwgen_policy_free(au);
	fwgen_policy_free(en);
	fwgen_ctx_free(ctx);
}
END_TEST

/* The table comment: nft's 128-byte limit, cut visibly. */
START_TEST(test_table_comment_is_bounded)
{
	struct fwgen_policy pol = { 0 };
	char *roles[20], names[20][40], *c;
	size_t i;

	pol.topology = "demo";
	for (i = 0; i < 20; i++) {
		snprintf(names[i], sizeof(names[i]), "a-rather-long-role-name-%02zu", i);
		roles[i] = names[i];
	}
	pol.roles = roles;
	pol.nroles = 1;
	c = render_table_comment(&pol);
	ck_assert_str_eq(c, "managed by fwgen; topology demo; role a-rather-long-role-name-00");
	free(c);
	pol.nroles = 20;
	c = render_table_comment(&pol);
	ck_assert_uint_eq(strlen(c), RENDER_TABLE_COMMENT_MAX);
	ck_assert_str_eq(c + RENDER_TABLE_COMMENT_MAX - 3, "...");
	ck_assert(!strncmp(c, "managed by fwgen; topology demo; roles a-rather-long-role-name-00, ", 67));
	/* Cut or not, the comment still marks the table as fwgen's. */
	ck_assert(render_comment_is_fwgens(c));
	free(c);
	ck_assert(render_comment_is_fwgens("managed by fwgen"));
	ck_assert(!render_comment_is_fwgens("managed by fwgen2"));
	ck_assert(!render_comment_is_fwgens("fwgen: topology demo; role web"));
	ck_assert(!render_comment_is_fwgens(""));
	ck_assert(!render_comment_is_fwgens(NULL));
}
END_TEST

START_TEST(test_status_arguments)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_status *st = (struct fwgen_status *)1;

	ck_assert_int_eq(fwgen_status_read(NULL, NULL, &st), -EINVAL);
	ck_assert_int_eq(fwgen_status_read(ctx, NULL, NULL), -EINVAL);
	ck_assert_ptr_nonnull(strstr(fwgen_ctx_error(ctx), "invalid argument (out)"));
	ck_assert_int_eq(fwgen_status_read(ctx, "Bad;Name", &st), -EINVAL);
	ck_assert_ptr_eq(st, (struct fwgen_status *)1);
	ck_assert_ptr_nonnull(strstr(fwgen_ctx_error(ctx), "table name 'Bad;Name' must be"));
	ck_assert_int_eq(fwgen_status_render(ctx, NULL, FWGEN_STATUS_JSON, stdout), -EINVAL);
	ck_assert_int_eq(fwgen_status_render(NULL, NULL, FWGEN_STATUS_JSON, stdout), -EINVAL);
	/* Getters of nothing: nothing, never a crash. */
	ck_assert_ptr_null(fwgen_status_table(NULL));
	ck_assert_int_eq(fwgen_status_mode(NULL), FWGEN_MODE_INVALID);
	ck_assert_ptr_null(fwgen_status_topology(NULL));
	ck_assert_uint_eq(fwgen_status_role_count(NULL), 0);
	ck_assert_ptr_null(fwgen_status_role_at(NULL, 0));
	ck_assert_uint_eq(fwgen_status_flow_count(NULL), 0);
	ck_assert_ptr_null(fwgen_status_flow_id(NULL, 0));
	ck_assert_uint_eq(fwgen_status_flow_packets(NULL, 0), 0);
	ck_assert_uint_eq(fwgen_status_flow_bytes(NULL, 0), 0);
	ck_assert_uint_eq(fwgen_status_refused_count(NULL), 0);
	ck_assert_int_eq(fwgen_status_refused_family(NULL, 0), -EINVAL);
	ck_assert(!fwgen_status_refused_outbound(NULL, 0));
	ck_assert_ptr_null(fwgen_status_refused_address(NULL, 0));
	ck_assert_uint_eq(fwgen_status_refused_proto(NULL, 0), 0);
	ck_assert_uint_eq(fwgen_status_refused_port(NULL, 0), 0);
	ck_assert_uint_eq(fwgen_status_refused_packets(NULL, 0), 0);
	fwgen_status_free(NULL);
	fwgen_ctx_free(ctx);
}
END_TEST

/* A status as status.c leaves it: sorted flows, refused largest first. */
static void fixture(struct fwgen_status *st, struct status_flow *flows,
		    struct status_refused *refused, char **roles)
{
	memset(st, 0, sizeof(*st));
	st->table = "fwgen";
	st->audit = true;
	st->topology = "tachyon-single-server";
	roles[0] = "server";
	st->roles = roles;
	st->nroles = 1;
	flows[0] = (struct status_flow){ "browser-https", 12, 3180 };
	flows[1] = (struct status_flow){ "switch", 0, 0 };
	st->flows = flows;
	st->nflows = 2;
	refused[0] = (struct status_refused){ 4, false, "198.18.0.3", 6, 8443, 3 };
	refused[1] = (struct status_refused){ 6, true, "2001:db8::7", 17, 53, 1 };
	st->refused = refused;
	st->nrefused = 2;
}

static char *render(const struct fwgen_status *st, enum fwgen_status_format f)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	char *buf = NULL;
	size_t len;
	FILE *out = open_memstream(&buf, &len);

	ck_assert_int_eq(fwgen_status_render(ctx, st, f, out), 0);
	fclose(out);
	fwgen_ctx_free(ctx);
	return buf;
}

START_TEST(test_status_renderings)
{
	struct status_flow flows[2];
	struct status_refused refused[2];
	struct fwgen_status st;
	char *roles[1], *got;
	struct fwgen_ctx *ctx = fwgen_ctx_new();

	fixture(&st, flows, refused, roles);
	got = render(&st, FWGEN_STATUS_JSON);
	ck_assert_str_eq(got,
			 "{\n"
			 "  \"version\": 1,\n"
			 "  \"table\": \"fwgen\",\n"
			 "  \"mode\": \"audit\",\n"
			 "  \"topology\": \"tachyon-single-server\",\n"
			 "  \"roles\": [\"server\"],\n"
			 "  \"flows\": [\n"
			 "    {\"id\": \"browser-https\", \"packets\": 12, \"bytes\": 3180},\n"
			 "    {\"id\": \"switch\", \"packets\": 0, \"bytes\": 0}\n"
			 "  ],\n"
			 "  \"refused\": [\n"
			 "    {\"family\": 4, \"direction\": \"in\", \"address\": \"198.18.0.3\", \"proto\": \"tcp\", \"port\": 8443, \"packets\": 3},\n"
			 "    {\"family\": 6, \"direction\": \"out\", \"address\": \"2001:db8::7\", \"proto\": \"udp\", \"port\": 53, \"packets\": 1}\n"
			 "  ]\n"
			 "}\n");
	free(got);
	got = render(&st, FWGEN_STATUS_PROMETHEUS);
	ck_assert_ptr_nonnull(strstr(got, "\nfwgen_audit_mode{table=\"fwgen\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(got, "\nfwgen_flow_packets_total{table=\"fwgen\",flow=\"browser-https\"} 12\n"));
	ck_assert_ptr_nonnull(strstr(got, "\nfwgen_flow_bytes_total{table=\"fwgen\",flow=\"browser-https\"} 3180\n"));
	ck_assert_ptr_nonnull(strstr(got, "\nfwgen_refused_entries{table=\"fwgen\"} 2\n"));
	ck_assert_ptr_nonnull(strstr(got,
				     "\nfwgen_refused_packets_total{table=\"fwgen\",family=\"6\",direction=\"out\",address=\"2001:db8::7\",proto=\"udp\",port=\"53\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(got, "# TYPE fwgen_flow_packets_total counter\n"));
	free(got);
	got = render(&st, FWGEN_STATUS_TEXT);
	ck_assert_ptr_nonnull(strstr(got, "table inet fwgen: audit mode"));
	ck_assert_ptr_nonnull(strstr(got, "applied for: topology tachyon-single-server, role server\n"));
	ck_assert_ptr_nonnull(strstr(got, "would be refused: 2, largest count first\n"));
	free(got);

	/* Unknown applied-for, nothing counted: JSON null and empty lists. */
	st.topology = NULL;
	st.nroles = st.nflows = st.nrefused = 0;
	st.audit = false;
	got = render(&st, FWGEN_STATUS_JSON);
	ck_assert_str_eq(got,
			 "{\n  \"version\": 1,\n  \"table\": \"fwgen\",\n  \"mode\": \"enforce\",\n"
			 "  \"topology\": null,\n  \"roles\": [],\n  \"flows\": [],\n  \"refused\": []\n}\n");
	free(got);
	ck_assert_int_eq(fwgen_status_render(ctx, &st, (enum fwgen_status_format)9, stdout),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(fwgen_ctx_error(ctx), "unknown format"));
	/* Getters in range and out. */
	fixture(&st, flows, refused, roles);
	ck_assert_str_eq(fwgen_status_flow_id(&st, 1), "switch");
	ck_assert_ptr_null(fwgen_status_flow_id(&st, 2));
	ck_assert_uint_eq(fwgen_status_refused_port(&st, 0), 8443);
	ck_assert(fwgen_status_refused_outbound(&st, 1));
	ck_assert_uint_eq(fwgen_status_refused_packets(&st, 2), 0);
	ck_assert_int_eq(fwgen_status_mode(&st), FWGEN_MODE_AUDIT);
	fwgen_ctx_free(ctx);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("status");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_mode_from_inventory_and_flags);
	tcase_add_test(tc, test_mode_errors);
	tcase_add_test(tc, test_audit_changes_only_the_policy);
	tcase_add_test(tc, test_formats_state_the_mode);
	tcase_add_test(tc, test_table_comment_is_bounded);
	tcase_add_test(tc, test_status_arguments);
	tcase_add_test(tc, test_status_renderings);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
