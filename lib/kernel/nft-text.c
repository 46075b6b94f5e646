/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A rule as nft would list it, for the lines diff prints: a small
 * decompiler from kernel expressions back to nft's words, following the
 * registers from loads to the matches that read them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include <libnftnl/expr.h>
#include <libnftnl/set.h>

#include "addr.h"
#include "nft-canon.h"
#include "names.h"
#include "nft-expr.h"
#include "render.h"
#include "util.h"

/* Text for people */

/* How to print a value loaded into a register. */
enum vfmt {
	VF_HEX = 0,
	VF_BE,	 /* big-endian unsigned: ports */
	VF_HOST, /* host-endian unsigned */
	VF_MARK, /* host-endian, in hex */
	VF_IPV4,
	VF_IPV6,
	VF_NFPROTO,
	VF_L4PROTO,
	VF_IFINDEX,
	VF_IFNAME,
	VF_ICMP,
	VF_ICMPV6,
	VF_CTSTATE,
};

#define SYM_TEXT 40

struct sym {
	bool valid;
	char text[SYM_TEXT]; /* "ip saddr", "meta l4proto" */
	enum vfmt fmt;
	uint32_t len;  /* bytes the loaded value fills */
	uint32_t full; /* an address field of this size, loaded in part */
	int dep;       /* 1 meta nfproto, 2 meta l4proto: may be implied */
	bool masked;   /* passed through bitwise (reg & mask) ^ 0 */
	uint8_t mask[16];
	bool is_const; /* an immediate value */
	uint8_t data[16];
};

#define NREGS 16
#define NPENDING 4

struct dec {
	const struct canon_env *env;
	FILE *out;
	bool sep;
	struct sym regs[NREGS];
	/* Matches nft leaves out when a later match implies them. */
	char pending[NPENDING][SYM_TEXT + 34];
	int pending_dep[NPENDING];
	int npending;
	int nfproto; /* known from a match, else 0 */
	int l4;	     /* known from a match, else -1 */
};

static uint64_t be_uint(const uint8_t *v, uint32_t len)
{
	uint64_t x = 0;
	uint32_t i;

	for (i = 0; i < len && i < 8; i++)
		x = x << 8 | v[i];
	return x;
}

static uint32_t host_u32(const uint8_t *v, uint32_t len)
{
	uint32_t x = 0;

	memcpy(&x, v, len < 4 ? len : 4);
	return x;
}

/* The state bits by name, lowest first as nft lists them; the rest in hex. */
static void put_ctstate(FILE *f, uint32_t bits)
{
	bool first = true;
	const char *n;
	unsigned int i;

	for (i = 0; i < 32; i++) {
		n = names_ct_state(1u << i);
		if ((bits & (1u << i)) && n) {
			fprintf(f, "%s%s", first ? "" : ",", n);
			first = false;
			bits &= ~(1u << i);
		}
	}
	if (bits || first)
		fprintf(f, "%s0x%x", first ? "" : ",", bits);
}

