/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reads fwgen's one inet table back from the kernel with netlink requests
 * filtered to that table (table, chains, rules, sets, set elements), into
 * struct nft_objs: the shape nft_build() gives the desired side, and what
 * a rollback sends to put the table back.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/gen.h>

#include "readback.h"
#include "util.h"

/*
 * One set element message can be larger than 64 KiB: its element list is a
 * single attribute whose 16-bit length the kernel fills to the brim, plus
 * headers. Receive into a buffer that always holds a whole message.
 */
#define RB_BUFSIZE (128 * 1024)

/*
 * The socket's receive queue: a 100,000-element set arrives as hundreds of
 * dump messages, and a roomy queue lets the kernel run ahead of us.
 */
#define RB_RCVBUF (4 * 1024 * 1024)

/* How often to start over when the ruleset changes under the dumps. */
#define RB_ATTEMPTS 10

struct rb {
	struct fwgen_ctx *ctx;
	const char *table;
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	uint16_t genid;		/* ruleset generation the snapshot belongs to,
				 * low 16 bits as each message carries them */
	uint32_t genid_full;	/* the whole of it, as a batch names it */
	bool want_others;	/* count stateful objects and flowtables */
	unsigned int others;
	int err;		/* set by a callback that failed */
	char *buf;
	struct nft_objs *objs;
	size_t cap_sets, cap_chains, cap_rules;
};

