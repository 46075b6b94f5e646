/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The loaded catalog (topologies, roles, flows, params, options) and
 * inventory, as the loaders build them and resolve reads them.
 */
#ifndef FWGEN_MODEL_H
#define FWGEN_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <fwgen/fwgen.h>

#include "addr.h"
#include "port-range.h"
#include "src-loc.h"

enum proto_bits {
	PROTO_TCP = 1 << 0,
	PROTO_UDP = 1 << 1,
};

struct role {
	char *name;
	bool host;
	char *description;
	char *no_inbound; /* host roles that accept nothing by design: why */
};

struct param {
	char *name;
	struct port_range *defaults; /* one or more ports */
	size_t ndefaults;
	char *description;
};

struct option {
	char *name;
	bool default_value;
	char *description;
	size_t *implied_by; /* role indices: holding or binding one turns it on */
	size_t nimplied_by;
};

/* A port item of a flow: a literal range or a reference to a param. */
struct port_item {
	bool is_param;
	size_t param; /* index into topology.params */
	struct port_range range;
};

struct condition {
	size_t option; /* index into topology.options */
	bool negate;
};

struct doc_table {
	char *name;
	char *title;
};

struct document {
	char *name;
	char *file;
	char *title;
	struct doc_table *tables;
	size_t ntables;
};

struct flow {
	char *id;
	size_t *from; /* role indices */
	size_t nfrom;
	size_t *to;
	size_t nto;
	unsigned int protos; /* enum proto_bits */
	struct port_item *ports;
	size_t nports;
	char *description;
	char **sources; /* "doc:table#row" */
	size_t nsources;
	struct condition *when;
	size_t nwhen;
	uint16_t redirect; /* 0: none */
	char *helper;	   /* conntrack helper for its connections, or NULL */
	char *note;
	struct src_loc loc;
};

struct fwgen_topology {
	char *file;
	char *name;
	char *product;
	char *summary;
	struct document *docs;
	size_t ndocs;
	struct role *roles;
	size_t nroles;
	struct param *params;
	size_t nparams;
	struct option *options;
	size_t noptions;
	struct flow *flows;
	size_t nflows;
};

struct fwgen_catalog {
	struct fwgen_topology **topos; /* sorted by name */
	size_t ntopos;
};

/* Inventory */

struct inv_role {
	char *name;
	bool any;	     /* explicitly `any` */
	struct addr_list v4; /* normalised (see inventory_role()) */
	struct addr_list v6;
	bool unsorted; /* addresses added since the lists were normalised */
	struct src_loc loc;
};

struct inv_param {
	char *name;
	struct port_range *ports;
	size_t nports;
	struct src_loc loc;
};

struct inv_option {
	char *name;
	bool value;
	struct src_loc loc;
};

struct fwgen_inventory {
	char *file; /* NULL when built in code */
	char *topology;
	struct src_loc topology_loc;
	char *table;
	enum fwgen_egress egress;
	enum fwgen_mode mode;
	bool admin_ssh;
	struct inv_role *roles;
	size_t nroles;
	struct inv_param *params;
	size_t nparams;
	struct inv_option *options;
	size_t noptions;
};

int topology_role_index(const struct fwgen_topology *t, const char *name,
			size_t *idx);
int topology_param_index(const struct fwgen_topology *t, const char *name,
			 size_t *idx);
int topology_option_index(const struct fwgen_topology *t, const char *name,
			  size_t *idx);
void topology_free(struct fwgen_topology *t);

/*
 * fwgen_catalog_load_file() from memory (tests and fuzzing): adds the
 * product text buf[0..len-1] to *cat, a new catalog when *cat is NULL;
 * name is used in error messages. On error the catalog is unchanged.
 */
int catalog_parse_buf(struct fwgen_ctx *ctx, const char *name,
		      const char *buf, size_t len, struct fwgen_catalog **cat);

const struct inv_role *inventory_role(const struct fwgen_inventory *inv,
				      const char *name);

#endif
