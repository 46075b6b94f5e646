/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fleet view of an inventory: every address bound to a host role, the
 * roles a host there finds with --role auto and the digest of the ruleset
 * it gets; and the two-ended question "does SRC reach DST on this port".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fwgen/fleet.h>

#include "addr.h"
#include "ctx.h"
#include "local-roles.h"
#include "model.h"
#include "sha256.h"

/* One distinct set of host roles and the policy it resolves to. */
struct fleet_policy {
	const char **roles; /* borrowed from the catalog, catalog order */
	size_t nroles;
	struct fwgen_policy *pol;
	char digest[FWGEN_DIGEST_STRLEN];
};

struct fleet_host {
	int family;
	struct addr_interval iv;
	char address[ADDR_INTERVAL_STRLEN];
	size_t policy; /* index into fwgen_fleet.pols */
};

struct fwgen_fleet {
	const struct fwgen_catalog *cat;
	const struct fwgen_inventory *inv;
	const struct fwgen_topology *topo;
	unsigned int resolve_flags;
	struct fleet_host *hosts;
	size_t nhosts;
	struct fleet_policy *pols;
	size_t npols;
};

FWGEN_EXPORT int fwgen_policy_digest(struct fwgen_ctx *ctx,
				     const struct fwgen_policy *pol,
				     char *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t md[SHA256_LEN];
	size_t textlen, i;
	char *text;
	int ret;

	ARG_CTX(ctx);
	ARG_CHECK(ctx, pol);
	ARG_CHECK(ctx, buf);
	ARG_CHECK(ctx, len >= FWGEN_DIGEST_STRLEN);
	/* The digest is of the printed script, so `print | sha256sum` agrees. */
	ret = fwgen_policy_render_buf(ctx, pol, FWGEN_FORMAT_NFT, &text, &textlen);
	if (ret < 0)
		return ret;
	sha256(text, textlen, md);
	free(text);
	memcpy(buf, "sha256:", 7);
	for (i = 0; i < SHA256_LEN; i++) {
		buf[7 + 2 * i] = hex[md[i] >> 4];
		buf[7 + 2 * i + 1] = hex[md[i] & 15];
	}
	buf[7 + 2 * SHA256_LEN] = '\0';
	return 0;
}

/*
 * The index of the policy of roles[0..n-1], resolving it the first time a
 * set of roles is seen. Takes the roles array over (freed on error too).
 */
static int fleet_policy_for(struct fwgen_ctx *ctx, struct fwgen_fleet *f,
			    const char **roles, size_t n, size_t *idx)
{
	struct fleet_policy *p;
	size_t i;
	int ret;

	/* Names come from the catalog: equal sets hold equal pointers. */
	for (i = 0; i < f->npols; i++) {
		if (f->pols[i].nroles == n &&
		    !memcmp(f->pols[i].roles, roles, n * sizeof(*roles))) {
			free(roles);
			*idx = i;
			return 0;
		}
	}
	p = realloc(f->pols, (f->npols + 1) * sizeof(*p));
	if (!p) {
		free(roles);
		return ctx_nomem(ctx);
	}
	f->pols = p;
	p = &f->pols[f->npols];
	memset(p, 0, sizeof(*p));
	p->roles = roles;
	p->nroles = n;
	f->npols++;
	ret = fwgen_policy_resolve(ctx, f->cat, f->inv, f->topo->name, roles, n,
				   f->resolve_flags, &p->pol);
	if (ret == 0)
		ret = fwgen_policy_digest(ctx, p->pol, p->digest,
					  sizeof(p->digest));
	if (ret < 0)
		return ret;
	*idx = f->npols - 1;
	return 0;
}

/*
 * Inventories list hosts one by one, but normalisation merges neighbours
 * (198.18.1.10, .11, .12 become one interval): a range this small is
 * listed address by address again; a larger one is a pool (managed
 * machines, guest VMs) and stays one entry.
 */
#define FLEET_EXPAND_MAX 64

