/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Live updates of peer address sets (include/fwgen/sets.h): learn what the
 * kernel holds around the addresses given, work out the normalised result
 * there (setops.c), and send only the elements that change, in one small
 * transaction under the lock apply holds.
 *
 * Admitting one machine must not cost a read of a 100,000-element set, so
 * the update asks the kernel with point lookups which intervals hold the
 * addresses given and their neighbours. A request too wide for that (a
 * large prefix, thousands of addresses) reads the whole set instead.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include <libnftnl/set.h>

#include <fwgen/sets.h>

#include "netlink.h"
#include "nft-build.h"
#include "render.h"
#include "nft-canon.h"
#include "nft-types.h"
#include "policy_build.h"
#include "readback.h"
#include "runlock.h"
#include "setops.h"
#include "setread.h"
#include "tablename.h"
#include "yaml-doc.h"

/* An update starts over this often when the ruleset changes meanwhile. */
#define UPDATE_TRIES 5

/*
 * Point lookups an update may spend before it reads the whole set instead:
 * each costs a few microseconds, a whole read of 100,000 elements about
 * 100 ms. A new address costs three (itself and both neighbours).
 */
#define LOOKUP_BUDGET 256

/* libnftnl's _free() does not take NULL. */
static void set_free(struct nftnl_set *s)
{
	if (s)
		nftnl_set_free(s);
}

/*
 * One part of a role's set in one family (policy_split_sets()): the hash
 * part <role>_v4 of single hosts, or the interval part <role>_v4_net of
 * prefixes and ranges. An update works on the family's two parts as one
 * normalised list (what the inventory would say), and sends each element
 * that changes to the part its shape belongs in.
 */
struct side {
	int family;
	bool hash;		     /* the hash part */
	char name[YD_NAME_MAX + 12]; /* <role>_v4, <role>_v4_net */
	/*
	 * what the caller gave for the
	 * family, normalised
	 */
	struct addr_list req;
	/*
	 * the kernel's elements the update
	 * touches (all of them when whole)
	 */
	struct addr_list cur;
	bool whole;    /* cur is the whole set */
	bool empty;    /* the set holds no element at all */
	bool present;  /* the set exists */
	uint32_t size; /* hash: the most elements it takes */
	struct addr_list del, add;
	struct nftnl_set *del_set, *add_set;
};

/* Per family, the hash part and then the _net part. */
#define NSIDES 4

static void side_reset(struct side *sd)
{
	addr_list_release(&sd->cur);
	addr_list_release(&sd->del);
	addr_list_release(&sd->add);
	set_free(sd->del_set);
	set_free(sd->add_set);
	sd->del_set = sd->add_set = NULL;
	sd->whole = sd->empty = sd->present = false;
	sd->size = 0;
}

static void side_release(struct side *sd)
{
	side_reset(sd);
	addr_list_release(&sd->req);
}

static void sides_release(struct side sides[NSIDES])
{
	size_t i;

	for (i = 0; i < NSIDES; i++)
		side_release(&sides[i]);
}

static int check_names(struct fwgen_ctx *ctx, const char *table,
		       const char *role)
{
	int ret = table_name_check(ctx, table);

	if (ret < 0)
		return ret;
	if (!role || !yd_is_name(role, YD_NAME_MAX))
		return ctx_err(ctx, -EINVAL,
			       "'%.64s' is not a role name (lowercase letters, digits, '-' and '_', at most %d)",
			       role ? role : "", YD_NAME_MAX);
	return 0;
}

static void init_sides(struct side sides[NSIDES], const char *role)
{
	size_t i;

	memset(sides, 0, NSIDES * sizeof(*sides));
	for (i = 0; i < NSIDES; i++) {
		sides[i].family = i < 2 ? 4 : 6;
		sides[i].hash = !(i & 1);
		snprintf(sides[i].name, sizeof(sides[i].name), "%s_v%d%s", role,
			 sides[i].family, sides[i].hash ? "" : "_net");
	}
}

