/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The policy for hosts still on iptables: ip(6)tables-restore --noflush
 * input that fills fwgen's own chains beside other tools' rules, and
 * ipset restore input for the peer address sets those rules match.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "policy.h"
#include "render.h"

/* The kernel's limits, counted without the terminating NUL. */
#define CHAIN_NAME_MAX 28   /* XT_EXTENSION_MAXNAMELEN - 1 */
#define IPSET_NAME_MAX 31   /* IPSET_MAXNAMELEN - 1 */
#define COMMENT_LEN_MAX 255 /* XT_MAX_COMMENT_LEN - 1 */
#define LOG_PREFIX_MAX 29   /* ipt_LOG: prefix[30] */
#define MULTIPORT_MAX 15    /* XT_MULTI_PORTS; a range takes two */

/*
 * Suffix of the temporary set each peer set is filled under before it is
 * swapped in; live names leave room for it.
 */
#define IPSET_TMP_SUFFIX "-new"
#define IPSET_LIVE_MAX (IPSET_NAME_MAX - (sizeof(IPSET_TMP_SUFFIX) - 1))

/*
 * One fixed maxelem: `create -exist` refuses a set whose parameters differ
 * from the existing one, so the value must not depend on the inventory.
 * 2^20 covers the largest inventories the design plans for (100,000).
 */
#define IPSET_MAXELEM 1048576

#define NAME_BUF 64

/* FNV-1a: a stable, dependency-free hash for shortened names. */
static uint32_t fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

/*
 * prefix + name + suffix in buf. When the name is longer than max allows
 * or has characters outside [A-Za-z0-9_.-] (replaced by '_'), it is cut
 * and a hash of the whole name keeps it apart from every other:
 * "FWGEN-in_tcp_61616-61-b57165".
 */
