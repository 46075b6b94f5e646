/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Hostile strings in catalogs and inventories: free text may hold quotes,
 * braces, semicolons and $(...) but never reaches a ruleset; names and
 * control characters are refused at load; what every renderer writes keeps
 * its syntax (checked structurally, no root needed).
 */
#include <stdbool.h>

#include "testutil.h"

#include "model.h"

/* Every hostile text carries this marker: no ruleset may contain it. */
#define MARK "HOSTILE"

static const char *const hostile_texts[] = {
	MARK "\" ; flush ruleset ; table inet evil { chain c { accept } } #",
	MARK " }\n} table ip pwn { chain input { type filter hook input priority 0; policy accept; } }\n",
	MARK " $(reboot) `id` \\\\ \\\" \\n '",
	MARK "\"], \"nftables\": [{\"flush\": {\"ruleset\": null}}], \"x\": [\"",
	MARK " -A INPUT -j ACCEPT\nCOMMIT\n*filter\n",
	MARK " \303\274n\303\257c\303\270d\303\251 \342\200\256 gnp.exe \360\237\224\245\t#",
	MARK " '; DROP TABLE flows; -- <script>alert(1)</script> %s %n %x",
};

/* s as a YAML double-quoted scalar (appended to a growing buffer). */
/* A C0 or C1 control character (U+0080-U+009F as UTF-8) at m. */
static bool is_control(const unsigned char *m)
{
	return m[0] < 0x20 || m[0] == 0x7f ||
	       (m[0] == 0xc2 && m[1] >= 0x80 && m[1] <= 0x9f);
}

static void put_dq(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		switch (*s) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		default:
			/* libyaml refuses raw control characters: escape them. */
			if ((unsigned char)*s < 0x20 || *s == 0x7f)
				fprintf(out, "\\x%02x", (unsigned char)*s);
			else if ((unsigned char)*s == 0xc2 && (unsigned char)s[1] >= 0x80 &&
				 (unsigned char)s[1] <= 0x9f)
				fprintf(out, "\\u00%02x", (unsigned char)*++s);
			else
				fputc(*s, out);
		}
	}
	fputc('"', out);
}

/* A long text: more than nft, iptables or a terminal line would take. */
static char *long_text(void)
{
	size_t n = 12000, i;
	char *s = malloc(n + 1);

	ck_assert_ptr_nonnull(s);
	memcpy(s, MARK, strlen(MARK));
	for (i = strlen(MARK); i < n; i++)
		s[i] = "{};#\"\\$( )"[i % 10];
	s[n] = '\0';
	return s;
}

/*
 * The demo product with text t in every free-text field: product, summary,
 * document file and title, table title, role, param and option
 * descriptions, flow descriptions and notes.
 */
static char *catalog_with_text(const char *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

#define T() put_dq(out, t)
	ck_assert_ptr_nonnull(out);
	fputs("topology: demo\nproduct: ", out);
	T();
	fputs("\nsummary: ", out);
	T();
	fputs("\ndocuments:\n  d:\n    file: ", out);
	T();
	fputs("\n    title: ", out);
	T();
	fputs("\n    tables:\n      t: ", out);
	T();
	fputs("\nroles:\n  web: {kind: host, description: ", out);
	T();
	fputs("}\n  db: {kind: host, description: ", out);
	T();
	fputs("}\n  user: {kind: peer, description: ", out);
	T();
	fputs("}\nparams:\n  https_port: {default: 443, description: ", out);
	T();
	fputs("}\noptions:\n  legacy: {default: true, description: ", out);
	T();
	fputs("}\nflows:\n"
	      "  - {id: user-web, from: user, to: web, proto: tcp, ports: [80, \"$https_port\"], source: \"d:t#1\", description: ",
	      out);
	T();
	fputs(", note: ", out);
	T();
	fputs("}\n  - {id: web-db, from: web, to: db, proto: tcp, ports: [3306], source: \"d:t#2\", description: ", out);
	T();
	fputs("}\n  - {id: pxe, from: user, to: web, proto: udp, ports: [69], redirect: 6969, source: \"d:t#3\", description: ", out);
	T();
	fputs("}\n  - {id: legacy, from: user, to: web, proto: tcp, ports: [8080], when: legacy, source: [\"d:t#4\", \"d:t#5\"], description: ", out);
	T();
	fputs("}\n  - {id: quiet, from: user, to: db, proto: udp, ports: [], source: \"d:t#6\", description: ", out);
	T();
	fputs(", note: ", out);
	T();
	fputs("}\n", out);
#undef T
	ck_assert_int_eq(fclose(out), 0);
	return buf;
}

