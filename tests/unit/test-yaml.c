/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fast YAML scanner against libyaml: on every input the scanner
 * accepts, the two trees must be the same, node for node, marks and
 * duplicate keys included. Inputs it must accept (so that inventories stay
 * fast), inputs it must leave to libyaml, and random documents built from
 * the subset's pieces and the characters at its edges.
 */
#include <limits.h>
#include <stdarg.h>

#include "testutil.h"
#include "yaml-compare.h"
#include "yaml-fast.h"

/*
 * Loads text with both parsers. Returns whether the fast one took it;
 * fails the test if it took it and libyaml disagrees.
 */
static bool differential(const char *text, size_t len)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct yd_doc *fast = NULL, *slow = NULL;
	char why[512] = "";
	int fret, sret;

	ck_assert_ptr_nonnull(ctx);
	fret = yd_load_buf_with(ctx, "t.yaml", text, len, YD_PARSE_FAST, &fast);
	ck_assert_msg(fret == 0 || fret == YF_UNSUPPORTED,
		      "fast parser failed (%d) on:\n%.*s", fret, (int)len, text);
	if (fret == YF_UNSUPPORTED) {
		ck_assert_ptr_null(fast);
		fwgen_ctx_free(ctx);
		return false;
	}
	sret = yd_load_buf_with(ctx, "t.yaml", text, len, YD_PARSE_LIBYAML,
				&slow);
	ck_assert_msg(sret == 0, "fast accepted what libyaml refuses (%s):\n%.*s",
		      fwgen_ctx_error(ctx), (int)len, text);
	ck_assert_msg(same_node(fast->root, slow->root, why, sizeof(why)),
		      "trees differ: %s\n--- input:\n%.*s", why, (int)len, text);
	ck_assert_msg(same_pos(fast->dup, slow->dup) &&
			      same_pos(fast->dup_first, slow->dup_first),
		      "duplicate keys differ on:\n%.*s", (int)len, text);
	ck_assert_uint_eq(fast->nnodes, slow->nnodes);
	yd_free(fast);
	yd_free(slow);
	fwgen_ctx_free(ctx);
	return true;
}

/* What inventories look like: all of it must stay on the fast path. */
static const char *const accepted[] = {
	"topology: tachyon-single-server\nroles:\n  server: [198.18.10.10, \"2001:db8:10::10\"]\n",
	"a: b\n",
	"a: b",
	"a:   spaced   value   \n",
	"a: value # comment\nb: 'single' # c\nc: \"double\"   \n",
	"# head\n\n  # indented comment\na:\n  - 198.18.0.1\n  - \"2001:db8::1\"\n  - 2001:db8::2\n  - ::1\n  - ::ffff:1.2.3.4\n",
	"roles:\n  browser:\n    - 198.18.0.0/24\n    - 198.18.1.0\n\n    # a gap\n    - 198.18.2.0\n  server: [198.19.255.254]\n",
	"a:\n- x\n- y\nb:\n- z\n",
	"a:\n  b:\n    c:\n      d: [1, 2, 3]\n  e: f\ng: h\n",
	"- a\n- b\n-   c\n",
	"  a: 1\n  b: 2\n",
	"a: []\nb: [ ]\nc: [x]\nd: [ x , 'y' ,\"z\" ]\n",
	"a: 1\na: 2\nb:\n  c: 1\n  c: 2\n",
	"egress: filtered\ninternet: any\nx: true\ny: ~\n",
	"a: -1\nb: +1\nc: .5\nd: a-b_c.d/e:f\ne: 'a b: c # d'\nf: \"[not, a, list]\"\n",
	"a: ''\nb: \"\"\n",
	"key_1: v\n_k: v\nk.k/k-k: v\n",
	"a: b #c\n#d\n",
	"a: x - y\nb: x -y\n",
};

