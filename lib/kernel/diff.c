/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fwgen diff: the desired table (nft_build_for_batch() of the policy, its
 * peer sets' elements read from the policy) against the one
 * the kernel holds (readback), one line per difference in nft terms.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include <fwgen/diff.h>

#include "diff.h"
#include "diff-priv.h"
#include "names.h"
#include "nft-canon.h"
#include "nft-types.h"
#include "policy.h"
#include "readback.h"
#include "render.h"
#include "util.h"

/* Above this many cells the rule matching falls back to "all differ". */
#define LCS_MAX_CELLS (4u << 20)

/* Sides */

static const char *chain_str(const struct nftnl_chain *c, uint16_t attr)
{
	return nftnl_chain_is_set(c, attr) ? nftnl_chain_get_str(c, attr) : NULL;
}

static int dset_cmp(const void *a, const void *b)
{
	return strcmp(((const struct dset *)a)->name,
		      ((const struct dset *)b)->name);
}

static int name_idx_cmp(const void *a, const void *b)
{
	return strcmp(((const struct name_idx *)a)->name,
		      ((const struct name_idx *)b)->name);
}

static struct dchain *side_chain(const struct side *s, const char *name)
{
	size_t lo = 0, hi = s->nchains;

	while (name && lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		struct dchain *c = &s->chains[s->byname[mid].idx];
		int r = strcmp(name, c->name);

		if (r == 0)
			return c;
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/*
 * Ties each desired rule to the policy rule it was built from, so "+" lines
 * read exactly as `fwgen print` writes them. nft_build() emits one rule per
 * policy rule in order; a chain where that does not hold (by count or by
 * comment) keeps the text read from the expressions instead.
 */
static void side_bind_policy(struct side *s, const struct fwgen_policy *pol)
{
	char buf[CANON_COMMENT_MAX];
	size_t i, j;

	for (i = 0; pol && i < pol->nchains; i++) {
		const struct pol_chain *pc = &pol->chains[i];
		struct dchain *c = side_chain(s, pc->name);
		bool ok;

		if (!c || c->n != pc->nrules)
			continue;
		ok = true;
		for (j = 0; j < c->n && ok; j++) {
			const char *cm;

			cm = canon_rule_comment(c->rules[j].r, buf, sizeof(buf));
			ok = !pc->rules[j].comment ||
			     (cm && strcmp(cm, pc->rules[j].comment) == 0);
		}
		for (j = 0; j < c->n && ok; j++)
			c->rules[j].pr = &pc->rules[j];
	}
}

static void side_release(struct side *s)
{
	size_t i, j;

	for (i = 0; i < s->nchains; i++) {
		for (j = 0; j < s->chains[i].n; j++)
			free(s->chains[i].rules[j].key);
		free(s->chains[i].rules);
	}
	free(s->chains);
	free(s->byname);
	free(s->sets);
	canon_env_release(&s->env);
	memset(s, 0, sizeof(*s));
}

static int side_init(struct side *s, const struct nft_objs *objs,
		     const struct fwgen_policy *pol)
{
	size_t i;
	int ret;

	memset(s, 0, sizeof(*s));
	s->objs = objs;
	ret = canon_env_init(&s->env, objs);
	if (ret < 0)
		return ret;
	/* A missing table has nothing, whatever came with it. */
	if (!objs || !objs->table)
		return 0;
	for (i = 0; i < objs->nsets; i++) {
		const struct nftnl_set *set = objs->sets[i];
		struct dset *d;

		if (canon_set_is_anonymous(set) || !nftnl_set_is_set(set, NFTNL_SET_NAME))
			continue;
		if (array_push(&s->sets, &s->nsets, &s->cap_sets, sizeof(*s->sets)) < 0)
			return -ENOMEM;
		d = &s->sets[s->nsets - 1];
		d->s = set;
		d->name = nftnl_set_get_str(set, NFTNL_SET_NAME);
		if (nftnl_set_is_set(set, NFTNL_SET_KEY_LEN))
			d->key_len = nftnl_set_get_u32(set, NFTNL_SET_KEY_LEN);
		if (nftnl_set_is_set(set, NFTNL_SET_KEY_TYPE))
			d->key_type = nftnl_set_get_u32(set, NFTNL_SET_KEY_TYPE);
		if (nftnl_set_is_set(set, NFTNL_SET_FLAGS))
			d->flags = nftnl_set_get_u32(set, NFTNL_SET_FLAGS) &
				   SET_FLAGS_CMP;
		if (nftnl_set_is_set(set, NFTNL_SET_DESC_SIZE))
			d->size = nftnl_set_get_u32(set, NFTNL_SET_DESC_SIZE);
		if (i < objs->nlazy)
			d->lazy = &objs->lazy[i];
	}
	if (s->nsets)
		qsort(s->sets, s->nsets, sizeof(*s->sets), dset_cmp);

	for (i = 0; i < objs->nchains; i++) {
		struct dchain *c;

		if (!nftnl_chain_is_set(objs->chains[i], NFTNL_CHAIN_NAME))
			continue;
		if (array_push(&s->chains, &s->nchains, &s->cap_chains,
			       sizeof(*s->chains)) < 0)
			return -ENOMEM;
		c = &s->chains[s->nchains - 1];
		c->c = objs->chains[i];
		c->name = nftnl_chain_get_str(objs->chains[i], NFTNL_CHAIN_NAME);
	}
	if (s->nchains) {
		s->byname = calloc(s->nchains, sizeof(*s->byname));
		if (!s->byname)
			return -ENOMEM;
		for (i = 0; i < s->nchains; i++) {
			s->byname[i].name = s->chains[i].name;
			s->byname[i].idx = i;
		}
		qsort(s->byname, s->nchains, sizeof(*s->byname), name_idx_cmp);
	}

	for (i = 0; i < objs->nrules; i++) {
		const struct nftnl_rule *r = objs->rules[i];
		struct dchain *c;
		struct drule *d;

		c = nftnl_rule_is_set(r, NFTNL_RULE_CHAIN) ?
			    side_chain(s, nftnl_rule_get_str(r, NFTNL_RULE_CHAIN)) :
			    NULL;
		if (!c)
			continue; /* a rule needs its chain: nothing to compare */
		if (array_push(&c->rules, &c->n, &c->cap, sizeof(*c->rules)) < 0)
			return -ENOMEM;
		d = &c->rules[c->n - 1];
		d->r = r;
		ret = canon_rule_key(&s->env, r, &d->key);
		if (ret < 0)
			return ret;
	}
	side_bind_policy(s, pol);
	return 0;
}
/* Output */

FILE *diff_line_start(struct diff *d, char sign, const char *what)
{
	d->n++;
	if (!d->out)
		return NULL;
	fprintf(d->out, "%c %s inet %s", sign, what, d->table);
	return d->out;
}

void diff_line_end(struct diff *d)
{
	if (d->out)
		fputc('\n', d->out);
}

/* Chains */

/* A hook nft has no name for cannot be ours; say so rather than guess. */
static const char *hook_name(uint32_t hook)
{
	const char *name = names_hook(hook);

	return name ? name : "?";
}

struct chain_attrs {
	bool base;
	uint32_t hook;
	int32_t prio;
	const char *type;
	uint32_t policy;
};

static void chain_attrs(const struct nftnl_chain *c, struct chain_attrs *a)
{
	memset(a, 0, sizeof(*a));
	a->base = nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM);
	if (!a->base)
		return;
	a->hook = nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM);
	if (nftnl_chain_is_set(c, NFTNL_CHAIN_PRIO))
		a->prio = nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO);
	a->type = chain_str(c, NFTNL_CHAIN_TYPE);
	if (!a->type)
		a->type = "filter";
	/* A base chain without a policy accepts: the kernel's default. */
	a->policy = nftnl_chain_is_set(c, NFTNL_CHAIN_POLICY) ?
			    nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY) :
			    NF_ACCEPT;
}

