/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The names nft prints for numbers, checked against the numbers the RFCs
 * and the kernel give (written here as plain numbers, not the header names
 * the module uses), and that nothing else has a name.
 */
#include <check.h>
#include <string.h>

#include "names.h"
#include "testutil.h"
#include "util.h"

struct expect {
	unsigned int num;
	const char *name;
};

/* RFC 792, RFC 1256 and RFC 792's timestamp pair; nft's spelling. */
static const struct expect icmp4[] = {
	{ 0, "echo-reply" },
	{ 3, "destination-unreachable" },
	{ 5, "redirect" },
	{ 8, "echo-request" },
	{ 9, "router-advertisement" },
	{ 10, "router-solicitation" },
	{ 11, "time-exceeded" },
	{ 12, "parameter-problem" },
	{ 13, "timestamp-request" },
	{ 14, "timestamp-reply" },
};

/* RFC 4443, RFC 2710, RFC 4861 and RFC 3810; nft's spelling. */
static const struct expect icmp6[] = {
	{ 1, "destination-unreachable" },
	{ 2, "packet-too-big" },
	{ 3, "time-exceeded" },
	{ 4, "parameter-problem" },
	{ 128, "echo-request" },
	{ 129, "echo-reply" },
	{ 130, "mld-listener-query" },
	{ 131, "mld-listener-report" },
	{ 132, "mld-listener-done" },
	{ 133, "nd-router-solicit" },
	{ 134, "nd-router-advert" },
	{ 135, "nd-neighbor-solicit" },
	{ 136, "nd-neighbor-advert" },
	{ 137, "nd-redirect" },
	{ 143, "mld2-listener-report" },
};

/* IANA protocol numbers, /etc/protocols names. */
static const struct expect l4[] = {
	{ 1, "icmp" },
	{ 6, "tcp" },
	{ 17, "udp" },
	{ 33, "dccp" },
	{ 47, "gre" },
	{ 50, "esp" },
	{ 51, "ah" },
	{ 58, "ipv6-icmp" },
	{ 132, "sctp" },
	{ 136, "udplite" },
};

/* The order of enum nf_inet_hooks in <linux/netfilter.h>. */
static const struct expect hooks[] = {
	{ 0, "prerouting" },
	{ 1, "input" },
	{ 2, "forward" },
	{ 3, "output" },
	{ 4, "postrouting" },
	{ 5, "ingress" },
};

/* Each of 0..255 is named as expected, and only those. */
static void check_table(const char *what, const char *(*name)(int, unsigned int),
			int arg, const struct expect *v, size_t n)
{
	unsigned int num;
	size_t i;

	for (num = 0; num < 256; num++) {
		const char *want = NULL, *got = name(arg, num);

		for (i = 0; i < n; i++) {
			if (v[i].num == num)
				want = v[i].name;
		}
		ck_assert_msg((want == NULL) == (got == NULL) &&
				      (!want || !strcmp(want, got)),
			      "%s %u: want %s, got %s", what, num,
			      want ? want : "(none)", got ? got : "(none)");
	}
}

static const char *icmp_name(int family, unsigned int type)
{
	return names_icmp_type(family, (uint8_t)type);
}

static const char *l4_name(int unused, unsigned int proto)
{
	return names_l4proto((uint8_t)proto);
}

static const char *hook_name(int unused, unsigned int hook)
{
	return names_hook(hook);
}

START_TEST(test_names_icmp_types_by_rfc_number)
{
	check_table("icmp", icmp_name, 4, icmp4, ARRAY_SIZE(icmp4));
}
END_TEST

START_TEST(test_names_icmpv6_types_by_rfc_number)
{
	check_table("icmpv6", icmp_name, 6, icmp6, ARRAY_SIZE(icmp6));
	ck_assert_int_eq(ICMP6_MLD2_REPORT, 143);
}
END_TEST

START_TEST(test_names_icmp_other_family_has_none)
{
	ck_assert_ptr_null(names_icmp_type(0, 8));
	ck_assert_ptr_null(names_icmp_type(10, 128));
}
END_TEST

START_TEST(test_names_l4_protocols_by_iana_number)
{
	check_table("l4proto", l4_name, 0, l4, ARRAY_SIZE(l4));
}
END_TEST

START_TEST(test_names_l4_keyword_icmpv6)
{
	ck_assert_str_eq(names_l4_keyword(58), "icmpv6");
	ck_assert_str_eq(names_l4_keyword(6), "tcp");
	ck_assert_str_eq(names_l4_keyword(1), "icmp");
	ck_assert_ptr_null(names_l4_keyword(200));
}
END_TEST

START_TEST(test_names_hooks_in_kernel_order)
{
	check_table("hook", hook_name, 0, hooks, ARRAY_SIZE(hooks));
}
END_TEST

START_TEST(test_names_nfproto_ipv4_ipv6_only)
{
	ck_assert_str_eq(names_nfproto(2), "ipv4");
	ck_assert_str_eq(names_nfproto(10), "ipv6");
	ck_assert_ptr_null(names_nfproto(1)); /* inet: never a packet's */
	ck_assert_ptr_null(names_nfproto(7));
}
END_TEST

START_TEST(test_names_ct_state_bits)
{
	ck_assert_str_eq(names_ct_state(1), "invalid");
	ck_assert_str_eq(names_ct_state(2), "established");
	ck_assert_str_eq(names_ct_state(4), "related");
	ck_assert_str_eq(names_ct_state(8), "new");
	ck_assert_str_eq(names_ct_state(64), "untracked");
	ck_assert_ptr_null(names_ct_state(16));
	ck_assert_ptr_null(names_ct_state(2 | 4));
}
END_TEST

static Suite *names_suite(void)
{
	Suite *s = suite_create("names");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_names_icmp_types_by_rfc_number);
	tcase_add_test(tc, test_names_icmpv6_types_by_rfc_number);
	tcase_add_test(tc, test_names_icmp_other_family_has_none);
	tcase_add_test(tc, test_names_l4_protocols_by_iana_number);
	tcase_add_test(tc, test_names_l4_keyword_icmpv6);
	tcase_add_test(tc, test_names_hooks_in_kernel_order);
	tcase_add_test(tc, test_names_nfproto_ipv4_ipv6_only);
	tcase_add_test(tc, test_names_ct_state_bits);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(names_suite());
}
