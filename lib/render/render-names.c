/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The names nft prints for a policy's hooks, transport protocols and ICMP
 * types (from names.c), shared by the text and JSON renderers so both say
 * the same thing, and the comment that marks fwgen's table.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>

#include "names.h"
#include "policy.h"
#include "render.h"

const char *render_icmp_name(uint8_t l4proto, uint8_t type)
{
	return names_icmp_type(l4proto == POL_L4_ICMPV6 ? 6 :
			       l4proto == POL_L4_ICMP	? 4 :
							  0,
			       type);
}

/* Only the protocols a policy holds have a name here. */
const char *render_l4_name(uint8_t l4proto)
{
	switch (l4proto) {
	case POL_L4_TCP:
	case POL_L4_UDP:
	case POL_L4_ICMP:
	case POL_L4_ICMPV6:
		return names_l4proto(l4proto);
	}
	return NULL;
}

const char *render_hook_name(enum pol_hook hook)
{
	switch (hook) {
	case POL_HOOK_INPUT:
		return names_hook(NF_INET_LOCAL_IN);
	case POL_HOOK_OUTPUT:
		return names_hook(NF_INET_LOCAL_OUT);
	case POL_HOOK_PREROUTING:
		return names_hook(NF_INET_PRE_ROUTING);
	case POL_HOOK_NONE:
		break;
	}
	return NULL;
}

char *render_table_comment(const struct fwgen_policy *pol)
{
	size_t size = 0, i;
	char *text = NULL;
	FILE *f;

	f = open_memstream(&text, &size);
	if (!f)
		return NULL;
	fprintf(f, "%s; topology %s; role%s ", FWGEN_TABLE_COMMENT,
		pol->topology, pol->nroles == 1 ? "" : "s");
	for (i = 0; i < pol->nroles; i++)
		fprintf(f, "%s%s", i ? ", " : "", pol->roles[i]);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	if (size > RENDER_TABLE_COMMENT_MAX)
		memcpy(text + RENDER_TABLE_COMMENT_MAX - 3, "...", 4);
	return text;
}

bool render_comment_is_fwgens(const char *comment)
{
	size_t n = strlen(FWGEN_TABLE_COMMENT);

	/* The marker alone (fwgen before status), or followed by the roles. */
	return comment && !strncmp(comment, FWGEN_TABLE_COMMENT, n) &&
	       (comment[n] == '\0' || comment[n] == ';');
}