static void put_value(FILE *f, enum vfmt fmt, const uint8_t *v, uint32_t len)
{
	char buf[INET6_ADDRSTRLEN], ifn[IF_NAMESIZE];
	const char *n;
	uint32_t i;

	switch (fmt) {
	case VF_BE:
		if (len <= 8) {
			fprintf(f, "%" PRIu64, be_uint(v, len));
			return;
		}
		break;
	case VF_HOST:
		fprintf(f, "%u", host_u32(v, len));
		return;
	case VF_MARK:
		fprintf(f, "0x%08x", host_u32(v, len));
		return;
	case VF_IPV4:
	case VF_IPV6:
		if (len >= (fmt == VF_IPV4 ? 4u : 16u) &&
		    inet_ntop(fmt == VF_IPV4 ? AF_INET : AF_INET6, v, buf, sizeof(buf))) {
			fputs(buf, f);
			return;
		}
		break;
	case VF_NFPROTO:
		if (len && (n = names_nfproto(v[0]))) {
			fputs(n, f);
			return;
		}
		break;
	case VF_L4PROTO:
		if (!len)
			break;
		n = names_l4_keyword(v[0]);
		if (n)
			fputs(n, f);
		else
			fprintf(f, "%u", v[0]);
		return;
	case VF_ICMP:
	case VF_ICMPV6:
		if (!len)
			break;
		n = names_icmp_type(fmt == VF_ICMP ? 4 : 6, v[0]);
		if (n)
			fputs(n, f);
		else
			fprintf(f, "%u", v[0]);
		return;
	case VF_IFINDEX:
		/* The interface the index names in this namespace, as nft does. */
		if (if_indextoname(host_u32(v, len), ifn)) {
			render_quoted(ifn, f);
			return;
		}
		fprintf(f, "%u", host_u32(v, len));
		return;
	case VF_IFNAME: {
		char name[IF_NAMESIZE + 1];

		for (i = 0; i < len && i < IF_NAMESIZE && v[i]; i++)
			name[i] = (char)v[i];
		/* nft matches "eth*" by comparing the bytes before the star only. */
		if (i == len && i < IF_NAMESIZE)
			name[i++] = '*';
		name[i] = '\0';
		render_quoted(name, f);
		return;
	}
	case VF_CTSTATE:
		put_ctstate(f, host_u32(v, len));
		return;
	case VF_HEX:
		break;
	}
	nx_put_hex(f, v, len);
}

static void tok_raw(struct dec *d, const char *s)
{
	if (d->sep)
		fputc(' ', d->out);
	fputs(s, d->out);
	d->sep = true;
}

static void flush_pending(struct dec *d)
{
	int i;

	for (i = 0; i < d->npending; i++)
		tok_raw(d, d->pending[i]);
	d->npending = 0;
}

/* Starts a token: what nft would have shown before it goes first. */
static FILE *tok(struct dec *d)
{
	flush_pending(d);
	if (d->sep)
		fputc(' ', d->out);
	d->sep = true;
	return d->out;
}

/* A match a later header load implies (nft hides it): keep it aside. */
static void add_pending(struct dec *d, int dep, const struct sym *s,
			const uint8_t *v, uint32_t len)
{
	char line[sizeof(d->pending[0])];
	char val[32];
	FILE *m;

	if (d->npending == NPENDING)
		flush_pending(d);
	m = fmemopen(val, sizeof(val), "w");
	if (!m)
		return;
	put_value(m, s->fmt, v, len);
	fputc('\0', m);
	fclose(m);
	val[sizeof(val) - 1] = '\0';
	/* s->text may live in d too: format apart, then copy (no overlap). */
	snprintf(line, sizeof(line), "%s %s", s->text, val);
	memcpy(d->pending[d->npending], line, sizeof(line));
	d->pending_dep[d->npending++] = dep;
}

/* Drops the pending matches of kind dep: a header load implies them. */
static void drop_pending(struct dec *d, int dep)
{
	int i, j = 0;

	for (i = 0; i < d->npending; i++) {
		if (d->pending_dep[i] == dep)
			continue;
		if (i != j) {
			memcpy(d->pending[j], d->pending[i], sizeof(d->pending[0]));
			d->pending_dep[j] = d->pending_dep[i];
		}
		j++;
	}
	d->npending = j;
}

static struct sym *reg_at(struct dec *d, const struct nftnl_expr *e,
			  uint16_t t)
{
	uint64_t v;
	int r;

	if (!nx_uint(e, t, &v))
		return NULL;
	r = nx_reg(v);
	return r >= 0 && r < NREGS ? &d->regs[r] : NULL;
}

static void sym_set(struct sym *s, enum vfmt fmt, uint32_t len, int dep,
		    const char *fmtstr, ...) __attribute__((format(printf, 5, 6)));

static void sym_set(struct sym *s, enum vfmt fmt, uint32_t len, int dep,
		    const char *fmtstr, ...)
{
	va_list ap;

	memset(s, 0, sizeof(*s));
	s->valid = true;
	s->fmt = fmt;
	s->len = len;
	s->dep = dep;
	va_start(ap, fmtstr);
	vsnprintf(s->text, sizeof(s->text), fmtstr, ap);
	va_end(ap);
}

