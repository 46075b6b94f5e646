/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fwgen status: reads fwgen's live table once and keeps what it says about
 * itself: the mode (the filter base chains' policy), what it was applied
 * for (the table comment), each flow's counters (the counters of the rules
 * its comment names) and the refused sets' elements with their counters.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include <libnftnl/expr.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>

#include <fwgen/status.h>

#include "nft-canon.h"
#include "readback.h"
#include "render.h"
#include "status-priv.h"
#include "tablename.h"
#include "util.h"
#include "yaml-doc.h"

/* The refused sets fwgen writes: refused_in_v4 ... refused_out_v6. */
static bool refused_set_name(const char *name, bool *out, int *family)
{
	if (!strcmp(name, "refused_in_v4") || !strcmp(name, "refused_in_v6"))
		*out = false;
	else if (!strcmp(name, "refused_out_v4") || !strcmp(name, "refused_out_v6"))
		*out = true;
	else
		return false;
	*family = name[strlen(name) - 1] == '6' ? 6 : 4;
	return true;
}

static int table_comment_cb(const struct nftnl_udata *attr, void *data)
{
	const char **comment = data;

	if (nftnl_udata_type(attr) == NFTNL_UDATA_TABLE_COMMENT &&
	    nftnl_udata_len(attr) > 0) {
		const char *v = nftnl_udata_get(attr);

		/* Only a NUL-terminated string is one. */
		if (v[nftnl_udata_len(attr) - 1] == '\0')
			*comment = v;
	}
	return 0;
}

/*
 * "managed by fwgen; topology T; role a" or "...; roles a, b"
 * (render_table_comment()); the marker alone (an older fwgen) says nothing.
 */
static int parse_applied_for(struct fwgen_status *st, const char *comment)
{
	static const char head[] = FWGEN_TABLE_COMMENT "; topology ";
	const char *p, *semi;
	char *roles, *tok, *save = NULL;

	if (strncmp(comment, head, sizeof(head) - 1) != 0)
		return 0;
	p = comment + sizeof(head) - 1;
	semi = strstr(p, "; role");
	if (!semi)
		return 0;
	st->topology = strndup(p, (size_t)(semi - p));
	if (!st->topology)
		return -ENOMEM;
	p = semi + strlen("; role");
	if (*p == 's')
		p++;
	if (*p == ' ')
		p++;
	roles = strdup(p);
	if (!roles)
		return -ENOMEM;
	for (tok = strtok_r(roles, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		char *dup;

		/* A list cut at nft's comment limit ends in "...": not a role. */
		if (strstr(tok, "..."))
			break;
		dup = strdup(tok);
		if (!dup || array_push(&st->roles, &st->nroles, &st->cap_roles,
				       sizeof(*st->roles)) < 0) {
			free(dup);
			free(roles);
			return -ENOMEM;
		}
		st->roles[st->nroles - 1] = dup;
	}
	free(roles);
	return 0;
}

static int read_table(struct fwgen_status *st, const struct nftnl_table *t)
{
	const char *comment = NULL;
	const void *ud;
	uint32_t len;

	if (!nftnl_table_is_set(t, NFTNL_TABLE_USERDATA))
		return 0;
	ud = nftnl_table_get_data(t, NFTNL_TABLE_USERDATA, &len);
	if (!ud || nftnl_udata_parse(ud, len, table_comment_cb, &comment) < 0 ||
	    !comment)
		return 0;
	return parse_applied_for(st, comment);
}

/* Audit when a filter base chain fwgen hooks accepts what no rule admits. */
static void read_mode(struct fwgen_status *st, const struct nft_objs *o)
{
	size_t i;

	for (i = 0; i < o->nchains; i++) {
		const struct nftnl_chain *c = o->chains[i];
		const char *type;

		if (!nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM) ||
		    !nftnl_chain_is_set(c, NFTNL_CHAIN_POLICY))
			continue;
		type = nftnl_chain_is_set(c, NFTNL_CHAIN_TYPE) ?
			       nftnl_chain_get_str(c, NFTNL_CHAIN_TYPE) :
			       "filter";
		if (strcmp(type, "filter") != 0)
			continue;
		if (nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM) != NF_INET_LOCAL_IN)
			continue;
		st->audit = nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY) == NF_ACCEPT;
	}
}

static struct status_flow *flow_slot(struct fwgen_status *st, const char *id,
				     size_t len)
{
	struct status_flow *f;
	size_t i;

	for (i = 0; i < st->nflows; i++)
		if (strlen(st->flows[i].id) == len &&
		    !strncmp(st->flows[i].id, id, len))
			return &st->flows[i];
	if (array_push(&st->flows, &st->nflows, &st->cap_flows,
		       sizeof(*st->flows)) < 0)
		return NULL;
	f = &st->flows[st->nflows - 1];
	memset(f, 0, sizeof(*f));
	f->id = strndup(id, len);
	if (!f->id) {
		st->nflows--;
		return NULL;
	}
	return f;
}

