/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `fwgen diff`: fwgen's live table against the ruleset the policy wants,
 * one line per difference; the exit status tells scripts whether any.
 */
#include <stdio.h>

#include <fwgen/diff.h>

#include "cli.h"

static const char usage[] =
	"Usage: fwgen diff [-i INVENTORY] [--topology T] --role R [--role R2...]\n"
	"                  [--strict] [--table NAME] [--audit|--enforce] [--quiet]\n"
	"\n"
	"Reads fwgen's table back from the kernel and compares it with the ruleset\n"
	"`fwgen print` writes for the same arguments. Each difference is one line:\n"
	"'+' what applying would add, '-' what it would remove, '~' a changed\n"
	"chain or set property, naming the chain, set or flow. Other tables are\n"
	"not compared.\n"
	"\n"
	"  -i, --inventory FILE  addresses of the roles, params, options (YAML)\n"
	"  -t, --topology T      the topology (overrides the inventory's)\n"
	"  -r, --role R          a host role of this host; repeat for several\n"
	"      --strict          a peer role not bound in the inventory is an error\n"
	"      --audit           count and accept what enforce mode would drop\n"
	"      --enforce         drop it (both win over the inventory's 'mode')\n"
	"      --table NAME      the inet table fwgen owns (default fwgen)\n"
	"  -q, --quiet           print nothing; only the exit status tells\n"
	"  -h, --help            this text\n"
	"\n"
	"Exit status: 0 no difference, 1 differences, 2 error.\n";

int cmd_diff(int argc, char **argv)
{
	struct cli_opts o;
	struct cli_session s;
	size_t ndiff = 0;
	int ret;

	ret = cli_parse(argc, argv, CLI_OPT_POLICY | CLI_OPT_MODE | CLI_OPT_QUIET, usage, &o);
	if (ret < 0 || o.help)
		return ret;
	ret = cli_load_policy(&o, &s);
	if (ret == 0) {
		if (fwgen_policy_diff(s.ctx, s.pol, o.quiet ? NULL : stdout,
				      &ndiff) < 0)
			ret = cli_fail(s.ctx);
		else if (fflush(stdout) != 0)
			ret = cli_failf("writing to standard output failed");
		else
			ret = ndiff ? CLI_DIFFERENT : 0;
	}
	cli_session_release(&s);
	return ret;
}
