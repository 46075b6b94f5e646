/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The policy as libnftnl objects: every rule shape against the expressions
 * nft 1.0.6 itself generates (the strings below are what `nft
 * --debug=netlink -f` printed for the same nft text), the interval and map
 * encodings, the batch layout, and the anti-lockout evaluation.
 */
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>

#include <libmnl/libmnl.h>
#include <libnftnl/batch.h>
#include <libnftnl/expr.h>
#include <libnftnl/udata.h>

#include <fwgen/kernel.h>
#include <fwgen/nftnl.h>

#include "netlink.h"
#include "nft-build.h"
#include "policy.h"
#include "policy-fixture.h"
#include "testutil.h"

/* The expressions of rule i as libnftnl (and nft --debug=netlink) print them. */
static char *rule_text(struct fwgen_nftnl *o, size_t i)
{
	static char buf[8192];
	const char *p;
	char *u;

	ck_assert_int_gt(nftnl_rule_snprintf(buf, sizeof(buf),
					     fwgen_nftnl_rule_at(o, i),
					     NFTNL_OUTPUT_DEFAULT, 0),
			 0);
	/* The comment is checked on its own: cut the userdata line. */
	if ((u = strstr(buf, "  userdata = ")))
		*u = '\0';
	/* Skip the "inet fwgen chain" header line. */
	p = strchr(buf, '\n');
	return p ? (char *)p + 1 : buf;
}

static struct fwgen_nftnl *build(struct fwgen_ctx *ctx,
				 struct fwgen_policy *pol)
{
	struct fwgen_nftnl *o = NULL;

	ck_assert_msg(fwgen_policy_to_nftnl(ctx, pol, &o) == 0, "%s",
		      fwgen_ctx_error(ctx));
	return o;
}

static const char *rule_comment(const struct nftnl_rule *r)
{
	static char buf[256];
	const struct nftnl_udata *attr;
	const void *ud;
	uint32_t len;

	ud = nftnl_rule_get_data(r, NFTNL_RULE_USERDATA, &len);
	ck_assert_ptr_nonnull(ud);
	attr = ud;
	ck_assert_uint_eq(nftnl_udata_type(attr), NFTNL_UDATA_RULE_COMMENT);
	snprintf(buf, sizeof(buf), "%s", (const char *)nftnl_udata_get(attr));
	return buf;
}

START_TEST(test_nft_build_ssh_from_admin_matches_nft)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_policy *pol = pol_new("test");
	size_t in = add_chain(pol, "input", POL_HOOK_INPUT, true);
	int admin = add_set(pol, "admin_v4", 4, "198.18.9.0/24");
	struct pol_rule *r = add_rule(pol, in, "baseline: management SSH from admin",
				      POL_VERDICT_ACCEPT);
	struct fwgen_nftnl *o;

	r->family = 4;
	r->saddr_set = admin;
	rule_ports(r, POL_L4_TCP, "22");
	o = build(ctx, pol);
	ck_assert_uint_eq(fwgen_nftnl_rule_count(o), 1);
	ck_assert_str_eq(rule_text(o, 0),
			 "  [ meta load nfproto => reg 1 ]\n"
			 "  [ cmp eq reg 1 0x00000002 ]\n"
			 "  [ payload load 4b @ network header + 12 => reg 1 ]\n"
			 "  [ lookup reg 1 set admin_v4 ]\n"
			 "  [ meta load l4proto => reg 1 ]\n"
			 "  [ cmp eq reg 1 0x00000006 ]\n"
			 "  [ payload load 2b @ transport header + 2 => reg 1 ]\n"
			 "  [ cmp eq reg 1 0x00001600 ]\n"
			 "  [ immediate reg 0 accept ]\n");
	ck_assert_str_eq(rule_comment(fwgen_nftnl_rule_at(o, 0)),
			 "baseline: management SSH from admin");
	fwgen_nftnl_free(o);
	fwgen_policy_free(pol);
	fwgen_ctx_free(ctx);
}
END_TEST

