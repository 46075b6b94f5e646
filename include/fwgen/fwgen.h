/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libfwgen: host firewalls for multi-tier management products, from a product
 * catalog and an inventory, as nftables rulesets printed, applied or compared.
 */
#ifndef FWGEN_FWGEN_H
#define FWGEN_FWGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Conventions for every function below:
 * - Functions returning int return 0 on success or a negative errno
 *   (-EINVAL bad input, -ENOENT not found, -EEXIST defined twice, -EPERM
 *   no permission, -EIO kernel refused or I/O failed, -ENOMEM; the full
 *   list, one meaning each, is in libfwgen(3)); a readable message is
 *   kept in the context and returned by fwgen_ctx_error(), the errno by
 *   fwgen_ctx_errno().
 * - Every argument is checked first: a NULL pointer where an object is
 *   needed, an enum value or flag bit this header does not define is
 *   -EINVAL (a message naming the function and argument when there is a
 *   context), NULL from functions returning a pointer, 0 or false from
 *   counts and predicates. Only the arguments documented as "may be NULL"
 *   may be NULL.
 * - All or nothing: a failed call leaves every output argument and every
 *   object it was given as they were.
 * - Every _new/_load has a _free that accepts NULL.
 * - Strings returned as const char * are borrowed from the object they came
 *   from and stay valid until that object is freed.
 * - The library never prints on its own, never exits and never aborts on bad
 *   input. One context per thread; objects are not shared between threads.
 */

struct fwgen_ctx;
struct fwgen_catalog;
struct fwgen_topology;
struct fwgen_inventory;
struct fwgen_policy;
struct fwgen_nftnl;

/* Output formats of fwgen_policy_render(). */
enum fwgen_format {
	FWGEN_FORMAT_NFT = 0,	/* an `nft -f` script replacing fwgen's table */
	FWGEN_FORMAT_JSON,	/* the libnftables JSON schema, for `nft -j -f` */
	FWGEN_FORMAT_IPTABLES,	/* iptables-restore input (IPv4) */
	FWGEN_FORMAT_IP6TABLES, /* ip6tables-restore input (IPv6) */
	FWGEN_FORMAT_IPSET,	/* ipset restore input: the peer address sets */
};

/* Egress handling of an inventory. */
enum fwgen_egress {
	FWGEN_EGRESS_INVALID = -1, /* fwgen_inventory_egress(NULL) only */
	FWGEN_EGRESS_OPEN = 0,	   /* no output chain: the host may connect anywhere */
	FWGEN_EGRESS_FILTERED,	   /* output policy drop: only catalog flows out */
};

/*
 * What the base chains do with a packet no rule admits (the YAML key
 * `mode`). Audit builds the same table and chains as enforce, but records
 * such a packet (fwgen_status) and accepts it instead of dropping it.
 */
enum fwgen_mode {
	FWGEN_MODE_INVALID = -1, /* the getters' answer for NULL only */
	FWGEN_MODE_ENFORCE = 0,
	FWGEN_MODE_AUDIT,
};

/* Flags of fwgen_policy_resolve(). */
enum fwgen_resolve_flags {
	/* A peer role not bound in the inventory is an error, not "any". */
	FWGEN_RESOLVE_STRICT = 1 << 0,
	/* Audit mode, whatever the inventory says (`--audit`). */
	FWGEN_RESOLVE_AUDIT = 1 << 1,
	/* Enforce mode, whatever the inventory says; not with _AUDIT. */
	FWGEN_RESOLVE_ENFORCE = 1 << 2,
};

/* The table fwgen owns unless the inventory or caller names another. */
#define FWGEN_DEFAULT_TABLE "fwgen"

/* Context */

/*
 * Returns a new context with the default catalog directory (the environment
 * variable FWGEN_CATALOG_DIR if set, else the installed data directory), or
 * NULL when out of memory. Free with fwgen_ctx_free().
 */
struct fwgen_ctx *fwgen_ctx_new(void);

