/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Live updates of peer address sets: read the role's sets back, work out the
 * normalised result, and send only the elements that change, in one small
 * transaction under the lock apply holds.
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
#include "nft-canon.h"
#include "runlock.h"
#include "setops.h"
#include "yaml-doc.h"

/* The limits the inventory puts on names (inventory.c, catalog.c). */
#define ROLE_NAME_MAX 40
#define TABLE_NAME_MAX 32

/* An update starts over this often when the ruleset changes meanwhile. */
#define UPDATE_TRIES 5

/* Pure part: parsing and planning */

int setops_parse(struct fwgen_ctx *ctx, const char *const *addresses,
		 size_t n, struct addr_list *v4, struct addr_list *v6)
{
	struct addr_interval iv;
	struct addr_prefix p;
	const char *why;
	size_t i;

	for (i = 0; i < n; i++) {
		const char *a = addresses[i];

		if (!a)
			return ctx_err(ctx, -EINVAL, "address %zu is NULL", i + 1);
		if (addr_parse(a, &p, &why) < 0)
			return ctx_err(ctx, -EINVAL, "'%.100s': %s", a, why);
		addr_prefix_interval(&p, &iv);
		if (addr_list_add(p.family == 4 ? v4 : v6, &iv) < 0)
			return ctx_nomem(ctx);
	}
	addr_list_normalize(v4, 4);
	addr_list_normalize(v6, 6);
	return 0;
}

