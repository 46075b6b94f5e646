/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inventory loading: every field validated, every error naming its place.
 */
#include "testutil.h"

#include "model.h"

/* Parses text that must fail and returns the message. */
static const char *fails(struct fwgen_ctx *ctx, const char *text)
{
	struct fwgen_inventory *inv = NULL;
	int ret = fwgen_inventory_parse(ctx, "inv.yaml", text, strlen(text), &inv);

	ck_assert_msg(ret < 0, "accepted: %s", text);
	ck_assert_ptr_null(inv);
	return fwgen_ctx_error(ctx);
}

START_TEST(test_inventory_loads_every_field)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_inventory *inv = parse_inventory(ctx,
						      "topology: demo\n"
						      "table: fw2\n"
						      "egress: filtered\n"
						      "admin_ssh: false\n"
						      "params:\n  https_port: 8443\n  other: [1, \"5-6\"]\n"
						      "options:\n  legacy: true\n"
						      "roles:\n"
						      "  web: [198.18.1.10, \"2001:db8:1::10\", 198.18.1.11]\n"
						      "  user: any\n"
						      "  db: 198.18.2.0/24\n");

	ck_assert_str_eq(inv->topology, "demo");
	ck_assert_str_eq(inv->table, "fw2");
	ck_assert_int_eq(inv->egress, FWGEN_EGRESS_FILTERED);
	ck_assert(!inv->admin_ssh);
	ck_assert_uint_eq(inv->nparams, 2);
	ck_assert_uint_eq(inv->params[0].ports[0].lo, 8443);
	ck_assert_uint_eq(inv->params[1].nports, 2);
	ck_assert_uint_eq(inv->params[1].ports[1].hi, 6);
	ck_assert_uint_eq(inv->noptions, 1);
	ck_assert(inv->options[0].value);
	ck_assert_uint_eq(inv->nroles, 3);
	ck_assert_uint_eq(inventory_role(inv, "web")->v4.n, 1); /* .10-.11 merged */
	ck_assert_uint_eq(inventory_role(inv, "web")->v6.n, 1);
	ck_assert(inventory_role(inv, "user")->any);
	ck_assert_uint_eq(inventory_role(inv, "db")->v4.n, 1);
	fwgen_inventory_free(inv);
	fwgen_ctx_free(ctx);
}
END_TEST

/* Generators quote and tag: `!!bool "true"` is a boolean, `!!str` is not. */
START_TEST(test_inventory_explicit_core_tags)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_inventory *inv = parse_inventory(ctx,
						      "topology: demo\nadmin_ssh: !!bool \"true\"\n");

	ck_assert(inv->admin_ssh);
	fwgen_inventory_free(inv);
	inv = parse_inventory(ctx, "topology: demo\nadmin_ssh: !!bool 'false'\n");
	ck_assert(!inv->admin_ssh);
	fwgen_inventory_free(inv);
	ck_assert_str_eq(fails(ctx, "topology: demo\nadmin_ssh: !!str true\n"),
			 "inv.yaml:2:12: 'admin_ssh' must be true or false, not the string 'true' (write it unquoted, or tag it !!bool)");
	ck_assert_str_eq(fails(ctx, "topology: demo\nadmin_ssh: \"true\"\n"),
			 "inv.yaml:2:12: 'admin_ssh' must be true or false, not the string 'true' (write it unquoted, or tag it !!bool)");
	fwgen_ctx_free(ctx);
}
END_TEST