static void put_prio(FILE *f, const struct chain_attrs *a)
{
	static const struct {
		int32_t prio;
		const char *name;
	} std[] = {
		{ -300, "raw" },
		{ -150, "mangle" },
		{ 0, "filter" },
		{ 50, "security" },
	};
	size_t i;

	/* nft's names for the standard priorities, where it uses them. */
	if (a->prio == -100 && a->hook == NF_INET_PRE_ROUTING) {
		fputs("dstnat", f);
		return;
	}
	if (a->prio == 100 && a->hook == NF_INET_POST_ROUTING) {
		fputs("srcnat", f);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(std); i++) {
		if (std[i].prio == a->prio) {
			fputs(std[i].name, f);
			return;
		}
	}
	fprintf(f, "%" PRId32, a->prio);
}

static const char *policy_name(uint32_t p)
{
	return p == NF_DROP ? "drop" : p == NF_ACCEPT ? "accept" :
							"?";
}

static void chain_add_line(struct diff *d, const struct dchain *c)
{
	struct chain_attrs a;
	FILE *f = diff_line_start(d, '+', "chain");

	if (f) {
		chain_attrs(c->c, &a);
		fprintf(f, " %s", c->name);
		if (a.base) {
			fprintf(f, " { type %s hook %s priority ", a.type,
				hook_name(a.hook));
			put_prio(f, &a);
			fprintf(f, "; policy %s; }", policy_name(a.policy));
		}
	}
	diff_line_end(d);
}

