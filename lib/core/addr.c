/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Address parsing and interval arithmetic. Peer sets are kept as sorted,
 * merged intervals so that they print, apply and compare the same way.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

static int parse_plen(const char *s, unsigned int max, unsigned int *out)
{
	unsigned int v = 0;

	if (*s == '\0')
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (unsigned int)(*s - '0');
		if (v > max)
			return -ERANGE;
	}
	*out = v;
	return 0;
}

int addr_parse(const char *text, struct addr_prefix *out, const char **why)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(text, '/');
	size_t alen = slash ? (size_t)(slash - text) : strlen(text);
	unsigned int plen, max, i;
	int ret;

	*why = "not an IPv4 or IPv6 address";
	if (alen == 0 || alen >= INET6_ADDRSTRLEN)
		return -EINVAL;
	memcpy(buf, text, alen);
	buf[alen] = '\0';

	memset(out, 0, sizeof(*out));
	/* Every IPv6 address has a colon, no IPv4 one has: one parse each. */
	if (memchr(buf, ':', alen)) {
		if (inet_pton(AF_INET6, buf, out->addr) != 1)
			return -EINVAL;
		out->family = 6;
	} else {
		if (inet_pton(AF_INET, buf, out->addr) != 1)
			return -EINVAL;
		out->family = 4;
	}

	max = out->family == 4 ? 32 : 128;
	plen = max;
	if (slash) {
		ret = parse_plen(slash + 1, max, &plen);
		if (ret == -ERANGE) {
			*why = out->family == 4 ?
				       "prefix length out of range 0-32" :
				       "prefix length out of range 0-128";
			return -EINVAL;
		}
		if (ret < 0) {
			*why = "prefix length is not a number";
			return -EINVAL;
		}
	}
	out->len = (uint8_t)plen;

	for (i = plen; i < max; i++) {
		if (out->addr[i / 8] & (0x80 >> (i % 8))) {
			*why = "host bits set after the prefix length";
			return -EINVAL;
		}
	}
	*why = NULL;
	return 0;
}

int addr_parse_peer(const char *text, struct addr_prefix *out,
		    const char **why)
{
	static const uint8_t v4mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};

	if (addr_parse(text, out, why) < 0)
		return -EINVAL;
	if (out->family == 6 && out->len >= 96 && !memcmp(out->addr, v4mapped, 12)) {
		*why = "an IPv4-mapped IPv6 address never matches; write the IPv4 address";
		return -EINVAL;
	}
	return 0;
}

void addr_prefix_interval(const struct addr_prefix *p,
			  struct addr_interval *out)
{
	unsigned int max = p->family == 4 ? 32 : 128, i;

	memset(out, 0, sizeof(*out));
	memcpy(out->lo, p->addr, addr_bytes(p->family));
	memcpy(out->hi, p->addr, addr_bytes(p->family));
	for (i = p->len; i < max; i++)
		out->hi[i / 8] |= (uint8_t)(0x80 >> (i % 8));
}

int addr_list_add(struct addr_list *l, const struct addr_interval *iv)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct addr_interval *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *iv;
	return 0;
}

int addr_list_copy(struct addr_list *dst, const struct addr_list *src)
{
	memset(dst, 0, sizeof(*dst));
	if (!src->n)
		return 0;
	dst->v = malloc(src->n * sizeof(*dst->v));
	if (!dst->v)
		return -ENOMEM;
	memcpy(dst->v, src->v, src->n * sizeof(*dst->v));
	dst->n = dst->cap = src->n;
	return 0;
}

