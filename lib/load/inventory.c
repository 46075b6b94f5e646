/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Loads an inventory (which addresses hold which roles, params, options) or
 * builds one through calls. Names are checked against the catalog later, in
 * resolve, which still has each name's file position for its messages.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "setops.h"
#include "model.h"
#include "tablename.h"
#include "util.h"
#include "yaml-doc.h"

/*
 * More peer addresses than this in one inventory is refused, not slow:
 * 256Ki load in about half a second; write networks as prefixes.
 */
#define INV_MAX_ADDRESSES 262144u
/* Roles, params or options: a topology has a few dozen. */
#define INV_MAX_NAMES 1024u
/* Ports or ranges of one param. */
#define INV_MAX_PARAM_PORTS 64u

FWGEN_EXPORT struct fwgen_inventory *fwgen_inventory_new(void)
{
	struct fwgen_inventory *inv = calloc(1, sizeof(*inv));

	if (!inv)
		return NULL;
	inv->admin_ssh = true;
	inv->egress = FWGEN_EGRESS_OPEN;
	return inv;
}

FWGEN_EXPORT void fwgen_inventory_free(struct fwgen_inventory *inv)
{
	size_t i;

	if (!inv)
		return;
	for (i = 0; i < inv->nroles; i++) {
		free(inv->roles[i].name);
		addr_list_release(&inv->roles[i].v4);
		addr_list_release(&inv->roles[i].v6);
	}
	free(inv->roles);
	for (i = 0; i < inv->nparams; i++) {
		free(inv->params[i].name);
		free(inv->params[i].ports);
	}
	free(inv->params);
	for (i = 0; i < inv->noptions; i++)
		free(inv->options[i].name);
	free(inv->options);
	free(inv->file);
	free(inv->topology);
	free(inv->table);
	free(inv);
}

const struct inv_role *inventory_role(const struct fwgen_inventory *inv,
				      const char *name)
{
	size_t i;

	for (i = 0; inv && i < inv->nroles; i++) {
		/*
		 * fwgen_inventory_add_address() only appends: normalising once
		 * here, when the lists are read, keeps 100,000 calls linear.
		 * A cache, not a change of meaning, hence the cast; objects
		 * are not shared between threads (fwgen.h).
		 */
		struct inv_role *r = (struct inv_role *)&inv->roles[i];

		if (strcmp(r->name, name) != 0)
			continue;
		if (r->unsorted) {
			addr_list_normalize(&r->v4, 4);
			addr_list_normalize(&r->v6, 6);
			r->unsorted = false;
		}
		return r;
	}
	return NULL;
}

static int replace_str(struct fwgen_ctx *ctx, char **dst, const char *src)
{
	char *copy = strdup(src);

	if (!copy)
		return ctx_nomem(ctx);
	free(*dst);
	*dst = copy;
	return 0;
}

/*
 * Words nft reads as keywords where `table inet NAME` wants a name, and
 * does not take quoted there: a table so named would make `fwgen print`
 * write a script that `nft -f` refuses. Collected from nftables'
 * src/scanner.l (rules without a start condition) and checked against
 * nft 1.0.6; sorted for bsearch().
 */
static const char *const nft_keywords[] = {
	"accept", "add", "ah", "all", "and", "arp", "auto-merge", "bridge",
	"cgroup", "chain", "comment", "comp", "constant", "continue",
	"counter", "cpu", "create", "ct", "day", "dccp", "define", "delete",
	"describe", "destroy", "device", "devices", "dnat", "drop", "dst",
	"dup", "dynamic", "ecn", "element", "elements", "eq", "esp", "ether",
	"exists", "expires", "export", "exthdr", "fib", "flags", "flow",
	"flowtable", "flush", "frag", "fwd", "gc-interval", "ge", "geneve",
	"get", "goto", "gre", "gretap", "gt", "handle", "hbh", "hook",
	"hour", "ibriport", "ibrname", "icmp", "icmpv6", "igmp", "iif",
	"iifgroup", "iifname", "iiftype", "import", "include", "index",
	"inet", "insert", "interval", "ip", "ip6", "ipsec", "jhash", "jump",
	"last", "le", "limit", "list", "log", "lshift", "lt", "map", "mark",
	"masquerade", "meta", "meter", "mh", "missing", "monitor", "ne",
	"netdev", "nftrace", "not", "notrack", "numgen", "obriport",
	"obrname", "offload", "oif", "oifgroup", "oifname", "oiftype", "or",
	"osf", "pkttype", "policy", "position", "priority", "queue", "quota",
	"random", "redefine", "redirect", "reject", "rename", "replace",
	"reset", "return", "rshift", "rt", "rt0", "rt2", "rtclassid", "rule",
	"ruleset", "sctp", "secmark", "set", "size", "skgid", "skuid",
	"snat", "socket", "srh", "symhash", "synproxy", "table", "tcp", "th",
	"time", "timeout", "tproxy", "tunnel", "type", "typeof", "udp",
	"udplite", "undefine", "update", "vlan", "vmap", "vni", "vxlan",
	"xor", "xt"
};