/* Loads a product from text; NULL and the message in ctx when refused. */
static struct fwgen_catalog *load_text(struct fwgen_ctx *ctx, const char *text)
{
	struct fwgen_catalog *cat = NULL;

	if (catalog_parse_buf(ctx, "hostile.yaml", text, strlen(text), &cat) < 0) {
		ck_assert_ptr_null(cat);
		return NULL;
	}
	return cat;
}

/* --- structural checks of each format ---------------------------------- */

/*
 * An nft script: quoted strings end on their line and hold no backslash
 * or control character (nft has no escapes); outside them '#' only starts
 * a comment line, ';' only ends the clauses of a base chain declaration,
 * and braces balance.
 */
static void check_nft(const char *text)
{
	const char *p = text;
	long depth = 0;
	unsigned int line = 1;

	while (*p) {
		const char *eol = strchr(p, '\n');
		const char *end = eol ? eol : p + strlen(p);
		const char *q = p;
		bool base = false, quoted = false;
		int semis = 0;

		while (q < end && (*q == ' ' || *q == '\t'))
			q++;
		if (q < end && *q == '#') {
			for (; q < end; q++)
				ck_assert_msg((unsigned char)*q >= 0x20 || *q == '\t',
					      "line %u: control character in a comment", line);
			goto next;
		}
		base = memmem(p, (size_t)(end - p), "type ", 5) &&
		       memmem(p, (size_t)(end - p), " hook ", 6);
		for (; q < end; q++) {
			unsigned char c = (unsigned char)*q;

			if (quoted) {
				ck_assert_msg(c != '\\' && c >= 0x20 && c != 0x7f,
					      "line %u: 0x%02x inside a quoted string", line, c);
				if (c == '"')
					quoted = false;
				continue;
			}
			ck_assert_msg(c >= 0x20 || c == '\t', "line %u: control character", line);
			switch (c) {
			case '"':
				quoted = true;
				break;
			case '#':
				ck_abort_msg("line %u: '#' after a statement", line);
				break;
			case ';':
				semis++;
				break;
			case '{':
				depth++;
				break;
			case '}':
				ck_assert_msg(--depth >= 0, "line %u: unbalanced '}'", line);
				break;
			}
		}
		ck_assert_msg(!quoted, "line %u: quoted string not closed on its line", line);
		ck_assert_msg(semis == 0 || (base && semis == 2),
			      "line %u: unexpected ';'", line);
next:
		if (!eol)
			break;
		p = eol + 1;
		line++;
	}
	ck_assert_msg(depth == 0, "braces do not balance (%ld open)", depth);
}

/* A minimal JSON parser: true when s[*i...] is one well-formed value. */
static bool json_value(const char *s, size_t *i, int depth);

static void json_ws(const char *s, size_t *i)
{
	while (s[*i] == ' ' || s[*i] == '\n' || s[*i] == '\t' || s[*i] == '\r')
		(*i)++;
}

