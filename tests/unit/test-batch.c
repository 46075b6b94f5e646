/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fwgen_nftnl_batch_append() into batches of every shape a caller may
 * allocate: page sizes from 4 KiB to 2 MiB, overruns from none to more
 * than a message, peer sets from empty to 10,000 addresses. Each append
 * either writes exactly the messages a batch of fwgen's own size gets, or
 * fails with -ENOSPC leaving *seq alone; it never writes past a page (run
 * it under ASan: that is what it is for). And the describer names the
 * object of each sequence number.
 */
#include <sys/uio.h>

#include <libmnl/libmnl.h>
#include <libnftnl/batch.h>
#include <linux/netfilter/nf_tables.h>

#include <fwgen/nftnl.h>

#include "testutil.h"

/* The demo's web host with nusers separate (never adjacent) user addresses. */
static struct fwgen_nftnl *objs_with_users(struct fwgen_ctx *ctx,
					   const struct fwgen_catalog *cat,
					   size_t nusers)
{
	const char *roles[] = { "web" };
	struct fwgen_inventory *inv = fwgen_inventory_new();
	struct fwgen_policy *pol = NULL;
	struct fwgen_nftnl *o = NULL;
	char addr[32];
	size_t i;

	ck_assert_int_eq(fwgen_inventory_set_topology(ctx, inv, "demo"), 0);
	for (i = 0; i < nusers; i++) {
		snprintf(addr, sizeof(addr), "198.18.%zu.%zu", (2 * i) >> 8,
			 (2 * i) & 0xff);
		ck_assert_int_eq(fwgen_inventory_add_address(ctx, inv, "user", addr), 0);
	}
	ck_assert_msg(fwgen_policy_resolve(ctx, cat, inv, NULL, roles, 1, 0, &pol) == 0,
		      "%s", fwgen_ctx_error(ctx));
	ck_assert_int_eq(fwgen_policy_to_nftnl(ctx, pol, &o), 0);
	fwgen_policy_free(pol);
	fwgen_inventory_free(inv);
	return o;
}

/* The batch's messages as one stream, whatever the pages; and how many. */
static char *batch_bytes(struct nftnl_batch *b, size_t *len, size_t *nmsgs)
{
	int i, niov = nftnl_batch_iovec_len(b);
	struct iovec *iov = calloc((size_t)niov, sizeof(*iov));
	char *buf = NULL;
	size_t off = 0;

	*nmsgs = 0;
	nftnl_batch_iovec(b, iov, (uint32_t)niov);
	for (i = 0; i < niov; i++) {
		const struct nlmsghdr *nlh = iov[i].iov_base;
		int left = (int)iov[i].iov_len;

		for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left))
			(*nmsgs)++;
		ck_assert_int_eq(left, 0); /* no torn message */
		buf = realloc(buf, off + iov[i].iov_len + 1);
		memcpy(buf + off, iov[i].iov_base, iov[i].iov_len);
		off += iov[i].iov_len;
	}
	free(iov);
	*len = off;
	return buf;
}

static const size_t set_sizes[] = { 0, 10, 5000, 8000, 10000 };

START_TEST(test_batch_append_any_batch_shape)
{
	static const uint32_t pages[] = { 4096, 16384, 65536, 69632, 131072,
					  2 * 1024 * 1024 };
	static const uint32_t overruns[] = { 0, 4096, 65536, 69631,
					     FWGEN_NFTNL_MSG_MAX, 131072 };
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = load_demo_catalog(ctx);
	struct fwgen_nftnl *o = objs_with_users(ctx, cat, set_sizes[_i]);
	struct nftnl_batch *ref = fwgen_nftnl_batch_new();
	size_t reflen, refn, len, n, p, v, ok = 0, nospc = 0;
	uint32_t seq = 7;
	char *want, *got;

	ck_assert_ptr_nonnull(ref);
	ck_assert_int_eq(fwgen_nftnl_batch_append(o, ref, &seq), 0);
	want = batch_bytes(ref, &reflen, &refn);
	ck_assert_uint_eq(seq, 7 + refn);
	for (p = 0; p < sizeof(pages) / sizeof(pages[0]); p++) {
		for (v = 0; v < sizeof(overruns) / sizeof(overruns[0]); v++) {
			struct nftnl_batch *b = nftnl_batch_alloc(pages[p], overruns[v]);
			int ret;

			seq = 7;
			ret = fwgen_nftnl_batch_append(o, b, &seq);
			if (ret == -ENOSPC) {
				ck_assert_uint_eq(seq, 7); /* all or nothing */
				nospc++;
			} else {
				ck_assert_msg(ret == 0, "page %u overrun %u: %d",
					      pages[p], overruns[v], ret);
				got = batch_bytes(b, &len, &n);
				ck_assert_uint_eq(n, refn);
				ck_assert_uint_eq(len, reflen);
				ck_assert(memcmp(got, want, len) == 0);
				ck_assert_uint_eq(seq, 7 + refn);
				free(got);
				ok++;
			}
			/* Room for any message: it must work. */
			if (overruns[v] >= FWGEN_NFTNL_MSG_MAX &&
			    pages[p] >= FWGEN_NFTNL_MSG_MAX)
				ck_assert_int_eq(ret, 0);
			if (overruns[v] == 0 && pages[p] == 4096)
				ck_assert_int_eq(ret, -ENOSPC);
			nftnl_batch_free(b);
		}
	}
	ck_assert_uint_gt(ok, 0);
	ck_assert_uint_gt(nospc, 0);
	free(want);
	nftnl_batch_free(ref);
	fwgen_nftnl_free(o);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
}
END_TEST

