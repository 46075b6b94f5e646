/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one rule for the name of fwgen's table, wherever a name comes in:
 * the inventory's `table`, fwgen_inventory_set_table(), remove and the
 * set updates. Defined in inventory.c, next to the nft keywords.
 */
#ifndef FWGEN_TABLENAME_H
#define FWGEN_TABLENAME_H

#include "ctx.h"

#define TABLE_NAME_MAX 32

/*
 * NULL when name is a valid table name, else why not (static text, to
 * follow "table name 'NAME' "): lowercase letters, digits, '-' and '_',
 * starting with a letter, at most TABLE_NAME_MAX, and not an nft keyword.
 */
const char *table_name_problem(const char *name);

/* -EINVAL with "table name 'NAME' <problem>" unless name is valid. */
int table_name_check(struct fwgen_ctx *ctx, const char *name);

#endif