START_TEST(test_nft_build_baseline_shapes_match_nft)
{
	static const uint8_t errors[] = { 3, 11, 12 }, echo[] = { 128 };
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_policy *pol = pol_new("test");
	size_t in = add_chain(pol, "input", POL_HOOK_INPUT, true);
	size_t out = add_chain(pol, "output", POL_HOOK_OUTPUT, true);
	int s6 = add_set(pol, "db_v6", 6, "2001:db8::/32");
	struct pol_rule *r;
	struct fwgen_nftnl *o;

	add_rule(pol, in, "invalid", POL_VERDICT_DROP)->ct_states = POL_CT_INVALID;
	add_rule(pol, in, "est", POL_VERDICT_ACCEPT)->ct_states =
		POL_CT_ESTABLISHED | POL_CT_RELATED;
	add_rule(pol, in, "lo", POL_VERDICT_ACCEPT)->iface = POL_IFACE_IIF_LO;
	rule_icmp(add_rule(pol, in, "icmp", POL_VERDICT_ACCEPT), 4, errors, 3);
	r = add_rule(pol, in, "ping", POL_VERDICT_ACCEPT);
	rule_icmp(r, 6, echo, 1);
	r->has_limit = true;
	r->limit_rate = 10;
	r->limit_burst = 20;
	r = add_rule(pol, in, "log", POL_VERDICT_NONE);
	r->has_limit = true;
	r->limit_rate = 6;
	r->limit_unit = POL_PER_MINUTE;
	r->limit_burst = 10;
	r->log_prefix = strdup("fwgen drop in: ");
	add_rule(pol, out, "lo", POL_VERDICT_ACCEPT)->iface = POL_IFACE_OIF_LO;
	r = add_rule(pol, out, "db", POL_VERDICT_ACCEPT);
	r->family = 6;
	r->daddr_set = s6;
	r = add_rule(pol, out, "v4 only", POL_VERDICT_ACCEPT);
	r->family = 4;
	rule_ports(add_rule(pol, out, "dns", POL_VERDICT_ACCEPT), POL_L4_UDP, "53");
	rule_ports(add_rule(pol, out, "range", POL_VERDICT_ACCEPT), POL_L4_UDP,
		   "1000-2000");

	o = build(ctx, pol);
	ck_assert_uint_eq(fwgen_nftnl_rule_count(o), 11);
	ck_assert_str_eq(rule_text(o, 0),
			 "  [ ct load state => reg 1 ]\n"
			 "  [ bitwise reg 1 = ( reg 1 & 0x00000001 ) ^ 0x00000000 ]\n"
			 "  [ cmp neq reg 1 0x00000000 ]\n"
			 "  [ immediate reg 0 drop ]\n");
	ck_assert_str_eq(rule_text(o, 1),
			 "  [ ct load state => reg 1 ]\n"
			 "  [ bitwise reg 1 = ( reg 1 & 0x00000006 ) ^ 0x00000000 ]\n"
			 "  [ cmp neq reg 1 0x00000000 ]\n"
			 "  [ immediate reg 0 accept ]\n");
	ck_assert_str_eq(rule_text(o, 2),
			 "  [ meta load iif => reg 1 ]\n"
			 "  [ cmp eq reg 1 0x00000001 ]\n"
			 "  [ immediate reg 0 accept ]\n");
	ck_assert_str_eq(rule_text(o, 3),
			 "  [ meta load nfproto => reg 1 ]\n"
			 "  [ cmp eq reg 1 0x00000002 ]\n"
			 "  [ meta load l4proto => reg 1 ]\n"
			 "  [ cmp eq reg 1 0x00000001 ]\n"
			 "  [ payload load 1b @ transport header + 0 => reg 1 ]\n"
			 "  [ lookup reg 1 set __set%d ]\n"
			 "  [ immediate reg 0 accept ]\n");
	ck_assert_str_eq(rule_text(o, 4),
			 "  [ meta load nfproto => reg 1 ]\n"
			 "  [ cmp eq reg 1 0x0000000a ]\n"
			 "  [ meta load l4proto => reg 1 ]\n"
			 "  [ cmp eq reg 1 0x0000003a ]\n"
			 "  [ payload load 1b @ transport header + 0 => reg 1 ]\n"
			 "  [ cmp eq reg 1 0x00000080 ]\n"
			 "  [ limit rate 10/second burst 20 type packets flags 0x0 ]\n"
			 "  [ immediate reg 0 accept ]\n");
	ck_assert_str_eq(rule_text(o, 5),
			 "  [ limit rate 6/minute burst 10 type packets flags 0x0 ]\n"
			 "  [ log prefix fwgen drop in:  ]\n");
	ck_assert_str_eq(rule_text(o, 6),
			 "  [ meta load oif => reg 1 ]\n"
			 "  [ cmp eq reg 1 0x00000001 ]\n"
			 "  [ immediate reg 0 accept ]\n");
	ck_assert_str_eq(rule_text(o, 7),
			 "  [ meta load nfproto => reg 1 ]\n"
			 "  [ cmp eq reg 1 0x0000000a ]\n"
			 "  [ payload load 16b @ network header + 24 => reg 1 ]\n"
			 "  [ lookup reg 1 set db_v6 ]\n"
			 "  [ immediate reg 0 accept ]\n");
	ck_assert_str_eq(rule_text(o, 8),
			 "  [ meta load nfproto => reg 1 ]\n"
			 "  [ cmp eq reg 1 0x00000002 ]\n"
			 "  [ immediate reg 0 accept ]\n");
	ck_assert_str_eq(rule_text(o, 9),
			 "  [ meta load l4proto => reg 1 ]\n"
			 "  [ cmp eq reg 1 0x00000011 ]\n"
			 "  [ payload load 2b @ transport header + 2 => reg 1 ]\n"
			 "  [ cmp eq reg 1 0x00003500 ]\n"
			 "  [ immediate reg 0 accept ]\n");
	/* nft 1.0.6 writes a lone range as two comparisons. */
	ck_assert_str_eq(rule_text(o, 10),
			 "  [ meta load l4proto => reg 1 ]\n"
			 "  [ cmp eq reg 1 0x00000011 ]\n"
			 "  [ payload load 2b @ transport header + 2 => reg 1 ]\n"
			 "  [ cmp gte reg 1 0x0000e803 ]\n"
			 "  [ cmp lte reg 1 0x0000d007 ]\n"
			 "  [ immediate reg 0 accept ]\n");
	/* Chains: base chains carry hook, priority, type and policy. */
	ck_assert_uint_eq(nftnl_chain_get_u32(fwgen_nftnl_chain_at(o, 0),
					      NFTNL_CHAIN_HOOKNUM),
			  NF_INET_LOCAL_IN);
	ck_assert_uint_eq(nftnl_chain_get_u32(fwgen_nftnl_chain_at(o, 0),
					      NFTNL_CHAIN_POLICY),
			  NF_DROP);
	ck_assert_str_eq(nftnl_chain_get_str(fwgen_nftnl_chain_at(o, 1),
					     NFTNL_CHAIN_TYPE),
			 "filter");
	fwgen_nftnl_free(o);
	fwgen_policy_free(pol);
	fwgen_ctx_free(ctx);
}
END_TEST

