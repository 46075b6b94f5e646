/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Catalog loading: the shipped catalog has the contract's topologies and
 * role names, and broken product files are refused with their position.
 */
#include <errno.h>
#include <unistd.h>

#include "testutil.h"

#include "model.h"

struct contract {
	const char *topology;
	const char *hosts;
	const char *peers;
};

/* DESIGN.md, "Topologies and role names (contract)", plus admin. */
static const struct contract contracts[] = {
	{ "morpheus-distributed",
	  "app-tier messaging-tier transactional-db-tier non-transactional-db-tier managed-machine",
	  "user admin-browser backup-solution dns-server time-source installer-repo mail-server hypervisor integration docker-image-repo internet admin" },
	{ "tachyon-single-server",
	  "server sql-server ssas-server catalog-server client",
	  "browser consumer bi-tools mail-server cloud-services admin" },
	{ "dmcm-cluster",
	  "console km dispatcher mysql riak monitor worker rabbitmq api guest-vm",
	  "internet ldap cloud-api admin" },
};

static bool has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p = list;

	while ((p = strstr(p, word))) {
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
		p += n;
	}
	return false;
}

START_TEST(test_catalog_has_the_contract_roles)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = load_real_catalog(ctx);
	size_t i;

	for (i = 0; i < sizeof(contracts) / sizeof(contracts[0]); i++) {
		const struct contract *c = &contracts[i];
		const struct fwgen_topology *t = fwgen_catalog_topology(ctx, cat, c->topology);
		size_t r;

		ck_assert_msg(t != NULL, "%s missing", c->topology);
		for (r = 0; r < fwgen_topology_role_count(t); r++) {
			bool host;
			const char *name = fwgen_topology_role_name(t, r, &host);

			/* Contract roles must have their kind; extra peer roles are allowed. */
			if (host)
				ck_assert_msg(has_word(c->hosts, name), "%s: unexpected host role %s",
					      c->topology, name);
			else
				ck_assert_msg(!has_word(c->hosts, name), "%s: %s must be a host role",
					      c->topology, name);
		}
		{
			const char *lists[2] = { c->hosts, c->peers };
			size_t k;

			for (k = 0; k < 2; k++) {
				char buf[512], *save = NULL, *w;

				snprintf(buf, sizeof(buf), "%s", lists[k]);
				for (w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
					size_t idx;

					ck_assert_msg(topology_role_index(t, w, &idx) == 0,
						      "%s lacks role %s", c->topology, w);
					ck_assert_msg(t->roles[idx].host == (k == 0),
						      "%s: role %s has the wrong kind", c->topology, w);
				}
			}
		}
	}
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
}
END_TEST

START_TEST(test_catalog_flows_are_well_formed)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = load_real_catalog(ctx);
	size_t i, f;

	for (i = 0; i < cat->ntopos; i++) {
		const struct fwgen_topology *t = cat->topos[i];

		ck_assert_uint_gt(t->nflows, 0);
		for (f = 0; f < t->nflows; f++) {
			ck_assert_uint_gt(t->flows[f].nsources, 0);
			ck_assert_msg(strlen(t->flows[f].id) + strlen(t->flows[f].sources[0]) < 100,
				      "%s: id and source too long for a rule comment", t->flows[f].id);
		}
	}
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
}
END_TEST

/* Writes text to a temporary catalog file, loads it, returns the message. */
static const char *load_bad(struct fwgen_ctx *ctx, const char *text)
{
	char path[] = "/tmp/fwgen-cat-XXXXXX";
	struct fwgen_catalog *cat = NULL;
	int fd = mkstemp(path);
	static char msg[1024];
	const char *m;
	int ret;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	ret = fwgen_catalog_load_file(ctx, path, &cat);
	unlink(path);
	ck_assert_msg(ret < 0, "accepted: %s", text);
	ck_assert_ptr_null(cat);
	/* Strip the random file name: the position is what is checked. */
	m = fwgen_ctx_error(ctx);
	ck_assert_msg(strncmp(m, path, strlen(path)) == 0, "%s", m);
	snprintf(msg, sizeof(msg), "F%s", m + strlen(path));
	return msg;
}

