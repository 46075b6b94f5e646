/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The baseline every generated input (and filtered output) chain has
 * before and after the catalog's flows: conntrack, loopback, the ICMP and
 * ICMPv6 networks need, management SSH, DNS and NTP out, the count of what
 * is refused and a rate-limited log of what is dropped.
 */
#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "resolve.h"
#include "util.h"

#define SSH_PORT 22

static int add_ct_rules(struct resolver *r, size_t chain, bool input)
{
	struct pol_rule *rule;

	rule = policy_add_rule(&r->pol->chains[chain], "baseline: drop invalid packets");
	if (!rule)
		return resolver_nomem(r);
	rule->ct_states = POL_CT_INVALID;
	rule->verdict = POL_VERDICT_DROP;
	rule = policy_add_rule(&r->pol->chains[chain],
			       "baseline: packets of allowed connections");
	if (!rule)
		return resolver_nomem(r);
	rule->ct_states = POL_CT_ESTABLISHED | POL_CT_RELATED;
	rule->verdict = POL_VERDICT_ACCEPT;
	rule = policy_add_rule(&r->pol->chains[chain], "baseline: loopback");
	if (!rule)
		return resolver_nomem(r);
	rule->iface = input ? POL_IFACE_IIF_LO : POL_IFACE_OIF_LO;
	rule->verdict = POL_VERDICT_ACCEPT;
	return 0;
}

static int add_icmp_rule(struct resolver *r, size_t chain, int family,
			 const uint8_t *types, size_t n, bool limited,
			 const char *comment)
{
	struct pol_rule *rule = policy_add_rule(&r->pol->chains[chain], comment);

	if (!rule || rule_set_icmp(rule, family, types, n) < 0)
		return resolver_nomem(r);
	if (limited) {
		rule->has_limit = true;
		rule->limit_rate = 10;
		rule->limit_unit = POL_PER_SECOND;
		rule->limit_burst = 20;
	}
	rule->verdict = POL_VERDICT_ACCEPT;
	return 0;
}

static int add_log_rule(struct resolver *r, size_t chain, const char *prefix)
{
	struct pol_rule *rule = policy_add_rule(&r->pol->chains[chain],
						"baseline: log what is dropped, rate-limited");

	if (!rule || !(rule->log_prefix = strdup(prefix)))
		return resolver_nomem(r);
	rule->has_limit = true;
	rule->limit_rate = 6;
	rule->limit_unit = POL_PER_MINUTE;
	rule->limit_burst = 10;
	return 0;
}

/*
 * What reaches the end of a base chain is refused (enforce) or would be
 * (audit): one rule per family and transport protocol adds the peer,
 * protocol and port to that family's refused set, where the kernel counts
 * it. Only TCP and UDP: their ports name a service, other protocols would
 * fill the set with whatever bytes sit where a port would be.
 */
static int add_refused(struct resolver *r, size_t chain, bool out)
{
	static const uint8_t protos[] = { POL_L4_TCP, POL_L4_UDP };
	struct fwgen_policy *pol = r->pol;
	size_t f, p;

	for (f = 0; f < 2; f++) {
		int family = f == 0 ? 4 : 6;
		struct pol_refused *rs;
		char name[32];
		void *v;

		v = realloc(pol->refused, (pol->nrefused + 1) * sizeof(*pol->refused));
		if (!v)
			return resolver_nomem(r);
		pol->refused = v;
		rs = &pol->refused[pol->nrefused];
		snprintf(name, sizeof(name), "refused_%s_v%d", out ? "out" : "in",
			 family);
		rs->name = strdup(name);
		if (!rs->name)
			return resolver_nomem(r);
		rs->family = family;
		rs->out = out;
		pol->nrefused++;
		for (p = 0; p < ARRAY_SIZE(protos); p++) {
			struct pol_rule *rule = policy_add_rule(&pol->chains[chain],
								"baseline: count what is refused, per peer and port");

			if (!rule)
				return resolver_nomem(r);
			rule->family = family;
			rule->l4proto = protos[p];
			rule->refused = pol->nrefused;
		}
	}
	return 0;
}

static int add_admin_ssh(struct resolver *r, size_t chain, size_t admin)
{
	static const struct port_range ssh = { SSH_PORT, SSH_PORT };
	int sets[2] = { r->set_v4[admin], r->set_v6[admin] };
	size_t k, n = sets[0] < 0 ? 1 : 2;

	for (k = 0; k < n; k++) {
		struct pol_rule *rule = policy_add_rule(&r->pol->chains[chain],
							"baseline: management SSH from admin");

		if (!rule || rule_set_dports(rule, POL_L4_TCP, &ssh, 1) < 0)
			return resolver_nomem(r);
		if (sets[0] >= 0) {
			rule->family = k == 0 ? 4 : 6;
			rule->saddr_set = sets[k];
		}
		rule->verdict = POL_VERDICT_ACCEPT;
	}
	return 0;
}

