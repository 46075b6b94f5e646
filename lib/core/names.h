/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one home of the names nft prints for numbers: transport protocols,
 * ICMP and ICMPv6 types, netfilter families and hooks. The renderers, the
 * rule text of diff and resolve's baseline read them from here.
 */
#ifndef FWGEN_NAMES_H
#define FWGEN_NAMES_H

#include <stdint.h>

/* MLDv2 listener report (RFC 3810): <netinet/icmp6.h> has no name for it. */
#define ICMP6_MLD2_REPORT 143

/*
 * A transport protocol (IPPROTO_*) as nft prints `meta l4proto`, its
 * /etc/protocols name ("ipv6-icmp" for 58); NULL for one nft prints as a
 * number.
 */
const char *names_l4proto(uint8_t proto);

/*
 * A transport protocol as nft's keyword for its header ("icmpv6" for 58,
 * otherwise as names_l4proto()); NULL likewise.
 */
const char *names_l4_keyword(uint8_t proto);

/*
 * An ICMP (family 4) or ICMPv6 (family 6) type as nft names it
 * ("echo-request", "nd-neighbor-solicit"); NULL for a type nft prints as
 * a number, or another family.
 */
const char *names_icmp_type(int family, uint8_t type);

/* A packet's family (NFPROTO_IPV4, NFPROTO_IPV6) as `meta nfproto`; NULL else. */
const char *names_nfproto(uint8_t nfproto);

/*
 * One conntrack state bit (NF_CT_STATE_INVALID_BIT, NF_CT_STATE_BIT(...),
 * NF_CT_STATE_UNTRACKED_BIT) as `ct state` names it; NULL for any other
 * value, several bits included.
 */
const char *names_ct_state(uint32_t bit);

/* A netfilter hook of the inet family (NF_INET_*) as nft names it; NULL else. */
const char *names_hook(uint32_t hook);

#endif
