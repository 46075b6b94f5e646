/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one policy evaluator: how the first packet of a new connection goes
 * through a resolved policy's chains, as the kernel would evaluate them.
 * Anti-lockout (lockout.c) and explain (explain.c) both ask it, so that
 * what apply refuses and what explain answers cannot drift apart.
 */
#ifndef FWGEN_EVAL_H
#define FWGEN_EVAL_H

#include <stdbool.h>
#include <stdint.h>

#include "policy.h"

/*
 * Jumps deeper than this end the walk without a verdict: the kernel's own
 * jump stack (NFT_JUMP_STACK_SIZE) is as deep. Resolve jumps one level;
 * the bound keeps a hand-made or corrupt policy finite.
 */
#define EVAL_MAX_DEPTH 16

/* The first packet of a new connection, as a base chain sees it. */
struct eval_pkt {
	int family;	 /* 4 or 6; 0 when either (a role, anyone) */
	uint8_t l4proto; /* POL_L4_TCP or POL_L4_UDP */
	uint16_t dport;
	bool outbound; /* this host connects out: the peer is daddr */
	bool loopback; /* on the loopback interface */
};

/* What the caller knows of the addresses, and hears of the walk. */
struct eval_ops {
	/* Whether the peer (saddr in, daddr out) may be in set s. */
	bool (*peer_in)(void *data, const struct pol_set *s);
	/* Whether this host's side is in set s; NULL: it is. */
	bool (*self_in)(void *data, const struct pol_set *s);
	/*
	 * A rule with a verdict matched: accept or drop. Returns 1 to end
	 * the walk there, 0 to go on past an accept (explain names every
	 * rule that would admit; the first one decides), or a negative
	 * errno to abort. NULL: end at the first verdict.
	 */
	int (*verdict)(void *data, const struct pol_chain *c,
		       const struct pol_rule *r);
	/* Optional: an accept that matched all but its peer set s. */
	void (*peer_miss)(void *data, const struct pol_rule *r,
			  const struct pol_set *s);
};

enum eval_result {
	EVAL_NONE = 0, /* no verdict: the base chain's policy decides */
	EVAL_ACCEPT,
	EVAL_DROP,
};

/*
 * Whether rule r matches packet p, its verdict aside. A rule matches when
 * every match it carries holds: ct state (the packet is NEW), interface
 * (loopback, on the packet's side), family, protocol (whether or not the
 * rule has ports: `meta l4proto udp accept` admits no TCP), ports, ICMP
 * types (never, for TCP and UDP), the address sets. A rate-limited accept
 * is taken as not matching: a new connection may fall outside the limit,
 * and the kernel then goes on to the next rule; safety cannot count on it.
 */
bool eval_rule_matches(const struct fwgen_policy *pol,
		       const struct eval_pkt *p, const struct eval_ops *ops,
		       void *data, const struct pol_rule *r);

/*
 * Walks chain c (and the service chains its dispatch maps jump to, whose
 * index is checked against the policy) for packet p. *result is the
 * first verdict met, EVAL_NONE when none. Returns 0, or the negative
 * errno a callback returned.
 */
int eval_chain(const struct fwgen_policy *pol, const struct eval_pkt *p,
	       const struct eval_ops *ops, void *data,
	       const struct pol_chain *c, enum eval_result *result);

/*
 * The prerouting redirect that applies to p (NAT runs before input), or
 * NULL; *chain (may be NULL) receives its chain. The caller moves p's
 * port to r->redirect_port.
 */
const struct pol_rule *eval_redirect(const struct fwgen_policy *pol,
				     const struct eval_pkt *p,
				     const struct eval_ops *ops, void *data,
				     const struct pol_chain **chain);

/* The base chain of a hook, or NULL. */
const struct pol_chain *eval_base_chain(const struct fwgen_policy *pol,
					enum pol_hook hook);

#endif
