/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * own-batch: a provisioning tool that talks to nf_tables itself and puts
 * fwgen's table into ITS OWN libnftnl batch, beside a table of its own, so
 * both change in one kernel transaction (all or nothing). It prints what
 * the batch holds: every message, by kind and object name.
 *
 *   cc -o own-batch own-batch.c $(pkg-config --cflags --libs fwgen)
 *   ./own-batch [--send] [TOPOLOGY [HOST_ROLE]]
 *
 * Default: the server role of tachyon-single-server, every peer any
 * address. The batch is only sent with --send, as root: that replaces
 * fwgen's table (input policy drop) in the network namespace it runs in,
 * so try it in one you made (`ip netns add lab; ip netns exec lab ...`).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* sendmsg(), geteuid() under -std=c11 */
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <libnftnl/batch.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>

#include <fwgen/fwgen.h>
#include <fwgen/nftnl.h>

/* The tool's own table, which rides in the same transaction. */
#define OWN_TABLE "provision"
#define BATCH_PAGE (2 * 1024 * 1024)

/* Adds the tool's own objects: table inet provision, created if absent. */
static int add_own_table(struct nftnl_batch *b, uint32_t *seq)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;

	if (!t)
		return -ENOMEM;
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, OWN_TABLE);
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_INET);
	nlh = nftnl_table_nlmsg_build_hdr(nftnl_batch_buffer(b), NFT_MSG_NEWTABLE,
					  NFPROTO_INET, NLM_F_CREATE, (*seq)++);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	return nftnl_batch_update(b) < 0 ? -ENOMEM : 0;
}

/*
 * The whole transaction: begin, the tool's table, fwgen's table (replaced:
 * add, delete, add, then its chains, sets and rules), end.
 */
static struct nftnl_batch *build_batch(const struct fwgen_nftnl *objs)
{
	struct nftnl_batch *b;
	uint32_t seq = (uint32_t)time(NULL);

	/* fwgen's element messages can be up to FWGEN_NFTNL_MSG_MAX long. */
	b = nftnl_batch_alloc(BATCH_PAGE, FWGEN_NFTNL_MSG_MAX);
	if (!b)
		return NULL;
	nftnl_batch_begin(nftnl_batch_buffer(b), seq++);
	if (nftnl_batch_update(b) < 0 || add_own_table(b, &seq) < 0 ||
	    fwgen_nftnl_batch_append(objs, b, &seq) < 0)
		goto err;
	nftnl_batch_end(nftnl_batch_buffer(b), seq++);
	if (nftnl_batch_update(b) < 0)
		goto err;
	return b;
err:
	nftnl_batch_free(b);
	return NULL;
}

static int rule_comment_cb(const struct nftnl_udata *attr, void *data)
{
	if (nftnl_udata_type(attr) == NFTNL_UDATA_RULE_COMMENT)
		*(const char **)data = nftnl_udata_get(attr);
	return 0;
}

static int count_elem(struct nftnl_set_elem *e, void *data)
{
	(void)e;
	(*(unsigned int *)data)++;
	return 0;
}