START_TEST(test_batch_append_bad_arguments)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = load_demo_catalog(ctx);
	struct fwgen_nftnl *o = objs_with_users(ctx, cat, 1);
	struct nftnl_batch *b = fwgen_nftnl_batch_new();
	uint32_t seq = 1;

	ck_assert_int_eq(fwgen_nftnl_batch_append(NULL, b, &seq), -EINVAL);
	ck_assert_int_eq(fwgen_nftnl_batch_append(o, NULL, &seq), -EINVAL);
	ck_assert_int_eq(fwgen_nftnl_batch_append(o, b, NULL), -EINVAL);
	ck_assert_uint_eq(nftnl_batch_buffer_len(b), 0); /* nothing written */
	ck_assert_uint_eq(seq, 1);
	nftnl_batch_free(b);
	fwgen_nftnl_free(o);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
}
END_TEST

/* Every message the append wrote, named from its sequence number. */
START_TEST(test_batch_describe_each_sequence_number)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	struct fwgen_catalog *cat = load_demo_catalog(ctx);
	struct fwgen_nftnl *o = objs_with_users(ctx, cat, 10000);
	struct nftnl_batch *b = fwgen_nftnl_batch_new();
	uint32_t first = 1000, seq = first, s;
	size_t nelems = 0, nrules = 0;
	char what[256], tiny[8];

	ck_assert_int_eq(fwgen_nftnl_batch_append(o, b, &seq), 0);
	ck_assert_int_eq(fwgen_nftnl_describe(ctx, o, first, first, what, sizeof(what)), 0);
	ck_assert_str_eq(what, "table inet fwgen");
	ck_assert_int_eq(fwgen_nftnl_describe(ctx, o, first, first + 1, what, sizeof(what)), 0);
	ck_assert_str_eq(what, "the deletion of table inet fwgen");
	for (s = first; s < seq; s++) {
		ck_assert_int_eq(fwgen_nftnl_describe(ctx, o, first, s, what, sizeof(what)), 0);
		ck_assert_str_eq(fwgen_ctx_error(ctx), "");
		if (strstr(what, "of set user_v4")) {
			ck_assert_msg(strncmp(what, "elements ", 9) == 0, "%s", what);
			/*
			 * 10,000 single hosts: a hash set, one element
			 * each (an interval set would need 20,001).
			 */
			ck_assert_msg(strstr(what, " of 10000 of set"), "%s", what);
			nelems++;
		}
		if (strncmp(what, "rule in chain ", 14) == 0)
			nrules++;
	}
	ck_assert_uint_gt(nelems, 1); /* split over several messages */
	ck_assert_uint_gt(nrules, 0);
	ck_assert_int_eq(fwgen_nftnl_describe(ctx, o, first, seq, what, sizeof(what)), -ENOENT);
	ck_assert_int_eq(fwgen_ctx_errno(ctx), -ENOENT);
	ck_assert_int_eq(fwgen_nftnl_describe(ctx, o, first, first - 1, what, sizeof(what)), -ENOENT);
	/* A short buffer gets a cut, terminated text. */
	ck_assert_int_eq(fwgen_nftnl_describe(ctx, o, first, first, tiny, sizeof(tiny)), 0);
	ck_assert_str_eq(tiny, "table i");
	ck_assert_int_eq(fwgen_nftnl_describe(ctx, o, first, first, tiny, 0), -EINVAL);
	nftnl_batch_free(b);
	fwgen_nftnl_free(o);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("batch");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_batch_append_any_batch_shape, 0,
			    (int)(sizeof(set_sizes) / sizeof(set_sizes[0])));
	tcase_add_test(tc, test_batch_append_bad_arguments);
	tcase_add_test(tc, test_batch_describe_each_sequence_number);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
