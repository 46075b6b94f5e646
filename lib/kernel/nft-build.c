/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The policy as libnftnl objects, encoded expression by expression exactly
 * as nft 1.0.6 encodes the script `fwgen print` writes, so that apply and
 * `nft -f` leave byte-identical kernel state.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>

#include <libnftnl/expr.h>
#include <libnftnl/udata.h>

#include <fwgen/nftnl.h>

#include "netlink.h"
#include "nft-build.h"
#include "nft-build-priv.h"
#include "policy.h"
#include "render.h"
#include "util.h"

/* The loopback interface has index 1 in every network namespace. */
#define LOOPBACK_IFINDEX 1

/* nft refuses longer comments when it parses a script (NFTNL_UDATA_COMMENT_MAXLEN). */
#define COMMENT_MAXLEN 128

/* Payload offsets of the headers matched. */
#define IP_SADDR_OFF 12
#define IP_DADDR_OFF 16
#define IP6_SADDR_OFF 8
#define IP6_DADDR_OFF 24
#define TH_DPORT_OFF 2
#define ICMP_TYPE_OFF 0

/* Expressions */

static struct nftnl_expr *expr_add(struct build *b, struct nftnl_rule *r,
				   const char *name)
{
	struct nftnl_expr *e = nftnl_expr_alloc(name);

	if (!e) {
		b->nomem = true;
		return NULL;
	}
	nftnl_rule_add_expr(r, e);
	return e;
}

static void add_meta(struct build *b, struct nftnl_rule *r, uint32_t key)
{
	struct nftnl_expr *e = expr_add(b, r, "meta");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
}

static void add_cmp(struct build *b, struct nftnl_rule *r, uint32_t op,
		    const void *data, uint32_t len)
{
	struct nftnl_expr *e = expr_add(b, r, "cmp");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
	if (nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len) < 0)
		b->nomem = true;
}

static void add_payload(struct build *b, struct nftnl_rule *r, uint32_t base,
			uint32_t offset, uint32_t len, uint32_t dreg)
{
	struct nftnl_expr *e = expr_add(b, r, "payload");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, dreg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
}

static void add_lookup_named(struct build *b, struct nftnl_rule *r,
			     const char *name, uint32_t id, bool map)
{
	struct nftnl_expr *e = expr_add(b, r, "lookup");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
	if (map)
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_DREG, NFT_REG_VERDICT);
	if (nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, name) < 0)
		b->nomem = true;
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, id);
}

static void add_lookup(struct build *b, struct nftnl_rule *r,
		       const struct nftnl_set *s, bool map)
{
	add_lookup_named(b, r, nftnl_set_get_str(s, NFTNL_SET_NAME),
			 nftnl_set_get_u32(s, NFTNL_SET_ID), map);
}

static void add_immediate_verdict(struct build *b, struct nftnl_rule *r,
				  int verdict)
{
	struct nftnl_expr *e = expr_add(b, r, "immediate");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)verdict);
}

/* `meta nfproto ipv4|ipv6`, the dependency of every family match. */
static void add_nfproto(struct build *b, struct nftnl_rule *r, int family)
{
	uint8_t proto = family == 6 ? NFPROTO_IPV6 : NFPROTO_IPV4;

	add_meta(b, r, NFT_META_NFPROTO);
	add_cmp(b, r, NFT_CMP_EQ, &proto, sizeof(proto));
}

static void add_l4proto(struct build *b, struct nftnl_rule *r, uint8_t proto)
{
	add_meta(b, r, NFT_META_L4PROTO);
	add_cmp(b, r, NFT_CMP_EQ, &proto, sizeof(proto));
}

static void add_addr_lookup(struct build *b, struct nftnl_rule *r,
			    int family, bool source, int set)
{
	uint32_t off;

	if (family == 6)
		off = source ? IP6_SADDR_OFF : IP6_DADDR_OFF;
	else
		off = source ? IP_SADDR_OFF : IP_DADDR_OFF;
	add_payload(b, r, NFT_PAYLOAD_NETWORK_HEADER, off,
		    (uint32_t)addr_bytes(family), NFT_REG_1);
	/* Named sets come first in the objects, numbered from 1 in order. */
	add_lookup_named(b, r, b->pol->sets[set].name, (uint32_t)set + 1,
			 false);
}

