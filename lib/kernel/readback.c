/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reads fwgen's one inet table back from the kernel with netlink requests
 * filtered to that table (table, chains, rules, sets, set elements), into
 * struct nft_objs: the shape nft_build() gives the desired side, and what
 * a rollback sends to put the table back.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>

#include "nft-canon.h"
#include "nlread.h"
#include "readback.h"
#include "render.h"
#include "util.h"

/* How often to start over when the ruleset changes under the dumps. */
#define RB_ATTEMPTS 10

struct rb {
	struct fwgen_ctx *ctx;
	const char *table;
	struct nlread nr;
	bool want_others;  /* count stateful objects and flowtables */
	bool dynamic_only; /* elements of dynamic sets only (status) */
	unsigned int others;
	struct nft_objs *objs;
	size_t cap_sets, cap_chains, cap_rules, cap_objs;
};

static int table_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rb *rb = data;
	struct nftnl_table *t;

	if (nlread_same_gen(&rb->nr, nlh) < 0)
		return MNL_CB_ERROR;
	t = nftnl_table_alloc();
	if (!t) {
		rb->nr.err = -ENOMEM;
		return MNL_CB_ERROR;
	}
	if (nftnl_table_nlmsg_parse(nlh, t) < 0) {
		nftnl_table_free(t);
		rb->nr.err = -EIO;
		return MNL_CB_ERROR;
	}
	if (rb->objs->table)
		nftnl_table_free(rb->objs->table);
	rb->objs->table = t;
	return MNL_CB_OK;
}

/* Whether an object belongs to our table: old kernels ignore the filter. */
static bool ours(const struct rb *rb, const char *table)
{
	return table && strcmp(table, rb->table) == 0;
}

/*
 * Chains, rules and sets are dumped and kept alike: one dump per kind,
 * filtered to our table, each object parsed and appended to its array of
 * struct nft_objs. The functions below give each kind's libnftnl calls one
 * type-correct shape.
 */
struct dump_ops {
	uint16_t msg; /* NFT_MSG_GET... */
	void *(*alloc)(void);
	void (*free)(void *obj);
	void (*set_table)(void *obj, const char *table);
	const char *(*table)(void *obj);
	void (*build)(struct nlmsghdr *nlh, void *obj);
	int (*parse)(const struct nlmsghdr *nlh, void *obj);
	/* Keeps obj (or frees it, if the kind keeps only some); -ENOMEM. */
	int (*push)(struct rb *rb, void *obj);
};

#define DUMP_CALLS(kind, KIND)                                          \
	static void *kind##_alloc(void)                                 \
	{                                                               \
		return nftnl_##kind##_alloc();                          \
	}                                                               \
	static void kind##_free(void *o)                                \
	{                                                               \
		nftnl_##kind##_free(o);                                 \
	}                                                               \
	static void kind##_set_table(void *o, const char *t)            \
	{                                                               \
		nftnl_##kind##_set_str(o, NFTNL_##KIND##_TABLE, t);     \
	}                                                               \
	static const char *kind##_table(void *o)                        \
	{                                                               \
		return nftnl_##kind##_get_str(o, NFTNL_##KIND##_TABLE); \
	}                                                               \
	static void kind##_build(struct nlmsghdr *nlh, void *o)         \
	{                                                               \
		nftnl_##kind##_nlmsg_build_payload(nlh, o);             \
	}                                                               \
	static int kind##_parse(const struct nlmsghdr *nlh, void *o)    \
	{                                                               \
		return nftnl_##kind##_nlmsg_parse(nlh, o);              \
	}