static void make_name(char *buf, size_t len, const char *prefix,
		      const char *name, const char *suffix, size_t max)
{
	size_t fixed = strlen(prefix) + strlen(suffix), i, n;
	char clean[NAME_BUF];
	bool changed = false;

	for (i = 0; name[i] && i < sizeof(clean) - 1; i++) {
		char c = name[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '_' || c == '.' ||
			  c == '-';

		clean[i] = ok ? c : '_';
		changed |= !ok;
	}
	clean[i] = '\0';
	if (!changed && !name[i] && fixed + i <= max) {
		snprintf(buf, len, "%s%s%s", prefix, clean, suffix);
		return;
	}
	/* Room for "-" and six hex digits. */
	n = max > fixed + 7 ? max - fixed - 7 : 0;
	if (n > i)
		n = i;
	snprintf(buf, len, "%s%.*s-%06x%s", prefix, (int)n, clean,
		 fnv1a(name) & 0xffffffu, suffix);
}

/* The ipset name of a peer set: fwgen-<role>-v4, fwgen-<role>-v6. */
static void ipset_name(const struct pol_set *s, char *buf, size_t len)
{
	make_name(buf, len, "fwgen-", s->role ? s->role : s->name,
		  s->family == 6 ? "-v6" : "-v4", IPSET_LIVE_MAX);
}

/*
 * Whether set i is the _net part of a role whose hash part is also in the
 * policy. ipset keeps one hash:net per role and family: it already stores
 * a host as a /32 (/128) as cheaply as hash:ip would, so the role's two
 * parts load as one set, and only the hash part's rule refers to it.
 */
static bool ipset_folded(const struct fwgen_policy *pol, size_t i)
{
	size_t j;

	for (j = 0; j < pol->nsets && !pol->sets[i].hash; j++)
		if (pol->sets[j].hash && pol->sets[j].net == (int)i)
			return true;
	return false;
}

/* The part of the role's set other than s, or NULL. */
static const struct pol_set *ipset_other_part(const struct fwgen_policy *pol,
					      const struct pol_set *s)
{
	if (!s->hash || s->net < 0 || (size_t)s->net >= pol->nsets)
		return NULL;
	return &pol->sets[s->net];
}

static const char *builtin_chain(enum pol_hook h)
{
	switch (h) {
	case POL_HOOK_INPUT:
		return "INPUT";
	case POL_HOOK_OUTPUT:
		return "OUTPUT";
	case POL_HOOK_PREROUTING:
		return "PREROUTING";
	case POL_HOOK_NONE:
		break;
	}
	return NULL;
}

/* FWGEN-INPUT for a base chain, FWGEN-<name> for a service chain. */
static void chain_name(const struct pol_chain *c, char *buf, size_t len)
{
	if (c->hook != POL_HOOK_NONE)
		snprintf(buf, len, "FWGEN-%s", builtin_chain(c->hook));
	else
		make_name(buf, len, "FWGEN-", c->name, "", CHAIN_NAME_MAX);
}

enum ipt_table {
	IPT_FILTER = 0,
	IPT_NAT,
	IPT_NTABLES,
};

static const char *const table_names[IPT_NTABLES] = { "filter", "nat" };

/*
 * The table a chain lives in: base chains by type; a service chain in the
 * table of the first chain that jumps to it (filter if none does).
 */
static enum ipt_table chain_table(const struct fwgen_policy *pol, size_t idx)
{
	const struct pol_chain *c = &pol->chains[idx];
	size_t i, j, k;

	if (c->hook != POL_HOOK_NONE)
		return c->type == POL_CHAIN_NAT ? IPT_NAT : IPT_FILTER;
	for (i = 0; i < pol->nchains; i++) {
		for (j = 0; j < pol->chains[i].nrules; j++) {
			const struct pol_rule *r = &pol->chains[i].rules[j];

			for (k = 0; k < r->nvmap; k++) {
				if (r->vmap[k].chain == idx && i != idx)
					return pol->chains[i].type == POL_CHAIN_NAT ?
						       IPT_NAT :
						       IPT_FILTER;
			}
		}
	}
	return IPT_FILTER;
}

/* The family a rule applies to: 4, 6, or 0 for both. */
static int rule_family(const struct fwgen_policy *pol, const struct pol_rule *r)
{
	if (r->family)
		return r->family;
	if (r->saddr_set >= 0)
		return pol->sets[r->saddr_set].family;
	if (r->daddr_set >= 0)
		return pol->sets[r->daddr_set].family;
	if (r->l4proto == POL_L4_ICMP)
		return 4;
	if (r->l4proto == POL_L4_ICMPV6)
		return 6;
	return 0;
}

/*
 * A value as iptables-save writes it (libxtables' xtables_save_string):
 * bare when it is only [A-Za-z0-9_-], else double-quoted with '"', '\'
 * and '\'' escaped, so the restore parser reads back exactly this string
 * and saved rules compare equal to ours. A line cannot carry a control
 * character, so those become '_'. At most max bytes, cut on a UTF-8
 * character boundary.
 */
static void print_value(const char *s, size_t max, FILE *out)
{
	size_t n = strlen(s), i;
	bool bare = n > 0;

	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	for (i = 0; i < n && bare; i++) {
		char c = s[i];

		bare = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		       (c >= '0' && c <= '9') || c == '_' || c == '-';
	}
	if (bare && n == strlen(s)) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\' || c == '\'')
			fputc('\\', out);
		fputc(c < 0x20 || c == 0x7f ? '_' : c, out);
	}
	fputc('"', out);
}

static void print_ports(const struct port_range *p, size_t n, FILE *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i)
			fputc(',', out);
		if (p[i].lo == p[i].hi)
			fprintf(out, "%u", p[i].lo);
		else
			fprintf(out, "%u:%u", p[i].lo, p[i].hi);
	}
}

static const char *l4_name(uint8_t l4, int family)
{
	/* A rule with ICMP types but no protocol still needs -p. */
	if (!l4)
		l4 = family == 6 ? POL_L4_ICMPV6 : POL_L4_ICMP;
	return render_l4_name(l4);
}