static bool json_string(const char *s, size_t *i)
{
	if (s[*i] != '"')
		return false;
	for ((*i)++; s[*i] != '"'; (*i)++) {
		unsigned char c = (unsigned char)s[*i];

		if (c < 0x20)
			return false;
		if (c == '\\') {
			(*i)++;
			if (s[*i] == 'u') {
				int k;

				for (k = 1; k <= 4; k++) {
					if (!strchr("0123456789abcdefABCDEF", s[*i + k]) || !s[*i + k])
						return false;
				}
				*i += 4;
			} else if (!s[*i] || !strchr("\"\\/bfnrt", s[*i])) {
				return false;
			}
		}
	}
	(*i)++;
	return true;
}

static bool json_value(const char *s, size_t *i, int depth)
{
	if (depth > 64)
		return false;
	json_ws(s, i);
	if (s[*i] == '"')
		return json_string(s, i);
	if (s[*i] == '{' || s[*i] == '[') {
		char close = s[*i] == '{' ? '}' : ']';
		bool object = close == '}';

		(*i)++;
		json_ws(s, i);
		if (s[*i] == close) {
			(*i)++;
			return true;
		}
		for (;;) {
			if (object) {
				json_ws(s, i);
				if (!json_string(s, i))
					return false;
				json_ws(s, i);
				if (s[(*i)++] != ':')
					return false;
			}
			if (!json_value(s, i, depth + 1))
				return false;
			json_ws(s, i);
			if (s[*i] == ',') {
				(*i)++;
				continue;
			}
			if (s[*i] != close)
				return false;
			(*i)++;
			return true;
		}
	}
	if (!strncmp(s + *i, "null", 4) || !strncmp(s + *i, "true", 4)) {
		*i += 4;
		return true;
	}
	if (!strncmp(s + *i, "false", 5)) {
		*i += 5;
		return true;
	}
	if (s[*i] == '-' || (s[*i] >= '0' && s[*i] <= '9')) {
		(*i)++;
		while (s[*i] >= '0' && s[*i] <= '9')
			(*i)++;
		return true;
	}
	return false;
}

static void check_json(const char *text)
{
	size_t i = 0;

	ck_assert_msg(json_value(text, &i, 0), "not JSON at byte %zu: %.60s", i, text + i);
	json_ws(text, &i);
	ck_assert_msg(text[i] == '\0', "trailing bytes after the JSON value at %zu", i);
}

/*
 * iptables-restore input: every line a comment, a table, a chain
 * declaration, a rule or COMMIT; double quotes close on their line, with
 * backslash escapes inside.
 */
static void check_iptables(const char *text)
{
	const char *p = text;
	unsigned int line = 1;

	while (*p) {
		const char *eol = strchr(p, '\n'), *q;
		const char *end = eol ? eol : p + strlen(p);
		bool quoted = false;

		ck_assert_msg(*p == '#' || *p == '*' || *p == ':' || !strncmp(p, "-A ", 3) ||
				      !strncmp(p, "-I ", 3) || !strncmp(p, "COMMIT", 6),
			      "line %u: not an iptables-restore line: %.40s", line, p);
		for (q = p; q < end; q++) {
			unsigned char c = (unsigned char)*q;

			ck_assert_msg(c >= 0x20 || c == '\t', "line %u: control character", line);
			if (*p == '#')
				continue;
			if (quoted && c == '\\') {
				q++;
				ck_assert_msg(q < end, "line %u: escape at the end", line);
				continue;
			}
			if (c == '"')
				quoted = !quoted;
		}
		ck_assert_msg(!quoted, "line %u: quoted string not closed", line);
		if (!eol)
			break;
		p = eol + 1;
		line++;
	}
}

/* ipset restore input: commands and comments, nothing quoted. */
static void check_ipset(const char *text)
{
	static const char *const cmds[] = { "#", "create ", "add ", "flush ", "swap ", "destroy " };
	const char *p = text;
	unsigned int line = 1;

	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t k;
		bool ok = false;

		for (k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++)
			ok = ok || !strncmp(p, cmds[k], strlen(cmds[k]));
		ck_assert_msg(ok, "line %u: not an ipset command: %.40s", line, p);
		if (*p != '#')
			ck_assert_msg(!memchr(p, '"', eol ? (size_t)(eol - p) : strlen(p)),
				      "line %u: a quote in an ipset command", line);
		if (!eol)
			break;
		p = eol + 1;
		line++;
	}
}

