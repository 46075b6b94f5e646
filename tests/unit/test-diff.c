/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * diff's comparison on objects built by hand or by nft_build(), no kernel:
 * what counts as a difference, what does not, and the exact lines.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include <libnftnl/expr.h>
#include <libnftnl/udata.h>

#include "testutil.h"
#include "render-fixture.h"

#include "diff.h"
#include "nft-build.h"
#include "nft-canon.h"

/* Objects built by hand, as the kernel or a batch would hold them */

static struct nft_objs *objs_new(const char *table)
{
	struct nft_objs *o = calloc(1, sizeof(*o));

	ck_assert_ptr_nonnull(o);
	if (table) {
		o->table = nftnl_table_alloc();
		nftnl_table_set_str(o->table, NFTNL_TABLE_NAME, table);
		nftnl_table_set_u32(o->table, NFTNL_TABLE_FAMILY, NFPROTO_INET);
	}
	return o;
}

#define PUSH(arr, n, obj)                                           \
	do {                                                        \
		(arr) = realloc((arr), ((n) + 1) * sizeof(*(arr))); \
		ck_assert_ptr_nonnull(arr);                         \
		(arr)[(n)++] = (obj);                               \
	} while (0)

static struct nftnl_chain *add_chain(struct nft_objs *o, const char *name,
				     int hook, int prio, uint32_t policy)
{
	struct nftnl_chain *c = nftnl_chain_alloc();

	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, "fwgen");
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
	if (hook >= 0) {
		nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, (uint32_t)hook);
		nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, prio);
		nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
		nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, policy);
	}
	PUSH(o->chains, o->nchains, c);
	return c;
}

static struct nftnl_set *add_set(struct nft_objs *o, const char *name,
				 uint32_t id, uint32_t flags, uint32_t key_type,
				 uint32_t key_len)
{
	struct nftnl_set *s = nftnl_set_alloc();

	nftnl_set_set_str(s, NFTNL_SET_TABLE, "fwgen");
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, flags);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, key_len);
	if (key_type)
		nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, key_type);
	if (id)
		nftnl_set_set_u32(s, NFTNL_SET_ID, id);
	PUSH(o->sets, o->nsets, s);
	return s;
}

static void add_elem(struct nftnl_set *s, const void *key, uint32_t len,
		     bool end)
{
	struct nftnl_set_elem *e = nftnl_set_elem_alloc();

	nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, len);
	if (end)
		nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_FLAGS, NFT_SET_ELEM_INTERVAL_END);
	nftnl_set_elem_add(s, e);
}

/* An IPv4 range lo..hi the way nft sends it: start, end one past. */
static void add_v4_range(struct nftnl_set *s, const char *lo, const char *hi)
{
	uint32_t a, b;

	ck_assert_int_eq(inet_pton(AF_INET, lo, &a), 1);
	ck_assert_int_eq(inet_pton(AF_INET, hi, &b), 1);
	b = htonl(ntohl(b) + 1);
	add_elem(s, &a, 4, false);
	add_elem(s, &b, 4, true);
}

static struct nftnl_rule *add_rule(struct nft_objs *o, const char *chain,
				   const char *comment, uint64_t handle)
{
	struct nftnl_rule *r = nftnl_rule_alloc();

	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, "fwgen");
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	if (handle)
		nftnl_rule_set_u64(r, NFTNL_RULE_HANDLE, handle);
	if (comment) {
		struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(256);

		nftnl_udata_put_strz(ud, NFTNL_UDATA_RULE_COMMENT, comment);
		nftnl_rule_set_data(r, NFTNL_RULE_USERDATA, nftnl_udata_buf_data(ud),
				    nftnl_udata_buf_len(ud));
		nftnl_udata_buf_free(ud);
	}
	PUSH(o->rules, o->nrules, r);
	return r;
}

static struct nftnl_expr *ex(struct nftnl_rule *r, const char *name)
{
	struct nftnl_expr *e = nftnl_expr_alloc(name);

