/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * diff of the named sets: type, flags and size of each, and the elements
 * of address sets pair by pair, the wanted ones straight from the policy.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter/nf_tables.h>

#include "addr.h"
#include "diff-priv.h"
#include "nft-types.h"
#include "util.h"

static const char *key_type_name(uint32_t type)
{
	switch (type) {
	case NFT_TYPE_IPADDR:
		return "ipv4_addr";
	case NFT_TYPE_IP6ADDR:
		return "ipv6_addr";
	case NFT_TYPE_ETHERADDR:
		return "ether_addr";
	case NFT_TYPE_INET_PROTOCOL:
		return "inet_proto";
	case NFT_TYPE_INET_SERVICE:
		return "inet_service";
	case NFT_TYPE_MARK:
		return "mark";
	}
	return NULL;
}

/* A concatenation's type holds its fields' types, 6 bits each, first highest. */
static bool put_concat_type(FILE *f, uint32_t type)
{
	const char *names[5];
	size_t n = 0;

	for (; type && n < ARRAY_SIZE(names); type >>= 6)
		if (!(names[n++] = key_type_name(type & 0x3f)))
			return false;
	if (type || n < 2)
		return false;
	while (n--)
		fprintf(f, "%s%s", names[n], n ? " . " : "");
	return true;
}

static void put_set_type(FILE *f, const struct dset *s)
{
	const char *n = key_type_name(s->key_type);

	if (n)
		fputs(n, f);
	else if (s->key_type < 0x40 || !put_concat_type(f, s->key_type))
		fprintf(f, "%u-byte key", s->key_len);
}

static void put_set_flags(FILE *f, uint32_t flags)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = {
		{ NFT_SET_CONSTANT, "constant" },
		{ NFT_SET_INTERVAL, "interval" },
		{ NFT_SET_TIMEOUT, "timeout" },
		{ NFT_SET_EVAL, "dynamic" },
		{ NFT_SET_MAP, "map" },
		{ NFT_SET_OBJECT, "object" },
	};
	bool first = true;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (flags & names[i].bit) {
			fprintf(f, "%s%s", first ? "" : ",", names[i].name);
			first = false;
		}
	}
	if (first)
		fputs("none", f);
}

/* The address family an element of this set is written in, or 0 for hex. */
static int set_family(const struct dset *s)
{
	if (s->key_type == NFT_TYPE_IPADDR || (!s->key_type && s->key_len == 4))
		return 4;
	if (s->key_type == NFT_TYPE_IP6ADDR || (!s->key_type && s->key_len == 16))
		return 6;
	return 0;
}

static void put_span(FILE *f, const struct dset *s, const struct span *sp)
{
	char buf[ADDR_INTERVAL_STRLEN];
	struct addr_interval iv;
	int family = set_family(s);
	uint32_t i;

	if (family && s->key_len == addr_bytes(family)) {
		memset(&iv, 0, sizeof(iv));
		memcpy(iv.lo, sp->lo, s->key_len);
		memcpy(iv.hi, sp->hi, s->key_len);
		if (addr_interval_format(&iv, family, buf, sizeof(buf)) == 0) {
			fputs(buf, f);
			return;
		}
	}
	fputs("0x", f);
	for (i = 0; i < s->key_len; i++)
		fprintf(f, "%02x", sp->lo[i]);
	if (memcmp(sp->lo, sp->hi, s->key_len)) {
		fputs("-0x", f);
		for (i = 0; i < s->key_len; i++)
			fprintf(f, "%02x", sp->hi[i]);
	}
}

static void element_line(struct diff *d, char sign, const struct dset *s,
			 const struct span *sp)
{
	FILE *f = diff_line_start(d, sign, "element");

	if (f) {
		fprintf(f, " %s { ", s->name);
		put_span(f, s, sp);
		fputs(" }", f);
	}
	diff_line_end(d);
}

/* Sets */

struct spans {
	struct span *v;
	size_t n, cap;
	uint32_t len;
};

