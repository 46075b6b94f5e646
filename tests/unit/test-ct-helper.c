/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Conntrack helpers (issue 15): the catalog's pxe-tftp flow gets a ct
 * helper object and the redirect rule assigns it, in the nft text, the
 * JSON, the libnftnl objects and the iptables output; bad 'helper' keys
 * are refused with their position.
 */
#include <errno.h>
#include <stdio.h>

#include <libnftnl/expr.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <linux/netfilter/nf_tables.h>

#include <fwgen/nftnl.h>

#include "testutil.h"

#include "model.h"
#include "policy.h"

static struct fwgen_policy *app_tier(struct fwgen_ctx *ctx,
				     const struct fwgen_catalog *cat)
{
	const char *role = "app-tier";
	struct fwgen_policy *pol = NULL;

	ck_assert_msg(fwgen_policy_resolve(ctx, cat, NULL, "morpheus-distributed",
					   &role, 1, 0, &pol) == 0,
		      "%s", fwgen_ctx_error(ctx));
	return pol;
}

static char *render(struct fwgen_ctx *ctx, const struct fwgen_policy *pol,
		    enum fwgen_format f)
{
	char *buf = NULL;

	ck_assert_msg(fwgen_policy_render_buf(ctx, pol, f, &buf, NULL) == 0, "%s",
		      fwgen_ctx_error(ctx));
	return buf;
}

START_TEST(test_ct_helper_in_every_format)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = load_real_catalog(ctx);
	struct fwgen_policy *pol = app_tier(ctx, cat);
	char *s;

	ck_assert_uint_eq(pol->nhelpers, 1);
	ck_assert_str_eq(pol->helpers[0].name, "tftp");
	ck_assert_str_eq(pol->helpers[0].type, "tftp");
	ck_assert_uint_eq(pol->helpers[0].l4proto, POL_L4_UDP);

	s = render(ctx, pol, FWGEN_FORMAT_NFT);
	ck_assert_msg(strstr(s, "\tct helper tftp {\n\t\ttype \"tftp\" protocol udp\n\t}\n"), "%s", s);
	ck_assert_msg(strstr(s, "udp dport 69 ct helper set \"tftp\" redirect to :6969 comment \"pxe-tftp"), "%s", s);
	free(s);

	s = render(ctx, pol, FWGEN_FORMAT_JSON);
	ck_assert_msg(strstr(s, "{\"add\": {\"ct helper\": {\"family\": \"inet\", \"table\": \"fwgen\", \"name\": \"tftp\", \"type\": \"tftp\", \"protocol\": \"udp\"}}}"), "%s", s);
	ck_assert_msg(strstr(s, "\"right\": 69}}, {\"ct helper\": \"tftp\"}, {\"redirect\": {\"port\": 6969}}]"), "%s", s);
	free(s);

	s = render(ctx, pol, FWGEN_FORMAT_IPTABLES);
	ck_assert_msg(strstr(s, "*raw\n:FWGEN-PREROUTING - [0:0]\n"
				"-A FWGEN-PREROUTING -p udp -m udp --dport 69 -m comment --comment \"pxe-tftp (morpheus:ports#12)\" -j CT --helper tftp\n"
				"-I PREROUTING 1 -j FWGEN-PREROUTING\nCOMMIT\n"),
		      "%s", s);
	/* The redirect itself stays in the nat table, without the helper. */
	ck_assert_msg(strstr(s, "--comment \"pxe-tftp (morpheus:ports#12)\" -j REDIRECT --to-ports 6969\n"), "%s", s);
	free(s);
	s = render(ctx, pol, FWGEN_FORMAT_IP6TABLES);
	ck_assert_msg(strstr(s, "-j CT --helper tftp\n"), "%s", s);
	free(s);

	/* `fwgen catalog show` names the helper on the flow's line. */
	{
		size_t len = 0;
		FILE *m = open_memstream(&s, &len);

		ck_assert_int_eq(fwgen_topology_describe(ctx,
							 fwgen_catalog_topology(ctx, cat, "morpheus-distributed"), m),
				 0);
		fclose(m);
		ck_assert_msg(strstr(s, "  pxe-tftp\n    managed-machine -> app-tier  udp 69 -> redirect 6969 (ct helper tftp)\n"),
			      "%s", s);
		free(s);
	}

	fwgen_policy_free(pol);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
}
END_TEST

