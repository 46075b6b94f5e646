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

/*
 * Whether an element of a peer set is a single host: the one test that
 * sends an address to the hash part of its role's set, everywhere (the
 * policy's split, live set add|del, diff).
 */
bool policy_elem_is_host(const struct addr_interval *iv, int family);

/*
 * The size a hash part is created with for n hosts: twice n rounded up to
 * a power of two, at least POL_HASH_MIN_SIZE, so that live adds fit
 * without a reload.
 */
#define POL_HASH_MIN_SIZE 1024
uint32_t policy_set_size(size_t n);

/*
 * Splits every peer set (one per role and family, as resolve makes them)
 * into its hash part (single hosts) and its _net part (prefixes and
 * ranges), and gives each rule that matches a peer set a twin right after
 * it that matches the _net part. The sets stay sorted by name.
 */
int policy_split_sets(struct fwgen_policy *pol);

/* Takes ownership of note (a malloc()ed string; NULL means -ENOMEM). */
int policy_add_note(struct fwgen_policy *pol, char *note);

#endif
