/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Rules and sets as diff needs them: a canonical key, equal for two rules
 * that match alike whether nft, fwgen or a kernel dump built them, and
 * nft-like text for the lines diff prints.
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
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>

#include <libnftnl/expr.h>
#include <libnftnl/udata.h>

#include "addr.h"
#include "nft-canon.h"
#include "render.h"
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
	const uint8_t *key_end;	/* explicit inclusive end, or NULL */
	uint32_t len;
	bool end;		/* NFT_SET_ELEM_INTERVAL_END */
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
	bool ranges;		/* some element carries an explicit key end */
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

/* Registers */

/*
 * Registers in 32-bit units. The kernel dumps a register on a 16-byte
 * boundary as NFT_REG_1..4 and any other as NFT_REG32_xx, while a sender
 * may use either name for the same place: compare places, not names.
 * -1 is the verdict register, -2 anything unknown.
 */
static int reg_unify(uint64_t r)
{
	if (r == NFT_REG_VERDICT)
		return -1;
	if (r >= NFT_REG_1 && r <= NFT_REG_4)
		return (int)(r - NFT_REG_1) * 4;
	if (r >= NFT_REG32_00 && r <= NFT_REG32_15)
		return (int)(r - NFT_REG32_00);
	return -2;
}

/* An unsigned attribute of 1, 2, 4 or 8 bytes, as libnftnl keeps it. */
static bool attr_uint(const struct nftnl_expr *e, uint16_t t, uint64_t *v)
{
	const void *p;
	uint32_t len = 0;

	if (!nftnl_expr_is_set(e, t))
		return false;
	p = nftnl_expr_get(e, t, &len);
	if (!p)
		return false;
	switch (len) {
	case 1:
		*v = *(const uint8_t *)p;
		return true;
	case 2: {
		uint16_t x;

		memcpy(&x, p, 2);
		*v = x;
		return true;
	}
	case 4: {
		uint32_t x;

		memcpy(&x, p, 4);
		*v = x;
		return true;
	}
	case 8:
		memcpy(v, p, 8);
		return true;
	}
	return false;
}

static const char *attr_str(const struct nftnl_expr *e, uint16_t t)
{
	return nftnl_expr_is_set(e, t) ? nftnl_expr_get_str(e, t) : NULL;
}

static void put_hex(FILE *f, const uint8_t *p, uint32_t len)
{
	uint32_t i;

	fputs("0x", f);
	for (i = 0; i < len; i++)
		fprintf(f, "%02x", p[i]);
}

/* Canonical keys */

static void k_uint(FILE *f, const struct nftnl_expr *e, uint16_t t,
		   const char *k)
{
	uint64_t v;

	if (attr_uint(e, t, &v))
		fprintf(f, " %s=%" PRIu64, k, v);
}

/* The same, with the value the kernel reports when the sender left it out. */
static void k_uint_def(FILE *f, const struct nftnl_expr *e, uint16_t t,
		       const char *k, uint64_t def)
{
	uint64_t v;

	if (!attr_uint(e, t, &v))
		v = def;
	fprintf(f, " %s=%" PRIu64, k, v);
}

static bool k_reg(FILE *f, const struct nftnl_expr *e, uint16_t t,
		  const char *k)
{
	uint64_t v;

	if (!attr_uint(e, t, &v))
		return false;
	fprintf(f, " %s=r%d", k, reg_unify(v));
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
		put_hex(f, p, len);
}

static void k_str(FILE *f, const struct nftnl_expr *e, uint16_t t,
		  const char *k)
{
	const char *s = attr_str(e, t);

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
		put_hex(f, lo, len);
		if (memcmp(lo, hi, len)) {
			fputc('-', f);
			put_hex(f, hi, len);
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
		put_hex(f, d, dlen);
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
	const char *name = attr_str(e, tname);
	const struct nftnl_set *s;
	struct contents_arg a = { f, true };
	uint64_t id = 0;
	bool has_id = attr_uint(e, tid, &id);
	int ret;

	s = canon_env_set(env, name, has_id, (uint32_t)id);
	if (!s || !canon_set_is_anonymous(s)) {
		fprintf(f, " set=@%s", name ? name : "?");
		return 0;
	}
	fprintf(f, " set={k%u%s ", nftnl_set_is_set(s, NFTNL_SET_KEY_LEN) ?
		nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN) : 0,
		nftnl_set_is_set(s, NFTNL_SET_FLAGS) &&
		(nftnl_set_get_u32(s, NFTNL_SET_FLAGS) & NFT_SET_MAP) ? " map" : "");
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

	if (!attr_uint(e, tmin, &min))
		return;
	if (!attr_uint(e, tmax, &max))
		max = min;
	fprintf(f, " %s=r%d %s=r%d", kmin, reg_unify(min), kmax, reg_unify(max));
	*flags |= flag;
}

