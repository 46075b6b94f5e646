/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sets of the policy as libnftnl objects, as nft 1.0.6 makes them:
 * named peer sets (hash and interval parts) with their elements, the
 * refused sets, and the anonymous sets and maps rules look up.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include <libnftnl/expr.h>
#include <libnftnl/set.h>
#include <libnftnl/udata.h>

#include "nft-build-priv.h"
#include "util.h"

/* Sets and elements */

int nftb_push_set(struct build *b, struct nftnl_set *s)
{
	if (array_push(&b->o->sets, &b->o->nsets, &b->set_cap,
		       sizeof(*b->o->sets)) < 0) {
		nftnl_set_free(s);
		return -ENOMEM;
	}
	b->o->sets[b->o->nsets - 1] = s;
	return 0;
}

static struct nftnl_set *set_new(struct build *b, const char *name,
				 uint32_t flags, uint32_t key_type,
				 uint32_t key_len)
{
	struct nftnl_set *s = nftnl_set_alloc();

	if (!s)
		return NULL;
	if (nftnl_set_set_str(s, NFTNL_SET_TABLE, b->pol->table) < 0 ||
	    nftnl_set_set_str(s, NFTNL_SET_NAME, name) < 0) {
		nftnl_set_free(s);
		return NULL;
	}
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, flags);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, key_type);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, key_len);
	nftnl_set_set_u32(s, NFTNL_SET_ID, ++b->set_id);
	return s;
}

/* Moves the userdata buffer into the set; frees it either way. */
static int set_take_udata(struct nftnl_set *s, struct nftnl_udata_buf *ud)
{
	int ret;

	ret = nftnl_set_set_data(s, NFTNL_SET_USERDATA,
				 nftnl_udata_buf_data(ud),
				 nftnl_udata_buf_len(ud));
	nftnl_udata_buf_free(ud);
	return ret < 0 ? -ENOMEM : 0;
}

static struct nftnl_set_elem *elem_add(struct nftnl_set *s, const void *key,
				       size_t len)
{
	struct nftnl_set_elem *e = nftnl_set_elem_alloc();

	if (!e)
		return NULL;
	if (nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, len) < 0) {
		nftnl_set_elem_free(e);
		return NULL;
	}
	nftnl_set_elem_add(s, e);
	return e;
}

/*
 * The elements of a (non-concatenated) interval set as nft sends them:
 * the kernel's interval sets hold the start of every range and, flagged
 * INTERVAL_END, the first value after it. nft leads with an end element at
 * zero when the first range does not start there, and marks a range that
 * runs to the top of the key space as open (element userdata) instead of
 * ending it. lo/hi are big-endian keys of len bytes, sorted and disjoint.
 * Returns the number of elements added, or -ENOMEM.
 */
int nft_interval_elems(struct nftnl_set *s, const uint8_t *lo,
		       const uint8_t *hi, size_t n, size_t stride, size_t len,
		       bool sentinel)
{
	uint8_t key[16];
	struct nftnl_set_elem *e;
	int count = 0;
	size_t i;

	if (n == 0)
		return 0;
	if (sentinel && !addr_all_bytes(lo, len, 0)) {
		memset(key, 0, len);
		if (!(e = elem_add(s, key, len)))
			return -ENOMEM;
		nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_FLAGS,
				       NFT_SET_ELEM_INTERVAL_END);
		count++;
	}
	for (i = 0; i < n; i++) {
		const uint8_t *l = lo + i * stride, *h = hi + i * stride;

		if (!(e = elem_add(s, l, len)))
			return -ENOMEM;
		count++;
		if (addr_all_bytes(h, len, 0xff)) {
			struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(16);
			int ret;

			if (!ud)
				return -ENOMEM;
			nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_ELEM_FLAGS,
					    NFTNL_SET_ELEM_F_INTERVAL_OPEN);
			ret = nftnl_set_elem_set(e, NFTNL_SET_ELEM_USERDATA,
						 nftnl_udata_buf_data(ud),
						 nftnl_udata_buf_len(ud));
			nftnl_udata_buf_free(ud);
			if (ret < 0)
				return -ENOMEM;
			continue;
		}
		memcpy(key, h, len);
		addr_increment(key, len);
		if (!(e = elem_add(s, key, len)))
			return -ENOMEM;
		nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_FLAGS,
				       NFT_SET_ELEM_INTERVAL_END);
		count++;
	}
	return count;
}