/* The number of addresses in iv less one, capped at FLEET_EXPAND_MAX. */
static uint64_t interval_span(const struct addr_interval *iv, int family)
{
	size_t n = addr_bytes(family), head = n > 8 ? n - 8 : 0, i;
	uint64_t lo = 0, hi = 0;

	if (memcmp(iv->lo, iv->hi, head))
		return FLEET_EXPAND_MAX;
	for (i = head; i < n; i++) {
		lo = lo << 8 | iv->lo[i];
		hi = hi << 8 | iv->hi[i];
	}
	return hi - lo < FLEET_EXPAND_MAX ? hi - lo : FLEET_EXPAND_MAX;
}

/* Adds one to a big-endian address of a family. */
static void addr_next(uint8_t *a, int family)
{
	size_t i = addr_bytes(family);

	while (i-- > 0 && ++a[i] == 0)
		;
}

static int add_host(struct fwgen_ctx *ctx, struct fwgen_fleet *f, int family,
		    const struct addr_interval *iv, size_t *cap)
{
	struct fleet_host *h;

	if (f->nhosts == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		h = realloc(f->hosts, *cap * sizeof(*h));
		if (!h)
			return ctx_nomem(ctx);
		f->hosts = h;
	}
	h = &f->hosts[f->nhosts++];
	memset(h, 0, sizeof(*h));
	h->family = family;
	h->iv = *iv;
	return 0;
}

/* Appends the hosts of one address list of a host role. */
static int collect(struct fwgen_ctx *ctx, struct fwgen_fleet *f,
		   const struct addr_list *l, int family, size_t *cap)
{
	struct addr_interval one;
	uint64_t span, k;
	size_t i;
	int ret;

	for (i = 0; i < l->n; i++) {
		span = interval_span(&l->v[i], family);
		if (span >= FLEET_EXPAND_MAX) {
			ret = add_host(ctx, f, family, &l->v[i], cap);
			if (ret < 0)
				return ret;
			continue;
		}
		memcpy(one.lo, l->v[i].lo, sizeof(one.lo));
		for (k = 0; k <= span; k++) {
			memcpy(one.hi, one.lo, sizeof(one.hi));
			ret = add_host(ctx, f, family, &one, cap);
			if (ret < 0)
				return ret;
			addr_next(one.lo, family);
		}
	}
	return 0;
}

static int host_cmp(const void *a, const void *b)
{
	const struct fleet_host *x = a, *y = b;
	int c;

	if (x->family != y->family)
		return x->family - y->family;
	c = memcmp(x->iv.lo, y->iv.lo, sizeof(x->iv.lo));
	return c ? c : memcmp(x->iv.hi, y->iv.hi, sizeof(x->iv.hi));
}

/* Sorts the hosts, drops those two roles listed alike, names them. */
static void sort_unique(struct fwgen_fleet *f)
{
	size_t i, n = 0;

	qsort(f->hosts, f->nhosts, sizeof(*f->hosts), host_cmp);
	for (i = 0; i < f->nhosts; i++) {
		if (n && !host_cmp(&f->hosts[n - 1], &f->hosts[i]))
			continue;
		f->hosts[n++] = f->hosts[i];
	}
	f->nhosts = n;
	for (i = 0; i < n; i++)
		addr_interval_format(&f->hosts[i].iv, f->hosts[i].family,
				     f->hosts[i].address,
				     sizeof(f->hosts[i].address));
}

FWGEN_EXPORT void fwgen_fleet_free(struct fwgen_fleet *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->npols; i++) {
		free(f->pols[i].roles);
		fwgen_policy_free(f->pols[i].pol);
	}
	free(f->pols);
	free(f->hosts);
	free(f);
}

/* The roles of the host at one address (the first of an interval). */
static int roles_at(struct fwgen_ctx *ctx, const struct fwgen_fleet *f,
		    int family, const uint8_t *addr, const char ***roles,
		    size_t *n)
{
	struct addr_prefix a;

	memset(&a, 0, sizeof(a));
	a.family = family;
	a.len = family == 4 ? 32 : 128;
	memcpy(a.addr, addr, addr_bytes(family));
	return roles_for_addresses(ctx, f->topo, f->inv, &a, 1, roles, n);
}