	ck_assert_ptr_nonnull(e);
	nftnl_rule_add_expr(r, e);
	return e;
}

static void e_meta(struct nftnl_rule *r, uint32_t key, uint32_t dreg)
{
	struct nftnl_expr *e = ex(r, "meta");

	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, dreg);
}

static void e_cmp(struct nftnl_rule *r, uint32_t sreg, uint32_t op,
		  const void *data, uint32_t len)
{
	struct nftnl_expr *e = ex(r, "cmp");

	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, sreg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
}

static void e_payload(struct nftnl_rule *r, uint32_t base, uint32_t off,
		      uint32_t len, uint32_t dreg)
{
	struct nftnl_expr *e = ex(r, "payload");

	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, dreg);
}

static void e_verdict(struct nftnl_rule *r, int verdict)
{
	struct nftnl_expr *e = ex(r, "immediate");

	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)verdict);
}

/* A lookup by name (kernel), or by set id (a batch not sent yet). */
static void e_lookup(struct nftnl_rule *r, uint32_t sreg, const char *set,
		     uint32_t id, bool kernel)
{
	struct nftnl_expr *e = ex(r, "lookup");

	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, sreg);
	nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set);
	if (id)
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, id);
	if (kernel)
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_FLAGS, 0);
}

/*
 * A small table two ways. The desired shape, as a batch holds it:
 * 16-byte register names, an anonymous set named by template and bound by
 * id, attributes left to their defaults. The kernel's shape, as a dump
 * returns it: a register named in 32-bit units where nft_build() used the
 * other name, the set's real name, defaults spelt out, handles, counters
 * with counts.
 */
static struct nft_objs *small_table(bool kernel)
{
	static const uint8_t icmp_types[] = { 3, 11, 12 };
	struct nft_objs *o = objs_new("fwgen");
	struct nftnl_set *s;
	struct nftnl_rule *r;
	struct nftnl_expr *e;
	uint32_t reg = kernel ? NFT_REG32_00 : NFT_REG_1;
	uint8_t v4 = NFPROTO_IPV4, icmp = IPPROTO_ICMP, zero[4] = { 0 };
	uint32_t mask = 1, sentinel = 0;
	const char *anon = kernel ? "__set3" : "__set%d";
	size_t i;

	s = add_set(o, "user_v4", 0, NFT_SET_INTERVAL, 7, 4);
	/* The kernel dumps the elements backwards, with nft's zero sentinel. */
	if (kernel) {
		add_v4_range(s, "198.18.5.5", "198.18.5.5");
		add_v4_range(s, "198.18.1.0", "198.18.1.255");
		add_elem(s, &sentinel, 4, true);
	} else {
		add_v4_range(s, "198.18.1.0", "198.18.1.255");
		add_v4_range(s, "198.18.5.5", "198.18.5.5");
	}
	s = add_set(o, anon, kernel ? 0 : 1, NFT_SET_ANONYMOUS | NFT_SET_CONSTANT, 0, 1);
	for (i = 0; i < 3; i++)
		add_elem(s, &icmp_types[kernel ? 2 - i : i], 1, false);

	add_chain(o, "input", NF_INET_LOCAL_IN, 0, NF_DROP);
	add_chain(o, "in_tcp_443", -1, 0, 0);