/* Beyond the subset, or errors: libyaml must read these. */
static const char *const refused[] = {
	"",
	"# only a comment\n",
	"a:\tb\n",
	"a: b\r\n",
	"a: \xc3\xa9\n",
	"---\na: b\n",
	"a: b\n...\n",
	"%YAML 1.1\n---\na: b\n",
	"a: &x b\nc: *x\n",
	"a: !!str b\n",
	"a: |\n  text\n",
	"a: >\n  text\n",
	"a: {b: c}\n",
	"a: [b, c,]\n",
	"a: [b,\n  c]\n",
	"a: [[b]]\n",
	"a: [::1]\n",
	"a: [b:c]\n",
	"a: [b c]\n",
	"a: \"b\\n\"\n",
	"a: 'it''s'\n",
	"a: \"b\n c\"\n",
	"a: b\n  c\n",
	"- a\n  b\n",
	"a:\n",
	"a:\nb: c\n",
	"a: b: c\n",
	"a: b:\n",
	"a: ::\n",
	"- a: b\n",
	"- - a\n",
	"-\n  a\n",
	"- # comment\n  a\n",
	"a: b#c\n",
	"a: b\n- c\n",
	"a:\n  - b\n - c\n",
	"  a: b\nc: d\n",
	"a: b\n   c: d\n",
	"a:b\n",
	"\"a\": b\n",
	"? a\n: b\n",
	"a: @b\n",
	"a: `b\n",
	"a: b]\n",
	"a: [b] c\n",
	"a: [b]#c\n",
	"a: 'b' c\n",
	"just a scalar\n",
	"a: -\n",
	"a: - b\n",
	"<<: {}\n",
	"a: b\0c\n",
};

START_TEST(test_accepted)
{
	const char *t = accepted[_i];

	ck_assert_msg(differential(t, strlen(t)), "left to libyaml:\n%s", t);
}
END_TEST

/* Refused by the fast path, and read by the default path as by libyaml. */
START_TEST(test_refused)
{
	const char *t = refused[_i];
	size_t len = strlen(t);
	struct fwgen_ctx *a = fwgen_ctx_new(), *b = fwgen_ctx_new();
	struct yd_doc *da = NULL, *db = NULL;
	int ra, rb;

	if (_i == (int)(sizeof(refused) / sizeof(*refused)) - 1)
		len = 6; /* the one with a NUL inside */
	ck_assert_msg(!differential(t, len), "taken by the fast path:\n%s", t);
	ra = yd_load_buf_with(a, "t.yaml", t, len, YD_PARSE_BY_SIZE, &da);
	rb = yd_load_buf_with(b, "t.yaml", t, len, YD_PARSE_LIBYAML, &db);
	ck_assert_int_eq(ra, rb);
	ck_assert_str_eq(fwgen_ctx_error(a), fwgen_ctx_error(b));
	if (ra == 0) {
		char why[512];

		ck_assert_msg(same_node(da->root, db->root, why, sizeof(why)), "%s", why);
	}
	yd_free(da);
	yd_free(db);
	fwgen_ctx_free(a);
	fwgen_ctx_free(b);
}
END_TEST

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long size;

	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	ck_assert_int_ge(size, 0);
	rewind(f);
	buf = malloc((size_t)size + 1);
	ck_assert_ptr_nonnull(buf);
	*len = fread(buf, 1, (size_t)size, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

/* The bundled examples are what users copy: they must be fast. */
START_TEST(test_examples)
{
	static const char *const files[] = {
		"examples/dmcm-cluster.yaml",
		"examples/morpheus-distributed.yaml",
		"examples/tachyon-single-server.yaml",
	};
	const char *root = getenv("FWGEN_SOURCE_ROOT");
	char path[PATH_MAX];
	size_t i, len;

	for (i = 0; i < sizeof(files) / sizeof(*files); i++) {
		char *buf;

		snprintf(path, sizeof(path), "%s/%s", root ? root : ".", files[i]);
		buf = slurp(path, &len);
		ck_assert_msg(differential(buf, len), "%s left to libyaml", path);
		free(buf);
	}
}
END_TEST

/* An inventory of n peer addresses, as users write them. */
static char *peers(size_t n, size_t *len)
{
	size_t cap = 64 + n * 24, i;
	char *buf = malloc(cap);
	int off;

	ck_assert_ptr_nonnull(buf);
	off = snprintf(buf, cap, "topology: t\nroles:\n  browser:\n");
	for (i = 0; i < n; i++)
		off += snprintf(buf + off, cap - (size_t)off, "    - 198.18.%u.%u\n",
				(unsigned int)(i >> 8) & 255, (unsigned int)i & 255);
	*len = (size_t)off;
	return buf;
}

/*
 * The fast scanner reads large inventories only: a small one, and anything
 * asked of libyaml (catalogs), goes through libyaml although the scanner
 * would take it.
 */
START_TEST(test_fast_by_size)
{
	static const struct {
		size_t peers;
		enum yd_parser parser;
		bool fast;
	} cases[] = {
		{ 1, YD_PARSE_BY_SIZE, false },
		{ 100, YD_PARSE_BY_SIZE, false },  /* 2 KB */
		{ 20000, YD_PARSE_BY_SIZE, true }, /* 420 KB */
		{ 20000, YD_PARSE_LIBYAML, false },
		{ 100, YD_PARSE_FAST, true },
	};
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct yd_doc *doc = NULL;
		size_t len;
		char *buf = peers(cases[i].peers, &len);

		ck_assert_int_eq(yd_load_buf_with(ctx, "t.yaml", buf, len,
						  cases[i].parser, &doc),
				 0);
		ck_assert_msg(doc->fast == cases[i].fast,
			      "%zu peers (%zu bytes), parser %d: fast %d, want %d",
			      cases[i].peers, len, cases[i].parser, doc->fast,
			      cases[i].fast);
		ck_assert_uint_eq(doc->root->items[3]->items[1]->nitems, cases[i].peers);
		yd_free(doc);
		free(buf);
	}
	fwgen_ctx_free(ctx);
}
END_TEST

