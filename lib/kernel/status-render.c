/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fwgen status as text for people, as the JSON schema fwgen(8) fixes, and
 * as node_exporter textfile metrics.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include <netinet/in.h>

#include <fwgen/status.h>

#include "names.h"
#include "status-priv.h"

/*
 * A node_exporter textfile is read on every scrape: the largest refused
 * entries only, so 4 x 64Ki set elements do not become as many series.
 */
#define PROM_REFUSED_MAX 1000

/* The refused sets record TCP and UDP by name; anything else as a number. */
static const char *proto_name(uint8_t p)
{
	return p == IPPROTO_TCP || p == IPPROTO_UDP ? names_l4proto(p) : NULL;
}

/* A JSON string; names are validated at load, this keeps the syntax whole. */
static void json_str(const char *s, FILE *out)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

/* A Prometheus label value: backslash, quote and newline escaped. */
static void prom_str(const char *s, FILE *out)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(out, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", out);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

static void proto_json(uint8_t p, FILE *out)
{
	const char *n = proto_name(p);

	if (n)
		fprintf(out, "\"%s\"", n);
	else
		fprintf(out, "\"%u\"", p);
}

static void render_json(const struct fwgen_status *st, FILE *out)
{
	size_t i;

	fputs("{\n  \"version\": 1,\n  \"table\": ", out);
	json_str(st->table, out);
	fprintf(out, ",\n  \"mode\": \"%s\",\n  \"topology\": ",
		st->audit ? "audit" : "enforce");
	if (st->topology)
		json_str(st->topology, out);
	else
		fputs("null", out);
	fputs(",\n  \"roles\": [", out);
	for (i = 0; i < st->nroles; i++) {
		fputs(i ? ", " : "", out);
		json_str(st->roles[i], out);
	}
	fputs("],\n  \"flows\": [", out);
	for (i = 0; i < st->nflows; i++) {
		fputs(i ? ",\n    {\"id\": " : "\n    {\"id\": ", out);
		json_str(st->flows[i].id, out);
		fprintf(out, ", \"packets\": %" PRIu64 ", \"bytes\": %" PRIu64 "}",
			st->flows[i].packets, st->flows[i].bytes);
	}
	fputs(st->nflows ? "\n  ],\n  \"refused\": [" : "],\n  \"refused\": [", out);
	for (i = 0; i < st->nrefused; i++) {
		const struct status_refused *r = &st->refused[i];

		fprintf(out, "%s{\"family\": %d, \"direction\": \"%s\", \"address\": \"%s\", \"proto\": ",
			i ? ",\n    " : "\n    ", r->family, r->out ? "out" : "in",
			r->address);
		proto_json(r->proto, out);
		fprintf(out, ", \"port\": %u, \"packets\": %" PRIu64 "}", r->port,
			r->packets);
	}
	fputs(st->nrefused ? "\n  ]\n}\n" : "]\n}\n", out);
}

/* One counter family per flow; packets and bytes differ only in their
 * name and which of the two numbers they print. */
static void prom_flow_counter(const struct fwgen_status *st, const char *unit,
			      const char *Unit, bool bytes, FILE *out)
{
	size_t i;

	fprintf(out, "# HELP fwgen_flow_%s_total %s admitted by the rules of a catalog flow.\n"
		     "# TYPE fwgen_flow_%s_total counter\n",
		unit, Unit, unit);
	for (i = 0; i < st->nflows; i++) {
		fprintf(out, "fwgen_flow_%s_total{table=", unit);
		prom_str(st->table, out);
		fputs(",flow=", out);
		prom_str(st->flows[i].id, out);
		fprintf(out, "} %" PRIu64 "\n",
			bytes ? st->flows[i].bytes : st->flows[i].packets);
	}
}

static void render_prometheus(const struct fwgen_status *st, FILE *out)
{
	size_t i;

	fputs("# HELP fwgen_audit_mode 1 when fwgen's table is in audit mode (what enforce mode would drop is accepted), 0 in enforce mode.\n"
	      "# TYPE fwgen_audit_mode gauge\n",
	      out);
	fputs("fwgen_audit_mode{table=", out);
	prom_str(st->table, out);
	fprintf(out, "} %d\n", st->audit ? 1 : 0);

	prom_flow_counter(st, "packets", "Packets", false, out);
	prom_flow_counter(st, "bytes", "Bytes", true, out);

	fputs("# HELP fwgen_refused_entries Entries in the refused sets (at most 65536 per family and direction).\n"
	      "# TYPE fwgen_refused_entries gauge\n",
	      out);
	fputs("fwgen_refused_entries{table=", out);
	prom_str(st->table, out);
	fprintf(out, "} %zu\n", st->nrefused);
	fputs("# HELP fwgen_refused_packets_total Packets refused (audit mode: that enforce mode would refuse), per peer, protocol and port; the 1000 largest.\n"
	      "# TYPE fwgen_refused_packets_total counter\n",
	      out);
	for (i = 0; i < st->nrefused && i < PROM_REFUSED_MAX; i++) {
		const struct status_refused *r = &st->refused[i];
		const char *p = proto_name(r->proto);

		fputs("fwgen_refused_packets_total{table=", out);
		prom_str(st->table, out);
		fprintf(out, ",family=\"%d\",direction=\"%s\",address=\"%s\",",
			r->family, r->out ? "out" : "in", r->address);
		if (p)
			fprintf(out, "proto=\"%s\"", p);
		else
			fprintf(out, "proto=\"%u\"", r->proto);
		fprintf(out, ",port=\"%u\"} %" PRIu64 "\n", r->port, r->packets);
	}
}

static void render_text(const struct fwgen_status *st, FILE *out)
{
	size_t i;

	fprintf(out, "table inet %s: %s\n", st->table,
		st->audit ? "audit mode (what enforce mode would drop is counted below and accepted)" :
			    "enforce mode");
	if (st->topology) {
		fprintf(out, "applied for: topology %s, role%s", st->topology,
			st->nroles == 1 ? "" : "s");
		for (i = 0; i < st->nroles; i++)
			fprintf(out, "%s%s", i ? ", " : " ", st->roles[i]);
		fputc('\n', out);
	} else {
		fputs("applied for: unknown (the table has no comment from fwgen)\n", out);
	}
	fprintf(out, "\nflows: %zu\n", st->nflows);
	if (st->nflows)
		fprintf(out, "  %-32s %14s %16s\n", "id", "packets", "bytes");
	for (i = 0; i < st->nflows; i++)
		fprintf(out, "  %-32s %14" PRIu64 " %16" PRIu64 "\n", st->flows[i].id,
			st->flows[i].packets, st->flows[i].bytes);
	fprintf(out, "\n%s: %zu, largest count first\n",
		st->audit ? "would be refused" : "refused", st->nrefused);
	if (st->nrefused)
		fprintf(out, "  %-3s %-39s %-5s %5s %14s\n", "dir", "address",
			"proto", "port", "packets");
	for (i = 0; i < st->nrefused; i++) {
		const struct status_refused *r = &st->refused[i];
		const char *p = proto_name(r->proto);

		fprintf(out, "  %-3s %-39s %-5s %5u %14" PRIu64 "\n",
			r->out ? "out" : "in", r->address, p ? p : "?", r->port,
			r->packets);
	}
}

FWGEN_EXPORT int fwgen_status_render(struct fwgen_ctx *ctx,
				     const struct fwgen_status *st,
				     enum fwgen_status_format format,
				     FILE *out)
{
	ARG_CTX(ctx);
	ARG_CHECK(ctx, st);
	ARG_CHECK(ctx, out);
	switch (format) {
	case FWGEN_STATUS_TEXT:
		render_text(st, out);
		break;
	case FWGEN_STATUS_JSON:
		render_json(st, out);
		break;
	case FWGEN_STATUS_PROMETHEUS:
		render_prometheus(st, out);
		break;
	default:
		return ctx_err(ctx, -EINVAL, "fwgen_status_render: unknown format %d",
			       (int)format);
	}
	if (ferror(out))
		return ctx_err(ctx, -EIO, "writing the status failed");
	return 0;
}
