/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A topology as a Graphviz DOT graph, like a vendor's connection diagram:
 * roles as nodes, flows as labelled edges, for `fwgen catalog graph`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "flow-text.h"
#include "model.h"
#include "util.h"

#define FONT "Helvetica,Arial,sans-serif"

/*
 * All flows from one role to another, drawn as one edge whose label has a
 * line per distinct port set: parallel edges would pile up unreadably.
 * Conditional flows get an edge of their own, dashed, so what always holds
 * stays apart from what an option switches on.
 */
struct edge {
	size_t from;
	size_t to;
	bool conditional;
	char **lines; /* label lines, distinct, in catalog order */
	size_t nlines;
	size_t caplines;
	char **tips; /* "flow-id: description", one per flow */
	size_t ntips;
	size_t captips;
	size_t fan;		   /* junction number, 0 for a plain edge */
	const struct flow **flows; /* the flows it draws, catalog order */
	size_t nflows;
	size_t capflows;
};

/*
 * An edge of more lines than this (Morpheus polls some fifty integrations
 * from the application tier) is summed up as its ports per protocol, so
 * one edge cannot swamp the picture; the tooltip still names every flow.
 */
#define LINES_MAX 8
#define WRAP 60

/*
 * Edges that carry the same label into one role from many roles (or out of
 * one role to many) meet at a junction point, and the label is written
 * once on the junction's own edge: "all components -> mysql tcp/3306" is
 * then one label, not one per component.
 */
#define FAN_MIN 3

struct fan {
	bool in;     /* many sources -> junction -> one target */
	size_t role; /* the one target (in) or source (out) */
	bool conditional;
	size_t first; /* index of its first edge */
	char **tips;  /* union of its edges' tooltips */
	size_t ntips;
	size_t captips;
};

struct graph {
	struct edge *edges;
	size_t nedges;
	size_t capedges;
	struct fan *fans; /* fans[k - 1] is junction k */
	size_t nfans;
	size_t capfans;
};

static void graph_release(struct graph *g)
{
	size_t i;

	for (i = 0; i < g->nedges; i++) {
		strv_free(g->edges[i].lines, g->edges[i].nlines);
		strv_free(g->edges[i].tips, g->edges[i].ntips);
		free(g->edges[i].flows);
	}
	free(g->edges);
	for (i = 0; i < g->nfans; i++)
		strv_free(g->fans[i].tips, g->fans[i].ntips);
	free(g->fans);
}

/* Adds a copy of s to a vector unless it holds it already. */
static int strv_add_unique(char ***v, size_t *n, size_t *cap, const char *s)
{
	size_t i;

	for (i = 0; i < *n; i++) {
		if (strcmp((*v)[i], s) == 0)
			return 0;
	}
	if (array_push(v, n, cap, sizeof(**v)) < 0)
		return -ENOMEM;
	(*v)[*n - 1] = strdup(s);
	if (!(*v)[*n - 1]) {
		(*n)--;
		return -ENOMEM;
	}
	return 0;
}

static struct edge *edge_get(struct graph *g, size_t from, size_t to,
			     bool conditional)
{
	struct edge *e;
	size_t i;

	for (i = 0; i < g->nedges; i++) {
		e = &g->edges[i];
		if (e->from == from && e->to == to && e->conditional == conditional)
			return e;
	}
	if (array_push(&g->edges, &g->nedges, &g->capedges, sizeof(*g->edges)) < 0)
		return NULL;
	e = &g->edges[g->nedges - 1];
	e->from = from;
	e->to = to;
	e->conditional = conditional;
	return e;
}