#define DUMP_OPS(kind, KIND)                                                      \
	DUMP_CALLS(kind, KIND)                                                    \
	static int kind##_push(struct rb *rb, void *o)                            \
	{                                                                         \
		struct nft_objs *objs = rb->objs;                                 \
                                                                                  \
		if (array_push(&objs->kind##s, &objs->n##kind##s,                 \
			       &rb->cap_##kind##s, sizeof(objs->kind##s[0])) < 0) \
			return -ENOMEM;                                           \
		objs->kind##s[objs->n##kind##s - 1] = o;                          \
		return 0;                                                         \
	}                                                                         \
	static const struct dump_ops kind##_ops = {                               \
		NFT_MSG_GET##KIND,                                                \
		kind##_alloc,                                                     \
		kind##_free,                                                      \
		kind##_set_table,                                                 \
		kind##_table,                                                     \
		kind##_build,                                                     \
		kind##_parse,                                                     \
		kind##_push,                                                      \
	}

DUMP_OPS(chain, CHAIN);
DUMP_OPS(rule, RULE);
DUMP_OPS(set, SET);
DUMP_CALLS(obj, OBJ)

/*
 * Stateful objects: the ct helpers fwgen itself makes are kept, so that a
 * table read before an apply can be sent back whole; any other kind is
 * freed and only counted (see other_cb()).
 */
static int obj_push(struct rb *rb, void *o)
{
	struct nft_objs *objs = rb->objs;

	if (nftnl_obj_get_u32(o, NFTNL_OBJ_TYPE) != NFT_OBJECT_CT_HELPER) {
		nftnl_obj_free(o);
		rb->others++;
		return 0;
	}
	if (array_push(&objs->objs, &objs->nobjs, &rb->cap_objs,
		       sizeof(objs->objs[0])) < 0)
		return -ENOMEM;
	objs->objs[objs->nobjs - 1] = o;
	return 0;
}

static const struct dump_ops obj_ops = {
	NFT_MSG_GETOBJ,
	obj_alloc,
	obj_free,
	obj_set_table,
	obj_table,
	obj_build,
	obj_parse,
	obj_push,
};

struct dump_arg {
	struct rb *rb;
	const struct dump_ops *ops;
};

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct dump_arg *d = data;
	const struct dump_ops *ops = d->ops;
	struct rb *rb = d->rb;
	int err = -ENOMEM;
	void *obj;

	if (nlread_same_gen(&rb->nr, nlh) < 0)
		return MNL_CB_ERROR;
	obj = ops->alloc();
	if (!obj)
		goto err;
	if (ops->parse(nlh, obj) < 0) {
		err = -EIO;
		goto err_free;
	}
	if (!ours(rb, ops->table(obj))) {
		ops->free(obj);
		return MNL_CB_OK;
	}
	if (ops->push(rb, obj) < 0)
		goto err_free;
	return MNL_CB_OK;
err_free:
	ops->free(obj);
err:
	rb->nr.err = err;
	return MNL_CB_ERROR;
}

/* Dumps one kind, filtered by family and table name in the kernel. */
static int dump_kind(struct rb *rb, const struct dump_ops *ops)
{
	struct dump_arg d = { rb, ops };
	struct nlmsghdr *nlh;
	void *filter;

	filter = ops->alloc();
	if (!filter)
		return -ENOMEM;
	ops->set_table(filter, rb->table);
	nlh = nlread_msg(&rb->nr, ops->msg, NFPROTO_INET, NLM_F_DUMP);
	ops->build(nlh, filter);
	ops->free(filter);
	return nlread_talk(&rb->nr, nlh, dump_cb, &d);
}

struct elem_arg {
	struct rb *rb;
	struct nftnl_set *set;
};

static int elem_cb(const struct nlmsghdr *nlh, void *data)
{
	struct elem_arg *a = data;

	if (nlread_same_gen(&a->rb->nr, nlh) < 0)
		return MNL_CB_ERROR;
	/* Appends this message's elements to the set's own list. */
	if (nftnl_set_elems_nlmsg_parse(nlh, a->set) < 0) {
		a->rb->nr.err = errno == ENOMEM ? -ENOMEM : -EIO;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

/*
 * Named stateful objects (counters, quotas, ...) and flowtables: struct
 * nft_objs has no room for them, so they are only counted, for callers
 * that must know the objects are not the whole table.
 */
static int other_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **table = data;

	/* NFTA_FLOWTABLE_TABLE has the same number. */
	if (mnl_attr_get_type(attr) == NFTA_OBJ_TABLE)
		*table = attr;
	return MNL_CB_OK;
}

static int other_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rb *rb = data;
	const struct nlattr *table = NULL;

	if (nlread_same_gen(&rb->nr, nlh) < 0)
		return MNL_CB_ERROR;
	mnl_attr_parse(nlh, sizeof(struct nfgenmsg), other_attr_cb, &table);
	if (table && mnl_attr_validate(table, MNL_TYPE_NUL_STRING) == 0 &&
	    ours(rb, mnl_attr_get_str(table)))
		rb->others++;
	return MNL_CB_OK;
}

