/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Rules and sets as diff compares them: a canonical key, equal for two
 * rules that match alike whether nft, fwgen or a kernel dump built them,
 * and the walk over a set's elements that the key and the text share.
 * The text for people is in nft-text.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>

#include <libnftnl/expr.h>
#include <libnftnl/udata.h>

#include "nft-canon.h"
#include "nft-expr.h"
#include "util.h"

/* Environment: the sets of one side */

static const char *set_name(const struct nftnl_set *s)
{
	const char *n = NULL;

	if (nftnl_set_is_set(s, NFTNL_SET_NAME))
		n = nftnl_set_get_str(s, NFTNL_SET_NAME);
	return n ? n : "";
}

static int set_ptr_cmp(const void *a, const void *b)
{
	return strcmp(set_name(*(struct nftnl_set *const *)a),
		      set_name(*(struct nftnl_set *const *)b));
}

int canon_env_init(struct canon_env *env, const struct nft_objs *objs)
{
	size_t i;

	memset(env, 0, sizeof(*env));
	env->objs = objs;
	if (!objs || !objs->nsets)
		return 0;
	env->byname = calloc(objs->nsets, sizeof(*env->byname));
	if (!env->byname)
		return -ENOMEM;
	for (i = 0; i < objs->nsets; i++)
		env->byname[env->n++] = objs->sets[i];
	qsort(env->byname, env->n, sizeof(*env->byname), set_ptr_cmp);
	return 0;
}

void canon_env_release(struct canon_env *env)
{
	free(env->byname);
	memset(env, 0, sizeof(*env));
}