static const struct {
	enum fwgen_format format;
	void (*check)(const char *text);
	const char *name;
} formats[] = {
	{ FWGEN_FORMAT_NFT, check_nft, "nft" },
	{ FWGEN_FORMAT_JSON, check_json, "json" },
	{ FWGEN_FORMAT_IPTABLES, check_iptables, "iptables" },
	{ FWGEN_FORMAT_IP6TABLES, check_iptables, "ip6tables" },
	{ FWGEN_FORMAT_IPSET, check_ipset, "ipset" },
};

/*
 * Renders pol in every format built so far and checks each; returns how
 * many formats were checked. A format not built yet says -ENOSYS.
 */
static unsigned int check_all_formats(struct fwgen_ctx *ctx,
				      const struct fwgen_policy *pol)
{
	unsigned int checked = 0;
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		char *out = NULL;
		size_t len = 0;
		int ret = fwgen_policy_render_buf(ctx, pol, formats[i].format, &out, &len);

		if (ret == -ENOSYS && formats[i].format != FWGEN_FORMAT_NFT)
			continue;
		ck_assert_msg(ret == 0, "%s: %s", formats[i].name, fwgen_ctx_error(ctx));
		ck_assert_uint_eq(strlen(out), len);
		ck_assert_msg(!strstr(out, MARK), "%s output carries catalog text:\n%.1500s",
			      formats[i].name, out);
		formats[i].check(out);
		free(out);
		checked++;
	}
	return checked;
}

static const char inventory_text[] =
	"topology: demo\n"
	"table: a-table_name-of-thirty-two-chars\n"
	"egress: filtered\n"
	"params: {https_port: [8443, \"9000-9010\"]}\n"
	"roles:\n"
	"  user: [198.18.1.0/24, 198.18.2.7, \"2001:db8:1::/48\"]\n"
	"  db: [198.18.3.1]\n"
	"  admin: [198.18.9.0/24]\n"
	"  dns-server: [\"2001:db8::53\"]\n";

/* Every host role alone and together, with and without the inventory. */
static void resolve_and_check(struct fwgen_ctx *ctx, const struct fwgen_catalog *cat)
{
	static const char *const sets[][2] = {
		{ "web", NULL },
		{ "db", NULL },
		{ "web", "db" },
	};
	struct fwgen_inventory *inv = parse_inventory(ctx, inventory_text);
	size_t i, k;

	for (k = 0; k < 2; k++) {
		for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
			struct fwgen_policy *pol = NULL;
			size_t n = sets[i][1] ? 2 : 1;

			ck_assert_msg(fwgen_policy_resolve(ctx, cat, k ? inv : NULL, "demo",
							   sets[i], n, 0, &pol) == 0,
				      "%s", fwgen_ctx_error(ctx));
			ck_assert_uint_ge(check_all_formats(ctx, pol), 1);
			fwgen_policy_free(pol);
		}
	}
	fwgen_inventory_free(inv);
}

START_TEST(test_hostile_free_text_loads_but_never_reaches_a_ruleset)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	char *text = catalog_with_text(hostile_texts[_i]);
	struct fwgen_catalog *cat = load_text(ctx, text);

	ck_assert_msg(cat != NULL, "refused: %s", fwgen_ctx_error(ctx));
	resolve_and_check(ctx, cat);
	fwgen_catalog_free(cat);
	free(text);
	fwgen_ctx_free(ctx);
}
END_TEST