static int add_dports(struct build *b, struct nftnl_rule *r,
		      const struct pol_rule *pr)
{
	struct nftnl_set *s;
	uint16_t lo, hi;

	add_l4proto(b, r, pr->l4proto);
	add_payload(b, r, NFT_PAYLOAD_TRANSPORT_HEADER, TH_DPORT_OFF, 2,
		    NFT_REG_1);
	if (pr->ndports > 1) {
		if (!(s = nftb_port_set(b, pr)))
			return -ENOMEM;
		add_lookup(b, r, s, false);
		return nftb_push_set(b, s);
	}
	lo = htons(pr->dports[0].lo);
	hi = htons(pr->dports[0].hi);
	if (pr->dports[0].lo == pr->dports[0].hi) {
		add_cmp(b, r, NFT_CMP_EQ, &lo, sizeof(lo));
	} else {
		/* nft 1.0.6 writes a single range as two comparisons. */
		add_cmp(b, r, NFT_CMP_GTE, &lo, sizeof(lo));
		add_cmp(b, r, NFT_CMP_LTE, &hi, sizeof(hi));
	}
	return 0;
}

static int add_icmp(struct build *b, struct nftnl_rule *r,
		    const struct pol_rule *pr, int family, bool have_nfproto)
{
	struct nftnl_set *s;

	if (!have_nfproto)
		add_nfproto(b, r, family);
	add_l4proto(b, r, family == 6 ? POL_L4_ICMPV6 : POL_L4_ICMP);
	add_payload(b, r, NFT_PAYLOAD_TRANSPORT_HEADER, ICMP_TYPE_OFF, 1,
		    NFT_REG_1);
	if (pr->nicmp_types == 1) {
		add_cmp(b, r, NFT_CMP_EQ, &pr->icmp_types[0], 1);
		return 0;
	}
	if (!(s = nftb_icmp_set(b, pr, family)))
		return -ENOMEM;
	add_lookup(b, r, s, false);
	return nftb_push_set(b, s);
}

/* `ct state a,b`: a bit test, as nft writes every ct state match. */
static void add_ct_state(struct build *b, struct nftnl_rule *r,
			 uint32_t states)
{
	uint32_t zero = 0;
	struct nftnl_expr *e;

	if ((e = expr_add(b, r, "ct"))) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, NFT_CT_STATE);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, NFT_REG_1);
	}
	if ((e = expr_add(b, r, "bitwise"))) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, sizeof(states));
		if (nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, &states,
				   sizeof(states)) < 0 ||
		    nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, &zero,
				   sizeof(zero)) < 0)
			b->nomem = true;
	}
	add_cmp(b, r, NFT_CMP_NEQ, &zero, sizeof(zero));
}

static void add_limit(struct build *b, struct nftnl_rule *r,
		      const struct pol_rule *pr)
{
	struct nftnl_expr *e = expr_add(b, r, "limit");

	if (!e)
		return;
	nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_RATE, pr->limit_rate);
	nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_UNIT,
			   pr->limit_unit == POL_PER_MINUTE ? 60 : 1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_BURST, pr->limit_burst);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_TYPE, NFT_LIMIT_PKTS);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_FLAGS, 0);
}

static void add_log(struct build *b, struct nftnl_rule *r, const char *prefix)
{
	struct nftnl_expr *e = expr_add(b, r, "log");

	if (e && nftnl_expr_set_str(e, NFTNL_EXPR_LOG_PREFIX, prefix) < 0)
		b->nomem = true;
}

/* `ct helper set "NAME"`: a reference to the table's helper object. */
static void add_ct_helper(struct build *b, struct nftnl_rule *r,
			  const char *name)
{
	struct nftnl_expr *e = expr_add(b, r, "objref");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_OBJREF_IMM_TYPE, NFT_OBJECT_CT_HELPER);
	if (nftnl_expr_set_str(e, NFTNL_EXPR_OBJREF_IMM_NAME, name) < 0)
		b->nomem = true;
}

/* `redirect to :PORT`: the port goes through register 1. */
static void add_redirect(struct build *b, struct nftnl_rule *r, uint16_t port)
{
	uint16_t be = htons(port);
	struct nftnl_expr *e;

	if ((e = expr_add(b, r, "immediate"))) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_1);
		if (nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, &be, sizeof(be)) < 0)
			b->nomem = true;
	}
	if ((e = expr_add(b, r, "redir"))) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_REDIR_REG_PROTO_MIN, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_REDIR_FLAGS,
				   NF_NAT_RANGE_PROTO_SPECIFIED);
	}
}