/* What varies between the lines one IR rule becomes. */
struct line {
	const struct port_range *ports; /* this line's share of the dports */
	size_t nports;
	int icmp_type;			  /* -1 none */
	const struct pol_vmap_elem *vmap; /* the element this line jumps for */
	bool log;			  /* -j LOG, not the rule's verdict */
	bool helper;			  /* -j CT --helper, in the raw table */
};

/* The kernel helper a rule's `ct helper set` object names. */
static const char *helper_type(const struct fwgen_policy *pol, const char *name)
{
	size_t i;

	for (i = 0; i < pol->nhelpers; i++) {
		if (strcmp(pol->helpers[i].name, name) == 0)
			return pol->helpers[i].type;
	}
	return name;
}

static void print_line(const struct fwgen_policy *pol, const char *chain,
		       const struct pol_rule *r, int family,
		       const struct line *ln, FILE *out)
{
	static const struct {
		unsigned int bit;
		const char *name;
	} ct[] = {
		/* The order conntrack prints them in, as iptables-save shows. */
		{ POL_CT_INVALID, "INVALID" },
		{ POL_CT_NEW, "NEW" },
		{ POL_CT_RELATED, "RELATED" },
		{ POL_CT_ESTABLISHED, "ESTABLISHED" },
	};
	char name[NAME_BUF];
	uint8_t l4 = ln->vmap ? ln->vmap->l4proto : r->l4proto;
	bool first = true;
	size_t i;

	fprintf(out, "-A %s", chain);
	if (r->iface == POL_IFACE_IIF_LO)
		fputs(" -i lo", out);
	else if (r->iface == POL_IFACE_OIF_LO)
		fputs(" -o lo", out);
	if (l4 || r->nicmp_types)
		fprintf(out, " -p %s", l4_name(l4, family));
	if (r->saddr_set >= 0) {
		ipset_name(&pol->sets[r->saddr_set], name, sizeof(name));
		fprintf(out, " -m set --match-set %s src", name);
	}
	if (r->daddr_set >= 0) {
		ipset_name(&pol->sets[r->daddr_set], name, sizeof(name));
		fprintf(out, " -m set --match-set %s dst", name);
	}
	if (ln->vmap) {
		fprintf(out, " -m %s --dport ", l4_name(l4, family));
		print_ports(&ln->vmap->ports, 1, out);
	} else if (ln->nports == 1) {
		fprintf(out, " -m %s --dport ", l4_name(l4, family));
		print_ports(ln->ports, 1, out);
	} else if (ln->nports > 1) {
		fputs(" -m multiport --dports ", out);
		print_ports(ln->ports, ln->nports, out);
	}
	if (ln->icmp_type >= 0)
		fprintf(out, family == 6 ? " -m icmp6 --icmpv6-type %d" : " -m icmp --icmp-type %d",
			ln->icmp_type);
	if (r->ct_states) {
		fputs(" -m conntrack --ctstate ", out);
		for (i = 0; i < sizeof(ct) / sizeof(ct[0]); i++) {
			if (!(r->ct_states & ct[i].bit))
				continue;
			fprintf(out, "%s%s", first ? "" : ",", ct[i].name);
			first = false;
		}
	}
	if (r->has_limit)
		fprintf(out, " -m limit --limit %u/%s --limit-burst %u",
			r->limit_rate,
			r->limit_unit == POL_PER_MINUTE ? "min" : "sec",
			r->limit_burst);
	if (r->comment) {
		fputs(" -m comment --comment ", out);
		print_value(r->comment, COMMENT_LEN_MAX, out);
	}
	if (ln->log) {
		fputs(" -j LOG --log-prefix ", out);
		print_value(r->log_prefix, LOG_PREFIX_MAX, out);
	} else if (ln->helper) {
		fputs(" -j CT --helper ", out);
		print_value(helper_type(pol, r->ct_helper), NAME_BUF, out);
	} else if (ln->vmap) {
		chain_name(&pol->chains[ln->vmap->chain], name, sizeof(name));
		fprintf(out, " -j %s", name);
	} else {
		switch (r->verdict) {
		case POL_VERDICT_ACCEPT:
			fputs(" -j ACCEPT", out);
			break;
		case POL_VERDICT_DROP:
			fputs(" -j DROP", out);
			break;
		case POL_VERDICT_REDIRECT:
			fprintf(out, " -j REDIRECT --to-ports %u", r->redirect_port);
			break;
		case POL_VERDICT_NONE:
		case POL_VERDICT_VMAP:
			break;
		}
	}
	fputc('\n', out);
}