/* One line for one message, parsed back from the batch bytes. */
static void print_msg(const struct nlmsghdr *nlh, unsigned int *kinds)
{
	uint16_t type = NFNL_MSG_TYPE(nlh->nlmsg_type);
	const char *comment = "";
	unsigned int n = 0;
	uint32_t len;

	if (nlh->nlmsg_type == NFNL_MSG_BATCH_BEGIN ||
	    nlh->nlmsg_type == NFNL_MSG_BATCH_END) {
		printf("  batch %s\n", nlh->nlmsg_type == NFNL_MSG_BATCH_BEGIN ?
		       "begin" : "end");
		return;
	}
	if (type < NFT_MSG_MAX)
		kinds[type]++;
	switch (type) {
	case NFT_MSG_NEWTABLE:
	case NFT_MSG_DELTABLE: {
		struct nftnl_table *t = nftnl_table_alloc();

		if (t && nftnl_table_nlmsg_parse(nlh, t) == 0)
			printf("  %s table inet %s\n",
			       type == NFT_MSG_NEWTABLE ? "add" : "delete",
			       nftnl_table_get_str(t, NFTNL_TABLE_NAME));
		nftnl_table_free(t);
		break;
	}
	case NFT_MSG_NEWCHAIN: {
		struct nftnl_chain *c = nftnl_chain_alloc();

		if (c && nftnl_chain_nlmsg_parse(nlh, c) == 0)
			printf("  add chain %s%s\n",
			       nftnl_chain_get_str(c, NFTNL_CHAIN_NAME),
			       nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM) ?
			       " (base chain)" : "");
		nftnl_chain_free(c);
		break;
	}
	case NFT_MSG_NEWSET:
	case NFT_MSG_NEWSETELEM: {
		struct nftnl_set *s = nftnl_set_alloc();
		const char *name;
		int ret;

		if (!s)
			break;
		ret = type == NFT_MSG_NEWSET ? nftnl_set_nlmsg_parse(nlh, s) :
					       nftnl_set_elems_nlmsg_parse(nlh, s);
		if (ret == 0 && type == NFT_MSG_NEWSET) {
			/* nft's convention: the kernel numbers anonymous sets. */
			name = nftnl_set_get_str(s, NFTNL_SET_NAME);
			printf("  add %sset %s\n", strchr(name, '%') ? "anonymous " : "",
			       name);
		} else if (ret == 0) {
			nftnl_set_elem_foreach(s, count_elem, &n);
			printf("  add %u element%s to %s\n", n, n == 1 ? "" : "s",
			       nftnl_set_get_str(s, NFTNL_SET_NAME));
		}
		nftnl_set_free(s);
		break;
	}
	case NFT_MSG_NEWRULE: {
		struct nftnl_rule *r = nftnl_rule_alloc();
		const void *udata;

		if (!r || nftnl_rule_nlmsg_parse(nlh, r) < 0) {
			nftnl_rule_free(r);
			break;
		}
		udata = nftnl_rule_get_data(r, NFTNL_RULE_USERDATA, &len);
		if (udata)
			nftnl_udata_parse(udata, len, rule_comment_cb, &comment);
		printf("  add rule to %s: %s\n",
		       nftnl_rule_get_str(r, NFTNL_RULE_CHAIN), comment);
		nftnl_rule_free(r);
		break;
	}
	default:
		printf("  message type %u\n", type);
	}
}

/* Walks the batch as the kernel will read it, message by message. */
static unsigned int print_batch(struct nftnl_batch *b)
{
	int i, niov = nftnl_batch_iovec_len(b);
	unsigned int kinds[NFT_MSG_MAX] = { 0 }, total = 0;
	struct iovec *iov = calloc((size_t)niov, sizeof(*iov));
	size_t bytes = 0;

	if (!iov)
		return 0;
	nftnl_batch_iovec(b, iov, (uint32_t)niov);
	printf("batch:\n");
	for (i = 0; i < niov; i++) {
		const struct nlmsghdr *nlh = iov[i].iov_base;
		int left = (int)iov[i].iov_len;

		bytes += iov[i].iov_len;
		for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
			print_msg(nlh, kinds);
			total++;
		}
	}
	printf("%u messages, %zu bytes in %d buffer%s: %u tables (add or delete), "
	       "%u chains, %u sets, %u element lists, %u rules\n",
	       total, bytes, niov, niov == 1 ? "" : "s",
	       kinds[NFT_MSG_NEWTABLE] + kinds[NFT_MSG_DELTABLE],
	       kinds[NFT_MSG_NEWCHAIN], kinds[NFT_MSG_NEWSET],
	       kinds[NFT_MSG_NEWSETELEM], kinds[NFT_MSG_NEWRULE]);
	free(iov);
	return total;
}

/*
 * Sends the batch in one sendmsg(). nf_tables handles a batch while
 * sendmsg() runs, so every error is queued on the socket when it returns:
 * read without waiting until none is left. No message asks for an ACK, so
 * silence is success.
 */
