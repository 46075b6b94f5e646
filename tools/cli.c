/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Option parsing shared by the fwgen commands, and the one path from
 * options to a resolved policy, so every command reads input the same way.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fwgen/kernel.h>

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
	OPT_EXPLAIN,
	OPT_LOCAL,
	OPT_WAIT,
	OPT_STATUS,
	OPT_BOOT,
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
	{ "explain", no_argument, NULL, OPT_EXPLAIN },
	{ "local", no_argument, NULL, OPT_LOCAL },
	{ "wait", no_argument, NULL, OPT_WAIT },
	{ "status", no_argument, NULL, OPT_STATUS },
	{ "boot", no_argument, NULL, OPT_BOOT },
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
	return -EINVAL;
}

/*
 * libfwgen's messages speak of its inputs, never of this program's options
 * and commands (libfwgen(3)); the hints that do are added here: where a
 * message holds `from`, it is replaced by `to` ("" appends `to`).
 */
static const struct cli_hint {
	int err;
	const char *has; /* the message this hint is for */
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
	{ -EPERM, "needs CAP_NET_ADMIN", "needs CAP_NET_ADMIN",
	  "needs CAP_NET_ADMIN (run it as root)" },
	{ -EIO, "needs CAP_NET_ADMIN", "needs CAP_NET_ADMIN",
	  "needs CAP_NET_ADMIN (run it as root)" },
	{ -EOPNOTSUPP, "which fwgen cannot put back: ",
	  "without a confirmation window", "without --confirm" },
	{ -EOPNOTSUPP, "audit mode needs nftables: ",
	  "render it as nft or JSON, or in enforce mode",
	  "use --format nft or json, or --enforce" },
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
	/* Every failed library call sets it; a CLI bug must not exit 0. */
	int ret = err < 0 ? err : -EIO;
	char extra[128];
	size_t i;

	for (i = 0; i < sizeof(cli_hints) / sizeof(cli_hints[0]); i++) {
		const struct cli_hint *h = &cli_hints[i];
		const char *at;

		if (h->err != err || !strstr(msg, h->has))
			continue;
		if (!*h->from) {
			cli_failf("%s%s", msg, h->to);
			return ret;
		}
		at = strstr(msg, h->from);
		if (at) {
			cli_failf("%.*s%s%s", (int)(at - msg), msg, h->to,
				  at + strlen(h->from));
			return ret;
		}
	}
	topology_hint(msg, extra, sizeof(extra));
	cli_failf("%s%s", msg, extra);
	return ret;
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
	case OPT_WAIT:
	case OPT_BOOT:
		return CLI_OPT_CONFIRM;
	case OPT_STATUS:
		return CLI_OPT_STATUS;
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
	case OPT_EXPLAIN:
	case OPT_LOCAL:
		return CLI_OPT_FLEET;
	}
	return 0;
}

int cli_parse(int argc, char **argv, unsigned int allowed, const char *usage,
	      struct cli_opts *o)
{
	unsigned int mode;
	int c;

	memset(o, 0, sizeof(*o));
	o->port = -1;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:t:r:f:qh", long_opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			o->help = true;
			return 0;
		}
		if (c == '?')
			return cli_failf("%s: unknown option '%s' (see 'fwgen %s --help')",
					 argv[0], argv[optind - 1], argv[0]);
		if (c == ':')
			return cli_failf("%s: option '%s' needs a value", argv[0],
					 argv[optind - 1]);
		if (!(opt_bit(c) & allowed))
			return cli_failf("%s: option '%s' does not apply to this command (see 'fwgen %s --help')",
					 argv[0], argv[optind - 1 - (optarg ? 1 : 0)],
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
			mode = c == OPT_AUDIT ? FWGEN_RESOLVE_AUDIT :
						FWGEN_RESOLVE_ENFORCE;
			if (o->mode_flag && o->mode_flag != mode)
				return cli_failf("--audit and --enforce exclude each other");
			o->mode_flag = mode;
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
		case OPT_WAIT:
			o->wait = true;
			break;
		case OPT_EXPLAIN:
			o->explain = true;
			break;
		case OPT_LOCAL:
			o->local = true;
			break;
		case OPT_STATUS:
			o->status = true;
			break;
		case OPT_BOOT:
			o->boot = true;
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
	return 0;
}