/* What a meta or ct key loads: its nft name, how to print it, its size. */
struct key_sym {
	uint32_t key;
	const char *text;
	enum vfmt fmt;
	uint32_t len;
};

static const struct key_sym meta_keys[] = {
	{ NFT_META_LEN, "meta length", VF_HOST, 4 },
	{ NFT_META_PROTOCOL, "meta protocol", VF_HEX, 2 },
	{ NFT_META_NFPROTO, "meta nfproto", VF_NFPROTO, 1 },
	{ NFT_META_L4PROTO, "meta l4proto", VF_L4PROTO, 1 },
	{ NFT_META_MARK, "meta mark", VF_MARK, 4 },
	{ NFT_META_IIF, "iif", VF_IFINDEX, 4 },
	{ NFT_META_OIF, "oif", VF_IFINDEX, 4 },
	{ NFT_META_IIFNAME, "iifname", VF_IFNAME, 16 },
	{ NFT_META_OIFNAME, "oifname", VF_IFNAME, 16 },
	{ NFT_META_SKUID, "meta skuid", VF_HOST, 4 },
	{ NFT_META_SKGID, "meta skgid", VF_HOST, 4 },
	{ NFT_META_PKTTYPE, "meta pkttype", VF_HOST, 1 },
};

static const struct key_sym ct_keys[] = {
	{ NFT_CT_STATE, "ct state", VF_CTSTATE, 4 },
	{ NFT_CT_DIRECTION, "ct direction", VF_HOST, 1 },
	{ NFT_CT_STATUS, "ct status", VF_MARK, 4 },
	{ NFT_CT_MARK, "ct mark", VF_MARK, 4 },
};

/*
 * A meta or ct expression: a load names the register after its key; a
 * store (no destination register) is a token of its own.
 */
static void d_keyed(struct dec *d, const struct nftnl_expr *e, bool meta)
{
	const struct key_sym *keys = meta ? meta_keys : ct_keys;
	size_t i, n = meta ? ARRAY_SIZE(meta_keys) : ARRAY_SIZE(ct_keys);
	const char *what = meta ? "meta" : "ct";
	struct sym *s = reg_at(d, e, meta ? NFTNL_EXPR_META_DREG : NFTNL_EXPR_CT_DREG);
	uint64_t key = 0;

	nx_uint(e, meta ? NFTNL_EXPR_META_KEY : NFTNL_EXPR_CT_KEY, &key);
	if (!s) {
		fprintf(tok(d), "%s %" PRIu64 " set", what, key);
		return;
	}
	for (i = 0; i < n; i++) {
		if (keys[i].key == key) {
			int dep = !meta ? 0 : key == NFT_META_NFPROTO ? 1 :
				      key == NFT_META_L4PROTO	      ? 2 :
									0;

			sym_set(s, keys[i].fmt, keys[i].len, dep, "%s",
				keys[i].text);
			return;
		}
	}
	sym_set(s, VF_HEX, 4, 0, "%s key %" PRIu64, what, key);
}