void addr_list_release(struct addr_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int cmp_lo(const void *a, const void *b)
{
	const struct addr_interval *x = a, *y = b;
	int c = memcmp(x->lo, y->lo, 16);

	return c ? c : memcmp(x->hi, y->hi, 16);
}

bool addr_increment(uint8_t *a, size_t bytes)
{
	size_t i = bytes;

	while (i-- > 0) {
		if (++a[i] != 0)
			return false;
	}
	return true;
}

void addr_list_normalize(struct addr_list *l, int family)
{
	size_t bytes = addr_bytes(family), out = 0, i;

	if (l->n < 2)
		return;
	/* Inventories mostly list addresses in order: sorting those costs
	 * more than all the rest of loading them. */
	for (i = 1; i < l->n && cmp_lo(&l->v[i - 1], &l->v[i]) <= 0; i++)
		;
	if (i < l->n)
		qsort(l->v, l->n, sizeof(*l->v), cmp_lo);
	for (i = 1; i < l->n; i++) {
		struct addr_interval *cur = &l->v[out];
		uint8_t next[16];
		bool wrapped;

		memcpy(next, cur->hi, 16);
		wrapped = addr_increment(next, bytes);
		/* Overlapping or adjacent: extend the current interval. */
		if (wrapped || memcmp(l->v[i].lo, next, bytes) <= 0) {
			if (memcmp(l->v[i].hi, cur->hi, bytes) > 0)
				memcpy(cur->hi, l->v[i].hi, 16);
			continue;
		}
		l->v[++out] = l->v[i];
	}
	l->n = out + 1;
}

bool addr_all_bytes(const uint8_t *a, size_t bytes, uint8_t v)
{
	size_t i;

	for (i = 0; i < bytes; i++)
		if (a[i] != v)
			return false;
	return true;
}

bool addr_decrement(uint8_t *a, size_t bytes)
{
	size_t i = bytes;

	while (i-- > 0) {
		if (a[i]-- != 0)
			return false;
	}
	return true;
}

int addr_list_subtract(struct addr_list *l, int family,
		       const struct addr_interval *cut)
{
	size_t bytes = addr_bytes(family), i, n = l->n;
	struct addr_list out = { 0 };

	for (i = 0; i < n; i++) {
		struct addr_interval iv = l->v[i], part;
		int ret = 0;

		/* No overlap: keep it whole. */
		if (memcmp(iv.hi, cut->lo, bytes) < 0 ||
		    memcmp(iv.lo, cut->hi, bytes) > 0) {
			ret = addr_list_add(&out, &iv);
		} else {
			if (memcmp(iv.lo, cut->lo, bytes) < 0) {
				part = iv;
				memcpy(part.hi, cut->lo, 16);
				addr_decrement(part.hi, bytes);
				ret = addr_list_add(&out, &part);
			}
			if (ret == 0 && memcmp(iv.hi, cut->hi, bytes) > 0) {
				part = iv;
				memcpy(part.lo, cut->hi, 16);
				addr_increment(part.lo, bytes);
				ret = addr_list_add(&out, &part);
			}
		}
		if (ret < 0) {
			addr_list_release(&out);
			return ret;
		}
	}
	addr_list_release(l);
	*l = out;
	return 0;
}

static bool has_exact(const struct addr_list *l, size_t bytes,
		      const struct addr_interval *iv)
{
	size_t lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(iv->lo, l->v[mid].lo, bytes);

		if (c == 0)
			return memcmp(iv->hi, l->v[mid].hi, bytes) == 0;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
}

int addr_list_delta(const struct addr_list *old, const struct addr_list *new,
		    int family, struct addr_list *del, struct addr_list *add)
{
	size_t bytes = addr_bytes(family), i;

	memset(del, 0, sizeof(*del));
	memset(add, 0, sizeof(*add));
	for (i = 0; i < old->n; i++) {
		if (!has_exact(new, bytes, &old->v[i]) &&
		    addr_list_add(del, &old->v[i]) < 0)
			goto nomem;
	}
	for (i = 0; i < new->n; i++) {
		if (!has_exact(old, bytes, &new->v[i]) &&
		    addr_list_add(add, &new->v[i]) < 0)
			goto nomem;
	}
	return 0;
nomem:
	addr_list_release(del);
	addr_list_release(add);
	return -ENOMEM;
}

bool addr_list_contains(const struct addr_list *l, int family,
			const uint8_t *addr)
{
	size_t bytes = addr_bytes(family), lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (memcmp(addr, l->v[mid].lo, bytes) < 0)
			hi = mid;
		else if (memcmp(addr, l->v[mid].hi, bytes) > 0)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

bool addr_interval_is_prefix(const struct addr_interval *iv, int family,
			     unsigned int *plen)
{
	unsigned int max = family == 4 ? 32 : 128, len, i;

	/* The prefix length is the length of the common leading bits... */
	for (len = 0; len < max; len++) {
		uint8_t m = (uint8_t)(0x80 >> (len % 8));

		if ((iv->lo[len / 8] & m) != (iv->hi[len / 8] & m))
			break;
	}
	/* ...and below it lo must be all zeros and hi all ones. */
	for (i = len; i < max; i++) {
		uint8_t m = (uint8_t)(0x80 >> (i % 8));

		if ((iv->lo[i / 8] & m) || !(iv->hi[i / 8] & m))
			return false;
	}
	*plen = len;
	return true;
}

int addr_interval_format(const struct addr_interval *iv, int family,
			 char *buf, size_t len)
{
	int af = family == 4 ? AF_INET : AF_INET6;
	char lo[INET6_ADDRSTRLEN], hi[INET6_ADDRSTRLEN];
	unsigned int plen;
	int n;

	if (!inet_ntop(af, iv->lo, lo, sizeof(lo)) ||
	    !inet_ntop(af, iv->hi, hi, sizeof(hi)))
		return -EINVAL;
	if (addr_interval_is_prefix(iv, family, &plen)) {
		if (plen == (family == 4 ? 32u : 128u))
			n = snprintf(buf, len, "%s", lo);
		else
			n = snprintf(buf, len, "%s/%u", lo, plen);
	} else {
		n = snprintf(buf, len, "%s-%s", lo, hi);
	}
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

/* Whether a has no bit set after the first plen, and the last of that block. */
static bool block_at(const uint8_t *a, size_t bytes, unsigned int plen,
		     uint8_t *last)
{
	size_t k;

	for (k = 0; k < bytes; k++) {
		unsigned int bit = (unsigned int)k * 8;
		uint8_t host = bit >= plen     ? 0xff :
			       bit + 8 <= plen ? 0 :
						 (uint8_t)(0xff >> (plen - bit));

		if (a[k] & host)
			return false;
		last[k] = a[k] | host;
	}
	return true;
}

size_t addr_interval_prefix_at(const struct addr_interval *iv, int family,
			       size_t i, struct addr_prefix *out)
{
	size_t bytes = addr_bytes(family), n = 0;
	unsigned int bits = (unsigned int)bytes * 8, plen;
	uint8_t lo[16], last[16];

	memcpy(lo, iv->lo, bytes);
	for (;;) {
		/* The largest block that starts at lo and ends by hi. */
		for (plen = 0; plen <= bits; plen++)
			if (block_at(lo, bytes, plen, last) &&
			    memcmp(last, iv->hi, bytes) <= 0)
				break;
		if (n == i && out) {
			memset(out, 0, sizeof(*out));
			out->family = family;
			memcpy(out->addr, lo, bytes);
			out->len = (uint8_t)plen;
		}
		n++;
		if (!memcmp(last, iv->hi, bytes))
			return n;
		memcpy(lo, last, bytes);
		addr_increment(lo, bytes);
	}
}

int addr_prefix_format(const struct addr_prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	int n;

	if (!inet_ntop(p->family == 4 ? AF_INET : AF_INET6, p->addr, a,
		       sizeof(a)))
		return -EINVAL;
	if (p->len == (p->family == 4 ? 32 : 128))
		n = snprintf(buf, len, "%s", a);
	else
		n = snprintf(buf, len, "%s/%u", a, p->len);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}
