/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The JSON renderer on a policy built by hand: exact bytes for every IR
 * construct, escaping of hostile strings, refusal of a broken policy.
 * tests/netns/test-json.sh proves nft -j -f loads what it writes.
 */
#include <stdio.h>

#include "testutil.h"
#include "render-fixture.h"

static const char fixture_json[] =
	"{\"nftables\": [\n"
	"{\"metainfo\": {\"json_schema_version\": 1, \"fwgen_mode\": \"enforce\"}},\n"
	"{\"add\": {\"table\": {\"family\": \"inet\", \"name\": \"fwgen\"}}},\n"
	"{\"delete\": {\"table\": {\"family\": \"inet\", \"name\": \"fwgen\"}}},\n"
	"{\"add\": {\"table\": {\"family\": \"inet\", \"name\": \"fwgen\"}}},\n"
	"{\"add\": {\"set\": {\"family\": \"inet\", \"table\": \"fwgen\", \"name\": \"admin_v4\", \"type\": \"ipv4_addr\", \"flags\": [\"interval\"], \"elem\": [\n"
	"    {\"prefix\": {\"addr\": \"198.18.9.0\", \"len\": 24}},\n"
	"    {\"prefix\": {\"addr\": \"198.18.12.0\", \"len\": 22}},\n"
	"    {\"range\": [\"198.18.20.1\", \"198.18.20.5\"]}\n"
	"  ]}}},\n"
	"{\"add\": {\"set\": {\"family\": \"inet\", \"table\": \"fwgen\", \"name\": \"admin_v6\", \"type\": \"ipv6_addr\", \"flags\": [\"interval\"], \"elem\": [\n"
	"    {\"prefix\": {\"addr\": \"2001:db8:9::\", \"len\": 48}},\n"
	"    \"2001:db8:a::1\"\n"
	"  ]}}},\n"
	"{\"add\": {\"chain\": {\"family\": \"inet\", \"table\": \"fwgen\", \"name\": \"input\", \"type\": \"filter\", \"hook\": \"input\", \"prio\": 0, \"policy\": \"drop\"}}},\n"
	"{\"add\": {\"chain\": {\"family\": \"inet\", \"table\": \"fwgen\", \"name\": \"in_tcp_443\"}}},\n"
	"{\"add\": {\"chain\": {\"family\": \"inet\", \"table\": \"fwgen\", \"name\": \"in_tcp_2382-2383\"}}},\n"
	"{\"add\": {\"chain\": {\"family\": \"inet\", \"table\": \"fwgen\", \"name\": \"output\", \"type\": \"filter\", \"hook\": \"output\", \"prio\": 0, \"policy\": \"drop\"}}},\n"
	"{\"add\": {\"chain\": {\"family\": \"inet\", \"table\": \"fwgen\", \"name\": \"prerouting\", \"type\": \"nat\", \"hook\": \"prerouting\", \"prio\": -100, \"policy\": \"accept\"}}},\n"
	"{\"add\": {\"rule\": {\"family\": \"inet\", \"table\": \"fwgen\", \"chain\": \"input\", \"expr\": [{\"match\": {\"op\": \"in\", \"left\": {\"ct\": {\"key\": \"state\"}}, \"right\": \"invalid\"}}, {\"drop\": null}], \"comment\": \"baseline: drop invalid packets\"}}},\n"
	"{\"add\": {\"rule\": {\"family\": \"inet\", \"table\": \"fwgen\", \"chain\": \"input\", \"expr\": [{\"match\": {\"op\": \"in\", \"left\": {\"ct\": {\"key\": \"state\"}}, \"right\": [\"established\", \"related\"]}}, {\"accept\": null}], \"comment\": \"baseline: packets of allowed connections\"}}},\n"
	"{\"add\": {\"rule\": {\"family\": \"inet\", \"table\": \"fwgen\", \"chain\": \"input\", \"expr\": [{\"match\": {\"op\": \"==\", \"left\": {\"meta\": {\"key\": \"iif\"}}, \"right\": \"lo\"}}, {\"accept\": null}], \"comment\": \"baseline: loopback\"}}},\n"
	"{\"add\": {\"rule\": {\"family\": \"inet\", \"table\": \"fwgen\", \"chain\": \"input\", \"expr\": [{\"match\": {\"op\": \"==\", \"left\": {\"payload\": {\"protocol\": \"icmp\", \"field\": \"type\"}}, \"right\": {\"set\": [\"destination-unreachable\", \"time-exceeded\", \"parameter-problem\"]}}}, {\"accept\": null}], \"comment\": \"baseline: ICMP errors networks need\"}}},\n"
	"{\"add\": {\"rule\": {\"family\": \"inet\", \"table\": \"fwgen\", \"chain\": \"input\", \"expr\": [{\"match\": {\"op\": \"==\", \"left\": {\"payload\": {\"protocol\": \"icmp\", \"field\": \"type\"}}, \"right\": \"echo-request\"}}, {\"limit\": {\"rate\": 10, \"burst\": 20, \"per\": \"second\"}}, {\"accept\": null}], \"comment\": \"baseline: ping, rate-limited\"}}},\n"
	"{\"add\": {\"rule\": {\"family\": \"inet\", \"table\": \"fwgen\", \"chain\": \"input\", \"expr\": [{\"match\": {\"op\": \"==\", \"left\": {\"payload\": {\"protocol\": \"icmpv6\", \"field\": \"type\"}}, \"right\": {\"set\": [\"destination-unreachable\", \"packet-too-big\", \"nd-neighbor-solicit\", \"nd-neighbor-advert\"]}}}, {\"accept\": null}], \"comment\": \"baseline: ICMPv6 errors, neighbour discovery\"}}},\n"
	"{\"add\": {\"rule\": {\"family\": \"inet\", \"table\": \"fwgen\", \"chain\": \"input\", \"expr\": [{\"match\": {\"op\": \"==\", \"left\": {\"payload\": {\"protocol\": \"ip\", \"field\": \"saddr\"}}, \"right\": \"@admin_v4\"}}, {\"match\": {\"op\": \"==\", \"left\": {\"payload\": {\"protocol\": \"tcp\", \"field\": \"dport\"}}, \"right\": 22}}, {\"accept\": null}], \"comment\": \"baseline: management SSH from admin\"}}},\n"
	"{\"add\": {\"rule\": {\"family\": \"inet\", \"table\": \"fwgen\", \"chain\": \"input\", \"expr\": [{\"match\": {\"op\": \"==\", \"left\": {\"payload\": {\"protocol\": \"ip6\", \"field\": \"saddr\"}}, \"right\": \"@admin_v6\"}}, {\"match\": {\"op\": \"==\", \"left\": {\"payload\": {\"protocol\": \"tcp\", \"field\": \"dport\"}}, \"right\": 22}}, {\"accept\": null}], \"comment\": \"baseline: management SSH from admin\"}}},\n"
	"{\"add\": {\"rule\": {\"family\": \"inet\", \"table\": \"fwgen\", \"chain\": \"input\", \"expr\": [{\"vmap\": {\"key\": {\"concat\": [{\"meta\": {\"key\": \"l4proto\"}}, {\"payload\": {\"protocol\": \"th\", \"field\": \"dport\"}}]}, \"data\": {\"set\": [[{\"concat\": [\"tcp\", 443]}, {\"jump\": {\"target\": \"in_tcp_443\"}}], [{\"concat\": [\"tcp\", {\"range\": [2382, 2383]}]}, {\"jump\": {\"target\": \"in_tcp_2382-2383\"}}]]}}}], \"comment\": \"catalog flows: dispatch by protocol and port\"}}},\n"
	"{\"add\": {\"rule\": {\"family\": \"inet\", \"table\": \"fwgen\", \"chain\": \"input\", \"expr\": [{\"limit\": {\"rate\": 6, \"burst\": 10, \"per\": \"minute\"}}, {\"log\": {\"prefix\": \"fwgen drop in: \"}}], \"comment\": \"baseline: log what is dropped, rate-limited\"}}},\n"
	"{\"add\": {\"rule\": {\"family\": \"inet\", \"table\": \"fwgen\", \"chain\": \"in_tcp_443\", \"expr\": [{\"accept\": null}], \"comment\": \"user-web (d:t#1)\"}}},\n"
	"{\"add\": {\"rule\": {\"family\": \"inet\", \"table\": \"fwgen\", \"chain\": \"in_tcp_2382-2383\", \"expr\": [{\"match\": {\"op\": \"==\", \"left\": {\"payload\": {\"protocol\": \"ip\", \"field\": \"saddr\"}}, \"right\": \"@admin_v4\"}}, {\"accept\": null}], \"comment\": \"admin-ssas (d:t#7)\"}}},\n"
	"{\"add\": {\"rule\": {\"family\": \"inet\", \"table\": \"fwgen\", \"chain\": \"in_tcp_2382-2383\", \"expr\": [{\"match\": {\"op\": \"==\", \"left\": {\"payload\": {\"protocol\": \"ip6\", \"field\": \"saddr\"}}, \"right\": \"@admin_v6\"}}, {\"accept\": null}], \"comment\": \"admin-ssas (d:t#7)\"}}},\n"
	"{\"add\": {\"rule\": {\"family\": \"inet\", \"table\": \"fwgen\", \"chain\": \"output\", \"expr\": [{\"match\": {\"op\": \"==\", \"left\": {\"meta\": {\"key\": \"oif\"}}, \"right\": \"lo\"}}, {\"accept\": null}], \"comment\": \"baseline: loopback\"}}},\n"
	"{\"add\": {\"rule\": {\"family\": \"inet\", \"table\": \"fwgen\", \"chain\": \"output\", \"expr\": [{\"match\": {\"op\": \"==\", \"left\": {\"payload\": {\"protocol\": \"ip\", \"field\": \"daddr\"}}, \"right\": \"@admin_v4\"}}, {\"match\": {\"op\": \"==\", \"left\": {\"payload\": {\"protocol\": \"tcp\", \"field\": \"dport\"}}, \"right\": {\"set\": [80, 443, {\"range\": [8000, 8010]}]}}}, {\"accept\": null}], \"comment\": \"web-proxy (d:t#9)\"}}},\n"
	"{\"add\": {\"rule\": {\"family\": \"inet\", \"table\": \"fwgen\", \"chain\": \"output\", \"expr\": [{\"match\": {\"op\": \"==\", \"left\": {\"meta\": {\"key\": \"nfproto\"}}, \"right\": \"ipv4\"}}, {\"match\": {\"op\": \"==\", \"left\": {\"payload\": {\"protocol\": \"udp\", \"field\": \"dport\"}}, \"right\": 123}}, {\"accept\": null}], \"comment\": \"baseline: NTP, IPv4 only\"}}},\n"
	"{\"add\": {\"rule\": {\"family\": \"inet\", \"table\": \"fwgen\", \"chain\": \"prerouting\", \"expr\": [{\"match\": {\"op\": \"==\", \"left\": {\"payload\": {\"protocol\": \"udp\", \"field\": \"dport\"}}, \"right\": 69}}, {\"redirect\": {\"port\": 6969}}], \"comment\": \"pxe (d:t#5)\"}}}\n"
	"]}\n";

