/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The DOT graph of a topology: the demo against its golden file, merged and
 * dashed edges, escaping of hostile catalog text, and every topology of the
 * shipped catalog (checked by Graphviz itself when `dot` is installed).
 */
#include <stdbool.h>
#include <unistd.h>

#include "testutil.h"

#include "model.h"

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

/* The graph as a string; asserts success. */
static char *graph(struct fwgen_ctx *ctx, const struct fwgen_topology *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(m);
	ck_assert_msg(fwgen_topology_graph(ctx, t, m) == 0, "%s",
		      fwgen_ctx_error(ctx));
	ck_assert_int_eq(fclose(m), 0);
	return buf;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (hay = strstr(hay, needle); hay; hay = strstr(hay + 1, needle))
		n++;
	return n;
}

/*
 * The lexical shape of DOT: every quoted string closes on its own line
 * (a backslash escapes the next character), and outside strings braces and
 * brackets balance. A hostile string that escaped its quotes fails this.
 */
static void assert_dot_lexes(const char *s)
{
	int braces = 0, brackets = 0;
	bool in_str = false;

	for (; *s; s++) {
		if (in_str) {
			ck_assert_msg(*s != '\n', "a quoted string runs over a line");
			if (*s == '\\') {
				ck_assert(s[1] != '\0' && s[1] != '\n');
				s++;
			} else if (*s == '"') {
				in_str = false;
			}
			continue;
		}
		switch (*s) {
		case '"':
			in_str = true;
			break;
		case '{':
			braces++;
			break;
		case '}':
			ck_assert_int_gt(braces--, 0);
			break;
		case '[':
			brackets++;
			break;
		case ']':
			ck_assert_int_gt(brackets--, 0);
			break;
		}
	}
	ck_assert(!in_str);
	ck_assert_int_eq(braces, 0);
	ck_assert_int_eq(brackets, 0);
}

static bool have_dot(void)
{
	return system("command -v dot >/dev/null 2>&1") == 0;
}

/* Graphviz parses and lays the graph out without a word on stderr. */
static void assert_dot_accepts(const char *text)
{
	char in[] = "/tmp/fwgen-graph-XXXXXX", cmd[256], *err;
	int fd = mkstemp(in);
	FILE *f;

	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
	snprintf(cmd, sizeof(cmd), "dot -Tsvg -o /dev/null %s 2>%s.err", in, in);
	ck_assert_msg(system(cmd) == 0, "dot refused:\n%s", text);
	snprintf(cmd, sizeof(cmd), "%s.err", in);
	err = slurp(cmd);
	ck_assert_msg(err[0] == '\0', "dot: %s", err);
	free(err);
	unlink(cmd);
	unlink(in);
}

/* A catalog of one product file written from text. */
static struct fwgen_catalog *load_yaml(struct fwgen_ctx *ctx, const char *text)
{
	struct fwgen_catalog *cat = NULL;
	char path[] = "/tmp/fwgen-graph-XXXXXX.yaml";
	int fd = mkstemps(path, 5);
	FILE *f;

	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_msg(fwgen_catalog_load_file(ctx, path, &cat) == 0, "%s",
		      fwgen_ctx_error(ctx));
	unlink(path);
	return cat;
}

START_TEST(test_graph_demo_matches_golden)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = load_demo_catalog(ctx);
	const struct fwgen_topology *t = fwgen_catalog_topology(ctx, cat, "demo");
	char path[4096], *want, *got, *again;

	got = graph(ctx, t);
	again = graph(ctx, t);
	ck_assert_str_eq(got, again);
	snprintf(path, sizeof(path), "%s/golden/demo.dot", test_data());
	want = slurp(path);
	ck_assert_msg(strcmp(got, want) == 0, "demo.dot differs; got:\n%s", got);
	assert_dot_lexes(got);
	if (have_dot())
		assert_dot_accepts(got);
	free(want);
	free(got);
	free(again);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
}
END_TEST