	r = add_rule(o, "input", "baseline: drop invalid packets", kernel ? 4 : 0);
	e = ex(r, "ct");
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, NFT_CT_STATE);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, reg);
	e = ex(r, "bitwise");
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, reg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, 4);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, &mask, 4);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, zero, 4);
	e_cmp(r, reg, NFT_CMP_NEQ, zero, 4);
	if (kernel) {
		e = ex(r, "counter");
		nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_PACKETS, 12);
		nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_BYTES, 3456);
	} else {
		ex(r, "counter");
	}
	e_verdict(r, NF_DROP);

	r = add_rule(o, "input", "baseline: ICMP errors networks need", kernel ? 5 : 0);
	e_meta(r, NFT_META_NFPROTO, reg);
	e_cmp(r, reg, NFT_CMP_EQ, &v4, 1);
	e_meta(r, NFT_META_L4PROTO, reg);
	e_cmp(r, reg, NFT_CMP_EQ, &icmp, 1);
	e_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 1, reg);
	e_lookup(r, reg, anon, kernel ? 0 : 1, kernel);
	e_verdict(r, NF_ACCEPT);

	r = add_rule(o, "input", "baseline: log what is dropped, rate-limited",
		     kernel ? 6 : 0);
	e = ex(r, "limit");
	nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_RATE, 6);
	nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_UNIT, 60);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_BURST, 10);
	if (kernel) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_TYPE, NFT_LIMIT_PKTS);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_FLAGS, 0);
	}
	e = ex(r, "log");
	nftnl_expr_set_str(e, NFTNL_EXPR_LOG_PREFIX, "fwgen drop in: ");
	if (kernel)
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOG_LEVEL, 4);

	r = add_rule(o, "in_tcp_443", "user-web (d:t#1)", kernel ? 7 : 0);
	e_meta(r, NFT_META_NFPROTO, reg);
	e_cmp(r, reg, NFT_CMP_EQ, &v4, 1);
	e_payload(r, NFT_PAYLOAD_NETWORK_HEADER, 12, 4, reg);
	e_lookup(r, reg, "user_v4", 0, kernel);
	e_verdict(r, NF_ACCEPT);
	return o;
}

/* A hand-made `tcp dport 2222 accept`, no comment. */
static struct nftnl_rule *hand_rule(struct nft_objs *o, const char *chain,
				    uint64_t handle)
{
	struct nftnl_rule *r = add_rule(o, chain, NULL, handle);
	uint8_t tcp = IPPROTO_TCP;
	uint16_t port = htons(2222);

	e_meta(r, NFT_META_L4PROTO, NFT_REG_1);
	e_cmp(r, NFT_REG_1, NFT_CMP_EQ, &tcp, 1);
	e_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG_1);
	e_cmp(r, NFT_REG_1, NFT_CMP_EQ, &port, 2);
	e_verdict(r, NF_ACCEPT);
	return r;
}

/* Moves the last rule to index at, keeping the others' order. */
static void move_last_rule(struct nft_objs *o, size_t at)
{
	struct nftnl_rule *r = o->rules[o->nrules - 1];

	memmove(&o->rules[at + 1], &o->rules[at],
		(o->nrules - 1 - at) * sizeof(*o->rules));
	o->rules[at] = r;
}

static void remove_rule(struct nft_objs *o, size_t i)
{
	nftnl_rule_free(o->rules[i]);
	memmove(&o->rules[i], &o->rules[i + 1], (o->nrules - i - 1) * sizeof(*o->rules));
	o->nrules--;
}

/* Runs diff_objs and returns its output (free it); *n gets the count. */
static char *run_diff(const struct fwgen_policy *pol,
		      const struct nft_objs *want, const struct nft_objs *have,
		      size_t *n)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	char *buf = NULL;
	size_t size = 0, quiet = 99;
	FILE *f = open_memstream(&buf, &size);

	ck_assert_ptr_nonnull(f);
	ck_assert_msg(diff_objs(ctx, pol, want, have, f, n) == 0, "%s",
		      fwgen_ctx_error(ctx));
	fclose(f);
	/* Quiet counts exactly what it would have printed. */
	ck_assert_int_eq(diff_objs(ctx, pol, want, have, NULL, &quiet), 0);
	ck_assert_uint_eq(quiet, *n);
	fwgen_ctx_free(ctx);
	return buf;
}