const struct nftnl_set *canon_env_set(const struct canon_env *env,
				      const char *name, bool has_id,
				      uint32_t id)
{
	size_t lo = 0, hi = env->n, i;

	/*
	 * A batch not sent yet names its anonymous sets "__set%d", one
	 * template for all, and binds each lookup by set id: the id decides.
	 * The kernel's dump has no ids, only the names it chose.
	 */
	for (i = 0; has_id && i < env->n; i++) {
		const struct nftnl_set *s = env->byname[i];

		if (nftnl_set_is_set(s, NFTNL_SET_ID) &&
		    nftnl_set_get_u32(s, NFTNL_SET_ID) == id)
			return s;
	}
	while (name && lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, set_name(env->byname[mid]));

		if (c == 0)
			return env->byname[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

bool canon_set_is_anonymous(const struct nftnl_set *s)
{
	if (nftnl_set_is_set(s, NFTNL_SET_FLAGS) &&
	    (nftnl_set_get_u32(s, NFTNL_SET_FLAGS) & NFT_SET_ANONYMOUS))
		return true;
	/* Only the kernel may start a set name with "__": nft refuses it. */
	return strncmp(set_name(s), "__", 2) == 0;
}

/* Comments */

static int comment_cb(const struct nftnl_udata *attr, void *data)
{
	const struct nftnl_udata **found = data;

	if (nftnl_udata_type(attr) == NFTNL_UDATA_RULE_COMMENT)
		*found = attr;
	return 0;
}

const char *canon_rule_comment(const struct nftnl_rule *r, char *buf,
			       size_t len)
{
	const void *ud;
	uint32_t udlen;

	if (!len || !nftnl_rule_is_set(r, NFTNL_RULE_USERDATA))
		return NULL;
	ud = nftnl_rule_get_data(r, NFTNL_RULE_USERDATA, &udlen);
	return canon_udata_comment(ud, udlen, buf, len);
}

/* Tables, chains and rules keep their comment as userdata type 0 alike. */
const char *canon_udata_comment(const void *ud, uint32_t udlen, char *buf,
				size_t len)
{
	const struct nftnl_udata *c = NULL;
	size_t n;

	if (!len || !ud || nftnl_udata_parse(ud, udlen, comment_cb, &c) < 0 || !c)
		return NULL;
	n = nftnl_udata_len(c);
	/* nft stores the terminating NUL; a writer that did not still ends here. */
	if (n >= len)
		n = len - 1;
	memcpy(buf, nftnl_udata_get(c), n);
	buf[n] = '\0';
	return buf;
}

/* Set elements */

struct relem {
	const uint8_t *key;
	const uint8_t *key_end; /* explicit inclusive end, or NULL */
	uint32_t len;
	bool end; /* NFT_SET_ELEM_INTERVAL_END */
	struct nftnl_set_elem *e;
};

static int relem_cmp(const void *a, const void *b)
{
	const struct relem *x = a, *y = b;
	uint32_t n = x->len < y->len ? x->len : y->len;
	int c = n ? memcmp(x->key, y->key, n) : 0;

	if (c)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	/* At one key an end closes the range before it, a start opens the next. */
	return (int)y->end - (int)x->end;
}

/*
 * Puts elements in key order. The kernel dumps an rbtree set backwards and
 * a batch usually holds it forwards: for the 100,000 elements of a large
 * peer set, noticing that beats sorting.
 */
static void relems_sort(struct relem *v, size_t n)
{
	bool up = true, down = true;
	size_t i;

	for (i = 1; i < n && (up || down); i++) {
		int c = relem_cmp(&v[i - 1], &v[i]);

		up = up && c <= 0;
		down = down && c > 0;
	}
	if (up)
		return;
	if (down) {
		for (i = 0; i < n / 2; i++) {
			struct relem t = v[i];

			v[i] = v[n - 1 - i];
			v[n - 1 - i] = t;
		}
		return;
	}
	qsort(v, n, sizeof(*v), relem_cmp);
}

/* Big-endian decrement; false when the value was zero. */
static bool be_decrement(uint8_t *v, uint32_t len)
{
	uint32_t i;

	for (i = len; i-- > 0;) {
		if (v[i]--)
			return true;
	}
	return false;
}

struct collect {
	struct relem *v;
	size_t n, cap;
	bool ranges; /* some element carries an explicit key end */
};

static int collect_cb(struct nftnl_set_elem *e, void *data)
{
	struct collect *c = data;
	uint32_t flags = 0, len = 0, elen = 0;
	struct relem *r;

	if (array_push(&c->v, &c->n, &c->cap, sizeof(*c->v)) < 0)
		return -ENOMEM;
	r = &c->v[c->n - 1];
	r->e = e;
	if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_FLAGS))
		flags = nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_FLAGS);
	r->end = flags & NFT_SET_ELEM_INTERVAL_END;
	/* A catch-all element has no key: it sorts first with length 0. */
	if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_KEY))
		r->key = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &len);
	if (!r->key || len > CANON_KEY_MAX)
		len = 0;
	r->len = len;
	if (len && nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_KEY_END)) {
		r->key_end = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY_END, &elen);
		if (elen != len)
			r->key_end = NULL;
		c->ranges = true;
	}
	return 0;
}

int canon_set_elems(const struct nftnl_set *s, canon_elem_cb cb, void *arg)
{
	struct collect c = { 0 };
	struct relem *open = NULL;
	uint8_t hi[CANON_KEY_MAX];
	bool interval;
	size_t i;
	int ret;

	interval = nftnl_set_is_set(s, NFTNL_SET_FLAGS) &&
		   (nftnl_set_get_u32(s, NFTNL_SET_FLAGS) & NFT_SET_INTERVAL);
	/* libnftnl walks without changing the set; its prototype is not const. */
	ret = nftnl_set_elem_foreach((struct nftnl_set *)s, collect_cb, &c);
	if (ret < 0)
		goto out;
	ret = 0;
	relems_sort(c.v, c.n);
	for (i = 0; i < c.n && !ret; i++) {
		struct relem *r = &c.v[i];

		if (!interval || c.ranges || !r->len) {
			/* Single keys, or ranges that carry their own end. */
			if (!r->end)
				ret = cb(r->key, r->key_end ? r->key_end : r->key,
					 r->len, r->e, arg);
			continue;
		}
		/*
		 * An interval set (rbtree) holds a start element per range and
		 * an end-flagged element one past its last key. A key belongs
		 * to the set when the greatest element at or below it is a
		 * start, so any element closes the range open before it.
		 */
		if (open) {
			memcpy(hi, r->key, r->len);
			if (open->len == r->len && be_decrement(hi, r->len))
				ret = cb(open->key, hi, open->len, open->e, arg);
			open = NULL;
		}
		if (!r->end && !ret)
			open = r;
	}
	/* A range without an end element runs to the largest key. */
	if (open && !ret) {
		memset(hi, 0xff, open->len);
		ret = cb(open->key, hi, open->len, open->e, arg);
	}
out:
	free(c.v);
	return ret;
}