/*
 * The dispatch: the concatenated key is built in registers 1 and 9 (the
 * second 32-bit slot). For an interval map nft converts the protocol to
 * network order first; with a 1-byte value the conversion is a no-op the
 * kernel still stores.
 */
static int add_vmap(struct build *b, struct nftnl_rule *r,
		    const struct pol_rule *pr)
{
	struct nftnl_set *s;
	struct nftnl_expr *e;

	add_meta(b, r, NFT_META_L4PROTO);
	if (nftb_vmap_is_interval(pr) && (e = expr_add(b, r, "byteorder"))) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_DREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_OP, NFT_BYTEORDER_HTON);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_LEN, 1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_SIZE, 2);
	}
	add_payload(b, r, NFT_PAYLOAD_TRANSPORT_HEADER, TH_DPORT_OFF, 2,
		    NFT_REG32_01);
	if (!(s = nftb_vmap(b, pr)))
		return -ENOMEM;
	add_lookup(b, r, s, true);
	return nftb_push_set(b, s);
}

/*
 * `update @refused_.. { ip saddr . meta l4proto . th dport }`: the key is
 * concatenated in 32-bit registers from register 1 on, as nft places it;
 * the set is named and numbered after the peer sets.
 */
static void add_refused_update(struct build *b, struct nftnl_rule *r,
			       const struct pol_rule *pr)
{
	const struct pol_refused *rs = &b->pol->refused[pr->refused - 1];
	uint32_t alen = (uint32_t)addr_bytes(rs->family);
	uint32_t off, reg = NFT_REG32_00 + alen / 4;
	struct nftnl_expr *e;

	/*
	 * nft names a 32-bit slot that starts a 16-byte register by that
	 * register: after an IPv6 address, NFT_REG_2 rather than NFT_REG32_04.
	 */
	if (rs->family == 6)
		off = rs->out ? IP6_DADDR_OFF : IP6_SADDR_OFF;
	else
		off = rs->out ? IP_DADDR_OFF : IP_SADDR_OFF;
	add_payload(b, r, NFT_PAYLOAD_NETWORK_HEADER, off, alen, NFT_REG_1);
	if ((e = expr_add(b, r, "meta"))) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, NFT_META_L4PROTO);
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG,
				   alen == 16 ? NFT_REG_2 : reg);
	}
	add_payload(b, r, NFT_PAYLOAD_TRANSPORT_HEADER, TH_DPORT_OFF, 2,
		    reg + 1);
	if (!(e = expr_add(b, r, "dynset")))
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_SREG_KEY, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_OP, NFT_DYNSET_OP_UPDATE);
	if (nftnl_expr_set_str(e, NFTNL_EXPR_DYNSET_SET_NAME, rs->name) < 0)
		b->nomem = true;
	nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_SET_ID,
			   (uint32_t)(b->pol->nsets + pr->refused));
}

/* Rules */

static int rule_comment(struct build *b, struct nftnl_rule *r,
			const char *comment)
{
	struct nftnl_udata_buf *ud;
	int ret;

	if (strlen(comment) > COMMENT_MAXLEN)
		return ctx_err(b->ctx, -EINVAL,
			       "rule comment '%.40s...' is longer than %d bytes, which nft refuses",
			       comment, COMMENT_MAXLEN);
	ud = nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN);
	if (!ud)
		return ctx_nomem(b->ctx);
	if (!nftnl_udata_put_strz(ud, NFTNL_UDATA_RULE_COMMENT, comment)) {
		nftnl_udata_buf_free(ud);
		return ctx_nomem(b->ctx);
	}
	ret = nftnl_rule_set_data(r, NFTNL_RULE_USERDATA,
				  nftnl_udata_buf_data(ud),
				  nftnl_udata_buf_len(ud));
	nftnl_udata_buf_free(ud);
	return ret < 0 ? ctx_nomem(b->ctx) : 0;
}