/* A dump of type, filtered by the table (NFTA_OBJ_TABLE, NFTA_FLOWTABLE_TABLE). */
static int rb_count_others(struct rb *rb, uint16_t type)
{
	struct nlmsghdr *nlh = nlread_msg(&rb->nr, type, NFPROTO_INET, NLM_F_DUMP);
	struct dump_arg objs = { rb, &obj_ops };

	mnl_attr_put_strz(nlh, NFTA_OBJ_TABLE, rb->table);
	if (type == NFT_MSG_GETOBJ)
		return nlread_talk(&rb->nr, nlh, dump_cb, &objs);
	return nlread_talk(&rb->nr, nlh, other_cb, rb);
}

/* One attempt at a consistent snapshot of the table. */
static int rb_read(struct rb *rb)
{
	struct nlmsghdr *nlh;
	size_t i;
	int ret;

	rb->objs = calloc(1, sizeof(*rb->objs));
	if (!rb->objs)
		return -ENOMEM;
	rb->cap_sets = rb->cap_chains = rb->cap_rules = rb->cap_objs = 0;
	rb->others = 0;

	ret = nlread_gen(&rb->nr);
	if (ret < 0)
		return ret;

	ret = nlread_get_table(&rb->nr, rb->table, table_cb, rb);
	if (ret == -ENOENT)
		return 0; /* no table: an empty state */
	if (ret < 0)
		return ret;

	if ((ret = dump_kind(rb, &chain_ops)) < 0 ||
	    (ret = dump_kind(rb, &rule_ops)) < 0 ||
	    (ret = dump_kind(rb, &set_ops)) < 0)
		return ret;

	/* Elements set by set: the kernel dumps them per set only. */
	for (i = 0; i < rb->objs->nsets; i++) {
		struct elem_arg a = { rb, rb->objs->sets[i] };

		if (rb->dynamic_only &&
		    !(nftnl_set_get_u32(a.set, NFTNL_SET_FLAGS) & NFT_SET_EVAL))
			continue;
		nlh = nlread_msg(&rb->nr, NFT_MSG_GETSETELEM, NFPROTO_INET, NLM_F_DUMP);
		nftnl_set_elems_nlmsg_build_payload(nlh, a.set);
		ret = nlread_talk(&rb->nr, nlh, elem_cb, &a);
		if (ret < 0)
			return ret;
	}
	/* The ct helpers always: they are part of what fwgen writes. */
	ret = rb_count_others(rb, NFT_MSG_GETOBJ);
	if (ret < 0 || !rb->want_others)
		return ret;
	return rb_count_others(rb, NFT_MSG_GETFLOWTABLE);
}

static int head_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_table **t = data;

	if (*t)
		nftnl_table_free(*t);
	*t = nftnl_table_alloc();
	if (!*t)
		return MNL_CB_ERROR;
	if (nftnl_table_nlmsg_parse(nlh, *t) < 0)
		return MNL_CB_ERROR;
	return MNL_CB_OK;
}

int readback_table_head(struct fwgen_ctx *ctx, const char *table,
			struct nftnl_table **out)
{
	struct nlread nr = { 0 };
	int ret;

	*out = NULL;
	ret = nlread_open(&nr);
	if (ret == 0)
		ret = nlread_get_table(&nr, table, head_cb, out);
	nlread_release(&nr);
	if (ret == -ENOENT)
		ret = 0;
	if (ret < 0) {
		if (*out)
			nftnl_table_free(*out);
		*out = NULL;
		return nlread_fail(ctx, table, ret);
	}
	return 0;
}

