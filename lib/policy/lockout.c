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
#include "eval.h"
#include "policy.h"

/* A new TCP connection from the SSH client, as the input hook sees it. */
struct pkt {
	int family;
	uint8_t saddr[16];
	uint8_t daddr[16];
	uint16_t dport;
	bool loopback; /* arrives on lo */
};

struct lockout {
	const struct pkt *p;
	const struct pol_rule *decided; /* the rule that gave the verdict */
	const struct pol_chain *decided_in;
	const struct pol_rule *miss; /* a rule on the port, other peers */
	const struct pol_set *miss_set;
};

static bool set_has(const struct pol_set *s, int family, const uint8_t *addr)
{
	struct addr_list l = { .v = s->elems, .n = s->nelems };

	return s->family == family && addr_list_contains(&l, family, addr);
}

static bool client_in(void *data, const struct pol_set *s)
{
	const struct lockout *lo = data;

	return set_has(s, lo->p->family, lo->p->saddr);
}

static bool server_in(void *data, const struct pol_set *s)
{
	const struct lockout *lo = data;

	return set_has(s, lo->p->family, lo->p->daddr);
}

static int decided(void *data, const struct pol_chain *c,
		   const struct pol_rule *r)
{
	struct lockout *lo = data;

	lo->decided = r;
	lo->decided_in = c;
	return 1;
}

/* Remember it: "tcp/22 is open, but only to admin_v4". */
static void missed(void *data, const struct pol_rule *r,
		   const struct pol_set *s)
{
	struct lockout *lo = data;

	if (!lo->miss && s->family == lo->p->family) {
		lo->miss = r;
		lo->miss_set = s;
	}
}

static const struct eval_ops lockout_ops = {
	.peer_in = client_in,
	.self_in = server_in,
	.verdict = decided,
	.peer_miss = missed,
};

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
	struct lockout lo = { 0 };
	struct eval_pkt ep = { .l4proto = POL_L4_TCP };
	const struct pol_chain *input;
	const struct pol_rule *redir;
	struct pkt p = { 0 };
	enum eval_result v;
	char why[512];
	long port;
	char *end;

	ARG_CTX(ctx);
	ARG_CHECK(ctx, pol);

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
	lo.p = &p;

	input = eval_base_chain(pol, POL_HOOK_INPUT);
	if (!input)
		return 0;
	ep.family = p.family;
	ep.dport = p.dport;
	ep.loopback = p.loopback;
	redir = eval_redirect(pol, &ep, &lockout_ops, &lo, NULL);
	if (redir)
		p.dport = ep.dport = redir->redirect_port;
	eval_chain(pol, &ep, &lockout_ops, &lo, input, &v);
	if (v == EVAL_ACCEPT || (v == EVAL_NONE && !input->policy_drop))
		return 0;

	if (v == EVAL_DROP)
		snprintf(why, sizeof(why), "rule \"%s\" in chain %s drops it",
			 lo.decided->comment ? lo.decided->comment : "",
			 lo.decided_in->name);
	else if (lo.miss)
		snprintf(why, sizeof(why),
			 "rule \"%s\" admits tcp/%u only from set %s (role %s), which does not hold %s, and chain %s ends in policy drop",
			 lo.miss->comment ? lo.miss->comment : "", p.dport,
			 lo.miss_set->name, lo.miss_set->role, client,
			 input->name);
	else
		snprintf(why, sizeof(why),
			 "no rule admits tcp/%u and chain %s ends in policy drop",
			 p.dport, input->name);
	return ctx_err(ctx, -EACCES,
		       "refusing to apply: this SSH session comes from %s to port %s (SSH_CONNECTION), and the new ruleset would drop new connections from it: %s. The open session would survive, but reconnecting would be locked out. Add %s to the %s role in the inventory, or force the apply",
		       client, sport, why, client,
		       lo.miss ? lo.miss_set->role : "admin");
bad:
	return ctx_err(ctx, -EINVAL,
		       "SSH_CONNECTION '%s' is not 'CLIENT_IP CLIENT_PORT SERVER_IP SERVER_PORT'",
		       ssh_connection);
}