FWGEN_EXPORT int fwgen_fleet_new(struct fwgen_ctx *ctx,
				 const struct fwgen_catalog *cat,
				 const struct fwgen_inventory *inv,
				 const char *topology, unsigned int flags,
				 struct fwgen_fleet **out)
{
	struct fwgen_fleet *f;
	size_t i, cap = 0;
	int ret = 0;

	ARG_CTX(ctx);
	ARG_CHECK(ctx, cat);
	ARG_CHECK(ctx, inv);
	ARG_CHECK(ctx, !(flags & ~(unsigned int)(FWGEN_FLEET_STRICT |
						 FWGEN_FLEET_AUDIT |
						 FWGEN_FLEET_ENFORCE)));
	ARG_CHECK(ctx, !((flags & FWGEN_FLEET_AUDIT) &&
			 (flags & FWGEN_FLEET_ENFORCE)));
	ARG_CHECK(ctx, out);
	if (!topology)
		topology = inv->topology;
	if (!topology)
		return ctx_err(ctx, -EINVAL,
			       "no topology: neither given nor set in the inventory");
	f = calloc(1, sizeof(*f));
	if (!f)
		return ctx_nomem(ctx);
	f->cat = cat;
	f->inv = inv;
	f->resolve_flags = (flags & FWGEN_FLEET_STRICT ? FWGEN_RESOLVE_STRICT : 0) |
			   (flags & FWGEN_FLEET_AUDIT ? FWGEN_RESOLVE_AUDIT : 0) |
			   (flags & FWGEN_FLEET_ENFORCE ? FWGEN_RESOLVE_ENFORCE : 0);
	f->topo = fwgen_catalog_topology(ctx, cat, topology);
	if (!f->topo) {
		fwgen_fleet_free(f);
		return -ENOENT;
	}
	for (i = 0; i < f->topo->nroles && ret == 0; i++) {
		const struct inv_role *ir;

		if (!f->topo->roles[i].host)
			continue;
		ir = inventory_role(inv, f->topo->roles[i].name);
		if (!ir || ir->any)
			continue;
		ret = collect(ctx, f, &ir->v4, 4, &cap);
		if (ret == 0)
			ret = collect(ctx, f, &ir->v6, 6, &cap);
	}
	if (ret == 0 && f->nhosts == 0)
		ret = ctx_err(ctx, -ENOENT,
			      "%s: no address is bound to a host role of '%s'",
			      inv->file ? inv->file : "inventory", topology);
	if (ret == 0)
		sort_unique(f);
	for (i = 0; i < f->nhosts && ret == 0; i++) {
		const char **roles;
		size_t n;

		ret = roles_at(ctx, f, f->hosts[i].family, f->hosts[i].iv.lo,
			       &roles, &n);
		if (ret == 0)
			ret = fleet_policy_for(ctx, f, roles, n,
					       &f->hosts[i].policy);
	}
	if (ret < 0) {
		fwgen_fleet_free(f);
		return ret;
	}
	*out = f;
	return 0;
}

FWGEN_EXPORT const char *fwgen_fleet_topology(const struct fwgen_fleet *f)
{
	return f ? f->topo->name : NULL;
}

FWGEN_EXPORT size_t fwgen_fleet_host_count(const struct fwgen_fleet *f)
{
	return f ? f->nhosts : 0;
}

static const struct fleet_policy *host_policy(const struct fwgen_fleet *f,
					      size_t i)
{
	if (!f || i >= f->nhosts)
		return NULL;
	return &f->pols[f->hosts[i].policy];
}

FWGEN_EXPORT const char *fwgen_fleet_host_address(const struct fwgen_fleet *f,
						  size_t i)
{
	return f && i < f->nhosts ? f->hosts[i].address : NULL;
}

FWGEN_EXPORT size_t fwgen_fleet_host_role_count(const struct fwgen_fleet *f,
						size_t i)
{
	const struct fleet_policy *p = host_policy(f, i);

	return p ? p->nroles : 0;
}