START_TEST(test_inventory_errors_name_line_and_column)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();

	ck_assert_str_eq(fails(ctx, "topology: demo\nroles:\n  db: [198.18.0.1, 198.18.1.0/16]\n"),
			 "inv.yaml:3:20: '198.18.1.0/16': host bits set after the prefix length");
	ck_assert_str_eq(fails(ctx, "roles:\n  db: [300.1.1.1]\n"),
			 "inv.yaml:2:8: '300.1.1.1': not an IPv4 or IPv6 address");
	ck_assert_str_eq(fails(ctx, "roles:\n  db: [\"2001:db8::/129\"]\n"),
			 "inv.yaml:2:8: '2001:db8::/129': prefix length out of range 0-128");
	ck_assert_str_eq(fails(ctx, "params:\n  p: 0\n"),
			 "inv.yaml:2:6: port '0' out of range 1-65535");
	ck_assert_str_eq(fails(ctx, "params:\n  p: 65536\n"),
			 "inv.yaml:2:6: port '65536' out of range 1-65535");
	ck_assert_str_eq(fails(ctx, "params:\n  p: \"9-3\"\n"),
			 "inv.yaml:2:6: port range '9-3' ends before it starts");
	ck_assert_str_eq(fails(ctx, "params:\n  p: -1\n"),
			 "inv.yaml:2:6: '-1' is not a port or a range \"low-high\"");
	ck_assert_str_eq(fails(ctx, "egress: closed\n"),
			 "inv.yaml:1:9: 'egress' must be open or filtered");
	ck_assert_str_eq(fails(ctx, "options:\n  x: maybe\n"),
			 "inv.yaml:2:6: an option must be true or false, not 'maybe'");
	ck_assert_str_eq(fails(ctx, "table: \"a;b\"\n"),
			 "inv.yaml:1:8: 'table' must be lowercase letters, digits, '-' and '_' (at most 32)");
	ck_assert_str_eq(fails(ctx, "roles:\n  db: [any]\n"),
			 "inv.yaml:2:8: 'any' stands alone: write `db: any`");
	ck_assert_str_eq(fails(ctx, "roles:\n  db: {a: b}\n"),
			 "inv.yaml:2:7: role 'db' must be the word any, an address, or a list of addresses");
	ck_assert_str_eq(fails(ctx, "roles:\n  db: any\n  db: any\n"),
			 "inv.yaml:3:3: role 'db' given twice");
	ck_assert_str_eq(fails(ctx, "topology: demo\ntopology: x\n"),
			 "inv.yaml:2:1: duplicate key 'topology' in an inventory (first at line 1)");
	ck_assert_str_eq(fails(ctx, "- a\n"), "inv.yaml:1:1: an inventory must be a mapping");
	ck_assert_str_eq(fails(ctx, ""), "inv.yaml: empty inventory");
	ck_assert_str_eq(fails(ctx, "a: b\n---\nc: d\n"),
			 "inv.yaml:2:1: only one YAML document is allowed");
	ck_assert_str_eq(fails(ctx, "roles: *nope\n"), "inv.yaml:1:8: unknown alias '*nope'");
	fwgen_ctx_free(ctx);
}
END_TEST

START_TEST(test_inventory_refuses_alias_bombs_quickly)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	const char *msg = fails(ctx,
				"a: &a [x,x,x,x,x,x,x,x,x,x]\n"
				"b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
				"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
				"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
				"e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
				"f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
				"g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
				"h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g,*g]\n");

	ck_assert_msg(strstr(msg, "too large once aliases are expanded") != NULL, "%s", msg);
	fwgen_ctx_free(ctx);
}
END_TEST

START_TEST(test_inventory_refuses_deep_nesting)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	char text[512];
	size_t i, n = 0;

	n += (size_t)snprintf(text + n, sizeof(text) - n, "roles: ");
	for (i = 0; i < 100; i++)
		text[n++] = '[';
	for (i = 0; i < 100; i++)
		text[n++] = ']';
	text[n] = '\0';
	ck_assert_str_eq(fails(ctx, text), "inv.yaml:1:39: nested deeper than 32 levels");
	fwgen_ctx_free(ctx);
}
END_TEST

START_TEST(test_inventory_built_in_code)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_inventory *inv = fwgen_inventory_new();

	ck_assert_int_eq(fwgen_inventory_set_topology(ctx, inv, "demo"), 0);
	ck_assert_int_eq(fwgen_inventory_add_address(ctx, inv, "web", "198.18.1.0/25"), 0);
	ck_assert_int_eq(fwgen_inventory_add_address(ctx, inv, "web", "198.18.1.128/25"), 0);
	ck_assert_uint_eq(inventory_role(inv, "web")->v4.n, 1);
	ck_assert_int_eq(fwgen_inventory_add_address(ctx, inv, "web", "198.18.1.1/24"), -EINVAL);
	ck_assert_str_eq(fwgen_ctx_error(ctx),
			 "'198.18.1.1/24': host bits set after the prefix length");
	ck_assert_int_eq(fwgen_inventory_set_any(ctx, inv, "user"), 0);
	ck_assert_int_eq(fwgen_inventory_add_address(ctx, inv, "user", "198.18.0.1"), -EINVAL);
	ck_assert_int_eq(fwgen_inventory_set_param(ctx, inv, "https_port", 0), -ERANGE);
	ck_assert_int_eq(fwgen_inventory_set_param(ctx, inv, "https_port", 8443), 0);
	ck_assert_int_eq(fwgen_inventory_set_table(ctx, inv, "Bad Name"), -EINVAL);
	fwgen_inventory_free(inv);
	fwgen_inventory_free(NULL);
	fwgen_ctx_free(ctx);
}
END_TEST

