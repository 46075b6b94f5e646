/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Number to name tables for what nft prints by name. The numbers come from
 * the system headers, so a table can only be wrong in its words, and the
 * names unit test holds those.
 */
#include <stddef.h>

#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>

#include "names.h"
#include "util.h"

struct name_num {
	unsigned int num;
	const char *name;
};

static const char *lookup(const struct name_num *t, size_t n, unsigned int num)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (t[i].num == num)
			return t[i].name;
	}
	return NULL;
}

#define LOOKUP(t, num) lookup(t, ARRAY_SIZE(t), num)

static const struct name_num l4_names[] = {
	{ IPPROTO_ICMP, "icmp" },
	{ IPPROTO_TCP, "tcp" },
	{ IPPROTO_UDP, "udp" },
	{ IPPROTO_ICMPV6, "ipv6-icmp" },
	{ IPPROTO_ESP, "esp" },
	{ IPPROTO_AH, "ah" },
	{ IPPROTO_SCTP, "sctp" },
	{ IPPROTO_GRE, "gre" },
	{ IPPROTO_DCCP, "dccp" },
	{ IPPROTO_UDPLITE, "udplite" },
};

static const struct name_num icmp_names[] = {
	{ ICMP_ECHOREPLY, "echo-reply" },
	{ ICMP_DEST_UNREACH, "destination-unreachable" },
	{ ICMP_REDIRECT, "redirect" },
	{ ICMP_ECHO, "echo-request" },
	{ ICMP_ROUTERADVERT, "router-advertisement" },
	{ ICMP_ROUTERSOLICIT, "router-solicitation" },
	{ ICMP_TIME_EXCEEDED, "time-exceeded" },
	{ ICMP_PARAMETERPROB, "parameter-problem" },
	{ ICMP_TIMESTAMP, "timestamp-request" },
	{ ICMP_TIMESTAMPREPLY, "timestamp-reply" },
};

static const struct name_num icmpv6_names[] = {
	{ ICMP6_DST_UNREACH, "destination-unreachable" },
	{ ICMP6_PACKET_TOO_BIG, "packet-too-big" },
	{ ICMP6_TIME_EXCEEDED, "time-exceeded" },
	{ ICMP6_PARAM_PROB, "parameter-problem" },
	{ ICMP6_ECHO_REQUEST, "echo-request" },
	{ ICMP6_ECHO_REPLY, "echo-reply" },
	{ MLD_LISTENER_QUERY, "mld-listener-query" },
	{ MLD_LISTENER_REPORT, "mld-listener-report" },
	{ MLD_LISTENER_REDUCTION, "mld-listener-done" },
	{ ND_ROUTER_SOLICIT, "nd-router-solicit" },
	{ ND_ROUTER_ADVERT, "nd-router-advert" },
	{ ND_NEIGHBOR_SOLICIT, "nd-neighbor-solicit" },
	{ ND_NEIGHBOR_ADVERT, "nd-neighbor-advert" },
	{ ND_REDIRECT, "nd-redirect" },
	{ ICMP6_MLD2_REPORT, "mld2-listener-report" },
};

/* nft names only these two for `meta nfproto`. */
static const struct name_num nfproto_names[] = {
	{ NFPROTO_IPV4, "ipv4" },
	{ NFPROTO_IPV6, "ipv6" },
};

static const struct name_num ct_state_names[] = {
	{ NF_CT_STATE_INVALID_BIT, "invalid" },
	{ NF_CT_STATE_BIT(IP_CT_ESTABLISHED), "established" },
	{ NF_CT_STATE_BIT(IP_CT_RELATED), "related" },
	{ NF_CT_STATE_BIT(IP_CT_NEW), "new" },
	{ NF_CT_STATE_UNTRACKED_BIT, "untracked" },
};

static const struct name_num hook_names[] = {
	{ NF_INET_PRE_ROUTING, "prerouting" },
	{ NF_INET_LOCAL_IN, "input" },
	{ NF_INET_FORWARD, "forward" },
	{ NF_INET_LOCAL_OUT, "output" },
	{ NF_INET_POST_ROUTING, "postrouting" },
	{ NF_INET_INGRESS, "ingress" },
};

const char *names_l4proto(uint8_t proto)
{
	return LOOKUP(l4_names, proto);
}

const char *names_l4_keyword(uint8_t proto)
{
	return proto == IPPROTO_ICMPV6 ? "icmpv6" : names_l4proto(proto);
}

const char *names_icmp_type(int family, uint8_t type)
{
	if (family == 4)
		return LOOKUP(icmp_names, type);
	if (family == 6)
		return LOOKUP(icmpv6_names, type);
	return NULL;
}

const char *names_nfproto(uint8_t nfproto)
{
	return LOOKUP(nfproto_names, nfproto);
}

const char *names_ct_state(uint32_t bit)
{
	return LOOKUP(ct_state_names, bit);
}

const char *names_hook(uint32_t hook)
{
	return LOOKUP(hook_names, hook);
}
