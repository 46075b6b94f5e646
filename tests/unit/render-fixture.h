/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small policy built by hand for the renderer tests: every IR construct
 * once, without the catalog or resolve, so a renderer test fails only for
 * its renderer.
 */
#ifndef FWGEN_RENDER_FIXTURE_H
#define FWGEN_RENDER_FIXTURE_H

#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "policy_build.h"
#include "render.h"

static inline void fx_addr(int family, const char *text, uint8_t *out)
{
	memset(out, 0, 16);
	ck_assert_int_eq(inet_pton(family == 4 ? AF_INET : AF_INET6, text, out), 1);
}

/* Appends the interval lo..hi to a set. */
static inline void fx_elem(struct pol_set *s, const char *lo, const char *hi)
{
	s->elems = realloc(s->elems, (s->nelems + 1) * sizeof(*s->elems));
	ck_assert_ptr_nonnull(s->elems);
	fx_addr(s->family, lo, s->elems[s->nelems].lo);
	fx_addr(s->family, hi, s->elems[s->nelems].hi);
	s->nelems++;
}

/* Appends a set; sets must be added in name order, as resolve sorts them. */
static inline struct pol_set *fx_set(struct fwgen_policy *pol,
				     const char *role, int family)
{
	struct pol_set *s;

	pol->sets = realloc(pol->sets, (pol->nsets + 1) * sizeof(*pol->sets));
	ck_assert_ptr_nonnull(pol->sets);
	s = &pol->sets[pol->nsets++];
	memset(s, 0, sizeof(*s));
	s->family = family;
	s->role = strdup(role);
	s->name = malloc(strlen(role) + 4);
	ck_assert_ptr_nonnull(s->name);
	sprintf(s->name, "%s_v%d", role, family);
	return s;
}

static inline size_t fx_chain(struct fwgen_policy *pol, const char *name,
			      enum pol_hook hook, enum pol_chain_type type,
			      int prio, bool drop)
{
	size_t idx;

	ck_assert_int_eq(policy_add_chain(pol, name, hook, type, prio, drop, &idx), 0);
	return idx;
}

static inline struct pol_rule *fx_rule(struct fwgen_policy *pol, size_t chain,
				       const char *comment)
{
	struct pol_rule *r = policy_add_rule(&pol->chains[chain], comment);

	ck_assert_ptr_nonnull(r);
	return r;
}

static inline void fx_ports(struct pol_rule *r, uint8_t l4,
			    const struct port_range *p, size_t n)
{
	ck_assert_int_eq(rule_set_dports(r, l4, p, n), 0);
}

static inline void fx_vmap(struct pol_rule *r, uint8_t l4, uint16_t lo,
			   uint16_t hi, size_t chain)
{
	r->vmap = realloc(r->vmap, (r->nvmap + 1) * sizeof(*r->vmap));
	ck_assert_ptr_nonnull(r->vmap);
	r->vmap[r->nvmap].l4proto = l4;
	r->vmap[r->nvmap].ports.lo = lo;
	r->vmap[r->nvmap].ports.hi = hi;
	r->vmap[r->nvmap].chain = chain;
	r->nvmap++;
	r->verdict = POL_VERDICT_VMAP;
}

static inline void fx_limit(struct pol_rule *r, uint32_t rate,
			    enum pol_limit_unit unit, uint32_t burst)
{
	r->has_limit = true;
	r->limit_rate = rate;
	r->limit_unit = unit;
	r->limit_burst = burst;
}

static inline struct fwgen_policy *fx_empty_policy(void)
{
	struct fwgen_policy *pol = calloc(1, sizeof(*pol));

	ck_assert_ptr_nonnull(pol);
	pol->table = strdup("fwgen");
	pol->topology = strdup("demo");
	pol->roles = calloc(1, sizeof(*pol->roles));
	pol->roles[0] = strdup("web");
	pol->nroles = 1;
	return pol;
}

/*
 * The fixture: the admin set (two prefixes and a range) in both families,
 * the input baseline, a dispatch map to two service chains (one a port
 * range), filtered egress with a port set, and a redirect.
 */
