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

FWGEN_EXPORT void fwgen_policy_free(struct fwgen_policy *pol)
{
	size_t i, j;

	if (!pol)
		return;
	for (i = 0; i < pol->nsets; i++) {
		free(pol->sets[i].name);
		free(pol->sets[i].role);
		free(pol->sets[i].elems);
	}
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