/* Frees a context; NULL is allowed. */
void fwgen_ctx_free(struct fwgen_ctx *ctx);

/*
 * The message of the last failed call, e.g.
 * "inv.yaml:4:9: unknown role 'app-teir' in topology 'morpheus-distributed'".
 * Borrowed: valid until the next call on this context. "" when none; NULL
 * for a NULL ctx. Every function taking a context forgets the last error
 * when it is called, so after a success the message is "".
 */
const char *fwgen_ctx_error(const struct fwgen_ctx *ctx);

/*
 * The negative errno the last failed call returned, 0 when the last call
 * succeeded (or nothing failed yet); -EINVAL for a NULL ctx.
 */
int fwgen_ctx_errno(const struct fwgen_ctx *ctx);

/*
 * Where in a file the last error is, as data: the file name as the
 * message shows it (borrowed, valid until the next call on the context;
 * NULL when the error is not about a file), and its line and column,
 * both 1-based (0 when not known, e.g. an unreadable file).
 */
const char *fwgen_ctx_error_file(const struct fwgen_ctx *ctx);
unsigned int fwgen_ctx_error_line(const struct fwgen_ctx *ctx);
unsigned int fwgen_ctx_error_column(const struct fwgen_ctx *ctx);

/* Forgets the last error: message, errno and location. NULL is allowed. */
void fwgen_ctx_clear_error(struct fwgen_ctx *ctx);

/*
 * Points catalog loading at another directory (copied).
 * Errors: -EINVAL (NULL or empty dir), -ENOMEM.
 */
int fwgen_ctx_set_catalog_dir(struct fwgen_ctx *ctx, const char *dir);

/* The directory fwgen_catalog_load() reads. Borrowed from the context. */
const char *fwgen_ctx_catalog_dir(const struct fwgen_ctx *ctx);

/* The library version, e.g. "0.1.0". Static storage. */
const char *fwgen_version(void);

/* Catalog */

/*
 * Loads every *.yaml file of the context's catalog directory, in name order.
 * All or nothing: on any error *out is left as it was and the message
 * names the file, line and column (also as data: fwgen_ctx_error_file()).
 * On success *out is a new catalog; free it with
 * fwgen_catalog_free().
 * Errors: -EINVAL (a bad file: the place in fwgen_ctx_error_file() and
 * _line()), -EEXIST (two files define one topology), -ENOENT (no such
 * directory, or no *.yaml in it), -EPERM (not readable), -EIO, -ENOMEM.
 */
int fwgen_catalog_load(struct fwgen_ctx *ctx, struct fwgen_catalog **out);

/*
 * Adds the product file at path to a catalog (a new one when *cat is NULL).
 * On error the catalog is unchanged.
 * Errors: -EINVAL (a bad or too large file), -EEXIST (a topology the
 * catalog has already), -ENOENT (no such file), -EPERM (not readable),
 * -EIO, -ENOMEM.
 */
int fwgen_catalog_load_file(struct fwgen_ctx *ctx, const char *path,
			    struct fwgen_catalog **cat);

/* Frees a catalog and everything borrowed from it; NULL is allowed. */
void fwgen_catalog_free(struct fwgen_catalog *cat);

/*
 * Number of topologies, and the i-th of them in name order (borrowed);
 * NULL when i is out of range.
 */
size_t fwgen_catalog_topology_count(const struct fwgen_catalog *cat);
const struct fwgen_topology *
fwgen_catalog_topology_at(const struct fwgen_catalog *cat, size_t i);

/* The topology of that name, or NULL (and -ENOENT in the context). */
const struct fwgen_topology *
fwgen_catalog_topology(struct fwgen_ctx *ctx, const struct fwgen_catalog *cat,
		       const char *name);

/* A topology's name, product and one-line summary (borrowed). */
const char *fwgen_topology_name(const struct fwgen_topology *topo);
const char *fwgen_topology_product(const struct fwgen_topology *topo);
const char *fwgen_topology_summary(const struct fwgen_topology *topo);

