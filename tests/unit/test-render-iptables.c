/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The iptables and ipset renderers on a policy built by hand: exact bytes
 * per family, quoting as iptables-save quotes, the kernel's name and
 * length limits, ranges as CIDR prefixes. tests/netns/test-iptables.sh
 * loads what they write and probes real flows.
 */
#include <stdio.h>

#include "testutil.h"
#include "render-fixture.h"

/* Everything after the first header line, which names the version. */
static const char fixture_v4[] =
	"# egress: filtered\n"
	"# mode: enforce\n"
	"# peer role 'user' is not bound in the inventory: any address\n"
	"# iptables-restore --noflush input; load `fwgen print --format ipset` first (docs/iptables.md)\n"
	"*filter\n"
	":FWGEN-INPUT - [0:0]\n"
	":FWGEN-OUTPUT - [0:0]\n"
	":FWGEN-in_tcp_2382-2383 - [0:0]\n"
	":FWGEN-in_tcp_443 - [0:0]\n"
	"-A FWGEN-INPUT -m conntrack --ctstate INVALID -m comment --comment \"baseline: drop invalid packets\" -j DROP\n"
	"-A FWGEN-INPUT -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment \"baseline: packets of allowed connections\" -j ACCEPT\n"
	"-A FWGEN-INPUT -i lo -m comment --comment \"baseline: loopback\" -j ACCEPT\n"
	"-A FWGEN-INPUT -p icmp -m icmp --icmp-type 3 -m comment --comment \"baseline: ICMP errors networks need\" -j ACCEPT\n"
	"-A FWGEN-INPUT -p icmp -m icmp --icmp-type 11 -m comment --comment \"baseline: ICMP errors networks need\" -j ACCEPT\n"
	"-A FWGEN-INPUT -p icmp -m icmp --icmp-type 12 -m comment --comment \"baseline: ICMP errors networks need\" -j ACCEPT\n"
	"-A FWGEN-INPUT -p icmp -m icmp --icmp-type 8 -m limit --limit 10/sec --limit-burst 20 -m comment --comment \"baseline: ping, rate-limited\" -j ACCEPT\n"
	"-A FWGEN-INPUT -p tcp -m set --match-set fwgen-admin-v4 src -m tcp --dport 22 -m comment --comment \"baseline: management SSH from admin\" -j ACCEPT\n"
	"-A FWGEN-INPUT -p tcp -m tcp --dport 443 -m comment --comment \"catalog flows: dispatch by protocol and port\" -j FWGEN-in_tcp_443\n"
	"-A FWGEN-INPUT -p tcp -m tcp --dport 2382:2383 -m comment --comment \"catalog flows: dispatch by protocol and port\" -j FWGEN-in_tcp_2382-2383\n"
	"-A FWGEN-INPUT -m limit --limit 6/min --limit-burst 10 -m comment --comment \"baseline: log what is dropped, rate-limited\" -j LOG --log-prefix \"fwgen drop in: \"\n"
	"-A FWGEN-INPUT -m comment --comment \"fwgen: policy drop\" -j DROP\n"
	"-A FWGEN-OUTPUT -o lo -m comment --comment \"baseline: loopback\" -j ACCEPT\n"
	"-A FWGEN-OUTPUT -p tcp -m set --match-set fwgen-admin-v4 dst -m multiport --dports 80,443,8000:8010 -m comment --comment \"web-proxy (d:t#9)\" -j ACCEPT\n"
	"-A FWGEN-OUTPUT -p udp -m udp --dport 123 -m comment --comment \"baseline: NTP, IPv4 only\" -j ACCEPT\n"
	"-A FWGEN-OUTPUT -m comment --comment \"fwgen: policy drop\" -j DROP\n"
	"-A FWGEN-in_tcp_2382-2383 -m set --match-set fwgen-admin-v4 src -m comment --comment \"admin-ssas (d:t#7)\" -j ACCEPT\n"
	"-A FWGEN-in_tcp_443 -m comment --comment \"user-web (d:t#1)\" -j ACCEPT\n"
	"-I INPUT 1 -j FWGEN-INPUT\n"
	"-I OUTPUT 1 -j FWGEN-OUTPUT\n"
	"COMMIT\n"
	"*nat\n"
	":FWGEN-PREROUTING - [0:0]\n"
	"-A FWGEN-PREROUTING -p udp -m udp --dport 69 -m comment --comment \"pxe (d:t#5)\" -j REDIRECT --to-ports 6969\n"
	"-I PREROUTING 1 -j FWGEN-PREROUTING\n"
	"COMMIT\n";

