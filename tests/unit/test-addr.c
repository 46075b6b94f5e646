/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Address parsing and interval normalisation: what peer sets are made of.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

static void fmt(const struct addr_interval *iv, int family, char *buf)
{
	ck_assert_int_eq(addr_interval_format(iv, family, buf, ADDR_INTERVAL_STRLEN), 0);
}

static void add(struct addr_list *l, const char *text)
{
	struct addr_interval iv;
	struct addr_prefix p;
	const char *why;

	ck_assert_msg(addr_parse(text, &p, &why) == 0, "%s: %s", text, why);
	addr_prefix_interval(&p, &iv);
	ck_assert_int_eq(addr_list_add(l, &iv), 0);
}

START_TEST(test_addr_parse_accepts_hosts_and_prefixes)
{
	struct addr_prefix p;
	const char *why;

	ck_assert_int_eq(addr_parse("198.18.0.1", &p, &why), 0);
	ck_assert_int_eq(p.family, 4);
	ck_assert_int_eq(p.len, 32);
	ck_assert_int_eq(addr_parse("198.18.0.0/15", &p, &why), 0);
	ck_assert_int_eq(p.len, 15);
	ck_assert_int_eq(addr_parse("2001:db8::/32", &p, &why), 0);
	ck_assert_int_eq(p.family, 6);
	ck_assert_int_eq(p.len, 32);
	ck_assert_int_eq(addr_parse("0.0.0.0/0", &p, &why), 0);
}
END_TEST

START_TEST(test_addr_parse_rejects_bad_input_with_reason)
{
	struct addr_prefix p;
	const char *why;

	ck_assert_int_lt(addr_parse("198.18.0.1/16", &p, &why), 0);
	ck_assert_str_eq(why, "host bits set after the prefix length");
	ck_assert_int_lt(addr_parse("198.18.0.0/33", &p, &why), 0);
	ck_assert_str_eq(why, "prefix length out of range 0-32");
	ck_assert_int_lt(addr_parse("2001:db8::/129", &p, &why), 0);
	ck_assert_str_eq(why, "prefix length out of range 0-128");
	ck_assert_int_lt(addr_parse("198.18.0.256", &p, &why), 0);
	ck_assert_str_eq(why, "not an IPv4 or IPv6 address");
	ck_assert_int_lt(addr_parse("198.18.0.0/", &p, &why), 0);
	ck_assert_int_lt(addr_parse("198.18.0.0/1x", &p, &why), 0);
	ck_assert_int_lt(addr_parse("", &p, &why), 0);
	ck_assert_int_lt(addr_parse("host.example", &p, &why), 0);
}
END_TEST

START_TEST(test_addr_normalize_merges_overlap_and_adjacency)
{
	struct addr_list l = { 0 };
	char buf[ADDR_INTERVAL_STRLEN];

	add(&l, "198.18.2.128/25");
	add(&l, "198.18.3.1");
	add(&l, "198.18.2.0/25");
	add(&l, "198.18.2.7");
	add(&l, "198.18.3.1");
	add(&l, "198.18.3.2");
	addr_list_normalize(&l, 4);
	ck_assert_uint_eq(l.n, 2);
	fmt(&l.v[0], 4, buf);
	ck_assert_str_eq(buf, "198.18.2.0/24");
	fmt(&l.v[1], 4, buf);
	ck_assert_str_eq(buf, "198.18.3.1-198.18.3.2");
	addr_list_release(&l);
}
END_TEST