#define HEAD "topology: t\nproduct: P\nsummary: s\ndocuments:\n  d:\n    file: f\n    tables:\n      t: T\n" \
	     "roles:\n  h: {kind: host}\n  p: {kind: peer}\n"

START_TEST(test_catalog_refuses_broken_files_with_position)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();

	ck_assert_str_eq(load_bad(ctx, HEAD "flows:\n  - {id: a, from: q, to: h, proto: tcp, ports: [1], description: x, source: \"d:t#1\"}\n"),
			 "F:13:19: unknown role 'q' (declare it under 'roles')");
	ck_assert_str_eq(load_bad(ctx, HEAD "flows:\n  - {id: a, from: p, to: h, proto: sctp, ports: [1], description: x, source: \"d:t#1\"}\n"),
			 "F:13:36: 'proto' must be tcp, udp or [tcp, udp]");
	ck_assert_str_eq(load_bad(ctx, HEAD "flows:\n  - {id: a, from: p, to: h, proto: tcp, ports: [70000], description: x, source: \"d:t#1\"}\n"),
			 "F:13:49: port '70000' out of range 1-65535");
	ck_assert_str_eq(load_bad(ctx, HEAD "flows:\n  - {id: a, from: p, to: h, proto: tcp, ports: [\"$nope\"], description: x, source: \"d:t#1\"}\n"),
			 "F:13:49: unknown param 'nope' (declare it under 'params')");
	ck_assert_str_eq(load_bad(ctx, HEAD "flows:\n  - {id: a, from: p, to: h, proto: tcp, ports: [1], description: x, source: \"e:t#1\"}\n"),
			 "F:13:77: source 'e:t#1' names a document not declared under 'documents'");
	ck_assert_str_eq(load_bad(ctx, HEAD "flows:\n  - {id: a, from: p, to: h, proto: tcp, ports: [1], description: x, source: \"d:t#0\"}\n"),
			 "F:13:77: source 'd:t#0' is not of the form document:table#row");
	ck_assert_str_eq(load_bad(ctx, HEAD "flows:\n  - {id: a, from: p, to: h, proto: tcp, ports: [], description: x, source: \"d:t#1\"}\n"),
			 "F:13:5: flow 'a' has no ports: say why in a 'note'");
	ck_assert_str_eq(load_bad(ctx, HEAD "flows:\n  - {id: a, from: p, to: h, proto: tcp, ports: [1], description: x, source: \"d:t#1\", when: x}\n"),
			 "F:13:92: unknown option 'x' (declare it under 'options')");
	ck_assert_str_eq(load_bad(ctx, HEAD "flows:\n  - {id: a, from: p, to: h, proto: tcp, ports: [1], description: x, source: \"d:t#1\", colour: red}\n"),
			 "F:13:86: unknown key 'colour' in a flow (expected one of: id, from, to, proto, ports, description, source, when, redirect, helper, note)");
	ck_assert_str_eq(load_bad(ctx, HEAD "flows:\n  - {id: a, from: p, to: h, proto: tcp, ports: [1], description: x, source: \"d:t#1\"}\n"
					    "  - {id: a, from: p, to: h, proto: tcp, ports: [1], description: x, source: \"d:t#1\"}\n"),
			 "F:14:5: duplicate flow id 'a'");
	ck_assert_str_eq(load_bad(ctx, HEAD "flows:\n  - {id: \"A b\", from: p, to: h, proto: tcp, ports: [1], description: x, source: \"d:t#1\"}\n"),
			 "F:13:10: a flow id must be a name of lowercase letters, digits, '-' and '_' (at most 40)");
	ck_assert_str_eq(load_bad(ctx, HEAD "options:\n  o: {default: false, implied_by: p}\nflows: []\n"),
			 "F:13:35: 'p' in 'implied_by' is a peer role: only a host role can imply an option");
	ck_assert_str_eq(load_bad(ctx, HEAD "options:\n  o: {default: false, implied_by: [q]}\nflows: []\n"),
			 "F:13:36: unknown role 'q' in 'implied_by' (declare it under 'roles')");
	ck_assert_str_eq(load_bad(ctx, "topology: t\nproduct: P\nsummary: s\ndocuments:\n  d:\n    file: f\n    tables:\n      t: T\n"
				       "roles:\n  p: {kind: peer, no_inbound: x}\nflows: []\n"),
			 "F:10:31: 'no_inbound' is for host roles: a peer role has no ruleset");
	ck_assert_str_eq(load_bad(ctx, "topology: t\nroles: [a]\n"),
			 "F:1:1: a catalog file lacks the required key 'product'");
	fwgen_ctx_free(ctx);
}
END_TEST