/*
 * Addresses added in code in any order come out normalised, as a file's
 * do: fwgen_inventory_add_address() appends, the read normalises once.
 */
START_TEST(test_inventory_added_addresses_read_normalised)
{
	static const char *const adds[] = {
		"198.18.0.4",
		"2001:db8::2",
		"198.18.0.2",
		"198.18.0.3",
		"2001:db8::1",
		"198.18.0.2",
		"198.18.9.0/24",
		"198.18.0.0/31",
	};
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_inventory *inv = fwgen_inventory_new();
	const struct inv_role *r;
	char buf[ADDR_INTERVAL_STRLEN];
	size_t i;

	for (i = 0; i < sizeof(adds) / sizeof(adds[0]); i++)
		ck_assert_int_eq(fwgen_inventory_add_address(ctx, inv, "user", adds[i]), 0);
	r = inventory_role(inv, "user");
	ck_assert_uint_eq(r->v4.n, 2);
	addr_interval_format(&r->v4.v[0], 4, buf, sizeof(buf));
	ck_assert_str_eq(buf, "198.18.0.0-198.18.0.4");
	addr_interval_format(&r->v4.v[1], 4, buf, sizeof(buf));
	ck_assert_str_eq(buf, "198.18.9.0/24");
	ck_assert_uint_eq(r->v6.n, 1);
	addr_interval_format(&r->v6.v[0], 6, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2001:db8::1-2001:db8::2");
	/* One more after a read is normalised at the next read. */
	ck_assert_int_eq(fwgen_inventory_add_address(ctx, inv, "user", "198.18.0.5"), 0);
	ck_assert_uint_eq(inventory_role(inv, "user")->v4.n, 2);
	addr_interval_format(&inventory_role(inv, "user")->v4.v[0], 4, buf, sizeof(buf));
	ck_assert_str_eq(buf, "198.18.0.0-198.18.0.5");
	fwgen_inventory_free(inv);
	fwgen_ctx_free(ctx);
}
END_TEST

/* Writes an inventory to a string (fwgen_inventory_write()). */
static char *written(struct fwgen_ctx *ctx, const struct fwgen_inventory *inv)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_int_eq(fwgen_inventory_write(ctx, inv, f), 0);
	fclose(f);
	return text;
}