static int check_rule(struct build *b, const struct pol_chain *c,
		      const struct pol_rule *pr)
{
	size_t i;

	if (pr->ndports && pr->l4proto != POL_L4_TCP &&
	    pr->l4proto != POL_L4_UDP)
		goto bad;
	if (pr->nicmp_types && pr->ndports)
		goto bad;
	for (i = 0; i < pr->ndports; i++)
		if (pr->dports[i].lo > pr->dports[i].hi)
			goto bad;
	if ((pr->saddr_set >= 0 && (size_t)pr->saddr_set >= b->pol->nsets) ||
	    (pr->daddr_set >= 0 && (size_t)pr->daddr_set >= b->pol->nsets))
		goto bad;
	if (pr->refused &&
	    (pr->refused > b->pol->nrefused || pr->ndports ||
	     (pr->l4proto != POL_L4_TCP && pr->l4proto != POL_L4_UDP) ||
	     pr->family != b->pol->refused[pr->refused - 1].family))
		goto bad;
	if (pr->verdict == POL_VERDICT_VMAP) {
		if (!pr->nvmap)
			goto bad;
		for (i = 0; i < pr->nvmap; i++)
			if (pr->vmap[i].chain >= b->pol->nchains ||
			    pr->vmap[i].ports.lo > pr->vmap[i].ports.hi ||
			    (pr->vmap[i].l4proto != POL_L4_TCP &&
			     pr->vmap[i].l4proto != POL_L4_UDP))
				goto bad;
	}
	return 0;
bad:
	return ctx_err(b->ctx, -EINVAL,
		       "chain %s: rule '%s' cannot be encoded (inconsistent policy)",
		       c->name, pr->comment ? pr->comment : "");
}

/*
 * One rule, matches in the order the nft renderer writes them, each with
 * the dependency nft adds in an inet table: `meta nfproto` before the
 * first match of an IPv4/IPv6 field, `meta l4proto` before a transport
 * header field.
 */
static int build_rule(struct build *b, const struct pol_chain *c,
		      const struct pol_rule *pr)
{
	int family = pr->family == 6 ? 6 : 4;
	bool have_nfproto = false;
	struct nftnl_rule *r;
	int ret = -ENOMEM;

	if ((ret = check_rule(b, c, pr)) < 0)
		return ret;
	ret = -ENOMEM;
	r = nftnl_rule_alloc();
	if (!r)
		return ctx_nomem(b->ctx);
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	if (nftnl_rule_set_str(r, NFTNL_RULE_TABLE, b->pol->table) < 0 ||
	    nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, c->name) < 0)
		goto err;

	if (pr->iface != POL_IFACE_NONE) {
		uint32_t lo = LOOPBACK_IFINDEX;

		add_meta(b, r, pr->iface == POL_IFACE_IIF_LO ? NFT_META_IIF : NFT_META_OIF);
		add_cmp(b, r, NFT_CMP_EQ, &lo, sizeof(lo));
	}
	if (pr->saddr_set >= 0) {
		add_nfproto(b, r, family);
		have_nfproto = true;
		add_addr_lookup(b, r, family, true, pr->saddr_set);
	}
	if (pr->daddr_set >= 0) {
		if (!have_nfproto)
			add_nfproto(b, r, family);
		have_nfproto = true;
		add_addr_lookup(b, r, family, false, pr->daddr_set);
	}
	if (pr->family && !have_nfproto && !pr->nicmp_types) {
		add_nfproto(b, r, family);
		have_nfproto = true;
	}
	if (pr->ndports && add_dports(b, r, pr) < 0)
		goto err;
	if (pr->l4proto && !pr->ndports && !pr->nicmp_types)
		add_l4proto(b, r, pr->l4proto);
	if (pr->nicmp_types && add_icmp(b, r, pr, family, have_nfproto) < 0)
		goto err;
	if (pr->ct_states)
		add_ct_state(b, r, pr->ct_states);
	if (pr->has_limit)
		add_limit(b, r, pr);
	if (pr->log_prefix)
		add_log(b, r, pr->log_prefix);
	if (pr->refused)
		add_refused_update(b, r, pr);
	if (pr->counter)
		expr_add(b, r, "counter");
	if (pr->ct_helper)
		add_ct_helper(b, r, pr->ct_helper);
	switch (pr->verdict) {
	case POL_VERDICT_NONE:
		break;
	case POL_VERDICT_ACCEPT:
		add_immediate_verdict(b, r, NF_ACCEPT);
		break;
	case POL_VERDICT_DROP:
		add_immediate_verdict(b, r, NF_DROP);
		break;
	case POL_VERDICT_REDIRECT:
		add_redirect(b, r, pr->redirect_port);
		break;
	case POL_VERDICT_VMAP:
		if (add_vmap(b, r, pr) < 0)
			goto err;
		break;
	}
	if (b->nomem)
		goto err;
	if (pr->comment && (ret = rule_comment(b, r, pr->comment)) < 0)
		goto err_msg;
	if (array_push(&b->o->rules, &b->o->nrules, &b->rule_cap,
		       sizeof(*b->o->rules)) < 0)
		goto err;
	b->o->rules[b->o->nrules - 1] = r;
	return 0;