/* Canonical keys */

static void k_uint(FILE *f, const struct nftnl_expr *e, uint16_t t,
		   const char *k)
{
	uint64_t v;

	if (nx_uint(e, t, &v))
		fprintf(f, " %s=%" PRIu64, k, v);
}

/* The same, with the value the kernel reports when the sender left it out. */
static void k_uint_def(FILE *f, const struct nftnl_expr *e, uint16_t t,
		       const char *k, uint64_t def)
{
	uint64_t v;

	if (!nx_uint(e, t, &v))
		v = def;
	fprintf(f, " %s=%" PRIu64, k, v);
}

static bool k_reg(FILE *f, const struct nftnl_expr *e, uint16_t t,
		  const char *k)
{
	uint64_t v;

	if (!nx_uint(e, t, &v))
		return false;
	fprintf(f, " %s=r%d", k, nx_reg(v));
	return true;
}

static void k_data(FILE *f, const struct nftnl_expr *e, uint16_t t,
		   const char *k)
{
	const void *p;
	uint32_t len = 0;

	if (!nftnl_expr_is_set(e, t))
		return;
	p = nftnl_expr_get(e, t, &len);
	fprintf(f, " %s=", k);
	if (p)
		nx_put_hex(f, p, len);
}

static void k_str(FILE *f, const struct nftnl_expr *e, uint16_t t,
		  const char *k)
{
	const char *s = nx_str(e, t);

	if (s)
		fprintf(f, " %s=%zu:%s", k, strlen(s), s);
}

struct contents_arg {
	FILE *f;
	bool first;
};

static int contents_cb(const uint8_t *lo, const uint8_t *hi, uint32_t len,
		       struct nftnl_set_elem *e, void *arg)
{
	struct contents_arg *a = arg;
	FILE *f = a->f;

	fputs(a->first ? "" : ",", f);
	a->first = false;
	if (!len) {
		fputc('*', f);
	} else {
		nx_put_hex(f, lo, len);
		if (memcmp(lo, hi, len)) {
			fputc('-', f);
			nx_put_hex(f, hi, len);
		}
	}
	if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_VERDICT)) {
		const char *chain = NULL;

		if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_CHAIN))
			chain = nftnl_set_elem_get_str(e, NFTNL_SET_ELEM_CHAIN);
		fprintf(f, ":v%d",
			(int32_t)nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_VERDICT));
		if (chain)
			fprintf(f, "/%s", chain);
	} else if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_DATA)) {
		uint32_t dlen = 0;
		const void *d = nftnl_set_elem_get(e, NFTNL_SET_ELEM_DATA, &dlen);

		fputc(':', f);
		nx_put_hex(f, d, dlen);
	}
	return 0;
}

/*
 * A lookup names its set. A named set is the same set by name on both
 * sides (its elements are compared on their own); an anonymous one is
 * renamed by the kernel, so only what it holds can be compared.
 */
