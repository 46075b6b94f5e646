/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The text renderers of a resolved policy, one file each; render.c picks
 * one by format. Renderers read the policy only, never the catalog.
 */
#ifndef FWGEN_RENDER_H
#define FWGEN_RENDER_H

#include <stdio.h>

#include "ctx.h"
#include "policy.h"

int render_nft(struct fwgen_ctx *ctx, const struct fwgen_policy *pol,
	       FILE *out);

/* One rule in nft syntax, no indentation or newline (diff uses it too). */
int render_nft_rule(const struct fwgen_policy *pol,
		    const struct pol_rule *rule, FILE *out);

int render_json(struct fwgen_ctx *ctx, const struct fwgen_policy *pol,
		FILE *out);

/* family 4: iptables-restore input, 6: ip6tables-restore input. */
int render_iptables(struct fwgen_ctx *ctx, const struct fwgen_policy *pol,
		    int family, FILE *out);

int render_ipset(struct fwgen_ctx *ctx, const struct fwgen_policy *pol,
		 FILE *out);

/* Names as nft prints them; NULL where nft would print a number. */
const char *render_icmp_name(uint8_t l4proto, uint8_t type);
const char *render_l4_name(uint8_t l4proto);
const char *render_hook_name(enum pol_hook hook);

/*
 * The comment fwgen gives its table begins with the ownership marker:
 * apply, remove and set updates touch a table of fwgen's name only when
 * its comment does (or when forced), so a hand-made table or a
 * distribution's `inet filter` is never replaced by mistake.
 */
#define FWGEN_TABLE_COMMENT "managed by fwgen"

/*
 * The whole comment of fwgen's table: the marker, then what the table was
 * applied for, where `fwgen status` reads it: "managed by fwgen; topology
 * T; roles a, b". At most RENDER_TABLE_COMMENT_MAX bytes (nft's limit), cut
 * with "..." beyond. Returns a malloc()ed string, or NULL when out of
 * memory.
 */
#define RENDER_TABLE_COMMENT_MAX 128
char *render_table_comment(const struct fwgen_policy *pol);

/* Whether a table comment (NULL: none) marks the table as fwgen's. */
bool render_comment_is_fwgens(const char *comment);

/* Writes s as a double-quoted string safe for nft and JSON alike. */
void render_quoted(const char *s, FILE *out);

#endif