/*
 * The elements of a hash set of single addresses: a key each, nothing
 * else, as nft sends them. Returns the number added, or -ENOMEM.
 */
int nft_hash_elems(struct nftnl_set *s, const uint8_t *lo, size_t n,
		   size_t stride, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!elem_add(s, lo + i * stride, len))
			return -ENOMEM;
	return (int)n;
}

/*
 * A named peer set: the hash part `type ipv4_addr; size N` of a role's
 * hosts, or the interval part `type ipv4_addr; flags interval` of its
 * prefixes (policy_split_sets()).
 */
int nftb_named_set(struct build *b, const struct pol_set *ps)
{
	size_t len = addr_bytes(ps->family);
	struct nftnl_udata_buf *ud;
	struct nftnl_set *s;
	int ret;

	s = set_new(b, ps->name, ps->hash ? 0 : NFT_SET_INTERVAL,
		    ps->family == 4 ? NFT_TYPE_IPADDR : NFT_TYPE_IP6ADDR, len);
	if (!s)
		return -ENOMEM;
	if (ps->hash)
		nftnl_set_set_u32(s, NFTNL_SET_DESC_SIZE, ps->size);
	ud = nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN);
	if (!ud || !nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_KEYBYTEORDER,
					NFT_BYTEORDER_BIG_ENDIAN)) {
		nftnl_udata_buf_free(ud);
		goto err;
	}
	if (set_take_udata(s, ud) < 0)
		goto err;
	if (b->lazy) {
		/* Named sets come first: set index i is policy set i. */
		b->o->lazy[b->o->nsets] = (struct nft_lazy_elems){
			ps->elems, ps->nelems, (uint32_t)len, !ps->hash, ps->hash
		};
	} else if (ps->nelems && ps->hash) {
		if (nft_hash_elems(s, ps->elems[0].lo, ps->nelems,
				   sizeof(ps->elems[0]), len) < 0)
			goto err;
	} else if (ps->nelems) {
		ret = nft_interval_elems(s, ps->elems[0].lo, ps->elems[0].hi,
					 ps->nelems, sizeof(ps->elems[0]), len,
					 true);
		if (ret < 0)
			goto err;
	}
	return nftb_push_set(b, s);
err:
	nftnl_set_free(s);
	return -ENOMEM;
}

/*
 * A refused set: `type ipv4_addr . inet_proto . inet_service; size N;
 * flags dynamic,timeout; timeout T; counter`, filled by the rules of the
 * drop path. The kernel gives every element the set's counter.
 */
int nftb_refused_set(struct build *b, const struct pol_refused *pr)
{
	uint32_t addr_type = pr->family == 4 ? NFT_TYPE_IPADDR : NFT_TYPE_IP6ADDR;
	uint32_t len = (uint32_t)addr_bytes(pr->family) + 4 + 4;
	struct nftnl_udata *typeof_nest, *data;
	struct nftnl_udata_buf *ud;
	struct nftnl_expr *counter;
	struct nftnl_set *s;

	/* Concatenated key types: 6 bits each, the first field highest. */
	s = set_new(b, pr->name, NFT_SET_TIMEOUT | NFT_SET_EVAL,
		    (addr_type << (2 * NFT_TYPE_BITS)) |
			    (NFT_TYPE_INET_PROTOCOL << NFT_TYPE_BITS) |
			    NFT_TYPE_INET_SERVICE,
		    len);
	if (!s)
		return -ENOMEM;
	nftnl_set_set_u32(s, NFTNL_SET_DESC_SIZE, POL_REFUSED_SIZE);
	nftnl_set_set_u64(s, NFTNL_SET_TIMEOUT, POL_REFUSED_TIMEOUT_S * 1000ull);
	/* nft: key byte order "invalid" for a concatenation, typeof concat. */
	ud = nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN);
	if (!ud || !nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_KEYBYTEORDER, 0) ||
	    !(typeof_nest = nftnl_udata_nest_start(ud, NFTNL_UDATA_SET_KEY_TYPEOF)) ||
	    !nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_TYPEOF_EXPR,
				 NFT_EXPRTYPE_CONCAT) ||
	    !(data = nftnl_udata_nest_start(ud, NFTNL_UDATA_SET_TYPEOF_DATA))) {
		nftnl_udata_buf_free(ud);
		goto err;
	}
	nftnl_udata_nest_end(ud, data);
	nftnl_udata_nest_end(ud, typeof_nest);
	if (set_take_udata(s, ud) < 0)
		goto err;
	counter = nftnl_expr_alloc("counter");
	if (!counter)
		goto err;
	nftnl_set_add_expr(s, counter);
	return nftb_push_set(b, s);