static const char fixture_v6[] =
	"# egress: filtered\n"
	"# mode: enforce\n"
	"# peer role 'user' is not bound in the inventory: any address\n"
	"# ip6tables-restore --noflush input; load `fwgen print --format ipset` first (docs/iptables.md)\n"
	"*filter\n"
	":FWGEN-INPUT - [0:0]\n"
	":FWGEN-OUTPUT - [0:0]\n"
	":FWGEN-in_tcp_2382-2383 - [0:0]\n"
	":FWGEN-in_tcp_443 - [0:0]\n"
	"-A FWGEN-INPUT -m conntrack --ctstate INVALID -m comment --comment \"baseline: drop invalid packets\" -j DROP\n"
	"-A FWGEN-INPUT -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment \"baseline: packets of allowed connections\" -j ACCEPT\n"
	"-A FWGEN-INPUT -i lo -m comment --comment \"baseline: loopback\" -j ACCEPT\n"
	"-A FWGEN-INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 1 -m comment --comment \"baseline: ICMPv6 errors, neighbour discovery\" -j ACCEPT\n"
	"-A FWGEN-INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 2 -m comment --comment \"baseline: ICMPv6 errors, neighbour discovery\" -j ACCEPT\n"
	"-A FWGEN-INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 135 -m comment --comment \"baseline: ICMPv6 errors, neighbour discovery\" -j ACCEPT\n"
	"-A FWGEN-INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 136 -m comment --comment \"baseline: ICMPv6 errors, neighbour discovery\" -j ACCEPT\n"
	"-A FWGEN-INPUT -p tcp -m set --match-set fwgen-admin-v6 src -m tcp --dport 22 -m comment --comment \"baseline: management SSH from admin\" -j ACCEPT\n"
	"-A FWGEN-INPUT -p tcp -m tcp --dport 443 -m comment --comment \"catalog flows: dispatch by protocol and port\" -j FWGEN-in_tcp_443\n"
	"-A FWGEN-INPUT -p tcp -m tcp --dport 2382:2383 -m comment --comment \"catalog flows: dispatch by protocol and port\" -j FWGEN-in_tcp_2382-2383\n"
	"-A FWGEN-INPUT -m limit --limit 6/min --limit-burst 10 -m comment --comment \"baseline: log what is dropped, rate-limited\" -j LOG --log-prefix \"fwgen drop in: \"\n"
	"-A FWGEN-INPUT -m comment --comment \"fwgen: policy drop\" -j DROP\n"
	"-A FWGEN-OUTPUT -o lo -m comment --comment \"baseline: loopback\" -j ACCEPT\n"
	"-A FWGEN-OUTPUT -m comment --comment \"fwgen: policy drop\" -j DROP\n"
	"-A FWGEN-in_tcp_2382-2383 -m set --match-set fwgen-admin-v6 src -m comment --comment \"admin-ssas (d:t#7)\" -j ACCEPT\n"
	"-A FWGEN-in_tcp_443 -m comment --comment \"user-web (d:t#1)\" -j ACCEPT\n"
	"-I INPUT 1 -j FWGEN-INPUT\n"
	"-I OUTPUT 1 -j FWGEN-OUTPUT\n"
	"COMMIT\n"
	"*nat\n"
	":FWGEN-PREROUTING - [0:0]\n"
	"-A FWGEN-PREROUTING -p udp -m udp --dport 69 -m comment --comment \"pxe (d:t#5)\" -j REDIRECT --to-ports 6969\n"
	"-I PREROUTING 1 -j FWGEN-PREROUTING\n"
	"COMMIT\n";

