/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `--role auto`: host roles found by matching addresses to the inventory.
 */
#include "testutil.h"

#include "local-roles.h"

static struct addr_prefix addr(const char *text)
{
	struct addr_prefix p;
	const char *why;

	ck_assert_int_eq(addr_parse(text, &p, &why), 0);
	return p;
}

START_TEST(test_local_roles_match_host_roles_only)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = load_demo_catalog(ctx);
	struct fwgen_inventory *inv = parse_inventory(ctx,
						      "topology: demo\nroles:\n"
						      "  web: [198.18.1.0/24, \"2001:db8:1::/64\"]\n"
						      "  db: [198.18.2.5]\n"
						      "  user: [198.18.0.0/15]\n");
	const struct fwgen_topology *t = fwgen_catalog_topology(ctx, cat, "demo");
	struct addr_prefix a[3];
	const char **roles;
	size_t n;

	a[0] = addr("198.18.1.77");
	ck_assert_int_eq(roles_for_addresses(ctx, t, inv, a, 1, &roles, &n), 0);
	ck_assert_uint_eq(n, 1); /* user covers it too, but user is a peer role */
	ck_assert_str_eq(roles[0], "web");
	free(roles);

	a[0] = addr("2001:db8:1::99");
	a[1] = addr("198.18.2.5");
	a[2] = addr("198.18.7.7");
	ck_assert_int_eq(roles_for_addresses(ctx, t, inv, a, 3, &roles, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(roles[0], "web");
	ck_assert_str_eq(roles[1], "db");
	free(roles);

	a[0] = addr("198.18.2.6");
	ck_assert_int_eq(roles_for_addresses(ctx, t, inv, a, 1, &roles, &n), 0);
	ck_assert_uint_eq(n, 0);
	free(roles);
	fwgen_inventory_free(inv);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
}
END_TEST

START_TEST(test_local_roles_without_match_is_an_error)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = load_demo_catalog(ctx);
	/* TEST-NET-3 is on no interface of any test machine. */
	struct fwgen_inventory *inv = parse_inventory(ctx,
						      "topology: demo\nroles:\n  web: [203.0.113.0/24]\n");
	const char **roles = NULL;
	size_t n = 7;

	ck_assert_int_eq(fwgen_inventory_local_roles(ctx, cat, inv, NULL, &roles, &n), -ENOENT);
	/* All or nothing: a failed call leaves the outputs as they were. */
	ck_assert_ptr_null(roles);
	ck_assert_uint_eq(n, 7);
	ck_assert_str_eq(fwgen_ctx_error(ctx),
			 "inv.yaml: none of this host's addresses is bound to a host role of 'demo'");
	ck_assert_int_eq(fwgen_inventory_local_roles(ctx, cat, NULL, "demo", &roles, &n), -EINVAL);
	fwgen_inventory_free(inv);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("local-roles");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_local_roles_match_host_roles_only);
	tcase_add_test(tc, test_local_roles_without_match_is_an_error);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
