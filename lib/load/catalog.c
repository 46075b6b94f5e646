/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Loads product catalog files (one topology each) into the model and checks
 * every reference in them, so resolve never meets a dangling name.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "model.h"
#include "util.h"
#include "yaml-doc.h"

/*
 * Bounds on what one product file may declare: far above any real product,
 * low enough that resolve, whose work grows with flows x roles x ports,
 * stays fast on a file written to make it slow.
 */
#define CAT_MAX_NAMES 256 /* roles, params, options, documents, tables */
#define CAT_MAX_FLOWS 2048
#define CAT_MAX_LIST 64 /* ports, sources, conditions, defaults of one entry */

struct loader {
	struct fwgen_ctx *ctx;
	struct yd_doc *doc;
	struct fwgen_topology *t;
	const struct yd_node *single; /* as_list()'s list of one */
};

static int err_at(struct loader *l, const struct yd_node *n, int err,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int err_at(struct loader *l, const struct yd_node *n, int err,
		  const char *fmt, ...)
{
	struct src_loc loc = yd_loc(l->doc, n);
	char msg[FWGEN_ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ctx_err_at(l->ctx, err, &loc, "%s", msg);
}

static int want_at_most(struct loader *l, const struct yd_node *n,
			size_t count, size_t max, const char *what)
{
	if (count <= max)
		return 0;
	return err_at(l, n, -E2BIG, "more than %zu %s", max, what);
}

static int want_name(struct loader *l, const struct yd_node *n,
		     const char *what)
{
	if (n->type != YD_SCALAR || !yd_is_name(n->value, YD_NAME_MAX))
		return err_at(l, n, -EINVAL,
			      "%s must be a name of lowercase letters, digits, '-' and '_' (at most %d)",
			      what, YD_NAME_MAX);
	return 0;
}

static int load_documents(struct loader *l, const struct yd_node *map)
{
	static const char *const keys[] = { "file", "title", "tables", NULL };
	struct fwgen_topology *t = l->t;
	size_t i, j;
	int ret;

	if ((ret = yd_want(l->ctx, l->doc, map, YD_MAP, "'documents'")) < 0 ||
	    (ret = want_at_most(l, map, yd_map_size(map), CAT_MAX_NAMES, "documents")) < 0)
		return ret;
	t->docs = calloc(yd_map_size(map) + 1, sizeof(*t->docs));
	if (!t->docs)
		return ctx_nomem(l->ctx);
	for (i = 0; i < yd_map_size(map); i++) {
		const struct yd_node *k = map->items[2 * i], *v = map->items[2 * i + 1];
		struct document *d = &t->docs[t->ndocs];
		const struct yd_node *n, *tables;

		if ((ret = want_name(l, k, "a document name")) < 0 ||
		    (ret = yd_want(l->ctx, l->doc, v, YD_MAP, "a document")) < 0 ||
		    (ret = yd_check_keys(l->ctx, l->doc, v, "a document", keys)) < 0)
			return ret;
		d->name = strdup(k->value);
		t->ndocs++;
		if (!d->name)
			return ctx_nomem(l->ctx);
		if ((ret = yd_require(l->ctx, l->doc, v, "file", "a document", &n)) < 0 ||
		    (ret = yd_text(l->ctx, l->doc, n, "'file'", &d->file)) < 0)
			return ret;
		n = yd_map_get(v, "title");
		if (n && (ret = yd_text(l->ctx, l->doc, n, "'title'", &d->title)) < 0)
			return ret;
		if ((ret = yd_require(l->ctx, l->doc, v, "tables", "a document", &tables)) < 0 ||
		    (ret = yd_want(l->ctx, l->doc, tables, YD_MAP, "'tables'")) < 0 ||
		    (ret = want_at_most(l, tables, yd_map_size(tables), CAT_MAX_NAMES,
					"tables in a document")) < 0)
			return ret;
		d->tables = calloc(yd_map_size(tables) + 1, sizeof(*d->tables));
		if (!d->tables)
			return ctx_nomem(l->ctx);
		for (j = 0; j < yd_map_size(tables); j++) {
			struct doc_table *dt = &d->tables[d->ntables];

			if ((ret = want_name(l, tables->items[2 * j], "a table name")) < 0)
				return ret;
			dt->name = strdup(tables->items[2 * j]->value);
			d->ntables++;
			if (!dt->name)
				return ctx_nomem(l->ctx);
			ret = yd_text(l->ctx, l->doc, tables->items[2 * j + 1],
				      "a table title", &dt->title);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

/*
 * Peer roles every topology has, for the baseline rather than for a seed
 * row: where management SSH comes from, and the DNS and NTP servers that a
 * host with filtered egress may still reach.
 */
static const struct {
	const char *name;
	const char *description;
} implied_roles[] = {
	{ "admin", "where management SSH comes from" },
	{ "dns-server", "DNS servers (reached when egress is filtered)" },
	{ "time-source", "NTP servers (reached when egress is filtered)" },
};

static int add_implied_roles(struct loader *l, const struct yd_node *map)
{
	struct fwgen_topology *t = l->t;
	size_t i, idx;

	for (i = 0; i < ARRAY_SIZE(implied_roles); i++) {
		struct role *r;

		if (topology_role_index(t, implied_roles[i].name, &idx) == 0) {
			if (t->roles[idx].host)
				return err_at(l, map, -EINVAL,
					      "the role '%s' (%s) must be a peer role",
					      implied_roles[i].name,
					      implied_roles[i].description);
			continue;
		}
		r = &t->roles[t->nroles];
		r->name = strdup(implied_roles[i].name);
		r->description = strdup(implied_roles[i].description);
		t->nroles++;
		if (!r->name || !r->description)
			return ctx_nomem(l->ctx);
	}
	return 0;
}

/* A catalog section of named entries: roles, params or options. */
struct section {
	const char *title;	 /* "'roles'" */
	const char *plural;	 /* "roles" */
	const char *name_what;	 /* "a role name" */
	const char *what;	 /* "a role" */
	const char *required;	 /* the key every entry must have */
	const char *const *keys; /* the keys an entry may have */
};

/*
 * Checks that map is a section of at most CAT_MAX_NAMES entries and returns
 * a zeroed array for them and extra more, or NULL with *ret set.
 */
static void *section_open(struct loader *l, const struct yd_node *map,
			  const struct section *s, size_t extra, size_t size,
			  int *ret)
{
	void *v;

	if ((*ret = yd_want(l->ctx, l->doc, map, YD_MAP, s->title)) < 0 ||
	    (*ret = want_at_most(l, map, yd_map_size(map), CAT_MAX_NAMES,
				 s->plural)) < 0)
		return NULL;
	v = calloc(yd_map_size(map) + extra, size);
	if (!v)
		*ret = ctx_nomem(l->ctx);
	return v;
}

/* Entry k: v of a section: a name, a mapping of allowed keys, *req given. */
static int section_entry(struct loader *l, const struct section *s,
			 const struct yd_node *k, const struct yd_node *v,
			 const struct yd_node **req)
{
	int ret;

	if ((ret = want_name(l, k, s->name_what)) < 0 ||
	    (ret = yd_want(l->ctx, l->doc, v, YD_MAP, s->what)) < 0 ||
	    (ret = yd_check_keys(l->ctx, l->doc, v, s->what, s->keys)) < 0)
		return ret;
	return yd_require(l->ctx, l->doc, v, s->required, s->what, req);
}

static int load_roles(struct loader *l, const struct yd_node *map)
{
	static const char *const keys[] = {
		"kind", "description", "no_inbound", NULL
	};
	static const struct section sec = {
		"'roles'", "roles", "a role name", "a role", "kind", keys
	};
	struct fwgen_topology *t = l->t;
	size_t i;
	int ret;

	t->roles = section_open(l, map, &sec, ARRAY_SIZE(implied_roles),
				sizeof(*t->roles), &ret);
	if (!t->roles)
		return ret;
	for (i = 0; i < yd_map_size(map); i++) {
		const struct yd_node *k = map->items[2 * i], *v = map->items[2 * i + 1];
		struct role *r = &t->roles[t->nroles];
		const struct yd_node *n;

		if ((ret = section_entry(l, &sec, k, v, &n)) < 0)
			return ret;
		if (n->type != YD_SCALAR ||
		    (strcmp(n->value, "host") && strcmp(n->value, "peer")))
			return err_at(l, n, -EINVAL, "%s", "a role's kind must be host or peer");
		r->host = strcmp(n->value, "host") == 0;
		r->name = strdup(k->value);
		t->nroles++;
		if (!r->name)
			return ctx_nomem(l->ctx);
		n = yd_map_get(v, "description");
		if (n && (ret = yd_text(l->ctx, l->doc, n, "'description'",
					&r->description)) < 0)
			return ret;
		/*
		 * A host role whose policy admits no catalog flow is a trap
		 * (issue 15) unless the catalog says it is meant so.
		 */
		n = yd_map_get(v, "no_inbound");
		if (n && !r->host)
			return err_at(l, n, -EINVAL, "%s",
				      "'no_inbound' is for host roles: a peer role has no ruleset");
		if (n && (ret = yd_text(l->ctx, l->doc, n, "'no_inbound'",
					&r->no_inbound)) < 0)
			return ret;
	}
	return add_implied_roles(l, map);
}

static int load_params(struct loader *l, const struct yd_node *map)
{
	static const char *const keys[] = { "default", "description", NULL };
	static const struct section sec = {
		"'params'", "params", "a param name", "a param", "default", keys
	};
	struct fwgen_topology *t = l->t;
	size_t i, j;
	int ret;

	t->params = section_open(l, map, &sec, 1, sizeof(*t->params), &ret);
	if (!t->params)
		return ret;
	for (i = 0; i < yd_map_size(map); i++) {
		const struct yd_node *k = map->items[2 * i], *v = map->items[2 * i + 1];
		struct param *p = &t->params[t->nparams];
		const struct yd_node *d;

		if ((ret = section_entry(l, &sec, k, v, &d)) < 0)
			return ret;
		p->name = strdup(k->value);
		t->nparams++;
		if (!p->name)
			return ctx_nomem(l->ctx);
		if (d->type == YD_SCALAR) {
			p->defaults = calloc(1, sizeof(*p->defaults));
			if (!p->defaults)
				return ctx_nomem(l->ctx);
			p->ndefaults = 1;
			if ((ret = yd_port_range(l->ctx, l->doc, d, &p->defaults[0])) < 0)
				return ret;
		} else if (d->type == YD_SEQ && d->nitems > 0) {
			if ((ret = want_at_most(l, d, d->nitems, CAT_MAX_LIST,
						"ports in a param's default")) < 0)
				return ret;
			p->defaults = calloc(d->nitems, sizeof(*p->defaults));
			if (!p->defaults)
				return ctx_nomem(l->ctx);
			p->ndefaults = d->nitems;
			for (j = 0; j < d->nitems; j++) {
				if ((ret = yd_port_range(l->ctx, l->doc, d->items[j], &p->defaults[j])) < 0)
					return ret;
			}
		} else {
			return err_at(l, d, -EINVAL, "%s",
				      "a param's default must be a port or a non-empty list of ports");
		}
		d = yd_map_get(v, "description");
		if (d && (ret = yd_text(l->ctx, l->doc, d, "'description'",
					&p->description)) < 0)
			return ret;
	}
	return 0;
}

/*
 * An option's implied_by: the host roles whose flows all depend on it. A
 * host that holds such a role, or an inventory that binds it, means the
 * option is on (see resolve.c), so naming the role never yields a policy
 * without its flows.
 */
static int as_list(struct loader *l, const struct yd_node *n, const char *what,
		   const struct yd_node *const **items, size_t *count);

static int load_implied_by(struct loader *l, struct option *o,
			   const struct yd_node *n)
{
	const struct yd_node *const *items;
	size_t i, cnt;
	int ret = as_list(l, n, "'implied_by'", &items, &cnt);

	if (ret < 0)
		return ret;
	o->implied_by = calloc(cnt + 1, sizeof(*o->implied_by));
	if (!o->implied_by)
		return ctx_nomem(l->ctx);
	for (i = 0; i < cnt; i++) {
		size_t idx;

		if (items[i]->type != YD_SCALAR ||
		    topology_role_index(l->t, items[i]->value, &idx) < 0)
			return err_at(l, items[i], -EINVAL,
				      "unknown role '%s' in 'implied_by' (declare it under 'roles')",
				      items[i]->type == YD_SCALAR ? items[i]->value : "?");
		if (!l->t->roles[idx].host)
			return err_at(l, items[i], -EINVAL,
				      "'%s' in 'implied_by' is a peer role: only a host role can imply an option",
				      items[i]->value);
		o->implied_by[o->nimplied_by++] = idx;
	}
	return 0;
}

static int load_options(struct loader *l, const struct yd_node *map)
{
	static const char *const keys[] = {
		"default", "description", "implied_by", NULL
	};
	static const struct section sec = {
		"'options'", "options", "an option name", "an option", "default",
		keys
	};
	struct fwgen_topology *t = l->t;
	size_t i;
	int ret;

	t->options = section_open(l, map, &sec, 1, sizeof(*t->options), &ret);
	if (!t->options)
		return ret;
	for (i = 0; i < yd_map_size(map); i++) {
		const struct yd_node *k = map->items[2 * i], *v = map->items[2 * i + 1];
		struct option *o = &t->options[t->noptions];
		const struct yd_node *d;

		if ((ret = section_entry(l, &sec, k, v, &d)) < 0)
			return ret;
		o->name = strdup(k->value);
		t->noptions++;
		if (!o->name)
			return ctx_nomem(l->ctx);
		if ((ret = yd_bool(l->ctx, l->doc, d, "an option's default",
				   &o->default_value)) < 0)
			return ret;
		d = yd_map_get(v, "description");
		if (d && (ret = yd_text(l->ctx, l->doc, d, "'description'",
					&o->description)) < 0)
			return ret;
		d = yd_map_get(v, "implied_by");
		if (d && (ret = load_implied_by(l, o, d)) < 0)
			return ret;
	}
	return 0;
}

/* A scalar or a list of scalars, as `from`, `to`, `source`, `when` allow. */
static int as_list(struct loader *l, const struct yd_node *n, const char *what,
		   const struct yd_node *const **items, size_t *count)
{
	if (n->type == YD_SCALAR) {
		/* A lone value is a list of one: the node's own address. */
		*items = (const struct yd_node *const *)&l->single;
		l->single = n;
		*count = 1;
		return 0;
	}
	if (n->type == YD_SEQ && n->nitems > 0) {
		if (n->nitems > CAT_MAX_LIST)
			return err_at(l, n, -E2BIG, "%s has more than %d entries",
				      what, CAT_MAX_LIST);
		*items = (const struct yd_node *const *)n->items;
		*count = n->nitems;
		return 0;
	}
	return err_at(l, n, -EINVAL, "%s must be a value or a non-empty list", what);
}

static int load_role_refs(struct loader *l, const struct yd_node *n,
			  const char *what, size_t **out, size_t *count)
{
	const struct yd_node *const *items = NULL;
	size_t i, j, cnt = 0;
	int ret = as_list(l, n, what, &items, &cnt);

	if (ret < 0)
		return ret;
	*out = calloc(cnt, sizeof(**out));
	if (!*out)
		return ctx_nomem(l->ctx);
	for (i = 0; i < cnt; i++) {
		if (items[i]->type != YD_SCALAR ||
		    topology_role_index(l->t, items[i]->value, &(*out)[i]) < 0)
			return err_at(l, items[i], -EINVAL,
				      "unknown role '%s' (declare it under 'roles')",
				      items[i]->type == YD_SCALAR ? items[i]->value : "?");
		for (j = 0; j < i; j++) {
			if ((*out)[j] == (*out)[i])
				return err_at(l, items[i], -EINVAL,
					      "role '%s' listed twice", items[i]->value);
		}
		(*count)++;
	}
	return 0;
}

static int load_protos(struct loader *l, const struct yd_node *n,
		       unsigned int *protos)
{
	const struct yd_node *const *items = NULL;
	size_t i, cnt = 0;
	int ret = as_list(l, n, "'proto'", &items, &cnt);

	if (ret < 0)
		return ret;
	for (i = 0; i < cnt; i++) {
		unsigned int bit;

		if (items[i]->type == YD_SCALAR && !strcmp(items[i]->value, "tcp"))
			bit = PROTO_TCP;
		else if (items[i]->type == YD_SCALAR && !strcmp(items[i]->value, "udp"))
			bit = PROTO_UDP;
		else
			return err_at(l, items[i], -EINVAL, "%s",
				      "'proto' must be tcp, udp or [tcp, udp]");
		if (*protos & bit)
			return err_at(l, items[i], -EINVAL, "%s", "protocol listed twice");
		*protos |= bit;
	}
	return 0;
}

static int load_ports(struct loader *l, struct flow *f, const struct yd_node *n)
{
	size_t i;
	int ret = yd_want(l->ctx, l->doc, n, YD_SEQ, "'ports'");

	if (ret < 0)
		return ret;
	if (n->nitems == 0)
		return 0;
	if ((ret = want_at_most(l, n, n->nitems, CAT_MAX_LIST, "ports in a flow")) < 0)
		return ret;
	f->ports = calloc(n->nitems, sizeof(*f->ports));
	if (!f->ports)
		return ctx_nomem(l->ctx);
	for (i = 0; i < n->nitems; i++) {
		const struct yd_node *p = n->items[i];
		struct port_item *it = &f->ports[f->nports];

		if (p->type == YD_SCALAR && p->value[0] == '$') {
			if (topology_param_index(l->t, p->value + 1, &it->param) < 0)
				return err_at(l, p, -EINVAL,
					      "unknown param '%s' (declare it under 'params')",
					      p->value + 1);
			it->is_param = true;
		} else if ((ret = yd_port_range(l->ctx, l->doc, p, &it->range)) < 0) {
			return ret;
		}
		f->nports++;
	}
	return 0;
}

/* "doc:table#row" naming a declared document and table, row >= 1. */
static int check_source(struct loader *l, const struct yd_node *n)
{
	const char *s = n->value, *colon, *hash;
	unsigned long row;
	char *end;
	size_t i, j;

	colon = strchr(s, ':');
	hash = strchr(s, '#');
	if (!colon || !hash || hash < colon)
		goto bad;
	/* Digits only: strtoul() would also take blanks, a newline or a sign. */
	if (hash[1] < '0' || hash[1] > '9')
		goto bad;
	errno = 0;
	row = strtoul(hash + 1, &end, 10);
	if (*end || errno || row < 1 || row > 100000)
		goto bad;
	for (i = 0; i < l->t->ndocs; i++) {
		const struct document *d = &l->t->docs[i];

		if (strlen(d->name) != (size_t)(colon - s) ||
		    strncmp(d->name, s, (size_t)(colon - s)))
			continue;
		for (j = 0; j < d->ntables; j++) {
			if (strlen(d->tables[j].name) == (size_t)(hash - colon - 1) &&
			    !strncmp(d->tables[j].name, colon + 1,
				     (size_t)(hash - colon - 1)))
				return 0;
		}
		return err_at(l, n, -EINVAL,
			      "source '%s' names a table its document does not declare", s);
	}
	return err_at(l, n, -EINVAL,
		      "source '%s' names a document not declared under 'documents'", s);
bad:
	return err_at(l, n, -EINVAL,
		      "source '%s' is not of the form document:table#row", s);
}

static int load_sources(struct loader *l, struct flow *f,
			const struct yd_node *n)
{
	const struct yd_node *const *items = NULL;
	size_t i, cnt = 0;
	int ret = as_list(l, n, "'source'", &items, &cnt);

	if (ret < 0)
		return ret;
	f->sources = calloc(cnt, sizeof(*f->sources));
	if (!f->sources)
		return ctx_nomem(l->ctx);
	for (i = 0; i < cnt; i++) {
		if ((ret = yd_want(l->ctx, l->doc, items[i], YD_SCALAR, "a source")) < 0 ||
		    (ret = check_source(l, items[i])) < 0)
			return ret;
		f->sources[i] = strdup(items[i]->value);
		if (!f->sources[i])
			return ctx_nomem(l->ctx);
		f->nsources++;
	}
	return 0;
}

static int load_when(struct loader *l, struct flow *f, const struct yd_node *n)
{
	const struct yd_node *const *items = NULL;
	size_t i, cnt = 0;
	int ret = as_list(l, n, "'when'", &items, &cnt);

	if (ret < 0)
		return ret;
	f->when = calloc(cnt, sizeof(*f->when));
	if (!f->when)
		return ctx_nomem(l->ctx);
	for (i = 0; i < cnt; i++) {
		const char *name;

		if ((ret = yd_want(l->ctx, l->doc, items[i], YD_SCALAR, "a condition")) < 0)
			return ret;
		name = items[i]->value;
		f->when[i].negate = name[0] == '!';
		if (f->when[i].negate)
			name++;
		if (topology_option_index(l->t, name, &f->when[i].option) < 0)
			return err_at(l, items[i], -EINVAL,
				      "unknown option '%s' (declare it under 'options')",
				      name);
		f->nwhen++;
	}
	return 0;
}

/*
 * A conntrack helper the flow's connections need (tftp: the transfer comes
 * back from a new server port). Only the helpers the kernel has that fit
 * one protocol; the rule assigning it matches the flow's ports, so the flow
 * needs some.
 */
static int load_helper(struct loader *l, struct flow *f,
		       const struct yd_node *n)
{
	static const struct {
		const char *name;
		unsigned int proto;
	} known[] = {
		{ "ftp", PROTO_TCP },
		{ "tftp", PROTO_UDP },
		{ "sip", PROTO_UDP },
		{ "irc", PROTO_TCP },
		{ "pptp", PROTO_TCP },
		{ "amanda", PROTO_UDP },
		{ "sane", PROTO_TCP },
		{ "snmp", PROTO_UDP },
	};
	size_t i;
	int ret;

	if ((ret = yd_want(l->ctx, l->doc, n, YD_SCALAR, "'helper'")) < 0)
		return ret;
	for (i = 0; i < ARRAY_SIZE(known); i++) {
		if (strcmp(known[i].name, n->value) == 0)
			break;
	}
	if (i == ARRAY_SIZE(known))
		return err_at(l, n, -EINVAL,
			      "unknown conntrack helper '%s' (ftp, tftp, sip, irc, pptp, amanda, sane, snmp)",
			      n->value);
	if (f->protos != known[i].proto)
		return err_at(l, n, -EINVAL, "helper '%s' needs 'proto: %s' alone",
			      n->value, known[i].proto == PROTO_TCP ? "tcp" : "udp");
	if (f->nports == 0)
		return err_at(l, n, -EINVAL, "%s", "'helper' needs ports to match");
	f->helper = strdup(n->value);
	return f->helper ? 0 : ctx_nomem(l->ctx);
}

static int load_flow(struct loader *l, const struct yd_node *v, struct flow *f)
{
	static const char *const keys[] = {
		"id", "from", "to", "proto", "ports", "description", "source",
		"when", "redirect", "helper", "note", NULL
	};
	const struct yd_node *n;
	unsigned long port;
	int ret;

	if ((ret = yd_want(l->ctx, l->doc, v, YD_MAP, "a flow")) < 0 ||
	    (ret = yd_check_keys(l->ctx, l->doc, v, "a flow", keys)) < 0)
		return ret;
	f->loc = yd_loc(l->doc, v);
	f->loc.file = l->t->file;
	if ((ret = yd_require(l->ctx, l->doc, v, "id", "a flow", &n)) < 0 ||
	    (ret = want_name(l, n, "a flow id")) < 0 ||
	    (ret = yd_str(l->ctx, l->doc, n, "'id'", &f->id)) < 0)
		return ret;
	if ((ret = yd_require(l->ctx, l->doc, v, "from", "a flow", &n)) < 0 ||
	    (ret = load_role_refs(l, n, "'from'", &f->from, &f->nfrom)) < 0 ||
	    (ret = yd_require(l->ctx, l->doc, v, "to", "a flow", &n)) < 0 ||
	    (ret = load_role_refs(l, n, "'to'", &f->to, &f->nto)) < 0 ||
	    (ret = yd_require(l->ctx, l->doc, v, "proto", "a flow", &n)) < 0 ||
	    (ret = load_protos(l, n, &f->protos)) < 0 ||
	    (ret = yd_require(l->ctx, l->doc, v, "ports", "a flow", &n)) < 0 ||
	    (ret = load_ports(l, f, n)) < 0 ||
	    (ret = yd_require(l->ctx, l->doc, v, "description", "a flow", &n)) < 0 ||
	    (ret = yd_text(l->ctx, l->doc, n, "'description'", &f->description)) < 0 ||
	    (ret = yd_require(l->ctx, l->doc, v, "source", "a flow", &n)) < 0 ||
	    (ret = load_sources(l, f, n)) < 0)
		return ret;
	n = yd_map_get(v, "when");
	if (n && (ret = load_when(l, f, n)) < 0)
		return ret;
	n = yd_map_get(v, "note");
	if (n && (ret = yd_text(l->ctx, l->doc, n, "'note'", &f->note)) < 0)
		return ret;
	if (f->nports == 0 && !f->note)
		return err_at(l, v, -EINVAL, "flow '%s' has no ports: say why in a 'note'",
			      f->id);
	n = yd_map_get(v, "redirect");
	if (n) {
		if ((ret = yd_uint(l->ctx, l->doc, n, "'redirect'", 1, 65535, &port)) < 0)
			return ret;
		if (f->nports == 0)
			return err_at(l, n, -EINVAL, "%s", "'redirect' needs ports to redirect from");
		f->redirect = (uint16_t)port;
	}
	n = yd_map_get(v, "helper");
	if (n && (ret = load_helper(l, f, n)) < 0)
		return ret;
	return 0;
}

static int load_flows(struct loader *l, const struct yd_node *seq)
{
	struct fwgen_topology *t = l->t;
	size_t i, j;
	int ret;

	if ((ret = yd_want(l->ctx, l->doc, seq, YD_SEQ, "'flows'")) < 0 ||
	    (ret = want_at_most(l, seq, seq->nitems, CAT_MAX_FLOWS, "flows")) < 0)
		return ret;
	t->flows = calloc(seq->nitems + 1, sizeof(*t->flows));
	if (!t->flows)
		return ctx_nomem(l->ctx);
	for (i = 0; i < seq->nitems; i++) {
		t->nflows++;
		ret = load_flow(l, seq->items[i], &t->flows[i]);
		if (ret < 0)
			return ret;
		for (j = 0; j < i; j++) {
			if (strcmp(t->flows[j].id, t->flows[i].id) == 0)
				return err_at(l, seq->items[i], -EINVAL,
					      "duplicate flow id '%s'", t->flows[i].id);
		}
	}
	return 0;
}

static int load_topology(struct loader *l)
{
	static const char *const keys[] = {
		"topology", "product", "summary", "documents", "roles",
		"params", "options", "flows", NULL
	};
	const struct yd_node *root = l->doc->root, *n;
	struct fwgen_topology *t = l->t;
	int ret;

	if (!root)
		return ctx_err(l->ctx, -EINVAL, "%s: empty catalog file", l->doc->file);
	if ((ret = yd_want(l->ctx, l->doc, root, YD_MAP, "a catalog file")) < 0 ||
	    (ret = yd_check_keys(l->ctx, l->doc, root, "a catalog file", keys)) < 0)
		return ret;
	if ((ret = yd_require(l->ctx, l->doc, root, "topology", "a catalog file", &n)) < 0 ||
	    (ret = want_name(l, n, "'topology'")) < 0 ||
	    (ret = yd_str(l->ctx, l->doc, n, "'topology'", &t->name)) < 0 ||
	    (ret = yd_require(l->ctx, l->doc, root, "product", "a catalog file", &n)) < 0 ||
	    (ret = yd_text(l->ctx, l->doc, n, "'product'", &t->product)) < 0 ||
	    (ret = yd_require(l->ctx, l->doc, root, "summary", "a catalog file", &n)) < 0 ||
	    (ret = yd_text(l->ctx, l->doc, n, "'summary'", &t->summary)) < 0 ||
	    (ret = yd_require(l->ctx, l->doc, root, "documents", "a catalog file", &n)) < 0 ||
	    (ret = load_documents(l, n)) < 0 ||
	    (ret = yd_require(l->ctx, l->doc, root, "roles", "a catalog file", &n)) < 0 ||
	    (ret = load_roles(l, n)) < 0)
		return ret;
	n = yd_map_get(root, "params");
	if (n && (ret = load_params(l, n)) < 0)
		return ret;
	n = yd_map_get(root, "options");
	if (n && (ret = load_options(l, n)) < 0)
		return ret;
	if ((ret = yd_require(l->ctx, l->doc, root, "flows", "a catalog file", &n)) < 0)
		return ret;
	return load_flows(l, n);
}

FWGEN_EXPORT void fwgen_catalog_free(struct fwgen_catalog *cat)
{
	size_t i;

	if (!cat)
		return;
	for (i = 0; i < cat->ntopos; i++)
		topology_free(cat->topos[i]);
	free(cat->topos);
	free(cat);
}

static int add_topology(struct fwgen_ctx *ctx, struct fwgen_catalog *cat,
			struct fwgen_topology *t)
{
	struct fwgen_topology **v;
	size_t i, at = cat->ntopos;

	for (i = 0; i < cat->ntopos; i++) {
		int c = strcmp(cat->topos[i]->name, t->name);

		if (c == 0)
			return ctx_err(ctx, -EEXIST,
				       "%s: topology '%s' is already defined by %s",
				       t->file, t->name, cat->topos[i]->file);
		if (c > 0 && at == cat->ntopos)
			at = i;
	}
	v = realloc(cat->topos, (cat->ntopos + 1) * sizeof(*v));
	if (!v)
		return ctx_nomem(ctx);
	cat->topos = v;
	memmove(&v[at + 1], &v[at], (cat->ntopos - at) * sizeof(*v));
	v[at] = t;
	cat->ntopos++;
	return 0;
}

/* A yd_loader: adds the document's topology to *arg, a catalog made if NULL. */
static int load_doc(struct fwgen_ctx *ctx, struct yd_doc *doc, void *arg)
{
	struct fwgen_catalog **cat = arg;
	struct loader l = { .ctx = ctx, .doc = doc };
	bool created = false;
	int ret;

	if (!*cat) {
		*cat = calloc(1, sizeof(**cat));
		if (!*cat)
			return ctx_nomem(ctx);
		created = true;
	}
	l.t = calloc(1, sizeof(*l.t));
	if (!l.t) {
		ret = ctx_nomem(ctx);
		goto err;
	}
	l.t->file = strdup(doc->file);
	if (!l.t->file) {
		ret = ctx_nomem(ctx);
		goto err;
	}
	ret = load_topology(&l);
	if (ret == 0)
		ret = yd_check_unique(ctx, doc);
	if (ret < 0)
		goto err;
	ret = add_topology(ctx, *cat, l.t);
	if (ret < 0)
		goto err;
	return 0;
err:
	topology_free(l.t);
	if (created) {
		fwgen_catalog_free(*cat);
		*cat = NULL;
	}
	return ret;
}

FWGEN_EXPORT int fwgen_catalog_load_file(struct fwgen_ctx *ctx,
					 const char *path,
					 struct fwgen_catalog **cat)
{
	ARG_CTX(ctx);
	ARG_CHECK(ctx, path);
	ARG_CHECK(ctx, cat);

	/* Catalogs are small and hand-written: libyaml alone reads them. */
	return yd_read_file(ctx, path, YD_PARSE_LIBYAML, load_doc, cat);
}

int catalog_parse_buf(struct fwgen_ctx *ctx, const char *name,
		      const char *buf, size_t len, struct fwgen_catalog **cat)
{
	return yd_read_buf(ctx, name, buf, len, YD_PARSE_LIBYAML, load_doc, cat);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

FWGEN_EXPORT int fwgen_catalog_load(struct fwgen_ctx *ctx,
				    struct fwgen_catalog **out)
{
	struct fwgen_catalog *cat = NULL;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	DIR *dir;
	int ret = 0;

	ARG_CTX(ctx);
	ARG_CHECK(ctx, out);

	dir = opendir(ctx->catalog_dir);
	if (!dir)
		return ctx_err(ctx, ctx_sys_errno(errno),
			       "catalog directory %s: %s", ctx->catalog_dir,
			       strerror(errno));
	while ((de = readdir(dir))) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.' || len < 6 ||
		    strcmp(de->d_name + len - 5, ".yaml"))
			continue;
		if (array_push(&names, &n, &cap, sizeof(*names)) < 0) {
			ret = ctx_nomem(ctx);
			goto out;
		}
		if (asprintf(&names[n - 1], "%s/%s", ctx->catalog_dir,
			     de->d_name) < 0) {
			names[n - 1] = NULL;
			ret = ctx_nomem(ctx);
			goto out;
		}
	}
	if (n == 0) {
		ret = ctx_err(ctx, -ENOENT, "catalog directory %s has no *.yaml files",
			      ctx->catalog_dir);
		goto out;
	}
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		ret = fwgen_catalog_load_file(ctx, names[i], &cat);
		if (ret < 0)
			goto out;
	}
	*out = cat;
	cat = NULL;
out:
	closedir(dir);
	strv_free(names, n);
	fwgen_catalog_free(cat);
	return ret;
}