static int k_expr(FILE *f, const struct canon_env *env,
		  const struct nftnl_expr *e)
{
	const char *name = attr_str(e, NFTNL_EXPR_NAME);
	uint32_t flags = 0;
	uint64_t v;
	uint16_t t;

	if (!name)
		return -EINVAL;
	fprintf(f, "[%s", name);
	if (!strcmp(name, "payload")) {
		k_reg(f, e, NFTNL_EXPR_PAYLOAD_DREG, "d");
		k_uint(f, e, NFTNL_EXPR_PAYLOAD_BASE, "b");
		k_uint(f, e, NFTNL_EXPR_PAYLOAD_OFFSET, "o");
		k_uint(f, e, NFTNL_EXPR_PAYLOAD_LEN, "l");
		if (k_reg(f, e, NFTNL_EXPR_PAYLOAD_SREG, "s")) {
			k_uint_def(f, e, NFTNL_EXPR_PAYLOAD_CSUM_TYPE, "ct", 0);
			k_uint_def(f, e, NFTNL_EXPR_PAYLOAD_CSUM_OFFSET, "co", 0);
			k_uint_def(f, e, NFTNL_EXPR_PAYLOAD_FLAGS, "f", 0);
		}
	} else if (!strcmp(name, "meta")) {
		k_uint(f, e, NFTNL_EXPR_META_KEY, "k");
		k_reg(f, e, NFTNL_EXPR_META_DREG, "d");
		k_reg(f, e, NFTNL_EXPR_META_SREG, "s");
	} else if (!strcmp(name, "cmp")) {
		k_reg(f, e, NFTNL_EXPR_CMP_SREG, "s");
		k_uint(f, e, NFTNL_EXPR_CMP_OP, "op");
		k_data(f, e, NFTNL_EXPR_CMP_DATA, "v");
	} else if (!strcmp(name, "range")) {
		k_reg(f, e, NFTNL_EXPR_RANGE_SREG, "s");
		k_uint(f, e, NFTNL_EXPR_RANGE_OP, "op");
		k_data(f, e, NFTNL_EXPR_RANGE_FROM_DATA, "from");
		k_data(f, e, NFTNL_EXPR_RANGE_TO_DATA, "to");
	} else if (!strcmp(name, "bitwise")) {
		k_reg(f, e, NFTNL_EXPR_BITWISE_SREG, "s");
		k_reg(f, e, NFTNL_EXPR_BITWISE_DREG, "d");
		k_uint(f, e, NFTNL_EXPR_BITWISE_LEN, "l");
		k_uint_def(f, e, NFTNL_EXPR_BITWISE_OP, "op", NFT_BITWISE_BOOL);
		k_data(f, e, NFTNL_EXPR_BITWISE_MASK, "m");
		k_data(f, e, NFTNL_EXPR_BITWISE_XOR, "x");
		k_data(f, e, NFTNL_EXPR_BITWISE_DATA, "v");
	} else if (!strcmp(name, "byteorder")) {
		k_reg(f, e, NFTNL_EXPR_BYTEORDER_SREG, "s");
		k_reg(f, e, NFTNL_EXPR_BYTEORDER_DREG, "d");
		k_uint(f, e, NFTNL_EXPR_BYTEORDER_OP, "op");
		k_uint(f, e, NFTNL_EXPR_BYTEORDER_LEN, "l");
		k_uint(f, e, NFTNL_EXPR_BYTEORDER_SIZE, "z");
	} else if (!strcmp(name, "ct")) {
		k_uint(f, e, NFTNL_EXPR_CT_KEY, "k");
		k_reg(f, e, NFTNL_EXPR_CT_DREG, "d");
		k_reg(f, e, NFTNL_EXPR_CT_SREG, "s");
		k_uint(f, e, NFTNL_EXPR_CT_DIR, "dir");
	} else if (!strcmp(name, "lookup")) {
		k_reg(f, e, NFTNL_EXPR_LOOKUP_SREG, "s");
		k_reg(f, e, NFTNL_EXPR_LOOKUP_DREG, "d");
		k_uint_def(f, e, NFTNL_EXPR_LOOKUP_FLAGS, "f", 0);
		if (k_setref(f, env, e, NFTNL_EXPR_LOOKUP_SET,
			     NFTNL_EXPR_LOOKUP_SET_ID) < 0)
			return -ENOMEM;
	} else if (!strcmp(name, "immediate")) {
		k_reg(f, e, NFTNL_EXPR_IMM_DREG, "d");
		if (attr_uint(e, NFTNL_EXPR_IMM_VERDICT, &v))
			fprintf(f, " v=%d", (int32_t)v);
		k_str(f, e, NFTNL_EXPR_IMM_CHAIN, "chain");
		k_data(f, e, NFTNL_EXPR_IMM_DATA, "data");
	} else if (!strcmp(name, "counter")) {
		/* What a counter counted is not part of the rule. */
	} else if (!strcmp(name, "dynset")) {
		/*
		 * The kernel reports a timeout of 0 and the set's own
		 * expressions, copied into the rule, where nft sent neither:
		 * the set's declaration holds those, and diff compares it.
		 */
		k_reg(f, e, NFTNL_EXPR_DYNSET_SREG_KEY, "k");
		k_reg(f, e, NFTNL_EXPR_DYNSET_SREG_DATA, "d");
		k_uint(f, e, NFTNL_EXPR_DYNSET_OP, "op");
		k_uint_def(f, e, NFTNL_EXPR_DYNSET_TIMEOUT, "t", 0);
		if (k_setref(f, env, e, NFTNL_EXPR_DYNSET_SET_NAME,
			     NFTNL_EXPR_DYNSET_SET_ID) < 0)
			return -ENOMEM;
	} else if (!strcmp(name, "limit")) {
		k_uint(f, e, NFTNL_EXPR_LIMIT_RATE, "rate");
		k_uint(f, e, NFTNL_EXPR_LIMIT_UNIT, "unit");
		k_uint_def(f, e, NFTNL_EXPR_LIMIT_BURST, "burst", 0);
		k_uint_def(f, e, NFTNL_EXPR_LIMIT_TYPE, "type", 0);
		k_uint_def(f, e, NFTNL_EXPR_LIMIT_FLAGS, "f", 0);
	} else if (!strcmp(name, "log")) {
		k_str(f, e, NFTNL_EXPR_LOG_PREFIX, "prefix");
		k_uint(f, e, NFTNL_EXPR_LOG_GROUP, "group");
		k_uint(f, e, NFTNL_EXPR_LOG_SNAPLEN, "snaplen");
		k_uint(f, e, NFTNL_EXPR_LOG_QTHRESHOLD, "qthr");
		/* Syslog logging reports level warning (4) when none was asked. */
		if (!nftnl_expr_is_set(e, NFTNL_EXPR_LOG_GROUP)) {
			k_uint_def(f, e, NFTNL_EXPR_LOG_LEVEL, "level", 4);
			k_uint_def(f, e, NFTNL_EXPR_LOG_FLAGS, "f", 0);
		}
	} else if (!strcmp(name, "redir") || !strcmp(name, "masq")) {
		bool redir = name[0] == 'r';
		uint16_t tmin = redir ? NFTNL_EXPR_REDIR_REG_PROTO_MIN :
					NFTNL_EXPR_MASQ_REG_PROTO_MIN;
		uint16_t tmax = redir ? NFTNL_EXPR_REDIR_REG_PROTO_MAX :
					NFTNL_EXPR_MASQ_REG_PROTO_MAX;

		k_nat_regs(f, e, tmin, tmax, "pmin", "pmax",
			   NF_NAT_RANGE_PROTO_SPECIFIED, &flags);
		if (attr_uint(e, redir ? NFTNL_EXPR_REDIR_FLAGS :
				  NFTNL_EXPR_MASQ_FLAGS, &v))
			flags |= (uint32_t)v;
		fprintf(f, " f=%u", flags);
	} else if (!strcmp(name, "nat")) {
		k_uint(f, e, NFTNL_EXPR_NAT_TYPE, "type");
		k_uint(f, e, NFTNL_EXPR_NAT_FAMILY, "fam");
		k_nat_regs(f, e, NFTNL_EXPR_NAT_REG_ADDR_MIN, NFTNL_EXPR_NAT_REG_ADDR_MAX,
			   "amin", "amax", NF_NAT_RANGE_MAP_IPS, &flags);
		k_nat_regs(f, e, NFTNL_EXPR_NAT_REG_PROTO_MIN,
			   NFTNL_EXPR_NAT_REG_PROTO_MAX, "pmin", "pmax",
			   NF_NAT_RANGE_PROTO_SPECIFIED, &flags);
		if (attr_uint(e, NFTNL_EXPR_NAT_FLAGS, &v))
			flags |= (uint32_t)v;
		fprintf(f, " f=%u", flags);
	} else if (!strcmp(name, "objref")) {
		k_uint(f, e, NFTNL_EXPR_OBJREF_IMM_TYPE, "type");
		k_str(f, e, NFTNL_EXPR_OBJREF_IMM_NAME, "name");
	} else if (!strcmp(name, "reject")) {
		k_uint(f, e, NFTNL_EXPR_REJECT_TYPE, "type");
		k_uint(f, e, NFTNL_EXPR_REJECT_CODE, "code");
	} else {
		/* Unknown to fwgen: every attribute, raw. Still exact. */
		for (t = NFTNL_EXPR_BASE; t < NFTNL_EXPR_BASE + 31; t++) {
			char k[8];

			snprintf(k, sizeof(k), "a%u", (unsigned int)t);
			k_data(f, e, t, k);
		}
	}
	fputc(']', f);
	return 0;
}