static int send_batch(struct nftnl_batch *b)
{
	int niov = nftnl_batch_iovec_len(b), ret = 0;
	struct sockaddr_nl snl = { .nl_family = AF_NETLINK };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	struct iovec *iov;
	struct msghdr msg = {
		.msg_name = &snl,
		.msg_namelen = sizeof(snl),
	};
	ssize_t n;

	iov = calloc((size_t)niov, sizeof(*iov));
	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!iov || !nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out;
	}
	nftnl_batch_iovec(b, iov, (uint32_t)niov);
	msg.msg_iov = iov;
	msg.msg_iovlen = (size_t)niov;
	if (sendmsg(mnl_socket_get_fd(nl), &msg, 0) < 0) {
		ret = -errno;
		goto out;
	}
	while ((n = recv(mnl_socket_get_fd(nl), buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		if (mnl_cb_run(buf, (size_t)n, 0, mnl_socket_get_portid(nl),
			       NULL, NULL) < 0) {
			ret = -errno;
			break;
		}
	}
out:
	if (nl)
		mnl_socket_close(nl);
	free(iov);
	return ret;
}

int main(int argc, char **argv)
{
	bool send = argc > 1 && strcmp(argv[1], "--send") == 0;
	const char *topology = "tachyon-single-server", *role = "server";
	struct fwgen_catalog *cat = NULL;
	struct fwgen_policy *pol = NULL;
	struct fwgen_nftnl *objs = NULL;
	struct nftnl_batch *b = NULL;
	struct fwgen_ctx *ctx;
	int status = 2, ret;

	if (send) {
		argc--;
		argv++;
	}
	if (argc > 3 || (argc > 1 && argv[1][0] == '-')) {
		fprintf(stderr, "usage: own-batch [--send] [TOPOLOGY [HOST_ROLE]]\n");
		return 2;
	}
	if (argc > 1)
		topology = argv[1];
	if (argc > 2)
		role = argv[2];

	ctx = fwgen_ctx_new();
	if (!ctx) {
		fputs("own-batch: out of memory\n", stderr);
		return 2;
	}
	/* No inventory: every peer role is any address. */
	if (fwgen_catalog_load(ctx, &cat) < 0 ||
	    fwgen_policy_resolve(ctx, cat, NULL, topology, &role, 1, 0, &pol) < 0 ||
	    fwgen_policy_to_nftnl(ctx, pol, &objs) < 0) {
		fprintf(stderr, "own-batch: %s\n", fwgen_ctx_error(ctx));
		goto out;
	}
	printf("fwgen %s, topology %s, host role %s: table inet %s "
	       "(%zu chains, %zu sets, %zu rules) and this tool's table inet %s\n",
	       fwgen_version(), topology, role, fwgen_policy_table(pol),
	       fwgen_nftnl_chain_count(objs), fwgen_nftnl_set_count(objs),
	       fwgen_nftnl_rule_count(objs), OWN_TABLE);

	b = build_batch(objs);
	if (!b) {
		fputs("own-batch: out of memory building the batch\n", stderr);
		goto out;
	}
	if (print_batch(b) == 0)
		goto out;
	status = 0;
	if (!send) {
		printf("not sent (give --send, as root, to commit it)\n");
	} else if (geteuid() != 0) {
		printf("not sent: --send needs root (CAP_NET_ADMIN)\n");
	} else if ((ret = send_batch(b)) < 0) {
		fprintf(stderr, "own-batch: the kernel refused the batch: %s\n",
			strerror(-ret));
		status = 2;
	} else {
		printf("sent: tables inet %s and inet %s committed in one transaction\n",
		       OWN_TABLE, fwgen_policy_table(pol));
	}
out:
	/* Objects from the policy, then the policy, then its sources. */
	nftnl_batch_free(b);
	fwgen_nftnl_free(objs);
	fwgen_policy_free(pol);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
	return status;
}
