/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Matching addresses to the host roles an inventory binds them to.
 */
#ifndef FWGEN_LOCAL_ROLES_H
#define FWGEN_LOCAL_ROLES_H

#include "addr.h"
#include "model.h"

/*
 * The host roles of t whose inventory addresses include one of addrs, in
 * catalog order. *out is a new array of names borrowed from t; free() it.
 */
int roles_for_addresses(struct fwgen_ctx *ctx, const struct fwgen_topology *t,
			const struct fwgen_inventory *inv,
			const struct addr_prefix *addrs, size_t naddrs,
			const char ***out, size_t *nout);

#endif
