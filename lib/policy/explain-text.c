/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The answer of an explain query for people: the connection, whether it is
 * allowed, the flows and baseline rules that admit it with their peers and
 * seed rows, and the catalog flows on the port that do not.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "ctx.h"
#include "explain.h"
#include "flow-text.h"
#include "model.h"
#include "names.h"
#include "policy.h"
#include "util.h"

/* A query asks about TCP unless it says UDP. */
static const char *l4name(uint8_t l4)
{
	return names_l4proto(l4 == POL_L4_UDP ? POL_L4_UDP : POL_L4_TCP);
}

static void write_peer(const struct fwgen_explain *e, FILE *out)
{
	switch (e->q.peer) {
	case PEER_ANY:
		fputs("any peer", out);
		break;
	case PEER_ROLE:
		fprintf(out, "peer role %s", e->q.role);
		break;
	case PEER_ADDR:
		fputs(e->q.peer_text, out);
		break;
	}
}

static void write_host(const struct fwgen_explain *e, FILE *out)
{
	size_t i;

	fputs("this host (", out);
	for (i = 0; i < e->pol->nroles; i++)
		fprintf(out, "%s%s", i ? ", " : "", e->pol->roles[i]);
	fputc(')', out);
}

/* "198.18.1.0/24, 2001:db8:1::/48 and 2 more", from the inventory. */
static void write_addresses(const struct fwgen_explain *e, const char *role,
			    FILE *out)
{
	const struct inv_role *ir = inventory_role(e->inv, role);
	char buf[ADDR_INTERVAL_STRLEN];
	size_t i, n = 0, total;
	int fam;

	if (!ir) {
		fputs("its addresses in the inventory", out);
		return;
	}
	total = ir->v4.n + ir->v6.n;
	fputs("bound to ", out);
	for (fam = 4; fam <= 6; fam += 2) {
		const struct addr_list *l = fam == 4 ? &ir->v4 : &ir->v6;

		for (i = 0; i < l->n && n < 3; i++, n++) {
			if (addr_interval_format(&l->v[i], fam, buf, sizeof(buf)) < 0)
				continue;
			fprintf(out, "%s%s", n ? ", " : "", buf);
		}
	}
	if (total > n)
		fprintf(out, " and %zu more", total - n);
}

static enum binding role_binding(const struct fwgen_explain *e,
				 const char *role)
{
	size_t idx;

	return topology_role_index(e->t, role, &idx) == 0 ? e->binding[idx] :
							    BIND_NONE;
}

/* Whether admission a belongs with a0's group and its peer role is bound so. */
static bool peer_of(const struct fwgen_explain *e, const struct admission *a0,
		    const struct admission *a, enum binding kind)
{
	return a->flow == a0->flow && a->kind == a0->kind && a->peer_role &&
	       role_binding(e, a->peer_role) == kind;
}

/*
 * The peer roles of admissions [first, last) of one flow: roles bound to
 * addresses one line each, the roles meaning any address one line per kind,
 * so a flow from nine unbound roles reads as one line, not nine.
 */
static void write_peers(const struct fwgen_explain *e, size_t first,
			size_t last, FILE *out)
{
	static const enum binding kinds[] = { BIND_ADDRS, BIND_NONE, BIND_ANY };
	const struct admission *a0 = &e->adm[first];
	size_t k, i, n, total;
	bool includes;

	for (k = 0; k < ARRAY_SIZE(kinds); k++) {
		for (i = first, total = 0; i < last; i++)
			total += peer_of(e, a0, &e->adm[i], kinds[k]);
		includes = false;
		for (i = first, n = 0; i < last; i++) {
			const struct admission *a = &e->adm[i];

			if (!peer_of(e, a0, a, kinds[k]))
				continue;
			if (kinds[k] == BIND_ADDRS) {
				fprintf(out, "      peer role %s: ", a->peer_role);
				write_addresses(e, a->peer_role, out);
				fputc('\n', out);
				continue;
			}
			fprintf(out, "%s%s", n++ ? ", " : total > 1 ? "      peer roles " :
								      "      peer role ",
				a->peer_role);
			includes = includes || (e->q.peer == PEER_ROLE &&
						strcmp(a->peer_role, e->q.role));
		}
		if (n == 0)
			continue;
		fputs(kinds[k] == BIND_NONE ? ": not bound in the inventory, so any address" :
					      ": bound to any address",
		      out);
		if (includes)
			fprintf(out, ", which includes the hosts of %s", e->q.role);
		fputc('\n', out);
	}
}

static void write_flow(const struct fwgen_explain *e, const struct flow *f,
		       FILE *out)
{
	size_t i;

	fprintf(out, "  flow %s: %s\n      ", f->id, f->description);
	explain_put_roles(out, e->t, f->from, f->nfrom);
	fputs(" -> ", out);
	explain_put_roles(out, e->t, f->to, f->nto);
	fputs("  ", out);
	flow_text_ports(e->t, f, e->inv, out);
	if (f->nwhen) {
		fputs(" if ", out);
		flow_text_when(e->t, f, out);
	}
	fputs("\n      source:", out);
	for (i = 0; i < f->nsources; i++)
		fprintf(out, " %s", f->sources[i]);
	fputc('\n', out);
	if (f->note)
		fprintf(out, "      note: %s\n", f->note);
}