START_TEST(test_very_long_free_text_never_reaches_a_ruleset)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	char *t = long_text(), *text = catalog_with_text(t);
	struct fwgen_catalog *cat = load_text(ctx, text);

	ck_assert_msg(cat != NULL, "refused: %s", fwgen_ctx_error(ctx));
	resolve_and_check(ctx, cat);
	fwgen_catalog_free(cat);
	free(text);
	free(t);
	fwgen_ctx_free(ctx);
}
END_TEST

/* A control character in any text field: refused, with a one-line message. */
START_TEST(test_control_characters_in_text_are_refused)
{
	static const char *const controls[] = {
		"\x1b[2J\x1b[31m",
		"\a",
		"\r",
		"\x7f",
		"\302\23331m",
		"\x01",
		"\x0b",
		"\x0c",
	};
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	size_t i;

	for (i = 0; i < sizeof(controls) / sizeof(controls[0]); i++) {
		char t[64];
		char *text;
		const char *msg;

		snprintf(t, sizeof(t), "before %s after", controls[i]);
		text = catalog_with_text(t);
		ck_assert_msg(load_text(ctx, text) == NULL, "control %zu accepted", i);
		msg = fwgen_ctx_error(ctx);
		ck_assert_msg(strstr(msg, "contains a control character") &&
				      !strncmp(msg, "hostile.yaml:2:10: ", 19),
			      "control %zu: %s", i, msg);
		for (; *msg; msg++)
			ck_assert_msg((unsigned char)*msg >= 0x20 && *msg != 0x7f,
				      "control %zu: the message carries it", i);
		free(text);
	}
	fwgen_ctx_free(ctx);
}
END_TEST

/* Names that would break out of nft, iptables or JSON if printed. */
static const char *const hostile_names[] = {
	"a\"b", "a\\b", "a\nb", "a;b", "a{b", "a}b", "a#b", "$(reboot)", "a b",
	"a'b", "a/b", "a.b", "a:b", "a@b", "Abc", "-ab", "_ab", "1ab", "",
	"\303\244b", "ab\t", "a\033b",
	"a123456789b123456789c123456789d123456789e", /* 41 characters */
};

/* The demo product with one name replaced by a hostile one. */
static char *catalog_with_name(const char *field, const char *name)
{
	char *buf = NULL, *q = NULL;
	size_t len = 0, qlen = 0;
	FILE *out = open_memstream(&q, &qlen);

	put_dq(out, name);
	fclose(out);
	out = open_memstream(&buf, &len);
	fprintf(out,
		"topology: %s\nproduct: P\nsummary: s\n"
		"documents:\n  %s:\n    file: f\n    tables:\n      %s: T\n"
		"roles:\n  %s: {kind: host}\n  user: {kind: peer}\n"
		"params:\n  %s: {default: 443}\n"
		"options:\n  %s: {default: true}\n"
		"flows:\n  - {id: %s, from: user, to: %s, proto: tcp, ports: [80, \"$%s\"], description: x, source: %s, when: %s}\n",
		!strcmp(field, "topology") ? q : "demo",
		!strcmp(field, "document") ? q : "d",
		!strcmp(field, "table") ? q : "t",
		!strcmp(field, "role") ? q : "web",
		!strcmp(field, "param") ? q : "p",
		!strcmp(field, "option") ? q : "o",
		!strcmp(field, "flow id") ? q : "f",
		!strcmp(field, "role") ? q : "web",
		!strcmp(field, "param") ? "nope" : "p",
		!strcmp(field, "source") ? q : "\"d:t#1\"",
		!strcmp(field, "option") ? q : "o");
	fclose(out);
	free(q);
	return buf;
}