static int k_setref(FILE *f, const struct canon_env *env,
		    const struct nftnl_expr *e, uint16_t tname, uint16_t tid)
{
	const char *name = nx_str(e, tname);
	const struct nftnl_set *s;
	struct contents_arg a = { f, true };
	uint64_t id = 0;
	bool has_id = nx_uint(e, tid, &id);
	uint32_t key_len = 0;
	bool is_map = false;
	int ret;

	s = canon_env_set(env, name, has_id, (uint32_t)id);
	if (!s || !canon_set_is_anonymous(s)) {
		fprintf(f, " set=@%s", name ? name : "?");
		return 0;
	}
	if (nftnl_set_is_set(s, NFTNL_SET_KEY_LEN))
		key_len = nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN);
	if (nftnl_set_is_set(s, NFTNL_SET_FLAGS))
		is_map = nftnl_set_get_u32(s, NFTNL_SET_FLAGS) & NFT_SET_MAP;
	fprintf(f, " set={k%u%s ", key_len, is_map ? " map" : "");
	ret = canon_set_elems(s, contents_cb, &a);
	fputc('}', f);
	return ret;
}

/* NAT-like expressions: the kernel fills in the maximum and the flags. */
static void k_nat_regs(FILE *f, const struct nftnl_expr *e, uint16_t tmin,
		       uint16_t tmax, const char *kmin, const char *kmax,
		       uint32_t flag, uint32_t *flags)
{
	uint64_t min, max;

	if (!nx_uint(e, tmin, &min))
		return;
	if (!nx_uint(e, tmax, &max))
		max = min;
	fprintf(f, " %s=r%d %s=r%d", kmin, nx_reg(min), kmax, nx_reg(max));
	*flags |= flag;
}

/*
 * The attributes of each kind that make its key, in the order written. A
 * default is what the kernel reports when the sender left the attribute
 * out, so a sent rule and its dump agree.
 */
enum kf_how {
	KF_UINT,
	KF_DEF,
	KF_REG,
	KF_DATA,
	KF_STR,
	KF_VERDICT
};

struct kfield {
	enum kf_how how;
	uint16_t attr;
	const char *k;
	uint64_t def;
};

static const struct kfield payload_fields[] = {
	{ KF_REG, NFTNL_EXPR_PAYLOAD_DREG, "d", 0 },
	{ KF_UINT, NFTNL_EXPR_PAYLOAD_BASE, "b", 0 },
	{ KF_UINT, NFTNL_EXPR_PAYLOAD_OFFSET, "o", 0 },
	{ KF_UINT, NFTNL_EXPR_PAYLOAD_LEN, "l", 0 },
};

/* Only a payload write (one with a source register) has these. */
static const struct kfield payload_set_fields[] = {
	{ KF_DEF, NFTNL_EXPR_PAYLOAD_CSUM_TYPE, "ct", 0 },
	{ KF_DEF, NFTNL_EXPR_PAYLOAD_CSUM_OFFSET, "co", 0 },
	{ KF_DEF, NFTNL_EXPR_PAYLOAD_FLAGS, "f", 0 },
};

static const struct kfield meta_fields[] = {
	{ KF_UINT, NFTNL_EXPR_META_KEY, "k", 0 },
	{ KF_REG, NFTNL_EXPR_META_DREG, "d", 0 },
	{ KF_REG, NFTNL_EXPR_META_SREG, "s", 0 },
};

static const struct kfield cmp_fields[] = {
	{ KF_REG, NFTNL_EXPR_CMP_SREG, "s", 0 },
	{ KF_UINT, NFTNL_EXPR_CMP_OP, "op", 0 },
	{ KF_DATA, NFTNL_EXPR_CMP_DATA, "v", 0 },
};

static const struct kfield range_fields[] = {
	{ KF_REG, NFTNL_EXPR_RANGE_SREG, "s", 0 },
	{ KF_UINT, NFTNL_EXPR_RANGE_OP, "op", 0 },
	{ KF_DATA, NFTNL_EXPR_RANGE_FROM_DATA, "from", 0 },
	{ KF_DATA, NFTNL_EXPR_RANGE_TO_DATA, "to", 0 },
};

