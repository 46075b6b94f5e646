/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Batch encoding: fwgen's objects into nf_tables messages, in nft's order
 * and nft's bytes (test-apply.sh compares them with `nft -f`), the
 * elements of large sets straight from the policy, and a record of what
 * each sequence number carries so that a refusal can be named. Sending
 * and acknowledgements are netlink.c's.
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/udata.h>

#include <fwgen/nftnl.h>

#include "nl-batch.h"
#include "nft-canon.h"
#include "util.h"

/*
 * Batch pages of 2 MiB as nft uses, with room past the page for one
 * message as large as a set element list can make it.
 */
#define NL_PAGE_SIZE (2 * 1024 * 1024)

/* Batches: objects into messages */

void nl_msgs_release(struct nl_msgs *m)
{
	free(m->v);
	memset(m, 0, sizeof(*m));
}

static void note_msg(struct nl_msgs *m, const struct nlmsghdr *nlh,
		     enum nl_what what, const void *obj,
		     const struct nftnl_rule *rule)
{
	struct nl_msginfo *i;

	if (!m)
		return;
	if (array_push(&m->v, &m->n, &m->cap, sizeof(*m->v)) < 0) {
		m->nomem = true;
		return;
	}
	i = &m->v[m->n - 1];
	i->seq = nlh->nlmsg_seq;
	i->what = what;
	i->obj = obj;
	i->rule = rule;
	i->nlh = nlh;
}

/*
 * The bytes the current page of b can still take. libnftnl does not tell
 * how large it made its pages, so ask the allocator: each page is one
 * malloc() of page size plus overrun, and the page's current tail minus
 * what it holds is where that block starts. malloc_usable_size() gives at
 * least the size asked for, and exactly that under ASan and valgrind.
 */
static size_t batch_room(struct nftnl_batch *b)
{
	char *tail = nftnl_batch_buffer(b);
	uint32_t used = nftnl_batch_buffer_len(b);
	size_t size = malloc_usable_size(tail - used);

	return size > used ? size - used : 0;
}

/*
 * libmnl leaves the padding after a string attribute as it finds it: zero
 * the room of the message first, so that a batch is the same bytes every
 * time (and nothing of the heap leaks to the kernel). No message is longer
 * than FWGEN_NFTNL_MSG_MAX, so a page with that much room left takes any
 * of them; NULL when it has less: the batch was allocated with too small
 * an overrun, and writing on would overflow it. fwgen's own batches
 * (nl_batch_new()) always have the room.
 */
static struct nlmsghdr *msg_start(struct nftnl_batch *b, uint16_t type,
				  uint16_t flags, uint32_t *seq)
{
	if (batch_room(b) < FWGEN_NFTNL_MSG_MAX)
		return NULL;
	memset(nftnl_batch_buffer(b), 0, FWGEN_NFTNL_MSG_MAX);
	return nftnl_nlmsg_build_hdr(nftnl_batch_buffer(b), type, NFPROTO_INET,
				     flags, (*seq)++);
}

/*
 * Closes the message just written; a new page is started when needed.
 * libnftnl drops a message longer than its page size without a word: the
 * page then holds less than the message.
 */
static int msg_end(struct nftnl_batch *b)
{
	uint32_t len = ((struct nlmsghdr *)nftnl_batch_buffer(b))->nlmsg_len;

	if (nftnl_batch_update(b) < 0)
		return -ENOMEM;
	return nftnl_batch_buffer_len(b) < len ? -ENOSPC : 0;
}

static int put_table_add(struct nftnl_batch *b, const struct nftnl_table *t,
			 uint32_t *seq, uint16_t nlflags, struct nl_msgs *m)
{
	struct nlmsghdr *nlh;

	nlh = msg_start(b, NFT_MSG_NEWTABLE, NLM_F_CREATE | nlflags, seq);
	if (!nlh)
		return -ENOSPC;
	mnl_attr_put_strz(nlh, NFTA_TABLE_NAME,
			  nftnl_table_get_str(t, NFTNL_TABLE_NAME));
	mnl_attr_put_u32(nlh, NFTA_TABLE_FLAGS,
			 htonl(nftnl_table_get_u32(t, NFTNL_TABLE_FLAGS)));
	if (nftnl_table_is_set(t, NFTNL_TABLE_USERDATA)) {
		uint32_t len;
		const void *ud = nftnl_table_get_data(t, NFTNL_TABLE_USERDATA,
						      &len);

		mnl_attr_put(nlh, NFTA_TABLE_USERDATA, len, ud);
	}
	note_msg(m, nlh, NL_WHAT_TABLE_ADD, t, NULL);
	return msg_end(b);
}