START_TEST(test_hostile_names_are_refused_in_every_name_field)
{
	static const char *const fields[] = {
		"topology",
		"document",
		"table",
		"role",
		"param",
		"option",
		"flow id",
	};
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat;
	char *text;
	size_t f, i;

	/* The template itself loads. */
	text = catalog_with_name("", "");
	cat = load_text(ctx, text);
	ck_assert_msg(cat != NULL, "%s", fwgen_ctx_error(ctx));
	fwgen_catalog_free(cat);
	free(text);
	for (f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
		for (i = 0; i < sizeof(hostile_names) / sizeof(hostile_names[0]); i++) {
			const char *msg;

			text = catalog_with_name(fields[f], hostile_names[i]);
			ck_assert_msg(load_text(ctx, text) == NULL, "%s '%s' accepted",
				      fields[f], hostile_names[i]);
			msg = fwgen_ctx_error(ctx);
			ck_assert_msg(!strncmp(msg, "hostile.yaml:", 13) && !strchr(msg, '\n'),
				      "%s '%s': %s", fields[f], hostile_names[i], msg);
			free(text);
		}
	}
	fwgen_ctx_free(ctx);
}
END_TEST

/* Sources reach every rule comment: only document:table#digits passes. */
START_TEST(test_hostile_sources_are_refused)
{
	static const char *const sources[] = {
		"d:t#1\"",
		"d:t#\n1",
		"d:t# 1",
		"d:t#+1",
		"d:t#-1",
		"d:t#1 ",
		"d:t#1;",
		"d:t#0x1",
		"d:t#1}",
		"d\":t#1",
		"d:t\"#1",
		"d:t#1#2",
		"d:t",
		"#1",
		"d:t#",
	};
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	size_t i;

	for (i = 0; i < sizeof(sources) / sizeof(sources[0]); i++) {
		char *text = catalog_with_name("source", sources[i]);

		ck_assert_msg(load_text(ctx, text) == NULL, "source '%s' accepted", sources[i]);
		ck_assert_msg(strstr(fwgen_ctx_error(ctx), "source") != NULL, "%s",
			      fwgen_ctx_error(ctx));
		free(text);
	}
	fwgen_ctx_free(ctx);
}
END_TEST

/* The longest names and rows allowed still give comments and sets nft takes. */
START_TEST(test_longest_names_keep_every_format_well_formed)
{
	static const char name40[] = "a123456789b123456789c123456789d12345678-";
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat;
	struct fwgen_policy *pol = NULL;
	char *buf = NULL, *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	const char *roles[] = { name40 };

	fprintf(f, "topology: %s\nproduct: P\nsummary: s\n"
		   "documents:\n  %s:\n    file: f\n    tables:\n      %s: T\n"
		   "roles:\n  %s: {kind: host}\n  %.38s_x: {kind: peer}\n"
		   "flows:\n  - {id: %s, from: %.38s_x, to: %s, proto: [tcp, udp], ports: [1, \"2-65535\"], description: x, source: [\"%s:%s#100000\", \"%s:%s#99999\"]}\n",
		name40, name40, name40, name40, name40, name40, name40, name40,
		name40, name40, name40, name40);
	fclose(f);
	cat = load_text(ctx, buf);
	ck_assert_msg(cat != NULL, "%s", fwgen_ctx_error(ctx));
	{
		struct fwgen_inventory *inv = fwgen_inventory_new();

		ck_assert_int_eq(fwgen_inventory_set_table(ctx, inv, "t2345678901234567890123456789012"), 0);
		ck_assert_int_eq(fwgen_inventory_add_address(ctx, inv, "a123456789b123456789c123456789d1234567_x",
							     "198.18.0.1"),
				 0);
		ck_assert_msg(fwgen_policy_resolve(ctx, cat, inv, name40, roles, 1, 0, &pol) == 0,
			      "%s", fwgen_ctx_error(ctx));
		ck_assert_uint_ge(check_all_formats(ctx, pol), 1);
		ck_assert_int_eq(fwgen_policy_render_buf(ctx, pol, FWGEN_FORMAT_NFT, &out, NULL), 0);
		/* nft refuses rule comments longer than 128 bytes. */
		{
			const char *c = out;

			while ((c = strstr(c, "comment \""))) {
				const char *e = strchr(c + 9, '"');

				ck_assert_ptr_nonnull(e);
				ck_assert_int_le(e - (c + 9), 128);
				c = e;
			}
		}
		free(out);
		fwgen_policy_free(pol);
		fwgen_inventory_free(inv);
	}
	fwgen_catalog_free(cat);
	free(buf);
	fwgen_ctx_free(ctx);
}
END_TEST