/*
 * Issue 15: `fwgen catalog show` and docs/catalog.md list every option with
 * its default; show also lists the roles implying it and every flow it
 * gates with the flow's source rows.
 */
START_TEST(test_catalog_options_listed_with_defaults_and_rows)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = load_real_catalog(ctx);
	const char *root = getenv("FWGEN_SOURCE_ROOT");
	char path[4096], line[2048], *docs = NULL;
	size_t i, o, f, w, k, n = 0, len = 0;
	FILE *df;

	ck_assert_ptr_nonnull(root);
	snprintf(path, sizeof(path), "%s/docs/catalog.md", root);
	df = fopen(path, "r");
	ck_assert_msg(df != NULL, "%s", path);
	{
		FILE *m = open_memstream(&docs, &len);

		while (fgets(line, sizeof(line), df))
			fputs(line, m);
		fclose(m);
	}
	fclose(df);
	for (i = 0; i < cat->ntopos; i++) {
		const struct fwgen_topology *t = cat->topos[i];
		char *out = NULL;
		size_t olen = 0;
		FILE *m = open_memstream(&out, &olen);

		ck_assert_int_eq(fwgen_topology_describe(ctx, t, m), 0);
		fclose(m);
		for (o = 0; o < t->noptions; o++) {
			const struct option *opt = &t->options[o];
			const char *def = opt->default_value ? "true" : "false";

			snprintf(line, sizeof(line), "\n  %-27s %-5s  ", opt->name, def);
			ck_assert_msg(strstr(out, line), "show %s: option %s", t->name, opt->name);
			snprintf(line, sizeof(line), "| `%s` | `%s` | `%s` |", t->name,
				 opt->name, def);
			ck_assert_msg(strstr(docs, line), "docs/catalog.md lacks %s", line);
			for (k = 0; k < opt->nimplied_by; k++) {
				snprintf(line, sizeof(line), "`%s` |",
					 t->roles[opt->implied_by[k]].name);
				ck_assert(strstr(docs, line));
				ck_assert(strstr(out, "implied by host role: "));
			}
			for (f = 0; f < t->nflows; f++) {
				for (w = 0; w < t->flows[f].nwhen; w++) {
					if (t->flows[f].when[w].option != o)
						continue;
					snprintf(line, sizeof(line), "    %s %s: %s",
						 t->flows[f].when[w].negate ? "off:" : "on: ",
						 t->flows[f].id, t->flows[f].sources[0]);
					ck_assert_msg(strstr(out, line), "show %s lacks '%s'",
						      t->name, line);
					snprintf(line, sizeof(line), "`%s` (", t->flows[f].id);
					ck_assert_msg(strstr(docs, line),
						      "docs/catalog.md: option %s lacks flow %s",
						      opt->name, t->flows[f].id);
				}
			}
			n++;
		}
		free(out);
	}
	ck_assert_uint_ge(n, 9);
	free(docs);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
}
END_TEST

START_TEST(test_catalog_missing_directory_is_an_error)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = NULL;

	ck_assert_int_eq(fwgen_ctx_set_catalog_dir(ctx, "/nonexistent/fwgen"), 0);
	ck_assert_int_eq(fwgen_catalog_load(ctx, &cat), -ENOENT);
	ck_assert_ptr_null(cat);
	ck_assert_str_eq(fwgen_ctx_error(ctx),
			 "catalog directory /nonexistent/fwgen: No such file or directory");
	fwgen_ctx_free(ctx);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("catalog");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_catalog_has_the_contract_roles);
	tcase_add_test(tc, test_catalog_flows_are_well_formed);
	tcase_add_test(tc, test_catalog_refuses_broken_files_with_position);
	tcase_add_test(tc, test_catalog_missing_directory_is_an_error);
	tcase_add_test(tc, test_catalog_options_listed_with_defaults_and_rows);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