err:
	ret = ctx_nomem(b->ctx);
err_msg:
	nftnl_rule_free(r);
	return ret;
}

/* Tables and chains */

/* What fwgen status reports the table was applied for (render_table_comment). */
static int table_comment(struct build *b, struct nftnl_table *t)
{
	struct nftnl_udata_buf *ud;
	char *text;
	int ret;

	text = render_table_comment(b->pol);
	if (!text)
		return -ENOMEM;
	ud = nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN);
	if (!ud || !nftnl_udata_put_strz(ud, NFTNL_UDATA_TABLE_COMMENT, text)) {
		nftnl_udata_buf_free(ud);
		free(text);
		return -ENOMEM;
	}
	free(text);
	ret = nftnl_table_set_data(t, NFTNL_TABLE_USERDATA,
				   nftnl_udata_buf_data(ud),
				   nftnl_udata_buf_len(ud));
	nftnl_udata_buf_free(ud);
	return ret < 0 ? -ENOMEM : 0;
}

static int build_table(struct build *b)
{
	struct nftnl_table *t = nftnl_table_alloc();

	if (!t)
		return -ENOMEM;
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_INET);
	if (nftnl_table_set_str(t, NFTNL_TABLE_NAME, b->pol->table) < 0) {
		nftnl_table_free(t);
		return -ENOMEM;
	}
	nftnl_table_set_u32(t, NFTNL_TABLE_FLAGS, 0);
	b->o->table = t;
	return table_comment(b, t);
}

/*
 * A ct helper object as nft encodes `ct helper NAME { type "T" protocol P }`
 * in an inet table: no l3proto, so the kernel registers it for both
 * families.
 */
static int build_helper(struct build *b, const struct pol_helper *h,
			struct nftnl_obj **out)
{
	struct nftnl_obj *o = nftnl_obj_alloc();

	if (!o)
		return -ENOMEM;
	nftnl_obj_set_u32(o, NFTNL_OBJ_FAMILY, NFPROTO_INET);
	nftnl_obj_set_u32(o, NFTNL_OBJ_TYPE, NFT_OBJECT_CT_HELPER);
	nftnl_obj_set_u8(o, NFTNL_OBJ_CT_HELPER_L4PROTO, h->l4proto);
	/* These setters return nothing: a failed copy leaves the attribute unset. */
	nftnl_obj_set_str(o, NFTNL_OBJ_TABLE, b->pol->table);
	nftnl_obj_set_str(o, NFTNL_OBJ_NAME, h->name);
	nftnl_obj_set_str(o, NFTNL_OBJ_CT_HELPER_NAME, h->type);
	if (!nftnl_obj_is_set(o, NFTNL_OBJ_TABLE) ||
	    !nftnl_obj_is_set(o, NFTNL_OBJ_NAME) ||
	    !nftnl_obj_is_set(o, NFTNL_OBJ_CT_HELPER_NAME)) {
		nftnl_obj_free(o);
		return -ENOMEM;
	}
	*out = o;
	return 0;
}

static uint32_t hook_num(enum pol_hook h)
{
	switch (h) {
	case POL_HOOK_INPUT:
		return NF_INET_LOCAL_IN;
	case POL_HOOK_OUTPUT:
		return NF_INET_LOCAL_OUT;
	case POL_HOOK_PREROUTING:
		return NF_INET_PRE_ROUTING;
	case POL_HOOK_NONE:
		break;
	}
	return 0;
}

static int build_chain(struct build *b, const struct pol_chain *pc,
		       struct nftnl_chain **out)
{
	struct nftnl_chain *c = nftnl_chain_alloc();