/* Table names reach every format bare: only names nft can read pass. */
START_TEST(test_hostile_table_names_are_refused)
{
	static const char *const keywords[] = { "counter", "accept", "ip", "inet", "table", "log", "meta" };
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_inventory *inv = fwgen_inventory_new();
	size_t i;

	for (i = 0; i < sizeof(hostile_names) / sizeof(hostile_names[0]); i++)
		ck_assert_msg(fwgen_inventory_set_table(ctx, inv, hostile_names[i]) == -EINVAL,
			      "table '%s' accepted", hostile_names[i]);
	for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++) {
		char text[64];
		struct fwgen_inventory *bad = NULL;

		ck_assert_msg(fwgen_inventory_set_table(ctx, inv, keywords[i]) == -EINVAL,
			      "table '%s' accepted", keywords[i]);
		snprintf(text, sizeof(text), "table: %s\n", keywords[i]);
		ck_assert_int_eq(fwgen_inventory_parse(ctx, "inv.yaml", text, strlen(text), &bad),
				 -EINVAL);
		ck_assert_msg(strstr(fwgen_ctx_error(ctx), "nft keyword"), "%s", fwgen_ctx_error(ctx));
	}
	ck_assert_int_eq(fwgen_inventory_set_table(ctx, inv, "filter-x"), 0);
	fwgen_inventory_free(inv);
	fwgen_ctx_free(ctx);
}
END_TEST

/* Inventory values quoted in messages cannot add lines or escapes. */
START_TEST(test_messages_quoting_hostile_values_stay_one_line)
{
	static const char *const texts[] = {
		"roles:\n  user: \"198.18.0.1\\n\\e[31mfwgen: all good\"\n",
		"options:\n  \"leg\\nacy\\r\": true\ntopology: demo\n",
		"roles:\n  user: [\"\\x85\\u009b2J\"]\n",
	};
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = load_demo_catalog(ctx);
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct fwgen_inventory *inv = NULL;
		struct fwgen_policy *pol = NULL;
		const char *roles[] = { "web" }, *m;
		int ret = fwgen_inventory_parse(ctx, "inv.yaml", texts[i], strlen(texts[i]), &inv);

		if (ret == 0) {
			ret = fwgen_policy_resolve(ctx, cat, inv, "demo", roles, 1, 0, &pol);
			fwgen_inventory_free(inv);
		}
		ck_assert_int_lt(ret, 0);
		ck_assert_ptr_null(pol);
		for (m = fwgen_ctx_error(ctx); *m; m++)
			ck_assert_msg(!is_control((const unsigned char *)m),
				      "text %zu: %s", i, fwgen_ctx_error(ctx));
	}
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
}
END_TEST

static Suite *hostile_suite(void)
{
	Suite *s = suite_create("hostile-names");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_hostile_free_text_loads_but_never_reaches_a_ruleset, 0,
			    (int)(sizeof(hostile_texts) / sizeof(hostile_texts[0])));
	tcase_add_test(tc, test_very_long_free_text_never_reaches_a_ruleset);
	tcase_add_test(tc, test_control_characters_in_text_are_refused);
	tcase_add_test(tc, test_hostile_names_are_refused_in_every_name_field);
	tcase_add_test(tc, test_hostile_sources_are_refused);
	tcase_add_test(tc, test_longest_names_keep_every_format_well_formed);
	tcase_add_test(tc, test_hostile_table_names_are_refused);
	tcase_add_test(tc, test_messages_quoting_hostile_values_stay_one_line);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(hostile_suite());
}
