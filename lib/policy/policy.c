/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Construction and release of the resolved policy: chains, rules and sets
 * are appended here so that resolve reads as policy, not bookkeeping.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "policy_build.h"
#include "util.h"

static void rule_release(struct pol_rule *r)
{
	free(r->dports);
	free(r->icmp_types);
	free(r->log_prefix);
	free(r->ct_helper);
	free(r->vmap);
	free(r->comment);
	free(r->flow_id);
}

static void release_set(struct pol_set *s)
{
	free(s->name);
	free(s->role);
	free(s->elems);
}

FWGEN_EXPORT void fwgen_policy_free(struct fwgen_policy *pol)
{
	size_t i, j;

	if (!pol)
		return;
	for (i = 0; i < pol->nsets; i++)
		release_set(&pol->sets[i]);
	free(pol->sets);
	for (i = 0; i < pol->nhelpers; i++) {
		free(pol->helpers[i].name);
		free(pol->helpers[i].type);
	}
	free(pol->helpers);
	for (i = 0; i < pol->nrefused; i++)
		free(pol->refused[i].name);
	free(pol->refused);
	for (i = 0; i < pol->nchains; i++) {
		for (j = 0; j < pol->chains[i].nrules; j++)
			rule_release(&pol->chains[i].rules[j]);
		free(pol->chains[i].rules);
		free(pol->chains[i].name);
	}
	free(pol->chains);
	for (i = 0; i < pol->nflows; i++)
		free(pol->flows[i].peer_role);
	free(pol->flows);
	free(pol->options);
	strv_free(pol->notes, pol->nnotes);
	strv_free(pol->roles, pol->nroles);
	free(pol->table);
	free(pol->topology);
	free(pol);
}

FWGEN_EXPORT const char *fwgen_policy_table(const struct fwgen_policy *pol)
{
	ARG_CHECK_RET(pol, NULL);

	return pol->table;
}

FWGEN_EXPORT enum fwgen_mode fwgen_policy_mode(const struct fwgen_policy *pol)
{
	ARG_CHECK_RET(pol, FWGEN_MODE_INVALID);
	return pol->audit ? FWGEN_MODE_AUDIT : FWGEN_MODE_ENFORCE;
}

int policy_add_chain(struct fwgen_policy *pol, const char *name,
		     enum pol_hook hook, enum pol_chain_type type,
		     int priority, bool policy_drop, size_t *idx)
{
	struct pol_chain *c;

	if (array_push(&pol->chains, &pol->nchains, &pol->cap_chains,
		       sizeof(*pol->chains)) < 0)
		return -ENOMEM;
	c = &pol->chains[pol->nchains - 1];
	c->name = strdup(name);
	if (!c->name) {
		pol->nchains--;
		return -ENOMEM;
	}
	c->hook = hook;
	c->type = type;
	c->priority = priority;
	c->policy_drop = policy_drop;
	if (idx)
		*idx = pol->nchains - 1;
	return 0;
}

struct pol_rule *policy_add_rule(struct pol_chain *c, const char *comment)
{
	struct pol_rule *r;

	if (array_push(&c->rules, &c->nrules, &c->cap, sizeof(*c->rules)) < 0)
		return NULL;
	r = &c->rules[c->nrules - 1];
	r->saddr_set = -1;
	r->daddr_set = -1;
	r->comment = strdup(comment);
	if (!r->comment) {
		c->nrules--;
		return NULL;
	}
	return r;
}

int rule_set_dports(struct pol_rule *r, uint8_t l4proto,
		    const struct port_range *ports, size_t n)
{
	r->dports = malloc(n * sizeof(*ports));
	if (!r->dports)
		return -ENOMEM;
	memcpy(r->dports, ports, n * sizeof(*ports));
	r->ndports = n;
	r->l4proto = l4proto;
	return 0;
}

int rule_set_icmp(struct pol_rule *r, int family, const uint8_t *types,
		  size_t n)
{
	r->icmp_types = malloc(n);
	if (!r->icmp_types)
		return -ENOMEM;
	memcpy(r->icmp_types, types, n);
	r->nicmp_types = n;
	r->family = family;
	r->l4proto = family == 4 ? POL_L4_ICMP : POL_L4_ICMPV6;
	return 0;
}