/* The elements of set s as "key[/end]" words: "00000000/end c6120900 ...". */
static void elems_text(const struct nftnl_set *s, char *buf, size_t len)
{
	struct nftnl_set_elems_iter *it = nftnl_set_elems_iter_create(s);
	struct nftnl_set_elem *e;
	size_t off = 0;

	buf[0] = '\0';
	while ((e = nftnl_set_elems_iter_next(it))) {
		uint32_t klen, i;
		const uint8_t *k = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &klen);

		for (i = 0; i < klen && off + 3 < len; i++)
			off += (size_t)snprintf(buf + off, len - off, "%02x", k[i]);
		if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_FLAGS) &&
		    (nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_FLAGS) &
		     NFT_SET_ELEM_INTERVAL_END))
			off += (size_t)snprintf(buf + off, len - off, "/end");
		if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_USERDATA))
			off += (size_t)snprintf(buf + off, len - off, "/open");
		off += (size_t)snprintf(buf + off, len - off, " ");
	}
	nftnl_set_elems_iter_destroy(it);
}

START_TEST(test_nft_build_interval_elements_as_nft_sends_them)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_policy *pol = pol_new("test");
	struct fwgen_nftnl *o;
	char buf[1024];

	add_set(pol, "a_v4", 4, "198.18.9.0/24");
	/* Starts at zero: no leading end; runs to the top: open, no end. */
	add_set(pol, "b_v4", 4, "0.0.0.0/1,198.18.1.1,255.255.255.0/24");
	add_set(pol, "c_v4", 4, "");
	o = build(ctx, pol);
	ck_assert_uint_eq(fwgen_nftnl_set_count(o), 3);
	elems_text(fwgen_nftnl_set_at(o, 0), buf, sizeof(buf));
	ck_assert_str_eq(buf, "00000000/end c6120900 c6120a00/end ");
	elems_text(fwgen_nftnl_set_at(o, 1), buf, sizeof(buf));
	ck_assert_str_eq(buf, "00000000 80000000/end c6120101 c6120102/end ffffff00/open ");
	elems_text(fwgen_nftnl_set_at(o, 2), buf, sizeof(buf));
	ck_assert_str_eq(buf, "");
	ck_assert_uint_eq(nftnl_set_get_u32(fwgen_nftnl_set_at(o, 0), NFTNL_SET_FLAGS),
			  NFT_SET_INTERVAL);
	ck_assert_uint_eq(nftnl_set_get_u32(fwgen_nftnl_set_at(o, 0), NFTNL_SET_KEY_LEN), 4);
	ck_assert_uint_eq(nftnl_set_get_u32(fwgen_nftnl_set_at(o, 2), NFTNL_SET_ID), 3);
	fwgen_nftnl_free(o);
	fwgen_policy_free(pol);
	fwgen_ctx_free(ctx);
}
END_TEST

START_TEST(test_nft_build_port_sets_plain_interval_and_merged)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_policy *pol = pol_new("test");
	size_t in = add_chain(pol, "input", POL_HOOK_INPUT, true);
	const struct nftnl_set *s;
	struct fwgen_nftnl *o;
	char buf[1024];

	rule_ports(add_rule(pol, in, "plain", POL_VERDICT_ACCEPT), POL_L4_TCP, "443,80");
	rule_ports(add_rule(pol, in, "ranges", POL_VERDICT_ACCEPT), POL_L4_UDP,
		   "8000-8100,80");
	/* Adjacent and overlapping ranges merge, as nft's auto-merge does. */
	rule_ports(add_rule(pol, in, "merged", POL_VERDICT_ACCEPT), POL_L4_TCP,
		   "81-90,80,85-100,65535");
	o = build(ctx, pol);
	ck_assert_uint_eq(fwgen_nftnl_set_count(o), 3);

	s = fwgen_nftnl_set_at(o, 0);
	ck_assert_str_eq(nftnl_set_get_str(s, NFTNL_SET_NAME), "__set%d");
	ck_assert_uint_eq(nftnl_set_get_u32(s, NFTNL_SET_FLAGS),
			  NFT_SET_ANONYMOUS | NFT_SET_CONSTANT);
	ck_assert_uint_eq(nftnl_set_get_u32(s, NFTNL_SET_DESC_SIZE), 2);
	elems_text(s, buf, sizeof(buf));
	ck_assert_str_eq(buf, "01bb 0050 "); /* in the order written */

	s = fwgen_nftnl_set_at(o, 1);
	ck_assert_uint_eq(nftnl_set_get_u32(s, NFTNL_SET_FLAGS),
			  NFT_SET_ANONYMOUS | NFT_SET_CONSTANT | NFT_SET_INTERVAL);
	ck_assert_uint_eq(nftnl_set_get_u32(s, NFTNL_SET_DESC_SIZE), 5);
	elems_text(s, buf, sizeof(buf));
	ck_assert_str_eq(buf, "0000/end 0050 0051/end 1f40 1fa5/end ");

	s = fwgen_nftnl_set_at(o, 2);
	elems_text(s, buf, sizeof(buf));
	ck_assert_str_eq(buf, "0000/end 0050 0065/end ffff/open ");
	ck_assert_uint_eq(nftnl_set_get_u32(s, NFTNL_SET_ID), 3);
	fwgen_nftnl_free(o);
	fwgen_policy_free(pol);
	fwgen_ctx_free(ctx);
}
END_TEST