static int cmp_word(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

static bool valid_table_name(const char *s)
{
	return yd_is_name(s, TABLE_NAME_MAX);
}

static bool nft_keyword(const char *s)
{
	return bsearch(s, nft_keywords, ARRAY_SIZE(nft_keywords),
		       sizeof(nft_keywords[0]), cmp_word) != NULL;
}

FWGEN_EXPORT int fwgen_inventory_set_topology(struct fwgen_ctx *ctx,
					      struct fwgen_inventory *inv,
					      const char *name)
{
	ARG_CTX(ctx);
	ARG_CHECK(ctx, inv);
	ARG_CHECK(ctx, name);

	if (!name || !yd_is_name(name, YD_NAME_MAX))
		return ctx_err(ctx, -EINVAL, "'%s' is not a topology name",
			       name ? name : "");
	return replace_str(ctx, &inv->topology, name);
}

FWGEN_EXPORT const char *fwgen_inventory_topology(const struct fwgen_inventory *inv)
{
	ARG_CHECK_RET(inv, NULL);

	return inv->topology;
}

const char *table_name_problem(const char *name)
{
	if (!name || !valid_table_name(name))
		return "must be lowercase letters, digits, '-' and '_' (at most 32)";
	if (nft_keyword(name))
		return "is an nft keyword: nft -f would refuse the ruleset";
	return NULL;
}

int table_name_check(struct fwgen_ctx *ctx, const char *name)
{
	const char *why = table_name_problem(name);

	if (why)
		return ctx_err(ctx, -EINVAL, "table name '%.64s' %s",
			       name ? name : "", why);
	return 0;
}

FWGEN_EXPORT int fwgen_inventory_set_table(struct fwgen_ctx *ctx,
					   struct fwgen_inventory *inv,
					   const char *name)
{
	int ret;

	ARG_CTX(ctx);
	ARG_CHECK(ctx, inv);
	ARG_CHECK(ctx, name);

	ret = table_name_check(ctx, name);
	return ret < 0 ? ret : replace_str(ctx, &inv->table, name);
}

FWGEN_EXPORT int fwgen_inventory_set_egress(struct fwgen_inventory *inv,
					    enum fwgen_egress egress)
{
	ARG_CHECK_RET(inv, -EINVAL);
	ARG_CHECK_RET((unsigned int)egress <= FWGEN_EGRESS_FILTERED, -EINVAL);

	inv->egress = egress;
	return 0;
}

FWGEN_EXPORT int fwgen_inventory_set_mode(struct fwgen_ctx *ctx,
					  struct fwgen_inventory *inv,
					  enum fwgen_mode mode)
{
	ARG_CTX(ctx);
	ARG_CHECK(ctx, inv);
	ARG_CHECK(ctx, mode == FWGEN_MODE_ENFORCE || mode == FWGEN_MODE_AUDIT);
	inv->mode = mode;
	return 0;
}

FWGEN_EXPORT void fwgen_inventory_set_admin_ssh(struct fwgen_inventory *inv,
						bool on)
{
	ARG_CHECK_RET(inv, );

	inv->admin_ssh = on;
}

static struct inv_param *param_slot(struct fwgen_ctx *ctx,
				    struct fwgen_inventory *inv,
				    const char *name)
{
	size_t i, cap = inv->nparams;

	for (i = 0; i < inv->nparams; i++) {
		if (strcmp(inv->params[i].name, name) == 0)
			return &inv->params[i];
	}
	if (array_push(&inv->params, &inv->nparams, &cap,
		       sizeof(*inv->params)) < 0)
		goto nomem;
	inv->params[i].name = strdup(name);
	if (!inv->params[i].name) {
		inv->nparams--;
		goto nomem;
	}
	return &inv->params[i];
nomem:
	ctx_nomem(ctx);
	return NULL;
}

FWGEN_EXPORT int fwgen_inventory_set_param(struct fwgen_ctx *ctx,
					   struct fwgen_inventory *inv,
					   const char *name, uint16_t port)
{
	struct fwgen_port_range r = { port, port };

	return fwgen_inventory_set_param_ranges(ctx, inv, name, &r, 1);
}

FWGEN_EXPORT int
fwgen_inventory_set_param_ranges(struct fwgen_ctx *ctx,
				 struct fwgen_inventory *inv, const char *name,
				 const struct fwgen_port_range *ranges, size_t n)
{
	struct port_range *v;
	struct inv_param *p;
	size_t i;

	ARG_CTX(ctx);
	ARG_CHECK(ctx, inv);
	ARG_CHECK(ctx, name);
	ARG_CHECK(ctx, ranges);
	ARG_CHECK(ctx, n > 0);

	for (i = 0; i < n; i++) {
		if (ranges[i].lo == 0 || ranges[i].hi == 0)
			return ctx_err(ctx, -ERANGE,
				       "param '%s': port 0 is out of range 1-65535",
				       name);
		if (ranges[i].lo > ranges[i].hi)
			return ctx_err(ctx, -ERANGE,
				       "param '%s': range %u-%u ends before it starts",
				       name, ranges[i].lo, ranges[i].hi);
	}
	v = malloc(n * sizeof(*v));
	if (!v)
		return ctx_nomem(ctx);
	p = param_slot(ctx, inv, name);
	if (!p) {
		free(v);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		v[i].lo = ranges[i].lo;
		v[i].hi = ranges[i].hi;
	}
	free(p->ports);
	p->ports = v;
	p->nports = n;
	memset(&p->loc, 0, sizeof(p->loc));
	return 0;
}

FWGEN_EXPORT int fwgen_inventory_set_option(struct fwgen_ctx *ctx,
					    struct fwgen_inventory *inv,
					    const char *name, bool value)
{
	size_t i, cap;

	ARG_CTX(ctx);
	ARG_CHECK(ctx, inv);
	ARG_CHECK(ctx, name);
	cap = inv->noptions;

	for (i = 0; i < inv->noptions; i++) {
		if (strcmp(inv->options[i].name, name) == 0) {
			inv->options[i].value = value;
			return 0;
		}
	}
	if (array_push(&inv->options, &inv->noptions, &cap,
		       sizeof(*inv->options)) < 0)
		return ctx_nomem(ctx);
	inv->options[i].name = strdup(name);
	if (!inv->options[i].name) {
		inv->noptions--;
		return ctx_nomem(ctx);
	}
	inv->options[i].value = value;
	return 0;
}

static struct inv_role *role_slot(struct fwgen_ctx *ctx,
				  struct fwgen_inventory *inv, const char *name)
{
	size_t i, cap = inv->nroles;

	for (i = 0; i < inv->nroles; i++) {
		if (strcmp(inv->roles[i].name, name) == 0)
			return &inv->roles[i];
	}
	if (!yd_is_name(name, YD_NAME_MAX)) {
		ctx_err(ctx, -EINVAL, "'%s' is not a role name", name);
		return NULL;
	}
	if (array_push(&inv->roles, &inv->nroles, &cap, sizeof(*inv->roles)) < 0)
		goto nomem;
	inv->roles[i].name = strdup(name);
	if (!inv->roles[i].name) {
		inv->nroles--;
		goto nomem;
	}
	return &inv->roles[i];
nomem:
	ctx_nomem(ctx);
	return NULL;
}

/* Adds without normalising: loaders normalise once at the end. */
static int role_add(struct fwgen_ctx *ctx, struct inv_role *r,
		    const char *address, const struct src_loc *loc)
{
	struct addr_interval iv;
	struct addr_prefix p;
	const char *why;

	if (addr_parse_peer(address, &p, &why) < 0)
		return ctx_err_at(ctx, -EINVAL, loc, "'%s': %s", address, why);
	addr_prefix_interval(&p, &iv);
	if (addr_list_add(p.family == 4 ? &r->v4 : &r->v6, &iv) < 0)
		return ctx_nomem(ctx);
	return 0;
}

FWGEN_EXPORT int fwgen_inventory_add_address(struct fwgen_ctx *ctx,
					     struct fwgen_inventory *inv,
					     const char *role,
					     const char *address)
{
	struct inv_role *r;
	size_t nroles;
	int ret;

	ARG_CTX(ctx);
	ARG_CHECK(ctx, inv);
	ARG_CHECK(ctx, role);
	ARG_CHECK(ctx, address);

	nroles = inv->nroles;
	r = role_slot(ctx, inv, role);
	if (!r)
		return -EINVAL;
	if (r->any)
		return ctx_err(ctx, -EINVAL,
			       "role '%s' is bound to any address already", role);
	ret = role_add(ctx, r, address, NULL);
	if (ret < 0) {
		/* All or nothing: a bad address does not bind the role. */
		if (inv->nroles > nroles) {
			free(r->name);
			inv->nroles--;
		}
		return ret;
	}
	r->unsorted = true;
	return 0;
}

FWGEN_EXPORT int fwgen_inventory_del_address(struct fwgen_ctx *ctx,
					     struct fwgen_inventory *inv,
					     const char *role,
					     const char *address)
{
	struct addr_interval iv;
	struct addr_prefix p;
	struct addr_list *l;
	struct inv_role *r;
	const char *why;

	ARG_CTX(ctx);
	ARG_CHECK(ctx, inv);
	ARG_CHECK(ctx, role);
	ARG_CHECK(ctx, address);

	if (addr_parse(address, &p, &why) < 0)
		return ctx_err(ctx, -EINVAL, "'%s': %s", address, why);
	addr_prefix_interval(&p, &iv);
	r = (struct inv_role *)inventory_role(inv, role);
	l = !r ? NULL : p.family == 4 ? &r->v4 :
					&r->v6;
	if (!l || !setops_covers(l, p.family, &iv))
		return ctx_err(ctx, -ENOENT,
			       "'%s' is not among the addresses of role '%s'",
			       address, role);
	if (addr_list_subtract(l, p.family, &iv) < 0)
		return ctx_nomem(ctx);
	return 0;
}

FWGEN_EXPORT int fwgen_inventory_set_any(struct fwgen_ctx *ctx,
					 struct fwgen_inventory *inv,
					 const char *role)
{
	struct inv_role *r;

	ARG_CTX(ctx);
	ARG_CHECK(ctx, inv);
	ARG_CHECK(ctx, role);

	r = role_slot(ctx, inv, role);
	if (!r)
		return -EINVAL;
	/* Either order of the two is a contradiction, not a replacement. */
	if (r->v4.n || r->v6.n)
		return ctx_err(ctx, -EINVAL,
			       "role '%s' is bound to addresses already", role);
	r->any = true;
	return 0;
}

/* Reading an inventory back */

FWGEN_EXPORT const char *fwgen_inventory_table(const struct fwgen_inventory *inv)
{
	ARG_CHECK_RET(inv, NULL);
	return inv->table ? inv->table : FWGEN_DEFAULT_TABLE;
}

FWGEN_EXPORT enum fwgen_egress
fwgen_inventory_egress(const struct fwgen_inventory *inv)
{
	ARG_CHECK_RET(inv, FWGEN_EGRESS_INVALID);
	return inv->egress;
}

FWGEN_EXPORT bool fwgen_inventory_admin_ssh(const struct fwgen_inventory *inv)
{
	ARG_CHECK_RET(inv, false);
	return inv->admin_ssh;
}

FWGEN_EXPORT size_t fwgen_inventory_role_count(const struct fwgen_inventory *inv)
{
	ARG_CHECK_RET(inv, 0);
	return inv->nroles;
}

FWGEN_EXPORT const char *
fwgen_inventory_role_name(const struct fwgen_inventory *inv, size_t i)
{
	ARG_CHECK_RET(inv, NULL);
	return i < inv->nroles ? inv->roles[i].name : NULL;
}

FWGEN_EXPORT bool fwgen_inventory_role_is_any(const struct fwgen_inventory *inv,
					      size_t i)
{
	ARG_CHECK_RET(inv, false);
	return i < inv->nroles && inv->roles[i].any;
}

/* Role i's lists, normalised; NULL when i is out of range. */
static const struct inv_role *role_at(const struct fwgen_inventory *inv,
				      size_t i)
{
	return i < inv->nroles ? inventory_role(inv, inv->roles[i].name) : NULL;
}

/* The j-th prefix of role r, IPv4 first; false when there is none. */
static bool role_prefix(const struct inv_role *r, size_t j,
			struct addr_prefix *out)
{
	const struct addr_list *lists[2] = { &r->v4, &r->v6 };
	size_t k, i, n;

	for (k = 0; k < 2; k++) {
		for (i = 0; i < lists[k]->n; i++) {
			n = addr_interval_prefix_at(&lists[k]->v[i], k ? 6 : 4,
						    j, out);
			if (j < n)
				return true;
			j -= n;
		}
	}
	return false;
}

FWGEN_EXPORT size_t
fwgen_inventory_address_count(const struct fwgen_inventory *inv, size_t i)
{
	const struct inv_role *r;
	size_t n = 0, k;

	ARG_CHECK_RET(inv, 0);
	r = role_at(inv, i);
	if (!r)
		return 0;
	for (k = 0; k < r->v4.n; k++)
		n += addr_interval_prefix_at(&r->v4.v[k], 4, SIZE_MAX, NULL);
	for (k = 0; k < r->v6.n; k++)
		n += addr_interval_prefix_at(&r->v6.v[k], 6, SIZE_MAX, NULL);
	return n;
}

FWGEN_EXPORT int fwgen_inventory_address_at(const struct fwgen_inventory *inv,
					    size_t i, size_t j, char *buf,
					    size_t len)
{
	const struct inv_role *r;
	struct addr_prefix p;

	ARG_CHECK_RET(inv, -EINVAL);
	ARG_CHECK_RET(buf, -EINVAL);
	ARG_CHECK_RET(len > 0, -EINVAL);
	r = role_at(inv, i);
	if (!r || !role_prefix(r, j, &p))
		return -ENOENT;
	return addr_prefix_format(&p, buf, len) < 0 ? -ENOSPC : 0;
}

FWGEN_EXPORT size_t fwgen_inventory_param_count(const struct fwgen_inventory *inv)
{
	ARG_CHECK_RET(inv, 0);
	return inv->nparams;
}

FWGEN_EXPORT const char *
fwgen_inventory_param_name(const struct fwgen_inventory *inv, size_t i)
{
	ARG_CHECK_RET(inv, NULL);
	return i < inv->nparams ? inv->params[i].name : NULL;
}

FWGEN_EXPORT size_t
fwgen_inventory_param_range_count(const struct fwgen_inventory *inv, size_t i)
{
	ARG_CHECK_RET(inv, 0);
	return i < inv->nparams ? inv->params[i].nports : 0;
}

FWGEN_EXPORT int
fwgen_inventory_param_range_at(const struct fwgen_inventory *inv, size_t i,
			       size_t j, struct fwgen_port_range *out)
{
	ARG_CHECK_RET(inv, -EINVAL);
	ARG_CHECK_RET(out, -EINVAL);
	if (i >= inv->nparams || j >= inv->params[i].nports)
		return -ENOENT;
	out->lo = inv->params[i].ports[j].lo;
	out->hi = inv->params[i].ports[j].hi;
	return 0;
}

FWGEN_EXPORT size_t fwgen_inventory_option_count(const struct fwgen_inventory *inv)
{
	ARG_CHECK_RET(inv, 0);
	return inv->noptions;
}

FWGEN_EXPORT const char *
fwgen_inventory_option_name(const struct fwgen_inventory *inv, size_t i)
{
	ARG_CHECK_RET(inv, NULL);
	return i < inv->noptions ? inv->options[i].name : NULL;
}

FWGEN_EXPORT bool
fwgen_inventory_option_value(const struct fwgen_inventory *inv, size_t i)
{
	ARG_CHECK_RET(inv, false);
	return i < inv->noptions && inv->options[i].value;
}

/* YAML */

static int want_at_most(struct fwgen_ctx *ctx, const struct yd_doc *doc,
			const struct yd_node *n, size_t count, size_t max,
			const char *what)
{
	struct src_loc loc = yd_loc(doc, n);

	if (count <= max)
		return 0;
	return ctx_err_at(ctx, -E2BIG, &loc, "more than %zu %s", max, what);
}

struct inv_loader {
	struct fwgen_ctx *ctx;
	struct yd_doc *doc;
	struct fwgen_inventory *inv;
	size_t naddresses;
};

static int load_role(struct inv_loader *l, const struct yd_node *k,
		     const struct yd_node *v)
{
	struct src_loc loc = yd_loc(l->doc, k);
	struct inv_role *r;
	size_t i;
	int ret;

	if (k->type != YD_SCALAR || !yd_is_name(k->value, YD_NAME_MAX))
		return ctx_err_at(l->ctx, -EINVAL, &loc, "'%s' is not a role name",
				  k->type == YD_SCALAR ? k->value : "?");
	r = role_slot(l->ctx, l->inv, k->value);
	if (!r)
		return -ENOMEM;
	r->loc = loc;
	if (v->type == YD_SCALAR && v->plain && strcmp(v->value, "any") == 0) {
		r->any = true;
		return 0;
	}
	if (v->type == YD_SCALAR) {
		loc = yd_loc(l->doc, v);
		l->naddresses++;
		return role_add(l->ctx, r, v->value, &loc);
	}
	if (v->type != YD_SEQ) {
		loc = yd_loc(l->doc, v);
		return ctx_err_at(l->ctx, -EINVAL, &loc,
				  "role '%s' must be the word any, an address, or a list of addresses",
				  k->value);
	}
	for (i = 0; i < v->nitems; i++) {
		const struct yd_node *a = v->items[i];

		loc = yd_loc(l->doc, a);
		if (a->type != YD_SCALAR)
			return ctx_err_at(l->ctx, -EINVAL, &loc,
					  "an address must be a single value");
		if (a->plain && strcmp(a->value, "any") == 0)
			return ctx_err_at(l->ctx, -EINVAL, &loc,
					  "'any' stands alone: write `%s: any`", k->value);
		if (++l->naddresses > INV_MAX_ADDRESSES)
			return ctx_err_at(l->ctx, -E2BIG, &loc,
					  "more than %u addresses in one inventory",
					  INV_MAX_ADDRESSES);
		ret = role_add(l->ctx, r, a->value, &loc);
		if (ret < 0)
			return ret;
	}
	addr_list_normalize(&r->v4, 4);
	addr_list_normalize(&r->v6, 6);
	return 0;
}

static int load_params(struct inv_loader *l, const struct yd_node *map)
{
	size_t i, j;
	int ret;

	if ((ret = yd_want(l->ctx, l->doc, map, YD_MAP, "'params'")) < 0 ||
	    (ret = want_at_most(l->ctx, l->doc, map, yd_map_size(map),
				INV_MAX_NAMES, "params")) < 0)
		return ret;
	for (i = 0; i < yd_map_size(map); i++) {
		const struct yd_node *k = map->items[2 * i], *v = map->items[2 * i + 1];
		const struct yd_node *const *items = (const struct yd_node *const *)&v;
		size_t count = 1;
		struct inv_param *p;

		if (k->type != YD_SCALAR) {
			struct src_loc loc = yd_loc(l->doc, k);

			return ctx_err_at(l->ctx, -EINVAL, &loc, "a param name must be a name");
		}
		for (j = 0; j < i; j++) {
			if (!strcmp(map->items[2 * j]->value, k->value)) {
				struct src_loc loc = yd_loc(l->doc, k);

				return ctx_err_at(l->ctx, -EINVAL, &loc,
						  "param '%s' given twice", k->value);
			}
		}
		if (v->type == YD_SEQ) {
			items = (const struct yd_node *const *)v->items;
			count = v->nitems;
		}
		if (count == 0) {
			struct src_loc loc = yd_loc(l->doc, v);

			return ctx_err_at(l->ctx, -EINVAL, &loc,
					  "param '%s' needs at least one port", k->value);
		}
		/* Every port multiplies the work of resolve. */
		ret = want_at_most(l->ctx, l->doc, v, count, INV_MAX_PARAM_PORTS,
				   "ports in one param");
		if (ret < 0)
			return ret;
		p = param_slot(l->ctx, l->inv, k->value);
		if (!p)
			return -ENOMEM;
		p->loc = yd_loc(l->doc, k);
		p->ports = calloc(count, sizeof(*p->ports));
		if (!p->ports)
			return ctx_nomem(l->ctx);
		for (j = 0; j < count; j++) {
			ret = yd_port_range(l->ctx, l->doc, items[j], &p->ports[j]);
			if (ret < 0)
				return ret;
			p->nports++;
		}
	}
	return 0;
}

static int load_options(struct inv_loader *l, const struct yd_node *map)
{
	size_t i;
	int ret;

	if ((ret = yd_want(l->ctx, l->doc, map, YD_MAP, "'options'")) < 0 ||
	    (ret = want_at_most(l->ctx, l->doc, map, yd_map_size(map),
				INV_MAX_NAMES, "options")) < 0)
		return ret;
	for (i = 0; i < yd_map_size(map); i++) {
		const struct yd_node *k = map->items[2 * i], *v = map->items[2 * i + 1];
		struct src_loc loc = yd_loc(l->doc, k);
		bool value;

		if (k->type != YD_SCALAR)
			return ctx_err_at(l->ctx, -EINVAL, &loc, "an option name must be a name");
		if (i > 0 && yd_map_get(map, k->value) != v)
			return ctx_err_at(l->ctx, -EINVAL, &loc, "option '%s' given twice",
					  k->value);
		ret = yd_bool(l->ctx, l->doc, v, "an option", &value);
		if (ret < 0)
			return ret;
		ret = fwgen_inventory_set_option(l->ctx, l->inv, k->value, value);
		if (ret < 0)
			return ret;
		l->inv->options[l->inv->noptions - 1].loc = loc;
	}
	return 0;
}

static int load_roles(struct inv_loader *l, const struct yd_node *map)
{
	size_t i;
	int ret;

	if ((ret = yd_want(l->ctx, l->doc, map, YD_MAP, "'roles'")) < 0 ||
	    (ret = want_at_most(l->ctx, l->doc, map, yd_map_size(map),
				INV_MAX_NAMES, "roles")) < 0)
		return ret;
	for (i = 0; i < yd_map_size(map); i++) {
		const struct yd_node *k = map->items[2 * i];

		if (k->type == YD_SCALAR && i > 0 &&
		    yd_map_get(map, k->value) != map->items[2 * i + 1]) {
			struct src_loc loc = yd_loc(l->doc, k);

			return ctx_err_at(l->ctx, -EINVAL, &loc,
					  "role '%s' given twice", k->value);
		}
		ret = load_role(l, k, map->items[2 * i + 1]);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int load_inventory(struct inv_loader *l)
{
	static const char *const keys[] = {
		"topology", "table", "egress", "mode", "admin_ssh", "params", "options",
		"roles", NULL
	};
	const struct yd_node *root = l->doc->root, *n;
	struct src_loc loc;
	int ret;

	if (!root)
		return ctx_err(l->ctx, -EINVAL, "%s: empty inventory", l->doc->file);
	if ((ret = yd_want(l->ctx, l->doc, root, YD_MAP, "an inventory")) < 0 ||
	    (ret = yd_check_keys(l->ctx, l->doc, root, "an inventory", keys)) < 0)
		return ret;
	n = yd_map_get(root, "topology");
	if (n) {
		loc = yd_loc(l->doc, n);
		if (n->type != YD_SCALAR || !yd_is_name(n->value, YD_NAME_MAX))
			return ctx_err_at(l->ctx, -EINVAL, &loc,
					  "'topology' must be a topology name");
		if ((ret = replace_str(l->ctx, &l->inv->topology, n->value)) < 0)
			return ret;
		l->inv->topology_loc = loc;
	}
	n = yd_map_get(root, "table");
	if (n) {
		loc = yd_loc(l->doc, n);
		if (n->type != YD_SCALAR || !valid_table_name(n->value))
			return ctx_err_at(l->ctx, -EINVAL, &loc,
					  "'table' must be lowercase letters, digits, '-' and '_' (at most %d)",
					  TABLE_NAME_MAX);
		if (nft_keyword(n->value))
			return ctx_err_at(l->ctx, -EINVAL, &loc,
					  "'table' '%s' is an nft keyword: nft -f would refuse the ruleset",
					  n->value);
		if ((ret = replace_str(l->ctx, &l->inv->table, n->value)) < 0)
			return ret;
	}
	n = yd_map_get(root, "egress");
	if (n) {
		loc = yd_loc(l->doc, n);
		if (n->type == YD_SCALAR && !strcmp(n->value, "open"))
			l->inv->egress = FWGEN_EGRESS_OPEN;
		else if (n->type == YD_SCALAR && !strcmp(n->value, "filtered"))
			l->inv->egress = FWGEN_EGRESS_FILTERED;
		else
			return ctx_err_at(l->ctx, -EINVAL, &loc,
					  "'egress' must be open or filtered");
	}
	n = yd_map_get(root, "mode");
	if (n) {
		loc = yd_loc(l->doc, n);
		if (n->type == YD_SCALAR && !strcmp(n->value, "enforce"))
			l->inv->mode = FWGEN_MODE_ENFORCE;
		else if (n->type == YD_SCALAR && !strcmp(n->value, "audit"))
			l->inv->mode = FWGEN_MODE_AUDIT;
		else
			return ctx_err_at(l->ctx, -EINVAL, &loc,
					  "'mode' must be enforce or audit");
	}
	n = yd_map_get(root, "admin_ssh");
	if (n && (ret = yd_bool(l->ctx, l->doc, n, "'admin_ssh'",
				&l->inv->admin_ssh)) < 0)
		return ret;
	n = yd_map_get(root, "params");
	if (n && (ret = load_params(l, n)) < 0)
		return ret;
	n = yd_map_get(root, "options");
	if (n && (ret = load_options(l, n)) < 0)
		return ret;
	n = yd_map_get(root, "roles");
	if (n && (ret = load_roles(l, n)) < 0)
		return ret;
	return 0;
}

/* A yd_loader: a new inventory of the document into *arg. */
static int finish(struct fwgen_ctx *ctx, struct yd_doc *doc, void *arg)
{
	struct fwgen_inventory **out = arg;
	struct inv_loader l = { .ctx = ctx, .doc = doc };
	size_t i;
	int ret;

	l.inv = fwgen_inventory_new();
	if (!l.inv)
		return ctx_nomem(ctx);
	l.inv->file = strdup(doc->file);
	if (!l.inv->file) {
		ret = ctx_nomem(ctx);
		goto err;
	}
	ret = load_inventory(&l);
	if (ret == 0)
		ret = yd_check_unique(ctx, doc);
	if (ret < 0)
		goto err;
	/* Locations borrow the file name from the inventory, not the doc. */
	l.inv->topology_loc.file = l.inv->file;
	for (i = 0; i < l.inv->nroles; i++)
		l.inv->roles[i].loc.file = l.inv->file;
	for (i = 0; i < l.inv->nparams; i++)
		l.inv->params[i].loc.file = l.inv->file;
	for (i = 0; i < l.inv->noptions; i++)
		l.inv->options[i].loc.file = l.inv->file;
	*out = l.inv;
	return 0;
err:
	fwgen_inventory_free(l.inv);
	return ret;
}

FWGEN_EXPORT int fwgen_inventory_load(struct fwgen_ctx *ctx, const char *path,
				      struct fwgen_inventory **out)
{
	ARG_CTX(ctx);
	ARG_CHECK(ctx, path);
	ARG_CHECK(ctx, out);

	return yd_read_file(ctx, path, YD_PARSE_BY_SIZE, finish, out);
}

FWGEN_EXPORT int fwgen_inventory_parse(struct fwgen_ctx *ctx, const char *name,
				       const char *text, size_t len,
				       struct fwgen_inventory **out)
{
	ARG_CTX(ctx);
	ARG_CHECK(ctx, name);
	ARG_CHECK(ctx, text);
	ARG_CHECK(ctx, out);

	return yd_read_buf(ctx, name, text, len, YD_PARSE_BY_SIZE, finish, out);
}