/*
 * Roles of a topology in catalog order, then the implied peer roles admin,
 * dns-server and time-source where the file did not declare them. The name
 * is borrowed; NULL when i is out of range. *is_host (is_host may be NULL)
 * tells a host role from a peer role.
 */
size_t fwgen_topology_role_count(const struct fwgen_topology *topo);
const char *fwgen_topology_role_name(const struct fwgen_topology *topo,
				     size_t i, bool *is_host);

/* Number of flows, params and options of a topology. */
size_t fwgen_topology_flow_count(const struct fwgen_topology *topo);
size_t fwgen_topology_param_count(const struct fwgen_topology *topo);
size_t fwgen_topology_option_count(const struct fwgen_topology *topo);

/*
 * Writes a readable description of a topology (roles, flows with their
 * ports and sources, params, options) to out.
 * Errors: -EINVAL (a NULL argument), -EIO (writing failed).
 */
int fwgen_topology_describe(struct fwgen_ctx *ctx,
			    const struct fwgen_topology *topo, FILE *out);

/*
 * Writes a topology as a Graphviz DOT graph to out (render it with
 * `dot -Tsvg`): host roles as boxes in one cluster, the peer roles that
 * flows name as ellipses, and one edge per pair of roles labelled with a
 * line per flow ("tcp/80, 443 ($https_port)": a param as its default value
 * and name). Conditional flows get a dashed edge naming their option; flows
 * within one role are self-loops. Three or more roles sending the same
 * ports to one role (or one role to three or more) meet at a junction point
 * whose one edge carries the label; an edge of more than eight lines is
 * summed up as its ports per protocol. Flows without a port of their own
 * draw no edge, nor do peer roles that no drawn flow names (such as the
 * implied admin: see fwgen_policy_explain() for the baseline). Every
 * string is escaped, so no catalog text can break the DOT syntax. Same
 * topology, same bytes. -EIO when writing fails.
 */
int fwgen_topology_graph(struct fwgen_ctx *ctx,
			 const struct fwgen_topology *topo, FILE *out);

/* Inventory */

/*
 * Loads an inventory file. The topology it names is checked against the
 * catalog only when it is resolved, so one loader serves every catalog.
 * On success *out is new; free with fwgen_inventory_free().
 * Errors: -EINVAL (a bad or too large file, with its place), -ENOENT (no
 * such file), -EPERM (not readable), -EIO, -ENOMEM.
 */
int fwgen_inventory_load(struct fwgen_ctx *ctx, const char *path,
			 struct fwgen_inventory **out);

/*
 * Parses an inventory from memory; name is used in error messages.
 * Errors: -EINVAL (bad text, with its place), -ENOMEM.
 */
int fwgen_inventory_parse(struct fwgen_ctx *ctx, const char *name,
			  const char *text, size_t len,
			  struct fwgen_inventory **out);

/*
 * Returns a new, empty inventory (every role "any", egress open, default
 * table) for building one in code, or NULL when out of memory.
 */
struct fwgen_inventory *fwgen_inventory_new(void);

/* Frees an inventory; NULL is allowed. */
void fwgen_inventory_free(struct fwgen_inventory *inv);

/*
 * Names the inventory's topology (copied), the YAML key `topology`. Only
 * its form is checked here (-EINVAL unless a lowercase letter, then
 * lowercase letters, digits, '-' and '_', at most 40); fwgen_policy_resolve()
 * looks it up in the catalog.
 * Errors: -EINVAL (a NULL argument or a bad name), -ENOMEM.
 */
int fwgen_inventory_set_topology(struct fwgen_ctx *ctx,
				 struct fwgen_inventory *inv, const char *name);

/* The topology the inventory names, or NULL. Borrowed from the inventory. */
const char *fwgen_inventory_topology(const struct fwgen_inventory *inv);

