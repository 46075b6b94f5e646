/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The policy as an `nft -f` script: it creates fwgen's table if missing,
 * deletes it and builds it anew in one transaction, so the kernel swaps the
 * whole table atomically and no other table is touched.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "policy.h"
#include "render.h"

static void print_icmp_type(int family, uint8_t type, FILE *out)
{
	const char *name = render_icmp_name(family == 6 ? POL_L4_ICMPV6 : POL_L4_ICMP,
					    type);

	if (name)
		fputs(name, out);
	else
		fprintf(out, "%u", type);
}

void render_quoted(const char *s, FILE *out)
{
	fputc('"', out);
	/*
	 * nft has no escape inside a quoted string: a quote, a backslash or a
	 * control character could end the string or the line. Names reaching
	 * here are validated at load time; this is the last line of defence.
	 */
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		fputc(c < 0x20 || c == 0x7f || c == '"' || c == '\\' ? '_' : c, out);
	}
	fputc('"', out);
}

/*
 * Text in a "# " line. The names here are validated at load, but a newline
 * in a header note would start a command of its own: keep the last line
 * of defence that render_quoted() keeps for strings.
 */
static void print_comment_text(const char *s, FILE *out)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		fputc(c < 0x20 || c == 0x7f ? '_' : c, out);
	}
}

static void print_ports(const struct port_range *p, size_t n, FILE *out)
{
	size_t i;

	if (n > 1)
		fputs("{ ", out);
	for (i = 0; i < n; i++) {
		if (i)
			fputs(", ", out);
		if (p[i].lo == p[i].hi)
			fprintf(out, "%u", p[i].lo);
		else
			fprintf(out, "%u-%u", p[i].lo, p[i].hi);
	}
	if (n > 1)
		fputs(" }", out);
}

static void print_ct(unsigned int states, FILE *out)
{
	static const char *const names[] = { "invalid", "established", "related", "new" };
	bool first = true;
	size_t i;

	fputs("ct state ", out);
	for (i = 0; i < 4; i++) {
		if (!(states & (1u << i)))
			continue;
		fprintf(out, "%s%s", first ? "" : ",", names[i]);
		first = false;
	}
}

int render_nft_rule(const struct fwgen_policy *pol, const struct pol_rule *r,
		    FILE *out)
{
	const char *ipfam = r->family == 6 ? "ip6" : "ip";
	bool sep = false;
	size_t i;

#define SEP()                            \
	do {                             \
		if (sep)                 \
			fputc(' ', out); \
		sep = true;              \
	} while (0)
	if (r->iface) {
		SEP();
		fputs(r->iface == POL_IFACE_IIF_LO ? "iif \"lo\"" : "oif \"lo\"", out);
	}
	if (r->saddr_set >= 0) {
		SEP();
		fprintf(out, "%s saddr @%s", ipfam, pol->sets[r->saddr_set].name);
	}
	if (r->daddr_set >= 0) {
		SEP();
		fprintf(out, "%s daddr @%s", ipfam, pol->sets[r->daddr_set].name);
	}
	if (r->family && r->saddr_set < 0 && r->daddr_set < 0 && !r->nicmp_types) {
		SEP();
		fprintf(out, "meta nfproto %s", r->family == 6 ? "ipv6" : "ipv4");
	}
	if (r->ndports) {
		SEP();
		fprintf(out, "%s dport ", render_l4_name(r->l4proto));
		print_ports(r->dports, r->ndports, out);
	}
	if (r->l4proto && !r->ndports && !r->nicmp_types) {
		SEP();
		fprintf(out, "meta l4proto %s", render_l4_name(r->l4proto));
	}
	if (r->nicmp_types) {
		SEP();
		fprintf(out, "%s type ",
			names_l4_keyword(r->family == 6 ? POL_L4_ICMPV6 : POL_L4_ICMP));
		if (r->nicmp_types > 1)
			fputs("{ ", out);
		for (i = 0; i < r->nicmp_types; i++) {
			if (i)
				fputs(", ", out);
			print_icmp_type(r->family, r->icmp_types[i], out);
		}
		if (r->nicmp_types > 1)
			fputs(" }", out);
	}
	if (r->ct_states) {
		SEP();
		print_ct(r->ct_states, out);
	}
	if (r->has_limit) {
		SEP();
		fprintf(out, "limit rate %u/%s burst %u packets", r->limit_rate,
			r->limit_unit == POL_PER_MINUTE ? "minute" : "second",
			r->limit_burst);
	}
	if (r->log_prefix) {
		SEP();
		fputs("log prefix ", out);
		render_quoted(r->log_prefix, out);
	}
	if (r->refused) {
		const struct pol_refused *rs = &pol->refused[r->refused - 1];

		SEP();
		fprintf(out, "update @%s { %s %s . meta l4proto . th dport }",
			rs->name, rs->family == 6 ? "ip6" : "ip",
			rs->out ? "daddr" : "saddr");
	}
	if (r->counter) {
		SEP();
		fputs("counter", out);
	}
	if (r->ct_helper) {
		SEP();
		fputs("ct helper set ", out);
		render_quoted(r->ct_helper, out);
	}
	switch (r->verdict) {
	case POL_VERDICT_NONE:
		break;
	case POL_VERDICT_ACCEPT:
		SEP();
		fputs("accept", out);
		break;
	case POL_VERDICT_DROP:
		SEP();
		fputs("drop", out);
		break;
	case POL_VERDICT_REDIRECT:
		SEP();
		fprintf(out, "redirect to :%u", r->redirect_port);
		break;
	case POL_VERDICT_VMAP:
		SEP();
		fputs("meta l4proto . th dport vmap { ", out);
		for (i = 0; i < r->nvmap; i++) {
			const struct pol_vmap_elem *e = &r->vmap[i];

			fprintf(out, "%s%s . ", i ? ", " : "", render_l4_name(e->l4proto));
			print_ports(&e->ports, 1, out);
			fprintf(out, " : jump %s", pol->chains[e->chain].name);
		}
		fputs(" }", out);
		break;
	}
	if (r->comment) {
		SEP();
		fputs("comment ", out);
		render_quoted(r->comment, out);
	}
#undef SEP
	return 0;
}