bool setops_covers(const struct addr_list *l, int family,
		   const struct addr_interval *iv)
{
	size_t bytes = addr_bytes(family), lo = 0, hi = l->n;

	/* The last interval starting at or below iv->lo must reach iv->hi. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (memcmp(l->v[mid].lo, iv->lo, bytes) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && memcmp(l->v[lo - 1].hi, iv->hi, bytes) >= 0;
}

/*
 * The sorted merge of two sorted lists, in linear time: a set of 100,000
 * elements gains one address without a sort of the whole.
 */
static int merge_sorted(const struct addr_list *a, const struct addr_list *b,
			int family, struct addr_list *out)
{
	size_t bytes = addr_bytes(family), i = 0, j = 0, n = a->n + b->n;

	memset(out, 0, sizeof(*out));
	if (!n)
		return 0;
	out->v = malloc(n * sizeof(*out->v));
	if (!out->v)
		return -ENOMEM;
	out->cap = n;
	while (i < a->n || j < b->n) {
		if (j == b->n ||
		    (i < a->n && memcmp(a->v[i].lo, b->v[j].lo, bytes) <= 0))
			out->v[out->n++] = a->v[i++];
		else
			out->v[out->n++] = b->v[j++];
	}
	return 0;
}

int setops_plan(enum setops_op op, int family, const struct addr_list *cur,
		const struct addr_list *req, struct addr_list *del,
		struct addr_list *add)
{
	struct addr_list now = { 0 }, empty = { 0 };
	size_t i;
	int ret;

	memset(del, 0, sizeof(*del));
	memset(add, 0, sizeof(*add));
	/*
	 * normalize() sorts first, which the merged (already sorted) lists
	 * pass through quickly; what matters is that adjacent ranges of a
	 * hand-made set and of the request become one, as apply writes them.
	 */
	if (op == SETOPS_ADD)
		ret = merge_sorted(cur, req, family, &now);
	else
		ret = merge_sorted(cur, &empty, family, &now);
	if (ret < 0)
		return ret;
	addr_list_normalize(&now, family);
	if (op == SETOPS_DEL) {
		for (i = 0; i < req->n; i++) {
			if (!setops_covers(&now, family, &req->v[i])) {
				addr_list_release(&now);
				return -ENOENT;
			}
		}
		for (i = 0; i < req->n; i++) {
			ret = addr_list_subtract(&now, family, &req->v[i]);
			if (ret < 0) {
				addr_list_release(&now);
				return ret;
			}
		}
	}
	ret = addr_list_delta(cur, &now, family, del, add);
	addr_list_release(&now);
	return ret;
}

/* Kernel part */

/* libnftnl's _free() does not take NULL. */
static void set_free(struct nftnl_set *s)
{
	if (s)
		nftnl_set_free(s);
}

struct side {
	int family;
	char name[ROLE_NAME_MAX + 8];	/* <role>_v4 */
	struct addr_list req;		/* what the caller gave, normalised */
	struct addr_list cur;		/* what the kernel holds */
	size_t nraw;			/* kernel elements, sentinel included */
	bool present;			/* the set exists */
	struct addr_list del, add;
	struct nftnl_set *del_set, *add_set;
};

static void side_release(struct side *sd)
{
	addr_list_release(&sd->req);
	addr_list_release(&sd->cur);
	addr_list_release(&sd->del);
	addr_list_release(&sd->add);
	set_free(sd->del_set);
	set_free(sd->add_set);
	sd->del_set = sd->add_set = NULL;
}

static int check_names(struct fwgen_ctx *ctx, const char *table,
		       const char *role)
{
	if (!table || !yd_is_name(table, TABLE_NAME_MAX))
		return ctx_err(ctx, -EINVAL,
			       "table name '%.64s' must be lowercase letters, digits, '-' and '_' (at most %d)",
			       table ? table : "", TABLE_NAME_MAX);
	if (!role || !yd_is_name(role, ROLE_NAME_MAX))
		return ctx_err(ctx, -EINVAL,
			       "'%.64s' is not a role name (lowercase letters, digits, '-' and '_', at most %d)",
			       role ? role : "", ROLE_NAME_MAX);
	return 0;
}

struct collect {
	struct addr_list *l;
	size_t bytes;
};

static int collect_cb(const uint8_t *lo, const uint8_t *hi, uint32_t len,
		      struct nftnl_set_elem *e, void *arg)
{
	struct collect *c = arg;
	struct addr_interval iv;

	(void)e;
	if (len != c->bytes)
		return 0;
	memset(&iv, 0, sizeof(iv));
	memcpy(iv.lo, lo, len);
	memcpy(iv.hi, hi, len);
	return addr_list_add(c->l, &iv);
}

static int count_cb(struct nftnl_set_elem *e, void *arg)
{
	(void)e;
	(*(size_t *)arg)++;
	return 0;
}

/*
 * Reads one of the role's sets into sd. A missing set is not an error
 * here (sd->present says); a missing table is, with the hint to apply.
 */
static int read_side(struct fwgen_ctx *ctx, struct nl_sock *s,
		     const char *table, const char *role, struct side *sd,
		     uint32_t *genid)
{
	struct nftnl_set *set = NULL;
	struct collect c = { &sd->cur, addr_bytes(sd->family) };
	uint32_t flags, klen;
	int ret;

	addr_list_release(&sd->cur);
	sd->nraw = 0;
	sd->present = false;
	ret = nl_dump_set(ctx, s, table, sd->name, &set, genid);
	if (ret == 0 && !set)
		return 0;
	if (ret == -ENOENT)
		return ctx_err(ctx, -ENOENT,
			       "table inet %s does not exist: run `fwgen apply` first",
			       table);
	if (ret < 0)
		return ret;
	flags = nftnl_set_get_u32(set, NFTNL_SET_FLAGS);
	klen = nftnl_set_get_u32(set, NFTNL_SET_KEY_LEN);
	if (!(flags & NFT_SET_INTERVAL) || (flags & (NFT_SET_MAP | NFT_SET_ANONYMOUS)) ||
	    klen != addr_bytes(sd->family)) {
		nftnl_set_free(set);
		return ctx_err(ctx, -EINVAL,
			       "set %s of table inet %s is not an IPv%d address set of fwgen (role '%s')",
			       sd->name, table, sd->family, role);
	}
	sd->present = true;
	nftnl_set_elem_foreach(set, count_cb, &sd->nraw);
	ret = canon_set_elems(set, collect_cb, &c);
	nftnl_set_free(set);
	if (ret < 0)
		return ctx_nomem(ctx);
	return 0;
}

static struct nftnl_set *elems_set(const char *table, const struct side *sd,
				   const struct addr_list *l, bool sentinel)
{
	struct nftnl_set *s = nftnl_set_alloc();

	if (!s)
		return NULL;
	if (nftnl_set_set_str(s, NFTNL_SET_TABLE, table) < 0 ||
	    nftnl_set_set_str(s, NFTNL_SET_NAME, sd->name) < 0 ||
	    nft_interval_elems(s, l->v ? l->v[0].lo : NULL,
			       l->v ? l->v[0].hi : NULL, l->n,
			       sizeof(l->v[0]), addr_bytes(sd->family),
			       sentinel) < 0) {
		nftnl_set_free(s);
		return NULL;
	}
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
	return s;
}

static int no_set(struct fwgen_ctx *ctx, const char *table, const char *role,
		  const char *name)
{
	return ctx_err(ctx, -ENOENT,
		       "role '%s' has no set %s in table inet %s: the role is not bound to addresses in the inventory (it means any address), or it is not a peer of this host's roles",
		       role, name, table);
}

static int report_lines(FILE *f, const char *table, const struct side *sd,
			const struct addr_list *l, char sign)
{
	char buf[ADDR_INTERVAL_STRLEN];
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (addr_interval_format(&l->v[i], sd->family, buf, sizeof(buf)) < 0)
			return -EINVAL;
		if (fprintf(f, "%c element inet %s %s { %s }\n", sign, table,
			    sd->name, buf) < 0)
			return -EIO;
	}
	return 0;
}