static const struct kfield bitwise_fields[] = {
	{ KF_REG, NFTNL_EXPR_BITWISE_SREG, "s", 0 },
	{ KF_REG, NFTNL_EXPR_BITWISE_DREG, "d", 0 },
	{ KF_UINT, NFTNL_EXPR_BITWISE_LEN, "l", 0 },
	{ KF_DEF, NFTNL_EXPR_BITWISE_OP, "op", NFT_BITWISE_BOOL },
	{ KF_DATA, NFTNL_EXPR_BITWISE_MASK, "m", 0 },
	{ KF_DATA, NFTNL_EXPR_BITWISE_XOR, "x", 0 },
	{ KF_DATA, NFTNL_EXPR_BITWISE_DATA, "v", 0 },
};

static const struct kfield byteorder_fields[] = {
	{ KF_REG, NFTNL_EXPR_BYTEORDER_SREG, "s", 0 },
	{ KF_REG, NFTNL_EXPR_BYTEORDER_DREG, "d", 0 },
	{ KF_UINT, NFTNL_EXPR_BYTEORDER_OP, "op", 0 },
	{ KF_UINT, NFTNL_EXPR_BYTEORDER_LEN, "l", 0 },
	{ KF_UINT, NFTNL_EXPR_BYTEORDER_SIZE, "z", 0 },
};

static const struct kfield ct_fields[] = {
	{ KF_UINT, NFTNL_EXPR_CT_KEY, "k", 0 },
	{ KF_REG, NFTNL_EXPR_CT_DREG, "d", 0 },
	{ KF_REG, NFTNL_EXPR_CT_SREG, "s", 0 },
	{ KF_UINT, NFTNL_EXPR_CT_DIR, "dir", 0 },
};

static const struct kfield lookup_fields[] = {
	{ KF_REG, NFTNL_EXPR_LOOKUP_SREG, "s", 0 },
	{ KF_REG, NFTNL_EXPR_LOOKUP_DREG, "d", 0 },
	{ KF_DEF, NFTNL_EXPR_LOOKUP_FLAGS, "f", 0 },
};

static const struct kfield immediate_fields[] = {
	{ KF_REG, NFTNL_EXPR_IMM_DREG, "d", 0 },
	{ KF_VERDICT, NFTNL_EXPR_IMM_VERDICT, "v", 0 },
	{ KF_STR, NFTNL_EXPR_IMM_CHAIN, "chain", 0 },
	{ KF_DATA, NFTNL_EXPR_IMM_DATA, "data", 0 },
};

/*
 * The kernel reports a timeout of 0 and the set's own expressions, copied
 * into the rule, where nft sent neither: the set's declaration holds
 * those, and diff compares it.
 */
static const struct kfield dynset_fields[] = {
	{ KF_REG, NFTNL_EXPR_DYNSET_SREG_KEY, "k", 0 },
	{ KF_REG, NFTNL_EXPR_DYNSET_SREG_DATA, "d", 0 },
	{ KF_UINT, NFTNL_EXPR_DYNSET_OP, "op", 0 },
	{ KF_DEF, NFTNL_EXPR_DYNSET_TIMEOUT, "t", 0 },
};

static const struct kfield limit_fields[] = {
	{ KF_UINT, NFTNL_EXPR_LIMIT_RATE, "rate", 0 },
	{ KF_UINT, NFTNL_EXPR_LIMIT_UNIT, "unit", 0 },
	{ KF_DEF, NFTNL_EXPR_LIMIT_BURST, "burst", 0 },
	{ KF_DEF, NFTNL_EXPR_LIMIT_TYPE, "type", 0 },
	{ KF_DEF, NFTNL_EXPR_LIMIT_FLAGS, "f", 0 },
};

static const struct kfield log_fields[] = {
	{ KF_STR, NFTNL_EXPR_LOG_PREFIX, "prefix", 0 },
	{ KF_UINT, NFTNL_EXPR_LOG_GROUP, "group", 0 },
	{ KF_UINT, NFTNL_EXPR_LOG_SNAPLEN, "snaplen", 0 },
	{ KF_UINT, NFTNL_EXPR_LOG_QTHRESHOLD, "qthr", 0 },
};