	if (!c)
		return -ENOMEM;
	nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, NFPROTO_INET);
	if (nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, b->pol->table) < 0 ||
	    nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, pc->name) < 0)
		goto err;
	if (pc->hook != POL_HOOK_NONE) {
		if (nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE,
					pc->type == POL_CHAIN_NAT ? "nat" :
								    "filter") < 0)
			goto err;
		nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, hook_num(pc->hook));
		nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, pc->priority);
		nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY,
				    pc->policy_drop ? NF_DROP : NF_ACCEPT);
	}
	*out = c;
	return 0;
err:
	nftnl_chain_free(c);
	return -ENOMEM;
}

static int build(struct fwgen_ctx *ctx, const struct fwgen_policy *pol,
		 bool lazy, struct nft_objs **out)
{
	struct build b = { .ctx = ctx, .pol = pol, .lazy = lazy };
	size_t i, j;
	int ret;

	*out = NULL;
	if (!pol->table || !*pol->table)
		return ctx_err(ctx, -EINVAL, "the policy names no table");
	b.o = calloc(1, sizeof(*b.o));
	if (!b.o)
		return ctx_nomem(ctx);
	if (lazy && pol->nsets) {
		b.o->lazy = calloc(pol->nsets, sizeof(*b.o->lazy));
		if (!b.o->lazy)
			goto nomem;
		b.o->nlazy = pol->nsets;
	}
	if (build_table(&b) < 0)
		goto nomem;
	if (pol->nchains) {
		b.o->chains = calloc(pol->nchains, sizeof(*b.o->chains));
		if (!b.o->chains)
			goto nomem;
	}
	for (i = 0; i < pol->nchains; i++) {
		if (build_chain(&b, &pol->chains[i], &b.o->chains[i]) < 0)
			goto nomem;
		b.o->nchains++;
	}
	if (pol->nhelpers) {
		b.o->objs = calloc(pol->nhelpers, sizeof(*b.o->objs));
		if (!b.o->objs)
			goto nomem;
	}
	for (i = 0; i < pol->nhelpers; i++) {
		if (build_helper(&b, &pol->helpers[i], &b.o->objs[i]) < 0)
			goto nomem;
		b.o->nobjs++;
	}
	for (i = 0; i < pol->nsets; i++) {
		if (pol->sets[i].family != 4 && pol->sets[i].family != 6) {
			ret = ctx_err(ctx, -EINVAL, "set %s has no family",
				      pol->sets[i].name);
			goto err;
		}
		if (nftb_named_set(&b, &pol->sets[i]) < 0)
			goto nomem;
	}
	for (i = 0; i < pol->nrefused; i++)
		if (nftb_refused_set(&b, &pol->refused[i]) < 0)
			goto nomem;
	for (i = 0; i < pol->nchains; i++) {
		for (j = 0; j < pol->chains[i].nrules; j++) {
			ret = build_rule(&b, &pol->chains[i],
					 &pol->chains[i].rules[j]);
			if (ret < 0)
				goto err;
		}
	}
	*out = b.o;
	return 0;
nomem:
	ret = ctx_nomem(ctx);
err:
	nft_objs_free(b.o);
	return ret;
}

int nft_build(struct fwgen_ctx *ctx, const struct fwgen_policy *pol,
	      struct nft_objs **out)
{
	return build(ctx, pol, false, out);
}

int nft_build_for_batch(struct fwgen_ctx *ctx, const struct fwgen_policy *pol,
			struct nft_objs **out)
{
	return build(ctx, pol, true, out);
}

void nft_objs_free(struct nft_objs *o)
{
	size_t i;

	if (!o)
		return;
	for (i = 0; i < o->nrules; i++)
		nftnl_rule_free(o->rules[i]);
	free(o->rules);
	for (i = 0; i < o->nsets; i++)
		nftnl_set_free(o->sets[i]);
	free(o->sets);
	for (i = 0; i < o->nchains; i++)
		nftnl_chain_free(o->chains[i]);
	free(o->chains);
	for (i = 0; i < o->nobjs; i++)
		nftnl_obj_free(o->objs[i]);
	free(o->objs);
	if (o->table)
		nftnl_table_free(o->table);
	free(o->lazy);
	free(o);
}

/* The public face: the same objects, handed out read-only. */

