/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writes the probe plan of a topology lab, computed from the catalog flows
 * directly (not from resolve), so the lab checks the applied rulesets
 * against what the vendor tables say: one namespace per role, every host
 * port probed from every role, open exactly where a flow says so.
 *
 *   lab-plan TOPOLOGY [--egress] [option=true|false ...]
 *
 * With --egress the hosts filter what they send too: probes from host roles
 * into peer roles are planned as well (without it, hosts may send anywhere
 * and peers have no firewall, so those probes would prove nothing).
 *
 * Output lines:
 *   role NAME host|peer
 *   listen ROLE tcp|udp PORT      ports the role's namespace listens on
 *   probe FROM TO tcp|udp PORT open|closed
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fwgen/fwgen.h>

#include "model.h"

/* A port no flow of any topology uses (RFC 863 discard): always refused. */
#define UNUSED_PORT 9

struct target {
	size_t role;
	unsigned int proto;  /* PROTO_TCP or PROTO_UDP */
	unsigned int port;   /* the port probed */
	unsigned int listen; /* the port listened on (differs after a redirect) */
};

static bool *options;
static bool egress;

static bool enabled(const struct flow *f)
{
	size_t i;

	for (i = 0; i < f->nwhen; i++) {
		if (options[f->when[i].option] == f->when[i].negate)
			return false;
	}
	return true;
}

/* Calls fn for every (proto, port) of a flow, params at their defaults. */
static void each_port(const struct fwgen_topology *t, const struct flow *f,
		      void (*fn)(unsigned int proto, unsigned int port, void *arg),
		      void *arg)
{
	size_t i, j;
	unsigned int proto;

	for (proto = PROTO_TCP; proto <= PROTO_UDP; proto <<= 1) {
		if (!(f->protos & proto))
			continue;
		for (i = 0; i < f->nports; i++) {
			const struct port_item *it = &f->ports[i];
			const struct port_range *r = it->is_param ? t->params[it->param].defaults : &it->range;
			size_t n = it->is_param ? t->params[it->param].ndefaults : 1;

			for (j = 0; j < n; j++) {
				/* Probing both ends of a range is enough. */
				fn(proto, r[j].lo, arg);
				if (r[j].hi != r[j].lo)
					fn(proto, r[j].hi, arg);
			}
		}
	}
}

struct collect {
	struct target *v;
	size_t n;
	size_t cap;
	size_t role;
	unsigned int redirect;
};

static void add_target(unsigned int proto, unsigned int port, void *arg)
{
	struct collect *c = arg;
	size_t i;

	for (i = 0; i < c->n; i++) {
		if (c->v[i].role == c->role && c->v[i].proto == proto &&
		    c->v[i].port == port)
			return;
	}
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->v = realloc(c->v, c->cap * sizeof(*c->v));
		if (!c->v)
			exit(2);
	}
	c->v[c->n].role = c->role;
	c->v[c->n].proto = proto;
	c->v[c->n].port = port;
	c->v[c->n].listen = c->redirect ? c->redirect : port;
	c->n++;
}

struct match {
	unsigned int proto;
	unsigned int port;
	bool found;
};

static void find_port(unsigned int proto, unsigned int port, void *arg)
{
	struct match *m = arg;

	if (m->proto == proto && m->port == port)
		m->found = true;
}

static bool contains(const size_t *v, size_t n, size_t x)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (v[i] == x)
			return true;
	}
	return false;
}

/* Whether an enabled flow lets role `from` reach role `to` on proto/port. */
static bool allowed(const struct fwgen_topology *t, size_t from, size_t to,
		    unsigned int proto, unsigned int port)
{
	size_t i, admin, dns, ntp;

	topology_role_index(t, "admin", &admin);
	topology_role_index(t, "dns-server", &dns);
	topology_role_index(t, "time-source", &ntp);
	/* The baseline: SSH from admin to every host; DNS and NTP out. */
	if (from == admin && t->roles[to].host && proto == PROTO_TCP && port == 22)
		return true;
	if (t->roles[from].host && to == dns && port == 53)
		return true;
	if (t->roles[from].host && to == ntp && proto == PROTO_UDP && port == 123)
		return true;
	for (i = 0; i < t->nflows; i++) {
		const struct flow *f = &t->flows[i];
		struct match m = { proto, port, false };

		if (!enabled(f) || !contains(f->from, f->nfrom, from) ||
		    !contains(f->to, f->nto, to))
			continue;
		each_port(t, f, find_port, &m);
		if (m.found)
			return true;
	}
	return false;
}

