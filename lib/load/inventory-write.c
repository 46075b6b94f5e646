/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An inventory written back as YAML (fwgen-inventory(5)), in a form the
 * loader reads to an equal inventory: names and addresses quoted, ranges
 * of addresses as the prefixes that cover them.
 */
#include <errno.h>
#include <stdio.h>

#include "addr.h"
#include "ctx.h"
#include "model.h"

/*
 * A double-quoted YAML scalar. Names and addresses are plain ASCII by the
 * time they are in an inventory; escape what YAML would read otherwise.
 */
static void put_quoted(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(out, "\\%c", *s);
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			fprintf(out, "\\x%02x", (unsigned char)*s);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

static void put_range(FILE *out, const struct port_range *r)
{
	if (r->lo == r->hi)
		fprintf(out, "%u", r->lo);
	else
		fprintf(out, "\"%u-%u\"", r->lo, r->hi);
}

static void put_params(FILE *out, const struct fwgen_inventory *inv)
{
	size_t i, j;

	if (!inv->nparams)
		return;
	fputs("params:\n", out);
	for (i = 0; i < inv->nparams; i++) {
		const struct inv_param *p = &inv->params[i];

		fputs("  ", out);
		put_quoted(out, p->name);
		fputs(": ", out);
		if (p->nports == 1) {
			put_range(out, &p->ports[0]);
		} else {
			fputc('[', out);
			for (j = 0; j < p->nports; j++) {
				if (j)
					fputs(", ", out);
				put_range(out, &p->ports[j]);
			}
			fputc(']', out);
		}
		fputc('\n', out);
	}
}

static void put_options(FILE *out, const struct fwgen_inventory *inv)
{
	size_t i;

	if (!inv->noptions)
		return;
	fputs("options:\n", out);
	for (i = 0; i < inv->noptions; i++) {
		fputs("  ", out);
		put_quoted(out, inv->options[i].name);
		fprintf(out, ": %s\n", inv->options[i].value ? "true" : "false");
	}
}

static void put_roles(FILE *out, const struct fwgen_inventory *inv)
{
	char buf[ADDR_INTERVAL_STRLEN];
	size_t i, n, j;

	if (!inv->nroles)
		return;
	fputs("roles:\n", out);
	for (i = 0; i < inv->nroles; i++) {
		fputs("  ", out);
		put_quoted(out, inv->roles[i].name);
		if (fwgen_inventory_role_is_any(inv, i)) {
			fputs(": any\n", out);
			continue;
		}
		fputs(": [", out);
		n = fwgen_inventory_address_count(inv, i);
		for (j = 0; j < n; j++) {
			if (fwgen_inventory_address_at(inv, i, j, buf,
						       sizeof(buf)) < 0)
				continue;
			fputs(j ? ", " : "", out);
			put_quoted(out, buf);
		}
		fputs("]\n", out);
	}
}

FWGEN_EXPORT int fwgen_inventory_write(struct fwgen_ctx *ctx,
				       const struct fwgen_inventory *inv,
				       FILE *out)
{
	ARG_CTX(ctx);
	ARG_CHECK(ctx, inv);
	ARG_CHECK(ctx, out);

	if (inv->topology) {
		fputs("topology: ", out);
		put_quoted(out, inv->topology);
		fputc('\n', out);
	}
	if (inv->table) {
		fputs("table: ", out);
		put_quoted(out, inv->table);
		fputc('\n', out);
	}
	if (inv->egress != FWGEN_EGRESS_OPEN)
		fputs("egress: filtered\n", out);
	if (!inv->admin_ssh)
		fputs("admin_ssh: false\n", out);
	put_params(out, inv);
	put_options(out, inv);
	put_roles(out, inv);
	if (fflush(out) != 0 || ferror(out))
		return ctx_err(ctx, -EIO, "cannot write the inventory: %m");
	return 0;
}
