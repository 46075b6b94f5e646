/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where the fast scanner (yaml-fast.c) starts to pay: an inventory with N
 * peer addresses loaded through it and through libyaml, the median of
 * repeated loads each, for growing N. Prints the sizes, both times and
 * their ratio; the threshold in yaml-doc.c (YD_FAST_MIN_BYTES) is taken
 * from this table (tests/bench/README.md). Not a test: a meson benchmark.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fwgen/fwgen.h>

#include "yaml-doc.h"

#define RUNS 15

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* An inventory as users write one: a topology, roles, one flow list. */
static char *inventory(size_t n, size_t *len)
{
	size_t cap = 256 + n * 24, i;
	char *buf = malloc(cap);
	int off;

	if (!buf)
		exit(1);
	off = snprintf(buf, cap,
		       "topology: tachyon-single-server\nroles:\n  server: [198.18.10.10]\n  browser:\n");
	for (i = 0; i < n; i++)
		off += snprintf(buf + off, cap - (size_t)off, "    - 198.%u.%u.%u\n",
				18 + (unsigned int)(i >> 16) % 2,
				(unsigned int)(i >> 8) & 255, (unsigned int)i & 255);
	*len = (size_t)off;
	return buf;
}

/* Median seconds of one load; the loop repeats it to beat the clock. */
static double median_load(const char *buf, size_t len, enum yd_parser p)
{
	struct fwgen_ctx *ctx = fwgen_ctx_new();
	double t[RUNS];
	int r, k, reps = len < 4096 ? 200 : len < 65536 ? 20 :
							  1;

	for (r = 0; r < RUNS; r++) {
		double t0 = now();

		for (k = 0; k < reps; k++) {
			struct yd_doc *doc = NULL;

			if (yd_load_buf_with(ctx, "b.yaml", buf, len, p, &doc) != 0) {
				fprintf(stderr, "load failed: %s\n", fwgen_ctx_error(ctx));
				exit(1);
			}
			yd_free(doc);
		}
		t[r] = (now() - t0) / reps;
	}
	fwgen_ctx_free(ctx);
	qsort(t, RUNS, sizeof(*t), cmp);
	return t[RUNS / 2];
}

int main(int argc, char **argv)
{
	static const size_t sizes[] = { 1, 10, 30, 100, 300, 1000, 3000, 10000,
					30000, 100000 };
	size_t i;

	(void)argc;
	(void)argv;
	printf("%8s %10s %12s %12s %8s\n", "peers", "bytes", "libyaml us",
	       "fast us", "ratio");
	for (i = 0; i < sizeof(sizes) / sizeof(*sizes); i++) {
		size_t len;
		char *buf = inventory(sizes[i], &len);
		double slow = median_load(buf, len, YD_PARSE_LIBYAML);
		double fast = median_load(buf, len, YD_PARSE_FAST);

		printf("%8zu %10zu %12.1f %12.1f %8.2f\n", sizes[i], len,
		       slow * 1e6, fast * 1e6, fast / slow);
		free(buf);
	}
	return 0;
}