/* Renders with render_json() itself, so a failure leaves what was written. */
static char *render_raw(const struct fwgen_policy *pol, int *ret)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(out);
	*ret = render_json(ctx, pol, out);
	ck_assert_int_eq(fclose(out), 0);
	fwgen_ctx_free(ctx);
	return buf;
}

START_TEST(test_render_json_fixture_exact)
{
	struct fwgen_policy *pol = fx_policy();
	int ret;
	char *got = fx_render(pol, FWGEN_FORMAT_JSON, &ret);

	ck_assert_int_eq(ret, 0);
	ck_assert_msg(strcmp(got, fixture_json) == 0, "got:\n%s", got);
	free(got);
	fwgen_policy_free(pol);
}
END_TEST

START_TEST(test_render_json_same_bytes_twice)
{
	struct fwgen_policy *pol = fx_policy();
	int r1, r2;
	char *a = fx_render(pol, FWGEN_FORMAT_JSON, &r1);
	char *b = fx_render(pol, FWGEN_FORMAT_JSON, &r2);

	ck_assert_int_eq(r1, 0);
	ck_assert_int_eq(r2, 0);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	fwgen_policy_free(pol);
}
END_TEST

START_TEST(test_render_json_hostile_comment_escaped)
{
	struct fwgen_policy *pol = fx_policy();
	struct pol_rule *r = &pol->chains[1].rules[0];
	int ret;
	char *got;

	free(r->comment);
	/* Quotes and brackets that would end the string and the document. */
	r->comment = strdup("x\"}]}, {\"delete\": 1} \\ \"\nline\ttab\x01 \xc3\xa9 \xff\xc3 end");
	got = fx_render(pol, FWGEN_FORMAT_JSON, &ret);
	ck_assert_int_eq(ret, 0);
	ck_assert_msg(strstr(got, "\"comment\": \"x\\\"}]}, {\\\"delete\\\": 1} \\\\ \\\"\\nline\\ttab\\u0001 \xc3\xa9 \\ufffd\\ufffd end\"}}},\n") != NULL,
		      "got:\n%s", got);
	free(got);
	fwgen_policy_free(pol);
}
END_TEST