int canon_rule_key(const struct canon_env *env, const struct nftnl_rule *r,
		   char **out)
{
	char cbuf[CANON_COMMENT_MAX];
	const char *comment = canon_rule_comment(r, cbuf, sizeof(cbuf));
	struct nftnl_expr_iter *it;
	struct nftnl_expr *e;
	size_t size = 0;
	FILE *f;
	int ret = 0;

	*out = NULL;
	f = open_memstream(out, &size);
	if (!f)
		return -ENOMEM;
	fprintf(f, "%s\n", comment ? comment : "");
	it = nftnl_expr_iter_create(r);
	if (!it) {
		ret = -ENOMEM;
		goto out;
	}
	while ((e = nftnl_expr_iter_next(it)) && !ret)
		ret = k_expr(f, env, e);
	nftnl_expr_iter_destroy(it);
out:
	if (fclose(f) != 0 && !ret)
		ret = -ENOMEM;
	if (ret < 0) {
		free(*out);
		*out = NULL;
	}
	return ret;
}

/* Text for people */

/* How to print a value loaded into a register. */
enum vfmt {
	VF_HEX = 0,
	VF_BE,		/* big-endian unsigned: ports */
	VF_HOST,	/* host-endian unsigned */
	VF_MARK,	/* host-endian, in hex */
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
	char text[SYM_TEXT];	/* "ip saddr", "meta l4proto" */
	enum vfmt fmt;
	uint32_t len;		/* bytes the loaded value fills */
	uint32_t full;		/* an address field of this size, loaded in part */
	int dep;		/* 1 meta nfproto, 2 meta l4proto: may be implied */
	bool masked;		/* passed through bitwise (reg & mask) ^ 0 */
	uint8_t mask[16];
	bool is_const;		/* an immediate value */
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
	int nfproto;		/* known from a match, else 0 */
	int l4;			/* known from a match, else -1 */
};