static int no_set(struct fwgen_ctx *ctx, const char *table, const char *role,
		  const char *name)
{
	return ctx_err(ctx, -ENOENT,
		       "role '%s' has no set %s in table inet %s: the role is not bound to addresses in the inventory (it means any address), or it is not a peer of this host's roles",
		       role, name, table);
}

/* Reading */

/* What went wrong reading, in words; -ERESTART (no message) means again. */
static int read_fail(struct fwgen_ctx *ctx, const char *table, int err)
{
	if (err == -EAGAIN)
		return -ERESTART;
	if (err == -ENOENT)
		return ctx_err(ctx, -ENOENT,
			       "table inet %s does not exist: apply a policy first",
			       table);
	return nlread_fail(ctx, table, err);
}

static int cmp_lo4(const void *a, const void *b)
{
	return memcmp(((const struct addr_interval *)a)->lo,
		      ((const struct addr_interval *)b)->lo, 4);
}

static int cmp_lo16(const void *a, const void *b)
{
	return memcmp(((const struct addr_interval *)a)->lo,
		      ((const struct addr_interval *)b)->lo, 16);
}

/* Sorts l and drops repeats, merging nothing: l says what the kernel holds. */
static void sort_unique(struct addr_list *l, int family)
{
	size_t bytes = addr_bytes(family), i, n = 0;

	if (l->n < 2)
		return;
	qsort(l->v, l->n, sizeof(*l->v), family == 4 ? cmp_lo4 : cmp_lo16);
	for (i = 0; i < l->n; i++)
		if (!n || memcmp(l->v[n - 1].lo, l->v[i].lo, bytes))
			l->v[n++] = l->v[i];
	l->n = n;
}

/*
 * Adds what the kernel answers for one key to cur. The walks go up the
 * address space, so an interval met twice is met in a row.
 */
static int note_interval(struct side *sd, const struct addr_interval *iv)
{
	size_t bytes = addr_bytes(sd->family);

	if (sd->cur.n && !memcmp(sd->cur.v[sd->cur.n - 1].lo, iv->lo, bytes))
		return 0;
	return addr_list_add(&sd->cur, iv);
}

/*
 * Finds, by point lookups, every interval of an interval part that an
 * update can change: for an addition those that overlap a range of probe
 * or touch it (they merge), for a deletion those that hold a part of one.
 * The walk asks for the key below a range, then goes up key by key, and
 * jumps over every interval the kernel reports. Returns 0 when cur is
 * complete, 1 when the whole set must be read instead (the budget ran
 * out, or the kernel answered in a shape not known).
 */
static int learn_neighbourhood(struct setread *sr, struct side *sd,
			       const struct addr_list *probe,
			       enum setops_op op, unsigned int *budget)
{
	size_t bytes = addr_bytes(sd->family), i;
	struct addr_interval iv;
	int ret;

	for (i = 0; i < probe->n; i++) {
		uint8_t key[16], last[16];

		memcpy(key, probe->v[i].lo, sizeof(key));
		memcpy(last, probe->v[i].hi, sizeof(last));
		if (op == SETOPS_ADD) {
			/* Neighbours at both ends, unless at an end of the space. */
			if (addr_decrement(key, bytes))
				memcpy(key, probe->v[i].lo, sizeof(key));
			if (addr_increment(last, bytes))
				memcpy(last, probe->v[i].hi, sizeof(last));
		}
		for (;;) {
			if (*budget == 0)
				return 1;
			(*budget)--;
			ret = setread_find(sr, sd->name, sd->family, key, &iv);
			if (ret == -EPROTO)
				return 1;
			if (ret < 0)
				return ret;
			if (ret == 1) {
				if (note_interval(sd, &iv) < 0)
					return -ENOMEM;
				if (memcmp(iv.hi, last, bytes) >= 0)
					break;
				memcpy(key, iv.hi, sizeof(key));
			} else if (!memcmp(key, last, bytes)) {
				/* An address to delete may be in the other part. */
				break;
			}
			addr_increment(key, bytes);
		}
	}
	return 0;
}

