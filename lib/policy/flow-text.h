/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A flow's protocols, ports and conditions as one short line of text, shared
 * by the graph labels and the explain answers so both read the same.
 */
#ifndef FWGEN_FLOW_TEXT_H
#define FWGEN_FLOW_TEXT_H

#include <stdio.h>

#include "model.h"

/*
 * The ports a param stands for: the inventory's value when inv sets it,
 * else the catalog default. inv may be NULL.
 */
const struct port_range *flow_param_ports(const struct fwgen_topology *t,
					  size_t param,
					  const struct fwgen_inventory *inv,
					  size_t *n);

/*
 * Writes "tcp/80, 443 ($https_port)", "tcp+udp/4567, 4560-4570",
 * "udp/69 redirect to 6969" or "tcp, no port": a param as its value (from
 * inv, else its default) followed by its name.
 */
void flow_text_ports(const struct fwgen_topology *t, const struct flow *f,
		     const struct fwgen_inventory *inv, FILE *out);

/* Writes "legacy", "not legacy", "a and not b"; nothing for no condition. */
void flow_text_when(const struct fwgen_topology *t, const struct flow *f,
		    FILE *out);

#endif