static void expect_diff(const struct fwgen_policy *pol,
			const struct nft_objs *want,
			const struct nft_objs *have, const char *expected)
{
	size_t n = 0, lines = 0;
	const char *p;
	char *got = run_diff(pol, want, have, &n);

	for (p = expected; *p; p++)
		lines += *p == '\n';
	ck_assert_msg(strcmp(got, expected) == 0, "got:\n%s\nwant:\n%s", got, expected);
	ck_assert_uint_eq(n, lines);
	free(got);
}

START_TEST(test_diff_same_table_two_shapes_no_difference)
{
	struct nft_objs *want = small_table(false), *have = small_table(true);

	expect_diff(NULL, want, have, "");
	nft_objs_free(want);
	nft_objs_free(have);
}
END_TEST

START_TEST(test_diff_missing_table_is_all_plus)
{
	struct nft_objs *want = small_table(false), *have = objs_new(NULL);

	expect_diff(NULL, want, have,
		    "+ table inet fwgen\n"
		    "+ set inet fwgen user_v4 { type ipv4_addr; flags interval; }\n"
		    "+ element inet fwgen user_v4 { 198.18.1.0/24 }\n"
		    "+ element inet fwgen user_v4 { 198.18.5.5 }\n"
		    "+ chain inet fwgen input { type filter hook input priority filter; policy drop; }\n"
		    "+ rule inet fwgen input: ct state invalid counter drop comment \"baseline: drop invalid packets\"\n"
		    "+ rule inet fwgen input: icmp type { destination-unreachable, time-exceeded, parameter-problem } accept comment \"baseline: ICMP errors networks need\"\n"
		    "+ rule inet fwgen input: limit rate 6/minute burst 10 packets log prefix \"fwgen drop in: \" comment \"baseline: log what is dropped, rate-limited\"\n"
		    "+ chain inet fwgen in_tcp_443\n"
		    "+ rule inet fwgen in_tcp_443: ip saddr @user_v4 accept comment \"user-web (d:t#1)\"\n");
	nft_objs_free(want);
	nft_objs_free(have);
}
END_TEST

START_TEST(test_diff_anonymous_set_contents_count_not_names)
{
	struct nft_objs *want = small_table(false), *have = small_table(true);
	uint8_t echo = 8;

	/* The kernel's anonymous set (sets[1]) also admits echo-request. */
	add_elem(have->sets[1], &echo, 1, false);
	expect_diff(NULL, want, have,
		    "- rule inet fwgen input: icmp type { destination-unreachable, echo-request, time-exceeded, parameter-problem } accept comment \"baseline: ICMP errors networks need\" (handle 5)\n"
		    "+ rule inet fwgen input: icmp type { destination-unreachable, time-exceeded, parameter-problem } accept comment \"baseline: ICMP errors networks need\"\n");
	nft_objs_free(want);
	nft_objs_free(have);
}
END_TEST

START_TEST(test_diff_hand_added_rule_and_moved_rule)
{
	struct nft_objs *want = small_table(false), *have = small_table(true);

	/* input: invalid, hand, ICMP, log -- then log moved before ICMP. */
	hand_rule(have, "input", 9);
	move_last_rule(have, 1);
	expect_diff(NULL, want, have,
		    "- rule inet fwgen input: tcp dport 2222 accept (handle 9)\n");

	/* Swap ICMP and log in the kernel: one rule out of place. */
	nft_objs_free(have);
	have = small_table(true);
	{
		struct nftnl_rule *log = have->rules[2];

		have->rules[2] = have->rules[1];
		have->rules[1] = log;
	}
	expect_diff(NULL, want, have,
		    "- rule inet fwgen input: limit rate 6/minute burst 10 packets log prefix \"fwgen drop in: \" comment \"baseline: log what is dropped, rate-limited\" (handle 6)\n"
		    "+ rule inet fwgen input: limit rate 6/minute burst 10 packets log prefix \"fwgen drop in: \" comment \"baseline: log what is dropped, rate-limited\"\n");
	nft_objs_free(want);
	nft_objs_free(have);
}
END_TEST