/*
 * The opening pair: declare the table (a no-op when it exists, and no flags
 * change since it is about to go), then delete it, so the delete is valid
 * either way -- what `table inet T` + `delete table inet T` in the printed
 * script do.
 */
static int put_table_reset(struct nftnl_batch *b, const char *name,
			   uint32_t *seq, uint16_t nlflags, struct nl_msgs *m,
			   const struct nftnl_table *t)
{
	struct nlmsghdr *nlh;

	int ret;

	nlh = msg_start(b, NFT_MSG_NEWTABLE, NLM_F_CREATE | nlflags, seq);
	if (!nlh)
		return -ENOSPC;
	mnl_attr_put_strz(nlh, NFTA_TABLE_NAME, name);
	mnl_attr_put_u32(nlh, NFTA_TABLE_FLAGS, 0);
	note_msg(m, nlh, NL_WHAT_TABLE_ADD, t, NULL);
	ret = msg_end(b);
	if (ret < 0)
		return ret;
	nlh = msg_start(b, NFT_MSG_DELTABLE, nlflags, seq);
	if (!nlh)
		return -ENOSPC;
	mnl_attr_put_strz(nlh, NFTA_TABLE_NAME, name);
	note_msg(m, nlh, NL_WHAT_TABLE_DEL, t, NULL);
	return msg_end(b);
}

/*
 * The device(s) of an ingress or egress chain, as read back: without them
 * the kernel takes the chain and it filters nothing, so a restored table
 * must carry them.
 */
static void put_chain_devices(struct nlmsghdr *nlh, const struct nftnl_chain *c)
{
	const char *const *devs;
	struct nlattr *nest;

	if (nftnl_chain_is_set(c, NFTNL_CHAIN_DEV)) {
		mnl_attr_put_strz(nlh, NFTA_HOOK_DEV,
				  nftnl_chain_get_str(c, NFTNL_CHAIN_DEV));
		return;
	}
	if (!nftnl_chain_is_set(c, NFTNL_CHAIN_DEVICES))
		return;
	devs = nftnl_chain_get_array(c, NFTNL_CHAIN_DEVICES);
	nest = mnl_attr_nest_start(nlh, NFTA_HOOK_DEVS);
	for (; devs && *devs; devs++)
		mnl_attr_put_strz(nlh, NFTA_DEVICE_NAME, *devs);
	mnl_attr_nest_end(nlh, nest);
}

/* In nft's attribute order: table, name, type, policy, hook. */
static int put_chain(struct nftnl_batch *b, const struct nftnl_chain *c,
		     uint32_t *seq, uint16_t nlflags, struct nl_msgs *m)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	nlh = msg_start(b, NFT_MSG_NEWCHAIN, NLM_F_CREATE | nlflags, seq);
	if (!nlh)
		return -ENOSPC;
	mnl_attr_put_strz(nlh, NFTA_CHAIN_TABLE,
			  nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE));
	mnl_attr_put_strz(nlh, NFTA_CHAIN_NAME,
			  nftnl_chain_get_str(c, NFTNL_CHAIN_NAME));
	if (nftnl_chain_is_set(c, NFTNL_CHAIN_FLAGS))
		mnl_attr_put_u32(nlh, NFTA_CHAIN_FLAGS,
				 htonl(nftnl_chain_get_u32(c, NFTNL_CHAIN_FLAGS)));
	if (nftnl_chain_is_set(c, NFTNL_CHAIN_TYPE))
		mnl_attr_put_strz(nlh, NFTA_CHAIN_TYPE,
				  nftnl_chain_get_str(c, NFTNL_CHAIN_TYPE));
	if (nftnl_chain_is_set(c, NFTNL_CHAIN_POLICY))
		mnl_attr_put_u32(nlh, NFTA_CHAIN_POLICY,
				 htonl(nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY)));
	if (nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM)) {
		nest = mnl_attr_nest_start(nlh, NFTA_CHAIN_HOOK);
		mnl_attr_put_u32(nlh, NFTA_HOOK_HOOKNUM,
				 htonl(nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM)));
		mnl_attr_put_u32(nlh, NFTA_HOOK_PRIORITY,
				 htonl((uint32_t)nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO)));
		put_chain_devices(nlh, c);
		mnl_attr_nest_end(nlh, nest);
	}
	if (nftnl_chain_is_set(c, NFTNL_CHAIN_USERDATA)) {
		uint32_t len;
		const void *ud = nftnl_chain_get_data(c, NFTNL_CHAIN_USERDATA,
						      &len);

		mnl_attr_put(nlh, NFTA_CHAIN_USERDATA, len, ud);
	}
	note_msg(m, nlh, NL_WHAT_CHAIN, c, NULL);
	return msg_end(b);
}