int policy_add_note(struct fwgen_policy *pol, char *note)
{
	if (!note)
		return -ENOMEM;
	if (array_push(&pol->notes, &pol->nnotes, &pol->cap_notes,
		       sizeof(*pol->notes)) < 0) {
		free(note);
		return -ENOMEM;
	}
	pol->notes[pol->nnotes - 1] = note;
	return 0;
}

int policy_add_helper(struct fwgen_policy *pol, const char *type,
		      uint8_t l4proto, const char **name)
{
	struct pol_helper *h;
	size_t i;

	for (i = 0; i < pol->nhelpers; i++) {
		if (strcmp(pol->helpers[i].type, type) == 0 &&
		    pol->helpers[i].l4proto == l4proto) {
			*name = pol->helpers[i].name;
			return 0;
		}
	}
	h = realloc(pol->helpers, (pol->nhelpers + 1) * sizeof(*h));
	if (!h)
		return -ENOMEM;
	pol->helpers = h;
	h = &pol->helpers[pol->nhelpers];
	memset(h, 0, sizeof(*h));
	/* One object per helper type: its name says what it is. */
	h->name = strdup(type);
	h->type = strdup(type);
	h->l4proto = l4proto;
	pol->nhelpers++;
	if (!h->name || !h->type)
		return -ENOMEM;
	*name = h->name;
	return 0;
}

/* The set forms */

bool policy_elem_is_host(const struct addr_interval *iv, int family)
{
	return !memcmp(iv->lo, iv->hi, addr_bytes(family));
}

uint32_t policy_set_size(size_t n)
{
	uint32_t size = POL_HASH_MIN_SIZE;

	while (size < UINT32_MAX / 2 && size / 2 < n)
		size *= 2;
	return size;
}

/* A set of the split, with where it came from, to map indices after sorting. */
struct split_part {
	struct pol_set s;
	size_t from; /* index of the set as resolve made it */
};

static int cmp_part(const void *a, const void *b)
{
	return strcmp(((const struct split_part *)a)->s.name,
		      ((const struct split_part *)b)->s.name);
}

/* The elements of src that are (host) or are not single hosts, into dst. */
static int take_elems(struct pol_set *dst, const struct pol_set *src, bool host)
{
	size_t i;

	dst->elems = malloc((src->nelems ? src->nelems : 1) * sizeof(*dst->elems));
	if (!dst->elems)
		return -ENOMEM;
	for (i = 0; i < src->nelems; i++)
		if (policy_elem_is_host(&src->elems[i], src->family) == host)
			dst->elems[dst->nelems++] = src->elems[i];
	return 0;
}

static int split_one(struct split_part *host, struct split_part *net,
		     const struct pol_set *src, size_t from)
{
	host->from = net->from = from;
	host->s.family = net->s.family = src->family;
	host->s.hash = true;
	host->s.net = net->s.net = -1;
	host->s.name = strdup(src->name);
	host->s.role = strdup(src->role);
	net->s.role = strdup(src->role);
	net->s.name = strdupf("%s_net", src->name);
	if (!host->s.name || !host->s.role || !net->s.name || !net->s.role ||
	    take_elems(&host->s, src, true) < 0 ||
	    take_elems(&net->s, src, false) < 0)
		return -ENOMEM;
	host->s.size = policy_set_size(host->s.nelems);
	return 0;
}

static int dup_mem(void *dstp, const void *src, size_t n, size_t size)
{
	void **dst = dstp;

	*dst = NULL;
	if (!src || !n)
		return 0;
	*dst = malloc(n * size);
	if (!*dst)
		return -ENOMEM;
	memcpy(*dst, src, n * size);
	return 0;
}

static int dup_str(char **dst, const char *src)
{
	*dst = src ? strdup(src) : NULL;
	return src && !*dst ? -ENOMEM : 0;
}