static void add_vmap(struct pol_rule *r, size_t n, const uint8_t *proto,
		     const uint16_t (*ports)[2], const size_t *chain)
{
	size_t i;

	r->vmap = calloc(n, sizeof(*r->vmap));
	r->nvmap = n;
	for (i = 0; i < n; i++) {
		r->vmap[i].l4proto = proto[i];
		r->vmap[i].ports.lo = ports[i][0];
		r->vmap[i].ports.hi = ports[i][1];
		r->vmap[i].chain = chain[i];
	}
}

START_TEST(test_nft_build_dispatch_map_interval_and_plain)
{
	static const uint8_t proto[] = { POL_L4_TCP, POL_L4_UDP };
	static const uint16_t ranges[][2] = { { 80, 80 }, { 4560, 4570 } };
	static const uint16_t singles[][2] = { { 80, 80 }, { 53, 53 } };
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_policy *pol = pol_new("test");
	size_t in = add_chain(pol, "input", POL_HOOK_INPUT, true);
	size_t c1 = add_chain(pol, "in_tcp_80", POL_HOOK_NONE, false);
	size_t chains[] = { c1, c1 };
	struct nftnl_set_elems_iter *it;
	struct nftnl_set_elem *e;
	const struct nftnl_set *s;
	struct fwgen_nftnl *o;
	const uint8_t *k;
	uint32_t len;

	add_vmap(add_rule(pol, in, "d", POL_VERDICT_VMAP), 2, proto, ranges, chains);
	add_vmap(add_rule(pol, in, "e", POL_VERDICT_VMAP), 2, proto, singles, chains);
	o = build(ctx, pol);
	ck_assert_str_eq(rule_text(o, 0),
			 "  [ meta load l4proto => reg 1 ]\n"
			 "  [ byteorder reg 1 = hton(reg 1, 2, 1) ]\n"
			 "  [ payload load 2b @ transport header + 2 => reg 9 ]\n"
			 "  [ lookup reg 1 set __map%d dreg 0 ]\n");
	ck_assert_str_eq(rule_text(o, 1),
			 "  [ meta load l4proto => reg 1 ]\n"
			 "  [ payload load 2b @ transport header + 2 => reg 9 ]\n"
			 "  [ lookup reg 1 set __map%d dreg 0 ]\n");

	s = fwgen_nftnl_set_at(o, 0);
	ck_assert_uint_eq(nftnl_set_get_u32(s, NFTNL_SET_FLAGS), 0x8f);
	ck_assert_uint_eq(nftnl_set_get_u32(s, NFTNL_SET_KEY_TYPE), 0x30d);
	ck_assert_uint_eq(nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN), 8);
	ck_assert_uint_eq(nftnl_set_get_u32(s, NFTNL_SET_DATA_TYPE), 0xffffff00);
	it = nftnl_set_elems_iter_create(s);
	nftnl_set_elems_iter_next(it);
	e = nftnl_set_elems_iter_next(it);
	k = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &len);
	ck_assert_uint_eq(len, 8);
	ck_assert_mem_eq(k, "\x11\0\0\0\x11\xd0\0\0", 8);
	k = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY_END, &len);
	ck_assert_mem_eq(k, "\x11\0\0\0\x11\xda\0\0", 8);
	ck_assert_int_eq((int)nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_VERDICT), NFT_JUMP);
	ck_assert_str_eq(nftnl_set_elem_get_str(e, NFTNL_SET_ELEM_CHAIN), "in_tcp_80");
	nftnl_set_elems_iter_destroy(it);

	s = fwgen_nftnl_set_at(o, 1);
	ck_assert_uint_eq(nftnl_set_get_u32(s, NFTNL_SET_FLAGS), 0x0b);
	it = nftnl_set_elems_iter_create(s);
	e = nftnl_set_elems_iter_next(it);
	ck_assert(!nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_KEY_END));
	nftnl_set_elems_iter_destroy(it);
	fwgen_nftnl_free(o);
	fwgen_policy_free(pol);
	fwgen_ctx_free(ctx);
}
END_TEST