/* Getters, and YAML written back that loads to the same inventory. */
START_TEST(test_inventory_getters_and_write_round_trip)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_inventory *inv = parse_inventory(ctx,
						      "topology: demo\n"
						      "table: fw2\n"
						      "egress: filtered\n"
						      "admin_ssh: false\n"
						      "params:\n  https_port: 8443\n  other: [1, \"5-6\"]\n"
						      "options:\n  legacy: true\n  yes-no: off\n"
						      "roles:\n"
						      "  web: [198.18.1.10, \"2001:db8:1::10\", 198.18.1.11, 198.18.1.12]\n"
						      "  user: any\n"
						      "  db: 198.18.2.0/24\n");
	struct fwgen_inventory *back;
	struct fwgen_port_range r;
	char *text, *again, buf[64];

	ck_assert_str_eq(fwgen_inventory_topology(inv), "demo");
	ck_assert_str_eq(fwgen_inventory_table(inv), "fw2");
	ck_assert_int_eq(fwgen_inventory_egress(inv), FWGEN_EGRESS_FILTERED);
	ck_assert(!fwgen_inventory_admin_ssh(inv));
	ck_assert_uint_eq(fwgen_inventory_param_count(inv), 2);
	ck_assert_str_eq(fwgen_inventory_param_name(inv, 1), "other");
	ck_assert_uint_eq(fwgen_inventory_param_range_count(inv, 1), 2);
	ck_assert_int_eq(fwgen_inventory_param_range_at(inv, 1, 1, &r), 0);
	ck_assert_uint_eq(r.lo, 5);
	ck_assert_uint_eq(r.hi, 6);
	ck_assert_int_eq(fwgen_inventory_param_range_at(inv, 1, 2, &r), -ENOENT);
	ck_assert_uint_eq(fwgen_inventory_option_count(inv), 2);
	ck_assert(fwgen_inventory_option_value(inv, 0));
	ck_assert(!fwgen_inventory_option_value(inv, 1));
	ck_assert_uint_eq(fwgen_inventory_role_count(inv), 3);
	ck_assert_str_eq(fwgen_inventory_role_name(inv, 0), "web");
	ck_assert(fwgen_inventory_role_is_any(inv, 1));
	ck_assert_ptr_null(fwgen_inventory_role_name(inv, 3));
	/* .10-.12 merged: the fewest prefixes are .10/31 and .12, then v6. */
	ck_assert_uint_eq(fwgen_inventory_address_count(inv, 0), 3);
	ck_assert_int_eq(fwgen_inventory_address_at(inv, 0, 0, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "198.18.1.10/31");
	ck_assert_int_eq(fwgen_inventory_address_at(inv, 0, 1, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "198.18.1.12");
	ck_assert_int_eq(fwgen_inventory_address_at(inv, 0, 2, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "2001:db8:1::10");
	ck_assert_int_eq(fwgen_inventory_address_at(inv, 0, 3, buf, sizeof(buf)), -ENOENT);
	ck_assert_int_eq(fwgen_inventory_address_at(inv, 0, 0, buf, 4), -ENOSPC);

	text = written(ctx, inv);
	ck_assert_str_eq(text,
			 "topology: \"demo\"\n"
			 "table: \"fw2\"\n"
			 "egress: filtered\n"
			 "admin_ssh: false\n"
			 "params:\n  \"https_port\": 8443\n  \"other\": [1, \"5-6\"]\n"
			 "options:\n  \"legacy\": true\n  \"yes-no\": false\n"
			 "roles:\n"
			 "  \"web\": [\"198.18.1.10/31\", \"198.18.1.12\", \"2001:db8:1::10\"]\n"
			 "  \"user\": any\n"
			 "  \"db\": [\"198.18.2.0/24\"]\n");
	back = parse_inventory(ctx, text);
	again = written(ctx, back);
	ck_assert_str_eq(again, text);
	ck_assert_uint_eq(fwgen_inventory_address_count(back, 0), 3);
	free(again);
	free(text);
	fwgen_inventory_free(back);
	fwgen_inventory_free(inv);
	fwgen_ctx_free(ctx);
}
END_TEST

/* A range of addresses in no prefix form still loads back the same. */
START_TEST(test_inventory_write_odd_ranges)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_inventory *inv = fwgen_inventory_new(), *back;
	char *text, *again;
	size_t i;

	for (i = 3; i < 300; i++) {
		char a[32];

		snprintf(a, sizeof(a), "198.18.%zu.%zu", i >> 8, i & 0xff);
		ck_assert_int_eq(fwgen_inventory_add_address(ctx, inv, "user", a), 0);
	}
	ck_assert_int_eq(fwgen_inventory_add_address(ctx, inv, "user", "2001:db8::/33"), 0);
	ck_assert_int_eq(fwgen_inventory_add_address(ctx, inv, "user", "2001:db8:8000::/33"), 0);
	text = written(ctx, inv);
	back = parse_inventory(ctx, text);
	again = written(ctx, back);
	ck_assert_str_eq(again, text);
	ck_assert_ptr_nonnull(strstr(text, "\"2001:db8::/32\"")); /* merged */
	free(again);
	free(text);
	fwgen_inventory_free(back);
	fwgen_inventory_free(inv);
	fwgen_ctx_free(ctx);
}
END_TEST

START_TEST(test_inventory_del_address_and_param_ranges)
{
	static const struct fwgen_port_range ports[] = { { 25, 25 }, { 9000, 9010 } };
	static const struct fwgen_port_range bad[] = { { 9, 3 } };
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_inventory *inv = fwgen_inventory_new();
	struct fwgen_port_range r;
	char buf[64];

	ck_assert_int_eq(fwgen_inventory_add_address(ctx, inv, "user", "198.18.1.0/24"), 0);
	ck_assert_int_eq(fwgen_inventory_del_address(ctx, inv, "user", "198.18.1.5"), 0);
	ck_assert_uint_eq(fwgen_inventory_address_count(inv, 0), 8); /* .0/30 .4 .6/31 .8/29 ... */
	ck_assert_int_eq(fwgen_inventory_del_address(ctx, inv, "user", "198.18.1.5"), -ENOENT);
	ck_assert_int_eq(fwgen_ctx_errno(ctx), -ENOENT);
	ck_assert_int_eq(fwgen_inventory_del_address(ctx, inv, "user", "198.18.1.0/29"), -ENOENT);
	ck_assert_uint_eq(fwgen_inventory_address_count(inv, 0), 8); /* unchanged */
	ck_assert_int_eq(fwgen_inventory_del_address(ctx, inv, "other", "198.18.1.1"), -ENOENT);
	ck_assert_int_eq(fwgen_inventory_del_address(ctx, inv, "user", "198.18.1.0/29"), -ENOENT);
	ck_assert_int_eq(fwgen_inventory_del_address(ctx, inv, "user", "nonsense"), -EINVAL);
	ck_assert_int_eq(fwgen_inventory_del_address(ctx, inv, "user", "198.18.1.0/30"), 0);
	ck_assert_int_eq(fwgen_inventory_del_address(ctx, inv, "user", "198.18.1.4"), 0);
	ck_assert_int_eq(fwgen_inventory_del_address(ctx, inv, "user", "198.18.1.6/31"), 0);
	ck_assert_int_eq(fwgen_inventory_del_address(ctx, inv, "user", "198.18.1.8/29"), 0);
	ck_assert_int_eq(fwgen_inventory_del_address(ctx, inv, "user", "198.18.1.16/28"), 0);
	ck_assert_int_eq(fwgen_inventory_del_address(ctx, inv, "user", "198.18.1.32/27"), 0);
	ck_assert_int_eq(fwgen_inventory_del_address(ctx, inv, "user", "198.18.1.64/26"), 0);
	ck_assert_int_eq(fwgen_inventory_del_address(ctx, inv, "user", "198.18.1.128/25"), 0);
	/* Bound to nothing: still bound, never "any". */
	ck_assert_uint_eq(fwgen_inventory_role_count(inv), 1);
	ck_assert_uint_eq(fwgen_inventory_address_count(inv, 0), 0);
	ck_assert(!fwgen_inventory_role_is_any(inv, 0));

	ck_assert_int_eq(fwgen_inventory_set_param_ranges(ctx, inv, "smtp", ports, 2), 0);
	ck_assert_uint_eq(fwgen_inventory_param_range_count(inv, 0), 2);
	ck_assert_int_eq(fwgen_inventory_param_range_at(inv, 0, 1, &r), 0);
	ck_assert_uint_eq(r.hi, 9010);
	ck_assert_int_eq(fwgen_inventory_set_param_ranges(ctx, inv, "smtp", bad, 1), -ERANGE);
	ck_assert_int_eq(fwgen_inventory_set_param_ranges(ctx, inv, "smtp", ports, 0), -EINVAL);
	ck_assert_uint_eq(fwgen_inventory_param_range_count(inv, 0), 2); /* unchanged */
	ck_assert_int_eq(fwgen_inventory_address_at(inv, 0, 0, buf, sizeof(buf)), -ENOENT);
	fwgen_inventory_free(inv);
	fwgen_ctx_free(ctx);
}
END_TEST

/* Contradictions are errors in either order; a failed add binds nothing. */
START_TEST(test_inventory_any_and_addresses_contradict)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_inventory *inv = fwgen_inventory_new();

	ck_assert_int_eq(fwgen_inventory_add_address(ctx, inv, "user", "198.18.0.1"), 0);
	ck_assert_int_eq(fwgen_inventory_set_any(ctx, inv, "user"), -EINVAL);
	ck_assert_str_eq(fwgen_ctx_error(ctx), "role 'user' is bound to addresses already");
	ck_assert_uint_eq(fwgen_inventory_address_count(inv, 0), 1);
	ck_assert_int_eq(fwgen_inventory_set_any(ctx, inv, "admin"), 0);
	ck_assert_int_eq(fwgen_inventory_add_address(ctx, inv, "admin", "198.18.0.1"), -EINVAL);
	ck_assert_int_eq(fwgen_inventory_add_address(ctx, inv, "web", "198.18.0.1/8"), -EINVAL);
	ck_assert_uint_eq(fwgen_inventory_role_count(inv), 2); /* no empty 'web' */
	/* A success forgets the error. */
	ck_assert_int_eq(fwgen_inventory_add_address(ctx, inv, "web", "198.18.0.9"), 0);
	ck_assert_str_eq(fwgen_ctx_error(ctx), "");
	ck_assert_int_eq(fwgen_ctx_errno(ctx), 0);
	ck_assert_int_eq(fwgen_inventory_set_egress(inv, (enum fwgen_egress)42), -EINVAL);
	ck_assert_int_eq(fwgen_inventory_egress(inv), FWGEN_EGRESS_OPEN);
	fwgen_inventory_free(inv);
	fwgen_ctx_free(ctx);
}
END_TEST

