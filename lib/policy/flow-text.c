/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A flow's protocols, ports and conditions as one short line of text, shared
 * by the graph labels and the explain answers so both read the same.
 */
#include <string.h>

#include "flow-text.h"
#include "model.h"

const struct port_range *flow_param_ports(const struct fwgen_topology *t,
					  size_t param,
					  const struct fwgen_inventory *inv,
					  size_t *n)
{
	const struct param *p = &t->params[param];
	size_t i;

	for (i = 0; inv && i < inv->nparams; i++) {
		if (strcmp(inv->params[i].name, p->name) == 0) {
			*n = inv->params[i].nports;
			return inv->params[i].ports;
		}
	}
	*n = p->ndefaults;
	return p->defaults;
}

static void put_range(const struct port_range *r, FILE *out)
{
	if (r->lo == r->hi)
		fprintf(out, "%u", r->lo);
	else
		fprintf(out, "%u-%u", r->lo, r->hi);
}

void flow_text_ports(const struct fwgen_topology *t, const struct flow *f,
		     const struct fwgen_inventory *inv, FILE *out)
{
	size_t i, j, n;

	fputs(f->protos == (PROTO_TCP | PROTO_UDP) ? "tcp+udp" :
	      f->protos & PROTO_UDP		   ? "udp" :
						     "tcp",
	      out);
	if (f->nports == 0) {
		fputs(", no port", out);
		return;
	}
	for (i = 0; i < f->nports; i++) {
		const struct port_item *it = &f->ports[i];
		const struct port_range *v;

		fputs(i ? ", " : "/", out);
		if (!it->is_param) {
			put_range(&it->range, out);
			continue;
		}
		v = flow_param_ports(t, it->param, inv, &n);
		for (j = 0; j < n; j++) {
			if (j)
				fputc(',', out);
			put_range(&v[j], out);
		}
		fprintf(out, " ($%s)", t->params[it->param].name);
	}
	if (f->redirect)
		fprintf(out, " redirect to %u", f->redirect);
}

void flow_text_when(const struct fwgen_topology *t, const struct flow *f,
		    FILE *out)
{
	size_t i;

	for (i = 0; i < f->nwhen; i++)
		fprintf(out, "%s%s%s", i ? " and " : "",
			f->when[i].negate ? "not " : "",
			t->options[f->when[i].option].name);
}
