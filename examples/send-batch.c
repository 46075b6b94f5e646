/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * send-batch: a provisioning tool that sends fwgen's table in its own
 * batch and does what `fwgen apply` does around it: refuses a policy that
 * would lock out the SSH session it runs in, takes fwgen's lock so that no
 * apply or set update interleaves, and names the object the kernel refused
 * from the sequence number of the refused message.
 *
 *   cc -o send-batch send-batch.c $(pkg-config --cflags --libs fwgen)
 *   ./send-batch [--send] [TOPOLOGY [HOST_ROLE]]
 *
 * Default: the server role of tachyon-single-server, every peer any
 * address. The batch is sent only with --send, as root: that replaces
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
#include <libnftnl/batch.h>
#include <libnftnl/common.h>
#include <linux/netfilter/nfnetlink.h>

#include <fwgen/fwgen.h>
#include <fwgen/kernel.h>
#include <fwgen/nftnl.h>

/*
 * Sends the batch in one sendmsg() and reads what nf_tables queued while
 * sendmsg() ran: an error message for each message it refused (no
 * message asks for an acknowledgement, so silence is success). *refused
 * is the sequence number of the first refused message.
 */
static int send_batch(struct nftnl_batch *b, uint32_t *refused)
{
	int niov = nftnl_batch_iovec_len(b), ret = 0;
	struct sockaddr_nl snl = { .nl_family = AF_NETLINK };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct msghdr msg = { .msg_name = &snl, .msg_namelen = sizeof(snl) };
	struct mnl_socket *nl;
	struct iovec *iov;
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
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		int left = (int)n;

		for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

			if (nlh->nlmsg_type != NLMSG_ERROR || !e->error || ret)
				continue;
			ret = e->error;
			*refused = e->msg.nlmsg_seq;
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
	uint32_t seq = (uint32_t)time(NULL), first, refused = 0;
	struct fwgen_ctx *ctx;
	int status = 2, ret;
	bool locked = false;
	char what[256];

	if (send) {
		argc--;
		argv++;
	}
	if (argc > 3 || (argc > 1 && argv[1][0] == '-')) {
		fprintf(stderr, "usage: send-batch [--send] [TOPOLOGY [HOST_ROLE]]\n");
		return 2;
	}
	if (argc > 1)
		topology = argv[1];
	if (argc > 2)
		role = argv[2];
	ctx = fwgen_ctx_new();
	if (!ctx)
		return 2;
	/*
	 * The library reads no environment: a tool passes on what it wants
	 * protected and where fwgen keeps its lock, as the fwgen CLI does.
	 */
	if (fwgen_ctx_set_ssh_connection(ctx, getenv("SSH_CONNECTION")) < 0 ||
	    (getenv("FWGEN_RUN_DIR") &&
	     fwgen_ctx_set_run_dir(ctx, getenv("FWGEN_RUN_DIR")) < 0))
		goto fail;
	if (fwgen_catalog_load(ctx, &cat) < 0 ||
	    fwgen_policy_resolve(ctx, cat, NULL, topology, &role, 1, 0, &pol) < 0 ||
	    fwgen_policy_to_nftnl(ctx, pol, &objs) < 0)
		goto fail;
	printf("fwgen %s: table inet %s for host role %s of %s\n", fwgen_version(),
	       fwgen_policy_table(pol), role, topology);

	/* What `fwgen apply` checks first: this session must stay reachable. */
	if (fwgen_policy_lockout_check(ctx, pol, fwgen_ctx_ssh_connection(ctx)) < 0)
		goto fail;
	printf("anti-lockout check: passed (%s)\n",
	       getenv("SSH_CONNECTION") ? "this SSH session is admitted" :
					  "not in an SSH session");

	b = fwgen_nftnl_batch_new();
	if (!b)
		goto nomem;
	nftnl_batch_begin(nftnl_batch_buffer(b), seq++);
	if (nftnl_batch_update(b) < 0)
		goto nomem;
	first = seq;
	if ((ret = fwgen_nftnl_batch_append(objs, b, &seq)) < 0) {
		fprintf(stderr, "send-batch: cannot build the batch: %s\n", strerror(-ret));
		goto out;
	}
	nftnl_batch_end(nftnl_batch_buffer(b), seq++);
	if (nftnl_batch_update(b) < 0)
		goto nomem;
	printf("batch: %u messages of fwgen's, sequence numbers %u-%u\n",
	       seq - 1 - first, first, seq - 2);

	status = 0;
	if (!send || geteuid() != 0) {
		printf("not sent (give --send, as root, to commit it)\n");
		goto out;
	}
	/* fwgen's lock: no `fwgen apply` or set update interleaves. */
	if (fwgen_ctx_lock(ctx) < 0) {
		status = 2;
		goto fail;
	}
	locked = true;
	ret = send_batch(b, &refused);
	if (ret < 0) {
		if (fwgen_nftnl_describe(ctx, objs, first, refused, what, sizeof(what)) < 0)
			snprintf(what, sizeof(what), "message %u", refused);
		fprintf(stderr, "send-batch: the kernel refused %s: %s; nothing changed\n",
			what, strerror(-ret));
		status = 2;
	} else {
		printf("sent: table inet %s committed\n", fwgen_policy_table(pol));
	}
	goto out;
nomem:
	fputs("send-batch: out of memory\n", stderr);
	goto out;
fail:
	fprintf(stderr, "send-batch: %s\n", fwgen_ctx_error(ctx));
out:
	if (locked)
		fwgen_ctx_unlock(ctx);
	if (b)
		nftnl_batch_free(b);
	fwgen_nftnl_free(objs);
	fwgen_policy_free(pol);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
	return status;
}