/* The place of a file error, as data; cleared by the next success. */
START_TEST(test_inventory_error_location_as_data)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_inventory *inv = (void *)1;

	fails(ctx, "topology: demo\nroles:\n  db: [198.18.0.1, 198.18.1.0/16]\n");
	ck_assert_int_eq(fwgen_ctx_errno(ctx), -EINVAL);
	ck_assert_str_eq(fwgen_ctx_error_file(ctx), "inv.yaml");
	ck_assert_uint_eq(fwgen_ctx_error_line(ctx), 3);
	ck_assert_uint_eq(fwgen_ctx_error_column(ctx), 20);
	fwgen_inventory_free(parse_inventory(ctx, "topology: demo\n"));
	ck_assert_ptr_null(fwgen_ctx_error_file(ctx));
	ck_assert_uint_eq(fwgen_ctx_error_line(ctx), 0);
	ck_assert_int_eq(fwgen_ctx_errno(ctx), 0);
	ck_assert_str_eq(fwgen_ctx_error(ctx), "");
	/* An unreadable file: the file as data, no line; one errno per cause. */
	ck_assert_int_eq(fwgen_inventory_load(ctx, "/nonexistent/inv.yaml", &inv), -ENOENT);
	ck_assert_ptr_eq(inv, (void *)1);
	ck_assert_str_eq(fwgen_ctx_error_file(ctx), "/nonexistent/inv.yaml");
	ck_assert_uint_eq(fwgen_ctx_error_line(ctx), 0);
	ck_assert_str_eq(fwgen_ctx_error(ctx), "/nonexistent/inv.yaml: No such file or directory");
	ck_assert_int_eq(fwgen_inventory_load(ctx, "/dev/null/x", &inv), -ENOENT); /* ENOTDIR */
	ck_assert_int_eq(fwgen_inventory_load(ctx, "/", &inv), -EINVAL);	   /* not a file */
	ck_assert_ptr_eq(inv, (void *)1);
	ck_assert_int_eq(fwgen_ctx_errno(ctx), -EINVAL);
	fwgen_ctx_free(ctx);
}
END_TEST

