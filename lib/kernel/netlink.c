/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fwgen's writes to the kernel: the socket, sending the batches nl-batch.c
 * encodes (a swap of its table in one nf_tables transaction, a check that
 * the kernel validates without committing, live changes of set elements),
 * and acknowledgements turned into words. Reading is nlread.c's job
 * (readback.c, setread.c).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>

#include <libmnl/libmnl.h>
#include <libnftnl/gen.h>

#include "netlink.h"
#include "nl-batch.h"
#include "util.h"

/* A request without elements (get, dump): header and a few names. */
#define NL_REQ_SIZE 8192

/* Receive buffer of dumps and acknowledgements: one skb at a time. */
#define NL_RECV_SIZE (128 * 1024)

/* How long to wait for acknowledgements the kernel has not queued yet. */
#define NL_ACK_TIMEOUT_MS 10000

struct nl_sock {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	char *buf; /* NL_RECV_SIZE bytes */
};
/* Sockets and simple requests */

static int sock_err(struct fwgen_ctx *ctx, int err, const char *what)
{
	if (err == EPERM || err == EACCES)
		return ctx_err(ctx, -EPERM,
			       "%s: permission denied: fwgen needs CAP_NET_ADMIN to read or change the ruleset",
			       what);
	return ctx_err(ctx, -err, "%s: %s", what, strerror(err));
}

/*
 * One request and its replies up to the end of a dump or the final
 * acknowledgement; cb sees each data message.
 */
static int talk(struct nl_sock *s, struct nlmsghdr *nlh, mnl_cb_t cb,
		void *data)
{
	int ret;

	if (mnl_socket_sendto(s->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ret = (int)mnl_socket_recvfrom(s->nl, s->buf, NL_RECV_SIZE);
		if (ret < 0)
			return -errno;
		ret = mnl_cb_run(s->buf, (size_t)ret, nlh->nlmsg_seq, s->portid,
				 cb, data);
		if (ret < 0)
			return -errno;
		if (ret == MNL_CB_STOP)
			return 0;
	}
}

static int genid_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_gen *gen = nftnl_gen_alloc();

	if (!gen)
		return MNL_CB_ERROR;
	if (nftnl_gen_nlmsg_parse(nlh, gen) == 0)
		*(uint32_t *)data = nftnl_gen_get_u32(gen, NFTNL_GEN_ID);
	nftnl_gen_free(gen);
	return MNL_CB_OK;
}

static int genid_get(struct nl_sock *s, uint32_t *genid)
{
	char buf[NL_REQ_SIZE] = { 0 };
	struct nlmsghdr *nlh;

	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETGEN, AF_UNSPEC, NLM_F_ACK,
				    s->seq++);
	*genid = 0;
	return talk(s, nlh, genid_cb, genid);
}

int nl_genid(struct fwgen_ctx *ctx, struct nl_sock *s, uint32_t *genid)
{
	int ret = genid_get(s, genid);

	return ret < 0 ? sock_err(ctx, -ret, "reading the ruleset generation") : 0;
}

int nl_open(struct fwgen_ctx *ctx, struct nl_sock **out)
{
	struct nl_sock *s;
	uint32_t genid;
	int one = 1, ret;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return ctx_nomem(ctx);
	s->buf = malloc(NL_RECV_SIZE);
	if (!s->buf) {
		free(s);
		return ctx_nomem(ctx);
	}
	s->nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!s->nl) {
		ret = sock_err(ctx, errno, "opening a netfilter netlink socket");
		goto err;
	}
	if (mnl_socket_bind(s->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = sock_err(ctx, errno, "binding the netlink socket");
		goto err;
	}
	/*
	 * Extended acks point at the attribute the kernel refused; capped
	 * acks do not echo the refused message back (64 KiB for elements).
	 */
	mnl_socket_setsockopt(s->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(s->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	s->portid = mnl_socket_get_portid(s->nl);
	s->seq = (uint32_t)time(NULL);
	/* Also the permission check: nfnetlink refuses all without it. */
	ret = genid_get(s, &genid);
	if (ret < 0) {
		ret = sock_err(ctx, -ret, "talking to nf_tables");
		goto err;
	}
	*out = s;
	return 0;
err:
	nl_close(s);
	return ret;
}

void nl_close(struct nl_sock *s)
{
	if (!s)
		return;
	if (s->nl)
		mnl_socket_close(s->nl);
	free(s->buf);
	free(s);
}

/* Acknowledgements: which message the kernel refused, and why */

struct nl_error {
	int err; /* positive errno */
	uint32_t seq;
	uint32_t offset; /* of the attribute refused, 0 unknown */
	char msg[128];	 /* the kernel's extended ack message */
};

struct ack_state {
	struct nl_error first; /* the first error by message order */
	size_t nerrors;
	size_t nacks;
	uint32_t last_seq;
	bool last_seen;
	bool lost;
};

static int ack_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type <= NLMSGERR_ATTR_OFFS)
		tb[type] = attr;
	return MNL_CB_OK;
}

