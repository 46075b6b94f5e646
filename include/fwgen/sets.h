/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libfwgen live set updates: add addresses to or delete them from a peer
 * role's address sets in the kernel, without reloading the ruleset.
 */
#ifndef FWGEN_SETS_H
#define FWGEN_SETS_H

#include <stddef.h>
#include <stdio.h>

#include <fwgen/fwgen.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A peer role's addresses live in named sets of fwgen's table, which
 * `fwgen apply` (fwgen_policy_apply()) creates for every peer role the
 * inventory binds to addresses: per family, a hash set <role>_v4 of its
 * single hosts and an interval set <role>_v4_net of its prefixes and
 * ranges (<role>_v6, <role>_v6_net). The calls below change or read those
 * sets in the kernel of the calling thread's network namespace and touch
 * nothing else: no rule, chain or other set. The two sets of a family are
 * one list to them: each element that changes goes to the set its shape
 * belongs in, as apply would put it (a prefix added over hosts takes them
 * out of the hash set; a host left alone by a deletion moves into it).
 *
 * table: the inet table fwgen owns; NULL means FWGEN_DEFAULT_TABLE.
 * role: the peer role, e.g. "user".
 * addresses[0..n-1]: IPv4/IPv6 addresses or prefixes ("198.18.1.5",
 * "2001:db8::/48"); each is checked before anything is sent, and a bad one
 * (not an address, host bits set after the prefix length) is -EINVAL with
 * a message naming it. They are split by family into the two sets.
 *
 * An update asks the kernel which of the set's ranges hold, or touch, the
 * addresses given (point lookups, whose cost does not grow with the set; a
 * request too wide for them reads the whole set instead), works out the
 * normalised result there
 * (overlapping and adjacent ranges merged, as apply writes them) and sends
 * only the difference: the ranges that go, then the ranges that come, in
 * one nf_tables transaction that the kernel commits only if the ruleset
 * has not changed since the read (else the update starts over).
 * It holds the same lock as apply (the network namespace's, in the
 * context's run directory), so it never interleaves with an apply, a
 * remove or another update. All or nothing: after any error the sets are
 * as they were. Addresses are checked as the inventory checks them (an
 * IPv4-mapped IPv6 address never matches: -EINVAL); only sets of the
 * shapes apply makes, of ipv4_addr/ipv6_addr, in a table fwgen created (its "managed by fwgen"
 * comment; -EEXIST otherwise) are written. When the kernel's
 * acknowledgements are lost, the sets are read back to settle the outcome:
 * 0 when the update is there, -EIO when nothing changed.
 *
 * report (may be NULL) receives one line per range removed or added, as
 * fwgen_policy_diff() writes elements:
 *
 *   - element inet fwgen user_v4_net { 198.18.1.0/24 }
 *   + element inet fwgen user_v4_net { 198.18.1.0-198.18.1.4 }
 *
 * Errors: -EINVAL bad input; -ENOENT when the table does not exist (run
 * `fwgen apply` first) or the role has no set there (it is not bound to
 * addresses in the inventory, or not a peer of this host's roles);
 * -EPERM without CAP_NET_ADMIN; -EBUSY when the lock stays taken; -EIO
 * when the kernel refused or writing the report failed; -EEXIST when the
 * table is not fwgen's; -ETIME when acknowledgements were lost and even
 * reading back failed (outcome unknown); -ENOSPC when a hash set would
 * go past its size (apply sizes it for the inventory's hosts, with room to
 * grow: add the addresses to the inventory and apply); -ENOMEM. The
 * message is in ctx.
 */

/*
 * Adds addresses to the role's sets: the union of what is there and what
 * is given. Addresses already in the set change nothing (no error).
 */
int fwgen_set_add(struct fwgen_ctx *ctx, const char *table, const char *role,
		  const char *const *addresses, size_t n, FILE *report);

/*
 * Deletes addresses from the role's sets: deleting 198.18.1.5 from
 * 198.18.1.0/24 leaves 198.18.1.0-198.18.1.4 and 198.18.1.6-198.18.1.255.
 * Every address or prefix given must lie wholly in the set: one that does
 * not (a typo, or deleted already) is -ENOENT naming it, and nothing is
 * deleted, so a mistake never passes silently.
 */
int fwgen_set_del(struct fwgen_ctx *ctx, const char *table, const char *role,
		  const char *const *addresses, size_t n, FILE *report);

/*
 * Writes the elements the kernel holds in the role's sets to out, one a
 * line in address order (both sets of a family as one list), IPv4 first: "198.18.1.5",
 * "198.18.1.0/24" or "198.18.1.0-198.18.1.4" as nft writes them. An empty
 * set writes nothing. Only reads; takes no lock.
 */
int fwgen_set_list(struct fwgen_ctx *ctx, const char *table, const char *role,
		   FILE *out);

#ifdef __cplusplus
}
#endif

#endif
