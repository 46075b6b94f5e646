/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A topology as a readable table: roles, flows with ports and sources,
 * params and options, for `fwgen catalog show`.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctx.h"
#include "model.h"

static void print_roles(const struct fwgen_topology *t, bool host, FILE *out)
{
	size_t i;

	fprintf(out, "%s roles:\n", host ? "Host" : "Peer");
	for (i = 0; i < t->nroles; i++) {
		if (t->roles[i].host != host)
			continue;
		/* One line a role: completion reads the first word of each. */
		fprintf(out, "  %-27s %s", t->roles[i].name,
			t->roles[i].description ? t->roles[i].description : "");
		if (t->roles[i].no_inbound)
			fprintf(out, " (accepts no catalog flow: %s)",
				t->roles[i].no_inbound);
		fputc('\n', out);
	}
	fputc('\n', out);
}

static void print_role_list(const struct fwgen_topology *t, const size_t *v,
			    size_t n, FILE *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(out, "%s%s", i ? "," : "", t->roles[v[i]].name);
}

static void print_range(const struct port_range *r, FILE *out)
{
	if (r->lo == r->hi)
		fprintf(out, "%u", r->lo);
	else
		fprintf(out, "%u-%u", r->lo, r->hi);
}

static void print_flow(const struct fwgen_topology *t, const struct flow *f,
		       FILE *out)
{
	size_t i;

	fprintf(out, "  %s\n    ", f->id);
	print_role_list(t, f->from, f->nfrom, out);
	fputs(" -> ", out);
	print_role_list(t, f->to, f->nto, out);
	fprintf(out, "  %s%s%s ", f->protos & PROTO_TCP ? "tcp" : "",
		f->protos == (PROTO_TCP | PROTO_UDP) ? "+" : "",
		f->protos & PROTO_UDP ? "udp" : "");
	if (!f->nports)
		fputs("(no port)", out);
	for (i = 0; i < f->nports; i++) {
		if (i)
			fputc(',', out);
		if (f->ports[i].is_param)
			fprintf(out, "$%s", t->params[f->ports[i].param].name);
		else
			print_range(&f->ports[i].range, out);
	}
	if (f->redirect)
		fprintf(out, " -> redirect %u", f->redirect);
	if (f->helper)
		fprintf(out, " (ct helper %s)", f->helper);
	for (i = 0; i < f->nwhen; i++)
		fprintf(out, "%s%s%s", i ? " and " : "  when ",
			f->when[i].negate ? "!" : "",
			t->options[f->when[i].option].name);
	fprintf(out, "\n    %s\n    source:", f->description);
	for (i = 0; i < f->nsources; i++)
		fprintf(out, " %s", f->sources[i]);
	fputc('\n', out);
	if (f->note)
		fprintf(out, "    note: %s\n", f->note);
}

/*
 * An option with its default, the host roles that imply it, and every flow
 * (with its source rows) it turns on or off: what an operator weighs before
 * changing it.
 */
static void print_option(const struct fwgen_topology *t, size_t o, FILE *out)
{
	const struct option *opt = &t->options[o];
	size_t i, j, k;

	fprintf(out, "  %-27s %-5s  %s\n", opt->name,
		opt->default_value ? "true" : "false",
		opt->description ? opt->description : "");
	for (i = 0; i < opt->nimplied_by; i++)
		fprintf(out, "%s%s%s", i ? ", " : "    implied by host role: ",
			t->roles[opt->implied_by[i]].name,
			i + 1 == opt->nimplied_by ? "\n" : "");
	for (i = 0; i < t->nflows; i++) {
		const struct flow *f = &t->flows[i];

		for (j = 0; j < f->nwhen; j++) {
			if (f->when[j].option != o)
				continue;
			fprintf(out, "    %s %s:", f->when[j].negate ? "off:" : "on: ",
				f->id);
			for (k = 0; k < f->nsources; k++)
				fprintf(out, " %s", f->sources[k]);
			fputc('\n', out);
		}
	}
}

FWGEN_EXPORT int fwgen_topology_describe(struct fwgen_ctx *ctx,
					 const struct fwgen_topology *t,
					 FILE *out)
{
	const char *desc;
	size_t i, j;

	ARG_CTX(ctx);
	ARG_CHECK(ctx, t);
	ARG_CHECK(ctx, out);

	fprintf(out, "%s: %s\n%s\n(%s)\n\n", t->name, t->product, t->summary,
		t->file);
	print_roles(t, true, out);
	print_roles(t, false, out);
	fprintf(out, "Flows (%zu):\n", t->nflows);
	for (i = 0; i < t->nflows; i++)
		print_flow(t, &t->flows[i], out);
	if (t->nparams) {
		fputs("\nParams (set in the inventory under 'params'):\n", out);
		for (i = 0; i < t->nparams; i++) {
			fprintf(out, "  %-27s ", t->params[i].name);
			for (j = 0; j < t->params[i].ndefaults; j++) {
				if (j)
					fputc(',', out);
				print_range(&t->params[i].defaults[j], out);
			}
			desc = t->params[i].description;
			fprintf(out, "  %s\n", desc ? desc : "");
		}
	}
	if (t->noptions) {
		fputs("\nOptions (set in the inventory under 'options'):\n", out);
		for (i = 0; i < t->noptions; i++)
			print_option(t, i, out);
	}
	fputs("\nSources:\n", out);
	for (i = 0; i < t->ndocs; i++) {
		fprintf(out, "  %s: %s%s%s\n", t->docs[i].name, t->docs[i].file,
			t->docs[i].title ? ", " : "",
			t->docs[i].title ? t->docs[i].title : "");
		for (j = 0; j < t->docs[i].ntables; j++)
			fprintf(out, "    %s: %s\n", t->docs[i].tables[j].name,
				t->docs[i].tables[j].title);
	}
	if (ferror(out))
		return ctx_err(ctx, -EIO, "writing the description failed");
	return 0;
}