/* NEWSETELEM creates (no EXCL: an element already there is fine); DELSETELEM not. */
static struct nlmsghdr *elems_start(struct nftnl_batch *b,
				    const struct nftnl_set *s, uint16_t type,
				    uint32_t *seq, uint16_t nlflags)
{
	struct nlmsghdr *nlh;

	if (type == NFT_MSG_NEWSETELEM)
		nlflags |= NLM_F_CREATE;
	nlh = msg_start(b, type, nlflags, seq);
	if (!nlh)
		return NULL;
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE,
			  nftnl_set_get_str(s, NFTNL_SET_TABLE));
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET,
			  nftnl_set_get_str(s, NFTNL_SET_NAME));
	if (nftnl_set_is_set(s, NFTNL_SET_ID))
		mnl_attr_put_u32(nlh, NFTA_SET_ELEM_LIST_SET_ID,
				 htonl(nftnl_set_get_u32(s, NFTNL_SET_ID)));
	return nlh;
}

/*
 * The elements of a set, one at a time, from either of two places: the
 * set's own libnftnl elements, or the policy's intervals (lazy), encoded
 * here exactly as libnftnl encodes the elements nft_interval_elems() makes.
 */
struct elem_cursor {
	struct nftnl_set_elems_iter *it;
	struct nftnl_set_elem *e; /* the current libnftnl element */
	const struct nft_lazy_elems *lazy;
	size_t i; /* lazy: the current interval */
	enum {
		CUR_SENTINEL,
		CUR_START,
		CUR_END,
		CUR_DONE
	} step;
	const void *open_udata; /* lazy: INTERVAL_OPEN userdata */
	uint32_t open_len;
};

static int cursor_init(struct elem_cursor *c, struct nftnl_set *s,
		       const struct nft_lazy_elems *lazy,
		       const struct nftnl_udata_buf *open)
{
	memset(c, 0, sizeof(*c));
	c->lazy = lazy;
	if (!lazy) {
		c->it = nftnl_set_elems_iter_create(s);
		if (!c->it)
			return -ENOMEM;
		/* _next() hands out the current element, then moves on. */
		c->e = nftnl_set_elems_iter_next(c->it);
		return 0;
	}
	c->open_udata = nftnl_udata_buf_data(open);
	c->open_len = nftnl_udata_buf_len(open);
	if (!lazy->n)
		c->step = CUR_DONE;
	else if (lazy->sentinel && !addr_all_bytes(lazy->v[0].lo, lazy->len, 0))
		c->step = CUR_SENTINEL;
	else
		c->step = CUR_START;
	return 0;
}

static void cursor_release(struct elem_cursor *c)
{
	if (c->it)
		nftnl_set_elems_iter_destroy(c->it);
}

static bool cursor_done(const struct elem_cursor *c)
{
	return c->lazy ? c->step == CUR_DONE : !c->e;
}

static void cursor_next(struct elem_cursor *c)
{
	const struct nft_lazy_elems *l = c->lazy;

	if (!l) {
		c->e = nftnl_set_elems_iter_next(c->it);
		return;
	}
	switch (c->step) {
	case CUR_SENTINEL:
		c->step = CUR_START;
		return;
	case CUR_START:
		/*
		 * A range up to the top of the space has no end element, nor
		 * has any element of a hash set.
		 */
		if (!l->hash && !addr_all_bytes(l->v[c->i].hi, l->len, 0xff)) {
			c->step = CUR_END;
			return;
		}
		break;
	case CUR_END:
	case CUR_DONE:
		break;
	}
	c->step = ++c->i < l->n ? CUR_START : CUR_DONE;
}

static char *put_hdr(char *p, uint16_t type, size_t len)
{
	struct nlattr a = { .nla_len = (uint16_t)len, .nla_type = type };

	memcpy(p, &a, sizeof(a));
	return p + sizeof(a);
}

/*
 * One element as the nest idx of the element list, written in place: the
 * bytes libmnl writes for libnftnl's element (flags, key, userdata, each
 * nest marked NLA_F_NESTED), without a call per attribute. 200,000 of
 * them are a tenth of an apply's user time otherwise.
 */