/*
 * The comment of a table's or chain's userdata, "" when none: a comment
 * added or changed by hand is drift like any other.
 */
static const char *udata_comment(const void *ud, uint32_t len, char *buf,
				 size_t size)
{
	const char *c = canon_udata_comment(ud, len, buf, size);

	return c ? c : "";
}

static const char *chain_comment(const struct nftnl_chain *c, char *buf,
				 size_t size)
{
	const void *ud = NULL;
	uint32_t len = 0;

	if (nftnl_chain_is_set(c, NFTNL_CHAIN_USERDATA))
		ud = nftnl_chain_get_data(c, NFTNL_CHAIN_USERDATA, &len);
	return udata_comment(ud, len, buf, size);
}

static void put_comment_change(FILE *f, const char *sep, const char *have,
			       const char *want)
{
	fprintf(f, "%scomment ", sep);
	if (*have)
		fprintf(f, "\"%s\"", have);
	else
		fputs("none", f);
	fputs(", want ", f);
	if (*want)
		fprintf(f, "\"%s\"", want);
	else
		fputs("none", f);
}

static void chain_change_line(struct diff *d, const struct dchain *want,
			      const struct dchain *have)
{
	char wbuf[CANON_COMMENT_MAX], hbuf[CANON_COMMENT_MAX];
	const char *wc = chain_comment(want->c, wbuf, sizeof(wbuf));
	const char *hc = chain_comment(have->c, hbuf, sizeof(hbuf));
	struct chain_attrs w, h;
	const char *sep = " ";
	FILE *f;

	chain_attrs(want->c, &w);
	chain_attrs(have->c, &h);
	if (w.base == h.base && !strcmp(wc, hc) &&
	    (!w.base || (w.hook == h.hook && w.prio == h.prio &&
			 strcmp(w.type, h.type) == 0 && w.policy == h.policy)))
		return;
	f = diff_line_start(d, '~', "chain");
	if (!f)
		return;
	fprintf(f, " %s:", want->name);
	if (strcmp(wc, hc)) {
		put_comment_change(f, sep, hc, wc);
		sep = "; ";
	}
	if (w.base != h.base || w.hook != h.hook) {
		fprintf(f, "%shook %s, want %s", sep, h.base ? hook_name(h.hook) : "none",
			w.base ? hook_name(w.hook) : "none");
		sep = "; ";
	}
	if (w.base && h.base) {
		if (strcmp(w.type, h.type)) {
			fprintf(f, "%stype %s, want %s", sep, h.type, w.type);
			sep = "; ";
		}
		if (w.prio != h.prio) {
			fprintf(f, "%spriority ", sep);
			put_prio(f, &h);
			fputs(", want ", f);
			put_prio(f, &w);
			sep = "; ";
		}
		/* fwgen's filter base chains accept only in audit mode. */
		if (w.policy != h.policy)
			fprintf(f, "%spolicy %s, want %s (%s mode, want %s)", sep,
				policy_name(h.policy), policy_name(w.policy),
				h.policy == NF_ACCEPT ? "audit" : "enforce",
				w.policy == NF_ACCEPT ? "audit" : "enforce");
	}
	diff_line_end(d);
}

/* Rules */