static int hash_lookup(struct setread *sr, struct side *sd,
		       const uint8_t *key, unsigned int *budget)
{
	struct addr_interval iv;
	int ret;

	if (*budget == 0)
		return 1;
	(*budget)--;
	ret = setread_has(sr, sd->name, sd->family, key);
	if (ret <= 0)
		return ret;
	memset(&iv, 0, sizeof(iv));
	memcpy(iv.lo, key, addr_bytes(sd->family));
	memcpy(iv.hi, key, addr_bytes(sd->family));
	return addr_list_add(&sd->cur, &iv) < 0 ? -ENOMEM : 0;
}

/*
 * The same for the hash part: a lookup of every address requested, and
 * for an addition of the address on each side of every range of probe
 * (the hosts it merges with). Hosts inside a range of probe other than
 * those are not looked for: a host the _net part covers is not also in
 * the hash part. 0 done, 1 read the whole set instead.
 */
static int learn_hosts(struct setread *sr, struct side *sd,
		       const struct addr_list *probe, enum setops_op op,
		       unsigned int *budget)
{
	size_t bytes = addr_bytes(sd->family), i;
	uint8_t key[16];
	int ret = 0;

	for (i = 0; i < sd->req.n && ret == 0; i++) {
		memcpy(key, sd->req.v[i].lo, sizeof(key));
		for (;;) {
			ret = hash_lookup(sr, sd, key, budget);
			if (ret != 0 || !memcmp(key, sd->req.v[i].hi, bytes))
				break;
			addr_increment(key, bytes);
		}
	}
	for (i = 0; op == SETOPS_ADD && i < probe->n && ret == 0; i++) {
		memcpy(key, probe->v[i].lo, sizeof(key));
		if (!addr_decrement(key, bytes))
			ret = hash_lookup(sr, sd, key, budget);
		memcpy(key, probe->v[i].hi, sizeof(key));
		if (ret == 0 && !addr_increment(key, bytes))
			ret = hash_lookup(sr, sd, key, budget);
	}
	sort_unique(&sd->cur, sd->family);
	return ret;
}

static int read_whole(struct setread *sr, struct side *sd)
{
	size_t nraw;
	int ret;

	addr_list_release(&sd->cur);
	ret = setread_all(sr, sd->name, sd->family, !sd->hash, &sd->cur, &nraw);
	sd->whole = true;
	sd->empty = nraw == 0;
	return ret;
}

static bool same_list(const struct addr_list *a, const struct addr_list *b)
{
	return a->n == b->n &&
	       (!a->n || !memcmp(a->v, b->v, a->n * sizeof(*a->v)));
}

/* req with every element learned so far, normalised: where merges reach. */
static int grown_probe(const struct side *h, const struct side *n,
		       struct addr_list *out)
{
	const struct addr_list *l[3] = { &h->req, &h->cur, &n->cur };
	size_t i, j;

	for (i = 0; i < 3; i++)
		for (j = 0; j < l[i]->n; j++)
			if (addr_list_add(out, &l[i]->v[j]) < 0)
				return -ENOMEM;
	addr_list_normalize(out, h->family);
	return 0;
}

static bool has_range(const struct addr_list *l, int family)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!policy_elem_is_host(&l->v[i], family))
			return true;
	return false;
}

/*
 * Learns what an update of one family can touch in both parts. An
 * addition merges with neighbours, and a merge can reach further (a host
 * beside a host beside a prefix): the probe grows until it holds still.
 */
static int learn_family(struct setread *sr, struct side *h, struct side *n,
			enum setops_op op, unsigned int *budget)
{
	struct addr_list probe = { 0 }, next;
	bool any;
	int ret;

