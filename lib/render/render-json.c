/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The policy in the libnftables JSON schema, for `nft -j -f`: the same
 * transaction as the nft text (add, delete and add fwgen's table, then its
 * sets, chains and rules), so both give the same kernel state.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "names.h"
#include "policy.h"
#include "render.h"

/*
 * Length of the well-formed UTF-8 sequence at s (1-4), or 0 when s does
 * not start one: jansson, which nft parses with, refuses invalid UTF-8, so
 * a stray byte must not reach the output as is.
 */
static size_t utf8_seq(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	/* No overlong forms, no surrogates, nothing above U+10FFFF. */
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++) {
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	}
	return n;
}

/*
 * A JSON string of prefix and str: every quote, backslash and control
 * character escaped, so no name or comment can end the string early.
 */
static void json_string_prefixed(const char *prefix, const char *str,
				 FILE *out)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	fputc('"', out);
	fputs(prefix, out);
	while (*s) {
		switch (*s) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		default:
			if (*s < 0x20 || *s == 0x7f) {
				fprintf(out, "\\u%04x", *s);
				break;
			}
			n = utf8_seq(s);
			if (n == 0) {
				fputs("\\ufffd", out); /* not UTF-8 */
				break;
			}
			fwrite(s, 1, n, out);
			s += n;
			continue;
		}
		s++;
	}
	fputc('"', out);
}

static void json_string(const char *str, FILE *out)
{
	json_string_prefixed("", str, out);
}

/* `"family": "inet", "table": "<table>"`, the head of every object. */
static void json_owner(const struct fwgen_policy *pol, FILE *out)
{
	fputs("\"family\": \"inet\", \"table\": ", out);
	json_string(pol->table, out);
}

static void json_l4proto(uint8_t l4, FILE *out)
{
	const char *name = render_l4_name(l4);

	if (name)
		fprintf(out, "\"%s\"", name);
	else
		fprintf(out, "%u", l4);
}

static void json_port_range(const struct port_range *p, FILE *out)
{
	if (p->lo == p->hi)
		fprintf(out, "%u", p->lo);
	else
		fprintf(out, "{\"range\": [%u, %u]}", p->lo, p->hi);
}

/* Which ICMP header a rule matches: its protocol, else its family. */
static uint8_t icmp_proto(const struct pol_rule *r)
{
	if (r->l4proto == POL_L4_ICMP || r->l4proto == POL_L4_ICMPV6)
		return r->l4proto;
	return r->family == 6 ? POL_L4_ICMPV6 : POL_L4_ICMP;
}

static void json_icmp_type(uint8_t l4, uint8_t type, FILE *out)
{
	const char *name = render_icmp_name(l4, type);

	if (name)
		fprintf(out, "\"%s\"", name);
	else
		fprintf(out, "%u", type);
}

/* Writes the ", " between the expressions of a rule. */
struct expr_list {
	FILE *out;
	bool started;
};

static FILE *next_expr(struct expr_list *l)
{
	if (l->started)
		fputs(", ", l->out);
	l->started = true;
	return l->out;
}

static void match_begin(struct expr_list *l)
{
	fputs("{\"match\": {\"op\": \"==\", \"left\": ", next_expr(l));
}

static void match_payload(struct expr_list *l, const char *proto,
			  const char *field)
{
	match_begin(l);
	fprintf(l->out, "{\"payload\": {\"protocol\": \"%s\", \"field\": \"%s\"}}, \"right\": ",
		proto, field);
}

static void match_meta(struct expr_list *l, const char *key)
{
	match_begin(l);
	fprintf(l->out, "{\"meta\": {\"key\": \"%s\"}}, \"right\": ", key);
}

static void match_end(struct expr_list *l)
{
	fputs("}}", l->out);
}

static void expr_addr_set(struct expr_list *l, const struct pol_set *s,
			  const char *field)
{
	match_payload(l, s->family == 6 ? "ip6" : "ip", field);
	json_string_prefixed("@", s->name, l->out);
	match_end(l);
}

static void expr_dports(struct expr_list *l, const struct pol_rule *r)
{
	const char *proto = render_l4_name(r->l4proto);
	size_t i;

	match_payload(l, proto ? proto : "th", "dport");
	if (r->ndports > 1)
		fputs("{\"set\": [", l->out);
	for (i = 0; i < r->ndports; i++) {
		if (i)
			fputs(", ", l->out);
		json_port_range(&r->dports[i], l->out);
	}
	if (r->ndports > 1)
		fputs("]}", l->out);
	match_end(l);
}

