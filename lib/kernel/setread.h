/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading one address set of fwgen's table for a live update: its type,
 * the interval that holds one address (a point lookup, at the same cost
 * whatever the size of the set), whether it holds anything, or all of it.
 * Every answer comes from the ruleset generation the read began in.
 */
#ifndef FWGEN_SETREAD_H
#define FWGEN_SETREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "nlread.h"

struct setread {
	const char *table;
	struct nlread nr;
};

/*
 * Opens the reader on table inet <table> and reads the generation; *genid
 * receives it, for the batch that acts on what was read (a batch sent
 * with it is refused if anything changed since). Release with
 * setread_end(), also on failure. Errors are negative errnos; -EAGAIN
 * from this or any later call means start over with a new reader.
 */
int setread_begin(struct setread *sr, const char *table, uint32_t *genid);
void setread_end(struct setread *sr);

struct setread_info {
	bool present;	/* the set exists */
	uint32_t flags; /* NFT_SET_* */
	uint32_t key_len;
	uint32_t key_type; /* nft's datatype: 7 ipv4_addr, 8 ipv6_addr */
	uint32_t size;	   /* the most elements it takes; 0 unbounded */
};

/*
 * What set <name> is. A missing set is info->present == false; a missing
 * table is -ENOENT.
 */
int setread_info(struct setread *sr, const char *name,
		 struct setread_info *info);

/*
 * Point lookup in interval set <name> of addresses of family: the interval
 * holding addr, as 1 and *iv; 0 when no interval holds it. -EPROTO when
 * the kernel's answer is not the one interval expected (a set nft was not
 * the last to write, say): the caller then reads the whole set instead.
 */
int setread_find(struct setread *sr, const char *name, int family,
		 const uint8_t *addr, struct addr_interval *iv);

/*
 * Point lookup in hash set <name>: 1 when it holds addr, 0 when not.
 */
int setread_has(struct setread *sr, const char *name, int family,
		const uint8_t *addr);

/*
 * Whether set <name> holds any element at all, the end element at zero
 * included: the first message of a dump, on a socket of its own.
 */
int setread_any(struct setread *sr, const char *name, bool *any);

/*
 * All intervals of set <name> (those of family's key length) into *out,
 * sorted; *nraw receives the number of kernel elements, end elements
 * included. interval: the set is an interval set (start and end
 * elements), else each element is one address.
 */
int setread_all(struct setread *sr, const char *name, int family,
		bool interval, struct addr_list *out, size_t *nraw);

#endif