/* Syslog logging (no group) reports level warning (4) when none was asked. */
static const struct kfield log_syslog_fields[] = {
	{ KF_DEF, NFTNL_EXPR_LOG_LEVEL, "level", 4 },
	{ KF_DEF, NFTNL_EXPR_LOG_FLAGS, "f", 0 },
};

static const struct kfield nat_fields[] = {
	{ KF_UINT, NFTNL_EXPR_NAT_TYPE, "type", 0 },
	{ KF_UINT, NFTNL_EXPR_NAT_FAMILY, "fam", 0 },
};

static const struct kfield objref_fields[] = {
	{ KF_UINT, NFTNL_EXPR_OBJREF_IMM_TYPE, "type", 0 },
	{ KF_STR, NFTNL_EXPR_OBJREF_IMM_NAME, "name", 0 },
};

static const struct kfield reject_fields[] = {
	{ KF_UINT, NFTNL_EXPR_REJECT_TYPE, "type", 0 },
	{ KF_UINT, NFTNL_EXPR_REJECT_CODE, "code", 0 },
};

struct kfields {
	const struct kfield *v;
	size_t n;
};

#define KFIELDS(a)               \
	{                        \
		a, ARRAY_SIZE(a) \
	}

/* A counter's key is its name alone: what it counted is not the rule. */
static const struct kfields kind_fields[] = {
	[NX_PAYLOAD] = KFIELDS(payload_fields),
	[NX_META] = KFIELDS(meta_fields),
	[NX_CMP] = KFIELDS(cmp_fields),
	[NX_RANGE] = KFIELDS(range_fields),
	[NX_BITWISE] = KFIELDS(bitwise_fields),
	[NX_BYTEORDER] = KFIELDS(byteorder_fields),
	[NX_CT] = KFIELDS(ct_fields),
	[NX_LOOKUP] = KFIELDS(lookup_fields),
	[NX_IMMEDIATE] = KFIELDS(immediate_fields),
	[NX_DYNSET] = KFIELDS(dynset_fields),
	[NX_LIMIT] = KFIELDS(limit_fields),
	[NX_LOG] = KFIELDS(log_fields),
	[NX_NAT] = KFIELDS(nat_fields),
	[NX_OBJREF] = KFIELDS(objref_fields),
	[NX_REJECT] = KFIELDS(reject_fields),
};

static void k_fields(FILE *f, const struct nftnl_expr *e,
		     const struct kfield *fl, size_t n)
{
	uint64_t v;
	size_t i;

	for (i = 0; i < n; i++) {
		switch (fl[i].how) {
		case KF_UINT:
			k_uint(f, e, fl[i].attr, fl[i].k);
			break;
		case KF_DEF:
			k_uint_def(f, e, fl[i].attr, fl[i].k, fl[i].def);
			break;
		case KF_REG:
			k_reg(f, e, fl[i].attr, fl[i].k);
			break;
		case KF_DATA:
			k_data(f, e, fl[i].attr, fl[i].k);
			break;
		case KF_STR:
			k_str(f, e, fl[i].attr, fl[i].k);
			break;
		case KF_VERDICT:
			if (nx_uint(e, fl[i].attr, &v))
				fprintf(f, " %s=%d", fl[i].k, (int32_t)v);
			break;
		}
	}
}

static void k_redir(FILE *f, const struct nftnl_expr *e, bool redir)
{
	uint32_t flags = 0;
	uint64_t v;

	k_nat_regs(f, e, redir ? NFTNL_EXPR_REDIR_REG_PROTO_MIN : NFTNL_EXPR_MASQ_REG_PROTO_MIN,
		   redir ? NFTNL_EXPR_REDIR_REG_PROTO_MAX :
			   NFTNL_EXPR_MASQ_REG_PROTO_MAX,
		   "pmin", "pmax", NF_NAT_RANGE_PROTO_SPECIFIED, &flags);
	if (nx_uint(e, redir ? NFTNL_EXPR_REDIR_FLAGS : NFTNL_EXPR_MASQ_FLAGS,
		    &v))
		flags |= (uint32_t)v;
	fprintf(f, " f=%u", flags);
}