/*
 * Names the inet table the policy owns (copied), the YAML key `table`;
 * default FWGEN_DEFAULT_TABLE. -EINVAL unless a lowercase letter, then
 * lowercase letters, digits, '-' and '_', at most 32 characters.
 * Errors: -EINVAL (a NULL argument, a bad name or an nft keyword),
 * -ENOMEM.
 */
int fwgen_inventory_set_table(struct fwgen_ctx *ctx,
			      struct fwgen_inventory *inv, const char *name);

/*
 * Open (default) or filtered egress, the YAML key `egress`. -EINVAL for a
 * NULL inv or a value not in enum fwgen_egress (the inventory unchanged).
 */
int fwgen_inventory_set_egress(struct fwgen_inventory *inv,
			       enum fwgen_egress egress);

/*
 * Enforce (default) or audit mode, the YAML key `mode`. -EINVAL (with a
 * message in ctx) for NULL inv or a value outside enum fwgen_mode.
 */
int fwgen_inventory_set_mode(struct fwgen_ctx *ctx,
			     struct fwgen_inventory *inv, enum fwgen_mode mode);

/*
 * Sets a catalog param (a configurable port, YAML `params`) to one port,
 * replacing the catalog's default and any earlier value. -ERANGE for port
 * 0. The name is checked against the topology by fwgen_policy_resolve().
 * Errors: -EINVAL (a NULL argument), -ERANGE (port 0), -ENOMEM.
 */
int fwgen_inventory_set_param(struct fwgen_ctx *ctx,
			      struct fwgen_inventory *inv, const char *name,
			      uint16_t port);

/* A closed range of ports, lo <= hi (lo == hi: one port). */
struct fwgen_port_range {
	uint16_t lo;
	uint16_t hi;
};

/*
 * Sets a param to ports and ranges ranges[0..n-1] (copied), as the YAML
 * `https_port: [8443, "9000-9010"]`, replacing the catalog's default and
 * any earlier value. -EINVAL for n 0; -ERANGE for a port 0 or a range
 * whose hi is below its lo (the inventory unchanged).
 */
int fwgen_inventory_set_param_ranges(struct fwgen_ctx *ctx,
				     struct fwgen_inventory *inv,
				     const char *name,
				     const struct fwgen_port_range *ranges,
				     size_t n);

/*
 * Turns a catalog option (conditional flows, YAML `options`) on or off,
 * replacing the catalog's default. The name is checked against the
 * topology by fwgen_policy_resolve().
 * Errors: -EINVAL (a NULL argument), -ENOMEM.
 */
int fwgen_inventory_set_option(struct fwgen_ctx *ctx,
			       struct fwgen_inventory *inv, const char *name,
			       bool value);

/*
 * Binds an address ("198.18.1.10", "2001:db8::/48", ...) to a role. A role
 * with at least one address no longer means "any". Host bits set in a
 * prefix are an error (-EINVAL, the inventory unchanged); so is a role
 * bound to any address already.
 * Errors: -EINVAL, -ENOMEM.
 */
int fwgen_inventory_add_address(struct fwgen_ctx *ctx,
				struct fwgen_inventory *inv, const char *role,
				const char *address);

/*
 * Removes an address or prefix from a role's addresses: 198.18.1.5 out of
 * 198.18.1.0/24 leaves the rest of the /24. Every address it covers must
 * be the role's: -ENOENT otherwise (a typo, or removed already), nothing
 * removed. A role left without addresses stays bound -- to no address, so
 * its rules admit no one -- rather than falling back to "any".
 */
int fwgen_inventory_del_address(struct fwgen_ctx *ctx,
				struct fwgen_inventory *inv, const char *role,
				const char *address);

/*
 * Binds a role explicitly to any address (the word `any` in YAML).
 * -EINVAL when the role is bound to addresses already, as add_address is
 * when it is bound to any: the two contradict each other.
 * Errors: -EINVAL (a NULL argument, a bad role name, addresses bound
 * already), -ENOMEM.
 */
int fwgen_inventory_set_any(struct fwgen_ctx *ctx, struct fwgen_inventory *inv,
			    const char *role);

