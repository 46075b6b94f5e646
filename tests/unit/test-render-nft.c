/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The nft renderer against golden files: same input, same bytes.
 * Regenerate a golden file only after reading its diff.
 */
#include "testutil.h"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "%s missing", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

static void golden(const char *name, const char *inventory, const char *r1,
		   const char *r2)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = load_demo_catalog(ctx);
	struct fwgen_inventory *inv = inventory ? parse_inventory(ctx, inventory) : NULL;
	const char *roles[2] = { r1, r2 };
	struct fwgen_policy *pol = NULL;
	char path[4096], *want, *got = NULL, *again = NULL;
	size_t len;

	ck_assert_int_eq(fwgen_policy_resolve(ctx, cat, inv, "demo", roles, r2 ? 2 : 1,
					      0, &pol),
			 0);
	ck_assert_int_eq(fwgen_policy_render_buf(ctx, pol, FWGEN_FORMAT_NFT, &got, &len), 0);
	ck_assert_uint_eq(strlen(got), len);
	ck_assert_int_eq(fwgen_policy_render_buf(ctx, pol, FWGEN_FORMAT_NFT, &again, NULL), 0);
	ck_assert_str_eq(got, again);
	snprintf(path, sizeof(path), "%s/golden/%s", test_data(), name);
	want = slurp(path);
	ck_assert_msg(strcmp(got, want) == 0, "%s differs; got:\n%s", name, got);
	free(want);
	free(got);
	free(again);
	fwgen_policy_free(pol);
	fwgen_inventory_free(inv);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
}

START_TEST(test_render_nft_without_inventory)
{
	golden("demo-web.nft", NULL, "web", NULL);
}
END_TEST

START_TEST(test_render_nft_two_roles_egress_filtered)
{
	golden("demo-web-db-filtered.nft",
	       "topology: demo\n"
	       "egress: filtered\n"
	       "roles:\n"
	       "  web: [198.18.1.10, \"2001:db8:1::10\"]\n"
	       "  db: [198.18.2.0/25, 198.18.2.128/25, 198.18.3.1, 198.18.3.2]\n"
	       "  user: any\n"
	       "  admin: [198.18.9.0/24, \"2001:db8:9::/48\"]\n",
	       "db", "web");
}
END_TEST

START_TEST(test_render_nft_table_name_from_inventory)
{
	golden("demo-db-table.nft", "topology: demo\ntable: fw2\nadmin_ssh: false\n",
	       "db", NULL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("render-nft");
	TCase *tc = tcase_create("golden");

	tcase_add_test(tc, test_render_nft_without_inventory);
	tcase_add_test(tc, test_render_nft_two_roles_egress_filtered);
	tcase_add_test(tc, test_render_nft_table_name_from_inventory);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