/* The lines of one target (LOG or the verdict) over every port chunk. */
static void print_target(const struct fwgen_policy *pol, const char *chain,
			 const struct pol_rule *r, int family, bool log,
			 bool helper, FILE *out)
{
	struct line ln = { .icmp_type = -1, .log = log, .helper = helper };
	size_t i, slots;

	if (!log && !helper && r->verdict == POL_VERDICT_VMAP) {
		/* One rule per element: iptables has no verdict maps. */
		for (i = 0; i < r->nvmap; i++) {
			ln.vmap = &r->vmap[i];
			print_line(pol, chain, r, family, &ln, out);
		}
		return;
	}
	if (r->nicmp_types) {
		/* The icmp match takes one type. */
		for (i = 0; i < r->nicmp_types; i++) {
			ln.icmp_type = r->icmp_types[i];
			print_line(pol, chain, r, family, &ln, out);
		}
		return;
	}
	if (r->ndports <= 1) {
		ln.ports = r->dports;
		ln.nports = r->ndports;
		print_line(pol, chain, r, family, &ln, out);
		return;
	}
	/* multiport takes 15 ports, a range counting twice: split beyond. */
	for (i = 0; i < r->ndports; i += ln.nports) {
		ln.ports = &r->dports[i];
		ln.nports = 0;
		slots = 0;
		while (i + ln.nports < r->ndports) {
			const struct port_range *p = &r->dports[i + ln.nports];
			size_t need = p->lo == p->hi ? 1 : 2;

			if (slots + need > MULTIPORT_MAX)
				break;
			slots += need;
			ln.nports++;
		}
		print_line(pol, chain, r, family, &ln, out);
	}
}

/*
 * One IR rule as iptables lines. A rule that both logs and decides is two
 * rules with the same matches (LOG does not end evaluation); the two limit
 * matches then count the same packets.
 */
static void print_rule(const struct fwgen_policy *pol, const char *chain,
		       const struct pol_rule *r, int family, FILE *out)
{
	/* iptables has no set the kernel fills with counters: not recorded. */
	if (r->refused)
		return;
	if (r->log_prefix)
		print_target(pol, chain, r, family, true, false, out);
	if ((!r->log_prefix && !r->ct_helper) || r->verdict != POL_VERDICT_NONE)
		print_target(pol, chain, r, family, false, false, out);
}

/* Text in a "# " line: a newline in it would start a command of its own. */
static void print_comment_text(const char *s, FILE *out)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		fputc(c < 0x20 || c == 0x7f ? '_' : c, out);
	}
}

static void print_header(const struct fwgen_policy *pol, const char *what,
			 FILE *out)
{
	size_t i;

	fprintf(out, "# fwgen %s: topology ", FWGEN_VERSION);
	print_comment_text(pol->topology ? pol->topology : "?", out);
	fprintf(out, ", host role%s", pol->nroles > 1 ? "s" : "");
	for (i = 0; i < pol->nroles; i++) {
		fputs(i ? ", " : " ", out);
		print_comment_text(pol->roles[i], out);
	}
	fprintf(out, "\n# egress: %s\n", pol->egress_filtered ? "filtered" : "open");
	/* iptables and ip6tables refuse audit; the ipset sets are the same in both. */
	fprintf(out, "# mode: %s\n", pol->audit ? "audit" : "enforce");
	for (i = 0; i < pol->nnotes; i++) {
		fputs("# ", out);
		print_comment_text(pol->notes[i], out);
		fputc('\n', out);
	}
	fprintf(out, "# %s\n", what);
}