/*
 * A catalog flow's rules carry a counter and the comment "<flow-id>
 * (<source>)"; baseline rules count nothing. Rules of one flow add up.
 */
static int read_flows(struct fwgen_status *st, const struct nft_objs *o)
{
	char buf[CANON_COMMENT_MAX];
	size_t i;

	for (i = 0; i < o->nrules; i++) {
		const struct nftnl_rule *r = o->rules[i];
		const char *comment = canon_rule_comment(r, buf, sizeof(buf));
		struct nftnl_expr_iter *it;
		struct nftnl_expr *e;
		const char *paren;
		uint64_t pk = 0, by = 0;
		bool counted = false;
		struct status_flow *f;

		if (!comment || !strncmp(comment, "baseline:", 9))
			continue;
		paren = strstr(comment, " (");
		if (!paren || paren == comment)
			continue;
		it = nftnl_expr_iter_create(r);
		if (!it)
			return -ENOMEM;
		while ((e = nftnl_expr_iter_next(it))) {
			if (strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "counter"))
				continue;
			pk += nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_PACKETS);
			by += nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_BYTES);
			counted = true;
		}
		nftnl_expr_iter_destroy(it);
		if (!counted)
			continue;
		f = flow_slot(st, comment, (size_t)(paren - comment));
		if (!f)
			return -ENOMEM;
		f->packets += pk;
		f->bytes += by;
	}
	return 0;
}

struct elem_arg {
	struct fwgen_status *st;
	int family;
	bool out;
	int err;
};

static int elem_counter_cb(struct nftnl_expr *e, void *data)
{
	uint64_t *packets = data;

	if (!strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "counter"))
		*packets += nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_PACKETS);
	return 0;
}

/* Key: address, then protocol and port, each in a 4-byte slot. */
static int refused_elem_cb(struct nftnl_set_elem *e, void *data)
{
	struct elem_arg *a = data;
	size_t alen = a->family == 6 ? 16 : 4;
	struct status_refused *r;
	const uint8_t *key;
	uint32_t len = 0;
	uint64_t packets = 0;

	key = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &len);
	if (!key || len < alen + 8)
		return 0; /* not a key fwgen writes: skip, do not guess */
	nftnl_set_elem_expr_foreach(e, elem_counter_cb, &packets);
	if (array_push(&a->st->refused, &a->st->nrefused, &a->st->cap_refused,
		       sizeof(*a->st->refused)) < 0) {
		a->err = -ENOMEM;
		return -1;
	}
	r = &a->st->refused[a->st->nrefused - 1];
	memset(r, 0, sizeof(*r));
	r->family = a->family;
	r->out = a->out;
	inet_ntop(a->family == 6 ? AF_INET6 : AF_INET, key, r->address,
		  sizeof(r->address));
	r->proto = key[alen];
	r->port = (uint16_t)(key[alen + 4] << 8 | key[alen + 5]);
	r->packets = packets;
	return 0;
}

static int read_refused(struct fwgen_status *st, const struct nft_objs *o)
{
	size_t i;

	for (i = 0; i < o->nsets; i++) {
		struct nftnl_set *s = o->sets[i];
		struct elem_arg a = { st, 0, false, 0 };
		const char *name;

		if (!nftnl_set_is_set(s, NFTNL_SET_NAME))
			continue;
		name = nftnl_set_get_str(s, NFTNL_SET_NAME);
		if (!refused_set_name(name, &a.out, &a.family))
			continue;
		nftnl_set_elem_foreach(s, refused_elem_cb, &a);
		if (a.err)
			return a.err;
	}
	return 0;
}

static int cmp_flow(const void *a, const void *b)
{
	return strcmp(((const struct status_flow *)a)->id,
		      ((const struct status_flow *)b)->id);
}

