/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pure half of live set updates: addresses split by family and checked,
 * and the exact elements deleted and added for a change of a set.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <fwgen/fwgen.h>

#include "setops.h"
#include "testutil.h"

/* A list as text, "a, b-c, d/24", as nft writes the elements. */
static void list_text(const struct addr_list *l, int family, char *out,
		      size_t len)
{
	char buf[ADDR_INTERVAL_STRLEN];
	size_t i, n = 0;

	out[0] = '\0';
	for (i = 0; i < l->n; i++) {
		ck_assert_int_eq(addr_interval_format(&l->v[i], family, buf,
						      sizeof(buf)),
				 0);
		n += (size_t)snprintf(out + n, len - n, "%s%s", i ? ", " : "",
				      buf);
		ck_assert_uint_lt(n, len);
	}
}

/* Parses texts (all of one family) into a normalised list. */
static void parse(const char *const *texts, size_t n, int family,
		  struct addr_list *out)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct addr_list other = { 0 };

	ck_assert_ptr_nonnull(ctx);
	memset(out, 0, sizeof(*out));
	ck_assert_int_eq(setops_parse(ctx, texts, n, family == 4 ? out : &other,
				      family == 4 ? &other : out),
			 0);
	ck_assert_uint_eq(other.n, 0);
	addr_list_release(&other);
	fwgen_ctx_free(ctx);
}

/* Runs a plan of op on cur with req; checks the delta as text. */
static void plan(enum setops_op op, int family, const char *const *cur,
		 size_t ncur, const char *const *req, size_t nreq,
		 const char *want_del, const char *want_add)
{
	struct addr_list c, r, del, add;
	char buf[1024];

	parse(cur, ncur, family, &c);
	parse(req, nreq, family, &r);
	ck_assert_int_eq(setops_plan(op, family, &c, &r, &del, &add), 0);
	list_text(&del, family, buf, sizeof(buf));
	ck_assert_str_eq(buf, want_del);
	list_text(&add, family, buf, sizeof(buf));
	ck_assert_str_eq(buf, want_add);
	addr_list_release(&c);
	addr_list_release(&r);
	addr_list_release(&del);
	addr_list_release(&add);
}

