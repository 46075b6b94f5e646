/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading nf_tables over netlink: one request at a time, replies checked
 * against the ruleset generation the read began in.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <sys/socket.h>

#include <libnftnl/common.h>
#include <libnftnl/gen.h>
#include <libnftnl/table.h>

#include "nlread.h"

/*
 * One set element message can be larger than 64 KiB: its element list is a
 * single attribute whose 16-bit length the kernel fills to the brim, plus
 * headers. Receive into a buffer that always holds a whole message.
 */
#define NLREAD_BUFSIZE (128 * 1024)

/*
 * The socket's receive queue: a 100,000-element set arrives as hundreds of
 * dump messages, and a roomy queue lets the kernel run ahead of us.
 */
#define NLREAD_RCVBUF (4 * 1024 * 1024)

int nlread_open(struct nlread *r)
{
	int size = NLREAD_RCVBUF, fd, err;

	if (!r->buf) {
		/* Zeroed: requests leave attribute padding unwritten. */
		r->buf = calloc(1, NLREAD_BUFSIZE);
		if (!r->buf)
			return -ENOMEM;
		r->seq = (uint32_t)time(NULL);
	}
	r->nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!r->nl)
		return -errno;
	if (mnl_socket_bind(r->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		mnl_socket_close(r->nl);
		r->nl = NULL;
		return err;
	}
	r->portid = mnl_socket_get_portid(r->nl);
	fd = mnl_socket_get_fd(r->nl);
	/* FORCE passes the system limit; with CAP_NET_ADMIN only, else best effort. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	return 0;
}

void nlread_close(struct nlread *r)
{
	if (r->nl)
		mnl_socket_close(r->nl);
	r->nl = NULL;
}

void nlread_release(struct nlread *r)
{
	nlread_close(r);
	free(r->buf);
	r->buf = NULL;
}

struct nlmsghdr *nlread_msg(struct nlread *r, uint16_t type, uint16_t family,
			    uint16_t flags)
{
	return nftnl_nlmsg_build_hdr(r->buf, type, family, flags, ++r->seq);
}

/*
 * Each message of a dump carries the low 16 bits of the ruleset generation.
 * A read takes several requests; if the generation moves between them, the
 * pieces do not fit together and the whole read starts over.
 */
int nlread_same_gen(struct nlread *r, const struct nlmsghdr *nlh)
{
	const struct nfgenmsg *nfh = mnl_nlmsg_get_payload(nlh);

	if (ntohs(nfh->res_id) == r->genid)
		return 0;
	r->err = -EAGAIN;
	return -1;
}

/*
 * A dump ends with NLMSG_DONE, whose payload is the dump's own status: a
 * dump the kernel gives up part-way (an error from a set walk) ends there
 * with the error. libmnl's default takes any DONE as success, and the
 * elements read so far would pass for the whole set.
 */
static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	int err = 0;

	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(err))
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	if (err < 0) {
		errno = -err;
		return MNL_CB_ERROR;
	}
	return MNL_CB_STOP;
}

/* An acknowledgement ends a get; a non-zero one is its error. */
static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (e->error == 0)
		return MNL_CB_STOP;
	errno = e->error < 0 ? -e->error : e->error;
	return MNL_CB_ERROR;
}

static int noop_cb(const struct nlmsghdr *nlh, void *data)
{
	return MNL_CB_OK;
}

static int overrun_cb(const struct nlmsghdr *nlh, void *data)
{
	errno = ENOBUFS;
	return MNL_CB_ERROR;
}

/* With a table of its own, libmnl consults no defaults: name them all. */
static mnl_cb_t ctl_cbs[NLMSG_MIN_TYPE] = {
	[NLMSG_NOOP] = noop_cb,
	[NLMSG_ERROR] = error_cb,
	[NLMSG_DONE] = done_cb,
	[NLMSG_OVERRUN] = overrun_cb,
};

int nlread_talk(struct nlread *r, struct nlmsghdr *nlh, mnl_cb_t cb,
		void *data)
{
	uint32_t seq = nlh->nlmsg_seq;
	ssize_t n;
	int ret;

	r->err = 0;
	if (mnl_socket_sendto(r->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(r->nl, r->buf, NLREAD_BUFSIZE);
		if (n < 0) {
			/* A signal: the reply is still queued. */
			if (errno == EINTR)
				continue;
			return errno == ENOBUFS ? -EAGAIN : -errno;
		}
		ret = mnl_cb_run2(r->buf, (size_t)n, seq, r->portid, cb, data,
				  ctl_cbs, MNL_ARRAY_SIZE(ctl_cbs));
		if (ret == MNL_CB_STOP)
			return 0;
		if (ret < 0) {
			if (r->err)
				return r->err;
			/*
			 * EINTR: NLM_F_DUMP_INTR; ENOBUFS: an overrun. A dump cut
			 * short by a change (EAGAIN, EBUSY, EINTR in NLMSG_DONE)
			 * is worth another try as well.
			 */
			if (errno == EINTR || errno == ENOBUFS ||
			    errno == EAGAIN || errno == EBUSY)
				return -EAGAIN;
			return -errno;
		}
	}
}

static int gen_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlread *r = data;
	const struct nfgenmsg *nfh = mnl_nlmsg_get_payload(nlh);
	struct nftnl_gen *gen;

	r->genid = ntohs(nfh->res_id);
	gen = nftnl_gen_alloc();
	if (!gen) {
		r->err = -ENOMEM;
		return MNL_CB_ERROR;
	}
	if (nftnl_gen_nlmsg_parse(nlh, gen) < 0) {
		nftnl_gen_free(gen);
		r->err = -EIO;
		return MNL_CB_ERROR;
	}
	r->genid_full = nftnl_gen_get_u32(gen, NFTNL_GEN_ID);
	nftnl_gen_free(gen);
	return MNL_CB_OK;
}

int nlread_gen(struct nlread *r)
{
	return nlread_talk(r, nlread_msg(r, NFT_MSG_GETGEN, AF_UNSPEC, NLM_F_ACK),
			   gen_cb, r);
}

int nlread_get_table(struct nlread *r, const char *table, mnl_cb_t cb,
		     void *data)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;

	if (!t)
		return -ENOMEM;
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, table);
	/* A get, not a dump: the kernel answers for this one table only. */
	nlh = nlread_msg(r, NFT_MSG_GETTABLE, NFPROTO_INET, NLM_F_ACK);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	return nlread_talk(r, nlh, cb, data);
}

int nlread_fail(struct fwgen_ctx *ctx, const char *table, int err)
{
	switch (err) {
	case -ENOMEM:
		return ctx_nomem(ctx);
	case -EPERM:
		return ctx_err(ctx, -EPERM,
			       "reading table inet %s: permission denied (needs CAP_NET_ADMIN)",
			       table);
	case -EAGAIN:
		return ctx_err(ctx, -EAGAIN,
			       "reading table inet %s: the ruleset kept changing; try again",
			       table);
	}
	return ctx_err(ctx, -EIO, "reading table inet %s from the kernel: %s",
		       table, strerror(-err));
}