static const char fixture_ipset[] =
	"# egress: filtered\n"
	"# mode: enforce\n"
	"# peer role 'user' is not bound in the inventory: any address\n"
	"# ipset restore input: load it before the iptables and ip6tables rules\n"
	"# Each set is filled under a temporary name and swapped in, so rules\n"
	"# matching it never see it half filled; -exist lets it load again.\n"
	"create fwgen-admin-v4 hash:net family inet maxelem 1048576 -exist\n"
	"create fwgen-admin-v4-new hash:net family inet maxelem 1048576 -exist\n"
	"flush fwgen-admin-v4-new\n"
	"add fwgen-admin-v4-new 198.18.9.0/24\n"
	"add fwgen-admin-v4-new 198.18.12.0/22\n"
	"add fwgen-admin-v4-new 198.18.20.1\n"
	"add fwgen-admin-v4-new 198.18.20.2/31\n"
	"add fwgen-admin-v4-new 198.18.20.4/31\n"
	"swap fwgen-admin-v4-new fwgen-admin-v4\n"
	"destroy fwgen-admin-v4-new\n"
	"create fwgen-admin-v6 hash:net family inet6 maxelem 1048576 -exist\n"
	"create fwgen-admin-v6-new hash:net family inet6 maxelem 1048576 -exist\n"
	"flush fwgen-admin-v6-new\n"
	"add fwgen-admin-v6-new 2001:db8:9::/48\n"
	"add fwgen-admin-v6-new 2001:db8:a::1\n"
	"swap fwgen-admin-v6-new fwgen-admin-v6\n"
	"destroy fwgen-admin-v6-new\n";

/* Renders, checks the version line and returns what follows it. */
static char *render_body(const struct fwgen_policy *pol, enum fwgen_format f)
{
	char want[128], *got;
	size_t skip;
	int ret;

	got = fx_render(pol, f, &ret);
	ck_assert_int_eq(ret, 0);
	snprintf(want, sizeof(want), "# fwgen %s: topology demo, host role web\n",
		 fwgen_version());
	ck_assert_msg(strncmp(got, want, strlen(want)) == 0, "got:\n%s", got);
	skip = strlen(want);
	memmove(got, got + skip, strlen(got + skip) + 1);
	return got;
}

/* The lines of got that start with prefix, joined. */
static char *grep(const char *got, const char *prefix)
{
	size_t len = strlen(got) + 1, n = 0, plen = strlen(prefix);
	char *res = calloc(1, len);
	const char *p;

	ck_assert_ptr_nonnull(res);
	for (p = got; *p; p = strchr(p, '\n') + 1) {
		const char *e = strchr(p, '\n');

		ck_assert_ptr_nonnull(e);
		if (strncmp(p, prefix, plen) == 0) {
			memcpy(res + n, p, (size_t)(e - p) + 1);
			n += (size_t)(e - p) + 1;
		}
	}
	return res;
}

static void assert_render(const struct fwgen_policy *pol, enum fwgen_format f,
			  const char *want)
{
	char *got = render_body(pol, f);

	ck_assert_msg(strcmp(got, want) == 0, "got:\n%s", got);
	free(got);
}

START_TEST(test_render_iptables_v4_fixture_exact)
{
	struct fwgen_policy *pol = fx_policy();

	assert_render(pol, FWGEN_FORMAT_IPTABLES, fixture_v4);
	fwgen_policy_free(pol);
}
END_TEST

START_TEST(test_render_iptables_v6_fixture_exact)
{
	struct fwgen_policy *pol = fx_policy();

	assert_render(pol, FWGEN_FORMAT_IP6TABLES, fixture_v6);
	fwgen_policy_free(pol);
}
END_TEST

START_TEST(test_render_ipset_fixture_exact)
{
	struct fwgen_policy *pol = fx_policy();

	assert_render(pol, FWGEN_FORMAT_IPSET, fixture_ipset);
	fwgen_policy_free(pol);
}
END_TEST