/*
 * The chain of table t whose name follows prev (NULL: the first), in the
 * name order iptables-save lists chains in, so that saved rules compare
 * equal to these line for line. Names are unique per table (validate()).
 */
static bool next_chain(const struct fwgen_policy *pol, enum ipt_table t,
		       const char *prev, size_t *idx, char *name, size_t len)
{
	char buf[NAME_BUF];
	bool found = false;
	size_t i;

	for (i = 0; i < pol->nchains; i++) {
		if (chain_table(pol, i) != t)
			continue;
		chain_name(&pol->chains[i], buf, sizeof(buf));
		if (prev && strcmp(buf, prev) <= 0)
			continue;
		if (found && strcmp(buf, name) >= 0)
			continue;
		snprintf(name, len, "%s", buf);
		*idx = i;
		found = true;
	}
	return found;
}

static void print_chain(const struct fwgen_policy *pol,
			const struct pol_chain *c, const char *name,
			int family, FILE *out)
{
	size_t j;

	for (j = 0; j < c->nrules; j++) {
		int fam = rule_family(pol, &c->rules[j]);

		/* The twin's addresses are in the ipset of the rule before. */
		if (c->rules[j].net &&
		    ipset_folded(pol, (size_t)pol_rule_peer_set(&c->rules[j])))
			continue;
		if (fam == 0 || fam == family)
			print_rule(pol, name, &c->rules[j], family, out);
	}
	/*
	 * The built-in chain's policy is shared with every other tool on the
	 * host, so fwgen leaves it alone: its own chain ends in the DROP
	 * instead (after the rate-limited LOG the policy puts before it),
	 * which drops exactly what the nft policy drop would.
	 */
	if (c->hook != POL_HOOK_NONE && c->policy_drop)
		fprintf(out, "-A %s -m comment --comment \"fwgen: policy drop\" -j DROP\n",
			name);
}

static void print_table(const struct fwgen_policy *pol, enum ipt_table t,
			int family, FILE *out)
{
	char name[NAME_BUF], prev[NAME_BUF];
	const char *after;
	size_t i;

	fprintf(out, "*%s\n", table_names[t]);
	/*
	 * Declaring a chain creates it, or under --noflush empties it: only
	 * fwgen's chains are flushed. The built-in chains are not declared,
	 * so their policies and other tools' rules stay as they are.
	 */
	for (after = NULL; next_chain(pol, t, after, &i, name, sizeof(name));
	     after = prev) {
		fprintf(out, ":%s - [0:0]\n", name);
		memcpy(prev, name, sizeof(prev));
	}
	for (after = NULL; next_chain(pol, t, after, &i, name, sizeof(name));
	     after = prev) {
		print_chain(pol, &pol->chains[i], name, family, out);
		memcpy(prev, name, sizeof(prev));
	}
	/*
	 * The jumps from the built-in chains, first in them. A restore file
	 * cannot ask whether a rule exists, so loading it again adds a second
	 * jump; that one is never reached (fwgen's chain decides every
	 * packet) and docs/iptables.md shows how to remove it.
	 */
	for (i = 0; i < pol->nchains; i++) {
		const struct pol_chain *c = &pol->chains[i];

		if (c->hook == POL_HOOK_NONE || chain_table(pol, i) != t)
			continue;
		chain_name(c, name, sizeof(name));
		fprintf(out, "-I %s 1 -j %s\n", builtin_chain(c->hook), name);
	}
	fputs("COMMIT\n", out);
}