/* Finds an address of the request that the set does not hold, for the message. */
static int not_in_set(struct fwgen_ctx *ctx, const char *table,
		      const struct side *sd, const char *const *addresses,
		      size_t n)
{
	struct addr_list now = { 0 };
	struct addr_interval iv;
	struct addr_prefix p;
	const char *why, *bad = NULL;
	size_t i;

	if (addr_list_copy(&now, &sd->cur) < 0)
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
		       "'%.100s' is not in set %s of table inet %s (see `fwgen set list`); nothing was deleted",
		       bad ? bad : "?", sd->name, table);
}

static int set_change(struct fwgen_ctx *ctx, const char *table,
		      const char *role, const char *const *addresses,
		      size_t n, enum setops_op op, FILE *report)
{
	struct side sides[2] = { { .family = 4 }, { .family = 6 } };
	struct nl_elems_op ops[4];
	struct nl_sock *s = NULL;
	size_t nops, i;
	uint32_t genid = 0, g;
	int fd = -1, tries, ret;

	table = table ? table : FWGEN_DEFAULT_TABLE;
	if ((ret = check_names(ctx, table, role)) < 0)
		return ret;
	if (!addresses || n == 0)
		return ctx_err(ctx, -EINVAL, "no address given");
	for (i = 0; i < 2; i++)
		snprintf(sides[i].name, sizeof(sides[i].name), "%s_v%d", role,
			 sides[i].family);
	ret = setops_parse(ctx, addresses, n, &sides[0].req, &sides[1].req);
	if (ret < 0)
		goto out;
	if ((ret = nl_open(ctx, &s)) < 0)
		goto out;
	if ((ret = lock_take(ctx, &fd)) < 0)
		goto out;
	ret = -ERESTART;
	for (tries = 0; tries < UPDATE_TRIES && ret == -ERESTART; tries++) {
		nops = 0;
		/* Both sets from one ruleset generation, else read again. */
		for (i = 0, ret = 0; i < 2 && ret == 0; i++) {
			struct side *sd = &sides[i];

			if (!sd->req.n)
				continue;
			ret = read_side(ctx, s, table, role, sd, &g);
			if (ret == 0 && !sd->present)
				ret = no_set(ctx, table, role, sd->name);
			if (ret == 0 && genid && g != genid)
				ret = -ERESTART;
			genid = g;
		}
		if (ret == -ERESTART) {
			genid = 0;
			continue;
		}
		if (ret < 0)
			break;
		for (i = 0; i < 2 && ret == 0; i++) {
			struct side *sd = &sides[i];

			set_free(sd->del_set);
			set_free(sd->add_set);
			sd->del_set = sd->add_set = NULL;
			addr_list_release(&sd->del);
			addr_list_release(&sd->add);
			if (!sd->req.n)
				continue;
			ret = setops_plan(op, sd->family, &sd->cur, &sd->req,
					  &sd->del, &sd->add);
			if (ret == -ENOENT)
				ret = not_in_set(ctx, table, sd, addresses, n);
			else if (ret < 0)
				ret = ctx_nomem(ctx);
			if (ret < 0)
				break;
			/*
			 * nft leads with its end element at zero only when it
			 * fills a set that holds no element at all (not even
			 * that sentinel, which deletions leave behind).
			 */
			sd->del_set = elems_set(table, sd, &sd->del, false);
			sd->add_set = elems_set(table, sd, &sd->add,
						sd->nraw == 0);
			if (!sd->del_set || !sd->add_set)
				ret = ctx_nomem(ctx);
		}
		if (ret < 0)
			break;
		/* Deletions first: an addition may reuse a start or end key. */
		for (i = 0; i < 2; i++)
			if (sides[i].del.n)
				ops[nops++] = (struct nl_elems_op){
					NFT_MSG_DELSETELEM, sides[i].del_set };
		for (i = 0; i < 2; i++)
			if (sides[i].add.n)
				ops[nops++] = (struct nl_elems_op){
					NFT_MSG_NEWSETELEM, sides[i].add_set };
		ret = nops ? nl_set_elems(ctx, s, ops, nops, genid) : 0;
		genid = 0;
	}
	if (ret == -ERESTART)
		ret = ctx_err(ctx, -EAGAIN,
			      "the ruleset kept changing while fwgen updated the set; nothing was changed, try again");
	if (ret == 0 && report) {
		for (i = 0; i < 2 && ret == 0; i++)
			ret = report_lines(report, table, &sides[i],
					   &sides[i].del, '-');
		for (i = 0; i < 2 && ret == 0; i++)
			ret = report_lines(report, table, &sides[i],
					   &sides[i].add, '+');
		if (ret < 0)
			ret = ctx_err(ctx, -EIO,
				      "the set was changed, but writing the report failed");
	}
out:
	lock_release(fd);
	nl_close(s);
	side_release(&sides[0]);
	side_release(&sides[1]);
	return ret;
}