static void ack_parse(const struct nlmsghdr *nlh, struct ack_state *st)
{
	const struct nlattr *tb[NLMSGERR_ATTR_OFFS + 1] = { NULL };
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	struct nl_error cur = { 0 };
	unsigned int hlen = sizeof(*e);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)))
		return;
	if (e->msg.nlmsg_seq == st->last_seq)
		st->last_seen = true;
	if (e->error == 0) {
		st->nacks++;
		return;
	}
	cur.err = e->error < 0 ? -e->error : e->error;
	cur.seq = e->msg.nlmsg_seq;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			hlen += mnl_nlmsg_get_payload_len(&e->msg);
		if (mnl_attr_parse(nlh, hlen, ack_attr_cb, tb) >= 0) {
			if (tb[NLMSGERR_ATTR_MSG])
				snprintf(cur.msg, sizeof(cur.msg), "%s",
					 mnl_attr_get_str(tb[NLMSGERR_ATTR_MSG]));
			if (tb[NLMSGERR_ATTR_OFFS])
				cur.offset = mnl_attr_get_u32(tb[NLMSGERR_ATTR_OFFS]);
		}
	}
	/* Sequence numbers grow along the batch: keep the earliest. */
	if (!st->nerrors++ || (int32_t)(cur.seq - st->first.seq) < 0)
		st->first = cur;
}

static void ack_drain(struct nl_sock *s, struct ack_state *st, int flags)
{
	int fd = mnl_socket_get_fd(s->nl);
	ssize_t n;

	for (;;) {
		const struct nlmsghdr *nlh = (const void *)s->buf;
		int len;

		n = recv(fd, s->buf, NL_RECV_SIZE, flags);
		if (n < 0 && errno == ENOBUFS) {
			/*
			 * The receive buffer overflowed: acknowledgements
			 * were lost. What did fit is still queued: read on,
			 * a refusal among it still counts.
			 */
			st->lost = true;
			flags |= MSG_DONTWAIT;
			continue;
		}
		if (n <= 0)
			break;
		len = (int)n;
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len))
			if (nlh->nlmsg_type == NLMSG_ERROR)
				ack_parse(nlh, st);
		flags |= MSG_DONTWAIT;
	}
}

/*
 * The expression of a rule message the kernel's error offset points into:
 * its name, e.g. "redir", or NULL.
 */
static const char *offset_expr(const struct nlmsghdr *nlh, uint32_t off)
{
	const struct nlattr *a, *elem, *ea;
	const char *base = (const char *)nlh;

	if (!off || off >= nlh->nlmsg_len)
		return NULL;
	mnl_attr_for_each (a, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(a) != NFTA_RULE_EXPRESSIONS)
			continue;
		mnl_attr_for_each_nested (elem, a) {
			uint32_t start = (uint32_t)((const char *)elem - base);

			if (off < start || off >= start + elem->nla_len)
				continue;
			mnl_attr_for_each_nested (ea, elem)
				if (mnl_attr_get_type(ea) == NFTA_EXPR_NAME)
					return mnl_attr_get_str(ea);
		}
	}
	return NULL;
}

static const char *hint(int err, enum nl_what what)
{
	switch (err) {
	case EPERM:
	case EACCES:
		if (what == NL_WHAT_TABLE_ADD || what == NL_WHAT_TABLE_DEL)
			return "the table is owned by another process (NFT_TABLE_F_OWNER), or fwgen lacks CAP_NET_ADMIN";
		return "fwgen needs CAP_NET_ADMIN";
	case ENOENT:
		if (what == NL_WHAT_RULE)
			return "the rule names a chain or set the kernel does not have, or an expression whose kernel module is missing";
		return "it refers to a table, chain or set the kernel does not have";
	case EOPNOTSUPP:
		return "this kernel lacks the nf_tables feature or module it needs";
	case EEXIST:
		return "an object of that name already exists";
	case EBUSY:
		return "the object is in use";
	case E2BIG:
		return "a kernel limit was reached (at most 1024 base chains per hook) or the object is too large";
	case ENOSPC:
		return "the set is full";
	case ENOMEM:
	case ENOBUFS:
		return "the kernel ran out of memory or buffer space";
	case ELOOP:
		return "the chains jump in a loop";
	case EINVAL:
		return "the kernel found an attribute invalid";
	case ERANGE:
		return "a value is out of the range the kernel accepts";
	case EMSGSIZE:
		return "the batch is larger than the socket may send; raise net.core.wmem_max";
	case ERESTART:
	case EINTR:
		return "the ruleset changed meanwhile; try again";
	}
	return NULL;
}

