/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The resolved policy: the one backend-neutral form that every output (nft
 * text, JSON, iptables, libnftnl objects, diff) is produced from.
 */
#ifndef FWGEN_POLICY_H
#define FWGEN_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "port-range.h"

/* Transport protocols as the kernel numbers them (IPPROTO_*). */
enum pol_l4 {
	POL_L4_NONE = 0,
	POL_L4_ICMP = 1,
	POL_L4_TCP = 6,
	POL_L4_UDP = 17,
	POL_L4_ICMPV6 = 58,
};

/* Connection tracking states, in the kernel's NF_CT_STATE_* bit layout. */
enum pol_ct {
	POL_CT_INVALID = 1 << 0,
	POL_CT_ESTABLISHED = 1 << 1,
	POL_CT_RELATED = 1 << 2,
	POL_CT_NEW = 1 << 3,
};

enum pol_hook {
	POL_HOOK_NONE = 0, /* a regular chain, reached by jump */
	POL_HOOK_INPUT,
	POL_HOOK_OUTPUT,
	POL_HOOK_PREROUTING,
};

enum pol_chain_type {
	POL_CHAIN_FILTER = 0,
	POL_CHAIN_NAT,
};

enum pol_verdict {
	POL_VERDICT_NONE = 0, /* no verdict: e.g. a log rule, evaluation goes on */
	POL_VERDICT_ACCEPT,
	POL_VERDICT_DROP,
	POL_VERDICT_REDIRECT, /* NAT redirect to rule.redirect_port */
	POL_VERDICT_VMAP,     /* dispatch on l4proto . dport through rule.vmap */
};

enum pol_iface {
	POL_IFACE_NONE = 0,
	POL_IFACE_IIF_LO, /* meta iif "lo" */
	POL_IFACE_OIF_LO, /* meta oif "lo" */
};

enum pol_limit_unit {
	POL_PER_SECOND = 0,
	POL_PER_MINUTE,
};

/*
 * A named peer address set: one part of one role's addresses in one
 * family. Each role and family has two parts (policy_split_sets()): its
 * single hosts in a plain hash set "<role>_v4" (one kernel element an
 * address, no end markers), and everything else in an interval set
 * "<role>_v4_net", present even when empty so that a live prefix add has
 * a home.
 */
struct pol_set {
	char *name; /* e.g. "app-tier_v4", "app-tier_v4_net" */
	char *role;
	int family;		     /* 4 or 6 */
	struct addr_interval *elems; /* sorted, disjoint, not adjacent */
	size_t nelems;
	bool hash;     /* single hosts: `type ipv4_addr; size N` */
	uint32_t size; /* hash: the size it is created with */
	int net;       /* hash: index of the role's _net part, or -1 */
};

/*
 * A conntrack helper object of the table: `ct helper NAME { type "TYPE"
 * protocol P }`. Rules assign it to the connections they match, so that
 * the helper relates a protocol's secondary connections (the TFTP
 * transfer from a new server port) to the first; since Linux 6.0 no
 * helper is assigned automatically.
 */
struct pol_helper {
	char *name;	 /* object name, as rules reference it */
	char *type;	 /* the kernel's helper name, e.g. "tftp" */
	uint8_t l4proto; /* enum pol_l4: tcp or udp */
};

/*
 * A dynamic set the drop path fills: per family and direction, what was
 * (in audit mode: would have been) refused, keyed on the peer address,
 * protocol and destination port, with a packet count per element.
 */
struct pol_refused {
	char *name; /* e.g. "refused_in_v4" */
	int family; /* 4 or 6 */
	bool out;   /* output chain: the peer is the destination */
};

/* Bounds of every refused set, documented in fwgen(8). */
#define POL_REFUSED_SIZE 65536
#define POL_REFUSED_TIMEOUT_S 3600

/* One element of a dispatch map: l4proto . dport-range : jump chain. */
struct pol_vmap_elem {
	uint8_t l4proto;
	struct port_range ports;
	size_t chain; /* index into policy.chains */
};