START_TEST(test_nft_build_redirect_and_nat_chain)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_policy *pol = pol_new("test");
	size_t pre = add_chain(pol, "prerouting", POL_HOOK_PREROUTING, false);
	struct pol_rule *r = add_rule(pol, pre, "pxe", POL_VERDICT_REDIRECT);
	struct fwgen_nftnl *o;

	rule_ports(r, POL_L4_UDP, "69");
	r->redirect_port = 6969;
	o = build(ctx, pol);
	ck_assert_str_eq(rule_text(o, 0),
			 "  [ meta load l4proto => reg 1 ]\n"
			 "  [ cmp eq reg 1 0x00000011 ]\n"
			 "  [ payload load 2b @ transport header + 2 => reg 1 ]\n"
			 "  [ cmp eq reg 1 0x00004500 ]\n"
			 "  [ immediate reg 1 0x0000391b ]\n"
			 "  [ redir proto_min reg 1 flags 0x2 ]\n");
	ck_assert_str_eq(nftnl_chain_get_str(fwgen_nftnl_chain_at(o, 0),
					     NFTNL_CHAIN_TYPE),
			 "nat");
	ck_assert_int_eq(nftnl_chain_get_s32(fwgen_nftnl_chain_at(o, 0),
					     NFTNL_CHAIN_PRIO),
			 -100);
	ck_assert_uint_eq(nftnl_chain_get_u32(fwgen_nftnl_chain_at(o, 0),
					      NFTNL_CHAIN_POLICY),
			  NF_ACCEPT);
	fwgen_nftnl_free(o);
	fwgen_policy_free(pol);
	fwgen_ctx_free(ctx);
}
END_TEST

START_TEST(test_nft_build_refuses_comment_nft_would_refuse)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_policy *pol = pol_new("test");
	size_t in = add_chain(pol, "input", POL_HOOK_INPUT, true);
	struct fwgen_nftnl *o = (void *)1;
	char comment[200];

	memset(comment, 'x', sizeof(comment) - 1);
	comment[sizeof(comment) - 1] = '\0';
	add_rule(pol, in, comment, POL_VERDICT_ACCEPT);
	ck_assert_int_eq(fwgen_policy_to_nftnl(ctx, pol, &o), -EINVAL);
	ck_assert_ptr_eq(o, (void *)1); /* left as it was */
	ck_assert_ptr_nonnull(strstr(fwgen_ctx_error(ctx), "longer than 128"));
	fwgen_policy_free(pol);
	fwgen_ctx_free(ctx);
}
END_TEST

/* Message types of a batch, in order, e.g. "10 2 0 3 ...". */
static void batch_types(struct nftnl_batch *b, uint16_t *types, size_t *n,
			size_t max, size_t *largest)
{
	int i, niov = nftnl_batch_iovec_len(b);
	struct iovec *iov = calloc((size_t)niov, sizeof(*iov));

	*n = 0;
	*largest = 0;
	nftnl_batch_iovec(b, iov, (uint32_t)niov);
	for (i = 0; i < niov; i++) {
		const struct nlmsghdr *nlh = iov[i].iov_base;
		int len = (int)iov[i].iov_len;

		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			if (*n < max)
				types[(*n)++] = nlh->nlmsg_type & 0xff;
			if (nlh->nlmsg_len > *largest)
				*largest = nlh->nlmsg_len;
		}
	}
	free(iov);
}

/* A batch as nl_batch_fprintf() writes it, from nft_build() or its lazy twin. */
static char *batch_text(struct fwgen_ctx *ctx, const struct fwgen_policy *pol,
			bool lazy)
{
	struct nft_objs *o = NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	ck_assert_int_eq(lazy ? nft_build_for_batch(ctx, pol, &o) :
				nft_build(ctx, pol, &o),
			 0);
	ck_assert_int_eq(lazy, o->lazy != NULL);
	f = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(nl_batch_fprintf(ctx, o, NL_COMMIT, 1, f), 0);
	fclose(f);
	nft_objs_free(o);
	return text;
}

/*
 * apply encodes the named sets' elements straight from the policy; the
 * batch must be byte for byte the one libnftnl's element objects give:
 * split across messages, with nft's end element at zero, without it when
 * a range starts at zero, with a range open to the top, and empty sets.
 */
/*
 * The hash part of a role as nft sends `type ipv4_addr; size N`: flags 0,
 * the size in the set's description, one element per host and no end
 * elements; the _net part beside it an interval set.
 */
