/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One set of fwgen's table, read for a live update. Reading 100,000
 * elements costs the kernel a walk of the whole set per dump message, so a
 * live update asks instead where single addresses fall: the kernel answers
 * a get of a key in an interval set with the interval that holds the key.
 */
#include <errno.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include <libnftnl/set.h>

#include "nft-canon.h"
#include "setread.h"

int setread_begin(struct setread *sr, const char *table, uint32_t *genid)
{
	int ret;

	memset(sr, 0, sizeof(*sr));
	sr->table = table;
	ret = nlread_open(&sr->nr);
	if (ret == 0)
		ret = nlread_gen(&sr->nr);
	*genid = sr->nr.genid_full;
	return ret;
}

void setread_end(struct setread *sr)
{
	nlread_release(&sr->nr);
}

/* A set with table and name, as every request about one set names it. */
static struct nftnl_set *set_named(const struct setread *sr, const char *name)
{
	struct nftnl_set *s = nftnl_set_alloc();

	if (!s)
		return NULL;
	if (nftnl_set_set_str(s, NFTNL_SET_TABLE, sr->table) < 0 ||
	    nftnl_set_set_str(s, NFTNL_SET_NAME, name) < 0) {
		nftnl_set_free(s);
		return NULL;
	}
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
	return s;
}

struct reply {
	struct setread *sr;
	struct nftnl_set *s; /* fills with what the replies carry */
	bool elems;	     /* the replies are element lists */
	bool stop_at_first;  /* setread_any(): one element is enough */
};

/* Stops a walk of the elements at the first (libnftnl stops on < 0). */
static int stop_cb(struct nftnl_set_elem *e, void *arg)
{
	return -1;
}

static int reply_cb(const struct nlmsghdr *nlh, void *data)
{
	struct reply *r = data;
	int ret;

	if (nlread_same_gen(&r->sr->nr, nlh) < 0)
		return MNL_CB_ERROR;
	ret = r->elems ? nftnl_set_elems_nlmsg_parse(nlh, r->s) :
			 nftnl_set_nlmsg_parse(nlh, r->s);
	if (ret < 0) {
		r->sr->nr.err = errno == ENOMEM ? -ENOMEM : -EIO;
		return MNL_CB_ERROR;
	}
	if (r->stop_at_first && nftnl_set_elem_foreach(r->s, stop_cb, NULL))
		return MNL_CB_STOP;
	return MNL_CB_OK;
}

int setread_info(struct setread *sr, const char *name,
		 struct setread_info *info)
{
	struct reply r = { .sr = sr };
	struct nlmsghdr *nlh;
	int ret;

	memset(info, 0, sizeof(*info));
	r.s = set_named(sr, name);
	if (!r.s)
		return -ENOMEM;
	nlh = nlread_msg(&sr->nr, NFT_MSG_GETSET, NFPROTO_INET, NLM_F_ACK);
	nftnl_set_nlmsg_build_payload(nlh, r.s);
	ret = nlread_talk(&sr->nr, nlh, reply_cb, &r);
	if (ret == 0) {
		info->present = true;
		info->flags = nftnl_set_get_u32(r.s, NFTNL_SET_FLAGS);
		info->key_len = nftnl_set_get_u32(r.s, NFTNL_SET_KEY_LEN);
		info->key_type = nftnl_set_get_u32(r.s, NFTNL_SET_KEY_TYPE);
		if (nftnl_set_is_set(r.s, NFTNL_SET_DESC_SIZE))
			info->size = nftnl_set_get_u32(r.s, NFTNL_SET_DESC_SIZE);
	}
	nftnl_set_free(r.s);
	/* No set, or no table at all: the second is the caller's error. */
	if (ret == -ENOENT)
		ret = nlread_get_table(&sr->nr, sr->table, NULL, NULL);
	return ret;
}

struct one {
	const uint8_t *key;
	uint32_t len;
	uint32_t flags;
	size_t n;
};

static int one_cb(struct nftnl_set_elem *e, void *arg)
{
	struct one *o = arg;
	uint32_t len = 0;

	o->n++;
	o->key = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &len);
	o->len = o->key ? len : 0;
	o->flags = nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_FLAGS) ?
			   nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_FLAGS) :
			   0;
	return 0;
}

/*
 * A get of one key, as a start (end == false) or an end element: the
 * element the kernel answers with, copied to out. 1 found, 0 none.
 */