static int rule_add_line(struct diff *d, const struct dchain *c,
			 const struct drule *r)
{
	FILE *f = diff_line_start(d, '+', "rule");
	int ret = 0;

	if (f) {
		fprintf(f, " %s: ", c->name);
		if (r->pr)
			ret = render_nft_rule(d->pol, r->pr, f);
		else
			ret = canon_rule_text(&d->want.env, r->r, f);
	}
	diff_line_end(d);
	return ret;
}

static int rule_del_line(struct diff *d, const struct dchain *c,
			 const struct drule *r)
{
	FILE *f = diff_line_start(d, '-', "rule");
	int ret = 0;

	if (f) {
		fprintf(f, " %s: ", c->name);
		ret = canon_rule_text(&d->have.env, r->r, f);
		if (nftnl_rule_is_set(r->r, NFTNL_RULE_HANDLE))
			fprintf(f, " (handle %" PRIu64 ")",
				nftnl_rule_get_u64(r->r, NFTNL_RULE_HANDLE));
	}
	diff_line_end(d);
	return ret;
}

static bool rule_eq(const struct drule *a, const struct drule *b)
{
	return strcmp(a->key, b->key) == 0;
}

/* The longest common subsequence table, (n + 1) x (m + 1), row-major. */
struct lcs {
	uint32_t *v;
	size_t m;
};

static uint32_t lcs_at(const struct lcs *l, size_t i, size_t j)
{
	return l->v[i * (l->m + 1) + j];
}

/*
 * The rules of one chain, paired in order by a longest common subsequence
 * of their keys: what is left over is "-" (kernel) and "+" (desired), in
 * chain order. Common head and tail are skipped first, so a hand-made
 * change costs a table the size of the changed stretch only.
 */
static int diff_rules(struct diff *d, const struct dchain *want,
		      const struct dchain *have)
{
	const struct drule *a = have ? have->rules : NULL, *b = want->rules;
	size_t na = have ? have->n : 0, nb = want->n;
	size_t pre = 0, suf = 0, n, m, i, j;
	struct lcs l = { NULL, 0 };
	int ret = 0;

	while (pre < na && pre < nb && rule_eq(&a[pre], &b[pre]))
		pre++;
	while (suf < na - pre && suf < nb - pre &&
	       rule_eq(&a[na - 1 - suf], &b[nb - 1 - suf]))
		suf++;
	n = na - pre - suf;
	m = nb - pre - suf;
	a += pre;
	b += pre;
	/* Past the size limit every leftover rule is simply "-" then "+". */
	if (n && m && (n + 1) <= LCS_MAX_CELLS / (m + 1)) {
		l.m = m;
		l.v = calloc((n + 1) * (m + 1), sizeof(*l.v));
		if (!l.v)
			return -ENOMEM;
		/* Cell (i, j): the common subsequence of a[i..] and b[j..]. */
		for (i = n; i-- > 0;) {
			for (j = m; j-- > 0;) {
				uint32_t down = lcs_at(&l, i + 1, j);
				uint32_t right = lcs_at(&l, i, j + 1);
				uint32_t *cell = &l.v[i * (m + 1) + j];

				if (rule_eq(&a[i], &b[j]))
					*cell = lcs_at(&l, i + 1, j + 1) + 1;
				else
					*cell = down >= right ? down : right;
			}
		}
	}
	i = j = 0;
	while (!ret && (i < n || j < m)) {
		if (l.v && i < n && j < m && rule_eq(&a[i], &b[j])) {
			i++;
			j++;
		} else if (i < n && (j == m || !l.v ||
				     lcs_at(&l, i + 1, j) >= lcs_at(&l, i, j + 1))) {
			ret = rule_del_line(d, have, &a[i++]);
		} else {
			ret = rule_add_line(d, want, &b[j++]);
		}
	}
	free(l.v);
	return ret;
}

static int diff_chains(struct diff *d)
{
	const struct side *w = &d->want, *h = &d->have;
	size_t i;
	int ret = 0;

	for (i = 0; i < w->nchains && !ret; i++) {
		const struct dchain *wc = &w->chains[i];
		const struct dchain *hc = side_chain(h, wc->name);

		if (hc)
			chain_change_line(d, wc, hc);
		else
			chain_add_line(d, wc);
		ret = diff_rules(d, wc, hc);
	}
	/* Chains only the kernel has, by name; their rules go with them. */
	for (i = 0; i < h->nchains && !ret; i++) {
		const struct dchain *hc = &h->chains[h->byname[i].idx];

		if (side_chain(w, hc->name))
			continue;
		diff_line_start(d, '-', "chain");
		if (d->out)
			fprintf(d->out, " %s", hc->name);
		diff_line_end(d);
	}
	return ret;
}