START_TEST(test_render_json_hostile_names_escaped)
{
	struct fwgen_policy *pol = fx_policy();
	int ret;
	char *got;

	free(pol->table);
	pol->table = strdup("fw\"x");
	free(pol->sets[0].name);
	pol->sets[0].name = strdup("a\\\"b");
	free(pol->chains[1].name);
	pol->chains[1].name = strdup("in\ntcp");
	got = fx_render(pol, FWGEN_FORMAT_JSON, &ret);
	ck_assert_int_eq(ret, 0);
	ck_assert_ptr_nonnull(strstr(got, "{\"delete\": {\"table\": {\"family\": \"inet\", \"name\": \"fw\\\"x\"}}},\n"));
	ck_assert_ptr_nonnull(strstr(got, "\"right\": \"@a\\\\\\\"b\"}}"));
	ck_assert_ptr_nonnull(strstr(got, "{\"jump\": {\"target\": \"in\\ntcp\"}}"));
	ck_assert_ptr_null(strstr(got, "fw\"x"));
	free(got);
	fwgen_policy_free(pol);
}
END_TEST

START_TEST(test_render_json_empty_policy_is_the_table_alone)
{
	struct fwgen_policy *pol = fx_empty_policy();
	int ret;
	char *got = fx_render(pol, FWGEN_FORMAT_JSON, &ret);

	ck_assert_int_eq(ret, 0);
	ck_assert_str_eq(got,
			 "{\"nftables\": [\n"
			 "{\"metainfo\": {\"json_schema_version\": 1, \"fwgen_mode\": \"enforce\"}},\n"
			 "{\"add\": {\"table\": {\"family\": \"inet\", \"name\": \"fwgen\"}}},\n"
			 "{\"delete\": {\"table\": {\"family\": \"inet\", \"name\": \"fwgen\"}}},\n"
			 "{\"add\": {\"table\": {\"family\": \"inet\", \"name\": \"fwgen\"}}}\n"
			 "]}\n");
	free(got);
	fwgen_policy_free(pol);
}
END_TEST