static int refusal(struct fwgen_ctx *ctx, const struct nl_msgs *m,
		   const struct ack_state *st, const char *verb)
{
	const struct nl_error *e = &st->first;
	const struct nl_msginfo *i = nl_msg_find(m, e->seq);
	struct nl_msginfo batch = { .what = NL_WHAT_BATCH };
	const char *expr = NULL, *h;
	char what[768], more[64] = "";
	/* A full set is the caller's to explain (sets.c names its size). */
	int ret = e->err == EPERM || e->err == EACCES ? -EPERM :
		  e->err == ENFILE		      ? -ENFILE :
							-EIO;

	if (!i)
		i = &batch;
	nl_msg_describe(i, what, sizeof(what));
	if (i->what == NL_WHAT_RULE && i->nlh)
		expr = offset_expr(i->nlh, e->offset);
	h = hint(e->err, i->what);
	if (st->nerrors > 1)
		snprintf(more, sizeof(more), " (and %zu more errors)",
			 st->nerrors - 1);
	ctx_err(ctx, ret,
		"the kernel refused %s%s%s%s: %s%s%s%s%s%s; nothing was %s",
		what, expr ? " at expression '" : "", expr ? expr : "",
		expr ? "'" : "", strerror(e->err), e->msg[0] ? " (" : "",
		e->msg, e->msg[0] ? ")" : "", h ? " -- " : "", h ? h : "",
		verb);
	if (more[0]) {
		size_t n = strlen(ctx->errmsg);

		snprintf(ctx->errmsg + n, sizeof(ctx->errmsg) - n, "%s", more);
	}
	return ret;
}

/*
 * Raises the socket buffers for one batch: sending needs the whole batch
 * in one skb (the kernel refuses more than SO_SNDBUF), and every message
 * gets an acknowledgement that must fit the receive buffer.
 */
static void size_buffers(struct nl_sock *s, size_t len, size_t nmsgs)
{
	int fd = mnl_socket_get_fd(s->nl);
	socklen_t sl = sizeof(int);
	int cur = 0, want;

	want = len + 65536 > (size_t)INT32_MAX / 2 ? INT32_MAX / 2 :
						     (int)(len + 65536);
	if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &cur, &sl) == 0 &&
	    cur < want + 64 &&
	    setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &want, sizeof(want)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &want, sizeof(want));
	want = nmsgs > 400000 ? INT32_MAX / 2 : (int)(nmsgs * 2048 + 262144);
	sl = sizeof(int);
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &cur, &sl) == 0 &&
	    cur < want &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &want, sizeof(want)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &want, sizeof(want));
}

/*
 * Sends a prepared batch and reads every acknowledgement. nfnetlink runs
 * the whole transaction inside sendmsg(), so the answers are queued by the
 * time it returns; the wait only guards against a kernel that is slower.
 */