START_TEST(test_nft_build_hash_part_as_nft_sends_it)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_policy *pol = pol_new("test");
	struct fwgen_nftnl *o;
	struct nftnl_set *s;
	char buf[1024];

	add_set_parts(pol, "a_v4", 4, "198.18.1.1,198.18.1.3,255.255.255.255", "198.18.2.0/24");
	o = build(ctx, pol);
	ck_assert_uint_eq(fwgen_nftnl_set_count(o), 2);
	s = fwgen_nftnl_set_at(o, 0);
	elems_text(s, buf, sizeof(buf));
	ck_assert_str_eq(buf, "c6120101 c6120103 ffffffff ");
	ck_assert(nftnl_set_is_set(s, NFTNL_SET_FLAGS));
	ck_assert_uint_eq(nftnl_set_get_u32(s, NFTNL_SET_FLAGS), 0);
	ck_assert_uint_eq(nftnl_set_get_u32(s, NFTNL_SET_DESC_SIZE), 1024);
	s = fwgen_nftnl_set_at(o, 1);
	elems_text(s, buf, sizeof(buf));
	ck_assert_str_eq(buf, "00000000/end c6120200 c6120300/end ");
	ck_assert_uint_eq(nftnl_set_get_u32(s, NFTNL_SET_FLAGS), NFT_SET_INTERVAL);
	ck_assert(!nftnl_set_is_set(s, NFTNL_SET_DESC_SIZE));
	fwgen_nftnl_free(o);
	fwgen_policy_free(pol);
	fwgen_ctx_free(ctx);
}
END_TEST

START_TEST(test_nft_build_lazy_elements_encode_as_libnftnl)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_policy *pol = pol_new("test");
	size_t in = add_chain(pol, "input", POL_HOOK_INPUT, true);
	struct pol_rule *r;
	struct pol_set *s;
	char *objs, *lazy;
	int big, i;

	big = add_set(pol, "a_v4", 4, "");
	s = &pol->sets[big];
	s->elems = calloc(30000, sizeof(*s->elems));
	for (i = 0; i < 30000; i++) {
		uint32_t a = htonl((198u << 24) + (18u << 16) + (uint32_t)i * 2);

		memcpy(s->elems[i].lo, &a, 4);
		memcpy(s->elems[i].hi, &a, 4);
	}
	s->nelems = 30000;
	add_set(pol, "a_v6", 6, "2001:db8::/48,2001:db8:1::7,ff00::/8");
	/* Hash parts too: a key per host, the top address not open. */
	add_set_parts(pol, "a_v7", 4, "198.18.1.1,255.255.255.255", "");
	add_set_parts(pol, "a_v8", 6, "2001:db8::1,ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::/1");
	add_set(pol, "b_v4", 4, "0.0.0.0/8,198.18.0.0/15,224.0.0.0/3");
	add_set(pol, "b_v6", 6, "");
	add_set(pol, "c_v6", 6, "::/0");
	r = add_rule(pol, in, "a", POL_VERDICT_ACCEPT);
	r->family = 4;
	r->saddr_set = big;

	objs = batch_text(ctx, pol, false);
	lazy = batch_text(ctx, pol, true);
	ck_assert_uint_gt(strlen(objs), 1000000);
	ck_assert(strcmp(objs, lazy) == 0);
	free(objs);
	free(lazy);
	fwgen_policy_free(pol);
	fwgen_ctx_free(ctx);
}
END_TEST

START_TEST(test_nft_build_batch_order_and_large_set_split)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_policy *pol = pol_new("test");
	size_t in = add_chain(pol, "input", POL_HOOK_INPUT, true);
	size_t svc = add_chain(pol, "in_tcp_22", POL_HOOK_NONE, false);
	struct pol_rule *r;
	struct pol_set *s;
	struct fwgen_nftnl *o;
	struct nftnl_batch *b;
	uint16_t types[512];
	size_t n, i, largest, nelem_msgs = 0;
	uint32_t seq = 100;
	int big;

	/* 100,000 separate addresses: 200,001 interval elements. */
	big = add_set(pol, "user_v4", 4, "");
	s = &pol->sets[big];
	s->elems = calloc(100000, sizeof(*s->elems));
	for (i = 0; i < 100000; i++) {
		uint32_t a = htonl((10u << 24) + (uint32_t)i * 2);

		memcpy(s->elems[i].lo, &a, 4);
		memcpy(s->elems[i].hi, &a, 4);
	}
	s->nelems = 100000;
	r = add_rule(pol, in, "ports", POL_VERDICT_ACCEPT);
	rule_ports(r, POL_L4_TCP, "22,80");
	r = add_rule(pol, svc, "users", POL_VERDICT_ACCEPT);
	r->family = 4;
	r->saddr_set = big;

	o = build(ctx, pol);
	b = nftnl_batch_alloc(2 * 1024 * 1024, FWGEN_NFTNL_MSG_MAX);
	ck_assert_int_eq(fwgen_nftnl_batch_append(o, b, &seq), 0);
	batch_types(b, types, &n, 512, &largest);
	/* table reset, table, 2 chains, set + elements..., anon set + elements, 2 rules */
	ck_assert_uint_eq(types[0], NFT_MSG_NEWTABLE);
	ck_assert_uint_eq(types[1], NFT_MSG_DELTABLE);
	ck_assert_uint_eq(types[2], NFT_MSG_NEWTABLE);
	ck_assert_uint_eq(types[3], NFT_MSG_NEWCHAIN);
	ck_assert_uint_eq(types[4], NFT_MSG_NEWCHAIN);
	ck_assert_uint_eq(types[5], NFT_MSG_NEWSET);
	for (i = 6; i < n && types[i] == NFT_MSG_NEWSETELEM; i++)
		nelem_msgs++;
	ck_assert_uint_gt(nelem_msgs, 40);	     /* 200,001 elements do not fit one */
	ck_assert_uint_eq(types[i], NFT_MSG_NEWSET); /* the anonymous set ... */
	ck_assert_uint_eq(types[i + 1], NFT_MSG_NEWSETELEM);
	ck_assert_uint_eq(types[i + 2], NFT_MSG_NEWRULE); /* ... right before its rule */
	ck_assert_uint_eq(types[i + 3], NFT_MSG_NEWRULE);
	ck_assert_uint_eq(n, i + 4);
	ck_assert_uint_eq(seq, 100 + n);
	ck_assert_uint_le(largest, 65536 + 1024);
	nftnl_batch_free(b);
	fwgen_nftnl_free(o);
	fwgen_policy_free(pol);
	fwgen_ctx_free(ctx);
}
END_TEST