const char *readback_not_ours(const struct nftnl_table *t, char *buf,
			      size_t len)
{
	const void *ud = NULL;
	uint32_t udlen = 0;
	const char *c;

	if (!t)
		return NULL;
	if (nftnl_table_is_set(t, NFTNL_TABLE_USERDATA))
		ud = nftnl_table_get_data(t, NFTNL_TABLE_USERDATA, &udlen);
	c = canon_udata_comment(ud, udlen, buf, len);
	if (render_comment_is_fwgens(c))
		return NULL;
	return c ? c : "";
}

static int readback(struct fwgen_ctx *ctx, const char *table,
		    struct nft_objs **out, uint32_t *genid,
		    unsigned int *others, bool dynamic_only)
{
	struct rb rb = {
		.ctx = ctx,
		.table = table,
		.want_others = others != NULL,
		.dynamic_only = dynamic_only,
	};
	int attempt, ret = -EAGAIN;

	*out = NULL;
	for (attempt = 0; attempt < RB_ATTEMPTS && ret == -EAGAIN; attempt++) {
		/* Let a burst of commits (a busy neighbour's table) pass. */
		if (attempt) {
			struct timespec ts = { 0, attempt * 10 * 1000 * 1000L };

			nanosleep(&ts, NULL);
		}
		ret = nlread_open(&rb.nr);
		if (ret < 0)
			break;
		ret = rb_read(&rb);
		nlread_close(&rb.nr);
		if (ret < 0) {
			nft_objs_free(rb.objs);
			rb.objs = NULL;
		}
	}
	nlread_release(&rb.nr);
	if (ret < 0)
		return nlread_fail(ctx, table, ret);
	*out = rb.objs;
	if (genid)
		*genid = rb.nr.genid_full;
	if (others)
		*others = rb.others;
	return 0;
}

int readback_table_gen(struct fwgen_ctx *ctx, const char *table,
		       struct nft_objs **out, uint32_t *genid,
		       unsigned int *others)
{
	return readback(ctx, table, out, genid, others, false);
}

int readback_table_counts(struct fwgen_ctx *ctx, const char *table,
			  struct nft_objs **out)
{
	int ret = readback(ctx, table, out, NULL, NULL, true);

	return ret == -EAGAIN ? -EIO : ret;
}

int readback_table(struct fwgen_ctx *ctx, const char *table,
		   struct nft_objs **out)
{
	int ret = readback_table_gen(ctx, table, out, NULL, NULL);

	/* The message says why; callers of this one were promised -EIO. */
	return ret == -EAGAIN ? -EIO : ret;
}

/* Resending what was read */

/*
 * A new set needs an id for the transaction (NFTA_SET_ID is mandatory);
 * lookups get the id of the set they name, so that anonymous sets go out
 * just before their rule as in the original batch.
 */
static void number_sets(struct nft_objs *o)
{
	struct nftnl_expr_iter *it;
	struct nftnl_expr *e;
	size_t i, j;

	for (i = 0; i < o->nsets; i++)
		nftnl_set_set_u32(o->sets[i], NFTNL_SET_ID, (uint32_t)i + 1);
	for (i = 0; i < o->nrules; i++) {
		if (!(it = nftnl_expr_iter_create(o->rules[i])))
			continue;
		while ((e = nftnl_expr_iter_next(it))) {
			const char *set;

			if (strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "lookup") ||
			    !(set = nftnl_expr_get_str(e, NFTNL_EXPR_LOOKUP_SET)))
				continue;
			for (j = 0; j < o->nsets; j++)
				if (!strcmp(set, nftnl_set_get_str(o->sets[j],
								   NFTNL_SET_NAME)))
					nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID,
							   (uint32_t)j + 1);
		}
		nftnl_expr_iter_destroy(it);
	}
}

/*
 * A ct helper as a new object: the attributes a NEWOBJ carries, without
 * the handle and use count the dump adds (libnftnl exports no unset for
 * objects).
 */