struct name_num {
	unsigned int num;
	const char *name;
};

static const struct name_num l4_names[] = {
	{ IPPROTO_ICMP, "icmp" }, { IPPROTO_TCP, "tcp" },
	{ IPPROTO_UDP, "udp" }, { IPPROTO_ICMPV6, "icmpv6" },
	{ IPPROTO_ESP, "esp" }, { IPPROTO_AH, "ah" },
	{ IPPROTO_SCTP, "sctp" }, { IPPROTO_GRE, "gre" },
	{ IPPROTO_DCCP, "dccp" }, { IPPROTO_UDPLITE, "udplite" },
};

static const struct name_num icmp_names[] = {
	{ 0, "echo-reply" }, { 3, "destination-unreachable" },
	{ 5, "redirect" }, { 8, "echo-request" }, { 9, "router-advertisement" },
	{ 10, "router-solicitation" }, { 11, "time-exceeded" },
	{ 12, "parameter-problem" }, { 13, "timestamp-request" },
	{ 14, "timestamp-reply" },
};

static const struct name_num icmpv6_names[] = {
	{ 1, "destination-unreachable" }, { 2, "packet-too-big" },
	{ 3, "time-exceeded" }, { 4, "parameter-problem" },
	{ 128, "echo-request" }, { 129, "echo-reply" },
	{ 130, "mld-listener-query" }, { 131, "mld-listener-report" },
	{ 132, "mld-listener-done" }, { 133, "nd-router-solicit" },
	{ 134, "nd-router-advert" }, { 135, "nd-neighbor-solicit" },
	{ 136, "nd-neighbor-advert" }, { 137, "nd-redirect" },
	{ 143, "mld2-listener-report" },
};