	if (addr_list_copy(&probe, &h->req) < 0)
		return -ENOMEM;
	for (;;) {
		addr_list_release(&h->cur);
		addr_list_release(&n->cur);
		ret = h->present ? learn_hosts(sr, h, &probe, op, budget) : 0;
		if (ret == 0 && n->present)
			ret = learn_neighbourhood(sr, n, &probe, op, budget);
		if (ret != 0 || op == SETOPS_DEL)
			break;
		memset(&next, 0, sizeof(next));
		if (grown_probe(h, n, &next) < 0) {
			ret = -ENOMEM;
			break;
		}
		if (same_list(&next, &probe)) {
			addr_list_release(&next);
			break;
		}
		addr_list_release(&probe);
		probe = next;
	}
	addr_list_release(&probe);
	if (ret == 1) {
		ret = h->present ? read_whole(sr, h) : 0;
		if (ret == 0 && n->present)
			ret = read_whole(sr, n);
	} else if (ret == 0 && op == SETOPS_ADD && n->present && !n->cur.n &&
		   (h->cur.n || has_range(&h->req, h->family))) {
		/*
		 * The _net part may get an element: nft's end element at zero
		 * goes only into an empty set.
		 */
		ret = setread_any(sr, n->name, &any);
		n->empty = !any;
	}
	return ret;
}

/*
 * Whether a part is exactly the shape fwgen makes: a hash set, or an
 * interval set, of ipv4_addr/ipv6_addr (NFT_TYPE_IPADDR/IP6ADDR). A
 * hand-made set of another type of the same length (mark, ether...) is
 * not written into.
 */
static bool part_shape_ok(const struct side *sd, const struct setread_info *info)
{
	uint32_t other = NFT_SET_MAP | NFT_SET_ANONYMOUS | NFT_SET_OBJECT |
			 NFT_SET_CONCAT;

	if (sd->hash)
		other |= NFT_SET_INTERVAL;
	else if (!(info->flags & NFT_SET_INTERVAL))
		return false;
	return !(info->flags & other) && info->key_len == addr_bytes(sd->family) &&
	       info->key_type == (sd->family == 4 ? NFT_TYPE_IPADDR : NFT_TYPE_IP6ADDR);
}

/*
 * Reads what the update of the families with a request needs, all from
 * one ruleset generation, *genid. A missing set is not an error here
 * (sd->present says); a missing table is, with the hint to apply.
 * -ERESTART: the ruleset changed while reading.
 */
static int read_sides(struct fwgen_ctx *ctx, const char *table,
		      const char *role, struct side sides[NSIDES],
		      enum setops_op op, bool whole, uint32_t *genid)
{
	unsigned int budget = LOOKUP_BUDGET;
	struct setread_info info;
	struct setread sr;
	size_t i;
	int ret;

	ret = setread_begin(&sr, table, genid);
	for (i = 0; i < NSIDES && ret == 0; i++) {
		struct side *sd = &sides[i];

		side_reset(sd);
		if (!sd->req.n && !whole)
			continue;
		ret = setread_info(&sr, sd->name, &info);
		if (ret == 0 && info.present) {
			if (!part_shape_ok(sd, &info)) {
				setread_end(&sr);
				return ctx_err(ctx, -EINVAL,
					       "set %s of table inet %s is not an IPv%d address set of fwgen (role '%s'); an apply makes it anew",
					       sd->name, table, sd->family, role);
			}
			sd->present = true;
			sd->size = info.size;
			if (whole)
				ret = read_whole(&sr, sd);
		}
		/* Both parts of the family known: learn them together. */
		if (ret == 0 && !whole && !sd->hash &&
		    (sd[-1].present || sd->present))
			ret = learn_family(&sr, sd - 1, sd, op, &budget);
	}
	setread_end(&sr);
	return ret < 0 ? read_fail(ctx, table, ret) : 0;
}

/* Writing */

static struct nftnl_set *elems_set(const char *table, const struct side *sd,
				   const struct addr_list *l, bool sentinel)
{
	struct nftnl_set *s = nftnl_set_alloc();
	size_t len = addr_bytes(sd->family);
	int ret;

	if (!s)
		return NULL;
	if (nftnl_set_set_str(s, NFTNL_SET_TABLE, table) < 0 ||
	    nftnl_set_set_str(s, NFTNL_SET_NAME, sd->name) < 0) {
		nftnl_set_free(s);
		return NULL;
	}
	if (sd->hash)
		ret = nft_hash_elems(s, l->v ? l->v[0].lo : NULL, l->n,
				     sizeof(l->v[0]), len);
	else
		ret = nft_interval_elems(s, l->v ? l->v[0].lo : NULL,
					 l->v ? l->v[0].hi : NULL, l->n,
					 sizeof(l->v[0]), len, sentinel);
	if (ret < 0) {
		nftnl_set_free(s);
		return NULL;
	}
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
	return s;
}

