/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Option parsing shared by the fwgen commands, and the one path from
 * options to a resolved policy, so every command reads input the same way.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum {
	OPT_STRICT = 0x100,
	OPT_TABLE,
	OPT_CONFIRM,
	OPT_FORCE,
	OPT_FROM,
	OPT_PORT,
	OPT_PROTO,
	OPT_OUTBOUND,
	OPT_AUDIT,
	OPT_ENFORCE,
	OPT_JSON,
};

static const struct option long_opts[] = {
	{ "inventory", required_argument, NULL, 'i' },
	{ "topology", required_argument, NULL, 't' },
	{ "role", required_argument, NULL, 'r' },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "table", required_argument, NULL, OPT_TABLE },
	{ "format", required_argument, NULL, 'f' },
	{ "confirm", required_argument, NULL, OPT_CONFIRM },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "quiet", no_argument, NULL, 'q' },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "port", required_argument, NULL, OPT_PORT },
	{ "proto", required_argument, NULL, OPT_PROTO },
	{ "outbound", no_argument, NULL, OPT_OUTBOUND },
	{ "audit", no_argument, NULL, OPT_AUDIT },
	{ "enforce", no_argument, NULL, OPT_ENFORCE },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int cli_failf(const char *fmt, ...)
{
	va_list ap;

	fputs("fwgen: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_ERROR;
}

/*
 * libfwgen's messages speak of its inputs, never of this program's options
 * and commands (libfwgen(3)); the hints that do are added here: where a
 * message holds `from`, it is replaced by `to` ("" appends `to`).
 */
static const struct cli_hint {
	int err;
	const char *has;	/* the message this hint is for */
	const char *from;
	const char *to;
} cli_hints[] = {
	{ -ENOENT, "unknown topology '", "", " (see 'fwgen catalog list')" },
	{ -EINVAL, "no topology: ", "none given, and the inventory names none",
	  "give --topology or set 'topology' in the inventory" },
	{ -EINVAL, "no host role given", "no host role given",
	  "no host role given (--role)" },
	{ -EINVAL, " is not bound in the inventory, and the resolve is strict:",
	  ", and the resolve is strict:", " (--strict):" },
	{ -ENOENT, "none of this host's addresses is bound to a host role", "",
	  " (--role auto)" },
	{ -EACCES, "refusing to apply: ", "or force the apply",
	  "or apply with --force" },
	{ -ENOENT, " does not exist: apply a policy first", "apply a policy first",
	  "run `fwgen apply` first" },
	{ -ENOENT, " is not there: nothing to report", "",
	  " (apply a ruleset first, or name the table with --table)" },
	{ -ENOENT, "' is not in set ", "; nothing was deleted",
	  " (see `fwgen set list`); nothing was deleted" },
};

/* "unknown role 'x' in topology 'T'": where `fwgen catalog show T` helps. */
static void topology_hint(const char *msg, char *buf, size_t len)
{
	const char *t = strstr(msg, "' in topology '");
	size_t n;

	buf[0] = '\0';
	if (!t || !strstr(msg, "unknown "))
		return;
	t += strlen("' in topology '");
	n = strcspn(t, "'");
	if (t[n] == '\'' && t[n + 1] == '\0')
		snprintf(buf, len, " (see 'fwgen catalog show %.*s')", (int)n, t);
}

int cli_fail(const struct fwgen_ctx *ctx)
{
	const char *msg = fwgen_ctx_error(ctx);
	int err = fwgen_ctx_errno(ctx);
	char extra[128];
	size_t i;

	for (i = 0; i < sizeof(cli_hints) / sizeof(cli_hints[0]); i++) {
		const struct cli_hint *h = &cli_hints[i];
		const char *at;

		if (h->err != err || !strstr(msg, h->has))
			continue;
		if (!*h->from)
			return cli_failf("%s%s", msg, h->to);
		at = strstr(msg, h->from);
		if (at)
			return cli_failf("%.*s%s%s", (int)(at - msg), msg, h->to,
					 at + strlen(h->from));
	}
	topology_hint(msg, extra, sizeof(extra));
	return cli_failf("%s%s", msg, extra);
}

static int parse_format(const char *s, enum fwgen_format *out)
{
	static const struct {
		const char *name;
		enum fwgen_format format;
	} formats[] = {
		{ "nft", FWGEN_FORMAT_NFT },
		{ "json", FWGEN_FORMAT_JSON },
		{ "iptables", FWGEN_FORMAT_IPTABLES },
		{ "ip6tables", FWGEN_FORMAT_IP6TABLES },
		{ "ipset", FWGEN_FORMAT_IPSET },
	};
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (strcmp(s, formats[i].name) == 0) {
			*out = formats[i].format;
			return 0;
		}
	}
	return -EINVAL;
}

static int parse_seconds(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end || errno || v < 1 || v > 3600)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

static int parse_port(const char *s, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end || errno || v < 0 || v > 65535)
		return -EINVAL;
	*out = v;
	return 0;
}

static unsigned int opt_bit(int c)
{
	switch (c) {
	case 'i':
	case 't':
	case 'r':
	case OPT_STRICT:
		return CLI_OPT_POLICY;
	case OPT_TABLE:
		return CLI_OPT_POLICY | CLI_OPT_TABLE;
	case 'f':
		return CLI_OPT_FORMAT;
	case OPT_CONFIRM:
		return CLI_OPT_CONFIRM;
	case OPT_FORCE:
		return CLI_OPT_FORCE;
	case 'q':
		return CLI_OPT_QUIET;
	case OPT_FROM:
	case OPT_PORT:
	case OPT_PROTO:
	case OPT_OUTBOUND:
		return CLI_OPT_EXPLAIN;
	case OPT_AUDIT:
	case OPT_ENFORCE:
		return CLI_OPT_MODE;
	case OPT_JSON:
		return CLI_OPT_JSON;
	}
	return 0;
}