static struct nlattr *put_lazy_elem(struct nlmsghdr *nlh,
				    const struct elem_cursor *c, uint16_t idx)
{
	const struct nft_lazy_elems *l = c->lazy;
	const struct addr_interval *iv = &l->v[c->i];
	char *start = mnl_nlmsg_get_payload_tail(nlh), *p = start + MNL_ATTR_HDRLEN;
	uint8_t key[16] = { 0 };
	uint32_t flags = htonl(NFT_SET_ELEM_INTERVAL_END);
	bool open = false;

	if (c->step == CUR_START) {
		memcpy(key, iv->lo, l->len);
		open = !l->hash && addr_all_bytes(iv->hi, l->len, 0xff);
	} else if (c->step == CUR_END) {
		memcpy(key, iv->hi, l->len);
		addr_increment(key, l->len);
	}
	if (c->step != CUR_START) {
		p = put_hdr(p, NFTA_SET_ELEM_FLAGS, MNL_ATTR_HDRLEN + sizeof(flags));
		memcpy(p, &flags, sizeof(flags));
		p += sizeof(flags);
	}
	/* Keys are 4 or 16 bytes: aligned, no padding. */
	p = put_hdr(p, NLA_F_NESTED | NFTA_SET_ELEM_KEY, 2 * MNL_ATTR_HDRLEN + l->len);
	p = put_hdr(p, NFTA_DATA_VALUE, MNL_ATTR_HDRLEN + l->len);
	memcpy(p, key, l->len);
	p += l->len;
	if (open) {
		p = put_hdr(p, NFTA_SET_ELEM_USERDATA, MNL_ATTR_HDRLEN + c->open_len);
		memcpy(p, c->open_udata, c->open_len);
		memset(p + c->open_len, 0, MNL_ALIGN(c->open_len) - c->open_len);
		p += MNL_ALIGN(c->open_len);
	}
	put_hdr(start, NLA_F_NESTED | idx, (size_t)(p - start));
	nlh->nlmsg_len += (uint32_t)(p - start);
	return (struct nlattr *)start;
}

static uint32_t lazy_total(const struct nft_lazy_elems *l)
{
	uint32_t n;

	if (!l->n || l->hash)
		return (uint32_t)l->n;
	n = (uint32_t)l->n * 2;
	if (addr_all_bytes(l->v[l->n - 1].hi, l->len, 0xff))
		n--;
	if (l->sentinel && !addr_all_bytes(l->v[0].lo, l->len, 0))
		n++;
	return n;
}

static uint32_t elems_total(struct nftnl_set *s, const struct nft_lazy_elems *l)
{
	struct nftnl_set_elems_iter *it;
	uint32_t total = 0;

	if (l)
		return lazy_total(l);
	it = nftnl_set_elems_iter_create(s);
	if (!it)
		return UINT32_MAX;
	while (nftnl_set_elems_iter_next(it))
		total++;
	nftnl_set_elems_iter_destroy(it);
	return total;
}

/*
 * The elements of a set, as NEWSETELEM or DELSETELEM messages. The element
 * list is one attribute, whose 16-bit length caps it at 64 KiB: a long list
 * goes on in further messages of the same batch, as nft splits it, so
 * 100,000 addresses stay one transaction.
 */
static int put_elems(struct nftnl_batch *b, struct nftnl_set *s,
		     const struct nft_lazy_elems *lazy, uint16_t type,
		     uint32_t *seq, uint16_t nlflags, struct nl_msgs *m,
		     const struct nftnl_rule *rule)
{
	struct nftnl_udata_buf *open = NULL;
	struct elem_cursor c;
	struct nlattr *list, *nest;
	struct nlmsghdr *nlh;
	uint32_t total, first = 0, count = 0, i = 0;
	int ret = 0;

	total = elems_total(s, lazy);
	if (total == UINT32_MAX)
		return -ENOMEM;
	if (!total)
		return 0;
	if (lazy) {
		open = nftnl_udata_buf_alloc(16);
		if (!open || !nftnl_udata_put_u32(open, NFTNL_UDATA_SET_ELEM_FLAGS,
						  NFTNL_SET_ELEM_F_INTERVAL_OPEN)) {
			nftnl_udata_buf_free(open);
			return -ENOMEM;
		}
	}
	ret = cursor_init(&c, s, lazy, open);
	while (!ret && !cursor_done(&c)) {
		nlh = elems_start(b, s, type, seq, nlflags);
		if (!nlh) {
			ret = -ENOSPC;
			break;
		}
		list = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
		/* nft numbers the element nests on across messages. */
		first += count;
		count = 0;
		for (; !cursor_done(&c); cursor_next(&c)) {
			if (lazy) {
				nest = put_lazy_elem(nlh, &c, (uint16_t)++i);
			} else {
				nest = mnl_attr_nest_start(nlh, (uint16_t)++i);
				nftnl_set_elem_nlmsg_build_payload(nlh, c.e);
				mnl_attr_nest_end(nlh, nest);
			}
			if ((char *)nest + nest->nla_len - (char *)list >
			    UINT16_MAX) {
				/* Did not fit: it opens the next message. */
				nlh->nlmsg_len -= nest->nla_len;
				break;
			}
			count++;
		}
		mnl_attr_nest_end(nlh, list);
		note_msg(m, nlh, NL_WHAT_ELEMS, s, rule);
		if (m && !m->nomem) {
			m->v[m->n - 1].first = first;
			m->v[m->n - 1].count = count;
			m->v[m->n - 1].total = total;
		}
		ret = msg_end(b);
	}
	cursor_release(&c);
	if (open)
		nftnl_udata_buf_free(open);
	return ret;
}