/*
 * No l3proto: in an inet table the kernel then registers the helper for
 * IPv4 and IPv6, as it does for `nft -f` of the same text.
 */
static void render_helper(const struct pol_helper *h, FILE *out)
{
	fprintf(out, "\tct helper %s {\n\t\ttype ", h->name);
	render_quoted(h->type, out);
	fprintf(out, " protocol %s\n\t}\n\n", render_l4_name(h->l4proto));
}

static void render_set(const struct pol_set *s, FILE *out)
{
	char buf[ADDR_INTERVAL_STRLEN];
	size_t i;

	fprintf(out, "\tset %s {\n", s->name);
	fprintf(out, "\t\ttype %s\n", s->family == 4 ? "ipv4_addr" : "ipv6_addr");
	if (s->hash)
		fprintf(out, "\t\tsize %u\n", s->size);
	else
		fputs("\t\tflags interval\n", out);
	if (s->nelems) {
		/* One element a line: config management diffs stay readable. */
		fputs("\t\telements = {\n", out);
		for (i = 0; i < s->nelems; i++) {
			if (addr_interval_format(&s->elems[i], s->family, buf,
						 sizeof(buf)) < 0)
				snprintf(buf, sizeof(buf), "?");
			fprintf(out, "\t\t\t%s%s\n", buf,
				i + 1 < s->nelems ? "," : "");
		}
		fputs("\t\t}\n", out);
	}
	fputs("\t}\n\n", out);
}

static void render_refused_set(const struct pol_refused *s, FILE *out)
{
	fprintf(out, "\tset %s {\n", s->name);
	fprintf(out, "\t\ttype %s . inet_proto . inet_service\n",
		s->family == 4 ? "ipv4_addr" : "ipv6_addr");
	fprintf(out, "\t\tsize %u\n", POL_REFUSED_SIZE);
	fputs("\t\tflags dynamic,timeout\n", out);
	fprintf(out, "\t\ttimeout %us\n", POL_REFUSED_TIMEOUT_S);
	fputs("\t\tcounter\n", out);
	fputs("\t}\n\n", out);
}

static void render_chain(const struct fwgen_policy *pol,
			 const struct pol_chain *c, FILE *out)
{
	size_t i;

	fprintf(out, "\tchain %s {\n", c->name);
	if (c->hook != POL_HOOK_NONE)
		fprintf(out, "\t\ttype %s hook %s priority %s; policy %s;\n",
			c->type == POL_CHAIN_NAT ? "nat" : "filter",
			render_hook_name(c->hook),
			c->type == POL_CHAIN_NAT ? "dstnat" : "filter",
			c->policy_drop ? "drop" : "accept");
	for (i = 0; i < c->nrules; i++) {
		fputs("\t\t", out);
		render_nft_rule(pol, &c->rules[i], out);
		fputc('\n', out);
	}
	fputs("\t}\n", out);
}

int render_nft(struct fwgen_ctx *ctx, const struct fwgen_policy *pol,
	       FILE *out)
{
	char *comment;
	size_t i;

	fputs("#!/usr/sbin/nft -f\n", out);
	fprintf(out, "# fwgen %s: topology ", FWGEN_VERSION);
	print_comment_text(pol->topology, out);
	fprintf(out, ", host role%s", pol->nroles > 1 ? "s" : "");
	for (i = 0; i < pol->nroles; i++) {
		fputs(i ? ", " : " ", out);
		print_comment_text(pol->roles[i], out);
	}
	fprintf(out, "\n# egress: %s\n", pol->egress_filtered ? "filtered" : "open");
	fprintf(out, "# mode: %s\n",
		pol->audit ? "audit (what enforce mode would drop is counted in the refused sets and accepted)" :
			     "enforce");
	for (i = 0; i < pol->nnotes; i++) {
		fputs("# ", out);
		print_comment_text(pol->notes[i], out);
		fputc('\n', out);
	}
	fprintf(out, "# Replaces table inet %s in one transaction; other tables are left alone.\n\n",
		pol->table);
	/* Declaring the table first makes the delete valid when it is absent. */
	fprintf(out, "table inet %s\ndelete table inet %s\n\n", pol->table,
		pol->table);
	fprintf(out, "table inet %s {\n", pol->table);
	comment = render_table_comment(pol);
	if (!comment)
		return ctx_nomem(ctx);
	fputs("\tcomment ", out);
	render_quoted(comment, out);
	fputs("\n\n", out);
	free(comment);
	for (i = 0; i < pol->nhelpers; i++)
		render_helper(&pol->helpers[i], out);
	for (i = 0; i < pol->nsets; i++)
		render_set(&pol->sets[i], out);
	for (i = 0; i < pol->nrefused; i++)
		render_refused_set(&pol->refused[i], out);
	for (i = 0; i < pol->nchains; i++) {
		if (i)
			fputc('\n', out);
		render_chain(pol, &pol->chains[i], out);
	}
	fputs("}\n", out);
	if (ferror(out))
		return ctx_err(ctx, -EIO, "writing the ruleset failed");
	return 0;
}