static void d_payload(struct dec *d, const struct nftnl_expr *e)
{
	struct sym *s = reg_at(d, e, NFTNL_EXPR_PAYLOAD_DREG);
	uint64_t base = 0, off = 0, len = 0;
	const char *l4;

	nx_uint(e, NFTNL_EXPR_PAYLOAD_BASE, &base);
	nx_uint(e, NFTNL_EXPR_PAYLOAD_OFFSET, &off);
	nx_uint(e, NFTNL_EXPR_PAYLOAD_LEN, &len);
	if (!s) {
		fprintf(tok(d), "[payload set base %" PRIu64 " offset %" PRIu64 "]",
			base, off);
		return;
	}
	if (base == NFT_PAYLOAD_NETWORK_HEADER && d->nfproto == NFPROTO_IPV4 &&
	    (off == 12 || off == 16) && len >= 1 && len <= 4) {
		/* nft loads only the bytes a prefix needs: 10.0.0.0/8 is one. */
		sym_set(s, VF_IPV4, (uint32_t)len, 0, "ip %s",
			off == 12 ? "saddr" : "daddr");
		s->full = 4;
		drop_pending(d, 1);
	} else if (base == NFT_PAYLOAD_NETWORK_HEADER && d->nfproto == NFPROTO_IPV6 &&
		   (off == 8 || off == 24) && len >= 1 && len <= 16) {
		sym_set(s, VF_IPV6, (uint32_t)len, 0, "ip6 %s",
			off == 8 ? "saddr" : "daddr");
		s->full = 16;
		drop_pending(d, 1);
	} else if (base == NFT_PAYLOAD_TRANSPORT_HEADER && len == 2 &&
		   (off == 0 || off == 2)) {
		/* The protocols with ports have a header keyword; others "th". */
		switch (d->l4) {
		case IPPROTO_TCP:
		case IPPROTO_UDP:
		case IPPROTO_SCTP:
		case IPPROTO_DCCP:
		case IPPROTO_UDPLITE:
			l4 = names_l4_keyword((uint8_t)d->l4);
			break;
		default:
			l4 = "th";
			break;
		}
		sym_set(s, VF_BE, 2, 0, "%s %s", l4, off ? "dport" : "sport");
		if (strcmp(l4, "th"))
			drop_pending(d, 2);
	} else if (base == NFT_PAYLOAD_TRANSPORT_HEADER && len == 1 && off == 0 &&
		   (d->l4 == IPPROTO_ICMP || d->l4 == IPPROTO_ICMPV6)) {
		bool v6 = d->l4 == IPPROTO_ICMPV6;

		sym_set(s, v6 ? VF_ICMPV6 : VF_ICMP, 1, 0, "%s type",
			names_l4_keyword((uint8_t)d->l4));
		/* ICMP implies its network protocol too. */
		drop_pending(d, 2);
		drop_pending(d, 1);
	} else {
		static const char *const bases[] = { "ll", "nh", "th", "ih" };

		sym_set(s, VF_HEX, (uint32_t)len, 0, "@%s,%" PRIu64 ",%" PRIu64,
			base < ARRAY_SIZE(bases) ? bases[base] : "?", off * 8, len * 8);
	}
}

static const char *cmp_op(uint64_t op)
{
	switch (op) {
	case NFT_CMP_EQ:
		return "";
	case NFT_CMP_NEQ:
		return "!= ";
	case NFT_CMP_LT:
		return "< ";
	case NFT_CMP_LTE:
		return "<= ";
	case NFT_CMP_GT:
		return "> ";
	case NFT_CMP_GTE:
		return ">= ";
	}
	return "? ";
}

/* Whether mask is a run of ones then zeros; *plen receives the ones. */
static bool mask_prefix(const uint8_t *m, uint32_t len, unsigned int *plen)
{
	unsigned int bits = 0, i;
	bool zeros = false;

	for (i = 0; i < len * 8; i++) {
		bool one = m[i / 8] & (0x80 >> (i % 8));

		if (one && zeros)
			return false;
		if (one)
			bits++;
		else
			zeros = true;
	}
	*plen = bits;
	return true;
}

static bool all_zero(const uint8_t *v, uint32_t len)
{
	while (len--) {
		if (v[len])
			return false;
	}
	return true;
}

