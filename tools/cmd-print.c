/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `fwgen print`: the resolved policy as text on standard output.
 */
#include <stdio.h>

#include "cli.h"

static const char usage[] =
	"Usage: fwgen print [-i INVENTORY] [--topology T] --role R [--role R2...]\n"
	"                   [--format nft|json|iptables|ip6tables|ipset] [--strict] [--table NAME] [--audit|--enforce]\n"
	"\n"
	"Writes the ruleset of a host holding the given roles. The nft format is a\n"
	"complete `nft -f` script that replaces fwgen's table atomically.\n"
	"\n"
	"  -i, --inventory FILE  addresses of the roles, params, options (YAML)\n"
	"  -t, --topology T      the topology (overrides the inventory's)\n"
	"  -r, --role R          a host role of this host; repeat for several\n"
	"  -f, --format F        nft (default), json, iptables, ip6tables, ipset\n"
	"      --strict          a peer role not bound in the inventory is an error\n"
	"      --audit           count and accept what enforce mode would drop\n"
	"      --enforce         drop it (both win over the inventory's 'mode')\n"
	"      --table NAME      the inet table fwgen owns (default fwgen)\n"
	"  -h, --help            this text\n"
	"\n"
	"Exit status: 0 printed, 2 error.\n";

int cmd_print(int argc, char **argv)
{
	struct cli_opts o;
	struct cli_session s;
	int ret;

	ret = cli_parse(argc, argv, CLI_OPT_POLICY | CLI_OPT_MODE | CLI_OPT_FORMAT, usage, &o);
	if (ret < 0 || o.help)
		return ret;
	ret = cli_load_policy(&o, &s);
	if (ret == 0) {
		if (fwgen_policy_render(s.ctx, s.pol, o.format, stdout) < 0)
			ret = cli_fail(s.ctx);
		else if (fflush(stdout) != 0)
			ret = cli_failf("writing to standard output failed");
	}
	cli_session_release(&s);
	return ret;
}
