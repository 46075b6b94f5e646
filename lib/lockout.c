/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Anti-lockout: would a policy admit a new SSH connection from the client
 * of this session? Evaluated on the policy itself, rule by rule, as the
 * kernel would evaluate the chains fwgen is about to load.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include <fwgen/kernel.h>

#include "ctx.h"
#include "policy.h"

/* A new TCP connection as the input hook sees it. */
struct pkt {
	int family;
	uint8_t saddr[16];
	uint8_t daddr[16];
	uint16_t dport;
	bool loopback;		/* arrives on lo */
};

enum verdict {
	V_CONTINUE = 0,
	V_ACCEPT,
	V_DROP,
};

struct eval {
	const struct fwgen_policy *pol;
	const struct pkt *p;
	const struct pol_rule *decided;	/* the rule that gave the verdict */
	const struct pol_chain *decided_in;
	const struct pol_rule *miss;	/* a rule on the port, other peers */
	const struct pol_set *miss_set;
	int depth;
};

static bool set_has(const struct fwgen_policy *pol, int idx, int family,
		    const uint8_t *addr)
{
	const struct pol_set *s = &pol->sets[idx];
	struct addr_list l = { .v = s->elems, .n = s->nelems };

	return s->family == family && addr_list_contains(&l, family, addr);
}

static bool port_in(const struct port_range *r, size_t n, uint16_t port)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (port >= r[i].lo && port <= r[i].hi)
			return true;
	return false;
}

/*
 * Whether a rule matches the packet. Rate-limited accepts are not counted
 * on: a connection attempt may well fall outside the limit.
 */
static bool rule_matches(struct eval *ev, const struct pol_rule *r)
{
	const struct pkt *p = ev->p;
	bool port_ok;

	if (r->iface == POL_IFACE_OIF_LO)
		return false;
	if (r->iface == POL_IFACE_IIF_LO && !p->loopback)
		return false;
	if (r->family && r->family != p->family)
		return false;
	if (r->nicmp_types)
		return false;
	if (r->ndports && r->l4proto != POL_L4_TCP)
		return false;
	port_ok = !r->ndports || port_in(r->dports, r->ndports, p->dport);
	if (!port_ok)
		return false;
	if (r->ct_states && !(r->ct_states & POL_CT_NEW))
		return false;
	if (r->daddr_set >= 0 &&
	    !set_has(ev->pol, r->daddr_set, p->family, p->daddr))
		return false;
	if (r->saddr_set >= 0 &&
	    !set_has(ev->pol, r->saddr_set, p->family, p->saddr)) {
		/* Remember it: "tcp/22 is open, but only to admin_v4". */
		if (r->verdict == POL_VERDICT_ACCEPT && !ev->miss &&
		    ev->pol->sets[r->saddr_set].family == p->family) {
			ev->miss = r;
			ev->miss_set = &ev->pol->sets[r->saddr_set];
		}
		return false;
	}
	if (r->has_limit && r->verdict == POL_VERDICT_ACCEPT)
		return false;
	return true;
}

static enum verdict eval_chain(struct eval *ev, const struct pol_chain *c);

static enum verdict eval_vmap(struct eval *ev, const struct pol_rule *r)
{
	size_t i;

	for (i = 0; i < r->nvmap; i++) {
		const struct pol_vmap_elem *e = &r->vmap[i];

		if (e->l4proto == POL_L4_TCP && ev->p->dport >= e->ports.lo &&
		    ev->p->dport <= e->ports.hi && e->chain < ev->pol->nchains)
			return eval_chain(ev, &ev->pol->chains[e->chain]);
	}
	return V_CONTINUE;
}

static enum verdict eval_chain(struct eval *ev, const struct pol_chain *c)
{
	enum verdict v;
	size_t i;

	/* Jumps only go to service chains; a bound keeps bad input finite. */
	if (++ev->depth > 16)
		return V_CONTINUE;
	for (i = 0; i < c->nrules; i++) {
		const struct pol_rule *r = &c->rules[i];

		if (!rule_matches(ev, r))
			continue;
		switch (r->verdict) {
		case POL_VERDICT_ACCEPT:
		case POL_VERDICT_DROP:
			ev->decided = r;
			ev->decided_in = c;
			ev->depth--;
			return r->verdict == POL_VERDICT_ACCEPT ? V_ACCEPT :
								  V_DROP;
		case POL_VERDICT_VMAP:
			v = eval_vmap(ev, r);
			if (v != V_CONTINUE) {
				ev->depth--;
				return v;
			}
			break;
		case POL_VERDICT_NONE:
		case POL_VERDICT_REDIRECT:
			break;
		}
	}
	ev->depth--;
	return V_CONTINUE;
}

