/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A range of ports, shared by the catalog model and the policy IR so that
 * neither header has to include the other.
 */
#ifndef FWGEN_PORT_RANGE_H
#define FWGEN_PORT_RANGE_H

#include <stdint.h>

/* A closed range of ports, lo <= hi. */
struct port_range {
	uint16_t lo;
	uint16_t hi;
};

#endif