START_TEST(test_graph_merges_parallel_flows_and_dashes_conditional)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = load_demo_catalog(ctx);
	char *got = graph(ctx, fwgen_catalog_topology(ctx, cat, "demo"));

	/* user-web and pxe share one edge; legacy (when: legacy) has its own. */
	ck_assert_uint_eq(count(got, "\"user\" -> \"web\" ["), 2);
	ck_assert_ptr_nonnull(strstr(got,
				     "\"user\" -> \"web\" [label=\"tcp/80, 443 ($https_port)\\ludp/69 redirect to 6969\\l\", "
				     "tooltip=\"user-web: web\\npxe: tftp\"];\n"));
	ck_assert_ptr_nonnull(strstr(got,
				     "\"user\" -> \"web\" [style=dashed, color=\"#8c8c8c\", fontcolor=\"#666666\", "
				     "label=\"tcp/8080 if legacy\\l\", tooltip=\"legacy: old\"];\n"));
	/* A same-role flow is a self-loop. */
	ck_assert_uint_eq(count(got, "\"db\" -> \"db\" ["), 1);
	/* Host roles are boxes in the cluster; peers flows name are ellipses. */
	ck_assert_ptr_nonnull(strstr(got, "\t\t\"web\" [shape=box,"));
	ck_assert_ptr_nonnull(strstr(got, "\t\"user\" [shape=ellipse,"));
	/* The implied peer roles no flow names are left out. */
	ck_assert_ptr_null(strstr(got, "\"admin\""));
	ck_assert_ptr_null(strstr(got, "\"dns-server\""));
	free(got);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
}
END_TEST

static const char hostile_yaml[] =
	"topology: evil\n"
	"product: 'Evil \"} digraph x { \\ \\N'\n"
	"summary: \"two\\nlines \\\"quoted\\\" \\\\\"\n"
	"documents:\n"
	"  d: {file: x.txt, tables: {t: \"T\"}}\n"
	"roles:\n"
	"  web: {kind: host, description: 'a \"box\"]; node [shape=none'}\n"
	"  user: {kind: peer, description: \"back\\\\slash\\\\\"}\n"
	"flows:\n"
	"  - {id: f1, from: user, to: web, proto: tcp, ports: [80], source: \"d:t#1\",\n"
	"     description: 'x\" -> \"y\" [label=\"pwned'}\n";

START_TEST(test_graph_escapes_hostile_catalog_text)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = load_yaml(ctx, hostile_yaml);
	char *got = graph(ctx, fwgen_catalog_topology(ctx, cat, "evil"));

	assert_dot_lexes(got);
	ck_assert_ptr_nonnull(strstr(got,
				     "graph [label=\"Evil \\\"} digraph x { \\\\ \\\\N: two\\nlines \\\"quoted\\\" \\\\\\ntopology evil;"));
	ck_assert_ptr_nonnull(strstr(got, "tooltip=\"a \\\"box\\\"]; node [shape=none\"];"));
	ck_assert_ptr_nonnull(strstr(got, "tooltip=\"back\\\\slash\\\\\"];"));
	ck_assert_ptr_nonnull(strstr(got,
				     "\"user\" -> \"web\" [label=\"tcp/80\\l\", tooltip=\"f1: x\\\" -> \\\"y\\\" [label=\\\"pwned\"];\n"));
	ck_assert_uint_eq(count(got, " -> "), 2); /* the edge, and inside its tooltip */
	if (have_dot())
		assert_dot_accepts(got);
	free(got);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
}
END_TEST

static const char fan_yaml[] =
	"topology: fan\n"
	"product: F\n"
	"summary: s\n"
	"documents:\n"
	"  d: {file: x.txt, tables: {t: \"T\"}}\n"
	"roles:\n"
	"  a: {kind: host}\n"
	"  b: {kind: host}\n"
	"  c: {kind: host}\n"
	"  db: {kind: host}\n"
	"  ext: {kind: peer}\n"
	"options:\n"
	"  o: {default: false}\n"
	"flows:\n"
	"  - {id: sql, from: [a, b, c], to: db, proto: tcp, ports: [3306], description: sql, source: \"d:t#1\"}\n"
	"  - {id: sql2, from: ext, to: db, proto: tcp, ports: [3306], description: ext, source: \"d:t#2\"}\n"
	"  - {id: log, from: db, to: [a, b, ext], proto: udp, ports: [514], when: o, description: syslog, source: \"d:t#3\"}\n"
	"  - {id: two, from: [a, b], to: c, proto: tcp, ports: [1], description: two, source: \"d:t#4\"}\n";

