/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `fwgen fleet`: an inventory as the hosts it describes (address, roles,
 * ruleset digest), one host's own entry (--local, for configuration
 * management), or whether a connection between two of them passes both
 * ends (--explain).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fwgen/fleet.h>

#include "cli.h"

static const char usage[] =
	"Usage: fwgen fleet -i INVENTORY [--topology T] [--strict] [--audit|--enforce] [--json]\n"
	"       fwgen fleet -i INVENTORY [--topology T] [--strict] [--audit|--enforce]\n"
	"                   --explain SRC DST PROTO/PORT\n"
	"       fwgen fleet -i INVENTORY [--topology T] [--strict] [--audit|--enforce] [--json]\n"
	"                   --local [--role R...] [--table NAME]\n"
	"\n"
	"Lists every address (or prefix) the inventory binds to a host role, with\n"
	"the roles a host there finds with --role auto and the SHA-256 digest of\n"
	"the ruleset it gets (the digest of what `fwgen print` writes for it).\n"
	"\n"
	"  -i, --inventory FILE  the site inventory (YAML)\n"
	"  -t, --topology T      the topology (overrides the inventory's)\n"
	"      --strict          a peer role not bound in the inventory is an error\n"
	"      --audit, --enforce  every host's ruleset in that mode, whatever the\n"
	"                        inventory's 'mode' says (as for print and apply)\n"
	"      --json            {\"topology\", \"hosts\": [{\"address\", \"roles\", \"digest\"}]}\n"
	"      --explain         does a new connection from the address SRC to the\n"
	"                        address DST on PROTO/PORT (tcp/5672) pass both ends:\n"
	"                        SRC's egress and DST's ingress, with the flows that\n"
	"                        admit it or the near misses; an address bound to no\n"
	"                        host role runs no fwgen ruleset and is not asked\n"
	"      --local           this host only: the roles --role auto finds (or the\n"
	"                        --role options) and its digest; --json gives\n"
	"                        {\"topology\", \"roles\", \"digest\"}\n"
	"  -r, --role R          with --local: a host role of this host\n"
	"      --table NAME      with --local: the inet table fwgen owns (default fwgen)\n"
	"  -h, --help            this text\n"
	"\n"
	"Exit status: 0 success (--explain: passes), 1 --explain: refused, 2 error.\n";

static int parse(int argc, char **argv, struct cli_opts *o)
{
	unsigned int opts = CLI_OPT_POLICY | CLI_OPT_MODE | CLI_OPT_JSON |
			    CLI_OPT_FLEET;
	int ret = cli_parse(argc, argv, opts, usage, o);

	if (ret < 0 || o->help)
		return ret;
	if (!o->inventory)
		return cli_failf("fleet: give the inventory with -i INVENTORY");
	if (o->explain && o->local)
		return cli_failf("fleet: --explain and --local do not go together");
	if (o->explain && o->json)
		return cli_failf("fleet: --explain writes text; --json is for the host list");
	if ((o->nroles || o->table) && !o->local)
		return cli_failf("fleet: --role and --table go with --local");
	if (o->explain && o->nargs != 3)
		return cli_failf("fleet: --explain takes SRC DST PROTO/PORT, e.g. 198.18.1.10 198.18.2.10 tcp/5672");
	if (!o->explain && o->nargs > 0)
		return cli_failf("fleet: unexpected argument '%s'", o->args[0]);
	return 0;
}

static void print_roles_json(size_t n, const char *(*role)(const void *, size_t),
			     const void *data)
{
	size_t j;

	putchar('[');
	for (j = 0; j < n; j++)
		printf("%s\"%s\"", j ? ", " : "", role(data, j));
	putchar(']');
}

struct host_ref {
	const struct fwgen_fleet *f;
	size_t i;
};

static const char *host_role(const void *data, size_t j)
{
	const struct host_ref *h = data;

	return fwgen_fleet_host_role(h->f, h->i, j);
}

static const char *str_role(const void *data, size_t j)
{
	return ((const char *const *)data)[j];
}

/*
 * Role names, addresses and digests are checked by the library to hold
 * only letters, digits and "-_.:/": nothing in them needs JSON escaping.
 */
static void list_hosts(const struct fwgen_fleet *f, bool json)
{
	size_t i, j, n = fwgen_fleet_host_count(f);

	if (json)
		printf("{\"topology\": \"%s\", \"hosts\": [", fwgen_fleet_topology(f));
	for (i = 0; i < n; i++) {
		struct host_ref h = { f, i };
		size_t nr = fwgen_fleet_host_role_count(f, i);

		if (json) {
			printf("%s\n  {\"address\": \"%s\", \"roles\": ", i ? "," : "",
			       fwgen_fleet_host_address(f, i));
			print_roles_json(nr, host_role, &h);
			printf(", \"digest\": \"%s\"}", fwgen_fleet_host_digest(f, i));
			continue;
		}
		printf("%-24s ", fwgen_fleet_host_address(f, i));
		for (j = 0; j < nr; j++)
			printf("%s%s", j ? "," : "", fwgen_fleet_host_role(f, i, j));
		printf("  %s\n", fwgen_fleet_host_digest(f, i));
	}
	if (json)
		printf("\n]}\n");
}