START_TEST(test_diff_deleted_rule_is_plus_in_place)
{
	struct nft_objs *want = small_table(false), *have = small_table(true);

	remove_rule(have, 1); /* the ICMP rule */
	expect_diff(NULL, want, have,
		    "+ rule inet fwgen input: icmp type { destination-unreachable, time-exceeded, parameter-problem } accept comment \"baseline: ICMP errors networks need\"\n");
	nft_objs_free(want);
	nft_objs_free(have);
}
END_TEST

START_TEST(test_diff_same_comment_other_match_differs)
{
	struct nft_objs *want = small_table(false), *have = small_table(true);
	struct nftnl_rule *r;

	/* The kernel's user-web rule lost its set match: same comment. */
	remove_rule(have, 3);
	r = add_rule(have, "in_tcp_443", "user-web (d:t#1)", 11);
	e_verdict(r, NF_ACCEPT);
	expect_diff(NULL, want, have,
		    "- rule inet fwgen in_tcp_443: accept comment \"user-web (d:t#1)\" (handle 11)\n"
		    "+ rule inet fwgen in_tcp_443: ip saddr @user_v4 accept comment \"user-web (d:t#1)\"\n");
	nft_objs_free(want);
	nft_objs_free(have);
}
END_TEST

START_TEST(test_diff_elements_added_and_removed_in_key_order)
{
	struct nft_objs *want = small_table(false), *have = objs_new("fwgen");
	struct nft_objs *ref = small_table(true);
	struct nftnl_set *s;
	size_t i;

	/* have: ref with user_v4 = { 198.18.1.0/24, 198.18.7.7, 10.1.2.3-10.1.2.9 } */
	s = add_set(have, "user_v4", 0, NFT_SET_INTERVAL, 7, 4);
	add_v4_range(s, "198.18.7.7", "198.18.7.7");
	add_v4_range(s, "198.18.1.0", "198.18.1.255");
	add_v4_range(s, "10.1.2.3", "10.1.2.9");
	for (i = 1; i < ref->nsets; i++)
		PUSH(have->sets, have->nsets, ref->sets[i]);
	for (i = 0; i < ref->nchains; i++)
		PUSH(have->chains, have->nchains, ref->chains[i]);
	for (i = 0; i < ref->nrules; i++)
		PUSH(have->rules, have->nrules, ref->rules[i]);
	ref->nsets = 1;
	ref->nchains = ref->nrules = 0;
	expect_diff(NULL, want, have,
		    "- element inet fwgen user_v4 { 10.1.2.3-10.1.2.9 }\n"
		    "+ element inet fwgen user_v4 { 198.18.5.5 }\n"
		    "- element inet fwgen user_v4 { 198.18.7.7 }\n");
	nft_objs_free(ref);
	nft_objs_free(want);
	nft_objs_free(have);
}
END_TEST

START_TEST(test_diff_chain_policy_foreign_chain_and_set)
{
	struct nft_objs *want = small_table(false), *have = small_table(true);

	nftnl_chain_set_u32(have->chains[0], NFTNL_CHAIN_POLICY, NF_ACCEPT);
	add_chain(have, "handmade", -1, 0, 0);
	hand_rule(have, "handmade", 20);
	add_set(have, "blocklist", 0, 0, 7, 4);
	expect_diff(NULL, want, have,
		    "- set inet fwgen blocklist\n"
		    "~ chain inet fwgen input: policy accept, want drop (audit mode, want enforce)\n"
		    "- chain inet fwgen handmade\n");
	nft_objs_free(want);
	nft_objs_free(have);
}
END_TEST