/*
 * Three or more roles sending the same ports to one role meet at a junction
 * that carries the label once (and one role sending to three likewise);
 * two stay plain edges.
 */
START_TEST(test_graph_joins_fans_at_a_junction)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = load_yaml(ctx, fan_yaml);
	char *got = graph(ctx, fwgen_catalog_topology(ctx, cat, "fan"));
	const char *edges = strstr(got, "\n\n\t\"a\" -> ");

	assert_dot_lexes(got);
	/* All ends of fan 1 are host roles: in the cluster; fan 2 reaches ext. */
	ck_assert_ptr_nonnull(strstr(got,
				     "\t\t\"db\" [shape=box, style=\"rounded,filled\", fillcolor=\"#dae8fc\", color=\"#6c8ebf\"];\n"
				     "\t}\n\n"
				     "\t\"ext\" [shape=ellipse, style=filled, fillcolor=\"#fff2cc\", color=\"#d6b656\"];\n"
				     "\t\"#fan 1\" [shape=point, width=0.08, color=\"#4d4d4d\"];\n"
				     "\t\"#fan 2\" [shape=point, width=0.08, color=\"#4d4d4d\"];\n"));
	ck_assert_ptr_nonnull(edges);
	ck_assert_str_eq(edges + 2,
			 "\t\"a\" -> \"#fan 1\" [arrowhead=none, tooltip=\"sql: sql\"];\n"
			 "\t\"b\" -> \"#fan 1\" [arrowhead=none, tooltip=\"sql: sql\"];\n"
			 "\t\"c\" -> \"#fan 1\" [arrowhead=none, tooltip=\"sql: sql\"];\n"
			 "\t\"ext\" -> \"#fan 1\" [arrowhead=none, tooltip=\"sql2: ext\"];\n"
			 "\t\"#fan 1\" -> \"db\" [label=\"tcp/3306\\l\", tooltip=\"sql: sql\\nsql2: ext\"];\n"
			 "\t\"#fan 2\" -> \"a\" [style=dashed, color=\"#8c8c8c\", fontcolor=\"#666666\", tooltip=\"log: syslog\"];\n"
			 "\t\"#fan 2\" -> \"b\" [style=dashed, color=\"#8c8c8c\", fontcolor=\"#666666\", tooltip=\"log: syslog\"];\n"
			 "\t\"#fan 2\" -> \"ext\" [style=dashed, color=\"#8c8c8c\", fontcolor=\"#666666\", tooltip=\"log: syslog\"];\n"
			 "\t\"db\" -> \"#fan 2\" [arrowhead=none, style=dashed, color=\"#8c8c8c\", fontcolor=\"#666666\", "
			 "label=\"udp/514 if o\\l\", tooltip=\"log: syslog\"];\n"
			 "\t\"a\" -> \"c\" [label=\"tcp/1\\l\", tooltip=\"two: two\"];\n"
			 "\t\"b\" -> \"c\" [label=\"tcp/1\\l\", tooltip=\"two: two\"];\n"
			 "}\n");
	if (have_dot())
		assert_dot_accepts(got);
	free(got);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
}
END_TEST