static int cmp_refused(const void *pa, const void *pb)
{
	const struct status_refused *a = pa, *b = pb;
	int c;

	if (a->packets != b->packets)
		return a->packets > b->packets ? -1 : 1;
	if (a->family != b->family)
		return a->family - b->family;
	if (a->out != b->out)
		return a->out ? 1 : -1;
	c = strcmp(a->address, b->address);
	if (c)
		return c;
	if (a->proto != b->proto)
		return a->proto - b->proto;
	return (int)a->port - (int)b->port;
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

FWGEN_EXPORT int fwgen_status_read(struct fwgen_ctx *ctx, const char *table,
				   struct fwgen_status **out)
{
	struct fwgen_status *st;
	struct nft_objs *o = NULL;
	int ret;

	ARG_CTX(ctx);
	ARG_CHECK(ctx, out);
	if (!table)
		table = FWGEN_DEFAULT_TABLE;
	if ((ret = table_name_check(ctx, table)) < 0)
		return ret;
	ret = readback_table_counts(ctx, table, &o);
	if (ret < 0)
		return ret;
	if (!o->table) {
		nft_objs_free(o);
		return ctx_err(ctx, -ENOENT,
			       "table inet %s is not there: nothing to report",
			       table);
	}
	st = calloc(1, sizeof(*st));
	if (!st || !(st->table = strdup(table))) {
		free(st);
		nft_objs_free(o);
		return ctx_nomem(ctx);
	}
	read_mode(st, o);
	if ((ret = read_table(st, o->table)) < 0 ||
	    (ret = read_flows(st, o)) < 0 ||
	    (ret = read_refused(st, o)) < 0) {
		nft_objs_free(o);
		fwgen_status_free(st);
		return ctx_nomem(ctx);
	}
	nft_objs_free(o);
	if (st->nflows)
		qsort(st->flows, st->nflows, sizeof(*st->flows), cmp_flow);
	if (st->nrefused)
		qsort(st->refused, st->nrefused, sizeof(*st->refused), cmp_refused);
	if (st->nroles)
		qsort(st->roles, st->nroles, sizeof(*st->roles), cmp_strp);
	*out = st;
	return 0;
}

FWGEN_EXPORT void fwgen_status_free(struct fwgen_status *st)
{
	size_t i;

	if (!st)
		return;
	for (i = 0; i < st->nflows; i++)
		free(st->flows[i].id);
	free(st->flows);
	free(st->refused);
	strv_free(st->roles, st->nroles);
	free(st->topology);
	free(st->table);
	free(st);
}

FWGEN_EXPORT const char *fwgen_status_table(const struct fwgen_status *st)
{
	return st ? st->table : NULL;
}

FWGEN_EXPORT enum fwgen_mode fwgen_status_mode(const struct fwgen_status *st)
{
	ARG_CHECK_RET(st, FWGEN_MODE_INVALID);
	return st->audit ? FWGEN_MODE_AUDIT : FWGEN_MODE_ENFORCE;
}

FWGEN_EXPORT const char *fwgen_status_topology(const struct fwgen_status *st)
{
	return st ? st->topology : NULL;
}

FWGEN_EXPORT size_t fwgen_status_role_count(const struct fwgen_status *st)
{
	return st ? st->nroles : 0;
}

FWGEN_EXPORT const char *fwgen_status_role_at(const struct fwgen_status *st,
					      size_t i)
{
	return st && i < st->nroles ? st->roles[i] : NULL;
}

FWGEN_EXPORT size_t fwgen_status_flow_count(const struct fwgen_status *st)
{
	return st ? st->nflows : 0;
}

static const struct status_flow *flow_at(const struct fwgen_status *st,
					 size_t i)
{
	return st && i < st->nflows ? &st->flows[i] : NULL;
}

FWGEN_EXPORT const char *fwgen_status_flow_id(const struct fwgen_status *st,
					      size_t i)
{
	const struct status_flow *f = flow_at(st, i);

	return f ? f->id : NULL;
}

FWGEN_EXPORT uint64_t fwgen_status_flow_packets(const struct fwgen_status *st,
						size_t i)
{
	const struct status_flow *f = flow_at(st, i);

	return f ? f->packets : 0;
}

FWGEN_EXPORT uint64_t fwgen_status_flow_bytes(const struct fwgen_status *st,
					      size_t i)
{
	const struct status_flow *f = flow_at(st, i);

	return f ? f->bytes : 0;
}

FWGEN_EXPORT size_t fwgen_status_refused_count(const struct fwgen_status *st)
{
	return st ? st->nrefused : 0;
}

static const struct status_refused *refused_at(const struct fwgen_status *st,
					       size_t i)
{
	return st && i < st->nrefused ? &st->refused[i] : NULL;
}

FWGEN_EXPORT int fwgen_status_refused_family(const struct fwgen_status *st,
					     size_t i)
{
	const struct status_refused *r = refused_at(st, i);

	return r ? r->family : -EINVAL;
}

FWGEN_EXPORT bool fwgen_status_refused_outbound(const struct fwgen_status *st,
						size_t i)
{
	const struct status_refused *r = refused_at(st, i);

	return r ? r->out : false;
}

FWGEN_EXPORT const char *
fwgen_status_refused_address(const struct fwgen_status *st, size_t i)
{
	const struct status_refused *r = refused_at(st, i);

	return r ? r->address : NULL;
}

FWGEN_EXPORT uint8_t fwgen_status_refused_proto(const struct fwgen_status *st,
						size_t i)
{
	const struct status_refused *r = refused_at(st, i);

	return r ? r->proto : 0;
}

FWGEN_EXPORT uint16_t fwgen_status_refused_port(const struct fwgen_status *st,
						size_t i)
{
	const struct status_refused *r = refused_at(st, i);

	return r ? r->port : 0;
}

FWGEN_EXPORT uint64_t
fwgen_status_refused_packets(const struct fwgen_status *st, size_t i)
{
	const struct status_refused *r = refused_at(st, i);

	return r ? r->packets : 0;
}