static int spans_cb(const uint8_t *lo, const uint8_t *hi, uint32_t len,
		    struct nftnl_set_elem *e, void *arg)
{
	struct spans *sp = arg;
	struct span *x;

	if (len != sp->len)
		return 0; /* a catch-all, or a key of another size */
	if (array_push(&sp->v, &sp->n, &sp->cap, sizeof(*sp->v)) < 0)
		return -ENOMEM;
	x = &sp->v[sp->n - 1];
	memcpy(x->lo, lo, len);
	memcpy(x->hi, hi, len);
	return 0;
}

static int span_cmp(const struct span *a, const struct span *b, uint32_t len)
{
	int c = memcmp(a->lo, b->lo, len);

	return c ? c : memcmp(a->hi, b->hi, len);
}

/* Collects the keys of a plain set's elements, in the kernel's order. */
static int key_cb(struct nftnl_set_elem *e, void *arg)
{
	struct spans *sp = arg;
	const void *key;
	uint32_t len = 0;

	if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_KEY_END))
		return -1; /* ranges of their own: not a plain set */
	key = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &len);
	if (!key || len != sp->len)
		return 0; /* a catch-all, or a key of another size */
	if (array_push(&sp->v, &sp->n, &sp->cap, sizeof(*sp->v)) < 0)
		return -1;
	memcpy(sp->v[sp->n - 1].lo, key, len);
	memcpy(sp->v[sp->n - 1].hi, key, len);
	return 0;
}

/*
 * Sorts single keys (lo == hi) of len bytes, a byte at a time from the
 * last (LSD radix): a hash set dumps its 100,000 keys in hash order, and
 * a comparison sort of them was a fifth of a diff. Bytes all keys share
 * (an IPv6 prefix) cost one counting pass each.
 */