START_TEST(test_nft_build_real_catalog_every_rule_encoded)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = load_real_catalog(ctx);
	const char *roles[] = { "app-tier" };
	struct fwgen_policy *pol = NULL;
	struct fwgen_nftnl *o;
	size_t i, nrules = 0;

	ck_assert_int_eq(fwgen_policy_resolve(ctx, cat, NULL, "morpheus-distributed",
					      roles, 1, 0, &pol),
			 0);
	o = build(ctx, pol);
	for (i = 0; i < pol->nchains; i++)
		nrules += pol->chains[i].nrules;
	ck_assert_uint_eq(fwgen_nftnl_chain_count(o), pol->nchains);
	ck_assert_uint_eq(fwgen_nftnl_rule_count(o), nrules);
	ck_assert_uint_ge(fwgen_nftnl_set_count(o), pol->nsets);
	ck_assert_str_eq(nftnl_table_get_str(fwgen_nftnl_table(o), NFTNL_TABLE_NAME),
			 "fwgen");
	ck_assert_ptr_null(fwgen_nftnl_rule_at(o, nrules));
	fwgen_nftnl_free(o);
	fwgen_policy_free(pol);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
}
END_TEST

/* Anti-lockout, on the policy alone. */

static struct fwgen_policy *ssh_policy(bool redirect)
{
	static const uint8_t proto[] = { POL_L4_TCP };
	static const uint16_t port[][2] = { { 2222, 2222 } };
	struct fwgen_policy *pol = pol_new("test");
	size_t in = add_chain(pol, "input", POL_HOOK_INPUT, true);
	size_t svc = add_chain(pol, "in_tcp_2222", POL_HOOK_NONE, false);
	int a4 = add_set(pol, "admin_v4", 4, "198.18.9.0/24");
	int a6 = add_set(pol, "admin_v6", 6, "2001:db8:9::/48");
	size_t chains[] = { svc };
	struct pol_rule *r;

	add_rule(pol, in, "est", POL_VERDICT_ACCEPT)->ct_states =
		POL_CT_ESTABLISHED | POL_CT_RELATED;
	add_rule(pol, in, "lo", POL_VERDICT_ACCEPT)->iface = POL_IFACE_IIF_LO;
	r = add_rule(pol, in, "baseline: management SSH from admin", POL_VERDICT_ACCEPT);
	r->family = 4;
	r->saddr_set = a4;
	rule_ports(r, POL_L4_TCP, "22");
	r = add_rule(pol, in, "baseline: management SSH from admin", POL_VERDICT_ACCEPT);
	r->family = 6;
	r->saddr_set = a6;
	rule_ports(r, POL_L4_TCP, "22");
	add_vmap(add_rule(pol, in, "dispatch", POL_VERDICT_VMAP), 1, proto, port, chains);
	add_rule(pol, svc, "alt ssh", POL_VERDICT_ACCEPT);
	if (redirect) {
		size_t pre = add_chain(pol, "prerouting", POL_HOOK_PREROUTING, false);

		r = add_rule(pol, pre, "ssh to 2222", POL_VERDICT_REDIRECT);
		rule_ports(r, POL_L4_TCP, "22");
		r->redirect_port = 2222;
	}
	return pol;
}

