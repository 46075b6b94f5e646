/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading libnftnl expressions: which kind each one is, its attributes as
 * numbers and strings, and registers by place. The rule key (nft-canon.c)
 * and the rule text (nft-text.c) both walk a rule through here, so an
 * expression kind is named in one place.
 */
#ifndef FWGEN_NFT_EXPR_H
#define FWGEN_NFT_EXPR_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <libnftnl/expr.h>
#include <libnftnl/rule.h>

/* The expression kinds fwgen reads by their parts; NX_OTHER is any other. */
enum nx_kind {
	NX_OTHER = 0,
	NX_PAYLOAD,
	NX_META,
	NX_CMP,
	NX_RANGE,
	NX_BITWISE,
	NX_BYTEORDER,
	NX_CT,
	NX_LOOKUP,
	NX_IMMEDIATE,
	NX_COUNTER,
	NX_DYNSET,
	NX_LIMIT,
	NX_LOG,
	NX_REDIR,
	NX_MASQ,
	NX_NAT,
	NX_OBJREF,
	NX_REJECT,
	NX_NOTRACK,
};

/*
 * Called once per expression of a rule, in order. name is libnftnl's name
 * of the expression, or NULL for one without a name (kind is then
 * NX_OTHER). A non-zero return stops the walk.
 */
typedef int (*nx_cb)(const struct nftnl_expr *e, enum nx_kind kind,
		     const char *name, void *arg);

/*
 * Walks the expressions of r. Returns what the last call of cb returned
 * (0 when all were walked), or -ENOMEM when libnftnl cannot make an
 * iterator.
 */
int nx_walk(const struct nftnl_rule *r, nx_cb cb, void *arg);

/*
 * A register as a place in 32-bit units. The kernel dumps a register on a
 * 16-byte boundary as NFT_REG_1..4 and any other as NFT_REG32_xx, while a
 * sender may use either name for the same place: compare places, not names.
 * -1 is the verdict register, -2 anything unknown.
 */
int nx_reg(uint64_t r);

/* An unsigned attribute of 1, 2, 4 or 8 bytes into *v; false when unset. */
bool nx_uint(const struct nftnl_expr *e, uint16_t t, uint64_t *v);

/* A string attribute, or NULL when unset. Borrowed from e. */
const char *nx_str(const struct nftnl_expr *e, uint16_t t);

/* Writes len bytes as 0x and two hex digits each. */
void nx_put_hex(FILE *f, const uint8_t *p, uint32_t len);

#endif