static int get_elem(struct setread *sr, const char *name, const uint8_t *key,
		    uint32_t len, bool end, uint8_t *out)
{
	struct reply r = { .sr = sr, .elems = true };
	struct nftnl_set *q = set_named(sr, name);
	struct nftnl_set_elem *e = nftnl_set_elem_alloc();
	struct nlmsghdr *nlh;
	struct one o = { 0 };
	int ret = -ENOMEM;

	/* The request and the reply each have a set: replies append. */
	r.s = set_named(sr, name);
	if (!q || !e || !r.s)
		goto out;
	nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, len);
	if (end)
		nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_FLAGS,
				       NFT_SET_ELEM_INTERVAL_END);
	nftnl_set_elem_add(q, e);
	e = NULL;
	nlh = nlread_msg(&sr->nr, NFT_MSG_GETSETELEM, NFPROTO_INET, NLM_F_ACK);
	nftnl_set_elems_nlmsg_build_payload(nlh, q);
	ret = nlread_talk(&sr->nr, nlh, reply_cb, &r);
	if (ret == 0) {
		nftnl_set_elem_foreach(r.s, one_cb, &o);
		if (o.n != 1 || o.len != len ||
		    !!(o.flags & NFT_SET_ELEM_INTERVAL_END) != end)
			ret = -EPROTO;
		else
			memcpy(out, o.key, len);
	}
	if (ret == -ENOENT)
		ret = 0;
	else if (ret == 0)
		ret = 1;
out:
	if (q)
		nftnl_set_free(q);
	if (e)
		nftnl_set_elem_free(e);
	if (r.s)
		nftnl_set_free(r.s);
	return ret;
}

int setread_find(struct setread *sr, const char *name, int family,
		 const uint8_t *addr, struct addr_interval *iv)
{
	uint32_t len = (uint32_t)addr_bytes(family);
	uint8_t start[16], end[16];
	int ret;

	ret = get_elem(sr, name, addr, len, false, start);
	if (ret <= 0)
		return ret;
	ret = get_elem(sr, name, addr, len, true, end);
	if (ret < 0)
		return ret;
	/*
	 * The interval [start, end) must hold addr. No end element means an
	 * interval that runs to the top of the address space, or a set of a
	 * shape this reading does not know: either way, read it all.
	 */
	if (ret == 0 || memcmp(start, addr, len) > 0 ||
	    memcmp(end, addr, len) <= 0)
		return -EPROTO;
	memset(iv, 0, sizeof(*iv));
	memcpy(iv->lo, start, len);
	memcpy(iv->hi, end, len);
	addr_decrement(iv->hi, len);
	return 1;
}

int setread_has(struct setread *sr, const char *name, int family,
		const uint8_t *addr)
{
	uint8_t key[16];

	return get_elem(sr, name, addr, (uint32_t)addr_bytes(family), false, key);
}

static int dump_elems(struct setread *sr, const char *name, bool first_only,
		      struct nftnl_set **out)
{
	struct reply r = { .sr = sr, .elems = true, .stop_at_first = first_only };
	struct nlmsghdr *nlh;
	int ret;

	*out = NULL;
	r.s = set_named(sr, name);
	if (!r.s)
		return -ENOMEM;
	nlh = nlread_msg(&sr->nr, NFT_MSG_GETSETELEM, NFPROTO_INET, NLM_F_DUMP);
	nftnl_set_elems_nlmsg_build_payload(nlh, r.s);
	ret = nlread_talk(&sr->nr, nlh, reply_cb, &r);
	if (ret < 0) {
		nftnl_set_free(r.s);
		return ret;
	}
	*out = r.s;
	return 0;
}

static int count_cb(struct nftnl_set_elem *e, void *arg)
{
	(*(size_t *)arg)++;
	return 0;
}

int setread_any(struct setread *sr, const char *name, bool *any)
{
	struct setread probe = { .table = sr->table };
	struct nftnl_set *s = NULL;
	size_t n = 0;
	int ret;

	/*
	 * A socket of its own, closed mid-dump: the kernel then builds no
	 * more of the dump, and sr stays free for further requests.
	 */
	*any = false;
	ret = nlread_open(&probe.nr);
	probe.nr.genid = sr->nr.genid;
	if (ret == 0)
		ret = dump_elems(&probe, name, true, &s);
	nlread_release(&probe.nr);
	if (ret < 0)
		return ret;
	nftnl_set_elem_foreach(s, count_cb, &n);
	nftnl_set_free(s);
	*any = n > 0;
	return 0;
}

struct collect {
	struct addr_list *l;
	uint32_t len;
};

static int collect_cb(const uint8_t *lo, const uint8_t *hi, uint32_t len,
		      struct nftnl_set_elem *e, void *arg)
{
	struct collect *c = arg;
	struct addr_interval iv;

	if (len != c->len)
		return 0; /* a catch-all, or a key of another size */
	memset(&iv, 0, sizeof(iv));
	memcpy(iv.lo, lo, len);
	memcpy(iv.hi, hi, len);
	return addr_list_add(c->l, &iv);
}

int setread_all(struct setread *sr, const char *name, int family,
		bool interval, struct addr_list *out, size_t *nraw)
{
	struct collect c = { out, (uint32_t)addr_bytes(family) };
	struct nftnl_set *s;
	int ret;

	*nraw = 0;
	ret = dump_elems(sr, name, false, &s);
	if (ret < 0)
		return ret;
	nftnl_set_elem_foreach(s, count_cb, nraw);
	/* canon_set_elems() reads the flags to know the elements' shape. */
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, interval ? NFT_SET_INTERVAL : 0);
	ret = canon_set_elems(s, collect_cb, &c);
	nftnl_set_free(s);
	return ret < 0 ? -ENOMEM : 0;
}
