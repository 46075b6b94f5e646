/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Walks every port row of the seed documents (tests/data/seed-rows.tsv,
 * written from the documents) and finds it in the catalog: cited by a flow
 * whose protocols and ports (params at their defaults) cover the row.
 */
#include "testutil.h"

#include "model.h"

static bool cites(const struct flow *f, const char *ref)
{
	size_t i;

	for (i = 0; i < f->nsources; i++) {
		if (strcmp(f->sources[i], ref) == 0)
			return true;
	}
	return false;
}

static bool flow_covers(const struct fwgen_topology *t, const struct flow *f,
			unsigned int proto, unsigned long port)
{
	size_t i, j;

	if (!(f->protos & proto))
		return false;
	for (i = 0; i < f->nports; i++) {
		const struct port_item *it = &f->ports[i];

		if (!it->is_param) {
			if (port >= it->range.lo && port <= it->range.hi)
				return true;
			continue;
		}
		for (j = 0; j < t->params[it->param].ndefaults; j++) {
			const struct port_range *r = &t->params[it->param].defaults[j];

			if (port >= r->lo && port <= r->hi)
				return true;
		}
	}
	return false;
}

/* Whether some flow of the catalog cites ref and covers proto/port. */
static bool find(const struct fwgen_catalog *cat, const char *ref,
		 unsigned int proto, unsigned long port, bool *cited)
{
	size_t i, f;

	for (i = 0; i < cat->ntopos; i++) {
		const struct fwgen_topology *t = cat->topos[i];

		for (f = 0; f < t->nflows; f++) {
			if (!cites(&t->flows[f], ref))
				continue;
			*cited = true;
			if (!proto || flow_covers(t, &t->flows[f], proto, port))
				return true;
		}
	}
	return false;
}

START_TEST(test_seed_rows_are_all_in_the_catalog)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = load_real_catalog(ctx);
	char path[4096], line[1024];
	size_t rows = 0, lineno = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/seed-rows.tsv", test_data());
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "%s missing", path);
	while (fgets(line, sizeof(line), f)) {
		char *save = NULL, *ref, *proto, *ports, *p, *pp;
		bool cited = false;

		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0' || lineno == 1)
			continue;
		ref = strtok_r(line, "\t", &save);
		proto = strtok_r(NULL, "\t", &save);
		ports = strtok_r(NULL, "\t", &save);
		ck_assert_msg(ref && proto && ports, "seed-rows.tsv:%zu: malformed", lineno);
		rows++;
		if (strcmp(ports, "-") == 0) {
			ck_assert_msg(find(cat, ref, 0, 0, &cited),
				      "seed row %s is not cited by any flow", ref);
			continue;
		}
		for (p = strtok_r(proto, ",", &pp); p; p = strtok_r(NULL, ",", &pp)) {
			unsigned int bit = strcmp(p, "tcp") == 0 ? PROTO_TCP :
					   strcmp(p, "udp") == 0 ? PROTO_UDP :
								   0;
			char copy[256], *q, *qq;

			ck_assert_msg(bit, "seed-rows.tsv:%zu: protocol '%s'", lineno, p);
			snprintf(copy, sizeof(copy), "%s", ports);
			for (q = strtok_r(copy, ",", &qq); q; q = strtok_r(NULL, ",", &qq)) {
				unsigned long port = strtoul(q, NULL, 10);

				cited = false;
				ck_assert_msg(find(cat, ref, bit, port, &cited),
					      cited ? "seed row %s: %s %lu not covered by the flows citing it" :
						      "seed row %s (%s %lu) is not cited by any flow",
					      ref, p, port);
			}
		}
	}
	fclose(f);
	/* The three documents have well over a hundred port rows together. */
	ck_assert_uint_ge(rows, 100);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("seed-rows");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_seed_rows_are_all_in_the_catalog);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