/*
 * Conntrack helpers: iptables assigns them with the CT target in the raw
 * table, on the packet before conntrack sees it, matching what the nft
 * rule matches (the request to the original port, before a redirect).
 */
static void print_raw(const struct fwgen_policy *pol, int family, FILE *out)
{
	static const char chain[] = "FWGEN-PREROUTING";
	bool any = false;
	size_t i, j;

	for (i = 0; i < pol->nchains; i++) {
		const struct pol_chain *c = &pol->chains[i];

		for (j = 0; j < c->nrules; j++) {
			const struct pol_rule *r = &c->rules[j];
			int fam = rule_family(pol, r);

			if (!r->ct_helper || c->hook != POL_HOOK_PREROUTING ||
			    (fam && fam != family))
				continue;
			if (!any)
				fprintf(out, "*raw\n:%s - [0:0]\n", chain);
			any = true;
			print_target(pol, chain, r, family, false, true, out);
		}
	}
	if (any)
		fprintf(out, "-I PREROUTING 1 -j %s\nCOMMIT\n", chain);
}

/*
 * Refuses, before anything is written, what iptables cannot express or
 * what would load as something else than the policy says.
 */
static int validate(struct fwgen_ctx *ctx, const struct fwgen_policy *pol)
{
	char a[NAME_BUF], b[NAME_BUF];
	size_t i, j, k;

	for (i = 0; i < pol->nsets; i++) {
		if (pol->sets[i].family != 4 && pol->sets[i].family != 6)
			return ctx_err(ctx, -EINVAL, "set %s: family %d is not 4 or 6",
				       pol->sets[i].name, pol->sets[i].family);
		if (ipset_folded(pol, i))
			continue;
		ipset_name(&pol->sets[i], a, sizeof(a));
		for (j = 0; j < i; j++) {
			if (ipset_folded(pol, j))
				continue;
			ipset_name(&pol->sets[j], b, sizeof(b));
			if (strcmp(a, b) == 0)
				return ctx_err(ctx, -EINVAL, "sets %s and %s would both be ipset %s",
					       pol->sets[j].name, pol->sets[i].name, a);
		}
	}
	for (i = 0; i < pol->nchains; i++) {
		const struct pol_chain *c = &pol->chains[i];

		if (c->hook != POL_HOOK_NONE) {
			if (!builtin_chain(c->hook))
				return ctx_err(ctx, -EINVAL, "chain %s: unknown hook %d",
					       c->name, (int)c->hook);
			if (c->hook == POL_HOOK_PREROUTING && c->type != POL_CHAIN_NAT)
				return ctx_err(ctx, -EOPNOTSUPP,
					       "chain %s: a filter chain at prerouting has no iptables table here",
					       c->name);
		}
		chain_name(c, a, sizeof(a));
		for (j = 0; j < i; j++) {
			chain_name(&pol->chains[j], b, sizeof(b));
			if (strcmp(a, b) == 0 && chain_table(pol, i) == chain_table(pol, j))
				return ctx_err(ctx, -EINVAL, "chains %s and %s would both be %s",
					       pol->chains[j].name, c->name, a);
		}
		for (j = 0; j < c->nrules; j++) {
			const struct pol_rule *r = &c->rules[j];

			if (r->saddr_set >= (int)pol->nsets ||
			    r->daddr_set >= (int)pol->nsets)
				return ctx_err(ctx, -EINVAL, "chain %s, rule %zu: no such set",
					       c->name, j + 1);
			if (r->ndports && r->l4proto != POL_L4_TCP &&
			    r->l4proto != POL_L4_UDP)
				return ctx_err(ctx, -EINVAL, "chain %s, rule %zu: ports without tcp or udp",
					       c->name, j + 1);
			if (r->ct_helper && c->hook != POL_HOOK_PREROUTING)
				return ctx_err(ctx, -EOPNOTSUPP,
					       "chain %s, rule %zu: iptables assigns a ct helper only at prerouting (raw table)",
					       c->name, j + 1);
			if (r->verdict == POL_VERDICT_REDIRECT &&
			    (c->type != POL_CHAIN_NAT || !r->ndports))
				return ctx_err(ctx, -EINVAL, "chain %s, rule %zu: REDIRECT needs a nat chain and a port match",
					       c->name, j + 1);
			for (k = 0; k < r->nvmap; k++) {
				const struct pol_vmap_elem *e = &r->vmap[k];

				if (e->chain >= pol->nchains ||
				    pol->chains[e->chain].hook != POL_HOOK_NONE)
					return ctx_err(ctx, -EINVAL, "chain %s, rule %zu: no such service chain",
						       c->name, j + 1);
				if ((e->l4proto != POL_L4_TCP && e->l4proto != POL_L4_UDP) ||
				    r->ndports || (r->l4proto && r->l4proto != e->l4proto))
					return ctx_err(ctx, -EINVAL, "chain %s, rule %zu: a dispatch element needs tcp or udp and no other port match",
						       c->name, j + 1);
			}
		}
	}
	return 0;
}