static int report_lines(FILE *f, const char *table, const struct side *sd,
			const struct addr_list *l, char sign)
{
	char buf[ADDR_INTERVAL_STRLEN];
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (addr_interval_format(&l->v[i], sd->family, buf, sizeof(buf)) < 0)
			return -EIO;
		if (fprintf(f, "%c element inet %s %s { %s }\n", sign, table,
			    sd->name, buf) < 0)
			return -EIO;
	}
	return 0;
}

/* The two parts' elements as one sorted list, into out (empty on entry). */
static int merge_parts(const struct side *h, const struct side *n,
		       struct addr_list *out)
{
	size_t bytes = addr_bytes(h->family), i = 0, j = 0;
	int ret = 0;

	while (ret == 0 && (i < h->cur.n || j < n->cur.n)) {
		if (j == n->cur.n ||
		    (i < h->cur.n && memcmp(h->cur.v[i].lo, n->cur.v[j].lo, bytes) < 0))
			ret = addr_list_add(out, &h->cur.v[i++]);
		else
			ret = addr_list_add(out, &n->cur.v[j++]);
	}
	return ret;
}

/* Finds an address of the request that the set does not hold, for the message. */
static int not_in_set(struct fwgen_ctx *ctx, const char *table,
		      const struct side *sd, const struct addr_list *cur,
		      const char *const *addresses, size_t n)
{
	struct addr_list now = { 0 };
	struct addr_interval iv;
	struct addr_prefix p;
	const char *why, *bad = NULL;
	size_t i;

	if (addr_list_copy(&now, cur) < 0)
		return ctx_nomem(ctx);
	addr_list_normalize(&now, sd->family);
	for (i = 0; i < n && !bad; i++) {
		if (addr_parse(addresses[i], &p, &why) < 0 ||
		    p.family != sd->family)
			continue;
		addr_prefix_interval(&p, &iv);
		if (!setops_covers(&now, sd->family, &iv))
			bad = addresses[i];
	}
	addr_list_release(&now);
	return ctx_err(ctx, -ENOENT,
		       "'%.100s' is not in set %s of table inet %s; nothing was deleted",
		       bad ? bad : "?", sd->name, table);
}

/*
 * Whether the hash part holds an element: its keys are sorted, distinct
 * single hosts (learn_hosts(), or a whole read), so a host is there when
 * the binary search finds it, and anything wider never is.
 */
static bool hash_part_holds(const struct side *h, const struct addr_interval *iv)
{
	return h->present && policy_elem_is_host(iv, h->family) &&
	       addr_list_contains(&h->cur, h->family, iv->lo);
}

/*
 * Sends each element of the family's delta to its part: a deletion where
 * the element is, an addition of a single host to the hash part and of
 * anything wider to the _net part (policy_elem_is_host(), as apply does).
 */
static int route(struct fwgen_ctx *ctx, const char *table, const char *role,
		 struct side *h, struct side *n, const struct addr_list *del,
		 const struct addr_list *add)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < del->n && ret == 0; i++) {
		struct side *from = hash_part_holds(h, &del->v[i]) ? h : n;

		ret = addr_list_add(&from->del, &del->v[i]);
	}
	for (i = 0; i < add->n && ret == 0; i++) {
		bool host = policy_elem_is_host(&add->v[i], h->family);
		struct side *to = host && h->present ? h : n;

		if (!to->present)
			return no_set(ctx, table, role, to->name);
		ret = addr_list_add(&to->add, &add->v[i]);
	}
	return ret < 0 ? ctx_nomem(ctx) : 0;
}