struct fwgen_nftnl {
	struct nft_objs *objs;
};

FWGEN_EXPORT int fwgen_policy_to_nftnl(struct fwgen_ctx *ctx,
				       const struct fwgen_policy *pol,
				       struct fwgen_nftnl **out)
{
	struct fwgen_nftnl *o;
	int ret;

	ARG_CTX(ctx);
	ARG_CHECK(ctx, pol);
	ARG_CHECK(ctx, out);

	o = calloc(1, sizeof(*o));
	if (!o)
		return ctx_nomem(ctx);
	ret = nft_build(ctx, pol, &o->objs);
	if (ret < 0) {
		free(o);
		return ret;
	}
	*out = o;
	return 0;
}

FWGEN_EXPORT void fwgen_nftnl_free(struct fwgen_nftnl *o)
{
	if (!o)
		return;
	nft_objs_free(o->objs);
	free(o);
}

FWGEN_EXPORT struct nftnl_table *
fwgen_nftnl_table(const struct fwgen_nftnl *o)
{
	ARG_CHECK_RET(o, NULL);

	return o->objs->table;
}

FWGEN_EXPORT size_t fwgen_nftnl_set_count(const struct fwgen_nftnl *o)
{
	ARG_CHECK_RET(o, 0);

	return o->objs->nsets;
}

FWGEN_EXPORT struct nftnl_set *
fwgen_nftnl_set_at(const struct fwgen_nftnl *o, size_t i)
{
	ARG_CHECK_RET(o, NULL);

	return i < o->objs->nsets ? o->objs->sets[i] : NULL;
}

FWGEN_EXPORT size_t fwgen_nftnl_chain_count(const struct fwgen_nftnl *o)
{
	ARG_CHECK_RET(o, 0);

	return o->objs->nchains;
}

FWGEN_EXPORT struct nftnl_chain *
fwgen_nftnl_chain_at(const struct fwgen_nftnl *o, size_t i)
{
	ARG_CHECK_RET(o, NULL);

	return i < o->objs->nchains ? o->objs->chains[i] : NULL;
}

FWGEN_EXPORT size_t fwgen_nftnl_obj_count(const struct fwgen_nftnl *o)
{
	return o ? o->objs->nobjs : 0;
}

FWGEN_EXPORT struct nftnl_obj *
fwgen_nftnl_obj_at(const struct fwgen_nftnl *o, size_t i)
{
	return o && i < o->objs->nobjs ? o->objs->objs[i] : NULL;
}

FWGEN_EXPORT size_t fwgen_nftnl_rule_count(const struct fwgen_nftnl *o)
{
	ARG_CHECK_RET(o, 0);

	return o->objs->nrules;
}

FWGEN_EXPORT struct nftnl_rule *
fwgen_nftnl_rule_at(const struct fwgen_nftnl *o, size_t i)
{
	ARG_CHECK_RET(o, NULL);

	return i < o->objs->nrules ? o->objs->rules[i] : NULL;
}

FWGEN_EXPORT struct nftnl_batch *fwgen_nftnl_batch_new(void)
{
	return nl_batch_new();
}

FWGEN_EXPORT int fwgen_nftnl_batch_append(const struct fwgen_nftnl *o,
					  struct nftnl_batch *b,
					  uint32_t *seq)
{
	uint32_t next;
	int ret;

	if (!o || !b || !seq)
		return -EINVAL;
	next = *seq;
	ret = nl_batch_append_objs(b, o->objs, &next, 0, NULL);
	if (!ret)
		*seq = next;
	return ret;
}

FWGEN_EXPORT int fwgen_nftnl_describe(struct fwgen_ctx *ctx,
				      const struct fwgen_nftnl *o,
				      uint32_t first_seq, uint32_t seq,
				      char *buf, size_t len)
{
	int ret;

	ARG_CHECK(ctx, ctx);
	ARG_CHECK(ctx, o);
	ARG_CHECK(ctx, buf);
	ARG_CHECK(ctx, len > 0);
	ret = nl_describe_seq(o->objs, first_seq, seq, buf, len);
	if (ret == -ENOENT)
		return ctx_err(ctx, ret,
			       "sequence number %u is not one of the messages appended from %u on",
			       seq, first_seq);
	if (ret < 0)
		return ctx_nomem(ctx);
	return ctx_ok(ctx);
}
