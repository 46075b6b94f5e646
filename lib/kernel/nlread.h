/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A netlink socket for reading nf_tables: gets and dumps whose replies all
 * belong to one ruleset generation. Reading the table back (readback.c)
 * and reading one set (setread.c) share it.
 */
#ifndef FWGEN_NLREAD_H
#define FWGEN_NLREAD_H

#include <stdbool.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

#include "ctx.h"

struct nlread {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	/*
	 * the generation replies must come from,
	 * low 16 bits as each message carries them
	 */
	uint16_t genid;
	uint32_t genid_full; /* the whole of it, as a batch names it */
	int err;	     /* set by a callback that failed */
	char *buf;	     /* holds one request, or one reply datagram */
};

/*
 * Opens the socket (allocating the buffer on first use). Returns 0 or a
 * negative errno. Close it with nlread_close(); nlread_release() also
 * frees the buffer.
 */
int nlread_open(struct nlread *r);
void nlread_close(struct nlread *r);
void nlread_release(struct nlread *r);

/* Starts a request in r->buf with the next sequence number. */
struct nlmsghdr *nlread_msg(struct nlread *r, uint16_t type, uint16_t family,
			    uint16_t flags);

/*
 * Sends one request and runs cb on every reply until the kernel says done.
 * Errors are negative errnos (-ENOENT: no such object). -EAGAIN means
 * start over on a new socket: a reply from another generation (when a
 * callback checks with nlread_same_gen()), a dump interrupted by a ruleset
 * change, or an overrun that lost messages.
 */
int nlread_talk(struct nlread *r, struct nlmsghdr *nlh, mnl_cb_t cb,
		void *data);

/* Asks for the ruleset generation, which later replies must share. */
int nlread_gen(struct nlread *r);

/* Gets table inet <table> (cb may be NULL); -ENOENT when there is none. */
int nlread_get_table(struct nlread *r, const char *table, mnl_cb_t cb,
		     void *data);

/* For callbacks: 0 when nlh is of r's generation, else -1 and r->err. */
int nlread_same_gen(struct nlread *r, const struct nlmsghdr *nlh);

/*
 * Puts err, from reading table inet <table>, into words in ctx and returns
 * the error for the caller to return: -ENOMEM, -EPERM, -EAGAIN (the
 * ruleset kept changing), else -EIO.
 */
int nlread_fail(struct fwgen_ctx *ctx, const char *table, int err);

#endif