START_TEST(test_render_ipset_whole_space_is_two_halves)
{
	struct fwgen_policy *pol = fx_empty_policy();
	char *out, *got;

	fx_elem(fx_set(pol, "internet", 4), "0.0.0.0", "255.255.255.255");
	fx_elem(fx_set(pol, "internet", 6), "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	out = render_body(pol, FWGEN_FORMAT_IPSET);
	got = grep(out, "add ");
	free(out);
	ck_assert_str_eq(got,
			 "add fwgen-internet-v4-new 0.0.0.0/1\n"
			 "add fwgen-internet-v4-new 128.0.0.0/1\n"
			 "add fwgen-internet-v6-new ::/1\n"
			 "add fwgen-internet-v6-new 8000::/1\n");
	free(got);
	fwgen_policy_free(pol);
}
END_TEST

START_TEST(test_render_ipset_range_is_fewest_prefixes)
{
	struct fwgen_policy *pol = fx_empty_policy();
	char *out, *got;
	int ret;

	/* .7, .8/29, .16/30, .20 */
	fx_elem(fx_set(pol, "db", 4), "198.18.0.7", "198.18.0.20");
	fx_elem(fx_set(pol, "db", 6), "2001:db8::ffff", "2001:db8::1:1");
	out = fx_render(pol, FWGEN_FORMAT_IPSET, &ret);
	ck_assert_int_eq(ret, 0);
	got = grep(out, "add ");
	ck_assert_str_eq(got,
			 "add fwgen-db-v4-new 198.18.0.7\n"
			 "add fwgen-db-v4-new 198.18.0.8/29\n"
			 "add fwgen-db-v4-new 198.18.0.16/30\n"
			 "add fwgen-db-v4-new 198.18.0.20\n"
			 "add fwgen-db-v6-new 2001:db8::ffff\n"
			 "add fwgen-db-v6-new 2001:db8::1:0/127\n");
	free(got);
	free(out);
	fwgen_policy_free(pol);
}
END_TEST

START_TEST(test_render_iptables_hostile_comment_escaped)
{
	struct fwgen_policy *pol = fx_policy();
	struct pol_rule *r = &pol->chains[1].rules[0];
	char *got, *lines;

	free(r->comment);
	r->comment = strdup("x\" -j ACCEPT \\ 'q'\n-A INPUT -j DROP\r\tend");
	got = render_body(pol, FWGEN_FORMAT_IPTABLES);
	lines = grep(got, "-A FWGEN-in_tcp_443 ");
	ck_assert_str_eq(lines,
			 "-A FWGEN-in_tcp_443 -m comment --comment "
			 "\"x\\\" -j ACCEPT \\\\ \\'q\\'_-A INPUT -j DROP__end\" -j ACCEPT\n");
	free(lines);
	/* The newline did not start a line of its own. */
	lines = grep(got, "-A INPUT");
	ck_assert_str_eq(lines, "");
	free(lines);
	free(got);
	fwgen_policy_free(pol);
}
END_TEST

START_TEST(test_render_iptables_header_cannot_start_a_command)
{
	struct fwgen_policy *pol = fx_policy();
	char *got, *lines;
	int ret;

	free(pol->notes[0]);
	pol->notes[0] = strdup("evil\n-I INPUT 1 -j ACCEPT");
	got = fx_render(pol, FWGEN_FORMAT_IPTABLES, &ret);
	ck_assert_int_eq(ret, 0);
	ck_assert_ptr_nonnull(strstr(got, "\n# evil_-I INPUT 1 -j ACCEPT\n"));
	lines = grep(got, "-I INPUT");
	ck_assert_str_eq(lines, "-I INPUT 1 -j FWGEN-INPUT\n");
	free(lines);
	free(got);
	got = fx_render(pol, FWGEN_FORMAT_IPSET, &ret);
	ck_assert_int_eq(ret, 0);
	ck_assert_ptr_nonnull(strstr(got, "\n# evil_-I INPUT 1 -j ACCEPT\n"));
	free(got);
	fwgen_policy_free(pol);
}
END_TEST

START_TEST(test_render_iptables_plain_word_comment_is_bare)
{
	struct fwgen_policy *pol = fx_policy();
	struct pol_rule *r = &pol->chains[1].rules[0];
	char *got, *lines;

	free(r->comment);
	r->comment = strdup("user-web_1");
	got = render_body(pol, FWGEN_FORMAT_IPTABLES);
	lines = grep(got, "-A FWGEN-in_tcp_443 ");
	ck_assert_str_eq(lines, "-A FWGEN-in_tcp_443 -m comment --comment user-web_1 -j ACCEPT\n");
	free(lines);
	free(got);
	fwgen_policy_free(pol);
}
END_TEST

START_TEST(test_render_iptables_comment_cut_at_255_bytes)
{
	struct fwgen_policy *pol = fx_policy();
	struct pol_rule *r = &pol->chains[1].rules[0];
	char *got, *lines, want[600];

	free(r->comment);
	/* 254 'a' and then a two-byte character that does not fit. */
	r->comment = calloc(1, 300);
	memset(r->comment, 'a', 254);
	strcat(r->comment, "\xc3\xa9tail");
	got = render_body(pol, FWGEN_FORMAT_IPTABLES);
	lines = grep(got, "-A FWGEN-in_tcp_443 ");
	snprintf(want, sizeof(want), "-A FWGEN-in_tcp_443 -m comment --comment \"%.254s\" -j ACCEPT\n",
		 r->comment);
	ck_assert_str_eq(lines, want);
	free(lines);
	free(got);
	fwgen_policy_free(pol);
}
END_TEST

START_TEST(test_render_iptables_multiport_split_at_15)
{
	struct fwgen_policy *pol = fx_empty_policy();
	size_t c = fx_chain(pol, "input", POL_HOOK_INPUT, POL_CHAIN_FILTER, 0, true);
	struct pol_rule *r = fx_rule(pol, c, "many");
	struct port_range p[16];
	char *got, *lines;
	size_t i;

	/* 14 single ports, then two ranges: 14 + 2 > 15, so 14 + 1 range fit. */
	for (i = 0; i < 14; i++)
		p[i].lo = p[i].hi = (uint16_t)(1000 + i);
	p[14].lo = 2000;
	p[14].hi = 2001;
	p[15].lo = 3000;
	p[15].hi = 3005;
	fx_ports(r, POL_L4_UDP, p, 16);
	r->verdict = POL_VERDICT_ACCEPT;
	got = render_body(pol, FWGEN_FORMAT_IPTABLES);
	lines = grep(got, "-A FWGEN-INPUT -p");
	ck_assert_str_eq(lines,
			 "-A FWGEN-INPUT -p udp -m multiport --dports "
			 "1000,1001,1002,1003,1004,1005,1006,1007,1008,1009,1010,1011,1012,1013 "
			 "-m comment --comment many -j ACCEPT\n"
			 "-A FWGEN-INPUT -p udp -m multiport --dports 2000:2001,3000:3005 "
			 "-m comment --comment many -j ACCEPT\n");
	free(lines);
	free(got);
	fwgen_policy_free(pol);
}
END_TEST

START_TEST(test_render_iptables_long_names_shortened_within_limits)
{
	struct fwgen_policy *pol = fx_empty_policy();
	size_t in = fx_chain(pol, "input", POL_HOOK_INPUT, POL_CHAIN_FILTER, 0, true);
	size_t svc = fx_chain(pol, "in_tcp_61616-61620_and_more", POL_HOOK_NONE,
			      POL_CHAIN_FILTER, 0, false);
	struct pol_rule *r;
	char *v4, *set;

	fx_set(pol, "non-transactional-db-tier", 4);
	r = fx_rule(pol, in, "dispatch");
	fx_vmap(r, POL_L4_TCP, 61616, 61620, svc);
	r = fx_rule(pol, svc, "es");
	r->saddr_set = 0;
	r->verdict = POL_VERDICT_ACCEPT;
	v4 = render_body(pol, FWGEN_FORMAT_IPTABLES);
	set = render_body(pol, FWGEN_FORMAT_IPSET);
	/* 28 characters for a chain, 27 for a set (its -new twin takes 31). */
	ck_assert_ptr_nonnull(strstr(v4, ":FWGEN-in_tcp_61616-61-b57165 - [0:0]\n"));
	ck_assert_ptr_nonnull(strstr(v4, "-j FWGEN-in_tcp_61616-61-b57165\n"));
	ck_assert_ptr_nonnull(strstr(v4, "-A FWGEN-in_tcp_61616-61-b57165 -m set --match-set fwgen-non-transac-4f3d38-v4 src"));
	ck_assert_ptr_nonnull(strstr(set, "create fwgen-non-transac-4f3d38-v4-new hash:net"));
	ck_assert_uint_eq(strlen("FWGEN-in_tcp_61616-61-b57165"), 28);
	ck_assert_uint_eq(strlen("fwgen-non-transac-4f3d38-v4-new"), 31);
	free(v4);
	free(set);
	fwgen_policy_free(pol);
}
END_TEST

START_TEST(test_render_iptables_odd_characters_keep_names_apart)
{
	struct fwgen_policy *pol = fx_empty_policy();
	char *got;

	/* "a b" must not become the ipset of the role "a_b". */
	fx_set(pol, "a b", 4);
	fx_set(pol, "a_b", 4);
	got = render_body(pol, FWGEN_FORMAT_IPSET);
	ck_assert_ptr_nonnull(strstr(got, "create fwgen-a_b-v4 hash:net"));
	ck_assert_ptr_nonnull(strstr(got, "create fwgen-a_b-a3f9f2-v4 hash:net"));
	ck_assert_ptr_null(strstr(got, "a b"));
	free(got);
	fwgen_policy_free(pol);
}
END_TEST

START_TEST(test_render_iptables_log_and_verdict_are_two_rules)
{
	struct fwgen_policy *pol = fx_empty_policy();
	size_t c = fx_chain(pol, "input", POL_HOOK_INPUT, POL_CHAIN_FILTER, 0, false);
	struct pol_rule *r = fx_rule(pol, c, "telnet");
	char *got, *lines;

	fx_ports(r, POL_L4_TCP, &(struct port_range){ 23, 23 }, 1);
	r->log_prefix = strdup("a log prefix longer than twenty-nine bytes");
	r->verdict = POL_VERDICT_DROP;
	got = render_body(pol, FWGEN_FORMAT_IPTABLES);
	lines = grep(got, "-A FWGEN-INPUT");
	/* No policy drop: the chain's policy is accept. */
	ck_assert_str_eq(lines,
			 "-A FWGEN-INPUT -p tcp -m tcp --dport 23 -m comment --comment telnet "
			 "-j LOG --log-prefix \"a log prefix longer than twen\"\n"
			 "-A FWGEN-INPUT -p tcp -m tcp --dport 23 -m comment --comment telnet -j DROP\n");
	free(lines);
	free(got);
	fwgen_policy_free(pol);
}
END_TEST

START_TEST(test_render_iptables_family_of_sets_and_icmp)
{
	struct fwgen_policy *pol = fx_policy();
	char *v4 = render_body(pol, FWGEN_FORMAT_IPTABLES);
	char *v6 = render_body(pol, FWGEN_FORMAT_IP6TABLES);

	ck_assert_ptr_null(strstr(v4, "-v6"));
	ck_assert_ptr_null(strstr(v4, "icmp6"));
	ck_assert_ptr_null(strstr(v6, "-v4"));
	ck_assert_ptr_null(strstr(v6, "-p icmp "));
	/* The IPv4-only rule without a set (meta nfproto ipv4). */
	ck_assert_ptr_nonnull(strstr(v4, "--dport 123 "));
	ck_assert_ptr_null(strstr(v6, "--dport 123 "));
	free(v4);
	free(v6);
	fwgen_policy_free(pol);
}
END_TEST

START_TEST(test_render_iptables_refuses_bad_input)
{
	struct fwgen_policy *pol = fx_policy();
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	ck_assert_int_eq(render_iptables(ctx, pol, 5, out), -EINVAL);
	pol->chains[0].rules[6].saddr_set = 9;
	ck_assert_int_eq(render_iptables(ctx, pol, 4, out), -EINVAL);
	ck_assert_int_eq(render_ipset(ctx, pol, out), -EINVAL);
	pol->chains[0].rules[6].saddr_set = 0;
	/* A redirect in a filter chain would not load. */
	pol->chains[0].rules[2].verdict = POL_VERDICT_REDIRECT;
	ck_assert_int_eq(render_iptables(ctx, pol, 4, out), -EINVAL);
	ck_assert_int_eq(fclose(out), 0);
	ck_assert_str_eq(buf, "");
	free(buf);
	fwgen_ctx_free(ctx);
	fwgen_policy_free(pol);
}
END_TEST

/*
 * ipset keeps one hash:net per role and family: the hash part and the
 * _net part load as one set in address order, and only the hash part's
 * rule refers to it (the twin would match the same set again).
 */
START_TEST(test_render_ipset_one_set_for_both_parts)
{
	struct fwgen_policy *pol = fx_empty_policy();
	size_t in = fx_chain(pol, "input", POL_HOOK_INPUT, POL_CHAIN_FILTER, 0, true);
	struct pol_set *s = fx_set(pol, "user", 4);
	struct pol_rule *r;
	char *out, *got;

	fx_elem(s, "198.18.1.1", "198.18.1.1");
	fx_elem(s, "198.18.2.0", "198.18.2.255");
	fx_elem(s, "198.18.3.3", "198.18.3.3");
	r = fx_rule(pol, in, "user-web (d:t#1)");
	r->family = 4;
	r->saddr_set = 0;
	r->verdict = POL_VERDICT_ACCEPT;
	ck_assert_int_eq(policy_split_sets(pol), 0);
	ck_assert_uint_eq(pol->nsets, 2);
	out = render_body(pol, FWGEN_FORMAT_IPSET);
	got = grep(out, "add ");
	ck_assert_str_eq(got,
			 "add fwgen-user-v4-new 198.18.1.1\n"
			 "add fwgen-user-v4-new 198.18.2.0/24\n"
			 "add fwgen-user-v4-new 198.18.3.3\n");
	free(got);
	got = grep(out, "create ");
	ck_assert_str_eq(got,
			 "create fwgen-user-v4 hash:net family inet maxelem 1048576 -exist\n"
			 "create fwgen-user-v4-new hash:net family inet maxelem 1048576 -exist\n");
	free(got);
	free(out);
	out = render_body(pol, FWGEN_FORMAT_IPTABLES);
	got = grep(out, "-A FWGEN-INPUT -m set");
	ck_assert_str_eq(got,
			 "-A FWGEN-INPUT -m set --match-set fwgen-user-v4 src -m comment --comment \"user-web (d:t#1)\" -j ACCEPT\n");
	free(got);
	free(out);
	fwgen_policy_free(pol);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("render-iptables");
	TCase *tc = tcase_create("render-iptables");

	tcase_add_test(tc, test_render_iptables_v4_fixture_exact);
	tcase_add_test(tc, test_render_iptables_v6_fixture_exact);
	tcase_add_test(tc, test_render_ipset_fixture_exact);
	tcase_add_test(tc, test_render_ipset_whole_space_is_two_halves);
	tcase_add_test(tc, test_render_ipset_range_is_fewest_prefixes);
	tcase_add_test(tc, test_render_iptables_hostile_comment_escaped);
	tcase_add_test(tc, test_render_iptables_header_cannot_start_a_command);
	tcase_add_test(tc, test_render_iptables_plain_word_comment_is_bare);
	tcase_add_test(tc, test_render_iptables_comment_cut_at_255_bytes);
	tcase_add_test(tc, test_render_iptables_multiport_split_at_15);
	tcase_add_test(tc, test_render_iptables_long_names_shortened_within_limits);
	tcase_add_test(tc, test_render_iptables_odd_characters_keep_names_apart);
	tcase_add_test(tc, test_render_iptables_log_and_verdict_are_two_rules);
	tcase_add_test(tc, test_render_iptables_family_of_sets_and_icmp);
	tcase_add_test(tc, test_render_iptables_refuses_bad_input);
	tcase_add_test(tc, test_render_ipset_one_set_for_both_parts);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