/* A deep copy of r; on failure *dst holds what was copied, to release. */
static int rule_copy(struct pol_rule *dst, const struct pol_rule *r)
{
	*dst = *r;
	if (dup_mem(&dst->dports, r->dports, r->ndports, sizeof(*r->dports)) < 0 ||
	    dup_mem(&dst->icmp_types, r->icmp_types, r->nicmp_types, 1) < 0 ||
	    dup_mem(&dst->vmap, r->vmap, r->nvmap, sizeof(*r->vmap)) < 0 ||
	    dup_str(&dst->log_prefix, r->log_prefix) < 0 ||
	    dup_str(&dst->ct_helper, r->ct_helper) < 0 ||
	    dup_str(&dst->comment, r->comment) < 0 ||
	    dup_str(&dst->flow_id, r->flow_id) < 0)
		return -ENOMEM;
	return 0;
}

/*
 * The rules of c with a twin after each rule that matches a peer set:
 * the original takes the hash part, the twin the _net part. Both are
 * needed for the role: a packet passes the same two rules however many
 * addresses the role has.
 */
static int split_rules(struct pol_chain *c, const int *host, const int *net)
{
	struct pol_rule *v;
	size_t i, n = 0, extra = 0;

	for (i = 0; i < c->nrules; i++) {
		/* A rule matches one peer set: the twin is per peer. */
		if (c->rules[i].saddr_set >= 0 && c->rules[i].daddr_set >= 0)
			return -EINVAL;
		extra += c->rules[i].saddr_set >= 0 || c->rules[i].daddr_set >= 0;
	}
	if (!extra)
		return 0;
	v = calloc(c->nrules + extra, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; i < c->nrules; i++) {
		struct pol_rule *r = &c->rules[i];
		int from = pol_rule_peer_set(r);

		v[n++] = *r;
		if (from < 0)
			continue;
		v[n - 1].saddr_set = r->saddr_set >= 0 ? host[from] : -1;
		v[n - 1].daddr_set = r->saddr_set >= 0 ? -1 : host[from];
		if (rule_copy(&v[n], r) < 0) {
			rule_release(&v[n]);
			memset(&v[n], 0, sizeof(v[n]));
			goto err;
		}
		v[n].saddr_set = r->saddr_set >= 0 ? net[from] : -1;
		v[n].daddr_set = r->saddr_set >= 0 ? -1 : net[from];
		v[n].net = true;
		n++;
	}
	free(c->rules);
	c->rules = v;
	c->nrules = c->cap = n;
	return 0;
err:
	/* Nothing of c changed; free the twins made so far. */
	for (i = 0; i < n; i++)
		if (v[i].net)
			rule_release(&v[i]);
	free(v);
	return -ENOMEM;
}

int policy_split_sets(struct fwgen_policy *pol)
{
	struct split_part *parts;
	struct pol_set *sets = NULL;
	int *host = NULL, *net = NULL;
	size_t i, n = pol->nsets * 2;
	int ret = -ENOMEM;

	if (!pol->nsets)
		return 0;
	parts = calloc(n, sizeof(*parts));
	host = calloc(pol->nsets, sizeof(*host));
	net = calloc(pol->nsets, sizeof(*net));
	sets = calloc(n, sizeof(*sets));
	if (!parts || !host || !net || !sets)
		goto out;
	for (i = 0; i < pol->nsets; i++)
		if (split_one(&parts[2 * i], &parts[2 * i + 1], &pol->sets[i], i) < 0)
			goto out;
	qsort(parts, n, sizeof(*parts), cmp_part);
	for (i = 0; i < n; i++) {
		if (parts[i].s.hash)
			host[parts[i].from] = (int)i;
		else
			net[parts[i].from] = (int)i;
	}
	/* On failure the policy is only fit to be freed, as resolve does. */
	for (i = 0; i < pol->nchains; i++)
		if ((ret = split_rules(&pol->chains[i], host, net)) < 0)
			goto out;
	for (i = 0; i < n; i++) {
		sets[i] = parts[i].s;
		if (sets[i].hash)
			sets[i].net = net[parts[i].from];
	}
	for (i = 0; i < pol->nsets; i++)
		release_set(&pol->sets[i]);
	free(pol->sets);
	pol->sets = sets;
	pol->nsets = n;
	sets = NULL;
	n = 0;
	ret = 0;
out:
	free(sets);
	for (i = 0; i < n; i++)
		release_set(&parts[i].s);
	free(parts);
	free(host);
	free(net);
	return ret;
}
