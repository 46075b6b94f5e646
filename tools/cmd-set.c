/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `fwgen set add|del|list`: change or show a peer role's address sets in
 * the live table, without reloading the ruleset.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <fwgen/sets.h>

#include "cli.h"

static const char usage[] =
	"Usage: fwgen set add  ROLE ADDRESS... [--table NAME] [-q]\n"
	"       fwgen set del  ROLE ADDRESS... [--table NAME] [-q]\n"
	"       fwgen set list ROLE [--table NAME]\n"
	"\n"
	"Changes the addresses of a peer role in the live table, in place: the\n"
	"role's sets ROLE_v4 and ROLE_v6 that `fwgen apply` made. Nothing else of\n"
	"the ruleset is touched. ADDRESS is an IPv4 or IPv6 address or prefix.\n"
	"\n"
	"  add   adds the addresses (adjacent and overlapping ranges merge)\n"
	"  del   deletes them (a prefix is split around a deleted address); each\n"
	"        must be in the set, else nothing is deleted\n"
	"  list  prints the elements of the role's sets, one a line\n"
	"\n"
	"add and del print each element removed ('-') and added ('+'). `fwgen diff`\n"
	"shows the change against the inventory until it is updated and applied.\n"
	"\n"
	"      --table NAME      the inet table fwgen owns (default fwgen)\n"
	"  -q, --quiet           print nothing\n"
	"  -h, --help            this text\n"
	"\n"
	"Exit status: 0 success, 2 error (nothing changed).\n";

int cmd_set(int argc, char **argv)
{
	const char *sub, *role;
	struct fwgen_ctx *ctx;
	struct cli_opts o;
	int ret;

	ret = cli_parse(argc, argv, CLI_OPT_TABLE | CLI_OPT_QUIET, usage, &o);
	if (ret < 0 || o.help)
		return ret;
	if (o.nargs < 1)
		return cli_failf("set: give add, del or list (see 'fwgen set --help')");
	sub = o.args[0];
	if (strcmp(sub, "add") && strcmp(sub, "del") && strcmp(sub, "list"))
		return cli_failf("set: unknown action '%s': add, del or list", sub);
	if (o.nargs < 2)
		return cli_failf("set %s: give a peer role", sub);
	role = o.args[1];
	if (!strcmp(sub, "list") && o.nargs > 2)
		return cli_failf("set list: unexpected argument '%s'", o.args[2]);
	if (strcmp(sub, "list") && o.nargs < 3)
		return cli_failf("set %s: give at least one address", sub);

	ctx = cli_ctx_new();
	if (!ctx)
		return -ENOMEM;
	if (!strcmp(sub, "list"))
		ret = fwgen_set_list(ctx, o.table, role, stdout);
	else if (!strcmp(sub, "add"))
		ret = fwgen_set_add(ctx, o.table, role,
				    (const char *const *)o.args + 2,
				    (size_t)o.nargs - 2, o.quiet ? NULL : stdout);
	else
		ret = fwgen_set_del(ctx, o.table, role,
				    (const char *const *)o.args + 2,
				    (size_t)o.nargs - 2, o.quiet ? NULL : stdout);
	if (ret < 0)
		ret = cli_fail(ctx);
	else if (fflush(stdout) != 0)
		ret = cli_failf("writing to standard output failed");
	else
		ret = 0;
	fwgen_ctx_free(ctx);
	return ret;
}