static int send_batch(struct fwgen_ctx *ctx, struct nl_sock *s,
		      struct nftnl_batch *b, const struct nl_msgs *m,
		      uint32_t last_seq, const char *verb, int *kerr)
{
	struct sockaddr_nl snl = { .nl_family = AF_NETLINK };
	struct ack_state st = { .last_seq = last_seq };
	int iovlen = nftnl_batch_iovec_len(b);
	struct msghdr msg = { 0 };
	struct iovec *iov;
	size_t len = 0;
	ssize_t sent;
	int i;

	iov = calloc((size_t)iovlen, sizeof(*iov));
	if (!iov)
		return ctx_nomem(ctx);
	nftnl_batch_iovec(b, iov, (uint32_t)iovlen);
	for (i = 0; i < iovlen; i++)
		len += iov[i].iov_len;
	size_buffers(s, len, m->n);
	msg.msg_name = &snl;
	msg.msg_namelen = sizeof(snl);
	msg.msg_iov = iov;
	msg.msg_iovlen = (size_t)iovlen;
	sent = sendmsg(mnl_socket_get_fd(s->nl), &msg, 0);
	free(iov);
	if (sent < 0) {
		int err = errno;

		if (err == EMSGSIZE || err == ENOBUFS)
			return ctx_err(ctx, -EIO,
				       "sending the batch (%zu bytes) failed: %s -- %s",
				       len, strerror(err), hint(EMSGSIZE, NL_WHAT_BATCH));
		return sock_err(ctx, err, "sending the batch");
	}
	ack_drain(s, &st, MSG_DONTWAIT);
	/*
	 * Acks lost to a full buffer do not come later: the transaction ran
	 * inside sendmsg(), so there is nothing more to wait for.
	 */
	if (!st.last_seen && !st.nerrors && !st.lost) {
		struct pollfd p = { .fd = mnl_socket_get_fd(s->nl),
				    .events = POLLIN };

		while (!st.last_seen && !st.nerrors &&
		       poll(&p, 1, NL_ACK_TIMEOUT_MS) > 0)
			ack_drain(s, &st, MSG_DONTWAIT);
	}
	if (kerr)
		*kerr = st.nerrors ? st.first.err : 0;
	if (st.nerrors) {
		const struct nl_msginfo *mi = nl_msg_find(m, st.first.seq);

		/* A stale generation refuses the whole batch up front. */
		if (st.first.err == ERESTART && st.nerrors == 1 &&
		    (!mi || mi->what == NL_WHAT_BATCH))
			return -ERESTART;
		return refusal(ctx, m, &st, verb);
	}
	/* -ETIME: the caller settles what happened by reading it back. */
	if (st.lost)
		return ctx_err(ctx, -ETIME,
			       "acknowledgements of the batch were lost (receive buffer full)");
	if (!st.last_seen)
		return ctx_err(ctx, -ETIME,
			       "the kernel did not acknowledge the batch");
	return 0;
}

int nl_replace(struct fwgen_ctx *ctx, struct nl_sock *s,
	       const struct nft_objs *o, enum nl_mode mode, uint32_t genid)
{
	struct nl_msgs m = { 0 };
	struct nftnl_batch *b;
	int ret;

	ret = nl_build_replace(o, mode, genid, NLM_F_ACK, &s->seq, &b, &m);
	if (ret < 0) {
		nl_msgs_release(&m);
		return ctx_nomem(ctx);
	}
	ret = send_batch(ctx, s, b, &m, nl_last_acked(&m),
			 mode == NL_CHECK ? "committed" : "changed",
			 NULL);
	nftnl_batch_free(b);
	nl_msgs_release(&m);
	return ret;
}

int nl_delete_table(struct fwgen_ctx *ctx, struct nl_sock *s,
		    const char *name)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nl_msgs m = { 0 };
	struct nftnl_batch *b;
	int ret = -ENOMEM, kerr = 0;

	if (!t)
		return ctx_nomem(ctx);
	if (nftnl_table_set_str(t, NFTNL_TABLE_NAME, name) < 0)
		goto out;
	ret = nl_build_delete_table(t, &s->seq, &b, &m);
	if (ret < 0)
		goto out;
	ret = send_batch(ctx, s, b, &m, nl_last_acked(&m), "changed", &kerr);
	nftnl_batch_free(b);
	if (ret == -EIO && kerr == ENOENT)
		ret = ctx_err(ctx, -ENOENT, "table inet %s does not exist",
			      name);
out:
	if (ret == -ENOMEM)
		ctx_nomem(ctx);
	nl_msgs_release(&m);
	nftnl_table_free(t);
	return ret;
}

/* Live set updates: elements changed in place */

int nl_set_elems(struct fwgen_ctx *ctx, struct nl_sock *s,
		 const struct nl_elems_op *ops, size_t nops, uint32_t genid)
{
	struct nl_msgs m = { 0 };
	struct nftnl_batch *b = NULL;
	int ret;

	ret = nl_build_set_elems(ops, nops, genid, &s->seq, &b, &m);
	if (ret < 0) {
		ret = ctx_nomem(ctx);
	} else if (nl_last_acked(&m) == 0) {
		ret = 0; /* nothing to change: no transaction at all */
	} else {
		ret = send_batch(ctx, s, b, &m, nl_last_acked(&m), "changed",
				 NULL);
	}
	if (b)
		nftnl_batch_free(b);
	nl_msgs_release(&m);
	return ret;
}