/* "tcp/80, 443 ($https_port)" and, when conditional, " if legacy". */
static char *flow_line(const struct fwgen_topology *t, const struct flow *f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		return NULL;
	flow_text_ports(t, f, NULL, m);
	if (f->nwhen) {
		fputs(" if ", m);
		flow_text_when(t, f, m);
	}
	if (fclose(m) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static int edge_add_flow(struct edge *e, const struct flow *f)
{
	if (array_push(&e->flows, &e->nflows, &e->capflows, sizeof(*e->flows)) < 0)
		return -ENOMEM;
	e->flows[e->nflows - 1] = f;
	return 0;
}

/*
 * Flows without a port of their own (the documents' N/A rows, explained
 * in their notes) carry no traffic, so they draw no edge.
 */
static int collect_edges(const struct fwgen_topology *t, struct graph *g)
{
	size_t fi, i, j;

	for (fi = 0; fi < t->nflows; fi++) {
		const struct flow *f = &t->flows[fi];
		char *line, *tip;
		int ret;

		if (f->nports == 0)
			continue;
		line = flow_line(t, f);
		tip = strdupf("%s: %s", f->id, f->description);
		ret = line && tip ? 0 : -ENOMEM;
		for (i = 0; i < f->nfrom && ret == 0; i++) {
			for (j = 0; j < f->nto && ret == 0; j++) {
				struct edge *e = edge_get(g, f->from[i], f->to[j],
							  f->nwhen > 0);

				if (!e ||
				    strv_add_unique(&e->lines, &e->nlines, &e->caplines, line) < 0 ||
				    strv_add_unique(&e->tips, &e->ntips, &e->captips, tip) < 0 ||
				    edge_add_flow(e, f) < 0)
					ret = -ENOMEM;
			}
		}
		free(line);
		free(tip);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int cmp_range(const void *a, const void *b)
{
	const struct port_range *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return x->hi < y->hi ? -1 : x->hi > y->hi;
}

/* The edge's ports of one protocol, params at their defaults, sorted and merged. */
static int edge_ports(const struct fwgen_topology *t, const struct edge *e,
		      unsigned int proto, struct port_range **out, size_t *n)
{
	size_t i, j, k, cap = 0, cnt, m = 0;

	*out = NULL;
	*n = 0;
	for (i = 0; i < e->nflows; i++) {
		const struct flow *f = e->flows[i];

		if (!(f->protos & proto))
			continue;
		for (j = 0; j < f->nports; j++) {
			const struct port_range *v = &f->ports[j].range;

			cnt = 1;
			if (f->ports[j].is_param)
				v = flow_param_ports(t, f->ports[j].param, NULL, &cnt);
			for (k = 0; k < cnt; k++) {
				if (array_push(out, n, &cap, sizeof(**out)) < 0)
					return -ENOMEM;
				(*out)[*n - 1] = v[k];
			}
		}
	}
	if (*n == 0)
		return 0;
	qsort(*out, *n, sizeof(**out), cmp_range);
	for (i = 1; i < *n; i++) {
		if ((*out)[i].lo <= (uint32_t)(*out)[m].hi + 1) {
			if ((*out)[i].hi > (*out)[m].hi)
				(*out)[m].hi = (*out)[i].hi;
		} else {
			(*out)[++m] = (*out)[i];
		}
	}
	*n = m + 1;
	return 0;
}

/* Appends buf (taking it; NULL means out of memory) to a vector. */
static int push_line(char ***v, size_t *n, size_t *cap, char *buf)
{
	if (!buf || array_push(v, n, cap, sizeof(**v)) < 0) {
		free(buf);
		return -ENOMEM;
	}
	(*v)[*n - 1] = buf;
	return 0;
}

/* "tcp/22, 80, 161, ..." wrapped at WRAP columns, then the count of flows. */
static int collapse(const struct fwgen_topology *t, struct edge *e)
{
	static const unsigned int protos[] = { PROTO_TCP, PROTO_UDP };
	char **lines = NULL, item[16], buf[WRAP + 32];
	size_t nlines = 0, cap = 0, p, i, n, len;
	struct port_range *v;
	int ret = 0;

	for (p = 0; p < ARRAY_SIZE(protos) && ret == 0; p++) {
		ret = edge_ports(t, e, protos[p], &v, &n);
		len = (size_t)snprintf(buf, sizeof(buf), "%s/",
				       protos[p] == PROTO_TCP ? "tcp" : "udp");
		for (i = 0; i < n && ret == 0; i++) {
			if (v[i].lo == v[i].hi)
				snprintf(item, sizeof(item), "%u", v[i].lo);
			else
				snprintf(item, sizeof(item), "%u-%u", v[i].lo, v[i].hi);
			if (len + strlen(item) + 2 > WRAP) {
				buf[len - 1] = '\0'; /* the trailing space */
				ret = push_line(&lines, &nlines, &cap, strdup(buf));
				len = (size_t)snprintf(buf, sizeof(buf), "    ");
			}
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", item,
						i + 1 < n ? ", " : "");
		}
		if (n && ret == 0)
			ret = push_line(&lines, &nlines, &cap, strdup(buf));
		free(v);
	}
	if (ret == 0)
		ret = push_line(&lines, &nlines, &cap,
				strdupf("(%zu flows: fwgen catalog show %s)", e->nflows, t->name));
	if (ret < 0) {
		strv_free(lines, nlines);
		return ret;
	}
	strv_free(e->lines, e->nlines);
	e->lines = lines;
	e->nlines = nlines;
	e->caplines = cap;
	return 0;
}

static int collapse_long_edges(const struct fwgen_topology *t, struct graph *g)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < g->nedges && ret == 0; i++) {
		if (g->edges[i].nlines > LINES_MAX)
			ret = collapse(t, &g->edges[i]);
	}
	return ret;
}

static bool same_lines(const struct edge *a, const struct edge *b)
{
	size_t i;

	if (a->nlines != b->nlines || a->conditional != b->conditional)
		return false;
	for (i = 0; i < a->nlines; i++) {
		if (strcmp(a->lines[i], b->lines[i]))
			return false;
	}
	return true;
}

/* The role edge e shares with its fan: its target (in) or source (out). */
static size_t fan_end(const struct edge *e, bool in)
{
	return in ? e->to : e->from;
}

/*
 * Groups edges into fans: first many-to-one, then one-to-many among the
 * edges left, each in the order of its first edge. Self-loops stay apart.
 */
static int make_fans(struct graph *g, bool in)
{
	size_t i, j, n;

	for (i = 0; i < g->nedges; i++) {
		struct edge *e = &g->edges[i];
		struct fan *f;

		if (e->fan || e->from == e->to)
			continue;
		for (j = i, n = 0; j < g->nedges; j++) {
			const struct edge *o = &g->edges[j];

			if (!o->fan && o->from != o->to &&
			    fan_end(o, in) == fan_end(e, in) && same_lines(e, o))
				n++;
		}
		if (n < FAN_MIN)
			continue;
		if (array_push(&g->fans, &g->nfans, &g->capfans, sizeof(*g->fans)) < 0)
			return -ENOMEM;
		f = &g->fans[g->nfans - 1];
		f->in = in;
		f->role = fan_end(e, in);
		f->conditional = e->conditional;
		f->first = i;
		for (j = i; j < g->nedges; j++) {
			struct edge *o = &g->edges[j];
			size_t k;

			if (o->fan || o->from == o->to ||
			    fan_end(o, in) != fan_end(e, in) || !same_lines(e, o))
				continue;
			o->fan = g->nfans;
			for (k = 0; k < o->ntips; k++) {
				if (strv_add_unique(&f->tips, &f->ntips, &f->captips,
						    o->tips[k]) < 0)
					return -ENOMEM;
			}
		}
	}
	return 0;
}

/*
 * Writes s for the inside of a DOT quoted string. A quote would end the
 * string and a backslash would start one of Graphviz's escapes (\N, \l, or a
 * line continuation before a newline), so both are escaped; a newline becomes
 * the label escape \n and other control characters a space, so every string
 * stays on one line whatever the catalog holds.
 */
static void put_esc(const char *s, FILE *out)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c < 0x20 || c == 0x7f)
			fputc(' ', out);
		else
			fputc(c, out);
	}
}