int render_iptables(struct fwgen_ctx *ctx, const struct fwgen_policy *pol,
		    int family, FILE *out)
{
	bool used[IPT_NTABLES] = { false };
	size_t i;
	int ret, t;

	if (family != 4 && family != 6)
		return ctx_err(ctx, -EINVAL, "iptables output: family %d is not 4 or 6", family);
	/*
	 * Audit needs what only nftables has: a set the drop path fills, with
	 * a counter per element. Half an audit would mislead: refuse it.
	 */
	if (pol->audit)
		return ctx_err(ctx, -EOPNOTSUPP,
			       "audit mode needs nftables: the %s format cannot record what would be refused (render it as nft or JSON, or in enforce mode)",
			       family == 4 ? "iptables" : "ip6tables");
	ret = validate(ctx, pol);
	if (ret < 0)
		return ret;
	if (family == 4)
		print_header(pol, "iptables-restore --noflush input; load `fwgen print --format ipset` first (docs/iptables.md)",
			     out);
	else
		print_header(pol, "ip6tables-restore --noflush input; load `fwgen print --format ipset` first (docs/iptables.md)",
			     out);
	for (i = 0; i < pol->nchains; i++)
		used[chain_table(pol, i)] = true;
	for (t = 0; t < IPT_NTABLES; t++) {
		if (used[t])
			print_table(pol, (enum ipt_table)t, family, out);
	}
	print_raw(pol, family, out);
	if (ferror(out))
		return ctx_err(ctx, -EIO, "writing the ruleset failed");
	return 0;
}

/* Big-endian address arithmetic for splitting ranges into prefixes. */
static bool addr_bit(const uint8_t *a, unsigned int i)
{
	return a[i / 8] & (0x80 >> (i % 8));
}

static void addr_set_low_bits(uint8_t *a, unsigned int bits, unsigned int k)
{
	unsigned int i;

	for (i = bits - k; i < bits; i++)
		a[i / 8] |= (uint8_t)(0x80 >> (i % 8));
}

static void print_prefix(const char *set, int family, const uint8_t *a,
			 unsigned int plen, FILE *out)
{
	char buf[INET6_ADDRSTRLEN];

	inet_ntop(family == 4 ? AF_INET : AF_INET6, a, buf, sizeof(buf));
	/* A host bare, as `ipset save` writes it. */
	if (plen == (family == 4 ? 32u : 128u))
		fprintf(out, "add %s %s\n", set, buf);
	else
		fprintf(out, "add %s %s/%u\n", set, buf, plen);
}

/*
 * An interval as the fewest CIDR prefixes: hash:net stores prefixes only
 * (IPv6 ranges are not accepted at all), and not /0, which becomes two /1.
 * Returns the number of prefixes; out NULL only counts.
 */