static struct nftnl_obj *resendable_helper(struct nftnl_obj *old)
{
	static const uint16_t strs[] = {
		NFTNL_OBJ_TABLE,
		NFTNL_OBJ_NAME,
		NFTNL_OBJ_CT_HELPER_NAME,
	};
	struct nftnl_obj *n = nftnl_obj_alloc();
	size_t i;

	if (!n)
		return NULL;
	/* The type first: libnftnl sets type-specific attributes through it. */
	nftnl_obj_set_u32(n, NFTNL_OBJ_TYPE, nftnl_obj_get_u32(old, NFTNL_OBJ_TYPE));
	nftnl_obj_set_u32(n, NFTNL_OBJ_FAMILY, nftnl_obj_get_u32(old, NFTNL_OBJ_FAMILY));
	for (i = 0; i < ARRAY_SIZE(strs); i++) {
		if (!nftnl_obj_is_set(old, strs[i]))
			continue;
		nftnl_obj_set_str(n, strs[i], nftnl_obj_get_str(old, strs[i]));
		if (!nftnl_obj_is_set(n, strs[i])) {
			nftnl_obj_free(n);
			return NULL;
		}
	}
	if (nftnl_obj_is_set(old, NFTNL_OBJ_CT_HELPER_L4PROTO))
		nftnl_obj_set_u8(n, NFTNL_OBJ_CT_HELPER_L4PROTO,
				 nftnl_obj_get_u8(old, NFTNL_OBJ_CT_HELPER_L4PROTO));
	/*
	 * No l3proto, as fwgen and nft first sent it: the kernel then takes
	 * the table's family (inet, both helpers) again.
	 */
	return n;
}

void readback_make_resendable(struct nft_objs *o)
{
	struct nftnl_table *t = o->table;
	size_t i;

	/* What the kernel reports but a new table cannot be given. */
	if (t) {
		nftnl_table_unset(t, NFTNL_TABLE_HANDLE);
		nftnl_table_unset(t, NFTNL_TABLE_USE);
		nftnl_table_unset(t, NFTNL_TABLE_OWNER);
		nftnl_table_set_u32(t, NFTNL_TABLE_FLAGS,
				    nftnl_table_get_u32(t, NFTNL_TABLE_FLAGS) &
					    ~(uint32_t)NFT_TABLE_F_OWNER);
	}
	for (i = 0; i < o->nobjs; i++) {
		struct nftnl_obj *n = resendable_helper(o->objs[i]);

		/* On failure the original goes: the kernel ignores its handle. */
		if (n) {
			nftnl_obj_free(o->objs[i]);
			o->objs[i] = n;
		}
	}
	for (i = 0; i < o->nchains; i++) {
		struct nftnl_chain *c = o->chains[i];

		nftnl_chain_unset(c, NFTNL_CHAIN_HANDLE);
		nftnl_chain_unset(c, NFTNL_CHAIN_USE);
		nftnl_chain_unset(c, NFTNL_CHAIN_BYTES);
		nftnl_chain_unset(c, NFTNL_CHAIN_PACKETS);
		nftnl_chain_unset(c, NFTNL_CHAIN_ID);
		/* The kernel marks base chains itself. */
		if ((nftnl_chain_get_u32(c, NFTNL_CHAIN_FLAGS) & ~NFT_CHAIN_BASE) == 0)
			nftnl_chain_unset(c, NFTNL_CHAIN_FLAGS);
	}
	for (i = 0; i < o->nsets; i++)
		nftnl_set_unset(o->sets[i], NFTNL_SET_HANDLE);
	/* Appended in dump order, the rules need no handle or position. */
	for (i = 0; i < o->nrules; i++) {
		nftnl_rule_unset(o->rules[i], NFTNL_RULE_HANDLE);
		nftnl_rule_unset(o->rules[i], NFTNL_RULE_POSITION);
		nftnl_rule_unset(o->rules[i], NFTNL_RULE_ID);
		nftnl_rule_unset(o->rules[i], NFTNL_RULE_POSITION_ID);
	}
	number_sets(o);
}
