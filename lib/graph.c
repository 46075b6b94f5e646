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
	char **lines;		/* label lines, distinct, in catalog order */
	size_t nlines;
	size_t caplines;
	char **tips;		/* "flow-id: description", one per flow */
	size_t ntips;
	size_t captips;
};

struct graph {
	struct edge *edges;
	size_t nedges;
	size_t capedges;
};

static void graph_release(struct graph *g)
{
	size_t i;

	for (i = 0; i < g->nedges; i++) {
		strv_free(g->edges[i].lines, g->edges[i].nlines);
		strv_free(g->edges[i].tips, g->edges[i].ntips);
	}
	free(g->edges);
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

static int collect_edges(const struct fwgen_topology *t, struct graph *g)
{
	size_t fi, i, j;

	for (fi = 0; fi < t->nflows; fi++) {
		const struct flow *f = &t->flows[fi];
		char *line = flow_line(t, f);
		char *tip = strdupf("%s: %s", f->id, f->description);
		int ret = line && tip ? 0 : -ENOMEM;

		for (i = 0; i < f->nfrom && ret == 0; i++) {
			for (j = 0; j < f->nto && ret == 0; j++) {
				struct edge *e = edge_get(g, f->from[i], f->to[j],
							  f->nwhen > 0);

				if (!e ||
				    strv_add_unique(&e->lines, &e->nlines, &e->caplines, line) < 0 ||
				    strv_add_unique(&e->tips, &e->ntips, &e->captips, tip) < 0)
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

/* Label lines end in \l: left-aligned, so port lists line up. */
static void put_edge(const struct fwgen_topology *t, const struct edge *e,
		     FILE *out)
{
	size_t i;

	fputc('\t', out);
	put_id(t->roles[e->from].name, out);
	fputs(" -> ", out);
	put_id(t->roles[e->to].name, out);
	fputs(" [", out);
	if (e->conditional)
		fputs("style=dashed, color=\"#8c8c8c\", fontcolor=\"#666666\", ", out);
	fputs("label=\"", out);
	for (i = 0; i < e->nlines; i++) {
		put_esc(e->lines[i], out);
		fputs("\\l", out);
	}
	fputs("\", tooltip=\"", out);
	for (i = 0; i < e->ntips; i++) {
		if (i)
			fputs("\\n", out);
		put_esc(e->tips[i], out);
	}
	fputs("\"];\n", out);
}

static void put_graph(const struct fwgen_topology *t, const struct graph *g,
		      FILE *out)
{
	size_t i, j;

	fputs("// fwgen catalog graph: render with  dot -Tsvg -o FILE.svg\n"
	      "digraph ", out);
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
	      "\t\tstyle=\"rounded,filled\"; color=\"#6c8ebf\"; fillcolor=\"#f3f7fd\";\n", out);
	for (i = 0; i < t->nroles; i++) {
		if (t->roles[i].host)
			put_node(&t->roles[i], out);
	}
	fputs("\t}\n\n", out);
	/* Peer roles no flow names (such as the implied admin) stay out. */
	for (i = 0; i < t->nroles; i++) {
		bool used = false;

		for (j = 0; j < g->nedges && !used; j++)
			used = g->edges[j].from == i || g->edges[j].to == i;
		if (!t->roles[i].host && used)
			put_node(&t->roles[i], out);
	}
	if (g->nedges)
		fputc('\n', out);
	for (i = 0; i < g->nedges; i++)
		put_edge(t, &g->edges[i], out);
	fputs("}\n", out);
}

FWGEN_EXPORT int fwgen_topology_graph(struct fwgen_ctx *ctx,
				      const struct fwgen_topology *t,
				      FILE *out)
{
	struct graph g = { 0 };
	int ret;

	ret = collect_edges(t, &g);
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
