/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A loaded topology and the catalog that holds it, read back: names to
 * indexes, the public accessors, and freeing. catalog.c builds them.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "model.h"
#include "util.h"

/*
 * The index of the element of v[0..n), each size bytes, whose name (a
 * string pointer at offset off) is name; roles, params and options alike.
 */
static int index_of(const void *v, size_t n, size_t size, size_t off,
		    const char *name, size_t *idx)
{
	const char *p;
	size_t i;

	for (i = 0; i < n; i++) {
		memcpy(&p, (const char *)v + i * size + off, sizeof(p));
		if (strcmp(p, name) == 0) {
			*idx = i;
			return 0;
		}
	}
	return -ENOENT;
}

int topology_role_index(const struct fwgen_topology *t, const char *name,
			size_t *idx)
{
	return index_of(t->roles, t->nroles, sizeof(*t->roles),
			offsetof(struct role, name), name, idx);
}

int topology_param_index(const struct fwgen_topology *t, const char *name,
			 size_t *idx)
{
	return index_of(t->params, t->nparams, sizeof(*t->params),
			offsetof(struct param, name), name, idx);
}

int topology_option_index(const struct fwgen_topology *t, const char *name,
			  size_t *idx)
{
	return index_of(t->options, t->noptions, sizeof(*t->options),
			offsetof(struct option, name), name, idx);
}

void topology_free(struct fwgen_topology *t)
{
	size_t i, j;

	if (!t)
		return;
	for (i = 0; i < t->ndocs; i++) {
		for (j = 0; j < t->docs[i].ntables; j++) {
			free(t->docs[i].tables[j].name);
			free(t->docs[i].tables[j].title);
		}
		free(t->docs[i].tables);
		free(t->docs[i].name);
		free(t->docs[i].file);
		free(t->docs[i].title);
	}
	free(t->docs);
	for (i = 0; i < t->nroles; i++) {
		free(t->roles[i].name);
		free(t->roles[i].description);
		free(t->roles[i].no_inbound);
	}
	free(t->roles);
	for (i = 0; i < t->nparams; i++) {
		free(t->params[i].name);
		free(t->params[i].defaults);
		free(t->params[i].description);
	}
	free(t->params);
	for (i = 0; i < t->noptions; i++) {
		free(t->options[i].name);
		free(t->options[i].description);
		free(t->options[i].implied_by);
	}
	free(t->options);
	for (i = 0; i < t->nflows; i++) {
		struct flow *f = &t->flows[i];

		free(f->id);
		free(f->from);
		free(f->to);
		free(f->ports);
		free(f->description);
		strv_free(f->sources, f->nsources);
		free(f->when);
		free(f->helper);
		free(f->note);
	}
	free(t->flows);
	free(t->name);
	free(t->product);
	free(t->summary);
	free(t->file);
	free(t);
}

FWGEN_EXPORT size_t fwgen_catalog_topology_count(const struct fwgen_catalog *cat)
{
	ARG_CHECK_RET(cat, 0);

	return cat->ntopos;
}

FWGEN_EXPORT const struct fwgen_topology *
fwgen_catalog_topology_at(const struct fwgen_catalog *cat, size_t i)
{
	ARG_CHECK_RET(cat, NULL);

	return i < cat->ntopos ? cat->topos[i] : NULL;
}

FWGEN_EXPORT const struct fwgen_topology *
fwgen_catalog_topology(struct fwgen_ctx *ctx, const struct fwgen_catalog *cat,
		       const char *name)
{
	size_t i;

	ARG_CHECK_RET(ctx, NULL);
	ctx_ok(ctx);
	if (!cat || !name) {
		ctx_bad_arg(ctx, __func__, cat ? "name" : "cat");
		return NULL;
	}
	for (i = 0; i < cat->ntopos; i++) {
		if (strcmp(cat->topos[i]->name, name) == 0)
			return cat->topos[i];
	}
	ctx_err(ctx, -ENOENT, "unknown topology '%s'",
		name);
	return NULL;
}

FWGEN_EXPORT const char *fwgen_topology_name(const struct fwgen_topology *t)
{
	ARG_CHECK_RET(t, NULL);

	return t->name;
}

FWGEN_EXPORT const char *fwgen_topology_product(const struct fwgen_topology *t)
{
	ARG_CHECK_RET(t, NULL);

	return t->product;
}

FWGEN_EXPORT const char *fwgen_topology_summary(const struct fwgen_topology *t)
{
	ARG_CHECK_RET(t, NULL);

	return t->summary;
}

FWGEN_EXPORT size_t fwgen_topology_role_count(const struct fwgen_topology *t)
{
	ARG_CHECK_RET(t, 0);

	return t->nroles;
}

FWGEN_EXPORT const char *fwgen_topology_role_name(const struct fwgen_topology *t,
						  size_t i, bool *is_host)
{
	ARG_CHECK_RET(t, NULL);

	if (i >= t->nroles)
		return NULL;
	if (is_host)
		*is_host = t->roles[i].host;
	return t->roles[i].name;
}

FWGEN_EXPORT size_t fwgen_topology_flow_count(const struct fwgen_topology *t)
{
	ARG_CHECK_RET(t, 0);

	return t->nflows;
}

FWGEN_EXPORT size_t fwgen_topology_param_count(const struct fwgen_topology *t)
{
	ARG_CHECK_RET(t, 0);

	return t->nparams;
}

FWGEN_EXPORT size_t fwgen_topology_option_count(const struct fwgen_topology *t)
{
	ARG_CHECK_RET(t, 0);

	return t->noptions;
}