/* Limits are reported by the libyaml path, with its message. */
START_TEST(test_limits_left_to_libyaml)
{
	size_t n = YD_MAX_NODES + 1, i, len = 0;
	char *buf = malloc(n * 4 + 8);
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct yd_doc *doc = NULL;

	ck_assert_ptr_nonnull(buf);
	len += (size_t)sprintf(buf, "a:\n");
	for (i = 0; i < n; i++)
		len += (size_t)sprintf(buf + len, "- 1\n");
	ck_assert_int_eq(yd_load_buf_with(ctx, "t.yaml", buf, len, YD_PARSE_FAST,
					  &doc),
			 YF_UNSUPPORTED);
	ck_assert_int_eq(yd_load_buf_with(ctx, "t.yaml", buf, len, YD_PARSE_BY_SIZE,
					  &doc),
			 -E2BIG);
	ck_assert_ptr_null(doc);
	ck_assert_ptr_nonnull(strstr(fwgen_ctx_error(ctx), "document too large"));
	free(buf);
	fwgen_ctx_free(ctx);
}
END_TEST

/*
 * Every byte value, in a comment and in a quoted scalar, at each offset in
 * an 8-byte word: the fast path takes printable ASCII and newlines only.
 */
START_TEST(test_every_byte)
{
	unsigned int byte, pad;
	char buf[64];

	for (byte = 0; byte < 256; byte++) {
		bool printable = (byte >= 0x20 && byte <= 0x7e) || byte == '\n';

		for (pad = 0; pad < 8; pad++) {
			size_t len;

			len = (size_t)snprintf(buf, sizeof(buf), "a: b # %.*sx", (int)pad, "........");
			buf[len - 1] = (char)byte;
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "\nc: 'd'");
			ck_assert_uint_eq(differential(buf, len), printable);
			len = (size_t)snprintf(buf, sizeof(buf), "k: \"%.*sx\"", (int)pad, "..........");
			buf[len - 2] = (char)byte;
			if (byte != '"' && byte != '\\' && byte != '\n')
				ck_assert_uint_eq(differential(buf, len), printable);
		}
	}
}
END_TEST

/* A small deterministic generator (xorshift), so failures reproduce. */
static uint64_t rng_state;

static unsigned int rnd(unsigned int n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned int)(rng_state % n);
}

static const char *const scalars[] = {
	"a",
	"b1",
	"key",
	"198.18.0.1",
	"198.18.0.0/24",
	"2001:db8::1",
	"::1",
	"\"2001:db8::2\"",
	"'s'",
	"\"a b\"",
	"x y",
	"-1",
	"~",
	"true",
	"a:b",
	"''",
	"+1",
	".5",
};

struct gen {
	char *buf;
	size_t len, room;
};