static const char long_yaml[] =
	"topology: long\n"
	"product: L\n"
	"summary: s\n"
	"documents:\n"
	"  d: {file: x.txt, tables: {t: \"T\"}}\n"
	"roles:\n"
	"  app: {kind: host}\n"
	"  ext: {kind: peer}\n"
	"params:\n"
	"  p: {default: [8000-8010, 443], description: p}\n"
	"flows:\n"
	"  - {id: f1, from: app, to: ext, proto: tcp, ports: [22], description: a, source: \"d:t#1\"}\n"
	"  - {id: f2, from: app, to: ext, proto: tcp, ports: [80, 81], description: b, source: \"d:t#2\"}\n"
	"  - {id: f3, from: app, to: ext, proto: tcp, ports: [$p], description: c, source: \"d:t#3\"}\n"
	"  - {id: f4, from: app, to: ext, proto: [tcp, udp], ports: [161], description: d, source: \"d:t#4\"}\n"
	"  - {id: f5, from: app, to: ext, proto: tcp, ports: [10000, 10002, 10004, 10006], description: e, source: \"d:t#5\"}\n"
	"  - {id: f6, from: app, to: ext, proto: tcp, ports: [20000, 20002, 20004, 20006], description: f, source: \"d:t#6\"}\n"
	"  - {id: f7, from: app, to: ext, proto: tcp, ports: [30000, 30002, 30004, 30006], description: g, source: \"d:t#7\"}\n"
	"  - {id: f8, from: app, to: ext, proto: udp, ports: [514], description: h, source: \"d:t#8\"}\n"
	"  - {id: f9, from: app, to: ext, proto: tcp, ports: [8009], description: i, source: \"d:t#9\"}\n"
	"  - {id: none, from: ext, to: app, proto: tcp, ports: [], note: \"N/A\", description: j, source: \"d:t#10\"}\n";

/*
 * More than eight lines on one edge become its ports per protocol, sorted,
 * merged and wrapped, with the count of flows; a flow without a port (an
 * N/A row) draws no edge at all.
 */
START_TEST(test_graph_sums_up_long_edges_and_skips_portless_flows)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = load_yaml(ctx, long_yaml);
	char *got = graph(ctx, fwgen_catalog_topology(ctx, cat, "long"));

	assert_dot_lexes(got);
	ck_assert_ptr_nonnull(strstr(got,
				     "\t\"app\" -> \"ext\" [label=\"tcp/22, 80-81, 161, 443, 8000-8010, 10000, 10002, 10004,\\l"
				     "    10006, 20000, 20002, 20004, 20006, 30000, 30002, 30004,\\l"
				     "    30006\\l"
				     "udp/161, 514\\l"
				     "(9 flows: fwgen catalog show long)\\l\", "
				     "tooltip=\"f1: a\\nf2: b\\nf3: c\\nf4: d\\nf5: e\\nf6: f\\nf7: g\\nf8: h\\nf9: i\"];\n"));
	ck_assert_ptr_null(strstr(got, "\"ext\" -> \"app\""));
	ck_assert_uint_eq(count(got, " -> "), 1);
	free(got);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
}
END_TEST

/* Role names the loader refuses, built in code: the graph still holds. */
START_TEST(test_graph_escapes_hostile_role_names)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct role roles[2] = {
		{ .name = "we\"b\\", .host = true, .description = "x\ny\tz" },
		{ .name = "us}er{\n", .host = false },
	};
	size_t from[1] = { 1 }, to[1] = { 0 };
	struct port_item ports[1] = { { .range = { 80, 81 } } };
	char *sources[1] = { "d:t#1" };
	struct flow flows[1] = { {
		.id = "f",
		.from = from,
		.nfrom = 1,
		.to = to,
		.nto = 1,
		.protos = PROTO_TCP | PROTO_UDP,
		.ports = ports,
		.nports = 1,
		.description = "\\l\"",
		.sources = sources,
		.nsources = 1,
	} };
	struct fwgen_topology t = {
		.name = "t\"op",
		.product = "P",
		.summary = "S",
		.roles = roles,
		.nroles = 2,
		.flows = flows,
		.nflows = 1,
	};
	char *got = graph(ctx, &t);

	assert_dot_lexes(got);
	ck_assert_ptr_nonnull(strstr(got, "digraph \"t\\\"op\" {\n"));
	ck_assert_ptr_nonnull(strstr(got,
				     "\t\t\"we\\\"b\\\\\" [shape=box, style=\"rounded,filled\", fillcolor=\"#dae8fc\", "
				     "color=\"#6c8ebf\", tooltip=\"x\\ny z\"];\n"));
	ck_assert_ptr_nonnull(strstr(got,
				     "\t\"us}er{\\n\" -> \"we\\\"b\\\\\" [label=\"tcp+udp/80-81\\l\", tooltip=\"f: \\\\l\\\"\"];\n"));
	if (have_dot())
		assert_dot_accepts(got);
	free(got);
	fwgen_ctx_free(ctx);
}
END_TEST