/*
 * One rule. The matches present are the fields that are set; renderers emit
 * them in this order: family, iface, saddr set, daddr set, l4proto + dports
 * (a bare l4proto without dports), icmp types, ct state, limit, log,
 * refused-set update, counter, ct helper set, verdict, comment.
 */
struct pol_rule {
	int family; /* 0 both, 4 ip only, 6 ip6 only */
	enum pol_iface iface;
	int saddr_set;		   /* index into policy.sets, or -1 */
	int daddr_set;		   /* index into policy.sets, or -1 */
	uint8_t l4proto;	   /* enum pol_l4, 0 none */
	struct port_range *dports; /* with l4proto tcp/udp; one = single match, more = anonymous set */
	size_t ndports;
	uint8_t *icmp_types; /* with l4proto icmp or icmpv6 */
	size_t nicmp_types;
	unsigned int ct_states; /* enum pol_ct bits, 0 no match */
	bool has_limit;
	uint32_t limit_rate;
	enum pol_limit_unit limit_unit;
	uint32_t limit_burst;
	char *log_prefix; /* non-NULL: log with this prefix */
	char *ct_helper;  /* non-NULL: `ct helper set` this policy.helpers name */
	/*
	 * 1 + index into policy.refused: record the
	 * packet there; 0 none (zeroed rules record nothing)
	 */
	size_t refused;
	bool counter; /* count packets and bytes (catalog flows) */
	enum pol_verdict verdict;
	uint16_t redirect_port;	    /* with POL_VERDICT_REDIRECT */
	struct pol_vmap_elem *vmap; /* with POL_VERDICT_VMAP, sorted */
	size_t nvmap;
	char *comment; /* always set: "<flow-id> (<source>)" or "baseline: ..." */
	char *flow_id; /* the catalog flow this rule serves, NULL for baseline */
	/*
	 * the twin of the rule before it, matching the
	 * _net part of its peer set: evaluators skip it,
	 * the hash part's rule answers for the role
	 */
	bool net;
};

/* The one peer set a rule matches (by source or destination), or -1. */
static inline int pol_rule_peer_set(const struct pol_rule *r)
{
	return r->saddr_set >= 0 ? r->saddr_set : r->daddr_set;
}

struct pol_chain {
	char *name;
	enum pol_hook hook;
	enum pol_chain_type type;
	int priority;	  /* 0 filter, -100 dstnat */
	bool policy_drop; /* base chains only */
	struct pol_rule *rules;
	size_t nrules;
	size_t cap;
};

/*
 * The catalog's flow (model.h); the IR names it without seeing the model,
 * so only explain, which is given the catalog, reads through it.
 */
struct flow;

/*
 * One flow as it applies to this host, for explain and describe. The one
 * pointer of the policy into another object: the policy must not outlive
 * the catalog it was resolved from. Everything else, the inventory's
 * addresses, params and options included, is copied.
 */
struct pol_flow {
	const struct flow *flow; /* borrowed from the catalog */
	bool inbound;		 /* true: peers connect to this host */
	char *peer_role;
};

struct fwgen_policy {
	char *table; /* the inet table fwgen owns */
	char *topology;
	char **roles; /* the host roles, sorted */
	size_t nroles;
	bool egress_filtered;
	bool audit;   /* base chains accept what they would drop */
	char **notes; /* header remarks, e.g. unbound roles meaning any */
	size_t nnotes, cap_notes;
	struct pol_set *sets; /* sorted by name */
	size_t nsets;
	struct pol_helper *helpers; /* conntrack helper objects, by name */
	size_t nhelpers;
	struct pol_refused *refused; /* after the peer sets, in this order */
	size_t nrefused;
	struct pol_chain *chains; /* base chains first, then service chains by name */
	size_t nchains, cap_chains;
	struct pol_flow *flows;
	size_t nflows;
	/*
	 * by topology option index: the values resolved
	 * (defaults, implied by roles, inventory)
	 */
	bool *options;
	size_t noptions;
};

#endif