int cli_parse(int argc, char **argv, unsigned int allowed, const char *usage,
	      struct cli_opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->port = -1;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:t:r:f:qh", long_opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			return EXIT_OK;
		}
		if (c == '?')
			return cli_failf("%s: unknown option '%s' (see 'fwgen %s --help')",
					 argv[0], argv[optind - 1], argv[0]);
		if (c == ':')
			return cli_failf("%s: option '%s' needs a value", argv[0],
					 argv[optind - 1]);
		if (!(opt_bit(c) & allowed))
			return cli_failf("%s: option '%s' does not apply to this command (see 'fwgen %s --help')",
					 argv[0], argv[optind - 1 - (optarg ? 1 : 0)] ,
					 argv[0]);
		switch (c) {
		case 'i':
			o->inventory = optarg;
			break;
		case 't':
			o->topology = optarg;
			break;
		case 'r':
			if (o->nroles == CLI_MAX_ROLES)
				return cli_failf("too many --role options (at most %d)",
						 CLI_MAX_ROLES);
			o->roles[o->nroles++] = optarg;
			break;
		case OPT_STRICT:
			o->strict = true;
			break;
		case OPT_AUDIT:
		case OPT_ENFORCE:
			if (o->mode_flag && o->mode_flag != (c == OPT_AUDIT ?
					FWGEN_RESOLVE_AUDIT : FWGEN_RESOLVE_ENFORCE))
				return cli_failf("--audit and --enforce exclude each other");
			o->mode_flag = c == OPT_AUDIT ? FWGEN_RESOLVE_AUDIT :
							FWGEN_RESOLVE_ENFORCE;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_TABLE:
			o->table = optarg;
			break;
		case 'f':
			o->format_arg = optarg;
			/* status has formats of its own (cmd-status.c). */
			if (allowed & CLI_OPT_STATUS_FORMAT)
				break;
			if (parse_format(optarg, &o->format) < 0)
				return cli_failf("unknown format '%s' (nft, json, iptables, ip6tables, ipset)",
						 optarg);
			break;
		case OPT_CONFIRM:
			if (parse_seconds(optarg, &o->confirm_seconds) < 0)
				return cli_failf("--confirm takes seconds from 1 to 3600, not '%s'",
						 optarg);
			break;
		case OPT_FORCE:
			o->force = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case OPT_FROM:
			o->from = optarg;
			break;
		case OPT_PORT:
			if (parse_port(optarg, &o->port) < 0)
				return cli_failf("--port takes a port from 0 to 65535, not '%s'",
						 optarg);
			break;
		case OPT_PROTO:
			if (strcmp(optarg, "tcp") && strcmp(optarg, "udp"))
				return cli_failf("--proto takes tcp or udp, not '%s'", optarg);
			o->proto = optarg;
			break;
		case OPT_OUTBOUND:
			o->outbound = true;
			break;
		}
	}
	o->args = argv + optind;
	o->nargs = argc - optind;
	return -1;
}

int cli_open(struct cli_session *s)
{
	int ret;

	memset(s, 0, sizeof(*s));
	s->ctx = fwgen_ctx_new();
	if (!s->ctx)
		return cli_failf("out of memory");
	ret = fwgen_catalog_load(s->ctx, &s->cat);
	if (ret < 0)
		return cli_fail(s->ctx);
	return -1;
}

int cli_load_policy(const struct cli_opts *o, struct cli_session *s)
{
	unsigned int flags = (o->strict ? FWGEN_RESOLVE_STRICT : 0) | o->mode_flag;
	int ret;

	/* Callers release the session whatever happens: it must be valid. */
	memset(s, 0, sizeof(*s));
	if (o->nargs > 0)
		return cli_failf("unexpected argument '%s'", o->args[0]);
	if (o->nroles == 0)
		return cli_failf("no host role given: use --role ROLE (see 'fwgen catalog show TOPOLOGY')");
	ret = cli_open(s);
	if (ret >= 0)
		return ret;
	if (o->inventory && fwgen_inventory_load(s->ctx, o->inventory, &s->inv) < 0)
		return cli_fail(s->ctx);
	if (o->table) {
		if (!s->inv && !(s->inv = fwgen_inventory_new()))
			return cli_failf("out of memory");
		if (fwgen_inventory_set_table(s->ctx, s->inv, o->table) < 0)
			return cli_fail(s->ctx);
	}
	if (o->nroles == 1 && strcmp(o->roles[0], "auto") == 0) {
		const char **roles;
		size_t n;

		if (!s->inv)
			return cli_failf("--role auto needs an inventory that lists the host roles' addresses");
		if (fwgen_inventory_local_roles(s->ctx, s->cat, s->inv, o->topology,
						&roles, &n) < 0)
			return cli_fail(s->ctx);
		ret = fwgen_policy_resolve(s->ctx, s->cat, s->inv, o->topology,
					   roles, n, flags, &s->pol);
		free(roles);
	} else {
		ret = fwgen_policy_resolve(s->ctx, s->cat, s->inv, o->topology,
					   o->roles, o->nroles, flags, &s->pol);
	}
	if (ret < 0)
		return cli_fail(s->ctx);
	return -1;
}

void cli_session_release(struct cli_session *s)
{
	fwgen_policy_free(s->pol);
	fwgen_inventory_free(s->inv);
	fwgen_catalog_free(s->cat);
	fwgen_ctx_free(s->ctx);
	memset(s, 0, sizeof(*s));
}