START_TEST(test_diff_set_of_another_type_is_one_line)
{
	struct nft_objs *want = small_table(false), *have = small_table(true);

	nftnl_set_set_u32(have->sets[0], NFTNL_SET_KEY_TYPE, 8);
	nftnl_set_set_u32(have->sets[0], NFTNL_SET_KEY_LEN, 16);
	nftnl_set_set_u32(have->sets[0], NFTNL_SET_FLAGS, 0);
	expect_diff(NULL, want, have,
		    "~ set inet fwgen user_v4: type ipv6_addr, want ipv4_addr; flags none, want interval\n");
	nft_objs_free(want);
	nft_objs_free(have);
}
END_TEST

/*
 * A hash set dumps its keys in hash order: the keys pair up whatever the
 * order (IPv6 keys sharing their first bytes included), and only the one
 * that differs is a line.
 */
START_TEST(test_diff_hash_set_keys_in_any_order)
{
	struct nft_objs *want = small_table(false), *have = small_table(true);
	struct nftnl_set *w, *h;
	uint8_t k[16];
	int i;

	w = add_set(want, "web_v6", 0, 0, 8, 16);
	h = add_set(have, "web_v6", 0, 0, 8, 16);
	for (i = 0; i < 600; i++) {
		ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8::", k), 1);
		k[14] = (uint8_t)(i >> 8);
		k[15] = (uint8_t)i;
		add_elem(w, k, 16, false);
		/* have: the same keys scattered, 300 missing, 0x1ff extra */
		k[14] = (uint8_t)(((i * 7) % 600) >> 8);
		k[15] = (uint8_t)((i * 7) % 600);
		if ((i * 7) % 600 == 300)
			k[14] = 1, k[15] = 0xff;
		add_elem(h, k, 16, false);
	}
	expect_diff(NULL, want, have,
		    "+ element inet fwgen web_v6 { 2001:db8::12c }\n"
		    "- element inet fwgen web_v6 { 2001:db8::1ff }\n");
	nft_objs_free(want);
	nft_objs_free(have);
}
END_TEST

/* A hash part sized for fewer hosts than the policy now has: one line. */
START_TEST(test_diff_hash_set_size_change)
{
	struct nft_objs *want = small_table(false), *have = small_table(true);

	nftnl_set_set_u32(want->sets[0], NFTNL_SET_DESC_SIZE, 2048);
	nftnl_set_set_u32(have->sets[0], NFTNL_SET_DESC_SIZE, 1024);
	expect_diff(NULL, want, have,
		    "~ set inet fwgen user_v4: size 1024, want 2048\n");
	nft_objs_free(want);
	nft_objs_free(have);
}
END_TEST

START_TEST(test_diff_dormant_table)
{
	struct nft_objs *want = small_table(false), *have = small_table(true);

	nftnl_table_set_u32(have->table, NFTNL_TABLE_FLAGS, NFT_TABLE_F_DORMANT);
	expect_diff(NULL, want, have, "~ table inet fwgen: flags dormant, want none\n");
	nft_objs_free(want);
	nft_objs_free(have);
}
END_TEST

/* The set decoder, on the shapes the kernel dumps */

struct spans_text {
	char buf[512];
	size_t len;
};

static int spans_text_cb(const uint8_t *lo, const uint8_t *hi, uint32_t len,
			 struct nftnl_set_elem *e, void *arg)
{
	struct spans_text *t = arg;
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];

	ck_assert_uint_eq(len, 4);
	inet_ntop(AF_INET, lo, a, sizeof(a));
	inet_ntop(AF_INET, hi, b, sizeof(b));
	t->len += (size_t)snprintf(t->buf + t->len, sizeof(t->buf) - t->len,
				   "%s-%s ", a, b);
	return 0;
}

