/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fast path of yaml-doc.c for the YAML that inventories are made of.
 * libyaml decodes and validates every character and allocates every token
 * and event; for an inventory of 100,000 addresses that is two thirds of
 * an apply's time outside the kernel. This scanner accepts only what it
 * can get exactly right, line by line, and gives up on everything else:
 *
 *   - printable ASCII and newlines only (no tabs, CR, UTF-8, NUL);
 *   - block mappings whose keys are names ([A-Za-z0-9_][A-Za-z0-9_./-]*);
 *   - block sequences, also at their key's indentation;
 *   - flow sequences on one line, of scalars, without a trailing comma;
 *   - single-line scalars: plain ones of [A-Za-z0-9._/:+~-] and inner
 *     spaces, quoted ones without escapes;
 *   - comments after a space, and comment or blank lines anywhere.
 *
 * No anchors, tags, directives, document markers, block scalars, flow
 * mappings, empty values, or scalars that continue on the next line. Each
 * of those, and each error, makes it return YF_UNSUPPORTED; yaml-doc.c
 * then hands the file to libyaml. tests/unit/test-yaml.c holds it to
 * producing libyaml's tree, marks included, on every input it accepts.
 */
#include <stdint.h>
#include <string.h>

#include "yaml-fast.h"

struct scan {
	const char *end;  /* of the input */
	const char *next; /* the line after the current one */
	unsigned int nextline;
	/* The current line with content; have is false at the end. */
	bool have;
	unsigned int line;   /* 0-based */
	const char *bol;     /* its first byte */
	const char *eol;     /* its '\n', or the end of the input */
	unsigned int indent; /* spaces before c */
	const char *c;	     /* its first character after them */
	const struct yf_sink *sink;
	void *data;
};

static bool is_alnum(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9');
}

/*
 * Characters with no meaning to YAML inside a plain scalar in any context.
 * The colon is one only when a blank follows, which the callers check.
 */
static bool plain_char(char ch)
{
	return is_alnum(ch) || ch == '.' || ch == '_' || ch == '/' ||
	       ch == '-' || ch == '+' || ch == ':' || ch == '~';
}

/*
 * Whether a plain scalar may start at p: not with an indicator, but '-'
 * and ':' are none when a character of the scalar follows. (A colon is
 * always one inside a flow sequence, where the callers stop at it.)
 */
static bool plain_start(const char *p, const char *eol)
{
	if (*p == '-' || *p == ':')
		return p + 1 < eol && plain_char(p[1]);
	return is_alnum(*p) || *p == '.' || *p == '_' || *p == '/' ||
	       *p == '+' || *p == '~';
}

static bool key_char(char ch)
{
	return is_alnum(ch) || ch == '_' || ch == '.' || ch == '/' || ch == '-';
}

static const char *skip_spaces(const char *p, const char *end)
{
	while (p < end && *p == ' ')
		p++;
	return p;
}

/*
 * Loads the next line with content. Comment and blank lines mean nothing.
 * A document marker ("---", "...") is refused where it stands: no key
 * starts with '-' or '.', and "---" is no sequence entry.
 */
static void load_line(struct scan *s)
{
	while (s->next < s->end) {
		const char *bol = s->next, *eol, *c;
		unsigned int line = s->nextline++;

		eol = memchr(bol, '\n', (size_t)(s->end - bol));
		if (!eol)
			eol = s->end;
		s->next = eol < s->end ? eol + 1 : eol;
		c = skip_spaces(bol, eol);
		if (c == eol || *c == '#')
			continue;
		s->have = true;
		s->line = line;
		s->bol = bol;
		s->eol = eol;
		s->indent = (unsigned int)(c - bol);
		s->c = c;
		return;
	}
	s->have = false;
}

static bool seq_entry(const struct scan *s)
{
	return *s->c == '-' && (s->c + 1 == s->eol || s->c[1] == ' ');
}

static unsigned int col_of(const struct scan *s, const char *p)
{
	return (unsigned int)(p - s->bol);
}