static int rb_open(struct rb *rb)
{
	int size = RB_RCVBUF, fd, err;

	rb->nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!rb->nl)
		return -errno;
	if (mnl_socket_bind(rb->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		mnl_socket_close(rb->nl);
		rb->nl = NULL;
		return err;
	}
	rb->portid = mnl_socket_get_portid(rb->nl);
	fd = mnl_socket_get_fd(rb->nl);
	/* FORCE passes the system limit; with CAP_NET_ADMIN only, else best effort. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	return 0;
}

static void rb_close(struct rb *rb)
{
	if (rb->nl)
		mnl_socket_close(rb->nl);
	rb->nl = NULL;
}

static struct nlmsghdr *rb_msg(struct rb *rb, uint16_t type, uint16_t family,
			       uint16_t flags)
{
	return nftnl_nlmsg_build_hdr(rb->buf, type, family, flags, ++rb->seq);
}

/*
 * Each message of a dump carries the low 16 bits of the ruleset generation.
 * Reading the table takes several dumps; if the generation moves between
 * them, the pieces do not fit together and the whole read starts over.
 */
static int rb_same_gen(struct rb *rb, const struct nlmsghdr *nlh)
{
	const struct nfgenmsg *nfh = mnl_nlmsg_get_payload(nlh);

	if (ntohs(nfh->res_id) == rb->genid)
		return 0;
	rb->err = -EAGAIN;
	return -1;
}

/*
 * A dump ends with NLMSG_DONE, whose payload is the dump's own status: a
 * dump the kernel gives up part-way (an error from a set walk) ends there
 * with the error. libmnl's default takes any DONE as success, and the
 * elements read so far would pass for the whole set.
 */
static int rb_done_cb(const struct nlmsghdr *nlh, void *data)
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
static int rb_error_cb(const struct nlmsghdr *nlh, void *data)
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

static int rb_noop_cb(const struct nlmsghdr *nlh, void *data)
{
	return MNL_CB_OK;
}

static int rb_overrun_cb(const struct nlmsghdr *nlh, void *data)
{
	errno = ENOBUFS;
	return MNL_CB_ERROR;
}

/* With a table of its own, libmnl consults no defaults: name them all. */
static mnl_cb_t rb_ctl[NLMSG_MIN_TYPE] = {
	[NLMSG_NOOP] = rb_noop_cb,
	[NLMSG_ERROR] = rb_error_cb,
	[NLMSG_DONE] = rb_done_cb,
	[NLMSG_OVERRUN] = rb_overrun_cb,
};

/*
 * Sends one request and runs cb on every reply until the kernel says done.
 * -EAGAIN means start over: the dump was interrupted by a ruleset change
 * (NLM_F_DUMP_INTR, which libmnl reports as EINTR) or the socket overran
 * (ENOBUFS) and lost messages. Either leaves the socket mid-dump, so the
 * caller opens a new one.
 */
static int rb_talk(struct rb *rb, struct nlmsghdr *nlh, mnl_cb_t cb,
		   void *data)
{
	uint32_t seq = nlh->nlmsg_seq;
	ssize_t n;
	int ret;

	rb->err = 0;
	if (mnl_socket_sendto(rb->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(rb->nl, rb->buf, RB_BUFSIZE);
		if (n < 0) {
			/* A signal: the reply is still queued. */
			if (errno == EINTR)
				continue;
			return errno == ENOBUFS ? -EAGAIN : -errno;
		}
		ret = mnl_cb_run2(rb->buf, (size_t)n, seq, rb->portid, cb, data,
				  rb_ctl, MNL_ARRAY_SIZE(rb_ctl));
		if (ret == MNL_CB_STOP)
			return 0;
		if (ret < 0) {
			if (rb->err)
				return rb->err;
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
	struct rb *rb = data;
	const struct nfgenmsg *nfh = mnl_nlmsg_get_payload(nlh);
	struct nftnl_gen *gen;

	rb->genid = ntohs(nfh->res_id);
	gen = nftnl_gen_alloc();
	if (!gen) {
		rb->err = -ENOMEM;
		return MNL_CB_ERROR;
	}
	if (nftnl_gen_nlmsg_parse(nlh, gen) < 0) {
		nftnl_gen_free(gen);
		rb->err = -EIO;
		return MNL_CB_ERROR;
	}
	rb->genid_full = nftnl_gen_get_u32(gen, NFTNL_GEN_ID);
	nftnl_gen_free(gen);
	return MNL_CB_OK;
}

static int table_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rb *rb = data;
	struct nftnl_table *t;

	if (rb_same_gen(rb, nlh) < 0)
		return MNL_CB_ERROR;
	t = nftnl_table_alloc();
	if (!t) {
		rb->err = -ENOMEM;
		return MNL_CB_ERROR;
	}
	if (nftnl_table_nlmsg_parse(nlh, t) < 0) {
		nftnl_table_free(t);
		rb->err = -EIO;
		return MNL_CB_ERROR;
	}
	if (rb->objs->table)
		nftnl_table_free(rb->objs->table);
	rb->objs->table = t;
	return MNL_CB_OK;
}

/* Whether an object belongs to our table: old kernels ignore the filter. */
static bool ours(const struct rb *rb, const char *table)
{
	return table && strcmp(table, rb->table) == 0;
}

static int chain_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rb *rb = data;
	struct nft_objs *o = rb->objs;
	struct nftnl_chain *c;

	if (rb_same_gen(rb, nlh) < 0)
		return MNL_CB_ERROR;
	c = nftnl_chain_alloc();
	if (!c)
		goto nomem;
	if (nftnl_chain_nlmsg_parse(nlh, c) < 0) {
		nftnl_chain_free(c);
		rb->err = -EIO;
		return MNL_CB_ERROR;
	}
	if (!ours(rb, nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE))) {
		nftnl_chain_free(c);
		return MNL_CB_OK;
	}
	if (array_push(&o->chains, &o->nchains, &rb->cap_chains, sizeof(c)) < 0) {
		nftnl_chain_free(c);
		goto nomem;
	}
	o->chains[o->nchains - 1] = c;
	return MNL_CB_OK;
nomem:
	rb->err = -ENOMEM;
	return MNL_CB_ERROR;
}

static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rb *rb = data;
	struct nft_objs *o = rb->objs;
	struct nftnl_rule *r;

	if (rb_same_gen(rb, nlh) < 0)
		return MNL_CB_ERROR;
	r = nftnl_rule_alloc();
	if (!r)
		goto nomem;
	if (nftnl_rule_nlmsg_parse(nlh, r) < 0) {
		nftnl_rule_free(r);
		rb->err = -EIO;
		return MNL_CB_ERROR;
	}
	if (!ours(rb, nftnl_rule_get_str(r, NFTNL_RULE_TABLE))) {
		nftnl_rule_free(r);
		return MNL_CB_OK;
	}
	if (array_push(&o->rules, &o->nrules, &rb->cap_rules, sizeof(r)) < 0) {
		nftnl_rule_free(r);
		goto nomem;
	}
	o->rules[o->nrules - 1] = r;
	return MNL_CB_OK;
nomem:
	rb->err = -ENOMEM;
	return MNL_CB_ERROR;
}

