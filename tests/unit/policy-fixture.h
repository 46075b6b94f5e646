/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Policies built by hand, rule by rule, for the tests that hold a policy
 * shape up against what resolve never emits alone (libnftnl objects, the
 * evaluator). Shared, so both tests build the same IR the same way.
 */
#ifndef FWGEN_TEST_POLICY_FIXTURE_H
#define FWGEN_TEST_POLICY_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "addr.h"
#include "policy.h"

/* Everything malloc()ed, as fwgen_policy_free() wants. */

static inline struct fwgen_policy *pol_new(const char *topology)
{
	struct fwgen_policy *pol = calloc(1, sizeof(*pol));

	ck_assert_ptr_nonnull(pol);
	pol->table = strdup("fwgen");
	pol->topology = strdup(topology);
	return pol;
}

static inline size_t add_chain(struct fwgen_policy *pol, const char *name,
			       enum pol_hook hook, bool drop)
{
	struct pol_chain *c;

	pol->chains = realloc(pol->chains, (pol->nchains + 1) * sizeof(*c));
	c = &pol->chains[pol->nchains];
	memset(c, 0, sizeof(*c));
	c->name = strdup(name);
	c->hook = hook;
	c->type = hook == POL_HOOK_PREROUTING ? POL_CHAIN_NAT : POL_CHAIN_FILTER;
	c->priority = hook == POL_HOOK_PREROUTING ? -100 : 0;
	c->policy_drop = drop;
	return pol->nchains++;
}

static inline struct pol_rule *add_rule(struct fwgen_policy *pol,
					size_t chain, const char *comment,
					enum pol_verdict v)
{
	struct pol_chain *c = &pol->chains[chain];
	struct pol_rule *r;

	c->rules = realloc(c->rules, (c->nrules + 1) * sizeof(*r));
	r = &c->rules[c->nrules++];
	memset(r, 0, sizeof(*r));
	r->saddr_set = r->daddr_set = -1;
	r->comment = strdup(comment);
	r->verdict = v;
	return r;
}

static inline void rule_ports(struct pol_rule *r, uint8_t l4, const char *spec)
{
	unsigned int lo, hi;
	const char *p = spec;
	int n;

	r->l4proto = l4;
	while (*p) {
		if (sscanf(p, "%u-%u%n", &lo, &hi, &n) == 2) {
			p += n;
		} else {
			ck_assert_int_eq(sscanf(p, "%u%n", &lo, &n), 1);
			hi = lo;
			p += n;
		}
		r->dports = realloc(r->dports, (r->ndports + 1) * sizeof(*r->dports));
		r->dports[r->ndports].lo = (uint16_t)lo;
		r->dports[r->ndports++].hi = (uint16_t)hi;
		if (*p == ',')
			p++;
	}
}

static inline void rule_icmp(struct pol_rule *r, int family,
			     const uint8_t *t, size_t n)
{
	r->family = family;
	r->l4proto = family == 6 ? POL_L4_ICMPV6 : POL_L4_ICMP;
	r->icmp_types = malloc(n);
	memcpy(r->icmp_types, t, n);
	r->nicmp_types = n;
}

/* A named set from "a.b.c.d/len,lo-hi,..." (IPv4) or IPv6 prefixes. */
static inline int add_set(struct fwgen_policy *pol, const char *name,
			  int family, const char *spec)
{
	char buf[256], *tok, *save = NULL;
	struct pol_set *s;

	pol->sets = realloc(pol->sets, (pol->nsets + 1) * sizeof(*s));
	s = &pol->sets[pol->nsets];
	memset(s, 0, sizeof(*s));
	s->name = strdup(name);
	s->role = strdup(name);
	s->family = family;
	s->net = -1;
	snprintf(buf, sizeof(buf), "%s", spec);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		struct addr_prefix p;
		const char *why;

		s->elems = realloc(s->elems, (s->nelems + 1) * sizeof(*s->elems));
		ck_assert_int_eq(addr_parse(tok, &p, &why), 0);
		addr_prefix_interval(&p, &s->elems[s->nelems++]);
	}
	return (int)pol->nsets++;
}

/*
 * A role's two parts as policy_split_sets() makes them: <name> a hash set
 * of the hosts in hosts, <name>_net an interval set of nets. Returns the
 * hash part's index; the _net part follows it.
 */
static inline int add_set_parts(struct fwgen_policy *pol, const char *name,
				int family, const char *hosts, const char *nets)
{
	char net[128];
	int h;

	snprintf(net, sizeof(net), "%s_net", name);
	h = add_set(pol, name, family, hosts);
	add_set(pol, net, family, nets);
	free(pol->sets[h + 1].role);
	pol->sets[h + 1].role = strdup(name);
	pol->sets[h].hash = true;
	pol->sets[h].size = 1024;
	pol->sets[h].net = h + 1;
	return h;
}

#endif
