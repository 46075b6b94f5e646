/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TEMPORARY while the commands are written in parallel: weak placeholders
 * that the real definitions override. Deleted once every command exists.
 */
#include "cli.h"

#define PENDING(fn) \
	__attribute__((weak)) int fn(int argc, char **argv) \
	{ (void)argc; return cli_failf("%s: not built yet", argv[0]); }

PENDING(cmd_apply)
PENDING(cmd_check)
PENDING(cmd_diff)
PENDING(cmd_remove)
PENDING(cmd_confirm)
PENDING(cmd_set)