static int set_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rb *rb = data;
	struct nft_objs *o = rb->objs;
	struct nftnl_set *s;

	if (rb_same_gen(rb, nlh) < 0)
		return MNL_CB_ERROR;
	s = nftnl_set_alloc();
	if (!s)
		goto nomem;
	if (nftnl_set_nlmsg_parse(nlh, s) < 0) {
		nftnl_set_free(s);
		rb->err = -EIO;
		return MNL_CB_ERROR;
	}
	if (!ours(rb, nftnl_set_get_str(s, NFTNL_SET_TABLE))) {
		nftnl_set_free(s);
		return MNL_CB_OK;
	}
	if (array_push(&o->sets, &o->nsets, &rb->cap_sets, sizeof(s)) < 0) {
		nftnl_set_free(s);
		goto nomem;
	}
	o->sets[o->nsets - 1] = s;
	return MNL_CB_OK;
nomem:
	rb->err = -ENOMEM;
	return MNL_CB_ERROR;
}

struct elem_arg {
	struct rb *rb;
	struct nftnl_set *set;
};

static int elem_cb(const struct nlmsghdr *nlh, void *data)
{
	struct elem_arg *a = data;

	if (rb_same_gen(a->rb, nlh) < 0)
		return MNL_CB_ERROR;
	/* Appends this message's elements to the set's own list. */
	if (nftnl_set_elems_nlmsg_parse(nlh, a->set) < 0) {
		a->rb->err = errno == ENOMEM ? -ENOMEM : -EIO;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

/*
 * Named stateful objects (counters, quotas, ...) and flowtables: struct
 * nft_objs has no room for them, so they are only counted, for callers
 * that must know the objects are not the whole table.
 */
static int other_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **table = data;

	/* NFTA_FLOWTABLE_TABLE has the same number. */
	if (mnl_attr_get_type(attr) == NFTA_OBJ_TABLE)
		*table = attr;
	return MNL_CB_OK;
}

static int other_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rb *rb = data;
	const struct nlattr *table = NULL;

	if (rb_same_gen(rb, nlh) < 0)
		return MNL_CB_ERROR;
	mnl_attr_parse(nlh, sizeof(struct nfgenmsg), other_attr_cb, &table);
	if (table && mnl_attr_validate(table, MNL_TYPE_NUL_STRING) == 0 &&
	    ours(rb, mnl_attr_get_str(table)))
		rb->others++;
	return MNL_CB_OK;
}

/* A dump of type, filtered by the table (NFTA_OBJ_TABLE, NFTA_FLOWTABLE_TABLE). */
static int rb_count_others(struct rb *rb, uint16_t type)
{
	struct nlmsghdr *nlh = rb_msg(rb, type, NFPROTO_INET, NLM_F_DUMP);

	mnl_attr_put_strz(nlh, NFTA_OBJ_TABLE, rb->table);
	return rb_talk(rb, nlh, other_cb, rb);
}

