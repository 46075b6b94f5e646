/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `--role auto`: a host finds its roles by matching its own interface
 * addresses against the inventory, so one inventory serves a whole fleet.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "local-roles.h"
#include "model.h"

static bool holds(const struct inv_role *ir, const struct addr_prefix *a)
{
	return addr_list_contains(a->family == 4 ? &ir->v4 : &ir->v6,
				  a->family, a->addr);
}

int roles_for_addresses(struct fwgen_ctx *ctx, const struct fwgen_topology *t,
			const struct fwgen_inventory *inv,
			const struct addr_prefix *addrs, size_t naddrs,
			const char ***out, size_t *nout)
{
	const char **roles;
	size_t i, j;

	*out = NULL;
	*nout = 0;
	roles = calloc(t->nroles + 1, sizeof(*roles));
	if (!roles)
		return ctx_nomem(ctx);
	for (i = 0; i < t->nroles; i++) {
		const struct inv_role *ir;

		/* Peer roles are address groups, not what this host is. */
		if (!t->roles[i].host)
			continue;
		ir = inventory_role(inv, t->roles[i].name);
		if (!ir || ir->any)
			continue;
		for (j = 0; j < naddrs; j++) {
			if (holds(ir, &addrs[j])) {
				roles[(*nout)++] = t->roles[i].name;
				break;
			}
		}
	}
	*out = roles;
	return 0;
}

/* The host's addresses, skipping loopback: no inventory lists 127.0.0.1. */
static int local_addresses(struct fwgen_ctx *ctx, struct addr_prefix **out,
			   size_t *n)
{
	struct ifaddrs *ifa, *it;
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	if (getifaddrs(&ifa) < 0)
		return ctx_err(ctx, ctx_sys_errno(errno),
			       "cannot list this host's addresses: %s",
			       strerror(errno));
	for (it = ifa; it; it = it->ifa_next) {
		struct addr_prefix *p;

		if (!it->ifa_addr)
			continue;
		if (it->ifa_addr->sa_family != AF_INET &&
		    it->ifa_addr->sa_family != AF_INET6)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			p = realloc(*out, cap * sizeof(*p));
			if (!p) {
				freeifaddrs(ifa);
				return ctx_nomem(ctx);
			}
			*out = p;
		}
		p = &(*out)[*n];
		memset(p, 0, sizeof(*p));
		if (it->ifa_addr->sa_family == AF_INET) {
			const struct sockaddr_in *sin = (const void *)it->ifa_addr;

			if ((ntohl(sin->sin_addr.s_addr) >> 24) == 127)
				continue;
			p->family = 4;
			p->len = 32;
			memcpy(p->addr, &sin->sin_addr, 4);
		} else {
			const struct sockaddr_in6 *sin6 = (const void *)it->ifa_addr;

			if (IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr))
				continue;
			p->family = 6;
			p->len = 128;
			memcpy(p->addr, &sin6->sin6_addr, 16);
		}
		(*n)++;
	}
	freeifaddrs(ifa);
	return 0;
}

FWGEN_EXPORT int fwgen_inventory_local_roles(struct fwgen_ctx *ctx,
					     const struct fwgen_catalog *cat,
					     const struct fwgen_inventory *inv,
					     const char *topology,
					     const char ***roles, size_t *n)
{
	const struct fwgen_topology *t;
	struct addr_prefix *addrs;
	size_t naddrs, nfound = 0;
	const char **found = NULL;
	int ret;

	ARG_CTX(ctx);
	ARG_CHECK(ctx, cat);
	ARG_CHECK(ctx, inv);
	ARG_CHECK(ctx, roles);
	ARG_CHECK(ctx, n);

	if (!topology)
		topology = inv->topology;
	if (!topology)
		return ctx_err(ctx, -EINVAL,
			       "no topology: none given, and the inventory names none");
	t = fwgen_catalog_topology(ctx, cat, topology);
	if (!t)
		return -ENOENT;
	ret = local_addresses(ctx, &addrs, &naddrs);
	if (ret < 0)
		return ret;
	ret = roles_for_addresses(ctx, t, inv, addrs, naddrs, &found, &nfound);
	free(addrs);
	if (ret < 0)
		return ret;
	if (nfound == 0) {
		free(found);
		return ctx_err(ctx, -ENOENT,
			       "%s: none of this host's addresses is bound to a host role of '%s'",
			       inv->file ? inv->file : "inventory", topology);
	}
	*roles = found;
	*n = nfound;
	return 0;
}