static void put(struct gen *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct gen *g, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(g->buf + g->len, g->room - g->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		g->len += (size_t)n < g->room - g->len ? (size_t)n : g->room - g->len - 1;
}

static const char *any_scalar(void)
{
	return scalars[rnd(sizeof(scalars) / sizeof(*scalars))];
}

static void gen_flow(struct gen *g)
{
	unsigned int i, n = rnd(4);

	put(g, "[");
	for (i = 0; i < n; i++) {
		const char *v = any_scalar();

		/* Colons are libyaml's business inside flow sequences. */
		if (strchr(v, ':') && v[0] != '"')
			v = "v";
		put(g, "%s%s%s", i ? "," : "", rnd(2) ? " " : "", v);
	}
	put(g, "%s]", rnd(2) ? " " : "");
}

static void gen_comment(struct gen *g)
{
	if (rnd(6) == 0)
		put(g, "%*s# note\n", (int)rnd(6), "");
}

static void gen_block(struct gen *g, unsigned int indent, unsigned int depth);

static void gen_value(struct gen *g, unsigned int indent, unsigned int depth)
{
	unsigned int r = rnd(depth < 4 ? 6 : 3);

	if (r == 0) {
		put(g, " ");
		gen_flow(g);
		put(g, "%s\n", rnd(4) ? "" : "  # c");
	} else if (r < 3) {
		put(g, " %s%s\n", any_scalar(), rnd(4) ? "" : " # c");
	} else if (r == 3) {
		/* A sequence at the key's own indentation. */
		unsigned int i, n = 1 + rnd(3);

		put(g, "\n");
		for (i = 0; i < n; i++)
			put(g, "%*s- %s\n", (int)indent, "", any_scalar());
	} else {
		put(g, "\n");
		gen_block(g, indent + 1 + rnd(3), depth + 1);
	}
}

static void gen_block(struct gen *g, unsigned int indent, unsigned int depth)
{
	unsigned int i, n = 1 + rnd(4);
	bool seq = rnd(3) == 0;

	for (i = 0; i < n; i++) {
		gen_comment(g);
		if (seq) {
			put(g, "%*s- ", (int)indent, "");
			if (rnd(4) == 0)
				gen_flow(g);
			else
				put(g, "%s", any_scalar());
			put(g, "\n");
		} else {
			put(g, "%*s%s:", (int)indent, "", rnd(3) ? "k" : "key");
			if (rnd(2))
				g->buf[g->len - 2] = (char)('a' + rnd(26));
			gen_value(g, indent, depth);
		}
	}
}

/* One character at the edge of the subset, put somewhere. */
static void mutate(struct gen *g)
{
	static const char edge[] = ":- #[]{},'\"\\&*!|>?@%`\t\r\n~.0a";
	size_t at = g->len ? rnd((unsigned int)g->len) : 0;
	char ch = edge[rnd(sizeof(edge) - 1)];

	switch (rnd(3)) {
	case 0: /* replace */
		if (g->len)
			g->buf[at] = ch;
		break;
	case 1: /* insert */
		if (g->len + 1 < g->room) {
			memmove(g->buf + at + 1, g->buf + at, g->len - at);
			g->buf[at] = ch;
			g->len++;
		}
		break;
	default: /* delete */
		if (g->len) {
			memmove(g->buf + at, g->buf + at + 1, g->len - at - 1);
			g->len--;
		}
	}
}

START_TEST(test_random_documents)
{
	unsigned int iter, taken = 0, mutated_taken = 0;
	char buf[8192];

	rng_state = 0x9e3779b97f4a7c15ull;
	for (iter = 0; iter < 30000; iter++) {
		struct gen g = { .buf = buf, .room = sizeof(buf) };
		unsigned int m = rnd(3), i;
		bool ok;

		gen_block(&g, rnd(4) == 0 ? 2 : 0, 0);
		for (i = 0; i < m; i++)
			mutate(&g);
		if (rnd(10) == 0 && g.len > 0)
			g.len--; /* no final newline, or a cut line */
		ok = differential(buf, g.len);
		taken += ok;
		mutated_taken += ok && m;
	}
	/* Both paths must be walked often, or this proves little. */
	ck_assert_uint_gt(taken, 10000);
	ck_assert_uint_gt(mutated_taken, 1000);
	ck_assert_uint_lt(taken, 29000);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("yaml");
	TCase *tc = tcase_create("fast-vs-libyaml");

	tcase_add_loop_test(tc, test_accepted, 0,
			    (int)(sizeof(accepted) / sizeof(*accepted)));
	tcase_add_loop_test(tc, test_refused, 0,
			    (int)(sizeof(refused) / sizeof(*refused)));
	tcase_add_test(tc, test_examples);
	tcase_add_test(tc, test_every_byte);
	tcase_add_test(tc, test_limits_left_to_libyaml);
	tcase_add_test(tc, test_fast_by_size);
	tcase_add_test(tc, test_random_documents);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