START_TEST(test_canon_set_elems_reads_interval_ends)
{
	struct nft_objs *o = objs_new("fwgen");
	struct nftnl_set *s = add_set(o, "x", 0, NFT_SET_INTERVAL, 7, 4);
	struct spans_text t = { .len = 0 };
	uint32_t k;

	/* Sentinel end at 0, a range, two adjacent ranges, an open end. */
	k = 0;
	add_elem(s, &k, 4, true);
	add_v4_range(s, "10.0.0.0", "10.0.0.255");
	inet_pton(AF_INET, "10.0.2.0", &k);
	add_elem(s, &k, 4, false);
	inet_pton(AF_INET, "10.0.3.0", &k);
	add_elem(s, &k, 4, false);
	inet_pton(AF_INET, "10.0.3.128", &k);
	add_elem(s, &k, 4, true);
	/* Adjacent ranges: an end and a start share the key 10.0.5.0. */
	add_v4_range(s, "10.0.5.0", "10.0.5.255");
	add_v4_range(s, "10.0.4.0", "10.0.4.255");
	inet_pton(AF_INET, "255.0.0.0", &k);
	add_elem(s, &k, 4, false);
	ck_assert_int_eq(canon_set_elems(s, spans_text_cb, &t), 0);
	ck_assert_str_eq(t.buf, "10.0.0.0-10.0.0.255 10.0.2.0-10.0.2.255 "
				"10.0.3.0-10.0.3.127 10.0.4.0-10.0.4.255 "
				"10.0.5.0-10.0.5.255 255.0.0.0-255.255.255.255 ");
	nft_objs_free(o);
}
END_TEST

/* On nft_build() output, with the policy the "+" lines come from */

static struct nft_objs *build(const struct fwgen_policy *pol)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct nft_objs *o = NULL;

	ck_assert_msg(nft_build(ctx, pol, &o) == 0, "%s", fwgen_ctx_error(ctx));
	fwgen_ctx_free(ctx);
	return o;
}

START_TEST(test_diff_built_policy_against_itself)
{
	struct fwgen_policy *pol = fx_policy();
	struct nft_objs *a = build(pol), *b = build(pol);

	expect_diff(pol, a, b, "");
	nft_objs_free(a);
	nft_objs_free(b);
	fwgen_policy_free(pol);
}
END_TEST

START_TEST(test_diff_plus_rules_read_as_fwgen_print)
{
	struct fwgen_policy *pol = fx_policy(), *old = fx_policy();
	struct nft_objs *want, *have;
	struct pol_chain *c;

	/* The kernel has an older policy: user-web was not allowed yet. */
	c = &old->chains[1];
	ck_assert_str_eq(c->name, "in_tcp_443");
	free(c->rules[0].comment);
	free(c->rules[0].flow_id);
	c->nrules = 0;
	want = build(pol);
	have = build(old);
	expect_diff(pol, want, have,
		    "+ rule inet fwgen in_tcp_443: accept comment \"user-web (d:t#1)\"\n");
	nft_objs_free(want);
	nft_objs_free(have);
	fwgen_policy_free(pol);
	fwgen_policy_free(old);
}
END_TEST

static Suite *diff_suite(void)
{
	Suite *s = suite_create("diff");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_diff_same_table_two_shapes_no_difference);
	tcase_add_test(tc, test_diff_missing_table_is_all_plus);
	tcase_add_test(tc, test_diff_anonymous_set_contents_count_not_names);
	tcase_add_test(tc, test_diff_hand_added_rule_and_moved_rule);
	tcase_add_test(tc, test_diff_deleted_rule_is_plus_in_place);
	tcase_add_test(tc, test_diff_same_comment_other_match_differs);
	tcase_add_test(tc, test_diff_elements_added_and_removed_in_key_order);
	tcase_add_test(tc, test_diff_chain_policy_foreign_chain_and_set);
	tcase_add_test(tc, test_diff_set_of_another_type_is_one_line);
	tcase_add_test(tc, test_diff_dormant_table);
	tcase_add_test(tc, test_diff_hash_set_size_change);
	tcase_add_test(tc, test_diff_hash_set_keys_in_any_order);
	tcase_add_test(tc, test_canon_set_elems_reads_interval_ends);
	tcase_add_test(tc, test_diff_built_policy_against_itself);
	tcase_add_test(tc, test_diff_plus_rules_read_as_fwgen_print);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(diff_suite());
}