static void put_id(const char *s, FILE *out)
{
	fputc('"', out);
	put_esc(s, out);
	fputc('"', out);
}

static void put_node(const struct role *r, FILE *out)
{
	fputs("\t", out);
	if (r->host)
		fputs("\t", out);
	put_id(r->name, out);
	if (r->host)
		fputs(" [shape=box, style=\"rounded,filled\", fillcolor=\"#dae8fc\", color=\"#6c8ebf\"", out);
	else
		fputs(" [shape=ellipse, style=filled, fillcolor=\"#fff2cc\", color=\"#d6b656\"", out);
	if (r->description) {
		fputs(", tooltip=\"", out);
		put_esc(r->description, out);
		fputc('"', out);
	}
	fputs("];\n", out);
}

static void put_style(bool conditional, FILE *out)
{
	if (conditional)
		fputs("style=dashed, color=\"#8c8c8c\", fontcolor=\"#666666\", ", out);
}

/* Label lines end in \l: left-aligned, so port lists line up. */
static void put_label(const struct edge *e, FILE *out)
{
	size_t i;

	fputs("label=\"", out);
	for (i = 0; i < e->nlines; i++) {
		put_esc(e->lines[i], out);
		fputs("\\l", out);
	}
	fputc('"', out);
}

static void put_tips(char *const *tips, size_t n, FILE *out)
{
	size_t i;

	fputs("tooltip=\"", out);
	for (i = 0; i < n; i++) {
		if (i)
			fputs("\\n", out);
		put_esc(tips[i], out);
	}
	fputc('"', out);
}