START_TEST(test_render_json_empty_set_has_no_elements)
{
	struct fwgen_policy *pol = fx_empty_policy();
	int ret;
	char *got;

	fx_set(pol, "db", 6);
	got = fx_render(pol, FWGEN_FORMAT_JSON, &ret);
	ck_assert_int_eq(ret, 0);
	ck_assert_ptr_nonnull(strstr(got,
				     "{\"add\": {\"set\": {\"family\": \"inet\", \"table\": \"fwgen\", \"name\": \"db_v6\", "
				     "\"type\": \"ipv6_addr\", \"flags\": [\"interval\"]}}}\n]}\n"));
	free(got);
	fwgen_policy_free(pol);
}
END_TEST

START_TEST(test_render_json_unnamed_icmp_type_is_a_number)
{
	static const uint8_t types[] = { 8, 42 };
	struct fwgen_policy *pol = fx_empty_policy();
	size_t c = fx_chain(pol, "input", POL_HOOK_INPUT, POL_CHAIN_FILTER, 0, true);
	struct pol_rule *r = fx_rule(pol, c, "icmp");
	int ret;
	char *got;

	ck_assert_int_eq(rule_set_icmp(r, 4, types, 2), 0);
	r->verdict = POL_VERDICT_ACCEPT;
	got = fx_render(pol, FWGEN_FORMAT_JSON, &ret);
	ck_assert_int_eq(ret, 0);
	ck_assert_ptr_nonnull(strstr(got, "\"right\": {\"set\": [\"echo-request\", 42]}}}, {\"accept\": null}]"));
	free(got);
	fwgen_policy_free(pol);
}
END_TEST