/* The elements to send for one family, from what was read of both parts. */
static int plan_family(struct fwgen_ctx *ctx, const char *table,
		       const char *role, struct side *h, struct side *n,
		       enum setops_op op, const char *const *addresses,
		       size_t naddr)
{
	struct addr_list cur = { 0 }, del = { 0 }, add = { 0 };
	int ret;

	if (!h->present && !n->present)
		return no_set(ctx, table, role, h->name);
	if (merge_parts(h, n, &cur) < 0)
		return ctx_nomem(ctx);
	ret = setops_plan(op, h->family, &cur, &h->req, &del, &add);
	if (ret == -ENOENT)
		ret = not_in_set(ctx, table, h, &cur, addresses, naddr);
	else if (ret < 0)
		ret = ctx_nomem(ctx);
	else
		ret = route(ctx, table, role, h, n, &del, &add);
	addr_list_release(&cur);
	addr_list_release(&del);
	addr_list_release(&add);
	return ret;
}

static int plan_sides(struct fwgen_ctx *ctx, const char *table,
		      const char *role, struct side sides[NSIDES],
		      enum setops_op op, const char *const *addresses, size_t n)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < NSIDES && ret == 0; i += 2)
		if (sides[i].req.n)
			ret = plan_family(ctx, table, role, &sides[i],
					  &sides[i + 1], op, addresses, n);
	/*
	 * nft leads with its end element at zero only when it fills an
	 * interval set that holds no element at all (not even that
	 * sentinel, which deletions leave behind).
	 */
	for (i = 0; i < NSIDES && ret == 0; i++) {
		struct side *sd = &sides[i];

		sd->del_set = elems_set(table, sd, &sd->del, false);
		sd->add_set = elems_set(table, sd, &sd->add, sd->empty);
		if (!sd->del_set || !sd->add_set)
			ret = ctx_nomem(ctx);
	}
	return ret;
}

/* Deletions first: an addition may reuse a start or end key. */
static int send_sides(struct fwgen_ctx *ctx, struct nl_sock *s,
		      const char *table, struct side sides[NSIDES],
		      uint32_t genid)
{
	struct nl_elems_op ops[2 * NSIDES];
	size_t nops = 0, i;
	int ret;

	for (i = 0; i < NSIDES; i++)
		if (sides[i].del.n)
			ops[nops++] = (struct nl_elems_op){
				NFT_MSG_DELSETELEM, sides[i].del_set
			};
	for (i = 0; i < NSIDES; i++)
		if (sides[i].add.n)
			ops[nops++] = (struct nl_elems_op){
				NFT_MSG_NEWSETELEM, sides[i].add_set
			};
	ret = nops ? nl_set_elems(ctx, s, ops, nops, genid) : 0;
	if (ret != -ENFILE)
		return ret;
	/* A hash part at its size: the kernel took nothing of the batch. */
	for (i = 0; i < NSIDES; i++)
		if (sides[i].hash && sides[i].add.n)
			return ctx_err(ctx, -ENOSPC,
				       "set %s of table inet %s is full (size %u); nothing was changed: add the addresses to the inventory and apply, which sizes the set for them",
				       sides[i].name, table, sides[i].size);
	return ret;
}

static bool overlaps(const struct addr_list *l, int family,
		     const struct addr_interval *iv)
{
	size_t bytes = addr_bytes(family), i;

	for (i = 0; i < l->n; i++)
		if (memcmp(l->v[i].lo, iv->hi, bytes) <= 0 &&
		    memcmp(l->v[i].hi, iv->lo, bytes) >= 0)
			return true;
	return false;
}

/* Whether what was read of a family shows the update done. */
static int family_done(const struct side *h, const struct side *n,
		       enum setops_op op, bool *done)
{
	struct addr_list cur = { 0 };
	size_t j;

	if (merge_parts(h, n, &cur) < 0)
		return -ENOMEM;
	addr_list_normalize(&cur, h->family);
	for (j = 0; j < h->req.n; j++) {
		const struct addr_interval *iv = &h->req.v[j];

		if (op == SETOPS_ADD ? !setops_covers(&cur, h->family, iv) :
				       overlaps(&cur, h->family, iv))
			*done = false;
	}
	addr_list_release(&cur);
	return 0;
}

/*
 * After lost acknowledgements (-ETIME from nl_set_elems()): whether the
 * update went in, read back. A generation still at genid means nothing was
 * committed (-EIO, nothing changed); a moved one with every address added
 * (or none of those deleted left) means it was (0). Otherwise someone
 * else's commit moved it and ours, guarded by genid, was refused:
 * -ERESTART, so the caller starts over.
 */