static void expr_icmp(struct expr_list *l, const struct pol_rule *r)
{
	uint8_t l4 = icmp_proto(r);
	size_t i;

	match_payload(l, names_l4_keyword(l4), "type");
	if (r->nicmp_types > 1)
		fputs("{\"set\": [", l->out);
	for (i = 0; i < r->nicmp_types; i++) {
		if (i)
			fputs(", ", l->out);
		json_icmp_type(l4, r->icmp_types[i], l->out);
	}
	if (r->nicmp_types > 1)
		fputs("]}", l->out);
	match_end(l);
}

static void expr_ct(struct expr_list *l, unsigned int states)
{
	static const char *const names[] = { "invalid", "established", "related", "new" };
	unsigned int n = 0, i;

	for (i = 0; i < 4; i++)
		n += !!(states & (1u << i));
	/* "in" is the flag test nft itself writes for `ct state a,b`. */
	fputs("{\"match\": {\"op\": \"in\", \"left\": {\"ct\": {\"key\": \"state\"}}, \"right\": ",
	      next_expr(l));
	if (n > 1)
		fputc('[', l->out);
	for (i = 0, n = 0; i < 4; i++) {
		if (!(states & (1u << i)))
			continue;
		fprintf(l->out, "%s\"%s\"", n++ ? ", " : "", names[i]);
	}
	if (n > 1)
		fputc(']', l->out);
	match_end(l);
}

static void expr_vmap(struct expr_list *l, const struct fwgen_policy *pol,
		      const struct pol_rule *r)
{
	FILE *out = next_expr(l);
	size_t i;

	fputs("{\"vmap\": {\"key\": {\"concat\": [{\"meta\": {\"key\": \"l4proto\"}}, "
	      "{\"payload\": {\"protocol\": \"th\", \"field\": \"dport\"}}]}, "
	      "\"data\": {\"set\": [",
	      out);
	for (i = 0; i < r->nvmap; i++) {
		const struct pol_vmap_elem *e = &r->vmap[i];

		fputs(i ? ", [{\"concat\": [" : "[{\"concat\": [", out);
		json_l4proto(e->l4proto, out);
		fputs(", ", out);
		json_port_range(&e->ports, out);
		fputs("]}, {\"jump\": {\"target\": ", out);
		json_string(pol->chains[e->chain].name, out);
		fputs("}}]", out);
	}
	fputs("]}}}", out);
}

/*
 * The expressions of one rule, in the order the nft renderer writes them,
 * so that `nft list ruleset` prints the same rule for both inputs.
 */
static void render_exprs(const struct fwgen_policy *pol,
			 const struct pol_rule *r, FILE *out)
{
	struct expr_list l = { out, false };

	if (r->iface) {
		match_meta(&l, r->iface == POL_IFACE_IIF_LO ? "iif" : "oif");
		fputs("\"lo\"", out);
		match_end(&l);
	}
	if (r->saddr_set >= 0)
		expr_addr_set(&l, &pol->sets[r->saddr_set], "saddr");
	if (r->daddr_set >= 0)
		expr_addr_set(&l, &pol->sets[r->daddr_set], "daddr");
	/* An address or ICMP match implies the family; else say it. */
	if (r->family && r->saddr_set < 0 && r->daddr_set < 0 && !r->nicmp_types) {
		match_meta(&l, "nfproto");
		fputs(r->family == 6 ? "\"ipv6\"" : "\"ipv4\"", out);
		match_end(&l);
	}
	if (r->ndports) {
		expr_dports(&l, r);
	} else if (r->nicmp_types) {
		expr_icmp(&l, r);
	} else if (r->l4proto) {
		match_meta(&l, "l4proto");
		json_l4proto(r->l4proto, out);
		match_end(&l);
	}
	if (r->ct_states)
		expr_ct(&l, r->ct_states);
	if (r->has_limit)
		fprintf(next_expr(&l), "{\"limit\": {\"rate\": %u, \"burst\": %u, \"per\": \"%s\"}}",
			r->limit_rate, r->limit_burst,
			r->limit_unit == POL_PER_MINUTE ? "minute" : "second");
	if (r->log_prefix) {
		fputs("{\"log\": {\"prefix\": ", next_expr(&l));
		json_string(r->log_prefix, out);
		fputs("}}", out);
	}
	if (r->refused) {
		const struct pol_refused *rs = &pol->refused[r->refused - 1];

		fprintf(next_expr(&l),
			"{\"set\": {\"op\": \"update\", \"elem\": {\"concat\": ["
			"{\"payload\": {\"protocol\": \"%s\", \"field\": \"%s\"}}, "
			"{\"meta\": {\"key\": \"l4proto\"}}, "
			"{\"payload\": {\"protocol\": \"th\", \"field\": \"dport\"}}]}, \"set\": ",
			rs->family == 6 ? "ip6" : "ip", rs->out ? "daddr" : "saddr");
		json_string_prefixed("@", rs->name, out);
		fputs("}}", out);
	}
	if (r->counter)
		fputs("{\"counter\": null}", next_expr(&l));
	if (r->ct_helper) {
		fputs("{\"ct helper\": ", next_expr(&l));
		json_string(r->ct_helper, out);
		fputc('}', out);
	}
	switch (r->verdict) {
	case POL_VERDICT_NONE:
		break;
	case POL_VERDICT_ACCEPT:
		fputs("{\"accept\": null}", next_expr(&l));
		break;
	case POL_VERDICT_DROP:
		fputs("{\"drop\": null}", next_expr(&l));
		break;
	case POL_VERDICT_REDIRECT:
		fprintf(next_expr(&l), "{\"redirect\": {\"port\": %u}}",
			r->redirect_port);
		break;
	case POL_VERDICT_VMAP:
		expr_vmap(&l, pol, r);
		break;
	}
}