/* One attempt at a consistent snapshot of the table. */
static int rb_read(struct rb *rb)
{
	struct nftnl_table *t = NULL;
	struct nftnl_chain *c = NULL;
	struct nftnl_rule *r = NULL;
	struct nftnl_set *s = NULL;
	struct nlmsghdr *nlh;
	size_t i;
	int ret;

	rb->objs = calloc(1, sizeof(*rb->objs));
	if (!rb->objs)
		return -ENOMEM;
	rb->cap_sets = rb->cap_chains = rb->cap_rules = 0;
	rb->others = 0;

	nlh = rb_msg(rb, NFT_MSG_GETGEN, AF_UNSPEC, NLM_F_ACK);
	ret = rb_talk(rb, nlh, gen_cb, rb);
	if (ret < 0)
		return ret;

	/* A get, not a dump: the kernel answers for this one table only. */
	t = nftnl_table_alloc();
	if (!t)
		return -ENOMEM;
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, rb->table);
	nlh = rb_msg(rb, NFT_MSG_GETTABLE, NFPROTO_INET, NLM_F_ACK);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	ret = rb_talk(rb, nlh, table_cb, rb);
	if (ret == -ENOENT)
		return 0;	/* no table: an empty state */
	if (ret < 0)
		return ret;

	/* Dumps filtered by family and table name in the kernel. */
	c = nftnl_chain_alloc();
	if (!c)
		return -ENOMEM;
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, rb->table);
	nlh = rb_msg(rb, NFT_MSG_GETCHAIN, NFPROTO_INET, NLM_F_DUMP);
	nftnl_chain_nlmsg_build_payload(nlh, c);
	nftnl_chain_free(c);
	ret = rb_talk(rb, nlh, chain_cb, rb);
	if (ret < 0)
		return ret;

	r = nftnl_rule_alloc();
	if (!r)
		return -ENOMEM;
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, rb->table);
	nlh = rb_msg(rb, NFT_MSG_GETRULE, NFPROTO_INET, NLM_F_DUMP);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
	ret = rb_talk(rb, nlh, rule_cb, rb);
	if (ret < 0)
		return ret;

	s = nftnl_set_alloc();
	if (!s)
		return -ENOMEM;
	nftnl_set_set_str(s, NFTNL_SET_TABLE, rb->table);
	nlh = rb_msg(rb, NFT_MSG_GETSET, NFPROTO_INET, NLM_F_DUMP);
	nftnl_set_nlmsg_build_payload(nlh, s);
	nftnl_set_free(s);
	ret = rb_talk(rb, nlh, set_cb, rb);
	if (ret < 0)
		return ret;

	/* Elements set by set: the kernel dumps them per set only. */
	for (i = 0; i < rb->objs->nsets; i++) {
		struct elem_arg a = { rb, rb->objs->sets[i] };

		nlh = rb_msg(rb, NFT_MSG_GETSETELEM, NFPROTO_INET, NLM_F_DUMP);
		nftnl_set_elems_nlmsg_build_payload(nlh, a.set);
		ret = rb_talk(rb, nlh, elem_cb, &a);
		if (ret < 0)
			return ret;
	}
	if (!rb->want_others)
		return 0;
	ret = rb_count_others(rb, NFT_MSG_GETOBJ);
	if (ret < 0)
		return ret;
	return rb_count_others(rb, NFT_MSG_GETFLOWTABLE);
}

int readback_table_gen(struct fwgen_ctx *ctx, const char *table,
		       struct nft_objs **out, uint32_t *genid,
		       unsigned int *others)
{
	struct rb rb = { .ctx = ctx, .table = table, .want_others = others != NULL };
	int attempt, ret = -EAGAIN;

	*out = NULL;
	rb.buf = malloc(RB_BUFSIZE);
	if (!rb.buf)
		return ctx_nomem(ctx);
	rb.seq = (uint32_t)time(NULL);
	for (attempt = 0; attempt < RB_ATTEMPTS && ret == -EAGAIN; attempt++) {
		/* Let a burst of commits (a busy neighbour's table) pass. */
		if (attempt) {
			struct timespec ts = { 0, attempt * 10 * 1000 * 1000L };

			nanosleep(&ts, NULL);
		}
		ret = rb_open(&rb);
		if (ret < 0)
			break;
		ret = rb_read(&rb);
		rb_close(&rb);
		if (ret < 0) {
			nft_objs_free(rb.objs);
			rb.objs = NULL;
		}
	}
	free(rb.buf);
	switch (ret) {
	case 0:
		*out = rb.objs;
		if (genid)
			*genid = rb.genid_full;
		if (others)
			*others = rb.others;
		return 0;
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
		       table, strerror(-ret));
}