/* Turns management SSH from the admin role on or off (default on). */
void fwgen_inventory_set_admin_ssh(struct fwgen_inventory *inv, bool on);

/*
 * Reading an inventory back (what was loaded or set; the catalog's defaults
 * are not filled in). Strings are borrowed from the inventory. Indexes out
 * of range give NULL, 0 or false; a NULL inv the same.
 */

/* The table name: the inventory's, else FWGEN_DEFAULT_TABLE. */
const char *fwgen_inventory_table(const struct fwgen_inventory *inv);
/* Egress; FWGEN_EGRESS_INVALID for a NULL inv. */
enum fwgen_egress fwgen_inventory_egress(const struct fwgen_inventory *inv);
/* Whether management SSH from admin is on. */
bool fwgen_inventory_admin_ssh(const struct fwgen_inventory *inv);

/* The roles the inventory binds, in the order they were first bound. */
size_t fwgen_inventory_role_count(const struct fwgen_inventory *inv);
const char *fwgen_inventory_role_name(const struct fwgen_inventory *inv,
				      size_t i);
/* Whether role i is bound to any address (`any`). */
bool fwgen_inventory_role_is_any(const struct fwgen_inventory *inv,
				 size_t i);
/*
 * The addresses of role i, normalised (duplicates dropped, overlapping and
 * adjacent ones merged) and written as the fewest prefixes, IPv4 first in
 * address order: "198.18.1.0/24", "2001:db8::10". address_at writes the
 * j-th into buf (len bytes with the NUL; INET6_ADDRSTRLEN + 4 is always
 * enough): 0, -ENOENT when i or j is out of range, -ENOSPC when buf is
 * too short, -EINVAL for a NULL argument or len 0.
 */
size_t fwgen_inventory_address_count(const struct fwgen_inventory *inv,
				     size_t i);
int fwgen_inventory_address_at(const struct fwgen_inventory *inv, size_t i,
			       size_t j, char *buf, size_t len);

/*
 * The params the inventory sets, and the j-th port range of param i into
 * *out (0; -ENOENT when out of range; -EINVAL for a NULL argument).
 */
size_t fwgen_inventory_param_count(const struct fwgen_inventory *inv);
const char *fwgen_inventory_param_name(const struct fwgen_inventory *inv,
				       size_t i);
size_t fwgen_inventory_param_range_count(const struct fwgen_inventory *inv,
					 size_t i);
int fwgen_inventory_param_range_at(const struct fwgen_inventory *inv,
				   size_t i, size_t j,
				   struct fwgen_port_range *out);

/* The options the inventory sets, and their values. */
size_t fwgen_inventory_option_count(const struct fwgen_inventory *inv);
const char *fwgen_inventory_option_name(const struct fwgen_inventory *inv,
					size_t i);
bool fwgen_inventory_option_value(const struct fwgen_inventory *inv,
				  size_t i);

/*
 * Writes the inventory as YAML (fwgen-inventory(5)) to out: the keys it
 * sets, in the order topology, table, egress, admin_ssh, params, options,
 * roles, every name and address quoted. Loading the text back gives an
 * equal inventory (the same getters' answers, and the same text written
 * again). -EIO when writing fails.
 */
int fwgen_inventory_write(struct fwgen_ctx *ctx,
			  const struct fwgen_inventory *inv, FILE *out);

/*
 * The host roles of a topology (NULL: the inventory's) whose inventory
 * addresses include one of this host's interface addresses: `--role auto`.
 * -ENOENT when none matches. *roles is a new array of names borrowed from
 * the catalog; free the array (not the names) with free().
 * Errors: -EINVAL (a NULL argument, no topology), -ENOENT (unknown
 * topology, or no role matches), -EIO (the host's addresses cannot be
 * listed), -ENOMEM.
 */
int fwgen_inventory_local_roles(struct fwgen_ctx *ctx,
				const struct fwgen_catalog *cat,
				const struct fwgen_inventory *inv,
				const char *topology, const char ***roles,
				size_t *nroles);