static const char *num_name(const struct name_num *t, size_t n,
			    unsigned int num)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (t[i].num == num)
			return t[i].name;
	}
	return NULL;
}

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

static void put_ctstate(FILE *f, uint32_t bits)
{
	static const struct name_num st[] = {
		{ 1, "invalid" }, { 2, "established" }, { 4, "related" },
		{ 8, "new" }, { 64, "untracked" },
	};
	bool first = true;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(st); i++) {
		if (bits & st[i].num) {
			fprintf(f, "%s%s", first ? "" : ",", st[i].name);
			first = false;
			bits &= ~st[i].num;
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
		if (len && (v[0] == NFPROTO_IPV4 || v[0] == NFPROTO_IPV6)) {
			fputs(v[0] == NFPROTO_IPV4 ? "ipv4" : "ipv6", f);
			return;
		}
		break;
	case VF_L4PROTO:
		if (!len)
			break;
		n = num_name(l4_names, ARRAY_SIZE(l4_names), v[0]);
		if (n)
			fputs(n, f);
		else
			fprintf(f, "%u", v[0]);
		return;
	case VF_ICMP:
	case VF_ICMPV6:
		if (!len)
			break;
		n = fmt == VF_ICMP ? num_name(icmp_names, ARRAY_SIZE(icmp_names), v[0]) :
		    num_name(icmpv6_names, ARRAY_SIZE(icmpv6_names), v[0]);
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
	put_hex(f, v, len);
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

	if (!attr_uint(e, t, &v))
		return NULL;
	r = reg_unify(v);
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

static void d_meta(struct dec *d, const struct nftnl_expr *e)
{
	static const struct {
		uint32_t key;
		const char *text;
		enum vfmt fmt;
		uint32_t len;
	} keys[] = {
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
	struct sym *s = reg_at(d, e, NFTNL_EXPR_META_DREG);
	uint64_t key = 0;
	size_t i;

	attr_uint(e, NFTNL_EXPR_META_KEY, &key);
	if (!s) {
		fprintf(tok(d), "meta %" PRIu64 " set", key);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		if (keys[i].key == key) {
			int dep = key == NFT_META_NFPROTO ? 1 :
				  key == NFT_META_L4PROTO ? 2 : 0;

			sym_set(s, keys[i].fmt, keys[i].len, dep, "%s",
				keys[i].text);
			return;
		}
	}
	sym_set(s, VF_HEX, 4, 0, "meta key %" PRIu64, key);
}

static void d_payload(struct dec *d, const struct nftnl_expr *e)
{
	struct sym *s = reg_at(d, e, NFTNL_EXPR_PAYLOAD_DREG);
	uint64_t base = 0, off = 0, len = 0;
	const char *l4;

	attr_uint(e, NFTNL_EXPR_PAYLOAD_BASE, &base);
	attr_uint(e, NFTNL_EXPR_PAYLOAD_OFFSET, &off);
	attr_uint(e, NFTNL_EXPR_PAYLOAD_LEN, &len);
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
		l4 = d->l4 == IPPROTO_TCP ? "tcp" : d->l4 == IPPROTO_UDP ? "udp" :
		     d->l4 == IPPROTO_SCTP ? "sctp" : d->l4 == IPPROTO_DCCP ? "dccp" :
		     d->l4 == IPPROTO_UDPLITE ? "udplite" : "th";
		sym_set(s, VF_BE, 2, 0, "%s %s", l4, off ? "dport" : "sport");
		if (strcmp(l4, "th"))
			drop_pending(d, 2);
	} else if (base == NFT_PAYLOAD_TRANSPORT_HEADER && len == 1 && off == 0 &&
		   (d->l4 == IPPROTO_ICMP || d->l4 == IPPROTO_ICMPV6)) {
		bool v6 = d->l4 == IPPROTO_ICMPV6;

		sym_set(s, v6 ? VF_ICMPV6 : VF_ICMP, 1, 0, "%s type",
			v6 ? "icmpv6" : "icmp");
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

	attr_uint(e, NFTNL_EXPR_CMP_OP, &op);
	v = nftnl_expr_get(e, NFTNL_EXPR_CMP_DATA, &len);
	if (!s || !s->valid || !v) {
		f = tok(d);
		fputs("[cmp ", f);
		if (v)
			put_hex(f, v, len);
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
		put_hex(f, s->mask, len);
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

	attr_uint(e, NFTNL_EXPR_BITWISE_OP, &op);
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
	int family = fmt == VF_IPV4 ? 4 : fmt == VF_IPV6 ? 6 : 0;
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
			    nftnl_set_elem_get_str(e, NFTNL_SET_ELEM_CHAIN) : NULL);
	} else if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_DATA)) {
		uint32_t dlen = 0;
		const void *p = nftnl_set_elem_get(e, NFTNL_SET_ELEM_DATA, &dlen);

		fputs(" : ", f);
		put_hex(f, p, dlen);
	}
	return 0;
}