int readback_table(struct fwgen_ctx *ctx, const char *table,
		   struct nft_objs **out)
{
	int ret = readback_table_gen(ctx, table, out, NULL, NULL);

	/* The message says why; callers of this one were promised -EIO. */
	return ret == -EAGAIN ? -EIO : ret;
}

/* Resending what was read */

/*
 * A new set needs an id for the transaction (NFTA_SET_ID is mandatory);
 * lookups get the id of the set they name, so that anonymous sets go out
 * just before their rule as in the original batch.
 */
static void number_sets(struct nft_objs *o)
{
	struct nftnl_expr_iter *it;
	struct nftnl_expr *e;
	size_t i, j;

	for (i = 0; i < o->nsets; i++)
		nftnl_set_set_u32(o->sets[i], NFTNL_SET_ID, (uint32_t)i + 1);
	for (i = 0; i < o->nrules; i++) {
		if (!(it = nftnl_expr_iter_create(o->rules[i])))
			continue;
		while ((e = nftnl_expr_iter_next(it))) {
			const char *set;

			if (strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "lookup") ||
			    !(set = nftnl_expr_get_str(e, NFTNL_EXPR_LOOKUP_SET)))
				continue;
			for (j = 0; j < o->nsets; j++)
				if (!strcmp(set, nftnl_set_get_str(o->sets[j],
								   NFTNL_SET_NAME)))
					nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID,
							   (uint32_t)j + 1);
		}
		nftnl_expr_iter_destroy(it);
	}
}

void readback_make_resendable(struct nft_objs *o)
{
	struct nftnl_table *t = o->table;
	size_t i;

	/* What the kernel reports but a new table cannot be given. */
	if (t) {
		nftnl_table_unset(t, NFTNL_TABLE_HANDLE);
		nftnl_table_unset(t, NFTNL_TABLE_USE);
		nftnl_table_unset(t, NFTNL_TABLE_OWNER);
		nftnl_table_set_u32(t, NFTNL_TABLE_FLAGS,
				    nftnl_table_get_u32(t, NFTNL_TABLE_FLAGS) &
					    ~(uint32_t)NFT_TABLE_F_OWNER);
	}
	for (i = 0; i < o->nchains; i++) {
		struct nftnl_chain *c = o->chains[i];

		nftnl_chain_unset(c, NFTNL_CHAIN_HANDLE);
		nftnl_chain_unset(c, NFTNL_CHAIN_USE);
		nftnl_chain_unset(c, NFTNL_CHAIN_BYTES);
		nftnl_chain_unset(c, NFTNL_CHAIN_PACKETS);
		nftnl_chain_unset(c, NFTNL_CHAIN_ID);
		/* The kernel marks base chains itself. */
		if ((nftnl_chain_get_u32(c, NFTNL_CHAIN_FLAGS) & ~NFT_CHAIN_BASE) == 0)
			nftnl_chain_unset(c, NFTNL_CHAIN_FLAGS);
	}
	for (i = 0; i < o->nsets; i++)
		nftnl_set_unset(o->sets[i], NFTNL_SET_HANDLE);
	/* Appended in dump order, the rules need no handle or position. */
	for (i = 0; i < o->nrules; i++) {
		nftnl_rule_unset(o->rules[i], NFTNL_RULE_HANDLE);
		nftnl_rule_unset(o->rules[i], NFTNL_RULE_POSITION);
		nftnl_rule_unset(o->rules[i], NFTNL_RULE_ID);
		nftnl_rule_unset(o->rules[i], NFTNL_RULE_POSITION_ID);
	}
	number_sets(o);
}