/* A set and its elements. */
static int put_set(struct nftnl_batch *b, struct nftnl_set *s,
		   const struct nft_lazy_elems *lazy, uint32_t *seq,
		   uint16_t nlflags, struct nl_msgs *m,
		   const struct nftnl_rule *rule)
{
	struct nlmsghdr *nlh;

	int ret;

	nlh = msg_start(b, NFT_MSG_NEWSET, NLM_F_CREATE | nlflags, seq);
	if (!nlh)
		return -ENOSPC;
	nftnl_set_nlmsg_build_payload(nlh, s);
	note_msg(m, nlh, NL_WHAT_SET, s, rule);
	ret = msg_end(b);
	if (ret < 0)
		return ret;
	return put_elems(b, s, lazy, NFT_MSG_NEWSETELEM, seq, nlflags, m,
			 rule);
}

/*
 * The kernel dumps a dynset's timeout even when it is 0 (none) and refuses
 * any timeout for a set without the timeout flag (EOPNOTSUPP), so a rule
 * read back would not go in again: a timeout of 0 is left out, as nft
 * does. libnftnl cannot unset it, so it is cut from the expression just
 * written (the last attribute of the message; nest, the expression's
 * list element, is closed after this).
 */
static void drop_dynset_timeout(struct nlmsghdr *nlh, struct nlattr *nest,
				const struct nftnl_expr *e)
{
	struct nlattr *data = NULL, *a;

	if (strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "dynset") ||
	    !nftnl_expr_is_set(e, NFTNL_EXPR_DYNSET_TIMEOUT) ||
	    nftnl_expr_get_u64(e, NFTNL_EXPR_DYNSET_TIMEOUT))
		return;
	for (a = mnl_attr_get_payload(nest);
	     (char *)a < (char *)mnl_nlmsg_get_payload_tail(nlh);
	     a = (struct nlattr *)((char *)a + MNL_ALIGN(a->nla_len)))
		if (mnl_attr_get_type(a) == NFTA_EXPR_DATA)
			data = a;
	if (!data)
		return;
	mnl_attr_for_each_nested (a, data) {
		size_t len = MNL_ALIGN(a->nla_len);
		char *end = mnl_nlmsg_get_payload_tail(nlh);

		if (mnl_attr_get_type(a) != NFTA_DYNSET_TIMEOUT)
			continue;
		memmove(a, (char *)a + len, (size_t)(end - ((char *)a + len)));
		data->nla_len -= (uint16_t)len;
		nlh->nlmsg_len -= (uint32_t)len;
		return;
	}
}

/* In nft's attribute order: table, chain, expressions, userdata. */
/* A stateful object (a ct helper), encoded by libnftnl as nft does. */
static int put_obj(struct nftnl_batch *b, const struct nftnl_obj *o,
		   uint32_t *seq, uint16_t nlflags, struct nl_msgs *m)
{
	struct nlmsghdr *nlh;

	nlh = msg_start(b, NFT_MSG_NEWOBJ, NLM_F_CREATE | nlflags, seq);
	nftnl_obj_nlmsg_build_payload(nlh, (struct nftnl_obj *)o);
	note_msg(m, nlh, NL_WHAT_OBJ, o, NULL);
	return msg_end(b);
}