/* Policy: the one resolved, backend-neutral form every output comes from */

/*
 * Resolves the policy of a host holding roles[0..nroles-1] of topology (NULL:
 * the inventory's). inv may be NULL: every peer is then "any". A topology
 * other than the one the inventory names is -EINVAL. All or nothing: on
 * error *out is left as it was. Free the result with fwgen_policy_free().
 * The policy borrows from cat (the flows it serves): free it before the
 * catalog. It copies all it takes from inv, which may be freed at once.
 * Errors: -EINVAL (a NULL argument, unknown flags, a name the topology
 * lacks, no host role, no topology or another than the inventory's, an
 * unbound role when strict), -ENOENT (unknown topology), -ENOMEM.
 */
int fwgen_policy_resolve(struct fwgen_ctx *ctx,
			 const struct fwgen_catalog *cat,
			 const struct fwgen_inventory *inv,
			 const char *topology, const char *const *roles,
			 size_t nroles, unsigned int flags,
			 struct fwgen_policy **out);

/* Frees a policy; NULL is allowed. */
void fwgen_policy_free(struct fwgen_policy *pol);

/* The name of the table the policy owns (borrowed). */
const char *fwgen_policy_table(const struct fwgen_policy *pol);

/* The mode the policy was resolved in; FWGEN_MODE_INVALID for NULL. */
enum fwgen_mode fwgen_policy_mode(const struct fwgen_policy *pol);

/*
 * Writes the policy in a format to a stream. Same input, same bytes.
 * Errors: -EINVAL (a NULL argument, a format not in enum fwgen_format, an
 * audit-mode policy in an iptables format), -EIO (writing failed), -ENOMEM.
 */
int fwgen_policy_render(struct fwgen_ctx *ctx, const struct fwgen_policy *pol,
			enum fwgen_format format, FILE *out);

/*
 * Renders into a new NUL-terminated buffer: *buf is malloc()ed and the
 * caller frees it with free(); *len (may be NULL) receives its length.
 * Errors: as fwgen_policy_render().
 */
int fwgen_policy_render_buf(struct fwgen_ctx *ctx,
			    const struct fwgen_policy *pol,
			    enum fwgen_format format, char **buf, size_t *len);

/* Explain: is a connection allowed by a resolved policy, and by what */

struct fwgen_query;
struct fwgen_explain;

/*
 * Returns a new query (peer: any address, no service yet, inbound), or NULL
 * when out of memory. Free with fwgen_query_free().
 */
struct fwgen_query *fwgen_query_new(void);

/* Frees a query; NULL is allowed. */
void fwgen_query_free(struct fwgen_query *q);

/*
 * The other end of the connection: a role name of the topology, or one
 * IPv4/IPv6 address ("198.18.1.10", "2001:db8::10"; not a prefix), matched
 * against the addresses of the policy's peer sets. NULL: any peer, which
 * asks who may connect at all. Role names cannot look like addresses.
 * A role is checked against the topology by fwgen_policy_explain().
 * Errors: -EINVAL (a NULL query, a prefix or a bad role name), -ENOMEM.
 */
int fwgen_query_set_peer(struct fwgen_ctx *ctx, struct fwgen_query *q,
			 const char *peer);

/*
 * The destination service: proto "tcp" or "udp", port 0-65535.
 * Errors: -EINVAL (a NULL argument, a protocol other than tcp and udp, a
 * port above 65535).
 */
int fwgen_query_set_service(struct fwgen_ctx *ctx, struct fwgen_query *q,
			    const char *proto, unsigned long port);

/*
 * The same, from "tcp/443" or "udp/53".
 * Errors: -EINVAL (a NULL argument, text not PROTO/PORT).
 */
int fwgen_query_parse_service(struct fwgen_ctx *ctx, struct fwgen_query *q,
			      const char *text);