static void render_elem(const struct addr_interval *iv, int family, FILE *out)
{
	int af = family == 4 ? AF_INET : AF_INET6;
	char lo[INET6_ADDRSTRLEN], hi[INET6_ADDRSTRLEN];
	unsigned int plen;

	/* The family was checked by validate(): inet_ntop cannot fail. */
	inet_ntop(af, iv->lo, lo, sizeof(lo));
	inet_ntop(af, iv->hi, hi, sizeof(hi));
	if (memcmp(iv->lo, iv->hi, addr_bytes(family)) == 0)
		fprintf(out, "\"%s\"", lo);
	else if (addr_interval_is_prefix(iv, family, &plen))
		fprintf(out, "{\"prefix\": {\"addr\": \"%s\", \"len\": %u}}", lo, plen);
	else
		fprintf(out, "{\"range\": [\"%s\", \"%s\"]}", lo, hi);
}

static void render_set(const struct fwgen_policy *pol, const struct pol_set *s,
		       FILE *out)
{
	size_t i;

	fputs("{\"add\": {\"set\": {", out);
	json_owner(pol, out);
	fputs(", \"name\": ", out);
	json_string(s->name, out);
	fprintf(out, ", \"type\": \"%s\"", s->family == 4 ? "ipv4_addr" : "ipv6_addr");
	if (s->hash)
		fprintf(out, ", \"size\": %u", s->size);
	else
		fputs(", \"flags\": [\"interval\"]", out);
	if (s->nelems) {
		/* One element a line: config management diffs stay readable. */
		fputs(", \"elem\": [\n", out);
		for (i = 0; i < s->nelems; i++) {
			fputs("    ", out);
			render_elem(&s->elems[i], s->family, out);
			fputs(i + 1 < s->nelems ? ",\n" : "\n", out);
		}
		fputs("  ]", out);
	}
	fputs("}}}", out);
}

/* No l3proto, as in the nft text: the kernel covers both families. */
static void render_helper(const struct fwgen_policy *pol,
			  const struct pol_helper *h, FILE *out)
{
	fputs("{\"add\": {\"ct helper\": {", out);
	json_owner(pol, out);
	fputs(", \"name\": ", out);
	json_string(h->name, out);
	fputs(", \"type\": ", out);
	json_string(h->type, out);
	fprintf(out, ", \"protocol\": \"%s\"}}}", render_l4_name(h->l4proto));
}

/* No "dynamic" flag: nft 1.0.6's JSON refuses it and sets it for a counter. */
static void render_refused_set(const struct fwgen_policy *pol,
			       const struct pol_refused *s, FILE *out)
{
	fputs("{\"add\": {\"set\": {", out);
	json_owner(pol, out);
	fputs(", \"name\": ", out);
	json_string(s->name, out);
	fprintf(out, ", \"type\": [\"%s\", \"inet_proto\", \"inet_service\"], "
		     "\"size\": %u, \"flags\": [\"timeout\"], \"timeout\": %u, "
		     "\"stmt\": [{\"counter\": null}]}}}",
		s->family == 4 ? "ipv4_addr" : "ipv6_addr", POL_REFUSED_SIZE,
		POL_REFUSED_TIMEOUT_S);
}

static void render_chain(const struct fwgen_policy *pol,
			 const struct pol_chain *c, FILE *out)
{
	fputs("{\"add\": {\"chain\": {", out);
	json_owner(pol, out);
	fputs(", \"name\": ", out);
	json_string(c->name, out);
	if (c->hook != POL_HOOK_NONE)
		fprintf(out, ", \"type\": \"%s\", \"hook\": \"%s\", \"prio\": %d, \"policy\": \"%s\"",
			c->type == POL_CHAIN_NAT ? "nat" : "filter",
			render_hook_name(c->hook), c->priority,
			c->policy_drop ? "drop" : "accept");
	fputs("}}}", out);
}

