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
#include "readback.h"
#include "runlock.h"
#include "setops.h"
#include "setread.h"
#include "tablename.h"
#include "yaml-doc.h"

/* The limits the inventory puts on names (inventory.c, catalog.c). */
#define ROLE_NAME_MAX 40

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

struct side {
	int family;
	char name[ROLE_NAME_MAX + 8];	/* <role>_v4 */
	struct addr_list req;		/* what the caller gave, normalised */
	struct addr_list cur;		/* the kernel's intervals the update
					 * touches (all of them when whole) */
	bool whole;			/* cur is the whole set */
	bool empty;			/* the set holds no element at all */
	bool present;			/* the set exists */
	struct addr_list del, add;
	struct nftnl_set *del_set, *add_set;
};

static void side_reset(struct side *sd)
{
	addr_list_release(&sd->cur);
	addr_list_release(&sd->del);
	addr_list_release(&sd->add);
	set_free(sd->del_set);
	set_free(sd->add_set);
	sd->del_set = sd->add_set = NULL;
	sd->whole = sd->empty = sd->present = false;
}

static void side_release(struct side *sd)
{
	side_reset(sd);
	addr_list_release(&sd->req);
}

static int check_names(struct fwgen_ctx *ctx, const char *table,
		       const char *role)
{
	int ret = table_name_check(ctx, table);

	if (ret < 0)
		return ret;
	if (!role || !yd_is_name(role, ROLE_NAME_MAX))
		return ctx_err(ctx, -EINVAL,
			       "'%.64s' is not a role name (lowercase letters, digits, '-' and '_', at most %d)",
			       role ? role : "", ROLE_NAME_MAX);
	return 0;
}

static void name_sides(struct side sides[2], const char *role)
{
	size_t i;

	for (i = 0; i < 2; i++)
		snprintf(sides[i].name, sizeof(sides[i].name), "%s_v%d", role,
			 sides[i].family);
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
 * Finds, by point lookups, every interval of the set that an update by
 * req can change: for an addition those that overlap a requested range
 * or touch it (they merge), for a deletion those that hold a part of one.
 * The walk asks for the key below a range, then goes up key by key, and
 * jumps over every interval the kernel reports. Returns 0 when cur is
 * complete, 1 when the whole set must be read instead (the budget ran
 * out, the kernel answered in a shape not known, or an address to delete
 * is not in the set, which the whole read then names).
 */
static int learn_neighbourhood(struct setread *sr, struct side *sd,
			       enum setops_op op, unsigned int *budget)
{
	size_t bytes = addr_bytes(sd->family), i;
	struct addr_interval iv;
	int ret;

	for (i = 0; i < sd->req.n; i++) {
		uint8_t key[16], last[16];

		memcpy(key, sd->req.v[i].lo, sizeof(key));
		memcpy(last, sd->req.v[i].hi, sizeof(last));
		if (op == SETOPS_ADD) {
			/* Neighbours at both ends, unless at an end of the space. */
			if (addr_decrement(key, bytes))
				memcpy(key, sd->req.v[i].lo, sizeof(key));
			if (addr_increment(last, bytes))
				memcpy(last, sd->req.v[i].hi, sizeof(last));
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
			} else if (op == SETOPS_DEL) {
				return 1;
			} else if (!memcmp(key, last, bytes)) {
				break;
			}
			addr_increment(key, bytes);
		}
	}
	return 0;
}

static int read_whole(struct setread *sr, struct side *sd)
{
	size_t nraw;
	int ret;

	addr_list_release(&sd->cur);
	ret = setread_all(sr, sd->name, sd->family, &sd->cur, &nraw);
	sd->whole = true;
	sd->empty = nraw == 0;
	return ret;
}

/*
 * Reads what the update of the sides with a request needs, all from one
 * ruleset generation, *genid. A missing set is not an error here
 * (sd->present says); a missing table is, with the hint to apply.
 * -ERESTART: the ruleset changed while reading.
 */
static int read_sides(struct fwgen_ctx *ctx, const char *table,
		      const char *role, struct side sides[2],
		      enum setops_op op, bool whole, uint32_t *genid)
{
	unsigned int budget = LOOKUP_BUDGET;
	struct setread_info info;
	struct setread sr;
	size_t i;
	int ret;

	ret = setread_begin(&sr, table, genid);
	for (i = 0; i < 2 && ret == 0; i++) {
		struct side *sd = &sides[i];
		bool any;

		side_reset(sd);
		if (!sd->req.n && !whole)
			continue;
		ret = setread_info(&sr, sd->name, &info);
		if (ret < 0 || !info.present)
			continue;
		/*
		 * Exactly the shape fwgen makes: an interval set of
		 * ipv4_addr/ipv6_addr (nft's datatypes 7 and 8). A hand-made
		 * set of another type of the same length (mark, ether...) is
		 * not written into.
		 */
		if (!(info.flags & NFT_SET_INTERVAL) ||
		    (info.flags & (NFT_SET_MAP | NFT_SET_ANONYMOUS |
				   NFT_SET_OBJECT | NFT_SET_CONCAT)) ||
		    info.key_len != addr_bytes(sd->family) ||
		    info.key_type != (sd->family == 4 ? 7u : 8u)) {
			setread_end(&sr);
			return ctx_err(ctx, -EINVAL,
				       "set %s of table inet %s is not an IPv%d address set of fwgen (role '%s')",
				       sd->name, table, sd->family, role);
		}
		sd->present = true;
		ret = whole ? 1 : learn_neighbourhood(&sr, sd, op, &budget);
		if (ret == 1) {
			ret = read_whole(&sr, sd);
		} else if (ret == 0 && op == SETOPS_ADD && !sd->cur.n) {
			/* nft's end element at zero goes only into an empty set. */
			ret = setread_any(&sr, sd->name, &any);
			sd->empty = !any;
		}
	}
	setread_end(&sr);
	return ret < 0 ? read_fail(ctx, table, ret) : 0;
}

