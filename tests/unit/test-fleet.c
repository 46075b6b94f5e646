/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fleet view: hosts of an inventory with roles and digests, SHA-256,
 * and the two-ended explain.
 */
#include "testutil.h"

#include <fwgen/fleet.h>

#include "sha256.h"

static void hex(const uint8_t *md, char *out)
{
	size_t i;

	for (i = 0; i < SHA256_LEN; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
}

/* FIPS 180-4 examples (one block, empty, two blocks) and a long input. */
START_TEST(test_sha256_known_answers)
{
	static const char two[] =
		"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	uint8_t md[SHA256_LEN];
	char out[2 * SHA256_LEN + 1];
	char *mil;

	sha256("abc", 3, md);
	hex(md, out);
	ck_assert_str_eq(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256("", 0, md);
	hex(md, out);
	ck_assert_str_eq(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256(two, strlen(two), md);
	hex(md, out);
	ck_assert_str_eq(out, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	mil = malloc(1000000);
	ck_assert_ptr_nonnull(mil);
	memset(mil, 'a', 1000000);
	sha256(mil, 1000000, md);
	free(mil);
	hex(md, out);
	ck_assert_str_eq(out, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}
END_TEST

static const char demo_inv[] =
	"topology: demo\nroles:\n"
	"  web: [198.18.1.10, 198.18.1.11, \"2001:db8:1::10\"]\n"
	"  db: [198.18.1.11, 198.18.2.0/24]\n"
	"  user: [198.18.0.0/15]\n";

START_TEST(test_fleet_lists_every_host_address_with_roles_and_digest)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = load_demo_catalog(ctx);
	struct fwgen_inventory *inv = parse_inventory(ctx, demo_inv);
	const char *both[] = { "web", "db" }, *web[] = { "web" };
	char dweb[FWGEN_DIGEST_STRLEN], dboth[FWGEN_DIGEST_STRLEN];
	struct fwgen_policy *pol;
	struct fwgen_fleet *f;

	ck_assert_int_eq(fwgen_fleet_new(ctx, cat, inv, NULL, 0, &f), 0);
	ck_assert_str_eq(fwgen_fleet_topology(f), "demo");
	/* .10, .11 (web and db), the /24 pool (db), then IPv6 */
	ck_assert_uint_eq(fwgen_fleet_host_count(f), 4);
	ck_assert_str_eq(fwgen_fleet_host_address(f, 0), "198.18.1.10");
	ck_assert_uint_eq(fwgen_fleet_host_role_count(f, 0), 1);
	ck_assert_str_eq(fwgen_fleet_host_role(f, 0, 0), "web");
	ck_assert_str_eq(fwgen_fleet_host_address(f, 1), "198.18.1.11");
	ck_assert_uint_eq(fwgen_fleet_host_role_count(f, 1), 2);
	ck_assert_str_eq(fwgen_fleet_host_role(f, 1, 0), "web");
	ck_assert_str_eq(fwgen_fleet_host_role(f, 1, 1), "db");
	ck_assert_str_eq(fwgen_fleet_host_address(f, 2), "198.18.2.0/24");
	ck_assert_str_eq(fwgen_fleet_host_role(f, 2, 0), "db");
	ck_assert_str_eq(fwgen_fleet_host_address(f, 3), "2001:db8:1::10");
	ck_assert_ptr_null(fwgen_fleet_host_address(f, 4));
	ck_assert_ptr_null(fwgen_fleet_host_role(f, 0, 1));
	ck_assert_ptr_null(fwgen_fleet_host_digest(f, 4));

	/* The digest is the one of the policy those roles resolve to. */
	ck_assert_int_eq(fwgen_policy_resolve(ctx, cat, inv, NULL, web, 1, 0, &pol), 0);
	ck_assert_int_eq(fwgen_policy_digest(ctx, pol, dweb, sizeof(dweb)), 0);
	fwgen_policy_free(pol);
	ck_assert_int_eq(fwgen_policy_resolve(ctx, cat, inv, NULL, both, 2, 0, &pol), 0);
	ck_assert_int_eq(fwgen_policy_digest(ctx, pol, dboth, sizeof(dboth)), 0);
	ck_assert_int_eq(fwgen_policy_digest(ctx, pol, dboth, FWGEN_DIGEST_STRLEN - 1), -EINVAL);
	fwgen_policy_free(pol);
	ck_assert_uint_eq(strlen(dweb), 7 + 64);
	ck_assert_str_ne(dweb, dboth);
	ck_assert_str_eq(fwgen_fleet_host_digest(f, 0), dweb);
	ck_assert_str_eq(fwgen_fleet_host_digest(f, 1), dboth);
	ck_assert_str_eq(fwgen_fleet_host_digest(f, 3), dweb);
	fwgen_fleet_free(f);
	fwgen_inventory_free(inv);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
}
END_TEST

START_TEST(test_fleet_expands_small_ranges_not_pools)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = load_demo_catalog(ctx);
	struct fwgen_inventory *inv = parse_inventory(ctx,
						      "topology: demo\nroles:\n"
						      "  web: [198.18.1.254, 198.18.1.255, 198.18.2.0]\n"
						      "  db: [198.18.4.0/26, 198.18.8.0/25]\n");
	struct fwgen_fleet *f;

	ck_assert_int_eq(fwgen_fleet_new(ctx, cat, inv, NULL, 0, &f), 0);
	/* 3 web hosts across a byte carry, the /26 (64) one by one, the /25 whole */
	ck_assert_uint_eq(fwgen_fleet_host_count(f), 3 + 64 + 1);
	ck_assert_str_eq(fwgen_fleet_host_address(f, 1), "198.18.1.255");
	ck_assert_str_eq(fwgen_fleet_host_address(f, 2), "198.18.2.0");
	ck_assert_str_eq(fwgen_fleet_host_address(f, 3), "198.18.4.0");
	ck_assert_str_eq(fwgen_fleet_host_address(f, 66), "198.18.4.63");
	ck_assert_str_eq(fwgen_fleet_host_address(f, 67), "198.18.8.0/25");
	fwgen_fleet_free(f);
	fwgen_inventory_free(inv);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
}
END_TEST

START_TEST(test_fleet_errors_fail_the_whole_fleet_and_change_nothing)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = load_demo_catalog(ctx);
	struct fwgen_inventory *none = parse_inventory(ctx,
						       "topology: demo\nroles:\n  user: [198.18.0.0/15]\n");
	struct fwgen_inventory *inv = parse_inventory(ctx, demo_inv);
	struct fwgen_fleet *f = (void *)1;
	struct fwgen_explain *eg = (void *)1, *in = (void *)1;

	ck_assert_int_eq(fwgen_fleet_new(ctx, cat, none, NULL, 0, &f), -ENOENT);
	ck_assert_ptr_eq(f, (void *)1);
	ck_assert_str_eq(fwgen_ctx_error(ctx),
			 "inv.yaml: no address is bound to a host role of 'demo'");
	ck_assert_int_eq(fwgen_fleet_new(ctx, cat, inv, "nosuch", 0, &f), -ENOENT);
	ck_assert_int_eq(fwgen_fleet_new(ctx, NULL, inv, NULL, 0, &f), -EINVAL);
	ck_assert_int_eq(fwgen_fleet_new(ctx, cat, NULL, NULL, 0, &f), -EINVAL);
	ck_assert_int_eq(fwgen_fleet_new(ctx, cat, inv, NULL, 0x80, &f), -EINVAL);
	ck_assert_int_eq(fwgen_fleet_new(ctx, cat, inv, NULL, 0, NULL), -EINVAL);
	ck_assert_int_eq(fwgen_fleet_new(NULL, cat, inv, NULL, 0, &f), -EINVAL);
	/* demo leaves no role unbound but admin, dns-server, time-source */
	ck_assert_int_eq(fwgen_fleet_new(ctx, cat, inv, NULL, FWGEN_FLEET_STRICT, &f), -EINVAL);
	ck_assert_ptr_eq(f, (void *)1);

	ck_assert_int_eq(fwgen_fleet_new(ctx, cat, inv, NULL, 0, &f), 0);
	ck_assert_int_eq(fwgen_fleet_explain(ctx, f, "198.18.1.10", "198.18.2.0/24",
					     "tcp/3306", &eg, &in),
			 -EINVAL);
	ck_assert_str_eq(fwgen_ctx_error(ctx),
			 "destination '198.18.2.0/24': give one address, not a prefix");
	ck_assert_int_eq(fwgen_fleet_explain(ctx, f, "198.18.7.1", "198.18.7.2",
					     "tcp/3306", &eg, &in),
			 -ENOENT);
	ck_assert_int_eq(fwgen_fleet_explain(ctx, f, "198.18.1.10", "198.18.2.7",
					     "tcp/99999", &eg, &in),
			 -EINVAL);
	ck_assert_ptr_eq(eg, (void *)1);
	ck_assert_ptr_eq(in, (void *)1);
	ck_assert_int_eq(fwgen_fleet_explain(ctx, NULL, "a", "b", "tcp/1", &eg, &in), -EINVAL);
	ck_assert_int_eq(fwgen_fleet_explain(ctx, f, NULL, "b", "tcp/1", &eg, &in), -EINVAL);
	ck_assert_int_eq(fwgen_fleet_explain(ctx, f, "a", "b", "tcp/1", NULL, &in), -EINVAL);
	ck_assert_int_eq(fwgen_policy_digest(ctx, NULL, NULL, 0), -EINVAL);
	ck_assert_int_eq(fwgen_policy_digest(NULL, NULL, NULL, 0), -EINVAL);
	ck_assert_uint_eq(fwgen_fleet_host_count(NULL), 0);
	ck_assert_ptr_null(fwgen_fleet_topology(NULL));
	fwgen_fleet_free(NULL);
	fwgen_fleet_free(f);
	fwgen_inventory_free(inv);
	fwgen_inventory_free(none);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
}
END_TEST

START_TEST(test_fleet_explain_asks_both_ends)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = load_demo_catalog(ctx);
	struct fwgen_inventory *inv = parse_inventory(ctx,
						      "topology: demo\negress: filtered\nroles:\n"
						      "  web: [198.18.1.10]\n  db: [198.18.2.10]\n"
						      "  user: [198.18.9.0/24]\n");
	struct fwgen_explain *eg, *in;
	struct fwgen_fleet *f;

	ck_assert_int_eq(fwgen_fleet_new(ctx, cat, inv, NULL, 0, &f), 0);
	/* web -> db 3306: web's egress and db's ingress both name web-db */
	ck_assert_int_eq(fwgen_fleet_explain(ctx, f, "198.18.1.10", "198.18.2.10",
					     "tcp/3306", &eg, &in),
			 0);
	ck_assert(fwgen_explain_allowed(eg));
	ck_assert(fwgen_explain_allowed(in));
	ck_assert_str_eq(fwgen_explain_flow_id(eg, 0), "web-db");
	ck_assert_str_eq(fwgen_explain_flow_id(in, 0), "web-db");
	fwgen_explain_free(eg);
	fwgen_explain_free(in);

	/* db -> web 3306: no flow either way; the near miss is web-db */
	ck_assert_int_eq(fwgen_fleet_explain(ctx, f, "198.18.2.10", "198.18.1.10",
					     "tcp/3306", &eg, &in),
			 0);
	ck_assert(!fwgen_explain_allowed(eg));
	ck_assert(!fwgen_explain_allowed(in));
	ck_assert_uint_eq(fwgen_explain_miss_count(in), 1);
	ck_assert_str_eq(fwgen_explain_miss_flow_id(in, 0), "web-db");
	fwgen_explain_free(eg);
	fwgen_explain_free(in);

	/* a user runs no fwgen ruleset: only web's ingress answers */
	ck_assert_int_eq(fwgen_fleet_explain(ctx, f, "198.18.9.5", "198.18.1.10",
					     "tcp/80", &eg, &in),
			 0);
	ck_assert_ptr_null(eg);
	ck_assert(fwgen_explain_allowed(in));
	ck_assert_str_eq(fwgen_explain_flow_id(in, 0), "user-web");
	fwgen_explain_free(in);
	fwgen_fleet_free(f);
	fwgen_inventory_free(inv);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fleet");
	TCase *tc = tcase_create("fleet");

	tcase_add_test(tc, test_sha256_known_answers);
	tcase_add_test(tc, test_fleet_lists_every_host_address_with_roles_and_digest);
	tcase_add_test(tc, test_fleet_expands_small_ranges_not_pools);
	tcase_add_test(tc, test_fleet_errors_fail_the_whole_fleet_and_change_nothing);
	tcase_add_test(tc, test_fleet_explain_asks_both_ends);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