static int settle_sides(struct fwgen_ctx *ctx, const char *table,
			const char *role, const struct side sides[NSIDES],
			enum setops_op op, uint32_t genid)
{
	struct side chk[NSIDES];
	char lost[FWGEN_ERRMSG_MAX];
	struct nl_sock *s = NULL;
	uint32_t now = 0, g;
	bool done = true;
	size_t i;
	int ret;

	snprintf(lost, sizeof(lost), "%s", ctx->errmsg);
	ret = nl_open(ctx, &s);
	if (ret == 0)
		ret = nl_genid(ctx, s, &now);
	nl_close(s);
	if (ret == 0 && now == genid)
		return ctx_err(ctx, -EIO,
			       "%s; the ruleset generation did not move, so nothing was changed",
			       lost);
	memset(chk, 0, sizeof(chk));
	for (i = 0; i < NSIDES && ret == 0; i++) {
		chk[i].family = sides[i].family;
		chk[i].hash = sides[i].hash;
		memcpy(chk[i].name, sides[i].name, sizeof(chk[i].name));
		if (addr_list_copy(&chk[i].req, &sides[i].req) < 0)
			ret = ctx_nomem(ctx);
	}
	if (ret == 0)
		ret = read_sides(ctx, table, role, chk, op, false, &g);
	for (i = 0; i < NSIDES && ret == 0; i += 2)
		if (family_done(&chk[i], &chk[i + 1], op, &done) < 0)
			ret = ctx_nomem(ctx);
	sides_release(chk);
	if (ret == -ERESTART || (ret == 0 && !done))
		return -ERESTART;
	if (ret < 0) {
		char why[FWGEN_ERRMSG_MAX];

		snprintf(why, sizeof(why), "%s", ctx->errmsg);
		return ctx_err(ctx, -ETIME,
			       "%s, and reading the set back failed (%s): the outcome is unknown",
			       lost, why);
	}
	return 0;
}

static int report_sides(struct fwgen_ctx *ctx, FILE *report, const char *table,
			const struct side sides[NSIDES])
{
	size_t i;
	int ret = 0;

	for (i = 0; i < NSIDES && ret == 0; i++)
		ret = report_lines(report, table, &sides[i], &sides[i].del, '-');
	for (i = 0; i < NSIDES && ret == 0; i++)
		ret = report_lines(report, table, &sides[i], &sides[i].add, '+');
	if (ret < 0)
		return ctx_err(ctx, -EIO,
			       "the set was changed, but writing the report failed");
	return 0;
}

/* Only the sets of fwgen's own table (FWGEN_TABLE_COMMENT) are written. */
static int refuse_foreign(struct fwgen_ctx *ctx, const char *table)
{
	char buf[CANON_COMMENT_MAX];
	struct nftnl_table *t = NULL;
	int ret = readback_table_head(ctx, table, &t);

	if (ret == 0 && readback_not_ours(t, buf, sizeof(buf)))
		ret = ctx_err(ctx, -EEXIST,
			      "table inet %s was not made by fwgen (no comment \"%s\"): fwgen writes only into the sets of its own table; nothing was changed",
			      table, FWGEN_TABLE_COMMENT);
	if (t)
		nftnl_table_free(t);
	return ret;
}

