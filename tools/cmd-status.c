/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `fwgen status`: what fwgen's live table is doing, from the library's
 * fwgen_status_read(), in the format asked for.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <fwgen/status.h>

#include "cli.h"

static const char usage[] =
	"Usage: fwgen status [--table NAME] [--json | --format text|json|prometheus]\n"
	"\n"
	"Reads fwgen's live table and prints its mode (audit or enforce), the\n"
	"topology and roles it was applied for, the packets and bytes of every\n"
	"catalog flow, and what was refused (in audit mode: what enforce mode\n"
	"would refuse) per peer address, protocol and port, largest count first.\n"
	"Nothing is changed.\n"
	"\n"
	"      --table NAME      the inet table fwgen owns (default fwgen)\n"
	"      --json            the stable JSON schema of fwgen(8)\n"
	"  -f, --format F        text (default), json, or prometheus (node_exporter\n"
	"                        textfile metrics, see fwgen(8))\n"
	"  -h, --help            this text\n"
	"\n"
	"Needs CAP_NET_ADMIN. Exit status: 0 printed, 2 error (the table is not\n"
	"there, no permission).\n";

int cmd_status(int argc, char **argv)
{
	enum fwgen_status_format fmt = FWGEN_STATUS_TEXT;
	struct fwgen_status *st = NULL;
	struct fwgen_ctx *ctx;
	struct cli_opts o;
	int ret;

	ret = cli_parse(argc, argv,
			CLI_OPT_TABLE | CLI_OPT_JSON | CLI_OPT_FORMAT |
				CLI_OPT_STATUS_FORMAT,
			usage, &o);
	if (ret < 0 || o.help)
		return ret;
	if (o.nargs > 0)
		return cli_failf("unexpected argument '%s'", o.args[0]);
	if (o.format_arg) {
		if (!strcmp(o.format_arg, "json"))
			fmt = FWGEN_STATUS_JSON;
		else if (!strcmp(o.format_arg, "prometheus"))
			fmt = FWGEN_STATUS_PROMETHEUS;
		else if (strcmp(o.format_arg, "text") != 0)
			return cli_failf("unknown status format '%s' (text, json, prometheus)",
					 o.format_arg);
	}
	if (o.json) {
		if (o.format_arg && fmt != FWGEN_STATUS_JSON)
			return cli_failf("--json and --format %s exclude each other",
					 o.format_arg);
		fmt = FWGEN_STATUS_JSON;
	}
	ctx = fwgen_ctx_new();
	if (!ctx) {
		cli_failf("out of memory");
		return -ENOMEM;
	}
	if (fwgen_status_read(ctx, o.table, &st) < 0 ||
	    fwgen_status_render(ctx, st, fmt, stdout) < 0)
		ret = cli_fail(ctx);
	else if (fflush(stdout) != 0)
		ret = cli_failf("writing to standard output failed");
	else
		ret = 0;
	fwgen_status_free(st);
	fwgen_ctx_free(ctx);
	return ret;
}