static void d_cmp(struct dec *d, const struct nftnl_expr *e)
{
	struct sym *s = reg_at(d, e, NFTNL_EXPR_CMP_SREG);
	uint64_t op = NFT_CMP_EQ;
	const uint8_t *v;
	uint32_t len = 0;
	unsigned int plen;
	FILE *f;

	nx_uint(e, NFTNL_EXPR_CMP_OP, &op);
	v = nftnl_expr_get(e, NFTNL_EXPR_CMP_DATA, &len);
	if (!s || !s->valid || !v) {
		f = tok(d);
		fputs("[cmp ", f);
		if (v)
			nx_put_hex(f, v, len);
		fputc(']', f);
		return;
	}
	if (s->dep && !s->masked && op == NFT_CMP_EQ && len >= 1) {
		if (s->dep == 1)
			d->nfproto = v[0];
		else
			d->l4 = v[0];
		add_pending(d, s->dep, s, v, len);
		return;
	}
	f = tok(d);
	if (s->masked && s->fmt == VF_CTSTATE && op == NFT_CMP_NEQ && all_zero(v, len)) {
		fprintf(f, "%s ", s->text);
		put_ctstate(f, host_u32(s->mask, len));
		return;
	}
	if ((s->fmt == VF_IPV4 || s->fmt == VF_IPV6) && s->full && len <= s->full &&
	    op == NFT_CMP_EQ && (!s->masked || mask_prefix(s->mask, len, &plen))) {
		uint8_t addr[16] = { 0 };

		if (!s->masked)
			plen = len * 8;
		memcpy(addr, v, len);
		fprintf(f, "%s ", s->text);
		put_value(f, s->fmt, addr, s->full);
		if (plen != s->full * 8)
			fprintf(f, "/%u", plen);
		return;
	}
	fprintf(f, "%s ", s->text);
	if (s->masked) {
		fputs("& ", f);
		nx_put_hex(f, s->mask, len);
		fputs(op == NFT_CMP_EQ ? " == " : " ", f);
	}
	fputs(cmp_op(op), f);
	put_value(f, s->masked ? VF_HEX : s->fmt, v, len);
}

static void d_bitwise(struct dec *d, const struct nftnl_expr *e)
{
	struct sym *s = reg_at(d, e, NFTNL_EXPR_BITWISE_SREG);
	struct sym *t = reg_at(d, e, NFTNL_EXPR_BITWISE_DREG);
	uint32_t mlen = 0, xlen = 0;
	const uint8_t *m = nftnl_expr_get(e, NFTNL_EXPR_BITWISE_MASK, &mlen);
	const uint8_t *x = nftnl_expr_get(e, NFTNL_EXPR_BITWISE_XOR, &xlen);
	uint64_t op = NFT_BITWISE_BOOL;
	struct sym tmp;

	nx_uint(e, NFTNL_EXPR_BITWISE_OP, &op);
	if (!s || !t || !s->valid)
		return;
	tmp = *s;
	if (op == NFT_BITWISE_BOOL && m && mlen <= sizeof(tmp.mask) &&
	    (!x || all_zero(x, xlen))) {
		tmp.masked = true;
		memcpy(tmp.mask, m, mlen);
	} else {
		snprintf(tmp.text, sizeof(tmp.text), "(%.24s op %u)", s->text,
			 (unsigned int)op);
		tmp.fmt = VF_HEX;
	}
	tmp.dep = 0;
	*t = tmp;
}

struct elems_arg {
	struct dec *d;
	FILE *f;
	const struct sym *comps[8];
	uint32_t off[8];
	uint32_t clen[8];
	int ncomps;
	bool first;
	bool vmap;
};

static void put_range(FILE *f, enum vfmt fmt, const uint8_t *lo,
		      const uint8_t *hi, uint32_t len)
{
	int family = fmt == VF_IPV4 ? 4 : fmt == VF_IPV6 ? 6 :
							   0;
	char buf[ADDR_INTERVAL_STRLEN];
	struct addr_interval iv;

	/* Addresses as nft writes them: a prefix where the range is one. */
	if (family && len == addr_bytes(family)) {
		memset(&iv, 0, sizeof(iv));
		memcpy(iv.lo, lo, len);
		memcpy(iv.hi, hi, len);
		if (addr_interval_format(&iv, family, buf, sizeof(buf)) == 0) {
			fputs(buf, f);
			return;
		}
	}
	put_value(f, fmt, lo, len);
	if (memcmp(lo, hi, len)) {
		fputc('-', f);
		put_value(f, fmt, hi, len);
	}
}

static void put_verdict(FILE *f, int32_t v, const char *chain)
{
	switch (v) {
	case NF_ACCEPT:
		fputs("accept", f);
		return;
	case NF_DROP:
		fputs("drop", f);
		return;
	case NF_QUEUE:
		fputs("queue", f);
		return;
	case NFT_CONTINUE:
		fputs("continue", f);
		return;
	case NFT_BREAK:
		fputs("break", f);
		return;
	case NFT_JUMP:
		fprintf(f, "jump %s", chain ? chain : "?");
		return;
	case NFT_GOTO:
		fprintf(f, "goto %s", chain ? chain : "?");
		return;
	case NFT_RETURN:
		fputs("return", f);
		return;
	}
	fprintf(f, "verdict %d", v);
}