START_TEST(test_graph_write_error_is_eio)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = load_demo_catalog(ctx);
	FILE *full = fopen("/dev/full", "w");

	if (!full) {
		fwgen_catalog_free(cat);
		fwgen_ctx_free(ctx);
		return;
	}
	setvbuf(full, NULL, _IONBF, 0);
	ck_assert_int_eq(fwgen_topology_graph(ctx, fwgen_catalog_topology(ctx, cat, "demo"),
					      full),
			 -EIO);
	ck_assert_str_eq(fwgen_ctx_error(ctx), "writing the graph of 'demo' failed");
	fclose(full);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
}
END_TEST

static bool line_has(const char *line, const char *what)
{
	const char *end = strchr(line, '\n');
	const char *p = strstr(line, what);

	return p && p < end;
}

/* Whether an edge "from" -> "to" exists, dashed or not as asked. */
static bool has_edge(const char *got, const char *from, const char *to,
		     bool dashed)
{
	char want[512];
	const char *p;

	snprintf(want, sizeof(want), "\t\"%s\" -> \"%s\" [", from, to);
	for (p = strstr(got, want); p; p = strstr(p + 1, want)) {
		if (line_has(p, "style=dashed") == dashed)
			return true;
	}
	return false;
}

/* Whether the graph leads from role a to role b, directly or through a junction. */
static bool leads(const char *got, const char *a, const char *b, bool dashed)
{
	char fan[32];
	int k;

	if (has_edge(got, a, b, dashed))
		return true;
	for (k = 1; k < 1000; k++) {
		snprintf(fan, sizeof(fan), "#fan %d", k);
		if (has_edge(got, a, fan, dashed) && has_edge(got, fan, b, dashed))
			return true;
	}
	return false;
}

/* Every flow's from -> to pair of every shipped topology is an edge, dashed when conditional. */
START_TEST(test_graph_every_topology_of_the_catalog)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = load_real_catalog(ctx);
	size_t i, fi, a, b, edges = 0;
	bool dot = have_dot();

	ck_assert_uint_ge(fwgen_catalog_topology_count(cat), 3);
	for (i = 0; i < fwgen_catalog_topology_count(cat); i++) {
		const struct fwgen_topology *t = fwgen_catalog_topology_at(cat, i);
		char *got = graph(ctx, t);

		assert_dot_lexes(got);
		for (fi = 0; fi < t->nflows; fi++) {
			const struct flow *f = &t->flows[fi];

			if (f->nports == 0) /* an N/A row: no edge of its own */
				continue;
			for (a = 0; a < f->nfrom; a++) {
				for (b = 0; b < f->nto; b++) {
					const char *from = t->roles[f->from[a]].name;
					const char *to = t->roles[f->to[b]].name;

					ck_assert_msg(leads(got, from, to, f->nwhen > 0),
						      "%s: flow %s: no %sedge %s -> %s",
						      t->name, f->id, f->nwhen ? "dashed " : "",
						      from, to);
					edges++;
				}
			}
		}
		if (dot)
			assert_dot_accepts(got);
		free(got);
	}
	ck_assert_uint_ge(edges, 30);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("graph");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_graph_demo_matches_golden);
	tcase_add_test(tc, test_graph_merges_parallel_flows_and_dashes_conditional);
	tcase_add_test(tc, test_graph_escapes_hostile_catalog_text);
	tcase_add_test(tc, test_graph_joins_fans_at_a_junction);
	tcase_add_test(tc, test_graph_sums_up_long_edges_and_skips_portless_flows);
	tcase_add_test(tc, test_graph_escapes_hostile_role_names);
	tcase_add_test(tc, test_graph_write_error_is_eio);
	tcase_add_test(tc, test_graph_every_topology_of_the_catalog);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
