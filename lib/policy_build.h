/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers that append to a policy under construction (resolve's toolbox).
 */
#ifndef FWGEN_POLICY_BUILD_H
#define FWGEN_POLICY_BUILD_H

#include "ctx.h"
#include "policy.h"

int policy_add_chain(struct fwgen_policy *pol, const char *name,
		     enum pol_hook hook, enum pol_chain_type type,
		     int priority, bool policy_drop, size_t *idx);

/* Appends an empty rule (no match, no verdict) with a copy of comment. */
struct pol_rule *policy_add_rule(struct pol_chain *c, const char *comment);

int rule_set_dports(struct pol_rule *r, uint8_t l4proto,
		    const struct port_range *ports, size_t n);
int rule_set_icmp(struct pol_rule *r, int family, const uint8_t *types,
		  size_t n);

/*
 * The helper object of this type and protocol, added on first use; *name
 * is its name (owned by the policy).
 */
int policy_add_helper(struct fwgen_policy *pol, const char *type,
		      uint8_t l4proto, const char **name);

/* Takes ownership of note (a malloc()ed string; NULL means -ENOMEM). */
int policy_add_note(struct fwgen_policy *pol, char *note);

#endif