START_TEST(test_addr_normalize_handles_the_top_of_the_space)
{
	struct addr_list l = { 0 };
	char buf[ADDR_INTERVAL_STRLEN];

	add(&l, "255.255.255.255");
	add(&l, "0.0.0.0/0");
	add(&l, "2001:db8::/32");
	addr_list_normalize(&l, 4);
	ck_assert_uint_eq(l.n, 1);
	fmt(&l.v[0], 4, buf);
	ck_assert_str_eq(buf, "0.0.0.0/0");
	addr_list_release(&l);

	add(&l, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	add(&l, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe");
	addr_list_normalize(&l, 6);
	ck_assert_uint_eq(l.n, 1);
	fmt(&l.v[0], 6, buf);
	ck_assert_str_eq(buf, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127");
	addr_list_release(&l);
}
END_TEST

START_TEST(test_addr_contains_uses_merged_intervals)
{
	struct addr_list l = { 0 };
	struct addr_prefix p;
	const char *why;

	add(&l, "198.18.4.0/24");
	add(&l, "198.18.9.9");
	addr_list_normalize(&l, 4);
	ck_assert_int_eq(addr_parse("198.18.4.200", &p, &why), 0);
	ck_assert(addr_list_contains(&l, 4, p.addr));
	ck_assert_int_eq(addr_parse("198.18.5.0", &p, &why), 0);
	ck_assert(!addr_list_contains(&l, 4, p.addr));
	ck_assert_int_eq(addr_parse("198.18.9.9", &p, &why), 0);
	ck_assert(addr_list_contains(&l, 4, p.addr));
	addr_list_release(&l);
}
END_TEST

START_TEST(test_addr_normalize_100k_hosts_into_one_interval)
{
	struct addr_list l = { 0 };
	struct addr_interval iv;
	char buf[ADDR_INTERVAL_STRLEN];
	unsigned int i;

	/* 198.18.0.0/15 has 131072 hosts; feed the first 2^16 in reverse. */
	for (i = 65536; i-- > 0;) {
		memset(&iv, 0, sizeof(iv));
		iv.lo[0] = iv.hi[0] = 198;
		iv.lo[1] = iv.hi[1] = 18;
		iv.lo[2] = iv.hi[2] = (uint8_t)(i >> 8);
		iv.lo[3] = iv.hi[3] = (uint8_t)i;
		ck_assert_int_eq(addr_list_add(&l, &iv), 0);
	}
	addr_list_normalize(&l, 4);
	ck_assert_uint_eq(l.n, 1);
	fmt(&l.v[0], 4, buf);
	ck_assert_str_eq(buf, "198.18.0.0/16");
	addr_list_release(&l);
}
END_TEST

static void expect(const struct addr_list *l, int family, const char *want)
{
	char buf[ADDR_INTERVAL_STRLEN], got[1024] = "";
	size_t i;

	for (i = 0; i < l->n; i++) {
		fmt(&l->v[i], family, buf);
		strcat(got, i ? " " : "");
		strcat(got, buf);
	}
	ck_assert_str_eq(got, want);
}

START_TEST(test_addr_subtract_splits_intervals)
{
	struct addr_list l = { 0 }, cut = { 0 };

	add(&l, "198.18.1.0/24");
	add(&l, "198.18.3.0/30");
	addr_list_normalize(&l, 4);
	add(&cut, "198.18.1.128/26");
	add(&cut, "198.18.3.0/30");
	add(&cut, "198.18.9.9");
	ck_assert_int_eq(addr_list_subtract(&l, 4, &cut.v[0]), 0);
	expect(&l, 4, "198.18.1.0/25 198.18.1.192/26 198.18.3.0/30");
	ck_assert_int_eq(addr_list_subtract(&l, 4, &cut.v[1]), 0);
	ck_assert_int_eq(addr_list_subtract(&l, 4, &cut.v[2]), 0);
	expect(&l, 4, "198.18.1.0/25 198.18.1.192/26");
	addr_list_release(&l);
	addr_list_release(&cut);
}
END_TEST

START_TEST(test_addr_delta_sends_only_changed_elements)
{
	struct addr_list old = { 0 }, new = { 0 }, del, ins;

	add(&old, "198.18.1.4");
	add(&old, "198.18.2.0/24");
	add(&old, "198.18.7.7");
	addr_list_normalize(&old, 4);
	ck_assert_int_eq(addr_list_copy(&new, &old), 0);
	add(&new, "198.18.1.5");    /* merges with .4 into .4/31 */
	add(&new, "198.18.9.0/24"); /* new, disjoint */
	addr_list_normalize(&new, 4);
	ck_assert_int_eq(addr_list_delta(&old, &new, 4, &del, &ins), 0);
	expect(&del, 4, "198.18.1.4");
	expect(&ins, 4, "198.18.1.4/31 198.18.9.0/24");
	addr_list_release(&del);
	addr_list_release(&ins);
	ck_assert_int_eq(addr_list_delta(&new, &new, 4, &del, &ins), 0);
	ck_assert_uint_eq(del.n + ins.n, 0);
	addr_list_release(&old);
	addr_list_release(&new);
}
END_TEST

static Suite *addr_suite(void)
{
	Suite *s = suite_create("addr");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_addr_parse_accepts_hosts_and_prefixes);
	tcase_add_test(tc, test_addr_parse_rejects_bad_input_with_reason);
	tcase_add_test(tc, test_addr_normalize_merges_overlap_and_adjacency);
	tcase_add_test(tc, test_addr_normalize_handles_the_top_of_the_space);
	tcase_add_test(tc, test_addr_contains_uses_merged_intervals);
	tcase_add_test(tc, test_addr_normalize_100k_hosts_into_one_interval);
	tcase_add_test(tc, test_addr_subtract_splits_intervals);
	tcase_add_test(tc, test_addr_delta_sends_only_changed_elements);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(addr_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