struct fwgen_ctx *cli_ctx_new(void)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	const char *v;

	if (!ctx) {
		cli_failf("out of memory");
		return NULL;
	}
	/* The library reads no environment: the CLI maps it. */
	v = getenv("FWGEN_RUN_DIR");
	if (v && *v && fwgen_ctx_set_run_dir(ctx, v) < 0)
		goto bad;
	v = getenv("FWGEN_LOCK_TIMEOUT");
	if (v && *v) {
		char *end;
		long t;

		errno = 0;
		t = strtol(v, &end, 10);
		if (end == v || *end || errno || t < 0 || t > 86400) {
			cli_failf("FWGEN_LOCK_TIMEOUT must be seconds from 0 to 86400, not '%s'",
				  v);
			fwgen_ctx_free(ctx);
			return NULL;
		}
		if (fwgen_ctx_set_lock_timeout(ctx, (unsigned int)t) < 0)
			goto bad;
	}
	v = getenv("SSH_CONNECTION");
	if (v && fwgen_ctx_set_ssh_connection(ctx, v) < 0)
		goto bad;
	return ctx;
bad:
	cli_failf("%s%s", getenv("FWGEN_RUN_DIR") ? "FWGEN_RUN_DIR: " : "",
		  fwgen_ctx_error(ctx));
	fwgen_ctx_free(ctx);
	return NULL;
}

int cli_open(struct cli_session *s)
{
	int ret;

	memset(s, 0, sizeof(*s));
	s->ctx = cli_ctx_new();
	if (!s->ctx)
		return -ENOMEM;
	ret = fwgen_catalog_load(s->ctx, &s->cat);
	if (ret < 0)
		return cli_fail(s->ctx);
	return 0;
}

/* Inventories are small: a bound against a wrong file, as the library's. */
#define INVENTORY_MAX (64u << 20)

int cli_read_inventory(const char *path, char **text, size_t *len)
{
	bool in = !strcmp(path, "-");
	size_t cap = 65536, got = 0;
	struct stat st;
	char *buf;
	int fd;

	*text = NULL;
	*len = 0;
	/* Non-blocking open: a FIFO for reading would wait for a writer. */
	fd = in ? STDIN_FILENO :
		  open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		int err = errno;

		cli_failf("%s: %s", path, strerror(err));
		return -err;
	}
	if (!in && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))) {
		close(fd);
		return cli_failf("%s: not a regular file", path);
	}
	buf = malloc(cap);
	while (buf) {
		ssize_t n;

		if (got == cap) {
			char *more = cap >= INVENTORY_MAX ? NULL :
							    realloc(buf, cap * 2);

			if (!more) {
				free(buf);
				buf = NULL;
				if (cap >= INVENTORY_MAX) {
					if (!in)
						close(fd);
					cli_failf("%s: larger than %u MiB",
						  in ? "<stdin>" : path,
						  INVENTORY_MAX >> 20);
					return -EFBIG;
				}
				break;
			}
			buf = more;
			cap *= 2;
		}
		n = read(fd, buf + got, cap - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = errno;

			free(buf);
			if (!in)
				close(fd);
			cli_failf("%s: %s", in ? "<stdin>" : path, strerror(err));
			return -err;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (!in)
		close(fd);
	if (!buf) {
		cli_failf("out of memory");
		return -ENOMEM;
	}
	*text = buf;
	*len = got;
	return 0;
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
	if (ret < 0)
		return ret;
	if (o->inventory) {
		const char *name = strcmp(o->inventory, "-") ? o->inventory :
							       "<stdin>";

		ret = cli_read_inventory(o->inventory, &s->inv_text, &s->inv_len);
		if (ret < 0)
			return ret;
		if (fwgen_inventory_parse(s->ctx, name, s->inv_text, s->inv_len,
					  &s->inv) < 0)
			return cli_fail(s->ctx);
	}
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
	return 0;
}

void cli_session_release(struct cli_session *s)
{
	fwgen_policy_free(s->pol);
	fwgen_inventory_free(s->inv);
	fwgen_catalog_free(s->cat);
	fwgen_ctx_free(s->ctx);
	free(s->inv_text);
	memset(s, 0, sizeof(*s));
}