START_TEST(test_render_json_protocol_without_ports)
{
	struct fwgen_policy *pol = fx_empty_policy();
	size_t c = fx_chain(pol, "input", POL_HOOK_INPUT, POL_CHAIN_FILTER, 0, true);
	struct pol_rule *r = fx_rule(pol, c, "all of udp, IPv6");
	int ret;
	char *got;

	r->family = 6;
	r->l4proto = POL_L4_UDP;
	r->verdict = POL_VERDICT_DROP;
	got = fx_render(pol, FWGEN_FORMAT_JSON, &ret);
	ck_assert_int_eq(ret, 0);
	ck_assert_ptr_nonnull(strstr(got,
				     "\"expr\": [{\"match\": {\"op\": \"==\", \"left\": {\"meta\": {\"key\": \"nfproto\"}}, \"right\": \"ipv6\"}}, "
				     "{\"match\": {\"op\": \"==\", \"left\": {\"meta\": {\"key\": \"l4proto\"}}, \"right\": \"udp\"}}, "
				     "{\"drop\": null}]"));
	free(got);
	fwgen_policy_free(pol);
}
END_TEST

START_TEST(test_render_json_refuses_dangling_set_before_writing)
{
	struct fwgen_policy *pol = fx_policy();
	int ret;
	char *got;

	pol->chains[0].rules[6].saddr_set = 7;
	got = render_raw(pol, &ret);
	ck_assert_int_eq(ret, -EINVAL);
	ck_assert_str_eq(got, "");
	free(got);
	pol->chains[0].rules[6].saddr_set = 0;
	pol->chains[0].rules[8].vmap[1].chain = 99;
	got = render_raw(pol, &ret);
	ck_assert_int_eq(ret, -EINVAL);
	ck_assert_str_eq(got, "");
	free(got);
	fwgen_policy_free(pol);
}
END_TEST

/*
 * A role split into its parts: the hosts' hash set with its size and no
 * flags, the prefixes' interval set, and a rule for each.
 */
START_TEST(test_render_json_hash_part_and_net_part)
{
	struct fwgen_policy *pol = fx_empty_policy();
	size_t in = fx_chain(pol, "input", POL_HOOK_INPUT, POL_CHAIN_FILTER, 0, true);
	struct pol_set *s = fx_set(pol, "user", 4);
	struct pol_rule *r;
	char *out;
	int ret;

	fx_elem(s, "198.18.1.1", "198.18.1.1");
	fx_elem(s, "198.18.2.0", "198.18.2.255");
	r = fx_rule(pol, in, "user-web (d:t#1)");
	r->family = 4;
	r->saddr_set = 0;
	r->verdict = POL_VERDICT_ACCEPT;
	ck_assert_int_eq(policy_split_sets(pol), 0);
	ck_assert_uint_eq(pol->chains[in].nrules, 2);
	out = render_raw(pol, &ret);
	ck_assert_int_eq(ret, 0);
	ck_assert_msg(strstr(out, "\"name\": \"user_v4\", \"type\": \"ipv4_addr\", \"size\": 1024, \"elem\": [\n    \"198.18.1.1\"\n  ]"),
		      "%s", out);
	ck_assert_msg(strstr(out, "\"name\": \"user_v4_net\", \"type\": \"ipv4_addr\", \"flags\": [\"interval\"], \"elem\": [\n    {\"prefix\": {\"addr\": \"198.18.2.0\", \"len\": 24}}\n  ]"),
		      "%s", out);
	ck_assert_msg(strstr(out, "\"right\": \"@user_v4\""), "%s", out);
	ck_assert_msg(strstr(out, "\"right\": \"@user_v4_net\""), "%s", out);
	free(out);
	fwgen_policy_free(pol);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("render-json");
	TCase *tc = tcase_create("render-json");

	tcase_add_test(tc, test_render_json_fixture_exact);
	tcase_add_test(tc, test_render_json_hash_part_and_net_part);
	tcase_add_test(tc, test_render_json_same_bytes_twice);
	tcase_add_test(tc, test_render_json_hostile_comment_escaped);
	tcase_add_test(tc, test_render_json_hostile_names_escaped);
	tcase_add_test(tc, test_render_json_empty_policy_is_the_table_alone);
	tcase_add_test(tc, test_render_json_empty_set_has_no_elements);
	tcase_add_test(tc, test_render_json_unnamed_icmp_type_is_a_number);
	tcase_add_test(tc, test_render_json_protocol_without_ports);
	tcase_add_test(tc, test_render_json_refuses_dangling_set_before_writing);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