static void d_lookup(struct dec *d, const struct nftnl_expr *e)
{
	const char *name = attr_str(e, NFTNL_EXPR_LOOKUP_SET);
	struct elems_arg a = { .d = d, .first = true };
	const struct nftnl_set *set;
	uint64_t sreg = 0, dreg = 0, flags = 0, id = 0;
	uint32_t keylen = 0, total = 0;
	bool has_id, has_dreg;
	int r, i;
	FILE *f;

	attr_uint(e, NFTNL_EXPR_LOOKUP_SREG, &sreg);
	has_dreg = attr_uint(e, NFTNL_EXPR_LOOKUP_DREG, &dreg);
	attr_uint(e, NFTNL_EXPR_LOOKUP_FLAGS, &flags);
	has_id = attr_uint(e, NFTNL_EXPR_LOOKUP_SET_ID, &id);
	set = canon_env_set(d->env, name, has_id, (uint32_t)id);
	if (set && nftnl_set_is_set(set, NFTNL_SET_KEY_LEN))
		keylen = nftnl_set_get_u32(set, NFTNL_SET_KEY_LEN);
	/*
	 * A concatenation's parts sit in consecutive registers, each padded
	 * to 32 bits: walk them until the key length is covered.
	 */
	r = reg_unify(sreg);
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
		fputs(reg_unify(dreg) == -1 ? " vmap" : " map", f);
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

	attr_uint(e, NFTNL_EXPR_IMM_DREG, &dreg);
	if (reg_unify(dreg) == -1 && attr_uint(e, NFTNL_EXPR_IMM_VERDICT, &v)) {
		put_verdict(tok(d), (int32_t)v, attr_str(e, NFTNL_EXPR_IMM_CHAIN));
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
	struct sym *min = reg_at(d, e, redir ? NFTNL_EXPR_REDIR_REG_PROTO_MIN :
				 NFTNL_EXPR_MASQ_REG_PROTO_MIN);
	struct sym *max = reg_at(d, e, redir ? NFTNL_EXPR_REDIR_REG_PROTO_MAX :
				 NFTNL_EXPR_MASQ_REG_PROTO_MAX);
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

	attr_uint(e, NFTNL_EXPR_LIMIT_RATE, &rate);
	attr_uint(e, NFTNL_EXPR_LIMIT_UNIT, &unit);
	attr_uint(e, NFTNL_EXPR_LIMIT_BURST, &burst);
	attr_uint(e, NFTNL_EXPR_LIMIT_TYPE, &type);
	attr_uint(e, NFTNL_EXPR_LIMIT_FLAGS, &flags);
	u = unit == 1 ? "second" : unit == 60 ? "minute" : unit == 3600 ? "hour" :
	    unit == 86400 ? "day" : unit == 604800 ? "week" : NULL;
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
		"emerg", "alert", "crit", "err", "warn",
		"notice", "info", "debug", "audit",
	};
	const char *prefix = attr_str(e, NFTNL_EXPR_LOG_PREFIX);
	uint64_t v;
	FILE *f = tok(d);

	fputs("log", f);
	if (prefix) {
		fputs(" prefix ", f);
		render_quoted(prefix, f);
	}
	if (attr_uint(e, NFTNL_EXPR_LOG_GROUP, &v))
		fprintf(f, " group %" PRIu64, v);
	else if (attr_uint(e, NFTNL_EXPR_LOG_LEVEL, &v) && v != 4)
		fprintf(f, " level %s", v < ARRAY_SIZE(levels) ? levels[v] : "?");
}

