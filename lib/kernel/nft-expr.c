/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One walk over a rule's expressions, by kind, and the attribute readers
 * that the rule key and the rule text share.
 */
#include <errno.h>
#include <string.h>

#include <linux/netfilter/nf_tables.h>

#include "nft-expr.h"
#include "util.h"

static const struct {
	const char *name;
	enum nx_kind kind;
} kinds[] = {
	{ "payload", NX_PAYLOAD },
	{ "meta", NX_META },
	{ "cmp", NX_CMP },
	{ "range", NX_RANGE },
	{ "bitwise", NX_BITWISE },
	{ "byteorder", NX_BYTEORDER },
	{ "ct", NX_CT },
	{ "lookup", NX_LOOKUP },
	{ "immediate", NX_IMMEDIATE },
	{ "counter", NX_COUNTER },
	{ "dynset", NX_DYNSET },
	{ "limit", NX_LIMIT },
	{ "log", NX_LOG },
	{ "redir", NX_REDIR },
	{ "masq", NX_MASQ },
	{ "nat", NX_NAT },
	{ "objref", NX_OBJREF },
	{ "reject", NX_REJECT },
	{ "notrack", NX_NOTRACK },
};

static enum nx_kind kind_of(const char *name)
{
	size_t i;

	for (i = 0; name && i < ARRAY_SIZE(kinds); i++) {
		if (!strcmp(kinds[i].name, name))
			return kinds[i].kind;
	}
	return NX_OTHER;
}

int nx_walk(const struct nftnl_rule *r, nx_cb cb, void *arg)
{
	struct nftnl_expr_iter *it;
	struct nftnl_expr *e;
	int ret = 0;

	it = nftnl_expr_iter_create(r);
	if (!it)
		return -ENOMEM;
	while (!ret && (e = nftnl_expr_iter_next(it))) {
		const char *name = nx_str(e, NFTNL_EXPR_NAME);

		ret = cb(e, kind_of(name), name, arg);
	}
	nftnl_expr_iter_destroy(it);
	return ret;
}

int nx_reg(uint64_t r)
{
	if (r == NFT_REG_VERDICT)
		return -1;
	if (r >= NFT_REG_1 && r <= NFT_REG_4)
		return (int)(r - NFT_REG_1) * 4;
	if (r >= NFT_REG32_00 && r <= NFT_REG32_15)
		return (int)(r - NFT_REG32_00);
	return -2;
}

bool nx_uint(const struct nftnl_expr *e, uint16_t t, uint64_t *v)
{
	const void *p;
	uint32_t len = 0;

	if (!nftnl_expr_is_set(e, t))
		return false;
	p = nftnl_expr_get(e, t, &len);
	if (!p)
		return false;
	switch (len) {
	case 1:
		*v = *(const uint8_t *)p;
		return true;
	case 2: {
		uint16_t x;

		memcpy(&x, p, 2);
		*v = x;
		return true;
	}
	case 4: {
		uint32_t x;

		memcpy(&x, p, 4);
		*v = x;
		return true;
	}
	case 8:
		memcpy(v, p, 8);
		return true;
	}
	return false;
}

const char *nx_str(const struct nftnl_expr *e, uint16_t t)
{
	return nftnl_expr_is_set(e, t) ? nftnl_expr_get_str(e, t) : NULL;
}

void nx_put_hex(FILE *f, const uint8_t *p, uint32_t len)
{
	uint32_t i;

	fputs("0x", f);
	for (i = 0; i < len; i++)
		fprintf(f, "%02x", p[i]);
}