START_TEST(test_setops_parse_splits_by_family_and_normalises)
{
	static const char *const in[] = { "2001:db8::2", "198.18.1.6",
					  "198.18.1.5", "2001:db8::1",
					  "198.18.0.0/24", "198.18.0.7" };
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct addr_list v4 = { 0 }, v6 = { 0 };
	char buf[256];

	ck_assert_int_eq(setops_parse(ctx, in, 6, &v4, &v6), 0);
	list_text(&v4, 4, buf, sizeof(buf));
	ck_assert_str_eq(buf, "198.18.0.0/24, 198.18.1.5-198.18.1.6");
	list_text(&v6, 6, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2001:db8::1-2001:db8::2");
	addr_list_release(&v4);
	addr_list_release(&v6);
	fwgen_ctx_free(ctx);
}
END_TEST

START_TEST(test_setops_parse_names_the_bad_address)
{
	static const char *const in[] = { "198.18.1.5", "198.18.1.5/24" };
	static const char *const junk[] = { "2001:db8::1", "not-an-address" };
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct addr_list v4 = { 0 }, v6 = { 0 };

	ck_assert_int_eq(setops_parse(ctx, in, 2, &v4, &v6), -EINVAL);
	ck_assert_str_eq(fwgen_ctx_error(ctx),
			 "'198.18.1.5/24': host bits set after the prefix length");
	addr_list_release(&v4);
	addr_list_release(&v6);
	ck_assert_int_eq(setops_parse(ctx, junk, 2, &v4, &v6), -EINVAL);
	ck_assert_str_eq(fwgen_ctx_error(ctx),
			 "'not-an-address': not an IPv4 or IPv6 address");
	addr_list_release(&v4);
	addr_list_release(&v6);
	fwgen_ctx_free(ctx);
}
END_TEST

START_TEST(test_setops_add_new_address_adds_only_it)
{
	static const char *const cur[] = { "198.18.1.0/24", "198.18.5.5" };
	static const char *const req[] = { "198.18.9.9" };

	plan(SETOPS_ADD, 4, cur, 2, req, 1, "", "198.18.9.9");
}
END_TEST

START_TEST(test_setops_add_adjacent_merges)
{
	static const char *const cur[] = { "198.18.1.0/24", "198.18.5.5" };
	static const char *const req[] = { "198.18.5.6", "198.18.2.0" };

	plan(SETOPS_ADD, 4, cur, 2, req, 2, "198.18.1.0/24, 198.18.5.5",
	     "198.18.1.0-198.18.2.0, 198.18.5.5-198.18.5.6");
}
END_TEST

START_TEST(test_setops_add_present_address_changes_nothing)
{
	static const char *const cur[] = { "198.18.1.0/24" };
	static const char *const req[] = { "198.18.1.77", "198.18.1.128/25" };

	plan(SETOPS_ADD, 4, cur, 1, req, 2, "", "");
}
END_TEST

START_TEST(test_setops_add_bridges_two_ranges)
{
	static const char *const cur[] = { "2001:db8::1", "2001:db8::3" };
	static const char *const req[] = { "2001:db8::2" };

	plan(SETOPS_ADD, 6, cur, 2, req, 1, "2001:db8::1, 2001:db8::3",
	     "2001:db8::1-2001:db8::3");
}
END_TEST

START_TEST(test_setops_add_into_empty_set)
{
	static const char *const req[] = { "198.18.3.0/24" };

	plan(SETOPS_ADD, 4, NULL, 0, req, 1, "", "198.18.3.0/24");
}
END_TEST

START_TEST(test_setops_del_inside_prefix_splits)
{
	static const char *const cur[] = { "198.18.1.0/24", "198.18.5.5" };
	static const char *const req[] = { "198.18.1.5" };

	plan(SETOPS_DEL, 4, cur, 2, req, 1, "198.18.1.0/24",
	     "198.18.1.0-198.18.1.4, 198.18.1.6-198.18.1.255");
}
END_TEST

START_TEST(test_setops_del_whole_element)
{
	static const char *const cur[] = { "198.18.1.0/24", "198.18.5.5" };
	static const char *const req[] = { "198.18.5.5" };

	plan(SETOPS_DEL, 4, cur, 2, req, 1, "198.18.5.5", "");
}
END_TEST

START_TEST(test_setops_del_missing_address_is_enoent)
{
	static const char *const cur[] = { "198.18.1.0/24" };
	static const char *const req[] = { "198.18.0.0/23" };
	struct addr_list c, r, del, add;

	parse(cur, 1, 4, &c);
	parse(req, 1, 4, &r);
	ck_assert_int_eq(setops_plan(SETOPS_DEL, 4, &c, &r, &del, &add),
			 -ENOENT);
	ck_assert_uint_eq(del.n, 0);
	ck_assert_uint_eq(add.n, 0);
	addr_list_release(&c);
	addr_list_release(&r);
}
END_TEST

/* A hand-made set may hold adjacent ranges: the update leaves it normalised. */
START_TEST(test_setops_adjacent_kernel_ranges_are_merged)
{
	struct addr_list c = { 0 }, r = { 0 }, del, add;
	struct addr_interval iv;
	struct addr_prefix p;
	const char *why;
	char buf[256];

	ck_assert_int_eq(addr_parse("198.18.1.0/25", &p, &why), 0);
	addr_prefix_interval(&p, &iv);
	addr_list_add(&c, &iv);
	ck_assert_int_eq(addr_parse("198.18.1.128/25", &p, &why), 0);
	addr_prefix_interval(&p, &iv);
	addr_list_add(&c, &iv);
	ck_assert_int_eq(addr_parse("198.18.1.200", &p, &why), 0);
	addr_prefix_interval(&p, &iv);
	addr_list_add(&r, &iv);
	ck_assert_int_eq(setops_plan(SETOPS_DEL, 4, &c, &r, &del, &add), 0);
	list_text(&del, 4, buf, sizeof(buf));
	ck_assert_str_eq(buf, "198.18.1.0/25, 198.18.1.128/25");
	list_text(&add, 4, buf, sizeof(buf));
	ck_assert_str_eq(buf, "198.18.1.0-198.18.1.199, 198.18.1.201-198.18.1.255");
	addr_list_release(&c);
	addr_list_release(&r);
	addr_list_release(&del);
	addr_list_release(&add);
}
END_TEST

START_TEST(test_setops_covers)
{
	static const char *const cur[] = { "198.18.1.0/24", "198.18.5.5" };
	struct addr_list c;
	struct addr_interval iv;
	struct addr_prefix p;
	const char *why;

	parse(cur, 2, 4, &c);
	addr_parse("198.18.1.128/25", &p, &why);
	addr_prefix_interval(&p, &iv);
	ck_assert(setops_covers(&c, 4, &iv));
	addr_parse("198.18.5.5", &p, &why);
	addr_prefix_interval(&p, &iv);
	ck_assert(setops_covers(&c, 4, &iv));
	addr_parse("198.18.5.4/31", &p, &why);
	addr_prefix_interval(&p, &iv);
	ck_assert(!setops_covers(&c, 4, &iv));
	addr_parse("198.18.0.255", &p, &why);
	addr_prefix_interval(&p, &iv);
	ck_assert(!setops_covers(&c, 4, &iv));
	addr_list_release(&c);
}
END_TEST

static Suite *setops_suite(void)
{
	Suite *s = suite_create("setops");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_setops_parse_splits_by_family_and_normalises);
	tcase_add_test(tc, test_setops_parse_names_the_bad_address);
	tcase_add_test(tc, test_setops_add_new_address_adds_only_it);
	tcase_add_test(tc, test_setops_add_adjacent_merges);
	tcase_add_test(tc, test_setops_add_present_address_changes_nothing);
	tcase_add_test(tc, test_setops_add_bridges_two_ranges);
	tcase_add_test(tc, test_setops_add_into_empty_set);
	tcase_add_test(tc, test_setops_del_inside_prefix_splits);
	tcase_add_test(tc, test_setops_del_whole_element);
	tcase_add_test(tc, test_setops_del_missing_address_is_enoent);
	tcase_add_test(tc, test_setops_adjacent_kernel_ranges_are_merged);
	tcase_add_test(tc, test_setops_covers);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(setops_suite());
}
