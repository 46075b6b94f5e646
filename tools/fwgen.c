/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fwgen: the command line over libfwgen. It parses arguments and calls the
 * library; every decision about the policy is the library's.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
	"Usage: fwgen COMMAND [OPTIONS]\n"
	"\n"
	"Host firewalls for multi-tier management products, as nftables rulesets.\n"
	"\n"
	"Commands:\n"
	"  print     write the ruleset of a host (nft, json, iptables, ip6tables, ipset)\n"
	"  apply     replace fwgen's table in the kernel, atomically\n"
	"  check     let the kernel validate the ruleset without committing it\n"
	"  diff      compare fwgen's live table with the desired ruleset\n"
	"  status    the live table's mode, flow counters and what it refused\n"
	"  remove    delete fwgen's table and nothing else\n"
	"  confirm   keep a ruleset applied with --confirm\n"
	"  set       add, delete or list the addresses of a peer role, live\n"
	"  catalog   list or show the topologies of the catalog\n"
	"  fleet     every host of an inventory: roles, ruleset digest; --explain\n"
	"\n"
	"Run 'fwgen COMMAND --help' for a command's options.\n"
	"Exit status: 0 success (diff: no difference), 1 diff found differences or\n"
	"apply --confirm --wait rolled back, 2 error.\n";

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{ "print", cmd_print },
	{ "apply", cmd_apply },
	{ "check", cmd_check },
	{ "diff", cmd_diff },
	{ "status", cmd_status },
	{ "remove", cmd_remove },
	{ "confirm", cmd_confirm },
	{ "set", cmd_set },
	{ "catalog", cmd_catalog },
	{ "fleet", cmd_fleet },
};

/* Exit status contract (DESIGN.md); nothing else in tools/ names one. */
enum {
	EXIT_OK = 0,
	EXIT_DIFF = 1,	/* diff found differences; confirm rolled back */
	EXIT_ERROR = 2, /* bad input, kernel refused, no permission */
};

int cli_exit_status(int ret)
{
	if (ret < 0)
		return EXIT_ERROR;
	return ret == CLI_DIFFERENT ? EXIT_DIFF : EXIT_OK;
}

static int run(int argc, char **argv)
{
	size_t i;

	if (argc < 2)
		return cli_failf("missing command (see 'fwgen --help')");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		fputs(usage, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("fwgen %s\n", fwgen_version());
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	}
	return cli_failf("unknown command '%s' (see 'fwgen --help')", argv[1]);
}

int main(int argc, char **argv)
{
	return cli_exit_status(run(argc, argv));
}