int main(int argc, char **argv)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = NULL;
	const struct fwgen_topology *t;
	struct collect c = { 0 };
	size_t i, r, from;
	int a;

	if (argc < 2) {
		fprintf(stderr, "usage: lab-plan TOPOLOGY [option=true|false ...]\n");
		return 2;
	}
	if (!ctx || fwgen_catalog_load(ctx, &cat) < 0) {
		fprintf(stderr, "lab-plan: %s\n", ctx ? fwgen_ctx_error(ctx) : "no memory");
		return 2;
	}
	t = fwgen_catalog_topology(ctx, cat, argv[1]);
	if (!t) {
		fprintf(stderr, "lab-plan: %s\n", fwgen_ctx_error(ctx));
		return 2;
	}
	options = calloc(t->noptions + 1, sizeof(*options));
	/*
	 * The lab binds every role, so every option a host role implies is
	 * on (catalog implied_by), whatever its default.
	 */
	for (i = 0; i < t->noptions; i++)
		options[i] = t->options[i].default_value || t->options[i].nimplied_by;
	for (a = 2; a < argc; a++) {
		char *eq = strchr(argv[a], '=');
		size_t idx;

		if (strcmp(argv[a], "--egress") == 0) {
			egress = true;
			continue;
		}
		if (!eq)
			return 2;
		*eq = '\0';
		if (topology_option_index(t, argv[a], &idx) < 0) {
			fprintf(stderr, "lab-plan: unknown option %s\n", argv[a]);
			return 2;
		}
		options[idx] = strcmp(eq + 1, "true") == 0;
	}

	for (r = 0; r < t->nroles; r++)
		printf("role %s %s\n", t->roles[r].name, t->roles[r].host ? "host" : "peer");
	/* Every role listens on every port any enabled flow sends to it. */
	for (i = 0; i < t->nflows; i++) {
		const struct flow *f = &t->flows[i];

		if (!enabled(f))
			continue;
		for (r = 0; r < f->nto; r++) {
			c.role = f->to[r];
			c.redirect = f->redirect;
			each_port(t, f, add_target, &c);
		}
	}
	for (r = 0; r < t->nroles; r++) {
		c.redirect = 0;
		c.role = r;
		add_target(PROTO_TCP, UNUSED_PORT, &c);
		add_target(PROTO_UDP, UNUSED_PORT, &c);
		if (t->roles[r].host)
			add_target(PROTO_TCP, 22, &c);
		if (!strcmp(t->roles[r].name, "dns-server")) {
			add_target(PROTO_TCP, 53, &c);
			add_target(PROTO_UDP, 53, &c);
		}
		if (!strcmp(t->roles[r].name, "time-source"))
			add_target(PROTO_UDP, 123, &c);
	}
	for (i = 0; i < c.n; i++)
		printf("listen %s %s %u\n", t->roles[c.v[i].role].name,
		       c.v[i].proto == PROTO_TCP ? "tcp" : "udp", c.v[i].listen);
	/*
	 * Probes: into every host role from every role (the same role too:
	 * the lab gives each host role a second node). Peers have no
	 * firewall, so probes into them test egress only, from host roles.
	 */
	for (i = 0; i < c.n; i++) {
		const struct target *tg = &c.v[i];

		for (from = 0; from < t->nroles; from++) {
			if (!t->roles[tg->role].host &&
			    (!egress || !t->roles[from].host))
				continue;
			printf("probe %s %s %s %u %s\n", t->roles[from].name,
			       t->roles[tg->role].name,
			       tg->proto == PROTO_TCP ? "tcp" : "udp", tg->port,
			       allowed(t, from, tg->role, tg->proto, tg->port) ?
				       "open" :
				       "closed");
		}
	}
	free(c.v);
	free(options);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
	return 0;
}