/* The object and the objref as nft 1.0.6 encodes them (nft --debug=netlink). */
START_TEST(test_ct_helper_nftnl_objects)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = load_real_catalog(ctx);
	struct fwgen_policy *pol = app_tier(ctx, cat);
	struct fwgen_nftnl *o = NULL;
	struct nftnl_obj *obj;
	size_t i, refs = 0;

	ck_assert_int_eq(fwgen_policy_to_nftnl(ctx, pol, &o), 0);
	ck_assert_uint_eq(fwgen_nftnl_obj_count(o), 1);
	ck_assert_ptr_null(fwgen_nftnl_obj_at(o, 1));
	ck_assert_uint_eq(fwgen_nftnl_obj_count(NULL), 0);
	obj = fwgen_nftnl_obj_at(o, 0);
	ck_assert_ptr_nonnull(obj);
	ck_assert_uint_eq(nftnl_obj_get_u32(obj, NFTNL_OBJ_TYPE), NFT_OBJECT_CT_HELPER);
	ck_assert_str_eq(nftnl_obj_get_str(obj, NFTNL_OBJ_NAME), "tftp");
	ck_assert_str_eq(nftnl_obj_get_str(obj, NFTNL_OBJ_TABLE), "fwgen");
	ck_assert_str_eq(nftnl_obj_get_str(obj, NFTNL_OBJ_CT_HELPER_NAME), "tftp");
	ck_assert_uint_eq(nftnl_obj_get_u8(obj, NFTNL_OBJ_CT_HELPER_L4PROTO), 17);
	/* No l3proto: in an inet table the kernel takes both families. */
	ck_assert(!nftnl_obj_is_set(obj, NFTNL_OBJ_CT_HELPER_L3PROTO));
	for (i = 0; i < fwgen_nftnl_rule_count(o); i++) {
		struct nftnl_rule *r = fwgen_nftnl_rule_at(o, i);
		struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
		struct nftnl_expr *e;
		const char *prev = NULL;

		ck_assert_ptr_nonnull(it);
		while ((e = nftnl_expr_iter_next(it))) {
			const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);

			/* objref, then the redirect's immediate and redir. */
			if (prev && !strcmp(prev, "objref"))
				ck_assert_str_eq(name, "immediate");
			if (!strcmp(name, "objref")) {
				ck_assert_str_eq(nftnl_rule_get_str(r, NFTNL_RULE_CHAIN), "prerouting");
				ck_assert_uint_eq(nftnl_expr_get_u32(e, NFTNL_EXPR_OBJREF_IMM_TYPE),
						  NFT_OBJECT_CT_HELPER);
				ck_assert_str_eq(nftnl_expr_get_str(e, NFTNL_EXPR_OBJREF_IMM_NAME), "tftp");
				refs++;
			}
			prev = name;
		}
		nftnl_expr_iter_destroy(it);
	}
	ck_assert_uint_eq(refs, 1);
	fwgen_nftnl_free(o);
	fwgen_policy_free(pol);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
}
END_TEST

#define HEAD "topology: t\nproduct: P\nsummary: s\ndocuments:\n  d:\n    file: f\n    tables:\n      t: T\n" \
	     "roles:\n  h: {kind: host}\n  p: {kind: peer}\nflows:\n"

static const char *load_bad(struct fwgen_ctx *ctx, const char *text)
{
	struct fwgen_catalog *cat = NULL;

	ck_assert_int_eq(catalog_parse_buf(ctx, "F", text, strlen(text), &cat), -EINVAL);
	ck_assert_ptr_null(cat);
	return fwgen_ctx_error(ctx);
}

START_TEST(test_ct_helper_bad_catalog_keys)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = NULL;
	static const char good[] = HEAD
		"  - {id: a, from: p, to: h, proto: udp, ports: [69], description: x, source: \"d:t#1\", helper: tftp}\n";

	ck_assert_str_eq(load_bad(ctx, HEAD "  - {id: a, from: p, to: h, proto: udp, ports: [69], description: x, source: \"d:t#1\", helper: nope}\n"),
			 "F:13:95: unknown conntrack helper 'nope' (ftp, tftp, sip, irc, pptp, amanda, sane, snmp)");
	ck_assert_str_eq(load_bad(ctx, HEAD "  - {id: a, from: p, to: h, proto: tcp, ports: [69], description: x, source: \"d:t#1\", helper: tftp}\n"),
			 "F:13:95: helper 'tftp' needs 'proto: udp' alone");
	ck_assert_str_eq(load_bad(ctx, HEAD "  - {id: a, from: p, to: h, proto: udp, ports: [], description: x, source: \"d:t#1\", note: n, helper: tftp}\n"),
			 "F:13:102: 'helper' needs ports to match");
	ck_assert_int_eq(catalog_parse_buf(ctx, "F", good, strlen(good), &cat), 0);
	ck_assert_str_eq(cat->topos[0]->flows[0].helper, "tftp");
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ct-helper");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_ct_helper_in_every_format);
	tcase_add_test(tc, test_ct_helper_nftnl_objects);
	tcase_add_test(tc, test_ct_helper_bad_catalog_keys);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