static int set_change(struct fwgen_ctx *ctx, const char *table,
		      const char *role, const char *const *addresses,
		      size_t n, enum setops_op op, FILE *report)
{
	struct side sides[NSIDES];
	struct nl_sock *s = NULL;
	uint32_t genid = 0;
	int fd = -1, tries, ret;

	table = table ? table : FWGEN_DEFAULT_TABLE;
	if ((ret = check_names(ctx, table, role)) < 0)
		return ret;
	if (!addresses || n == 0)
		return ctx_err(ctx, -EINVAL, "no address given");
	init_sides(sides, role);
	ret = setops_parse(ctx, addresses, n, &sides[0].req, &sides[2].req);
	if (ret == 0 && (addr_list_copy(&sides[1].req, &sides[0].req) < 0 ||
			 addr_list_copy(&sides[3].req, &sides[2].req) < 0))
		ret = ctx_nomem(ctx);
	if (ret < 0)
		goto out;
	if ((ret = nl_open(ctx, &s)) < 0)
		goto out;
	if ((ret = lock_take(ctx, &fd)) < 0)
		goto out;
	if ((ret = refuse_foreign(ctx, table)) < 0)
		goto out;
	ret = -ERESTART;
	for (tries = 0; tries < UPDATE_TRIES && ret == -ERESTART; tries++) {
		ret = read_sides(ctx, table, role, sides, op, false, &genid);
		if (ret == 0)
			ret = plan_sides(ctx, table, role, sides, op, addresses, n);
		if (ret == 0)
			ret = send_sides(ctx, s, table, sides, genid);
		if (ret == -ETIME)
			ret = settle_sides(ctx, table, role, sides, op, genid);
	}
	if (ret == -ERESTART)
		ret = ctx_err(ctx, -EAGAIN,
			      "the ruleset kept changing while fwgen updated the set; nothing was changed, try again");
	if (ret == 0 && report)
		ret = report_sides(ctx, report, table, sides);
out:
	lock_release(fd);
	nl_close(s);
	sides_release(sides);
	return ret;
}

FWGEN_EXPORT int fwgen_set_add(struct fwgen_ctx *ctx, const char *table,
			       const char *role, const char *const *addresses,
			       size_t n, FILE *report)
{
	ARG_CTX(ctx);
	ARG_CHECK(ctx, role);
	ARG_CHECK(ctx, addresses || !n);

	return set_change(ctx, table, role, addresses, n, SETOPS_ADD, report);
}

FWGEN_EXPORT int fwgen_set_del(struct fwgen_ctx *ctx, const char *table,
			       const char *role, const char *const *addresses,
			       size_t n, FILE *report)
{
	ARG_CTX(ctx);
	ARG_CHECK(ctx, role);
	ARG_CHECK(ctx, addresses || !n);

	return set_change(ctx, table, role, addresses, n, SETOPS_DEL, report);
}

FWGEN_EXPORT int fwgen_set_list(struct fwgen_ctx *ctx, const char *table,
				const char *role, FILE *out)
{
	struct side sides[NSIDES];
	char buf[ADDR_INTERVAL_STRLEN];
	uint32_t genid;
	size_t i, j;
	int ret, tries;

	ARG_CTX(ctx);
	ARG_CHECK(ctx, role);
	ARG_CHECK(ctx, out);

	table = table ? table : FWGEN_DEFAULT_TABLE;
	if ((ret = check_names(ctx, table, role)) < 0)
		return ret;
	if (!out)
		return ctx_err(ctx, -EINVAL, "no output stream");
	init_sides(sides, role);
	ret = -ERESTART;
	for (tries = 0; tries < UPDATE_TRIES && ret == -ERESTART; tries++)
		ret = read_sides(ctx, table, role, sides, SETOPS_ADD, true,
				 &genid);
	if (ret == -ERESTART)
		ret = ctx_err(ctx, -EAGAIN,
			      "the ruleset kept changing while fwgen read set %s; try again",
			      sides[0].name);
	if (ret == 0 && !sides[0].present && !sides[1].present &&
	    !sides[2].present && !sides[3].present)
		ret = no_set(ctx, table, role, sides[0].name);
	/* Per family, both parts as one list in address order. */
	for (i = 0; i < NSIDES && ret == 0; i += 2) {
		struct addr_list all = { 0 };

		if (merge_parts(&sides[i], &sides[i + 1], &all) < 0)
			ret = ctx_nomem(ctx);
		for (j = 0; j < all.n && ret == 0; j++) {
			if (addr_interval_format(&all.v[j], sides[i].family,
						 buf, sizeof(buf)) < 0 ||
			    fprintf(out, "%s\n", buf) < 0)
				ret = ctx_err(ctx, -EIO, "writing the set list failed");
		}
		addr_list_release(&all);
	}
	sides_release(sides);
	return ret;
}