static void k_nat(FILE *f, const struct nftnl_expr *e)
{
	uint32_t flags = 0;
	uint64_t v;

	k_nat_regs(f, e, NFTNL_EXPR_NAT_REG_ADDR_MIN, NFTNL_EXPR_NAT_REG_ADDR_MAX,
		   "amin", "amax", NF_NAT_RANGE_MAP_IPS, &flags);
	k_nat_regs(f, e, NFTNL_EXPR_NAT_REG_PROTO_MIN,
		   NFTNL_EXPR_NAT_REG_PROTO_MAX, "pmin", "pmax",
		   NF_NAT_RANGE_PROTO_SPECIFIED, &flags);
	if (nx_uint(e, NFTNL_EXPR_NAT_FLAGS, &v))
		flags |= (uint32_t)v;
	fprintf(f, " f=%u", flags);
}

/* Unknown to fwgen: every attribute, raw. Still exact. */
static void k_raw(FILE *f, const struct nftnl_expr *e)
{
	uint16_t t;

	for (t = NFTNL_EXPR_BASE; t < NFTNL_EXPR_BASE + 31; t++) {
		char k[8];

		snprintf(k, sizeof(k), "a%u", (unsigned int)t);
		k_data(f, e, t, k);
	}
}

/* What a walk over one rule writes its key to. */
struct key_walk {
	FILE *f;
	const struct canon_env *env;
};

static int k_expr(const struct nftnl_expr *e, enum nx_kind kind,
		  const char *name, void *arg)
{
	const struct key_walk *w = arg;
	const struct canon_env *env = w->env;
	FILE *f = w->f;
	int ret = 0;

	if (!name)
		return -EINVAL;
	fprintf(f, "[%s", name);
	if ((size_t)kind < ARRAY_SIZE(kind_fields))
		k_fields(f, e, kind_fields[kind].v, kind_fields[kind].n);
	switch (kind) {
	case NX_PAYLOAD:
		if (k_reg(f, e, NFTNL_EXPR_PAYLOAD_SREG, "s"))
			k_fields(f, e, payload_set_fields,
				 ARRAY_SIZE(payload_set_fields));
		break;
	case NX_LOOKUP:
		ret = k_setref(f, env, e, NFTNL_EXPR_LOOKUP_SET,
			       NFTNL_EXPR_LOOKUP_SET_ID);
		break;
	case NX_DYNSET:
		ret = k_setref(f, env, e, NFTNL_EXPR_DYNSET_SET_NAME,
			       NFTNL_EXPR_DYNSET_SET_ID);
		break;
	case NX_LOG:
		if (!nftnl_expr_is_set(e, NFTNL_EXPR_LOG_GROUP))
			k_fields(f, e, log_syslog_fields,
				 ARRAY_SIZE(log_syslog_fields));
		break;
	case NX_REDIR:
	case NX_MASQ:
		k_redir(f, e, kind == NX_REDIR);
		break;
	case NX_NAT:
		k_nat(f, e);
		break;
	case NX_NOTRACK:
	case NX_OTHER:
		k_raw(f, e);
		break;
	default:
		break;
	}
	if (ret < 0)
		return -ENOMEM;
	fputc(']', f);
	return 0;
}

int canon_rule_key(const struct canon_env *env, const struct nftnl_rule *r,
		   char **out)
{
	char cbuf[CANON_COMMENT_MAX];
	const char *comment = canon_rule_comment(r, cbuf, sizeof(cbuf));
	struct key_walk w = { .env = env };
	size_t size = 0;
	int ret;

	*out = NULL;
	w.f = open_memstream(out, &size);
	if (!w.f)
		return -ENOMEM;
	fprintf(w.f, "%s\n", comment ? comment : "");
	ret = nx_walk(r, k_expr, &w);
	if (fclose(w.f) != 0 && !ret)
		ret = -ENOMEM;
	if (ret < 0) {
		free(*out);
		*out = NULL;
	}
	return ret;
}