static int put_rule(struct nftnl_batch *b, struct nftnl_rule *r,
		    uint32_t *seq, uint16_t nlflags, struct nl_msgs *m)
{
	struct nftnl_expr_iter *it;
	struct nftnl_expr *e;
	struct nlmsghdr *nlh;
	struct nlattr *list, *nest;

	nlh = msg_start(b, NFT_MSG_NEWRULE,
			NLM_F_CREATE | NLM_F_APPEND | nlflags, seq);
	if (!nlh)
		return -ENOSPC;
	mnl_attr_put_strz(nlh, NFTA_RULE_TABLE,
			  nftnl_rule_get_str(r, NFTNL_RULE_TABLE));
	mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN,
			  nftnl_rule_get_str(r, NFTNL_RULE_CHAIN));
	it = nftnl_expr_iter_create(r);
	if (!it)
		return -ENOMEM;
	list = mnl_attr_nest_start(nlh, NFTA_RULE_EXPRESSIONS);
	while ((e = nftnl_expr_iter_next(it))) {
		nest = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
		nftnl_expr_build_payload(nlh, e);
		drop_dynset_timeout(nlh, nest, e);
		mnl_attr_nest_end(nlh, nest);
	}
	mnl_attr_nest_end(nlh, list);
	nftnl_expr_iter_destroy(it);
	if (nftnl_rule_is_set(r, NFTNL_RULE_USERDATA)) {
		uint32_t len;
		const void *ud = nftnl_rule_get_data(r, NFTNL_RULE_USERDATA,
						     &len);

		mnl_attr_put(nlh, NFTA_RULE_USERDATA, len, ud);
	}
	note_msg(m, nlh, NL_WHAT_RULE, r, NULL);
	return msg_end(b);
}

static bool set_is_deferred(const struct nftnl_set *s)
{
	return (nftnl_set_get_u32(s, NFTNL_SET_FLAGS) & NFT_SET_ANONYMOUS) &&
	       nftnl_set_is_set(s, NFTNL_SET_ID);
}

static bool rule_looks_up(struct nftnl_rule *r, uint32_t id)
{
	struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
	struct nftnl_expr *e;
	bool found = false;

	if (!it)
		return false;
	while (!found && (e = nftnl_expr_iter_next(it)))
		found = !strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "lookup") &&
			nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_SET_ID) &&
			nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_SET_ID) == id;
	nftnl_expr_iter_destroy(it);
	return found;
}

/* Whether a rule of o looks the set up by its id. */
static bool set_is_looked_up(const struct nft_objs *o,
			     const struct nftnl_set *s)
{
	uint32_t id = nftnl_set_get_u32(s, NFTNL_SET_ID);
	size_t i;

	for (i = 0; i < o->nrules; i++)
		if (rule_looks_up(o->rules[i], id))
			return true;
	return false;
}

/*
 * Anonymous sets are sent just before the rule that looks them up, as nft
 * does (the rule binds them); a rule names its set by
 * NFTNL_EXPR_LOOKUP_SET_ID.
 */
static int put_rule_sets(struct nftnl_batch *b, const struct nft_objs *o,
			 struct nftnl_rule *r, bool *sent, uint32_t *seq,
			 uint16_t nlflags, struct nl_msgs *m)
{
	struct nftnl_expr_iter *it;
	struct nftnl_expr *e;
	size_t i;
	int ret = 0;

	it = nftnl_expr_iter_create(r);
	if (!it)
		return -ENOMEM;
	while (ret == 0 && (e = nftnl_expr_iter_next(it))) {
		uint32_t id;

		if (strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "lookup") ||
		    !nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_SET_ID))
			continue;
		id = nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_SET_ID);
		for (i = 0; i < o->nsets; i++) {
			if (sent[i] || !set_is_deferred(o->sets[i]) ||
			    nftnl_set_get_u32(o->sets[i], NFTNL_SET_ID) != id)
				continue;
			sent[i] = true;
			ret = put_set(b, o->sets[i], NULL, seq, nlflags, m, r);
			break;
		}
	}
	nftnl_expr_iter_destroy(it);
	return ret;
}

/*
 * The replacement, in the order nft sends `fwgen print`: the table reset,
 * chains, sets with their elements, then rules.
 */
int nl_batch_append_objs(struct nftnl_batch *b, const struct nft_objs *o,
			 uint32_t *seq, uint16_t nlflags, struct nl_msgs *m)
{
	const char *name = nftnl_table_get_str(o->table, NFTNL_TABLE_NAME);
	bool *sent;
	size_t i;
	int ret;

	sent = calloc(o->nsets + 1, sizeof(*sent));
	if (!sent)
		return -ENOMEM;
	ret = put_table_reset(b, name, seq, nlflags, m, o->table);
	if (!ret)
		ret = put_table_add(b, o->table, seq, nlflags, m);
	for (i = 0; !ret && i < o->nchains; i++)
		ret = put_chain(b, o->chains[i], seq, nlflags, m);
	/* After the chains, before the rules that reference them, as nft. */
	for (i = 0; !ret && i < o->nobjs; i++)
		ret = put_obj(b, o->objs[i], seq, nlflags, m);
	for (i = 0; !ret && i < o->nsets; i++) {
		if (set_is_deferred(o->sets[i]) &&
		    set_is_looked_up(o, o->sets[i]))
			continue;
		sent[i] = true;
		ret = put_set(b, o->sets[i],
			      i < o->nlazy ? &o->lazy[i] : NULL, seq, nlflags,
			      m, NULL);
	}
	for (i = 0; !ret && i < o->nrules; i++) {
		ret = put_rule_sets(b, o, o->rules[i], sent, seq, nlflags, m);
		if (!ret)
			ret = put_rule(b, o->rules[i], seq, nlflags, m);
	}
	free(sent);
	if (!ret && m && m->nomem)
		ret = -ENOMEM;
	return ret;
}