/* The table */

static uint32_t table_flags(const struct nft_objs *o)
{
	if (!o || !o->table || !nftnl_table_is_set(o->table, NFTNL_TABLE_FLAGS))
		return 0;
	/* Dormant is the one flag that changes what the table does. */
	return nftnl_table_get_u32(o->table, NFTNL_TABLE_FLAGS) & NFT_TABLE_F_DORMANT;
}

static const char *table_comment(const struct nft_objs *o, char *buf,
				 size_t size)
{
	const void *ud = NULL;
	uint32_t len = 0;

	if (o && o->table && nftnl_table_is_set(o->table, NFTNL_TABLE_USERDATA))
		ud = nftnl_table_get_data(o->table, NFTNL_TABLE_USERDATA, &len);
	return udata_comment(ud, len, buf, size);
}

static void diff_table(struct diff *d)
{
	char wbuf[CANON_COMMENT_MAX], hbuf[CANON_COMMENT_MAX];
	const char *wc, *hc, *sep = ": ";
	uint32_t w, h;
	FILE *f;

	if (!d->have.objs || !d->have.objs->table) {
		diff_line_start(d, '+', "table");
		diff_line_end(d);
		return;
	}
	w = table_flags(d->want.objs);
	h = table_flags(d->have.objs);
	wc = table_comment(d->want.objs, wbuf, sizeof(wbuf));
	hc = table_comment(d->have.objs, hbuf, sizeof(hbuf));
	if (w == h && !strcmp(wc, hc))
		return;
	f = diff_line_start(d, '~', "table");
	if (f && w != h) {
		fprintf(f, ": flags %s, want %s", h ? "dormant" : "none",
			w ? "dormant" : "none");
		sep = "; ";
	}
	if (f && strcmp(wc, hc))
		put_comment_change(f, sep, hc, wc);
	diff_line_end(d);
}

int diff_objs(struct fwgen_ctx *ctx, const struct fwgen_policy *pol,
	      const struct nft_objs *want, const struct nft_objs *have,
	      FILE *out, size_t *ndiff)
{
	struct diff d = { .ctx = ctx, .pol = pol, .out = out };
	int ret;

	*ndiff = 0;
	if (!want || !want->table ||
	    !nftnl_table_is_set(want->table, NFTNL_TABLE_NAME))
		return ctx_err(ctx, -EINVAL, "diff: the desired side has no table");
	d.table = nftnl_table_get_str(want->table, NFTNL_TABLE_NAME);
	ret = side_init(&d.want, want, pol);
	if (ret == 0)
		ret = side_init(&d.have, have, NULL);
	if (ret == 0) {
		diff_table(&d);
		ret = diff_sets(&d);
	}
	if (ret == 0)
		ret = diff_chains(&d);
	side_release(&d.want);
	side_release(&d.have);
	if (ret == -ENOMEM)
		return ctx_nomem(ctx);
	if (ret == 0 && out && ferror(out))
		ret = -EIO;
	if (ret < 0)
		return ctx_err(ctx, ret, "diff: writing the differences failed");
	*ndiff = d.n;
	return 0;
}

FWGEN_EXPORT int fwgen_policy_diff(struct fwgen_ctx *ctx,
				   const struct fwgen_policy *pol, FILE *out,
				   size_t *ndiff)
{
	struct nft_objs *want = NULL, *have = NULL;
	size_t n = 0;
	int ret;

	ARG_CTX(ctx);
	ARG_CHECK(ctx, pol);

	/* The peer sets' elements come from the policy: see set_spans(). */
	ret = nft_build_for_batch(ctx, pol, &want);
	if (ret < 0)
		return ret;
	ret = readback_table(ctx, pol->table, &have);
	if (ret == 0)
		ret = diff_objs(ctx, pol, want, have, out, &n);
	nft_objs_free(have);
	nft_objs_free(want);
	if (ret == 0 && ndiff)
		*ndiff = n;
	return ret;
}