int resolve_add_input(struct resolver *r, size_t admin)
{
	/* What networks need: errors, path MTU, neighbour discovery, MLD. */
	static const uint8_t icmp4[] = {
		ICMP_DEST_UNREACH,
		ICMP_TIME_EXCEEDED,
		ICMP_PARAMETERPROB,
	};
	static const uint8_t icmp6[] = {
		ICMP6_DST_UNREACH,
		ICMP6_PACKET_TOO_BIG,
		ICMP6_TIME_EXCEEDED,
		ICMP6_PARAM_PROB,
		MLD_LISTENER_QUERY,
		ND_ROUTER_ADVERT,
		ND_NEIGHBOR_SOLICIT,
		ND_NEIGHBOR_ADVERT,
	};
	static const uint8_t echo4[] = { ICMP_ECHO };
	static const uint8_t echo6[] = { ICMP6_ECHO_REQUEST };
	size_t chain;
	int ret;

	if (policy_add_chain(r->pol, "input", POL_HOOK_INPUT, POL_CHAIN_FILTER,
			     0, !r->pol->audit, &chain) < 0)
		return resolver_nomem(r);
	if ((ret = add_ct_rules(r, chain, true)) < 0 ||
	    (ret = add_icmp_rule(r, chain, 4, icmp4, ARRAY_SIZE(icmp4), false,
				 "baseline: ICMP errors networks need")) < 0 ||
	    (ret = add_icmp_rule(r, chain, 4, echo4, 1, true,
				 "baseline: ping, rate-limited")) < 0 ||
	    (ret = add_icmp_rule(r, chain, 6, icmp6, ARRAY_SIZE(icmp6), false,
				 "baseline: ICMPv6 errors, neighbour discovery, MLD")) < 0 ||
	    (ret = add_icmp_rule(r, chain, 6, echo6, 1, true,
				 "baseline: ping, rate-limited")) < 0)
		return ret;
	if (r->inv == NULL || r->inv->admin_ssh) {
		ret = add_admin_ssh(r, chain, admin);
		if (ret < 0)
			return ret;
	}
	ret = resolve_add_dispatch(r, chain, true);
	if (ret < 0 || (ret = add_refused(r, chain, false)) < 0)
		return ret;
	return add_log_rule(r, chain, "fwgen drop in: ");
}

/* DNS and NTP to their servers: a host with filtered egress still needs them. */
static int add_egress_services(struct resolver *r, size_t chain)
{
	static const struct {
		const char *role;
		uint8_t l4proto;
		uint16_t port;
		const char *comment;
	} services[] = {
		{ "dns-server", POL_L4_UDP, 53, "baseline: DNS to dns-server" },
		{ "dns-server", POL_L4_TCP, 53, "baseline: DNS to dns-server" },
		{ "time-source", POL_L4_UDP, 123, "baseline: NTP to time-source" },
	};
	size_t i, k, role;

	for (i = 0; i < ARRAY_SIZE(services); i++) {
		struct port_range port = { services[i].port, services[i].port };
		int sets[2];

		topology_role_index(r->t, services[i].role, &role);
		sets[0] = r->set_v4[role];
		sets[1] = r->set_v6[role];
		for (k = 0; k < (sets[0] < 0 ? 1u : 2u); k++) {
			struct pol_rule *rule = policy_add_rule(&r->pol->chains[chain],
								services[i].comment);

			if (!rule || rule_set_dports(rule, services[i].l4proto, &port, 1) < 0)
				return resolver_nomem(r);
			if (sets[0] >= 0) {
				rule->family = k == 0 ? 4 : 6;
				rule->daddr_set = sets[k];
			}
			rule->verdict = POL_VERDICT_ACCEPT;
		}
	}
	return 0;
}

int resolve_add_output(struct resolver *r)
{
	static const uint8_t icmp4[] = {
		ICMP_DEST_UNREACH,
		ICMP_ECHO,
		ICMP_TIME_EXCEEDED,
		ICMP_PARAMETERPROB,
	};
	static const uint8_t icmp6[] = {
		ICMP6_DST_UNREACH,
		ICMP6_PACKET_TOO_BIG,
		ICMP6_TIME_EXCEEDED,
		ICMP6_PARAM_PROB,
		ICMP6_ECHO_REQUEST,
		ND_ROUTER_SOLICIT,
		ND_NEIGHBOR_SOLICIT,
		ND_NEIGHBOR_ADVERT,
		ICMP6_MLD2_REPORT,
	};
	size_t chain;
	int ret;

	if (policy_add_chain(r->pol, "output", POL_HOOK_OUTPUT, POL_CHAIN_FILTER,
			     0, !r->pol->audit, &chain) < 0)
		return resolver_nomem(r);
	if ((ret = add_ct_rules(r, chain, false)) < 0 ||
	    (ret = add_icmp_rule(r, chain, 4, icmp4, ARRAY_SIZE(icmp4), false,
				 "baseline: ping and ICMP errors out")) < 0 ||
	    (ret = add_icmp_rule(r, chain, 6, icmp6, ARRAY_SIZE(icmp6), false,
				 "baseline: ICMPv6 out: ping, errors, neighbour discovery, MLD")) < 0 ||
	    (ret = add_egress_services(r, chain)) < 0)
		return ret;
	ret = resolve_add_dispatch(r, chain, false);
	if (ret < 0 || (ret = add_refused(r, chain, true)) < 0)
		return ret;
	return add_log_rule(r, chain, "fwgen drop out: ");
}
