/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libfwgen fleet: one inventory seen as the hosts it describes -- which
 * address holds which host roles and gets which ruleset -- and whether a
 * connection between two of them passes both ends.
 */
#ifndef FWGEN_FLEET_H
#define FWGEN_FLEET_H

#include <stddef.h>

#include <fwgen/fwgen.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Conventions: as in fwgen.h. */

struct fwgen_fleet;

/* Room for a digest string: "sha256:" and 64 hex digits, NUL-terminated. */
#define FWGEN_DIGEST_STRLEN 72

/*
 * Writes "sha256:<64 lowercase hex digits>" to buf (len at least
 * FWGEN_DIGEST_STRLEN): the SHA-256 of the policy rendered as
 * FWGEN_FORMAT_NFT, i.e. of what `fwgen print` writes, so
 * `fwgen print ... | sha256sum` gives the same digits. Equal digests,
 * equal rulesets. -EINVAL for a NULL argument or a short buffer.
 */
int fwgen_policy_digest(struct fwgen_ctx *ctx, const struct fwgen_policy *pol,
			char *buf, size_t len);

/* Flags of fwgen_fleet_new(). */
enum fwgen_fleet_flags {
	/* Resolve every host's policy with FWGEN_RESOLVE_STRICT. */
	FWGEN_FLEET_STRICT = 1 << 0,
	/* Every host in audit (enforce) mode, whatever the inventory says. */
	FWGEN_FLEET_AUDIT = 1 << 1,
	FWGEN_FLEET_ENFORCE = 1 << 2,
};

/*
 * The fleet of inv (topology: NULL for the inventory's): one host entry per
 * address bound to a host role, IPv4 before IPv6, each in address order,
 * listed once however many roles bind it. Addresses are read as the sets
 * hold them (normalised: neighbours merged); a range of at most 64
 * addresses is listed address by address, a larger one (a pool such as
 * 198.18.64.0/18) as one entry. An entry's roles are the host roles whose addresses include the
 * entry's first address, in catalog order -- what `--role auto` finds on a
 * host with that address -- and its digest is fwgen_policy_digest() of the
 * policy resolved for those roles. Every distinct set of roles is resolved
 * once, so a fleet of thousands of hosts costs a few policies. All or
 * nothing: an inventory error (a bad address, an unknown role, with
 * FWGEN_FLEET_STRICT an unbound peer) fails the whole fleet with the
 * message resolve gives, and *out is left as it was. -ENOENT when no address is
 * bound to a host role. cat and inv are borrowed: free the fleet first.
 * Free the result with fwgen_fleet_free().
 */
int fwgen_fleet_new(struct fwgen_ctx *ctx, const struct fwgen_catalog *cat,
		    const struct fwgen_inventory *inv, const char *topology,
		    unsigned int flags, struct fwgen_fleet **out);

/* Frees a fleet; NULL is allowed. */
void fwgen_fleet_free(struct fwgen_fleet *f);

/* The topology's name (borrowed). */
const char *fwgen_fleet_topology(const struct fwgen_fleet *f);

/* Number of host entries. */
size_t fwgen_fleet_host_count(const struct fwgen_fleet *f);

/*
 * The i-th entry's address as nft writes it ("198.18.1.10",
 * "198.18.64.0/18", "2001:db8::10", or "a-b" for a range), its roles and
 * its digest. Borrowed; NULL (or 0) when i or j is out of range.
 */
const char *fwgen_fleet_host_address(const struct fwgen_fleet *f, size_t i);
size_t fwgen_fleet_host_role_count(const struct fwgen_fleet *f, size_t i);
const char *fwgen_fleet_host_role(const struct fwgen_fleet *f, size_t i,
				  size_t j);
const char *fwgen_fleet_host_digest(const struct fwgen_fleet *f, size_t i);

/*
 * Whether a new connection from the inventory address src to the inventory
 * address dst on service ("tcp/5672", "udp/53") passes both hosts'
 * rulesets: *egress answers for src's output (egress open admits
 * everything, see FWGEN_EXPLAIN_OPEN_EGRESS), *ingress for dst's input,
 * each as fwgen_policy_explain() answers it (the flows that admit it, or
 * the near misses). An end whose address is bound to no host role runs no
 * fwgen ruleset: its answer is NULL. At least one end must be a host of
 * the fleet (-ENOENT otherwise); src and dst must be single addresses
 * (-EINVAL). The connection passes when every non-NULL answer allows it.
 * The answers borrow the fleet: free them with fwgen_explain_free() before
 * fwgen_fleet_free(). On failure *egress and *ingress are left as they were.
 */
int fwgen_fleet_explain(struct fwgen_ctx *ctx, struct fwgen_fleet *f,
			const char *src, const char *dst, const char *service,
			struct fwgen_explain **egress,
			struct fwgen_explain **ingress);

#ifdef __cplusplus
}
#endif

#endif