/* Writing */

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
		       "'%.100s' is not in set %s of table inet %s; nothing was deleted",
		       bad ? bad : "?", sd->name, table);
}

/* The elements to send for one side, from what was read. */
static int plan_side(struct fwgen_ctx *ctx, const char *table,
		     struct side *sd, enum setops_op op,
		     const char *const *addresses, size_t n)
{
	int ret;

	ret = setops_plan(op, sd->family, &sd->cur, &sd->req, &sd->del,
			  &sd->add);
	if (ret == -ENOENT)
		return not_in_set(ctx, table, sd, addresses, n);
	if (ret < 0)
		return ctx_nomem(ctx);
	/*
	 * nft leads with its end element at zero only when it fills a set
	 * that holds no element at all (not even that sentinel, which
	 * deletions leave behind).
	 */
	sd->del_set = elems_set(table, sd, &sd->del, false);
	sd->add_set = elems_set(table, sd, &sd->add, sd->empty);
	if (!sd->del_set || !sd->add_set)
		return ctx_nomem(ctx);
	return 0;
}

/* Deletions first: an addition may reuse a start or end key. */
static int send_sides(struct fwgen_ctx *ctx, struct nl_sock *s,
		      struct side sides[2], uint32_t genid)
{
	struct nl_elems_op ops[4];
	size_t nops = 0, i;

	for (i = 0; i < 2; i++)
		if (sides[i].del.n)
			ops[nops++] = (struct nl_elems_op){
				NFT_MSG_DELSETELEM, sides[i].del_set };
	for (i = 0; i < 2; i++)
		if (sides[i].add.n)
			ops[nops++] = (struct nl_elems_op){
				NFT_MSG_NEWSETELEM, sides[i].add_set };
	return nops ? nl_set_elems(ctx, s, ops, nops, genid) : 0;
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

/*
 * After lost acknowledgements (-ETIME from nl_set_elems()): whether the
 * update went in, read back. A generation still at genid means nothing was
 * committed (-EIO, nothing changed); a moved one with every address added
 * (or none of those deleted left) means it was (0). Otherwise someone
 * else's commit moved it and ours, guarded by genid, was refused:
 * -ERESTART, so the caller starts over.
 */
static int settle_sides(struct fwgen_ctx *ctx, const char *table,
			const char *role, const struct side sides[2],
			enum setops_op op, uint32_t genid)
{
	struct side chk[2] = { { .family = 4 }, { .family = 6 } };
	char lost[FWGEN_ERRMSG_MAX];
	struct nl_sock *s = NULL;
	uint32_t now = 0, g;
	bool done = true;
	size_t i, j;
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
	for (i = 0; i < 2 && ret == 0; i++) {
		memcpy(chk[i].name, sides[i].name, sizeof(chk[i].name));
		if (addr_list_copy(&chk[i].req, &sides[i].req) < 0)
			ret = ctx_nomem(ctx);
	}
	if (ret == 0)
		ret = read_sides(ctx, table, role, chk, op, false, &g);
	for (i = 0; i < 2 && ret == 0; i++) {
		for (j = 0; j < chk[i].req.n; j++) {
			const struct addr_interval *iv = &chk[i].req.v[j];

			if (op == SETOPS_ADD ?
				    !setops_covers(&chk[i].cur, chk[i].family, iv) :
				    overlaps(&chk[i].cur, chk[i].family, iv))
				done = false;
		}
	}
	side_release(&chk[0]);
	side_release(&chk[1]);
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
			const struct side sides[2])
{
	size_t i;
	int ret = 0;

	for (i = 0; i < 2 && ret == 0; i++)
		ret = report_lines(report, table, &sides[i], &sides[i].del, '-');
	for (i = 0; i < 2 && ret == 0; i++)
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
	struct side sides[2] = { { .family = 4 }, { .family = 6 } };
	struct nl_sock *s = NULL;
	uint32_t genid = 0;
	int fd = -1, tries, ret;
	size_t i;

	table = table ? table : FWGEN_DEFAULT_TABLE;
	if ((ret = check_names(ctx, table, role)) < 0)
		return ret;
	if (!addresses || n == 0)
		return ctx_err(ctx, -EINVAL, "no address given");
	name_sides(sides, role);
	ret = setops_parse(ctx, addresses, n, &sides[0].req, &sides[1].req);
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
		for (i = 0; i < 2 && ret == 0; i++) {
			if (!sides[i].req.n)
				continue;
			if (!sides[i].present)
				ret = no_set(ctx, table, role, sides[i].name);
			else
				ret = plan_side(ctx, table, &sides[i], op,
						addresses, n);
		}
		if (ret == 0)
			ret = send_sides(ctx, s, sides, genid);
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
	side_release(&sides[0]);
	side_release(&sides[1]);
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
	struct side sides[2] = { { .family = 4 }, { .family = 6 } };
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
	name_sides(sides, role);
	ret = -ERESTART;
	for (tries = 0; tries < UPDATE_TRIES && ret == -ERESTART; tries++)
		ret = read_sides(ctx, table, role, sides, SETOPS_ADD, true,
				 &genid);
	if (ret == -ERESTART)
		ret = ctx_err(ctx, -EAGAIN,
			      "the ruleset kept changing while fwgen read set %s; try again",
			      sides[0].name);
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
	side_release(&sides[0]);
	side_release(&sides[1]);
	return ret;
}
