/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The names nft prints for hooks, transport protocols and ICMP types,
 * shared by the text and JSON renderers so both say the same thing.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "render.h"

struct icmp_name {
	uint8_t l4proto;
	uint8_t type;
	const char *name;
};

static const struct icmp_name icmp_names[] = {
	{ POL_L4_ICMP, 0, "echo-reply" },
	{ POL_L4_ICMP, 3, "destination-unreachable" },
	{ POL_L4_ICMP, 8, "echo-request" },
	{ POL_L4_ICMP, 11, "time-exceeded" },
	{ POL_L4_ICMP, 12, "parameter-problem" },
	{ POL_L4_ICMPV6, 1, "destination-unreachable" },
	{ POL_L4_ICMPV6, 2, "packet-too-big" },
	{ POL_L4_ICMPV6, 3, "time-exceeded" },
	{ POL_L4_ICMPV6, 4, "parameter-problem" },
	{ POL_L4_ICMPV6, 128, "echo-request" },
	{ POL_L4_ICMPV6, 129, "echo-reply" },
	{ POL_L4_ICMPV6, 130, "mld-listener-query" },
	{ POL_L4_ICMPV6, 133, "nd-router-solicit" },
	{ POL_L4_ICMPV6, 134, "nd-router-advert" },
	{ POL_L4_ICMPV6, 135, "nd-neighbor-solicit" },
	{ POL_L4_ICMPV6, 136, "nd-neighbor-advert" },
	{ POL_L4_ICMPV6, 143, "mld2-listener-report" },
};

const char *render_icmp_name(uint8_t l4proto, uint8_t type)
{
	size_t i;

	for (i = 0; i < sizeof(icmp_names) / sizeof(icmp_names[0]); i++) {
		if (icmp_names[i].l4proto == l4proto && icmp_names[i].type == type)
			return icmp_names[i].name;
	}
	return NULL;
}

const char *render_l4_name(uint8_t l4proto)
{
	switch (l4proto) {
	case POL_L4_TCP:
		return "tcp";
	case POL_L4_UDP:
		return "udp";
	case POL_L4_ICMP:
		return "icmp";
	case POL_L4_ICMPV6:
		return "ipv6-icmp";
	}
	return NULL;
}

const char *render_hook_name(enum pol_hook hook)
{
	switch (hook) {
	case POL_HOOK_INPUT:
		return "input";
	case POL_HOOK_OUTPUT:
		return "output";
	case POL_HOOK_PREROUTING:
		return "prerouting";
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