static int fleet_explain(struct cli_session *s, struct fwgen_fleet *f,
			 char **args)
{
	struct fwgen_explain *eg = NULL, *in = NULL;
	bool pass;
	int ret;

	if (fwgen_fleet_explain(s->ctx, f, args[0], args[1], args[2], &eg, &in) < 0)
		return cli_fail(s->ctx);
	pass = (!eg || fwgen_explain_allowed(eg)) && (!in || fwgen_explain_allowed(in));
	printf("%s -> %s %s: %s\n\n", args[0], args[1], args[2],
	       pass ? "passes both ends" : "refused");
	ret = pass ? 0 : CLI_DIFFERENT;
	if (eg)
		printf("source %s, egress: %s\n", args[0],
		       fwgen_explain_allowed(eg) ? "allowed" : "refused");
	else
		printf("source %s: bound to no host role, runs no fwgen ruleset\n",
		       args[0]);
	if (eg && fwgen_explain_write(s->ctx, eg, stdout) < 0)
		ret = cli_fail(s->ctx);
	putchar('\n');
	if (in)
		printf("destination %s, ingress: %s\n", args[1],
		       fwgen_explain_allowed(in) ? "allowed" : "refused");
	else
		printf("destination %s: bound to no host role, runs no fwgen ruleset\n",
		       args[1]);
	if (in && ret >= 0 && fwgen_explain_write(s->ctx, in, stdout) < 0)
		ret = cli_fail(s->ctx);
	fwgen_explain_free(in);
	fwgen_explain_free(eg);
	return ret;
}

/* --local: this host's roles (found or given) and digest. */
static int fleet_local(struct cli_opts *o)
{
	char digest[FWGEN_DIGEST_STRLEN];
	const char **found = NULL;
	const char *const *roles;
	struct cli_session s;
	size_t n;
	int ret;

	if (o->nroles == 0)
		o->roles[o->nroles++] = "auto";
	ret = cli_load_policy(o, &s);
	if (ret < 0) {
		cli_session_release(&s);
		return ret;
	}
	roles = o->roles;
	n = o->nroles;
	if (n == 1 && !strcmp(roles[0], "auto")) {
		/* cli_load_policy() succeeded with the same call: no error. */
		if (fwgen_inventory_local_roles(s.ctx, s.cat, s.inv,
						o->topology, &found, &n) < 0) {
			ret = cli_fail(s.ctx);
			goto out;
		}
		roles = found;
	}
	if (fwgen_policy_digest(s.ctx, s.pol, digest, sizeof(digest)) < 0) {
		ret = cli_fail(s.ctx);
		goto out;
	}
	if (o->json) {
		printf("{\"topology\": \"%s\", \"roles\": ",
		       fwgen_inventory_topology(s.inv) && !o->topology ?
			       fwgen_inventory_topology(s.inv) :
			       o->topology);
		print_roles_json(n, str_role, roles);
		printf(", \"digest\": \"%s\"}\n", digest);
	} else {
		for (size_t j = 0; j < n; j++)
			printf("%s%s", j ? "," : "", roles[j]);
		printf("  %s\n", digest);
	}
out:
	free(found);
	cli_session_release(&s);
	return ret;
}

static unsigned int fleet_flags(const struct cli_opts *o)
{
	return (o->strict ? FWGEN_FLEET_STRICT : 0) |
	       (o->mode_flag == FWGEN_RESOLVE_AUDIT ? FWGEN_FLEET_AUDIT : 0) |
	       (o->mode_flag == FWGEN_RESOLVE_ENFORCE ? FWGEN_FLEET_ENFORCE : 0);
}

int cmd_fleet(int argc, char **argv)
{
	struct fwgen_fleet *f = NULL;
	struct cli_session s;
	struct cli_opts o;
	int ret;

	ret = parse(argc, argv, &o);
	if (ret < 0 || o.help)
		return ret;
	if (o.local)
		return fleet_local(&o);
	ret = cli_open(&s);
	if (ret < 0)
		goto out;
	if (fwgen_inventory_load(s.ctx, o.inventory, &s.inv) < 0 ||
	    fwgen_fleet_new(s.ctx, s.cat, s.inv, o.topology,
			    fleet_flags(&o), &f) < 0) {
		ret = cli_fail(s.ctx);
		goto out;
	}
	if (o.explain) {
		ret = fleet_explain(&s, f, o.args);
	} else {
		list_hosts(f, o.json);
		ret = 0;
	}
	if (fflush(stdout) != 0)
		ret = cli_failf("writing to standard output failed");
out:
	fwgen_fleet_free(f);
	cli_session_release(&s);
	return ret;
}
