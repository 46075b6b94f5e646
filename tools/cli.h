/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared pieces of the fwgen CLI: option parsing common to every command
 * and loading catalog + inventory + policy through the library.
 */
#ifndef FWGEN_CLI_H
#define FWGEN_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include <fwgen/fwgen.h>

/*
 * Every function here returns 0 on success or a negative errno, as libfwgen
 * does, after printing the error. A command may also return CLI_DIFFERENT:
 * the answer is "no" without an error (diff found differences, a connection
 * is not allowed, a confirm rolled back). cli_exit_status() (tools/fwgen.c)
 * is the one place that turns these into the exit status of DESIGN.md.
 */
#define CLI_DIFFERENT 1

/* 0, CLI_DIFFERENT or a negative errno to the exit status 0, 1 or 2. */
int cli_exit_status(int ret);

/* Which options a command takes; cli_parse() refuses the others. */
enum cli_opt_bits {
	CLI_OPT_POLICY = 1 << 0,	/* -i, --topology, --role, --strict, --table */
	CLI_OPT_FORMAT = 1 << 1,	/* --format */
	CLI_OPT_CONFIRM = 1 << 2,	/* --confirm SECONDS, --wait, --boot */
	CLI_OPT_FORCE = 1 << 3,		/* --force */
	CLI_OPT_QUIET = 1 << 4,		/* -q, --quiet */
	CLI_OPT_TABLE = 1 << 5,		/* --table alone (remove, set) */
	CLI_OPT_EXPLAIN = 1 << 6,	/* --from, --port, --proto, --outbound */
	CLI_OPT_MODE = 1 << 7,		/* --audit, --enforce */
	CLI_OPT_JSON = 1 << 8,		/* --json */
	CLI_OPT_STATUS_FORMAT = 1 << 9, /* --format is status's, not a ruleset's */
	CLI_OPT_STATUS = 1 << 10,	/* --status (confirm) */
	CLI_OPT_FLEET = 1 << 11,	/* --explain, --local (fleet) */
};

#define CLI_MAX_ROLES 64

struct cli_opts {
	const char *inventory;
	const char *topology;
	const char *roles[CLI_MAX_ROLES];
	size_t nroles;
	const char *table;
	enum fwgen_format format;
	const char *format_arg; /* --format as given */
	int confirm_seconds;	/* 0: no confirm */
	bool wait;		/* --wait: confirm in this process */
	bool status;		/* confirm --status */
	bool boot;		/* apply --boot: the last confirmed inventory */
	bool strict;
	unsigned int mode_flag; /* FWGEN_RESOLVE_AUDIT/_ENFORCE, 0 the inventory's */
	bool json;
	bool force;
	bool quiet;
	const char *from;  /* --from ROLE|ADDRESS */
	const char *proto; /* --proto tcp|udp */
	long port;	   /* --port 0-65535; -1 when not given */
	bool outbound;
	bool explain; /* fleet --explain SRC DST PROTO/PORT */
	bool local;   /* fleet --local */
	bool help;    /* --help: usage printed, the command returns 0 */
	char **args;  /* positional arguments after the options */
	int nargs;
};

/* Everything a policy command holds; released by cli_session_release(). */
struct cli_session {
	struct fwgen_ctx *ctx;
	struct fwgen_catalog *cat;
	struct fwgen_inventory *inv;
	struct fwgen_policy *pol;
	char *inv_text; /* the inventory as read (-i FILE or -i -) */
	size_t inv_len;
};

/*
 * Parses argv (argv[0] is the command name) into o. Returns 0, or -EINVAL
 * for a bad option. For --help it prints usage and sets o->help: the
 * command then stops and returns 0.
 */
int cli_parse(int argc, char **argv, unsigned int allowed, const char *usage,
	      struct cli_opts *o);

/*
 * A new context configured from the environment (FWGEN_RUN_DIR,
 * FWGEN_LOCK_TIMEOUT, SSH_CONNECTION); prints the error and returns NULL.
 */
struct fwgen_ctx *cli_ctx_new(void);

/* Creates the context and loads the catalog. */
int cli_open(struct cli_session *s);

/*
 * Loads catalog and inventory and resolves the policy named by o (roles
 * required).
 */
int cli_load_policy(const struct cli_opts *o, struct cli_session *s);

void cli_session_release(struct cli_session *s);

/*
 * Reads an inventory file, or standard input for "-", into a new buffer
 * (*text, to free).
 */
int cli_read_inventory(const char *path, char **text, size_t *len);

/*
 * Print "fwgen: <message>" to stderr. cli_fail() returns the context's
 * errno (-EIO if it has none), cli_failf() -EINVAL.
 */
int cli_fail(const struct fwgen_ctx *ctx);
int cli_failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Commands (tools/cmd-*.c). argv[0] is the command's name. */
int cmd_print(int argc, char **argv);
int cmd_catalog(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_remove(int argc, char **argv);
int cmd_confirm(int argc, char **argv);
int cmd_set(int argc, char **argv);
int cmd_fleet(int argc, char **argv);

#endif