static int elems_text_cb(const uint8_t *lo, const uint8_t *hi, uint32_t len,
			 struct nftnl_set_elem *e, void *arg)
{
	struct elems_arg *a = arg;
	FILE *f = a->f;
	int i;

	fputs(a->first ? "" : ", ", f);
	a->first = false;
	if (!len) {
		fputc('*', f);
	} else if (a->ncomps == 1) {
		put_range(f, a->comps[0]->fmt, lo, hi, len);
	} else {
		for (i = 0; i < a->ncomps; i++) {
			if (i)
				fputs(" . ", f);
			if (a->off[i] + a->clen[i] <= len)
				put_range(f, a->comps[i]->fmt, lo + a->off[i],
					  hi + a->off[i], a->clen[i]);
		}
	}
	if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_VERDICT)) {
		fputs(" : ", f);
		put_verdict(f, (int32_t)nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_VERDICT),
			    nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_CHAIN) ?
				    nftnl_set_elem_get_str(e, NFTNL_SET_ELEM_CHAIN) :
				    NULL);
	} else if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_DATA)) {
		uint32_t dlen = 0;
		const void *p = nftnl_set_elem_get(e, NFTNL_SET_ELEM_DATA, &dlen);

		fputs(" : ", f);
		nx_put_hex(f, p, dlen);
	}
	return 0;
}

static void d_lookup(struct dec *d, const struct nftnl_expr *e)
{
	const char *name = nx_str(e, NFTNL_EXPR_LOOKUP_SET);
	struct elems_arg a = { .d = d, .first = true };
	const struct nftnl_set *set;
	uint64_t sreg = 0, dreg = 0, flags = 0, id = 0;
	uint32_t keylen = 0, total = 0;
	bool has_id, has_dreg;
	int r, i;
	FILE *f;

	nx_uint(e, NFTNL_EXPR_LOOKUP_SREG, &sreg);
	has_dreg = nx_uint(e, NFTNL_EXPR_LOOKUP_DREG, &dreg);
	nx_uint(e, NFTNL_EXPR_LOOKUP_FLAGS, &flags);
	has_id = nx_uint(e, NFTNL_EXPR_LOOKUP_SET_ID, &id);
	set = canon_env_set(d->env, name, has_id, (uint32_t)id);
	if (set && nftnl_set_is_set(set, NFTNL_SET_KEY_LEN))
		keylen = nftnl_set_get_u32(set, NFTNL_SET_KEY_LEN);
	/*
	 * A concatenation's parts sit in consecutive registers, each padded
	 * to 32 bits: walk them until the key length is covered.
	 */
	r = nx_reg(sreg);
	while (r >= 0 && r < NREGS && a.ncomps < 8 && d->regs[r].valid) {
		uint32_t clen = d->regs[r].len ? d->regs[r].len : 4;
		uint32_t padded = (clen + 3) / 4 * 4;

		a.comps[a.ncomps] = &d->regs[r];
		a.off[a.ncomps] = total;
		a.clen[a.ncomps++] = clen;
		total += padded;
		if (!keylen || total >= keylen)
			break;
		r += (int)(padded / 4);
	}
	f = tok(d);
	if (!a.ncomps) {
		fprintf(f, "[lookup %s]", name ? name : "?");
		return;
	}
	for (i = 0; i < a.ncomps; i++)
		fprintf(f, "%s%s", i ? " . " : "", a.comps[i]->text);
	if (flags & NFT_LOOKUP_F_INV)
		fputs(" !=", f);
	if (has_dreg)
		fputs(nx_reg(dreg) == -1 ? " vmap" : " map", f);
	if (!set || !canon_set_is_anonymous(set)) {
		fprintf(f, " @%s", name ? name : "?");
		return;
	}
	if (a.ncomps == 1)
		a.clen[0] = keylen ? keylen : a.clen[0];
	a.f = f;
	fputs(" { ", f);
	canon_set_elems(set, elems_text_cb, &a);
	fputs(" }", f);
}

