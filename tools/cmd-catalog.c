/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `fwgen catalog`: browse the topologies, roles, flows, params and options
 * that the installed catalog describes.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
	"Usage: fwgen catalog list\n"
	"       fwgen catalog show TOPOLOGY\n"
	"       fwgen catalog graph TOPOLOGY\n"
	"       fwgen catalog explain [-i INVENTORY] [--topology T] --role R [--role R2...]\n"
	"                             [--from ROLE|ADDRESS] [--outbound]\n"
	"                             PROTO/PORT | --port PORT [--proto tcp|udp]\n"
	"\n"
	"  list           the topologies with their product and host roles\n"
	"  show T         roles, flows (ports, sources, notes), params and options of T\n"
	"  graph T        T as a Graphviz DOT graph: roles as nodes, flows as edges\n"
	"                 (render: fwgen catalog graph T | dot -Tsvg -o T.svg)\n"
	"  explain        whether a new connection to this host (or from it, with\n"
	"                 --outbound) passes the policy that print and apply produce\n"
	"                 from the same options, and which flows (with their seed\n"
	"                 rows) or baseline rules admit it, or why none does\n"
	"\n"
	"Explain options:\n"
	"  --from ROLE|ADDRESS  the peer: a role of the topology, or an address that\n"
	"                       is matched against the inventory's role addresses\n"
	"                       (roles not bound mean any address); default any peer\n"
	"  --port PORT          the destination port (or give PROTO/PORT, e.g. tcp/443)\n"
	"  --proto tcp|udp      the protocol of --port (default tcp)\n"
	"  --outbound           this host connects to the peer (egress)\n"
	"\n"
	"The catalog is read from FWGEN_CATALOG_DIR, else the installed data directory.\n"
	"Exit status: 0 success (explain: allowed), 1 explain: not allowed, 2 error.\n";

static void list_roles(const struct fwgen_topology *t, bool host)
{
	size_t i, n = 0;
	bool is_host;

	for (i = 0; i < fwgen_topology_role_count(t); i++) {
		const char *name = fwgen_topology_role_name(t, i, &is_host);

		if (is_host == host)
			printf("%s%s", n++ ? ", " : "", name);
	}
}

static int catalog_list(struct cli_session *s)
{
	size_t i;

	for (i = 0; i < fwgen_catalog_topology_count(s->cat); i++) {
		const struct fwgen_topology *t = fwgen_catalog_topology_at(s->cat, i);

		printf("%s  (%s, %zu flows)\n  %s\n  host roles: ",
		       fwgen_topology_name(t), fwgen_topology_product(t),
		       fwgen_topology_flow_count(t), fwgen_topology_summary(t));
		list_roles(t, true);
		printf("\n  peer roles: ");
		list_roles(t, false);
		printf("\n");
	}
	return 0;
}

/* A catalog browse takes none of the options that describe a host. */
static int want_no_policy(const struct cli_opts *o, const char *sub)
{
	if (o->inventory || o->topology || o->nroles || o->strict || o->table ||
	    o->from || o->proto || o->port >= 0 || o->outbound)
		return cli_failf("catalog %s: takes no host options (-i, --topology, --role, --from, --port, ...)",
				 sub);
	return 0;
}

static int catalog_topology(const char *sub, const struct cli_opts *o,
			    bool graph)
{
	const struct fwgen_topology *t;
	struct cli_session s;
	int ret;

	if (o->nargs != 2)
		return cli_failf("catalog %s: give exactly one TOPOLOGY", sub);
	ret = cli_open(&s);
	if (ret < 0) {
		cli_session_release(&s);
		return ret;
	}
	t = fwgen_catalog_topology(s.ctx, s.cat, o->args[1]);
	if (!t)
		ret = cli_fail(s.ctx);
	else if (graph && fwgen_topology_graph(s.ctx, t, stdout) < 0)
		ret = cli_fail(s.ctx);
	else if (!graph && fwgen_topology_describe(s.ctx, t, stdout) < 0)
		ret = cli_fail(s.ctx);
	cli_session_release(&s);
	return ret;
}

/* The query from --from, --outbound and PROTO/PORT or --port/--proto. */
static int explain_query(const struct cli_opts *o, struct fwgen_ctx *ctx,
			 struct fwgen_query *q)
{
	int ret;

	if (o->nargs > 2)
		return cli_failf("catalog explain: unexpected argument '%s'", o->args[2]);
	if (o->nargs == 2 && (o->port >= 0 || o->proto))
		return cli_failf("catalog explain: give PROTO/PORT or --port, not both");
	if (o->nargs < 2 && o->port < 0)
		return cli_failf("catalog explain: give the service, e.g. tcp/443 or --port 443 --proto tcp");
	if (o->nargs == 2)
		ret = fwgen_query_parse_service(ctx, q, o->args[1]);
	else
		ret = fwgen_query_set_service(ctx, q, o->proto ? o->proto : "tcp",
					      (unsigned long)o->port);
	if (ret == 0)
		ret = fwgen_query_set_peer(ctx, q, o->from);
	if (ret < 0)
		return cli_fail(ctx);
	fwgen_query_set_outbound(q, o->outbound);
	return 0;
}

static int catalog_explain(const struct cli_opts *o)
{
	struct cli_opts policy_opts = *o;
	struct fwgen_explain *e = NULL;
	struct fwgen_query *q;
	struct cli_session s;
	int ret;

	/* cli_load_policy() may fail before it fills the session in. */
	memset(&s, 0, sizeof(s));
	/* The positional arguments are the subcommand and the service. */
	policy_opts.nargs = 0;
	ret = cli_load_policy(&policy_opts, &s);
	if (ret < 0) {
		cli_session_release(&s);
		return ret;
	}
	q = fwgen_query_new();
	if (!q) {
		cli_session_release(&s);
		cli_failf("out of memory");
		return -ENOMEM;
	}
	ret = explain_query(o, s.ctx, q);
	if (ret == 0) {
		if (fwgen_policy_explain(s.ctx, s.cat, s.pol, s.inv, q, &e) < 0 ||
		    fwgen_explain_write(s.ctx, e, stdout) < 0)
			ret = cli_fail(s.ctx);
		else
			ret = fwgen_explain_allowed(e) ? 0 : CLI_DIFFERENT;
	}
	fwgen_explain_free(e);
	fwgen_query_free(q);
	cli_session_release(&s);
	return ret;
}

int cmd_catalog(int argc, char **argv)
{
	struct cli_session s;
	struct cli_opts o;
	const char *sub;
	int ret;

	ret = cli_parse(argc, argv, CLI_OPT_POLICY | CLI_OPT_EXPLAIN, usage, &o);
	if (ret < 0 || o.help)
		return ret;
	if (o.nargs < 1)
		return cli_failf("catalog: missing subcommand (list, show, graph, explain)");
	sub = o.args[0];
	if (!strcmp(sub, "explain"))
		return catalog_explain(&o);
	if (strcmp(sub, "list") && strcmp(sub, "show") && strcmp(sub, "graph"))
		return cli_failf("catalog: unknown subcommand '%s' (list, show, graph, explain)",
				 sub);
	ret = want_no_policy(&o, sub);
	if (ret < 0)
		return ret;
	if (strcmp(sub, "list"))
		return catalog_topology(sub, &o, !strcmp(sub, "graph"));
	if (o.nargs != 1)
		return cli_failf("catalog list: unexpected argument '%s'", o.args[1]);
	ret = cli_open(&s);
	if (ret == 0)
		ret = catalog_list(&s);
	cli_session_release(&s);
	return ret;
}