static int sort_keys(struct spans *sp)
{
	struct span *tmp, *from = sp->v, *to;
	size_t count[256], i, pos;
	uint32_t b;

	if (sp->n < 2)
		return 0;
	tmp = malloc(sp->n * sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	to = tmp;
	for (b = sp->len; b-- > 0;) {
		memset(count, 0, sizeof(count));
		for (i = 0; i < sp->n; i++)
			count[from[i].lo[b]]++;
		if (count[from[0].lo[b]] == sp->n)
			continue;
		for (i = 0, pos = 0; i < 256; i++) {
			size_t c = count[i];

			count[i] = pos;
			pos += c;
		}
		for (i = 0; i < sp->n; i++)
			to[count[from[i].lo[b]]++] = from[i];
		to = from;
		from = from == sp->v ? tmp : sp->v;
	}
	if (from != sp->v)
		memcpy(sp->v, from, sp->n * sizeof(*sp->v));
	free(tmp);
	return 0;
}

/*
 * The elements of a set as spans: a desired peer set straight from the
 * policy's sorted intervals (what canon_set_elems() would give back of
 * the elements nft_build() makes of them, without making them), any
 * other set decoded from its libnftnl elements.
 */
static int set_spans(const struct dset *s, struct spans *sp)
{
	const struct nft_lazy_elems *l = s->lazy;
	size_t i;

	if (!l && !(s->flags & NFT_SET_INTERVAL) && s->key_len == sp->len &&
	    sp->len <= SPAN_KEY) {
		if (nftnl_set_elem_foreach((struct nftnl_set *)s->s, key_cb, sp) == 0)
			return sort_keys(sp);
		/* Not plain after all: start over the general way. */
		free(sp->v);
		sp->v = NULL;
		sp->n = sp->cap = 0;
	}
	if (!l)
		return canon_set_elems(s->s, spans_cb, sp);
	if (l->len != sp->len || !l->n)
		return 0;
	sp->v = malloc(l->n * sizeof(*sp->v));
	if (!sp->v)
		return -ENOMEM;
	for (i = 0; i < l->n; i++) {
		memcpy(sp->v[i].lo, l->v[i].lo, l->len);
		memcpy(sp->v[i].hi, l->v[i].hi, l->len);
	}
	sp->n = sp->cap = l->n;
	return 0;
}

/*
 * Elements as each side holds them, paired exactly: an address the kernel
 * has in a different split ("a/25, b/25" for "a/24") is a "-" and "+" pair,
 * which is what applying the set would change.
 */
static int diff_elements(struct diff *d, const struct dset *want,
			 const struct dset *have)
{
	struct spans w = { .len = want->key_len }, h = { .len = want->key_len };
	size_t i = 0, j = 0;
	int ret;

	ret = set_spans(want, &w);
	if (!ret && have)
		ret = set_spans(have, &h);
	while (!ret && (i < w.n || j < h.n)) {
		int c;

		if (i == w.n)
			c = 1;
		else if (j == h.n)
			c = -1;
		else
			c = span_cmp(&w.v[i], &h.v[j], w.len);

		if (c == 0) {
			i++;
			j++;
		} else if (c < 0) {
			element_line(d, '+', want, &w.v[i++]);
		} else {
			element_line(d, '-', want, &h.v[j++]);
		}
	}
	free(w.v);
	free(h.v);
	return ret;
}

static void set_add_line(struct diff *d, const struct dset *s)
{
	FILE *f = diff_line_start(d, '+', "set");

	if (f) {
		fprintf(f, " %s { type ", s->name);
		put_set_type(f, s);
		if (s->size)
			fprintf(f, "; size %u", s->size);
		if (s->flags) {
			fputs("; flags ", f);
			put_set_flags(f, s->flags);
		}
		fputs("; }", f);
	}
	diff_line_end(d);
}

static int diff_set(struct diff *d, const struct dset *want,
		    const struct dset *have)
{
	bool type_same;
	FILE *f;

	/*
	 * A dynamic set (the refused sets) is filled by the kernel: its
	 * elements are counts, not configuration, and never drift.
	 */
	bool dynamic = want->flags & NFT_SET_EVAL;

	if (!have) {
		set_add_line(d, want);
		return want->key_len <= SPAN_KEY && !dynamic ?
			       diff_elements(d, want, NULL) :
			       0;
	}
	type_same = want->key_len == have->key_len &&
		    (!want->key_type || !have->key_type ||
		     want->key_type == have->key_type);
	/*
	 * A hash set's size is what live adds can grow it to: an inventory
	 * that grew past half of it gets a larger one on apply.
	 */
	if (!type_same || want->flags != have->flags || want->size != have->size) {
		const char *sep = " ";

		f = diff_line_start(d, '~', "set");
		if (f) {
			fprintf(f, " %s:", want->name);
			if (!type_same) {
				fputs(" type ", f);
				put_set_type(f, have);
				fputs(", want ", f);
				put_set_type(f, want);
				sep = "; ";
			}
			if (want->flags != have->flags) {
				fprintf(f, "%sflags ", sep);
				put_set_flags(f, have->flags);
				fputs(", want ", f);
				put_set_flags(f, want->flags);
				sep = "; ";
			}
			if (want->size != have->size)
				fprintf(f, "%ssize %u, want %u", sep, have->size,
					want->size);
		}
		diff_line_end(d);
	}
	/* Elements of another type do not compare: applying replaces the set. */
	if (!type_same || want->key_len > SPAN_KEY || dynamic ||
	    (have->flags & NFT_SET_EVAL))
		return 0;
	return diff_elements(d, want, have);
}

int diff_sets(struct diff *d)
{
	const struct side *w = &d->want, *h = &d->have;
	size_t i = 0, j = 0;
	int ret = 0;

	while (!ret && (i < w->nsets || j < h->nsets)) {
		int c;

		if (i == w->nsets)
			c = 1;
		else if (j == h->nsets)
			c = -1;
		else
			c = strcmp(w->sets[i].name, h->sets[j].name);

		if (c == 0) {
			ret = diff_set(d, &w->sets[i++], &h->sets[j++]);
		} else if (c < 0) {
			ret = diff_set(d, &w->sets[i++], NULL);
		} else {
			diff_line_start(d, '-', "set");
			if (d->out)
				fprintf(d->out, " %s", h->sets[j].name);
			diff_line_end(d);
			j++;
		}
	}
	return ret;
}
