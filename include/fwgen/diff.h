/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libfwgen diff: what differs between the table a policy wants and the one
 * the kernel holds, as nft-like lines for people and a count for scripts.
 */
#ifndef FWGEN_DIFF_H
#define FWGEN_DIFF_H

#include <stddef.h>
#include <stdio.h>

#include <fwgen/fwgen.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Reads the policy's table (table inet <fwgen_policy_table(pol)>) back
 * from the kernel of the calling thread's network namespace and compares
 * it with what pol wants: the table, its named sets and their elements,
 * its chains (type, hook, priority, policy) and their rules in order.
 * Nothing else is read or compared: other tables are not fwgen's.
 *
 * Writes one line per difference to out, "+" for what applying would add,
 * "-" for what it would remove, "~" for a changed property, e.g.
 *
 *   + rule inet fwgen in_tcp_443: ip saddr @user_v4 accept comment "..."
 *   - rule inet fwgen input: tcp dport 2222 accept (handle 31)
 *   + element inet fwgen user_v4 { 198.18.1.5 }
 *   ~ chain inet fwgen input: policy accept, want drop
 *
 * in a stable order (table, sets with their elements, chains with their
 * rules); a missing table is "+ table" followed by everything as "+".
 * out may be NULL to count only. *ndiff (may be NULL) receives the number
 * of lines, 0 when the kernel holds exactly what pol wants.
 *
 * pol, out and the kernel's state are only read; nothing is changed and
 * nothing is kept after the call. Returns 0 whether or not anything
 * differs; -EPERM without CAP_NET_ADMIN, -EIO when netlink fails or
 * writing to out fails, -ENOMEM; the message is in ctx.
 */
int fwgen_policy_diff(struct fwgen_ctx *ctx, const struct fwgen_policy *pol,
		      FILE *out, size_t *ndiff);

#ifdef __cplusplus
}
#endif

#endif