FWGEN_EXPORT int fwgen_set_add(struct fwgen_ctx *ctx, const char *table,
			       const char *role, const char *const *addresses,
			       size_t n, FILE *report)
{
	return set_change(ctx, table, role, addresses, n, SETOPS_ADD, report);
}

FWGEN_EXPORT int fwgen_set_del(struct fwgen_ctx *ctx, const char *table,
			       const char *role, const char *const *addresses,
			       size_t n, FILE *report)
{
	return set_change(ctx, table, role, addresses, n, SETOPS_DEL, report);
}

FWGEN_EXPORT int fwgen_set_list(struct fwgen_ctx *ctx, const char *table,
				const char *role, FILE *out)
{
	struct side sides[2] = { { .family = 4 }, { .family = 6 } };
	char buf[ADDR_INTERVAL_STRLEN];
	struct nl_sock *s = NULL;
	uint32_t genid;
	size_t i, j;
	int ret;

	table = table ? table : FWGEN_DEFAULT_TABLE;
	if ((ret = check_names(ctx, table, role)) < 0)
		return ret;
	if (!out)
		return ctx_err(ctx, -EINVAL, "no output stream");
	for (i = 0; i < 2; i++)
		snprintf(sides[i].name, sizeof(sides[i].name), "%s_v%d", role,
			 sides[i].family);
	if ((ret = nl_open(ctx, &s)) < 0)
		return ret;
	for (i = 0; i < 2 && ret == 0; i++)
		ret = read_side(ctx, s, table, role, &sides[i], &genid);
	if (ret == 0 && !sides[0].present && !sides[1].present)
		ret = no_set(ctx, table, role, sides[0].name);
	for (i = 0; i < 2 && ret == 0; i++) {
		for (j = 0; j < sides[i].cur.n && ret == 0; j++) {
			if (addr_interval_format(&sides[i].cur.v[j],
						 sides[i].family, buf,
						 sizeof(buf)) < 0 ||
			    fprintf(out, "%s\n", buf) < 0)
				ret = ctx_err(ctx, -EIO, "writing the set list failed");
		}
	}
	nl_close(s);
	side_release(&sides[0]);
	side_release(&sides[1]);
	return ret;
}