/* A junction's id: '#' and a space, which no role name holds. */
static void put_junction_id(size_t fan, FILE *out)
{
	fprintf(out, "\"#fan %zu\"", fan);
}

static void put_edge(const struct fwgen_topology *t, const struct edge *e,
		     FILE *out)
{
	fputc('\t', out);
	put_id(t->roles[e->from].name, out);
	fputs(" -> ", out);
	put_id(t->roles[e->to].name, out);
	fputs(" [", out);
	put_style(e->conditional, out);
	put_label(e, out);
	fputs(", ", out);
	put_tips(e->tips, e->ntips, out);
	fputs("];\n", out);
}

/* A fan: an unlabelled edge per member to or from its junction, then the label. */
static void put_fan(const struct fwgen_topology *t, const struct graph *g,
		    size_t k, FILE *out)
{
	const struct fan *f = &g->fans[k - 1];
	const struct edge *first = &g->edges[f->first];
	size_t i;

	for (i = f->first; i < g->nedges; i++) {
		const struct edge *e = &g->edges[i];

		if (e->fan != k)
			continue;
		fputc('\t', out);
		if (f->in) {
			put_id(t->roles[e->from].name, out);
			fputs(" -> ", out);
			put_junction_id(k, out);
			fputs(" [arrowhead=none, ", out);
		} else {
			put_junction_id(k, out);
			fputs(" -> ", out);
			put_id(t->roles[e->to].name, out);
			fputs(" [", out);
		}
		put_style(f->conditional, out);
		put_tips(e->tips, e->ntips, out);
		fputs("];\n", out);
	}
	fputc('\t', out);
	if (f->in) {
		put_junction_id(k, out);
		fputs(" -> ", out);
		put_id(t->roles[f->role].name, out);
		fputs(" [", out);
	} else {
		put_id(t->roles[f->role].name, out);
		fputs(" -> ", out);
		put_junction_id(k, out);
		fputs(" [arrowhead=none, ", out);
	}
	put_style(f->conditional, out);
	put_label(first, out);
	fputs(", ", out);
	put_tips(f->tips, f->ntips, out);
	fputs("];\n", out);
}