static int emit_scalar(struct scan *s, const char *v, const char *vend,
		       bool plain, const char *at)
{
	return s->sink->scalar(s->data, v, (size_t)(vend - v), plain, s->line,
			       col_of(s, at));
}

/* After a value only spaces may follow, then maybe a comment. */
static bool rest_empty(const struct scan *s, const char *p)
{
	const char *q = skip_spaces(p, s->eol);

	return q == s->eol || (*q == '#' && q > p);
}

/* A quoted scalar that ends on its line and has no escapes. */
static int quoted(struct scan *s, const char *p, const char **after)
{
	char quote = *p;
	const char *q;
	int ret;

	for (q = p + 1; q < s->eol && *q != quote; q++) {
		if (*q == '\\' && quote == '"')
			return YF_UNSUPPORTED;
	}
	/*
	 * Unterminated on this line. A '' inside single quotes (an escaped
	 * quote) ends up refused too: only a separator may follow a scalar.
	 */
	if (q == s->eol)
		return YF_UNSUPPORTED;
	ret = emit_scalar(s, p + 1, q, false, p);
	*after = q + 1;
	return ret;
}

/*
 * A plain scalar in block context: the rest of the line up to a comment,
 * without trailing spaces. ": " or a final ':' would make it a key.
 */
static int block_plain(struct scan *s, const char *p, const char **after)
{
	const char *q, *last = p;

	if (!plain_start(p, s->eol))
		return YF_UNSUPPORTED;
	for (q = p; q < s->eol; q++) {
		if (*q == ' ') {
			if (q + 1 < s->eol && q[1] == '#')
				break;
			continue;
		}
		if (!plain_char(*q))
			return YF_UNSUPPORTED;
		if (*q == ':' && (q + 1 == s->eol || q[1] == ' '))
			return YF_UNSUPPORTED;
		last = q;
	}
	*after = last + 1;
	return emit_scalar(s, p, last + 1, true, p);
}

/*
 * A flow sequence of scalars on one line. Plain scalars in it end at a
 * colon, and the sequence is then refused: libyaml releases differ on
 * what a colon means there.
 */
static int flow_seq(struct scan *s, const char *p, const char **after)
{
	int ret = s->sink->start(s->data, YD_SEQ, s->line, col_of(s, p));

	if (ret)
		return ret;
	p = skip_spaces(p + 1, s->eol);
	if (p < s->eol && *p == ']') {
		*after = p + 1;
		return s->sink->end(s->data);
	}
	for (;;) {
		if (p == s->eol)
			return YF_UNSUPPORTED;
		if (*p == '"' || *p == '\'') {
			ret = quoted(s, p, &p);
		} else {
			const char *q = p;

			if (!plain_start(p, s->eol))
				return YF_UNSUPPORTED;
			while (q < s->eol && plain_char(*q) && *q != ':')
				q++;
			ret = emit_scalar(s, p, q, true, p);
			p = q;
		}
		if (ret)
			return ret;
		p = skip_spaces(p, s->eol);
		if (p < s->eol && *p == ']')
			break;
		if (p == s->eol || *p != ',')
			return YF_UNSUPPORTED;
		p = skip_spaces(p + 1, s->eol);
		if (p < s->eol && *p == ']')
			return YF_UNSUPPORTED; /* a trailing comma */
	}
	*after = p + 1;
	return s->sink->end(s->data);
}

/*
 * A value that starts and ends on the current line. (A deeper line after
 * it would continue it: the collection it belongs to refuses that line.)
 */
static int inline_value(struct scan *s, const char *p)
{
	const char *after;
	int ret;

	if (*p == '[')
		ret = flow_seq(s, p, &after);
	else if (*p == '"' || *p == '\'')
		ret = quoted(s, p, &after);
	else
		ret = block_plain(s, p, &after);
	if (ret)
		return ret;
	if (!rest_empty(s, after))
		return YF_UNSUPPORTED;
	load_line(s);
	return 0;
}

static int block_node(struct scan *s);