err:
	nftnl_set_free(s);
	return -ENOMEM;
}

/*
 * The "typeof" userdata nft attaches to an anonymous set built from a
 * payload match: which header (desc) and field its key comes from.
 */
static bool put_typeof_payload(struct nftnl_udata_buf *ud, uint32_t desc,
			       uint32_t field)
{
	struct nftnl_udata *data;

	if (!nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_TYPEOF_EXPR,
				 NFT_EXPRTYPE_PAYLOAD))
		return false;
	data = nftnl_udata_nest_start(ud, NFTNL_UDATA_SET_TYPEOF_DATA);
	if (!data)
		return false;
	if (!nftnl_udata_put_u32(ud, 0, desc) ||
	    !nftnl_udata_put_u32(ud, 1, field))
		return false;
	nftnl_udata_nest_end(ud, data);
	return true;
}

/* The header a port set's `th dport` key is typed by, as nft records it. */
static uint32_t port_protodesc(uint8_t l4proto)
{
	return l4proto == POL_L4_UDP ? NFT_PROTODESC_UDP : NFT_PROTODESC_TCP;
}

static bool put_key_typeof_payload(struct nftnl_udata_buf *ud, uint32_t desc,
				   uint32_t field)
{
	struct nftnl_udata *nest;

	nest = nftnl_udata_nest_start(ud, NFTNL_UDATA_SET_KEY_TYPEOF);
	if (!nest || !put_typeof_payload(ud, desc, field))
		return false;
	nftnl_udata_nest_end(ud, nest);
	return true;
}

/*
 * `tcp dport { 80, 443 }` or `udp dport { 80, 8000-8100 }`: an anonymous
 * constant set, an interval set when a range is among the ports. nft merges
 * overlapping and adjacent ranges of interval sets (auto-merge), so the
 * ports are normalised here the same way.
 */
struct nftnl_set *nftb_port_set(struct build *b,
				const struct pol_rule *pr)
{
	struct nftnl_udata_buf *ud = NULL;
	struct port_range *v = NULL;
	uint8_t(*key)[2][2] = NULL;
	bool interval = false;
	struct nftnl_set *s;
	size_t i, n = 0;
	int count;

	for (i = 0; i < pr->ndports; i++)
		if (pr->dports[i].lo != pr->dports[i].hi)
			interval = true;
	s = set_new(b, "__set%d",
		    NFT_SET_ANONYMOUS | NFT_SET_CONSTANT |
			    (interval ? NFT_SET_INTERVAL : 0),
		    NFT_TYPE_INET_SERVICE, 2);
	if (!s)
		return NULL;
	if (!interval) {
		/* nft keeps the order written; so does print. */
		for (i = 0; i < pr->ndports; i++) {
			uint16_t port = htons(pr->dports[i].lo);

			if (!elem_add(s, &port, sizeof(port)))
				goto err;
		}
		count = (int)pr->ndports;
	} else {
		v = malloc(pr->ndports * sizeof(*v));
		key = malloc(pr->ndports * sizeof(*key));
		if (!v || !key)
			goto err;
		memcpy(v, pr->dports, pr->ndports * sizeof(*v));
		/* Insertion sort: a handful of ports. */
		for (i = 1; i < pr->ndports; i++) {
			struct port_range t = v[i];
			size_t j = i;

			for (; j > 0 && v[j - 1].lo > t.lo; j--)
				v[j] = v[j - 1];
			v[j] = t;
		}
		/* Merge overlapping and adjacent ranges in place. */
		for (i = 0; i < pr->ndports; i++) {
			if (n && (uint32_t)v[i].lo <= (uint32_t)v[n - 1].hi + 1) {
				if (v[i].hi > v[n - 1].hi)
					v[n - 1].hi = v[i].hi;
				continue;
			}
			v[n++] = v[i];
		}
		for (i = 0; i < n; i++) {
			key[i][0][0] = v[i].lo >> 8;
			key[i][0][1] = v[i].lo & 0xff;
			key[i][1][0] = v[i].hi >> 8;
			key[i][1][1] = v[i].hi & 0xff;
		}
		count = nft_interval_elems(s, key[0][0], key[0][1], n,
					   sizeof(key[0]), 2, true);
		if (count < 0)
			goto err;
	}
	nftnl_set_set_u32(s, NFTNL_SET_DESC_SIZE, (uint32_t)count);

	ud = nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN);
	if (!ud ||
	    !nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_KEYBYTEORDER,
				 NFT_BYTEORDER_BIG_ENDIAN) ||
	    (interval &&
	     !nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_MERGE_ELEMENTS, 1)) ||
	    !put_key_typeof_payload(ud, port_protodesc(pr->l4proto),
				    NFT_FIELD_TH_DPORT))
		goto err;
	if (set_take_udata(s, ud) < 0) {
		ud = NULL;
		goto err;
	}
	free(v);
	free(key);
	return s;