/* Whether every role a fan joins is a host role: its junction then sits in the cluster. */
static bool fan_inside(const struct fwgen_topology *t, const struct graph *g,
		       size_t k)
{
	size_t i;

	for (i = 0; i < g->nedges; i++) {
		const struct edge *e = &g->edges[i];

		if (e->fan == k && (!t->roles[e->from].host || !t->roles[e->to].host))
			return false;
	}
	return true;
}

static void put_junctions(const struct fwgen_topology *t,
			  const struct graph *g, bool inside, FILE *out)
{
	size_t k;

	for (k = 1; k <= g->nfans; k++) {
		if (fan_inside(t, g, k) != inside)
			continue;
		fputs(inside ? "\t\t" : "\t", out);
		put_junction_id(k, out);
		fputs(" [shape=point, width=0.08, color=\"#4d4d4d\"];\n", out);
	}
}

static void put_graph(const struct fwgen_topology *t, const struct graph *g,
		      FILE *out)
{
	size_t i, j;

	fputs("// fwgen catalog graph: render with  dot -Tsvg -o FILE.svg\n"
	      "digraph ",
	      out);
	put_id(t->name, out);
	fputs(" {\n\tgraph [label=\"", out);
	put_esc(t->product, out);
	fputs(": ", out);
	put_esc(t->summary, out);
	fputs("\\ntopology ", out);
	put_esc(t->name, out);
	fputs("; dashed: only when an option is set\", labelloc=t, fontname=\"" FONT "\", fontsize=14,\n"
	      "\t       rankdir=LR, nodesep=0.35, ranksep=1.1];\n"
	      "\tnode [fontname=\"" FONT "\", fontsize=11, penwidth=1.2];\n"
	      "\tedge [fontname=\"" FONT "\", fontsize=9, color=\"#4d4d4d\", arrowsize=0.7];\n"
	      "\n\tsubgraph \"cluster_hosts\" {\n"
	      "\t\tlabel=\"host roles\";\n"
	      "\t\tstyle=\"rounded,filled\"; color=\"#6c8ebf\"; fillcolor=\"#f3f7fd\";\n",
	      out);
	for (i = 0; i < t->nroles; i++) {
		if (t->roles[i].host)
			put_node(&t->roles[i], out);
	}
	put_junctions(t, g, true, out);
	fputs("\t}\n\n", out);
	/* Peer roles no flow names (such as the implied admin) stay out. */
	for (i = 0; i < t->nroles; i++) {
		bool used = false;

		for (j = 0; j < g->nedges && !used; j++)
			used = g->edges[j].from == i || g->edges[j].to == i;
		if (!t->roles[i].host && used)
			put_node(&t->roles[i], out);
	}
	put_junctions(t, g, false, out);
	if (g->nedges)
		fputc('\n', out);
	for (i = 0; i < g->nedges; i++) {
		const struct edge *e = &g->edges[i];

		if (!e->fan)
			put_edge(t, e, out);
		else if (g->fans[e->fan - 1].first == i)
			put_fan(t, g, e->fan, out);
	}
	fputs("}\n", out);
}

FWGEN_EXPORT int fwgen_topology_graph(struct fwgen_ctx *ctx,
				      const struct fwgen_topology *t,
				      FILE *out)
{
	struct graph g = { 0 };
	int ret;

	ARG_CTX(ctx);
	ARG_CHECK(ctx, t);
	ARG_CHECK(ctx, out);

	ret = collect_edges(t, &g);
	if (ret == 0)
		ret = collapse_long_edges(t, &g);
	if (ret == 0)
		ret = make_fans(&g, true);
	if (ret == 0)
		ret = make_fans(&g, false);
	if (ret < 0) {
		graph_release(&g);
		return ctx_nomem(ctx);
	}
	put_graph(t, &g, out);
	graph_release(&g);
	if (ferror(out))
		return ctx_err(ctx, -EIO, "writing the graph of '%s' failed", t->name);
	return 0;
}
