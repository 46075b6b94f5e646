/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * struct fwgen_status, shared by the reader (status.c) and the renderers
 * (status-render.c).
 */
#ifndef FWGEN_STATUS_PRIV_H
#define FWGEN_STATUS_PRIV_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctx.h"

struct status_flow {
	char *id;
	uint64_t packets;
	uint64_t bytes;
};

struct status_refused {
	int family; /* 4 or 6 */
	bool out;   /* outbound: address is the destination */
	char address[INET6_ADDRSTRLEN];
	uint8_t proto; /* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t port;
	uint64_t packets;
};

struct fwgen_status {
	char *table;
	bool audit;
	char *topology; /* NULL: the table has no comment fwgen wrote */
	char **roles;
	size_t nroles, cap_roles;
	struct status_flow *flows; /* by id */
	size_t nflows, cap_flows;
	struct status_refused *refused; /* largest count first */
	size_t nrefused, cap_refused;
};

#endif