static int block_seq(struct scan *s)
{
	unsigned int indent = s->indent;
	int ret = s->sink->start(s->data, YD_SEQ, s->line, indent);

	if (ret)
		return ret;
	do {
		const char *p = skip_spaces(s->c + 1, s->eol);

		/* An empty item, or one that opens a nested block. */
		if (p == s->eol || *p == '#' || *p == '-')
			return YF_UNSUPPORTED;
		ret = inline_value(s, p);
		if (ret)
			return ret;
	} while (s->have && s->indent == indent && seq_entry(s));
	if (s->have && s->indent > indent)
		return YF_UNSUPPORTED;
	return s->sink->end(s->data);
}

/* The value of a key that ends its line: a block below, or none at all. */
static int block_value(struct scan *s, unsigned int indent)
{
	load_line(s);
	if (!s->have)
		return YF_UNSUPPORTED;
	if (s->indent > indent)
		return block_node(s);
	/* A sequence may sit at its key's indentation. */
	if (s->indent == indent && seq_entry(s))
		return block_seq(s);
	return YF_UNSUPPORTED;
}

/* Keys longer than this are not simple keys to libyaml. */
#define YF_MAX_KEY 128

static int block_map(struct scan *s)
{
	unsigned int indent = s->indent;
	int ret = s->sink->start(s->data, YD_MAP, s->line, indent);

	if (ret)
		return ret;
	do {
		const char *k = s->c, *q = k;

		if (!is_alnum(*k) && *k != '_')
			return YF_UNSUPPORTED;
		while (q < s->eol && key_char(*q))
			q++;
		if (q == s->eol || *q != ':' || q - k > YF_MAX_KEY ||
		    (q + 1 < s->eol && q[1] != ' '))
			return YF_UNSUPPORTED;
		ret = emit_scalar(s, k, q, true, k);
		if (ret)
			return ret;
		q = skip_spaces(q + 1, s->eol);
		if (q == s->eol || *q == '#')
			ret = block_value(s, indent);
		else
			ret = inline_value(s, q);
		if (ret)
			return ret;
	} while (s->have && s->indent == indent && !seq_entry(s));
	/* A deeper line, or a sequence entry among the keys. */
	if (s->have && s->indent >= indent)
		return YF_UNSUPPORTED;
	return s->sink->end(s->data);
}

static int block_node(struct scan *s)
{
	return seq_entry(s) ? block_seq(s) : block_map(s);
}

#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull
#define LOW7S 0x7f7f7f7f7f7f7f7full

/*
 * The high bit of each byte of x outside ' '..'~' and not '\n'. Eight
 * bytes at a time: the whole file is checked before the scan, which then
 * need not look at any character's class but its own.
 */
static uint64_t unprintable(uint64_t x)
{
	uint64_t low7 = x & LOW7S;
	uint64_t high = (x | (low7 + ONES)) & HIGHS;	    /* >= 0x7f */
	uint64_t ctrl = ~(low7 + 0x60 * ONES) & ~x & HIGHS; /* < 0x20 */
	uint64_t nl = x ^ (0x0a * ONES);
	uint64_t is_nl = ~((nl & LOW7S) + LOW7S) & ~nl & HIGHS;

	return high | (ctrl & ~is_nl);
}

static bool printable_ascii(const char *buf, size_t len)
{
	uint64_t bad = 0, word;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&word, buf + i, 8);
		bad |= unprintable(word);
	}
	if (i < len) {
		/* The tail, padded with spaces. */
		memset(&word, ' ', 8);
		memcpy(&word, buf + i, len - i);
		bad |= unprintable(word);
	}
	return !bad;
}

int yf_scan(const char *buf, size_t len, const struct yf_sink *sink,
	    void *data)
{
	struct scan s = {
		.end = buf + len,
		.next = buf,
		.sink = sink,
		.data = data,
	};
	int ret;

	if (!printable_ascii(buf, len))
		return YF_UNSUPPORTED;
	load_line(&s);
	/* An empty document: rare, and libyaml's business. */
	if (!s.have)
		return YF_UNSUPPORTED;
	ret = block_node(&s);
	if (ret)
		return ret;
	/* A line less indented than the document's first. */
	return s.have ? YF_UNSUPPORTED : 0;
}