/*
 * false (default): the peer connects to this host (input chain);
 * true: this host connects to the peer (output chain, egress).
 */
void fwgen_query_set_outbound(struct fwgen_query *q, bool outbound);

/*
 * Answers whether a new connection described by q passes the policy pol,
 * by evaluating the policy's own chains and rules as the kernel would
 * (prerouting redirects, the baseline, the dispatch map, the service
 * chains), so the answer is what `apply` enforces: the options, params and
 * inventory the policy was resolved with are honoured. cat must be the
 * catalog pol was resolved from (it names flows and explains near misses);
 * inv, the inventory pol was resolved with or NULL, tells which roles an
 * address belongs to. On success *out is new; free it with
 * fwgen_explain_free() before freeing pol, cat or inv, which it borrows.
 * -EINVAL for a query without a service or naming an unknown role.
 * Errors: -EINVAL (as above, or a NULL argument), -ENOENT (pol's topology
 * is not in cat), -ENOMEM.
 */
int fwgen_policy_explain(struct fwgen_ctx *ctx,
			 const struct fwgen_catalog *cat,
			 const struct fwgen_policy *pol,
			 const struct fwgen_inventory *inv,
			 const struct fwgen_query *q,
			 struct fwgen_explain **out);

/* Frees an answer; NULL is allowed. */
void fwgen_explain_free(struct fwgen_explain *e);

/* Whether the connection is allowed. */
bool fwgen_explain_allowed(const struct fwgen_explain *e);

/* What admits a connection. */
enum fwgen_explain_kind {
	FWGEN_EXPLAIN_NONE = -1,   /* no such admission (bad index or answer) */
	FWGEN_EXPLAIN_FLOW = 0,	   /* a catalog flow's rule */
	FWGEN_EXPLAIN_BASELINE,	   /* a baseline rule, e.g. SSH from admin */
	FWGEN_EXPLAIN_OPEN_EGRESS, /* outbound with egress open: no output chain */
};

/*
 * The admissions: every rule that accepts the connection, in the order the
 * kernel evaluates them (the first one decides), one per flow and peer
 * role. Zero when it is not allowed.
 */
size_t fwgen_explain_count(const struct fwgen_explain *e);
enum fwgen_explain_kind fwgen_explain_kind(const struct fwgen_explain *e,
					   size_t i);

/* The flow's id; NULL for a baseline or open-egress admission. Borrowed. */
const char *fwgen_explain_flow_id(const struct fwgen_explain *e, size_t i);

/*
 * The peer role whose addresses the rule admits (for a rule without an
 * address set: a role bound to any address), or NULL when the rule names
 * none (baseline without a set, open egress). Borrowed.
 */
const char *fwgen_explain_peer_role(const struct fwgen_explain *e, size_t i);

/* The admitting rule's comment as `nft list` shows it; NULL for open egress. */
const char *fwgen_explain_rule(const struct fwgen_explain *e, size_t i);

/*
 * The port a prerouting redirect sent the connection to before the input
 * chain saw it (PXE: 69 -> 6969), or 0.
 */
unsigned int fwgen_explain_redirect_port(const struct fwgen_explain *e);

/*
 * Near misses: catalog flows on the same protocol and port that do not
 * admit this connection, each with the reason (an option off, another
 * host role, other peers, local traffic). Borrowed strings.
 */
size_t fwgen_explain_miss_count(const struct fwgen_explain *e);
const char *fwgen_explain_miss_flow_id(const struct fwgen_explain *e,
				       size_t i);
const char *fwgen_explain_miss_reason(const struct fwgen_explain *e, size_t i);

/*
 * Writes the answer for people: the verdict, each admitting flow with its
 * description, seed source rows, note and rule, baseline admissions,
 * redirects and near misses.
 * Errors: -EINVAL (a NULL argument), -EIO (writing failed).
 */
int fwgen_explain_write(struct fwgen_ctx *ctx, const struct fwgen_explain *e,
			FILE *out);

#ifdef __cplusplus
}
#endif

#endif