/* A long value loses its middle, never the reason, which comes last. */
START_TEST(test_inventory_long_input_keeps_the_reason)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_inventory *inv = fwgen_inventory_new();
	char *name = malloc(5001);
	const char *msg;
	size_t len;

	memset(name, 'a', 5000);
	name[5000] = '\0';
	name[0] = '\n'; /* escaped: \n, still one line */
	ck_assert_int_eq(fwgen_inventory_set_topology(ctx, inv, name), -EINVAL);
	msg = fwgen_ctx_error(ctx);
	len = strlen(msg);
	ck_assert_uint_lt(len, 1024);
	ck_assert_uint_gt(len, 900);
	ck_assert_ptr_null(strchr(msg, '\n'));
	ck_assert_int_eq(strncmp(msg, "'\\naaa", 6), 0);
	ck_assert_ptr_nonnull(strstr(msg, "aaa...aaa"));
	ck_assert_str_eq(msg + len - strlen("' is not a topology name"),
			 "' is not a topology name");
	free(name);
	fwgen_inventory_free(inv);
	fwgen_ctx_free(ctx);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("inventory");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_inventory_loads_every_field);
	tcase_add_test(tc, test_inventory_errors_name_line_and_column);
	tcase_add_test(tc, test_inventory_explicit_core_tags);
	tcase_add_test(tc, test_inventory_refuses_alias_bombs_quickly);
	tcase_add_test(tc, test_inventory_refuses_deep_nesting);
	tcase_add_test(tc, test_inventory_built_in_code);
	tcase_add_test(tc, test_inventory_getters_and_write_round_trip);
	tcase_add_test(tc, test_inventory_write_odd_ranges);
	tcase_add_test(tc, test_inventory_del_address_and_param_ranges);
	tcase_add_test(tc, test_inventory_any_and_addresses_contradict);
	tcase_add_test(tc, test_inventory_error_location_as_data);
	tcase_add_test(tc, test_inventory_long_input_keeps_the_reason);
	tcase_add_test(tc, test_inventory_added_addresses_read_normalised);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