static inline struct fwgen_policy *fx_policy(void)
{
	static const uint8_t icmp4[] = { 3, 11, 12 };
	static const uint8_t echo4[] = { 8 };
	static const uint8_t icmp6[] = { 1, 2, 135, 136 };
	static const struct port_range ssh = { 22, 22 };
	static const struct port_range web[] = { { 80, 80 }, { 443, 443 }, { 8000, 8010 } };
	static const struct port_range tftp = { 69, 69 };
	struct fwgen_policy *pol = fx_empty_policy();
	struct pol_set *s;
	struct pol_rule *r;
	size_t in, out, svc443, svc2382, pre;

	pol->egress_filtered = true;
	pol->notes = calloc(1, sizeof(*pol->notes));
	pol->notes[0] = strdup("peer role 'user' is not bound in the inventory: any address");
	pol->nnotes = 1;

	s = fx_set(pol, "admin", 4);
	fx_elem(s, "198.18.9.0", "198.18.9.255");
	fx_elem(s, "198.18.12.0", "198.18.15.255");
	fx_elem(s, "198.18.20.1", "198.18.20.5");
	s = fx_set(pol, "admin", 6);
	fx_elem(s, "2001:db8:9::", "2001:db8:9:ffff:ffff:ffff:ffff:ffff");
	fx_elem(s, "2001:db8:a::1", "2001:db8:a::1");

	in = fx_chain(pol, "input", POL_HOOK_INPUT, POL_CHAIN_FILTER, 0, true);
	svc443 = fx_chain(pol, "in_tcp_443", POL_HOOK_NONE, POL_CHAIN_FILTER, 0, false);
	svc2382 = fx_chain(pol, "in_tcp_2382-2383", POL_HOOK_NONE, POL_CHAIN_FILTER, 0, false);
	out = fx_chain(pol, "output", POL_HOOK_OUTPUT, POL_CHAIN_FILTER, 0, true);
	pre = fx_chain(pol, "prerouting", POL_HOOK_PREROUTING, POL_CHAIN_NAT, -100, false);

	r = fx_rule(pol, in, "baseline: drop invalid packets");
	r->ct_states = POL_CT_INVALID;
	r->verdict = POL_VERDICT_DROP;
	r = fx_rule(pol, in, "baseline: packets of allowed connections");
	r->ct_states = POL_CT_ESTABLISHED | POL_CT_RELATED;
	r->verdict = POL_VERDICT_ACCEPT;
	r = fx_rule(pol, in, "baseline: loopback");
	r->iface = POL_IFACE_IIF_LO;
	r->verdict = POL_VERDICT_ACCEPT;
	r = fx_rule(pol, in, "baseline: ICMP errors networks need");
	ck_assert_int_eq(rule_set_icmp(r, 4, icmp4, 3), 0);
	r->verdict = POL_VERDICT_ACCEPT;
	r = fx_rule(pol, in, "baseline: ping, rate-limited");
	ck_assert_int_eq(rule_set_icmp(r, 4, echo4, 1), 0);
	fx_limit(r, 10, POL_PER_SECOND, 20);
	r->verdict = POL_VERDICT_ACCEPT;
	r = fx_rule(pol, in, "baseline: ICMPv6 errors, neighbour discovery");
	ck_assert_int_eq(rule_set_icmp(r, 6, icmp6, 4), 0);
	r->verdict = POL_VERDICT_ACCEPT;
	r = fx_rule(pol, in, "baseline: management SSH from admin");
	fx_ports(r, POL_L4_TCP, &ssh, 1);
	r->family = 4;
	r->saddr_set = 0;
	r->verdict = POL_VERDICT_ACCEPT;
	r = fx_rule(pol, in, "baseline: management SSH from admin");
	fx_ports(r, POL_L4_TCP, &ssh, 1);
	r->family = 6;
	r->saddr_set = 1;
	r->verdict = POL_VERDICT_ACCEPT;
	r = fx_rule(pol, in, "catalog flows: dispatch by protocol and port");
	fx_vmap(r, POL_L4_TCP, 443, 443, svc443);
	fx_vmap(r, POL_L4_TCP, 2382, 2383, svc2382);
	r = fx_rule(pol, in, "baseline: log what is dropped, rate-limited");
	fx_limit(r, 6, POL_PER_MINUTE, 10);
	r->log_prefix = strdup("fwgen drop in: ");

	r = fx_rule(pol, svc443, "user-web (d:t#1)");
	r->verdict = POL_VERDICT_ACCEPT;
	r = fx_rule(pol, svc2382, "admin-ssas (d:t#7)");
	r->family = 4;
	r->saddr_set = 0;
	r->verdict = POL_VERDICT_ACCEPT;
	r = fx_rule(pol, svc2382, "admin-ssas (d:t#7)");
	r->family = 6;
	r->saddr_set = 1;
	r->verdict = POL_VERDICT_ACCEPT;

	r = fx_rule(pol, out, "baseline: loopback");
	r->iface = POL_IFACE_OIF_LO;
	r->verdict = POL_VERDICT_ACCEPT;
	r = fx_rule(pol, out, "web-proxy (d:t#9)");
	fx_ports(r, POL_L4_TCP, web, 3);
	r->family = 4;
	r->daddr_set = 0;
	r->verdict = POL_VERDICT_ACCEPT;
	r = fx_rule(pol, out, "baseline: NTP, IPv4 only");
	r->family = 4;
	r->l4proto = POL_L4_UDP;
	fx_ports(r, POL_L4_UDP, &(struct port_range){ 123, 123 }, 1);
	r->verdict = POL_VERDICT_ACCEPT;

	r = fx_rule(pol, pre, "pxe (d:t#5)");
	fx_ports(r, POL_L4_UDP, &tftp, 1);
	r->verdict = POL_VERDICT_REDIRECT;
	r->redirect_port = 6969;
	return pol;
}

/* Renders into a new string; the return value of the renderer in *ret. */
static inline char *fx_render(const struct fwgen_policy *pol,
			      enum fwgen_format format, int *ret)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	char *buf = NULL;

	ck_assert_ptr_nonnull(ctx);
	*ret = fwgen_policy_render_buf(ctx, pol, format, &buf, NULL);
	fwgen_ctx_free(ctx);
	return buf;
}

#endif