/* Admission i and the later ones of the same flow (or baseline rule). */
static void write_admission(const struct fwgen_explain *e, size_t i, FILE *out)
{
	const struct admission *a = &e->adm[i];

	switch (a->kind) {
	case FWGEN_EXPLAIN_FLOW:
		write_flow(e, a->flow, out);
		break;
	case FWGEN_EXPLAIN_BASELINE:
		fprintf(out, "  %s\n", a->comment);
		break;
	case FWGEN_EXPLAIN_OPEN_EGRESS:
		fputs("  egress is open (the default; 'egress: filtered' in the inventory\n"
		      "      closes it): there is no output chain, so this host may connect anywhere\n",
		      out);
		return;
	case FWGEN_EXPLAIN_NONE: /* never stored */
		return;
	}
	if (a->peer_role)
		write_peers(e, i, a->kind == FWGEN_EXPLAIN_FLOW ? e->nadm : i + 1, out);
	else
		fprintf(out, "      %s any address\n", e->q.outbound ? "to" : "from");
	if (a->kind == FWGEN_EXPLAIN_FLOW)
		fprintf(out, "      rule: \"%s\" in chain %s\n", a->comment, a->chain);
	else
		fprintf(out, "      rule: in chain %s\n", a->chain);
}

/* Whether an earlier admission was written with admission i. */
static bool written_before(const struct fwgen_explain *e, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++) {
		if (e->adm[j].kind == FWGEN_EXPLAIN_FLOW && e->adm[j].flow == e->adm[i].flow)
			return true;
	}
	return false;
}

static void write_address_roles(const struct fwgen_explain *e, FILE *out)
{
	size_t i, n = 0;

	for (i = 0; i < e->t->nroles; i++) {
		if (!e->has_addr[i] || e->binding[i] != BIND_ADDRS)
			continue;
		if (n++ == 0)
			fprintf(out, "%s is an inventory address of ", e->q.peer_text);
		else
			fputs(", ", out);
		fputs(e->t->roles[i].name, out);
	}
	if (n == 0)
		fprintf(out, "%s is in no role's inventory addresses", e->q.peer_text);
	fputc('\n', out);
	for (i = 0, n = 0; i < e->t->nroles; i++) {
		if (!e->has_addr[i] || e->binding[i] == BIND_ADDRS)
			continue;
		fprintf(out, "%s%s", n++ ? ", " : "Roles that mean any address (not bound, or 'any'): ",
			e->t->roles[i].name);
	}
	if (n)
		fputc('\n', out);
}

FWGEN_EXPORT int fwgen_explain_write(struct fwgen_ctx *ctx,
				     const struct fwgen_explain *e, FILE *out)
{
	const char *proto;
	size_t i, groups;

	ARG_CTX(ctx);
	ARG_CHECK(ctx, e);
	ARG_CHECK(ctx, out);
	proto = l4name(e->q.l4proto);

	fprintf(out, "%s/%u ", proto, e->q.port);
	if (e->q.outbound) {
		fputs("from ", out);
		write_host(e, out);
		fputs(" to ", out);
		write_peer(e, out);
	} else {
		fputs("from ", out);
		write_peer(e, out);
		fputs(" to ", out);
		write_host(e, out);
	}
	fprintf(out, ", topology %s: %s\n", e->t->name,
		e->allowed ? "allowed" : "not allowed");
	if (e->q.peer == PEER_ADDR)
		write_address_roles(e, out);
	if (e->redirect_rule) {
		fprintf(out, "\nRedirected to %s/%u before the input chain, by \"%s\" in chain %s",
			proto, e->redirect_rule->redirect_port,
			e->redirect_rule->comment, e->redirect_chain);
		if (e->redirect_flow)
			fprintf(out, " (flow %s)", e->redirect_flow->id);
		fputs(".\n", out);
	}
	for (i = 0, groups = 0; i < e->nadm; i++)
		groups += e->adm[i].kind != FWGEN_EXPLAIN_FLOW || !written_before(e, i);
	if (e->nadm) {
		fprintf(out, "\nAdmitted by%s:\n",
			groups > 1 ? " (the first one decides)" : "");
		for (i = 0; i < e->nadm; i++) {
			if (e->adm[i].kind != FWGEN_EXPLAIN_FLOW || !written_before(e, i))
				write_admission(e, i, out);
		}
	} else if (e->base) {
		/* Audit mode: the policy accepts what enforce mode drops. */
		if (e->base->policy_drop)
			fprintf(out, "\nNo rule accepts it: the %s chain drops it (policy drop)",
				e->base->name);
		else
			fprintf(out, "\nNo rule accepts it: the %s chain would drop it in enforce mode; in audit mode it counts it as refused and accepts it (policy accept)",
				e->base->name);
		for (i = 0; i < e->base->nrules; i++) {
			if (e->base->rules[i].log_prefix) {
				fprintf(out, " after logging it, rate-limited, with the prefix \"%s\"",
					e->base->rules[i].log_prefix);
				break;
			}
		}
		fputs(".\n", out);
	}
	if (e->nmiss) {
		fprintf(out, "\nCatalog flows on %s/%u that do not admit it:\n",
			proto, e->q.port);
		for (i = 0; i < e->nmiss; i++)
			fprintf(out, "  %s (%s)\n      %s\n", e->miss[i].flow->id,
				e->miss[i].flow->description, e->miss[i].reason);
	}
	if (e->allowed && e->base) {
		for (i = 0; i < e->base->nrules; i++) {
			const struct pol_rule *r = &e->base->rules[i];

			if (r->verdict == POL_VERDICT_ACCEPT &&
			    (r->ct_states & POL_CT_ESTABLISHED)) {
				fprintf(out, "\nReplies and related packets then pass \"%s\".\n",
					r->comment);
				break;
			}
		}
	}
	if (ferror(out))
		return ctx_err(ctx, -EIO, "writing the answer failed");
	return 0;
}