FWGEN_EXPORT const char *fwgen_fleet_host_role(const struct fwgen_fleet *f,
					       size_t i, size_t j)
{
	const struct fleet_policy *p = host_policy(f, i);

	return p && j < p->nroles ? p->roles[j] : NULL;
}

FWGEN_EXPORT const char *fwgen_fleet_host_digest(const struct fwgen_fleet *f,
						 size_t i)
{
	const struct fleet_policy *p = host_policy(f, i);

	return p ? p->digest : NULL;
}

/*
 * The policy of the host at addr, or NULL in *pol when no host role binds
 * it. addr must be one address, not a prefix.
 */
static int end_policy(struct fwgen_ctx *ctx, struct fwgen_fleet *f,
		      const char *what, const char *addr,
		      const struct fwgen_policy **pol)
{
	struct addr_prefix a;
	const char **roles;
	const char *why;
	size_t n, idx;
	int ret;

	*pol = NULL;
	if (addr_parse(addr, &a, &why) < 0)
		return ctx_err(ctx, -EINVAL, "%s '%s': %s", what, addr, why);
	if (a.len != (a.family == 4 ? 32 : 128))
		return ctx_err(ctx, -EINVAL,
			       "%s '%s': give one address, not a prefix", what,
			       addr);
	ret = roles_for_addresses(ctx, f->topo, f->inv, &a, 1, &roles, &n);
	if (ret < 0)
		return ret;
	if (n == 0) {
		free(roles);
		return 0;
	}
	ret = fleet_policy_for(ctx, f, roles, n, &idx);
	if (ret < 0)
		return ret;
	*pol = f->pols[idx].pol;
	return 0;
}

/*
 * One end's answer, from fwgen_policy_explain(): the same evaluator
 * (lib/policy/eval.c) that anti-lockout asks, so the fleet's verdicts are the
 * ones apply would act on.
 */
static int fleet_explain_end(struct fwgen_ctx *ctx, struct fwgen_fleet *f,
			     const struct fwgen_policy *pol, const char *peer,
			     const char *service, bool outbound,
			     struct fwgen_explain **out)
{
	struct fwgen_query *q = fwgen_query_new();
	int ret;

	if (!q)
		return ctx_nomem(ctx);
	ret = fwgen_query_parse_service(ctx, q, service);
	if (ret == 0)
		ret = fwgen_query_set_peer(ctx, q, peer);
	if (ret == 0) {
		fwgen_query_set_outbound(q, outbound);
		ret = fwgen_policy_explain(ctx, f->cat, pol, f->inv, q, out);
	}
	fwgen_query_free(q);
	return ret;
}

FWGEN_EXPORT int fwgen_fleet_explain(struct fwgen_ctx *ctx,
				     struct fwgen_fleet *f, const char *src,
				     const char *dst, const char *service,
				     struct fwgen_explain **egress,
				     struct fwgen_explain **ingress)
{
	struct fwgen_explain *out_e = NULL, *out_i = NULL;
	const struct fwgen_policy *sp, *dp;
	int ret;

	ARG_CTX(ctx);
	ARG_CHECK(ctx, f);
	ARG_CHECK(ctx, src);
	ARG_CHECK(ctx, dst);
	ARG_CHECK(ctx, service);
	ARG_CHECK(ctx, egress);
	ARG_CHECK(ctx, ingress);
	ret = end_policy(ctx, f, "source", src, &sp);
	if (ret == 0)
		ret = end_policy(ctx, f, "destination", dst, &dp);
	if (ret < 0)
		return ret;
	if (!sp && !dp)
		return ctx_err(ctx, -ENOENT,
			       "neither %s nor %s is bound to a host role of '%s': no fwgen ruleset is on the way",
			       src, dst, f->topo->name);
	/* All or nothing: the caller's pointers change only on success. */
	if (sp)
		ret = fleet_explain_end(ctx, f, sp, dst, service, true, &out_e);
	if (ret == 0 && dp)
		ret = fleet_explain_end(ctx, f, dp, src, service, false, &out_i);
	if (ret < 0) {
		fwgen_explain_free(out_e);
		return ret;
	}
	*egress = out_e;
	*ingress = out_i;
	return 0;
}
