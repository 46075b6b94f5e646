/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Comparing the desired objects of a policy with the kernel's, as one line
 * per difference in nft terms. Pure: no netlink, so tests build both sides.
 */
#ifndef FWGEN_LIB_DIFF_H
#define FWGEN_LIB_DIFF_H

#include <stddef.h>
#include <stdio.h>

#include "ctx.h"
#include "nft-build.h"
#include "policy.h"

/*
 * Compares want (desired: its table must be set) with have (the kernel's;
 * table NULL when the kernel has none) and writes one line per difference
 * to out, or only counts them when out is NULL; *ndiff receives the count.
 *
 * Lines, in this order: the table; named sets by name, each followed by
 * its elements in key order; chains in want's order, then chains only the
 * kernel has by name, each followed by its rules in chain order:
 *
 *   + table inet fwgen
 *   ~ table inet fwgen: flags dormant, want none
 *   + set inet fwgen user_v4 { type ipv4_addr; flags interval; }
 *   - set inet fwgen handmade
 *   ~ set inet fwgen user_v4: type ipv6_addr, want ipv4_addr
 *   + element inet fwgen user_v4 { 198.18.1.5 }
 *   - element inet fwgen user_v4 { 198.18.7.0/24 }
 *   + chain inet fwgen input { type filter hook input priority filter; policy drop; }
 *   - chain inet fwgen handmade
 *   ~ chain inet fwgen input: policy accept, want drop
 *   + rule inet fwgen in_tcp_443: ip saddr @user_v4 accept comment "..."
 *   - rule inet fwgen input: tcp dport 2222 accept (handle 31)
 *
 * Rules match when their comments and expressions are equal in canonical
 * form (registers, kernel defaults and anonymous set names do not count;
 * anonymous set contents do), and are paired in order, so a moved rule is
 * one "-" and one "+". A chain the kernel lacks brings all its rules as
 * "+"; one only the kernel has is one "-" line.
 *
 * pol (may be NULL) is the policy want was built from by nft_build(): "+"
 * rules are then written by render_nft_rule(), exactly as `fwgen print`
 * writes them; without it, as read from the expressions.
 *
 * Returns 0 whether or not anything differs, -ENOMEM, or -EIO when writing
 * to out fails.
 */
int diff_objs(struct fwgen_ctx *ctx, const struct fwgen_policy *pol,
	      const struct nft_objs *want, const struct nft_objs *have,
	      FILE *out, size_t *ndiff);

#endif