err:
	nftnl_udata_buf_free(ud);
	free(v);
	free(key);
	nftnl_set_free(s);
	return NULL;
}

/* `icmp type { ... }` / `icmpv6 type { ... }`, in the order written. */
struct nftnl_set *nftb_icmp_set(struct build *b,
				const struct pol_rule *pr, int family)
{
	struct nftnl_udata_buf *ud;
	struct nftnl_set *s;
	size_t i;

	s = set_new(b, "__set%d", NFT_SET_ANONYMOUS | NFT_SET_CONSTANT,
		    family == 6 ? NFT_TYPE_ICMP6_TYPE : NFT_TYPE_ICMP_TYPE, 1);
	if (!s)
		return NULL;
	for (i = 0; i < pr->nicmp_types; i++)
		if (!elem_add(s, &pr->icmp_types[i], 1))
			goto err;
	nftnl_set_set_u32(s, NFTNL_SET_DESC_SIZE, (uint32_t)pr->nicmp_types);
	ud = nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN);
	if (!ud ||
	    !nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_KEYBYTEORDER,
				 NFT_BYTEORDER_BIG_ENDIAN) ||
	    !put_key_typeof_payload(ud, family == 6 ? NFT_PROTODESC_ICMPV6 : NFT_PROTODESC_ICMP,
				    NFT_FIELD_ICMP_TYPE)) {
		nftnl_udata_buf_free(ud);
		goto err;
	}
	if (set_take_udata(s, ud) < 0)
		goto err;
	return s;
err:
	nftnl_set_free(s);
	return NULL;
}

/*
 * The userdata of the dispatch map: key `meta l4proto . th dport` (a
 * concatenation, so no single key byte order), data a verdict.
 */
