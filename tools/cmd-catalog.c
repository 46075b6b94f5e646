/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `fwgen catalog`: browse the topologies, roles, flows, params and options
 * that the installed catalog describes.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
	"Usage: fwgen catalog list\n"
	"       fwgen catalog show TOPOLOGY\n"
	"\n"
	"  list           the topologies with their product and host roles\n"
	"  show T         roles, flows (ports, sources, notes), params and options of T\n"
	"\n"
	"The catalog is read from FWGEN_CATALOG_DIR, else the installed data directory.\n"
	"Exit status: 0 success, 2 error.\n";

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
	return EXIT_OK;
}

int cmd_catalog(int argc, char **argv)
{
	const struct fwgen_topology *t;
	struct cli_session s;
	struct cli_opts o;
	const char *sub;
	int ret;

	ret = cli_parse(argc, argv, 0, usage, &o);
	if (ret >= 0)
		return ret;
	if (o.nargs < 1)
		return cli_failf("catalog: missing subcommand (list, show)");
	sub = o.args[0];
	if (strcmp(sub, "list") && strcmp(sub, "show"))
		return cli_failf("catalog: unknown subcommand '%s' (list, show)", sub);
	if (!strcmp(sub, "list") && o.nargs != 1)
		return cli_failf("catalog list: unexpected argument '%s'", o.args[1]);
	if (!strcmp(sub, "show") && o.nargs != 2)
		return cli_failf("catalog show: give exactly one TOPOLOGY");
	ret = cli_open(&s);
	if (ret >= 0) {
		cli_session_release(&s);
		return ret;
	}
	if (!strcmp(sub, "list")) {
		ret = catalog_list(&s);
	} else {
		t = fwgen_catalog_topology(s.ctx, s.cat, o.args[1]);
		ret = EXIT_OK;
		if (!t || fwgen_topology_describe(s.ctx, t, stdout) < 0)
			ret = cli_fail(s.ctx);
	}
	cli_session_release(&s);
	return ret;
}