START_TEST(test_lockout_admits_admin_and_refuses_others)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_policy *pol = ssh_policy(false);

	ck_assert_int_eq(fwgen_policy_lockout_check(ctx, pol, NULL), 0);
	ck_assert_int_eq(fwgen_policy_lockout_check(ctx, pol,
						    "198.18.9.7 51000 198.18.1.10 22"),
			 0);
	ck_assert_int_eq(fwgen_policy_lockout_check(ctx, pol,
						    "::ffff:198.18.9.7 51000 ::ffff:198.18.1.10 22"),
			 0);
	ck_assert_int_eq(fwgen_policy_lockout_check(ctx, pol,
						    "2001:db8:9::5 51000 2001:db8:1::10 22"),
			 0);
	/* Port 2222 goes through the dispatch map to an open service chain. */
	ck_assert_int_eq(fwgen_policy_lockout_check(ctx, pol,
						    "203.0.113.9 51000 198.18.1.10 2222"),
			 0);
	/* From loopback, iif lo admits it. */
	ck_assert_int_eq(fwgen_policy_lockout_check(ctx, pol,
						    "127.0.0.1 51000 127.0.0.1 22"),
			 0);

	ck_assert_int_eq(fwgen_policy_lockout_check(ctx, pol,
						    "203.0.113.9 51000 198.18.1.10 22"),
			 -EACCES);
	ck_assert_ptr_nonnull(strstr(fwgen_ctx_error(ctx), "203.0.113.9"));
	ck_assert_ptr_nonnull(strstr(fwgen_ctx_error(ctx), "admin_v4"));
	ck_assert_ptr_nonnull(strstr(fwgen_ctx_error(ctx), "or force the apply"));
	ck_assert_int_eq(fwgen_policy_lockout_check(ctx, pol,
						    "2001:db8:7::1 51000 2001:db8:1::10 22"),
			 -EACCES);
	ck_assert_ptr_nonnull(strstr(fwgen_ctx_error(ctx), "admin_v6"));
	ck_assert_int_eq(fwgen_policy_lockout_check(ctx, pol, "nonsense"), -EINVAL);
	ck_assert_int_eq(fwgen_policy_lockout_check(ctx, pol,
						    "198.18.9.7 51000 2001:db8::1 22"),
			 -EINVAL);
	fwgen_policy_free(pol);
	fwgen_ctx_free(ctx);
}
END_TEST

START_TEST(test_lockout_follows_prerouting_redirect)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_policy *pol = ssh_policy(true);

	/* 22 is redirected to 2222, which is open to all. */
	ck_assert_int_eq(fwgen_policy_lockout_check(ctx, pol,
						    "203.0.113.9 51000 198.18.1.10 22"),
			 0);
	fwgen_policy_free(pol);
	fwgen_ctx_free(ctx);
}
END_TEST

/* sshd writes a link-local client with its zone: parsed, not malformed. */
START_TEST(test_lockout_link_local_zone)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_policy *pol = ssh_policy(false);

	/* 2222 is open to all: admitted. */
	ck_assert_int_eq(fwgen_policy_lockout_check(ctx, pol,
						    "fe80::1%eth0 5555 fe80::2%eth0 2222"),
			 0);
	/* 22 only from admin: refused for what it is, not as malformed. */
	ck_assert_int_eq(fwgen_policy_lockout_check(ctx, pol,
						    "fe80::1%eth0 5555 fe80::2%eth0 22"),
			 -EACCES);
	ck_assert_ptr_nonnull(strstr(fwgen_ctx_error(ctx), "fe80::1"));
	/* A zone only on link-local IPv6, and never empty. */
	ck_assert_int_eq(fwgen_policy_lockout_check(ctx, pol,
						    "2001:db8:9::5%eth0 5555 2001:db8:1::10 22"),
			 -EINVAL);
	ck_assert_int_eq(fwgen_policy_lockout_check(ctx, pol,
						    "198.18.9.7%eth0 5555 198.18.1.10 22"),
			 -EINVAL);
	ck_assert_int_eq(fwgen_policy_lockout_check(ctx, pol,
						    "fe80::1% 5555 fe80::2%eth0 22"),
			 -EINVAL);
	fwgen_policy_free(pol);
	fwgen_ctx_free(ctx);
}
END_TEST

START_TEST(test_lockout_open_input_policy_admits)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_policy *pol = pol_new("test");

	add_chain(pol, "input", POL_HOOK_INPUT, false);
	ck_assert_int_eq(fwgen_policy_lockout_check(ctx, pol,
						    "203.0.113.9 51000 198.18.1.10 22"),
			 0);
	pol->chains[0].policy_drop = true;
	ck_assert_int_eq(fwgen_policy_lockout_check(ctx, pol,
						    "203.0.113.9 51000 198.18.1.10 22"),
			 -EACCES);
	ck_assert_ptr_nonnull(strstr(fwgen_ctx_error(ctx), "no rule admits tcp/22"));
	fwgen_policy_free(pol);
	fwgen_ctx_free(ctx);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("nft-build");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_nft_build_ssh_from_admin_matches_nft);
	tcase_add_test(tc, test_nft_build_baseline_shapes_match_nft);
	tcase_add_test(tc, test_nft_build_interval_elements_as_nft_sends_them);
	tcase_add_test(tc, test_nft_build_hash_part_as_nft_sends_it);
	tcase_add_test(tc, test_nft_build_port_sets_plain_interval_and_merged);
	tcase_add_test(tc, test_nft_build_dispatch_map_interval_and_plain);
	tcase_add_test(tc, test_nft_build_redirect_and_nat_chain);
	tcase_add_test(tc, test_nft_build_refuses_comment_nft_would_refuse);
	tcase_add_test(tc, test_nft_build_batch_order_and_large_set_split);
	tcase_add_test(tc, test_nft_build_lazy_elements_encode_as_libnftnl);
	tcase_add_test(tc, test_nft_build_real_catalog_every_rule_encoded);
	tcase_add_test(tc, test_lockout_admits_admin_and_refuses_others);
	tcase_add_test(tc, test_lockout_follows_prerouting_redirect);
	tcase_add_test(tc, test_lockout_link_local_zone);
	tcase_add_test(tc, test_lockout_open_input_policy_admits);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