/* A prerouting redirect changes the port the input chain sees. */
static void eval_prerouting(struct eval *ev, struct pkt *p)
{
	size_t i, j;

	for (i = 0; i < ev->pol->nchains; i++) {
		const struct pol_chain *c = &ev->pol->chains[i];

		if (c->hook != POL_HOOK_PREROUTING)
			continue;
		for (j = 0; j < c->nrules; j++) {
			const struct pol_rule *r = &c->rules[j];

			if (r->verdict == POL_VERDICT_REDIRECT &&
			    rule_matches(ev, r)) {
				p->dport = r->redirect_port;
				return;
			}
		}
	}
}

static int parse_addr(const char *text, struct pkt *p, uint8_t *out)
{
	const char *zone = strchr(text, '%');
	struct in6_addr a6;
	struct in_addr a4;
	char s[64];
	int family;

	/*
	 * sshd writes a link-local peer with its zone ("fe80::1%eth0"): the
	 * zone names the interface, not the address, and only IPv6
	 * link-local addresses have one.
	 */
	if ((size_t)snprintf(s, sizeof(s), "%s", text) >= sizeof(s))
		return -EINVAL;
	if (zone) {
		s[zone - text] = '\0';
		if (!zone[1] || inet_pton(AF_INET6, s, &a6) != 1 ||
		    !IN6_IS_ADDR_LINKLOCAL(&a6))
			return -EINVAL;
	}
	if (inet_pton(AF_INET, s, &a4) == 1) {
		family = 4;
		memcpy(out, &a4, 4);
	} else if (inet_pton(AF_INET6, s, &a6) == 1) {
		/* sshd on a dual-stack socket reports IPv4 as ::ffff:a.b.c.d. */
		if (IN6_IS_ADDR_V4MAPPED(&a6)) {
			family = 4;
			memcpy(out, &a6.s6_addr[12], 4);
		} else {
			family = 6;
			memcpy(out, &a6, 16);
		}
	} else {
		return -EINVAL;
	}
	if (p->family && p->family != family)
		return -EINVAL;
	p->family = family;
	return 0;
}

static bool is_loopback(const struct pkt *p)
{
	static const uint8_t v6lo[16] = { [15] = 1 };

	return p->family == 4 ? p->saddr[0] == 127 :
				memcmp(p->saddr, v6lo, 16) == 0;
}

FWGEN_EXPORT int fwgen_policy_lockout_check(struct fwgen_ctx *ctx,
			       const struct fwgen_policy *pol,
			       const char *ssh_connection)
{
	char client[64], server[64], cport[16], sport[16];
	struct eval ev = { .pol = pol };
	const struct pol_chain *input = NULL;
	struct pkt p = { 0 };
	enum verdict v;
	char why[512];
	long port;
	char *end;
	size_t i;

	if (!ssh_connection || !*ssh_connection)
		return 0;
	if (sscanf(ssh_connection, "%63s %15s %63s %15s", client, cport, server,
		   sport) != 4)
		goto bad;
	port = strtol(sport, &end, 10);
	if (*end || port < 1 || port > 65535)
		goto bad;
	if (parse_addr(client, &p, p.saddr) < 0 ||
	    parse_addr(server, &p, p.daddr) < 0)
		goto bad;
	p.dport = (uint16_t)port;
	p.loopback = is_loopback(&p);
	ev.p = &p;

	for (i = 0; i < pol->nchains; i++)
		if (pol->chains[i].hook == POL_HOOK_INPUT)
			input = &pol->chains[i];
	if (!input)
		return 0;
	eval_prerouting(&ev, &p);
	v = eval_chain(&ev, input);
	if (v == V_ACCEPT || (v == V_CONTINUE && !input->policy_drop))
		return 0;

	if (v == V_DROP)
		snprintf(why, sizeof(why), "rule \"%s\" in chain %s drops it",
			 ev.decided->comment ? ev.decided->comment : "",
			 ev.decided_in->name);
	else if (ev.miss)
		snprintf(why, sizeof(why),
			 "rule \"%s\" admits tcp/%u only from set %s (role %s), which does not hold %s, and chain %s ends in policy drop",
			 ev.miss->comment ? ev.miss->comment : "", p.dport,
			 ev.miss_set->name, ev.miss_set->role, client,
			 input->name);
	else
		snprintf(why, sizeof(why),
			 "no rule admits tcp/%u and chain %s ends in policy drop",
			 p.dport, input->name);
	return ctx_err(ctx, -EACCES,
		       "refusing to apply: this SSH session comes from %s to port %s (SSH_CONNECTION), and the new ruleset would drop new connections from it: %s. The open session would survive, but reconnecting would be locked out. Add %s to the %s role in the inventory, or apply with --force",
		       client, sport, why, client,
		       ev.miss ? ev.miss_set->role : "admin");
bad:
	return ctx_err(ctx, -EINVAL,
		       "SSH_CONNECTION '%s' is not 'CLIENT_IP CLIENT_PORT SERVER_IP SERVER_PORT'",
		       ssh_connection);
}