static void d_immediate(struct dec *d, const struct nftnl_expr *e)
{
	uint64_t dreg = 0, v;
	const uint8_t *data;
	uint32_t len = 0;
	struct sym *s;

	nx_uint(e, NFTNL_EXPR_IMM_DREG, &dreg);
	if (nx_reg(dreg) == -1 && nx_uint(e, NFTNL_EXPR_IMM_VERDICT, &v)) {
		put_verdict(tok(d), (int32_t)v, nx_str(e, NFTNL_EXPR_IMM_CHAIN));
		return;
	}
	s = reg_at(d, e, NFTNL_EXPR_IMM_DREG);
	data = nftnl_expr_get(e, NFTNL_EXPR_IMM_DATA, &len);
	if (!s || !data)
		return;
	sym_set(s, VF_HEX, len, 0, "constant");
	s->is_const = true;
	memcpy(s->data, data, len < sizeof(s->data) ? len : sizeof(s->data));
}

static void d_redir(struct dec *d, const struct nftnl_expr *e, bool redir)
{
	uint16_t min_attr = redir ? NFTNL_EXPR_REDIR_REG_PROTO_MIN :
				    NFTNL_EXPR_MASQ_REG_PROTO_MIN;
	uint16_t max_attr = redir ? NFTNL_EXPR_REDIR_REG_PROTO_MAX :
				    NFTNL_EXPR_MASQ_REG_PROTO_MAX;
	struct sym *min = reg_at(d, e, min_attr);
	struct sym *max = reg_at(d, e, max_attr);
	FILE *f = tok(d);

	fputs(redir ? "redirect" : "masquerade", f);
	if (!min || !min->is_const)
		return;
	fprintf(f, " to :%" PRIu64, be_uint(min->data, 2));
	if (max && max != min && max->is_const &&
	    be_uint(max->data, 2) != be_uint(min->data, 2))
		fprintf(f, "-%" PRIu64, be_uint(max->data, 2));
}

static void d_limit(struct dec *d, const struct nftnl_expr *e)
{
	uint64_t rate = 0, unit = 1, burst = 0, type = 0, flags = 0;
	const char *u;
	FILE *f;

	nx_uint(e, NFTNL_EXPR_LIMIT_RATE, &rate);
	nx_uint(e, NFTNL_EXPR_LIMIT_UNIT, &unit);
	nx_uint(e, NFTNL_EXPR_LIMIT_BURST, &burst);
	nx_uint(e, NFTNL_EXPR_LIMIT_TYPE, &type);
	nx_uint(e, NFTNL_EXPR_LIMIT_FLAGS, &flags);
	u = unit == 1 ? "second" : unit == 60 ? "minute" :
			   unit == 3600	      ? "hour" :
			   unit == 86400      ? "day" :
			   unit == 604800     ? "week" :
						NULL;
	f = tok(d);
	fprintf(f, "limit rate %s%" PRIu64 "%s/", flags & NFT_LIMIT_F_INV ? "over " : "",
		rate, type == NFT_LIMIT_PKT_BYTES ? " bytes" : "");
	if (u)
		fputs(u, f);
	else
		fprintf(f, "%" PRIu64 "s", unit);
	/* nft leaves out its default burst of 5 packets. */
	if (burst && (burst != 5 || type == NFT_LIMIT_PKT_BYTES))
		fprintf(f, " burst %" PRIu64 " %s", burst,
			type == NFT_LIMIT_PKT_BYTES ? "bytes" : "packets");
}