static void render_rule(const struct fwgen_policy *pol,
			const struct pol_chain *c, const struct pol_rule *r,
			FILE *out)
{
	fputs("{\"add\": {\"rule\": {", out);
	json_owner(pol, out);
	fputs(", \"chain\": ", out);
	json_string(c->name, out);
	fputs(", \"expr\": [", out);
	render_exprs(pol, r, out);
	fputc(']', out);
	if (r->comment) {
		fputs(", \"comment\": ", out);
		json_string(r->comment, out);
	}
	fputs("}}}", out);
}

/*
 * Refuses a policy whose indices point nowhere, before anything is
 * written: resolve never builds one, but the library does not trust it.
 */
static int validate(struct fwgen_ctx *ctx, const struct fwgen_policy *pol)
{
	size_t i, j, k;

	if (!pol->table)
		return ctx_err(ctx, -EINVAL, "policy without a table name");
	for (i = 0; i < pol->nsets; i++) {
		if (pol->sets[i].family != 4 && pol->sets[i].family != 6)
			return ctx_err(ctx, -EINVAL, "set %s: family %d is not 4 or 6",
				       pol->sets[i].name, pol->sets[i].family);
	}
	for (i = 0; i < pol->nchains; i++) {
		const struct pol_chain *c = &pol->chains[i];

		if (c->hook != POL_HOOK_NONE && !render_hook_name(c->hook))
			return ctx_err(ctx, -EINVAL, "chain %s: unknown hook %d",
				       c->name, (int)c->hook);
		for (j = 0; j < c->nrules; j++) {
			const struct pol_rule *r = &c->rules[j];

			if (r->saddr_set >= (int)pol->nsets ||
			    r->daddr_set >= (int)pol->nsets ||
			    r->refused > pol->nrefused)
				return ctx_err(ctx, -EINVAL, "chain %s, rule %zu: no such set",
					       c->name, j + 1);
			for (k = 0; k < r->nvmap; k++) {
				if (r->vmap[k].chain >= pol->nchains)
					return ctx_err(ctx, -EINVAL, "chain %s, rule %zu: no such chain",
						       c->name, j + 1);
			}
		}
	}
	return 0;
}

int render_json(struct fwgen_ctx *ctx, const struct fwgen_policy *pol,
		FILE *out)
{
	size_t i, j;
	int ret;

	ret = validate(ctx, pol);
	if (ret < 0)
		return ret;
	/* One command a line; each after the first starts with ",\n". */
	/*
	 * JSON has no comments: the mode the nft text states in its header
	 * goes into metainfo, whose other keys nft ignores.
	 */
	fprintf(out, "{\"nftables\": [\n{\"metainfo\": {\"json_schema_version\": 1, "
		     "\"fwgen_mode\": \"%s\"}}",
		pol->audit ? "audit" : "enforce");
	/*
	 * As in the nft text: adding the table first makes the delete valid
	 * when it is absent, and the three run in one transaction.
	 */
	for (i = 0; i < 3; i++) {
		fprintf(out, ",\n{\"%s\": {\"table\": {\"family\": \"inet\", \"name\": ",
			i == 1 ? "delete" : "add");
		json_string(pol->table, out);
		fputs("}}}", out);
	}
	for (i = 0; i < pol->nhelpers; i++) {
		fputs(",\n", out);
		render_helper(pol, &pol->helpers[i], out);
	}
	for (i = 0; i < pol->nsets; i++) {
		fputs(",\n", out);
		render_set(pol, &pol->sets[i], out);
	}
	for (i = 0; i < pol->nrefused; i++) {
		fputs(",\n", out);
		render_refused_set(pol, &pol->refused[i], out);
	}
	/* Every chain before any rule: a vmap jumps to chains listed later. */
	for (i = 0; i < pol->nchains; i++) {
		fputs(",\n", out);
		render_chain(pol, &pol->chains[i], out);
	}
	for (i = 0; i < pol->nchains; i++) {
		const struct pol_chain *c = &pol->chains[i];

		for (j = 0; j < c->nrules; j++) {
			fputs(",\n", out);
			render_rule(pol, c, &c->rules[j], out);
		}
	}
	fputs("\n]}\n", out);
	if (ferror(out))
		return ctx_err(ctx, -EIO, "writing the ruleset failed");
	return 0;
}
