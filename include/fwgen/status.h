/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libfwgen status: what fwgen's live table is doing. The mode (audit or
 * enforce), what it was applied for, the packets and bytes of every
 * catalog flow, and what the drop path refused (in audit mode: would have
 * refused), read from the kernel in one snapshot.
 */
#ifndef FWGEN_STATUS_H
#define FWGEN_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <fwgen/fwgen.h>

#ifdef __cplusplus
extern "C" {
#endif

struct fwgen_status;

/*
 * Reads table inet <table> (NULL: FWGEN_DEFAULT_TABLE) from the kernel of
 * the calling thread's network namespace. Only the table, its chains, its
 * rules and the elements of its refused sets are read (never the peer
 * sets' addresses); nothing is changed.
 *
 * On success *out is new; free it with fwgen_status_free(). Errors, with
 * the message in ctx and *out left as it was: -EINVAL for a NULL ctx or out or a bad
 * table name, -ENOENT when the table is not there (nothing applied, or
 * another name), -EPERM without CAP_NET_ADMIN, -EIO when netlink fails.
 */
int fwgen_status_read(struct fwgen_ctx *ctx, const char *table,
		      struct fwgen_status **out);

/* Frees a status; NULL is allowed. */
void fwgen_status_free(struct fwgen_status *st);

/*
 * The getters below only read st. They return 0, NULL, -EINVAL (the
 * family) or FWGEN_MODE_INVALID for a NULL st or an index out of range
 * (never a value a real entry could have but 0 counts); strings are
 * borrowed from st and live until fwgen_status_free().
 */

/* The table's name. */
const char *fwgen_status_table(const struct fwgen_status *st);

/* The mode: audit when fwgen's filter base chains accept what no rule admits. */
enum fwgen_mode fwgen_status_mode(const struct fwgen_status *st);

/*
 * The topology the table was applied for, from the table's comment; NULL
 * when it has none (a table loaded from `fwgen print --format json`: nft
 * 1.0.6's JSON carries no table comment).
 */
const char *fwgen_status_topology(const struct fwgen_status *st);

/* The host roles it was applied for, sorted; none when unknown. */
size_t fwgen_status_role_count(const struct fwgen_status *st);
const char *fwgen_status_role_at(const struct fwgen_status *st, size_t i);

/*
 * Catalog flows, by id (sorted): the sums over every counting rule of the
 * flow (both families, every service chain). A flow of the table that saw
 * nothing is listed with 0. The rules see the first packet of each new
 * connection (the rest pass the established rule first): packets is the
 * number of connections admitted, bytes their first packets' size.
 */
size_t fwgen_status_flow_count(const struct fwgen_status *st);
const char *fwgen_status_flow_id(const struct fwgen_status *st, size_t i);
uint64_t fwgen_status_flow_packets(const struct fwgen_status *st, size_t i);
uint64_t fwgen_status_flow_bytes(const struct fwgen_status *st, size_t i);

/*
 * Refused (audit: would-be-refused) TCP and UDP, one entry per family,
 * direction, peer address, protocol and destination port, largest packet
 * count first (then family, direction, address, protocol, port). The
 * kernel keeps at most 65536 entries per family and direction, each for
 * an hour after its last packet.
 */
size_t fwgen_status_refused_count(const struct fwgen_status *st);
/* 4 or 6; -EINVAL for a NULL st or i out of range. */
int fwgen_status_refused_family(const struct fwgen_status *st, size_t i);
/* false: inbound, the peer is the source; true: outbound, the destination. */
bool fwgen_status_refused_outbound(const struct fwgen_status *st, size_t i);
/* The peer address, as inet_ntop() writes it. */
const char *fwgen_status_refused_address(const struct fwgen_status *st,
					 size_t i);
/* IPPROTO_TCP or IPPROTO_UDP. */
uint8_t fwgen_status_refused_proto(const struct fwgen_status *st, size_t i);
uint16_t fwgen_status_refused_port(const struct fwgen_status *st, size_t i);
uint64_t fwgen_status_refused_packets(const struct fwgen_status *st, size_t i);

/* Formats of fwgen_status_render(). */
enum fwgen_status_format {
	FWGEN_STATUS_TEXT = 0,	 /* for people; may change */
	FWGEN_STATUS_JSON,	 /* the stable schema of fwgen(8), STATUS */
	FWGEN_STATUS_PROMETHEUS, /* node_exporter textfile metrics, fwgen(8) */
};

/*
 * Writes st to out in a format. -EINVAL (message in ctx) for a NULL st or
 * out or an unknown format, -EIO when writing fails.
 */
int fwgen_status_render(struct fwgen_ctx *ctx, const struct fwgen_status *st,
			enum fwgen_status_format format, FILE *out);

#ifdef __cplusplus
}
#endif

#endif