static void d_log(struct dec *d, const struct nftnl_expr *e)
{
	static const char *const levels[] = {
		"emerg",
		"alert",
		"crit",
		"err",
		"warn",
		"notice",
		"info",
		"debug",
		"audit",
	};
	const char *prefix = nx_str(e, NFTNL_EXPR_LOG_PREFIX);
	uint64_t v;
	FILE *f = tok(d);

	fputs("log", f);
	if (prefix) {
		fputs(" prefix ", f);
		render_quoted(prefix, f);
	}
	if (nx_uint(e, NFTNL_EXPR_LOG_GROUP, &v))
		fprintf(f, " group %" PRIu64, v);
	else if (nx_uint(e, NFTNL_EXPR_LOG_LEVEL, &v) && v != 4)
		fprintf(f, " level %s", v < ARRAY_SIZE(levels) ? levels[v] : "?");
}

/* `ct helper set "NAME"`; other object kinds by their number. */
static void d_objref(struct dec *d, const struct nftnl_expr *e)
{
	const char *name = nx_str(e, NFTNL_EXPR_OBJREF_IMM_NAME);
	uint64_t type = 0;
	FILE *f = tok(d);

	nx_uint(e, NFTNL_EXPR_OBJREF_IMM_TYPE, &type);
	if (type == NFT_OBJECT_CT_HELPER)
		fputs("ct helper set ", f);
	else
		fprintf(f, "object type %" PRIu64 " ", type);
	render_quoted(name ? name : "", f);
}

static void d_generic(struct dec *d, const struct nftnl_expr *e,
		      const char *name)
{
	char buf[256];

	if (nftnl_expr_snprintf(buf, sizeof(buf), e, NFTNL_OUTPUT_DEFAULT, 0) < 0)
		buf[0] = '\0';
	fprintf(tok(d), "[%s %s]", name, buf);
}

static int d_expr(const struct nftnl_expr *e, enum nx_kind kind,
		  const char *name, void *arg)
{
	struct dec *d = arg;
	struct sym *s, *t;
	uint64_t type = 0;

	if (!name)
		return 0;
	switch (kind) {
	case NX_META:
		d_keyed(d, e, true);
		break;
	case NX_PAYLOAD:
		d_payload(d, e);
		break;
	case NX_CMP:
		d_cmp(d, e);
		break;
	case NX_BITWISE:
		d_bitwise(d, e);
		break;
	case NX_BYTEORDER:
		s = reg_at(d, e, NFTNL_EXPR_BYTEORDER_SREG);
		t = reg_at(d, e, NFTNL_EXPR_BYTEORDER_DREG);
		/* A concatenation's byte order fix-up: the value stays the same. */
		if (s && t && s != t)
			*t = *s;
		break;
	case NX_LOOKUP:
		d_lookup(d, e);
		break;
	case NX_IMMEDIATE:
		d_immediate(d, e);
		break;
	case NX_CT:
		d_keyed(d, e, false);
		break;
	case NX_LIMIT:
		d_limit(d, e);
		break;
	case NX_LOG:
		d_log(d, e);
		break;
	case NX_COUNTER:
		fputs("counter", tok(d));
		break;
	case NX_REDIR:
	case NX_MASQ:
		d_redir(d, e, kind == NX_REDIR);
		break;
	case NX_NOTRACK:
		fputs("notrack", tok(d));
		break;
	case NX_OBJREF:
		d_objref(d, e);
		break;
	case NX_REJECT:
		nx_uint(e, NFTNL_EXPR_REJECT_TYPE, &type);
		fputs(type == NFT_REJECT_TCP_RST ? "reject with tcp reset" : "reject",
		      tok(d));
		break;
	case NX_RANGE:
	case NX_DYNSET:
	case NX_NAT:
	case NX_OTHER:
		d_generic(d, e, name);
		break;
	}
	return 0;
}

int canon_rule_text(const struct canon_env *env, const struct nftnl_rule *r,
		    FILE *out)
{
	char cbuf[CANON_COMMENT_MAX];
	const char *comment = canon_rule_comment(r, cbuf, sizeof(cbuf));
	struct dec *d;

	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->env = env;
	d->out = out;
	d->l4 = -1;
	/* Text never fails on odd input: what could not be walked is left out. */
	nx_walk(r, d_expr, d);
	flush_pending(d);
	if (comment) {
		if (d->sep)
			fputc(' ', out);
		fputs("comment ", out);
		render_quoted(comment, out);
	}
	free(d);
	return ferror(out) ? -EIO : 0;
}