static size_t print_interval(const char *set, int family,
			     const struct addr_interval *iv, FILE *out)
{
	unsigned int bits = family == 4 ? 32 : 128, k;
	size_t bytes = addr_bytes(family), count = 0;
	uint8_t lo[16], end[16];

	memcpy(lo, iv->lo, sizeof(lo));
	for (;;) {
		/* The largest block aligned at lo that ends at or before hi. */
		for (k = 0; k < bits && !addr_bit(lo, bits - 1 - k); k++)
			;
		for (;; k--) {
			memcpy(end, lo, sizeof(end));
			addr_set_low_bits(end, bits, k);
			if (memcmp(end, iv->hi, bytes) <= 0)
				break;
		}
		if (k == bits) {
			uint8_t half[16] = { 0x80 };

			if (out) {
				print_prefix(set, family, lo, 1, out);
				print_prefix(set, family, half, 1, out);
			}
			return count + 2;
		}
		if (out)
			print_prefix(set, family, lo, bits - k, out);
		count++;
		if (memcmp(end, iv->hi, bytes) == 0)
			return count;
		memcpy(lo, end, sizeof(lo));
		addr_increment(lo, bytes);
	}
}

int render_ipset(struct fwgen_ctx *ctx, const struct fwgen_policy *pol,
		 FILE *out)
{
	char name[NAME_BUF], tmp[NAME_BUF + sizeof(IPSET_TMP_SUFFIX)];
	size_t i, j, n;
	int ret;

	ret = validate(ctx, pol);
	if (ret < 0)
		return ret;
	for (i = 0; i < pol->nsets; i++) {
		const struct pol_set *s = &pol->sets[i], *o = ipset_other_part(pol, s);

		if (ipset_folded(pol, i))
			continue;
		for (j = 0, n = 0; j < s->nelems; j++)
			n += print_interval(NULL, s->family, &s->elems[j], NULL);
		for (j = 0; o && j < o->nelems; j++)
			n += print_interval(NULL, o->family, &o->elems[j], NULL);
		if (n > IPSET_MAXELEM)
			return ctx_err(ctx, -E2BIG, "set %s: %zu prefixes, ipset holds at most %d",
				       s->name, n, IPSET_MAXELEM);
	}
	print_header(pol, "ipset restore input: load it before the iptables and ip6tables rules", out);
	fputs("# Each set is filled under a temporary name and swapped in, so rules\n"
	      "# matching it never see it half filled; -exist lets it load again.\n",
	      out);
	for (i = 0; i < pol->nsets; i++) {
		const struct pol_set *s = &pol->sets[i], *o = ipset_other_part(pol, s);
		const char *fam = s->family == 6 ? "inet6" : "inet";
		size_t k = 0, bytes = addr_bytes(s->family);

		if (ipset_folded(pol, i))
			continue;
		ipset_name(s, name, sizeof(name));
		snprintf(tmp, sizeof(tmp), "%s%s", name, IPSET_TMP_SUFFIX);
		fprintf(out, "create %s hash:net family %s maxelem %d -exist\n",
			name, fam, IPSET_MAXELEM);
		fprintf(out, "create %s hash:net family %s maxelem %d -exist\n",
			tmp, fam, IPSET_MAXELEM);
		fprintf(out, "flush %s\n", tmp);
		/* Both parts in address order, as one sorted list. */
		for (j = 0; j < s->nelems || (o && k < o->nelems);) {
			if (o && k < o->nelems &&
			    (j == s->nelems ||
			     memcmp(o->elems[k].lo, s->elems[j].lo, bytes) < 0))
				print_interval(tmp, s->family, &o->elems[k++], out);
			else
				print_interval(tmp, s->family, &s->elems[j++], out);
		}
		fprintf(out, "swap %s %s\n", tmp, name);
		fprintf(out, "destroy %s\n", tmp);
	}
	if (ferror(out))
		return ctx_err(ctx, -EIO, "writing the ipset sets failed");
	return 0;
}