static struct nftnl_udata_buf *vmap_udata(void)
{
	struct nftnl_udata *key, *data, *elems, *f;
	struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN);

	if (!ud)
		return NULL;
	if (!nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_KEYBYTEORDER, 0) ||
	    !nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_DATABYTEORDER, 0))
		goto err;
	if (!(key = nftnl_udata_nest_start(ud, NFTNL_UDATA_SET_KEY_TYPEOF)))
		goto err;
	if (!nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_TYPEOF_EXPR,
				 NFT_EXPRTYPE_CONCAT))
		goto err;
	if (!(elems = nftnl_udata_nest_start(ud, NFTNL_UDATA_SET_TYPEOF_DATA)))
		goto err;
	/* Field 0: meta l4proto. */
	if (!(f = nftnl_udata_nest_start(ud, 0)))
		goto err;
	if (!nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_TYPEOF_EXPR,
				 NFT_EXPRTYPE_META))
		goto err;
	if (!(data = nftnl_udata_nest_start(ud, NFTNL_UDATA_SET_TYPEOF_DATA)))
		goto err;
	if (!nftnl_udata_put_u32(ud, 0, NFT_META_L4PROTO))
		goto err;
	nftnl_udata_nest_end(ud, data);
	nftnl_udata_nest_end(ud, f);
	/* Field 1: th dport. */
	if (!(f = nftnl_udata_nest_start(ud, 1)))
		goto err;
	if (!put_typeof_payload(ud, NFT_PROTODESC_TH, NFT_FIELD_TH_DPORT))
		goto err;
	nftnl_udata_nest_end(ud, f);
	nftnl_udata_nest_end(ud, elems);
	nftnl_udata_nest_end(ud, key);
	/* The data: a verdict, no further description. */
	if (!(data = nftnl_udata_nest_start(ud, NFTNL_UDATA_SET_DATA_TYPEOF)))
		goto err;
	if (!nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_TYPEOF_EXPR,
				 NFT_EXPRTYPE_VERDICT))
		goto err;
	if (!(f = nftnl_udata_nest_start(ud, NFTNL_UDATA_SET_TYPEOF_DATA)))
		goto err;
	nftnl_udata_nest_end(ud, f);
	nftnl_udata_nest_end(ud, data);
	if (!nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_DATA_INTERVAL, 0))
		goto err;
	return ud;
err:
	nftnl_udata_buf_free(ud);
	return NULL;
}

bool nftb_vmap_is_interval(const struct pol_rule *pr)
{
	size_t i;

	for (i = 0; i < pr->nvmap; i++)
		if (pr->vmap[i].ports.lo != pr->vmap[i].ports.hi)
			return true;
	return false;
}

/*
 * `meta l4proto . th dport vmap { tcp . 80 : jump in_tcp_80, ... }`: an
 * anonymous map keyed by the concatenation, each field padded to 4 bytes
 * as registers are. With a port range among the keys nft makes it a
 * concatenated interval map (the kernel's pipapo), each element carrying
 * its own end key; otherwise a plain hash of exact keys.
 */
struct nftnl_set *nftb_vmap(struct build *b, const struct pol_rule *pr)
{
	static const uint8_t field_len[] = { 1, 2 };
	bool interval = nftb_vmap_is_interval(pr);
	struct nftnl_udata_buf *ud;
	struct nftnl_set *s;
	size_t i;

	s = set_new(b, "__map%d",
		    NFT_SET_ANONYMOUS | NFT_SET_CONSTANT | NFT_SET_MAP |
			    (interval ? NFT_SET_INTERVAL | NFT_SET_CONCAT : 0),
		    NFT_TYPE_INET_PROTOCOL << NFT_TYPE_BITS |
			    NFT_TYPE_INET_SERVICE,
		    8);
	if (!s)
		return NULL;
	nftnl_set_set_u32(s, NFTNL_SET_DATA_TYPE, NFT_TYPE_VERDICT);
	nftnl_set_set_u32(s, NFTNL_SET_DATA_LEN, 0);
	nftnl_set_set_u32(s, NFTNL_SET_DESC_SIZE, (uint32_t)pr->nvmap);
	if (interval &&
	    nftnl_set_set_data(s, NFTNL_SET_DESC_CONCAT, field_len,
			       sizeof(field_len)) < 0)
		goto err;
	for (i = 0; i < pr->nvmap; i++) {
		const struct pol_vmap_elem *v = &pr->vmap[i];
		const char *chain = b->pol->chains[v->chain].name;
		uint8_t key[8] = { v->l4proto, 0, 0, 0, v->ports.lo >> 8,
				   v->ports.lo & 0xff, 0, 0 };
		struct nftnl_set_elem *e;

		if (!(e = elem_add(s, key, sizeof(key))))
			goto err;
		if (interval) {
			key[4] = v->ports.hi >> 8;
			key[5] = v->ports.hi & 0xff;
			if (nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY_END, key,
					       sizeof(key)) < 0)
				goto err;
		}
		nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_VERDICT, NFT_JUMP);
		if (nftnl_set_elem_set_str(e, NFTNL_SET_ELEM_CHAIN, chain) < 0)
			goto err;
	}
	if (!(ud = vmap_udata()) || set_take_udata(s, ud) < 0)
		goto err;
	return s;
err:
	nftnl_set_free(s);
	return NULL;
}