static void d_ct(struct dec *d, const struct nftnl_expr *e)
{
	static const struct {
		uint32_t key;
		const char *text;
		enum vfmt fmt;
		uint32_t len;
	} keys[] = {
		{ NFT_CT_STATE, "ct state", VF_CTSTATE, 4 },
		{ NFT_CT_DIRECTION, "ct direction", VF_HOST, 1 },
		{ NFT_CT_STATUS, "ct status", VF_MARK, 4 },
		{ NFT_CT_MARK, "ct mark", VF_MARK, 4 },
	};
	struct sym *s = reg_at(d, e, NFTNL_EXPR_CT_DREG);
	uint64_t key = 0;
	size_t i;

	attr_uint(e, NFTNL_EXPR_CT_KEY, &key);
	if (!s) {
		fprintf(tok(d), "ct %" PRIu64 " set", key);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		if (keys[i].key == key) {
			sym_set(s, keys[i].fmt, keys[i].len, 0, "%s", keys[i].text);
			return;
		}
	}
	sym_set(s, VF_HEX, 4, 0, "ct key %" PRIu64, key);
}

/* `ct helper set "NAME"`; other object kinds by their number. */
static void d_objref(struct dec *d, const struct nftnl_expr *e)
{
	const char *name = attr_str(e, NFTNL_EXPR_OBJREF_IMM_NAME);
	uint64_t type = 0;
	FILE *f = tok(d);

	attr_uint(e, NFTNL_EXPR_OBJREF_IMM_TYPE, &type);
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

static void d_expr(struct dec *d, const struct nftnl_expr *e)
{
	const char *name = attr_str(e, NFTNL_EXPR_NAME);

	if (!name)
		return;
	if (!strcmp(name, "meta"))
		d_meta(d, e);
	else if (!strcmp(name, "payload"))
		d_payload(d, e);
	else if (!strcmp(name, "cmp"))
		d_cmp(d, e);
	else if (!strcmp(name, "bitwise"))
		d_bitwise(d, e);
	else if (!strcmp(name, "byteorder")) {
		struct sym *s = reg_at(d, e, NFTNL_EXPR_BYTEORDER_SREG);
		struct sym *t = reg_at(d, e, NFTNL_EXPR_BYTEORDER_DREG);

		/* A concatenation's byte order fix-up: the value stays the same. */
		if (s && t && s != t)
			*t = *s;
	} else if (!strcmp(name, "lookup"))
		d_lookup(d, e);
	else if (!strcmp(name, "immediate"))
		d_immediate(d, e);
	else if (!strcmp(name, "ct"))
		d_ct(d, e);
	else if (!strcmp(name, "limit"))
		d_limit(d, e);
	else if (!strcmp(name, "log"))
		d_log(d, e);
	else if (!strcmp(name, "counter"))
		fputs("counter", tok(d));
	else if (!strcmp(name, "redir"))
		d_redir(d, e, true);
	else if (!strcmp(name, "masq"))
		d_redir(d, e, false);
	else if (!strcmp(name, "notrack"))
		fputs("notrack", tok(d));
	else if (!strcmp(name, "objref"))
		d_objref(d, e);
	else if (!strcmp(name, "reject")) {
		uint64_t type = 0;

		attr_uint(e, NFTNL_EXPR_REJECT_TYPE, &type);
		fputs(type == NFT_REJECT_TCP_RST ? "reject with tcp reset" : "reject",
		      tok(d));
	} else
		d_generic(d, e, name);
}

int canon_rule_text(const struct canon_env *env, const struct nftnl_rule *r,
		    FILE *out)
{
	char cbuf[CANON_COMMENT_MAX];
	const char *comment = canon_rule_comment(r, cbuf, sizeof(cbuf));
	struct nftnl_expr_iter *it;
	struct nftnl_expr *e;
	struct dec *d;

	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->env = env;
	d->out = out;
	d->l4 = -1;
	it = nftnl_expr_iter_create(r);
	if (it) {
		while ((e = nftnl_expr_iter_next(it)))
			d_expr(d, e);
		nftnl_expr_iter_destroy(it);
	}
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
