/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IPv4/IPv6 addresses and prefixes as the inventory writes them, and the
 * normalised interval lists that peer address sets are made of.
 */
#ifndef FWGEN_ADDR_H
#define FWGEN_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Addresses are kept as 16 big-endian bytes; IPv4 uses the first 4. */
struct addr_interval {
	uint8_t lo[16];
	uint8_t hi[16];
};

struct addr_prefix {
	int family; /* 4 or 6 */
	uint8_t addr[16];
	uint8_t len; /* 0-32 or 0-128 */
};

/* A growable list of intervals of one family. */
struct addr_list {
	struct addr_interval *v;
	size_t n;
	size_t cap;
};

static inline size_t addr_bytes(int family)
{
	return family == 4 ? 4 : 16;
}

/*
 * Parses "198.18.0.1", "198.18.0.0/24", "2001:db8::1" or "2001:db8::/32".
 * Returns 0, or -EINVAL with a reason in *why (static string): not an
 * address, prefix length out of range, or host bits set after the prefix.
 */
int addr_parse(const char *text, struct addr_prefix *out, const char **why);

/*
 * addr_parse() plus what the inventory refuses of a peer address, so that
 * every way into a set (inventory, `set add|del`, the sets API) accepts
 * the same: an IPv4-mapped IPv6 address (::ffff:0:0/96 and within) never
 * appears in an IPv6 header -- the kernel sees such a peer as IPv4 -- so
 * it would never match.
 */
int addr_parse_peer(const char *text, struct addr_prefix *out,
		    const char **why);

/* The interval covered by a prefix. */
void addr_prefix_interval(const struct addr_prefix *p,
			  struct addr_interval *out);

/* Adds or subtracts one to a big-endian number; true on wrap-around. */
bool addr_increment(uint8_t *a, size_t bytes);
bool addr_decrement(uint8_t *a, size_t bytes);
/* Whether every byte is v: 0 is the bottom of the space, 0xff its top. */
bool addr_all_bytes(const uint8_t *a, size_t bytes, uint8_t v);

int addr_list_add(struct addr_list *l, const struct addr_interval *iv);
int addr_list_copy(struct addr_list *dst, const struct addr_list *src);
void addr_list_release(struct addr_list *l);

/* Sorts and merges overlapping and adjacent intervals in place. */
void addr_list_normalize(struct addr_list *l, int family);

/*
 * Removes an interval from a normalised list, splitting intervals it cuts
 * through; the list stays normalised.
 */
int addr_list_subtract(struct addr_list *l, int family,
		       const struct addr_interval *cut);

/*
 * The elements to delete from and add to a normalised list old to make it
 * the normalised list new: intervals that are not in both exactly. A live
 * update sends exactly these, deletions first, in one transaction.
 */
int addr_list_delta(const struct addr_list *old, const struct addr_list *new,
		    int family, struct addr_list *del, struct addr_list *add);

/* Whether an address falls into one of the list's (normalised) intervals. */
bool addr_list_contains(const struct addr_list *l, int family,
			const uint8_t *addr);

/*
 * Formats an interval as nft writes it: "a", "a/len" when it is exactly a
 * prefix, else "a-b". buf should hold at least ADDR_INTERVAL_STRLEN bytes.
 */
#define ADDR_INTERVAL_STRLEN 96
int addr_interval_format(const struct addr_interval *iv, int family,
			 char *buf, size_t len);

/*
 * The i-th of the fewest prefixes that cover exactly iv, lowest first
 * (what an inventory, which takes prefixes only, can write of a range).
 * Returns how many there are; *out is filled when i is below that.
 */
size_t addr_interval_prefix_at(const struct addr_interval *iv, int family,
			       size_t i, struct addr_prefix *out);

/* Formats a prefix as an inventory writes it: "a" or "a/len". */
int addr_prefix_format(const struct addr_prefix *p, char *buf, size_t len);

/* Whether an interval is exactly one prefix; *plen receives its length. */
bool addr_interval_is_prefix(const struct addr_interval *iv, int family,
			     unsigned int *plen);

#endif
