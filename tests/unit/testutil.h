/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers shared by the unit tests: paths of fixtures, loading the real and
 * the demo catalogs, running a Check suite.
 */
#ifndef FWGEN_TESTUTIL_H
#define FWGEN_TESTUTIL_H

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fwgen/fwgen.h>

static inline const char *test_data(void)
{
	const char *d = getenv("FWGEN_TEST_DATA");

	return d ? d : "tests/data";
}

/* The catalog under test: FWGEN_CATALOG_DIR (the repository's catalog/). */
static inline struct fwgen_catalog *load_real_catalog(struct fwgen_ctx *ctx)
{
	struct fwgen_catalog *cat = NULL;
	int ret = fwgen_catalog_load(ctx, &cat);

	ck_assert_msg(ret == 0, "catalog: %s", fwgen_ctx_error(ctx));
	return cat;
}

static inline struct fwgen_catalog *load_demo_catalog(struct fwgen_ctx *ctx)
{
	struct fwgen_catalog *cat = NULL;
	char path[4096];
	int ret;

	snprintf(path, sizeof(path), "%s/catalog-demo/demo.yaml", test_data());
	ret = fwgen_catalog_load_file(ctx, path, &cat);
	ck_assert_msg(ret == 0, "demo catalog: %s", fwgen_ctx_error(ctx));
	return cat;
}

static inline struct fwgen_inventory *parse_inventory(struct fwgen_ctx *ctx,
						      const char *text)
{
	struct fwgen_inventory *inv = NULL;
	int ret = fwgen_inventory_parse(ctx, "inv.yaml", text, strlen(text), &inv);

	ck_assert_msg(ret == 0, "inventory: %s", fwgen_ctx_error(ctx));
	return inv;
}

static inline int run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