const struct nl_msginfo *nl_msg_find(const struct nl_msgs *m, uint32_t seq)
{
	size_t lo = 0, hi = m->n;

	/* Sequence numbers are consecutive along the batch. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->v[mid].seq == seq)
			return &m->v[mid];
		if ((int32_t)(m->v[mid].seq - seq) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The comment names the rule: fwgen writes one for every rule it makes. */
static void describe_rule(const struct nftnl_rule *r, char *buf, size_t len)
{
	char cbuf[CANON_COMMENT_MAX];
	const char *comment = canon_rule_comment(r, cbuf, sizeof(cbuf));

	if (comment)
		snprintf(buf, len, "rule in chain %s (\"%s\")",
			 nftnl_rule_get_str(r, NFTNL_RULE_CHAIN), comment);
	else
		snprintf(buf, len, "rule in chain %s",
			 nftnl_rule_get_str(r, NFTNL_RULE_CHAIN));
}

void nl_msg_describe(const struct nl_msginfo *i, char *buf, size_t len)
{
	char rule[512];

	switch (i->what) {
	case NL_WHAT_BATCH:
		snprintf(buf, len, "the transaction");
		break;
	case NL_WHAT_TABLE_ADD:
		snprintf(buf, len, "table inet %s",
			 nftnl_table_get_str(i->obj, NFTNL_TABLE_NAME));
		break;
	case NL_WHAT_TABLE_DEL:
		snprintf(buf, len, "the deletion of table inet %s",
			 nftnl_table_get_str(i->obj, NFTNL_TABLE_NAME));
		break;
	case NL_WHAT_CHAIN:
		snprintf(buf, len, "chain %s",
			 nftnl_chain_get_str(i->obj, NFTNL_CHAIN_NAME));
		break;
	case NL_WHAT_SET:
	case NL_WHAT_ELEMS:
		if (i->rule) {
			describe_rule(i->rule, rule, sizeof(rule));
			snprintf(buf, len, "%s %s of %s",
				 i->what == NL_WHAT_SET ? "the anonymous set" :
							  "the elements of the anonymous set",
				 nftnl_set_get_str(i->obj, NFTNL_SET_NAME), rule);
		} else if (i->what == NL_WHAT_SET) {
			snprintf(buf, len, "set %s",
				 nftnl_set_get_str(i->obj, NFTNL_SET_NAME));
		} else {
			snprintf(buf, len, "elements %u-%u of %u of set %s",
				 i->first + 1, i->first + i->count, i->total,
				 nftnl_set_get_str(i->obj, NFTNL_SET_NAME));
		}
		break;
	case NL_WHAT_RULE:
		describe_rule(i->obj, buf, len);
		break;
	case NL_WHAT_OBJ:
		snprintf(buf, len, "ct helper %s",
			 nftnl_obj_get_str((struct nftnl_obj *)i->obj, NFTNL_OBJ_NAME));
		break;
	}
}

struct nftnl_batch *nl_batch_new(void)
{
	return nftnl_batch_alloc(NL_PAGE_SIZE, FWGEN_NFTNL_MSG_MAX);
}

/* Batch begin, with the generation the transaction is valid for. */
static int batch_begin(struct nftnl_batch *b, uint32_t *seq, uint32_t genid,
		       struct nl_msgs *m)
{
	struct nlmsghdr *nlh = nftnl_batch_begin(nftnl_batch_buffer(b), (*seq)++);

	if (genid)
		mnl_attr_put_u32(nlh, NFNL_BATCH_GENID, htonl(genid));
	note_msg(m, nlh, NL_WHAT_BATCH, NULL, NULL);
	return msg_end(b);
}

static int batch_end(struct nftnl_batch *b, uint32_t *seq, struct nl_msgs *m)
{
	struct nlmsghdr *nlh = nftnl_batch_end(nftnl_batch_buffer(b), (*seq)++);

	note_msg(m, nlh, NL_WHAT_BATCH, NULL, NULL);
	return msg_end(b);
}

/* A new batch in *out, begun with the generation it is valid for. */
static int batch_open(uint32_t *seq, uint32_t genid, struct nl_msgs *m,
		      struct nftnl_batch **out)
{
	*out = nl_batch_new();
	if (!*out)
		return -ENOMEM;
	return batch_begin(*out, seq, genid, m);
}

/*
 * Ends the batch *out as far as its builder got (ret): with the end
 * message when end (a check batch has none), or freed on error.
 */
static int batch_close(int ret, bool end, uint32_t *seq, struct nl_msgs *m,
		       struct nftnl_batch **out)
{
	if (!ret && end)
		ret = batch_end(*out, seq, m);
	if (!ret && m && m->nomem)
		ret = -ENOMEM;
	if (ret < 0 && *out) {
		nftnl_batch_free(*out);
		*out = NULL;
	}
	return ret < 0 ? ret : 0;
}

int nl_build_replace(const struct nft_objs *o, enum nl_mode mode,
		     uint32_t genid, uint16_t nlflags, uint32_t *seq,
		     struct nftnl_batch **out, struct nl_msgs *m)
{
	int ret = batch_open(seq, genid, m, out);

	if (!ret)
		ret = nl_batch_append_objs(*out, o, seq, nlflags, m);
	return batch_close(ret, mode == NL_COMMIT, seq, m, out);
}

uint32_t nl_last_acked(const struct nl_msgs *m)
{
	size_t i = m->n;

	while (i-- > 0)
		if (m->v[i].what != NL_WHAT_BATCH)
			return m->v[i].seq;
	return 0;
}

int nl_build_delete_table(const struct nftnl_table *t, uint32_t *seq,
			  struct nftnl_batch **out, struct nl_msgs *m)
{
	struct nlmsghdr *nlh;
	int ret = batch_open(seq, 0, m, out);

	if (!ret) {
		nlh = msg_start(*out, NFT_MSG_DELTABLE, NLM_F_ACK, seq);
		mnl_attr_put_strz(nlh, NFTA_TABLE_NAME,
				  nftnl_table_get_str(t, NFTNL_TABLE_NAME));
		note_msg(m, nlh, NL_WHAT_TABLE_DEL, t, NULL);
		ret = msg_end(*out);
	}
	return batch_close(ret, true, seq, m, out);
}

int nl_build_set_elems(const struct nl_elems_op *ops, size_t nops,
		       uint32_t genid, uint32_t *seq, struct nftnl_batch **out,
		       struct nl_msgs *m)
{
	int ret = batch_open(seq, genid, m, out);
	size_t i;

	for (i = 0; !ret && i < nops; i++)
		ret = put_elems(*out, ops[i].set, NULL, ops[i].type, seq,
				NLM_F_ACK, m, NULL);
	return batch_close(ret, true, seq, m, out);
}

int nl_batch_fprintf(struct fwgen_ctx *ctx, const struct nft_objs *o,
		     enum nl_mode mode, uint32_t seq, FILE *out)
{
	struct nftnl_batch *b;
	struct iovec *iov;
	int i, n;

	if (nl_build_replace(o, mode, 0, 0, &seq, &b, NULL) < 0)
		return ctx_nomem(ctx);
	n = nftnl_batch_iovec_len(b);
	iov = calloc((size_t)n, sizeof(*iov));
	if (!iov) {
		nftnl_batch_free(b);
		return ctx_nomem(ctx);
	}
	nftnl_batch_iovec(b, iov, (uint32_t)n);
	for (i = 0; i < n; i++)
		mnl_nlmsg_fprintf(out, iov[i].iov_base, iov[i].iov_len,
				  sizeof(struct nfgenmsg));
	free(iov);
	nftnl_batch_free(b);
	return 0;
}

/*
 * Names the message seq of those nl_batch_append_objs() writes from
 * first_seq on: encodes them again into a batch of fwgen's own, which
 * splits element lists where any batch with room does, and looks seq up.
 * -ENOENT when seq is not one of them.
 */
int nl_describe_seq(const struct nft_objs *o, uint32_t first_seq,
		    uint32_t seq, char *buf, size_t len)
{
	struct nftnl_batch *b = nl_batch_new();
	struct nl_msgs m = { 0 };
	const struct nl_msginfo *i;
	uint32_t next = first_seq;
	int ret;

	if (!b)
		return -ENOMEM;
	ret = nl_batch_append_objs(b, o, &next, 0, &m);
	if (!ret) {
		i = nl_msg_find(&m, seq);
		if (i)
			nl_msg_describe(i, buf, len);
		else
			ret = -ENOENT;
	}
	nftnl_batch_free(b);
	nl_msgs_release(&m);
	return ret;
}
