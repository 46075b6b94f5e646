/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The valid arguments the generated misuse suite (gen-misuse.py) passes
 * beside the one bad argument of each call: one object of every public
 * type, built once through the public API before the tests fork.
 */
#ifndef FWGEN_MISUSE_SAMPLES_H
#define FWGEN_MISUSE_SAMPLES_H

#include <check.h>
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libnftnl/batch.h>

#include <fwgen/diff.h>
#include <fwgen/fleet.h>
#include <fwgen/fwgen.h>
#include <fwgen/kernel.h>
#include <fwgen/nftnl.h>
#include <fwgen/sets.h>
#include <fwgen/status.h>

static struct {
	struct fwgen_ctx *ctx;
	struct fwgen_catalog *cat;
	const struct fwgen_topology *topo;
	struct fwgen_inventory *inv;
	struct fwgen_policy *pol;
	struct fwgen_query *query;
	struct fwgen_explain *explain;
	struct fwgen_nftnl *nftnl;
	struct fwgen_inventory *fleet_inv;
	struct fwgen_fleet *fleet;
	struct fwgen_status *status;
	struct nftnl_batch *batch;
	FILE *devnull;
	const char *strv[2];
	struct fwgen_port_range ranges[1];
} S;

/* What an output argument holds before a call that must leave it alone. */
static char sentinel_byte;
#define SENTINEL ((void *)&sentinel_byte)

static int confirm_no(void *data, unsigned int seconds)
{
	(void)data;
	(void)seconds;
	return 0;
}

static void die(const char *what)
{
	fprintf(stderr, "misuse: cannot set up the samples: %s: %s\n", what,
		S.ctx ? fwgen_ctx_error(S.ctx) : "");
	exit(1);
}

static void build_samples(void)
{
	const char *role = NULL;
	bool is_host = false;
	size_t i;

	S.ctx = fwgen_ctx_new();
	if (!S.ctx)
		die("fwgen_ctx_new");
	if (fwgen_catalog_load(S.ctx, &S.cat) < 0)
		die("fwgen_catalog_load");
	S.topo = fwgen_catalog_topology_at(S.cat, 0);
	if (!S.topo)
		die("no topology");
	for (i = 0; i < fwgen_topology_role_count(S.topo) && !is_host; i++)
		role = fwgen_topology_role_name(S.topo, i, &is_host);
	S.strv[0] = role;
	S.ranges[0].lo = S.ranges[0].hi = 8443;
	S.inv = fwgen_inventory_new();
	if (!S.inv || fwgen_inventory_set_topology(S.ctx, S.inv,
						   fwgen_topology_name(S.topo)) < 0)
		die("inventory");
	if (fwgen_policy_resolve(S.ctx, S.cat, S.inv, NULL, S.strv, 1, 0,
				 &S.pol) < 0)
		die("fwgen_policy_resolve");
	S.query = fwgen_query_new();
	if (!S.query || fwgen_query_parse_service(S.ctx, S.query, "tcp/22") < 0)
		die("query");
	if (fwgen_policy_explain(S.ctx, S.cat, S.pol, S.inv, S.query,
				 &S.explain) < 0)
		die("fwgen_policy_explain");
	if (fwgen_policy_to_nftnl(S.ctx, S.pol, &S.nftnl) < 0)
		die("fwgen_policy_to_nftnl");
	/* A fleet needs a host role bound to an address. */
	S.fleet_inv = fwgen_inventory_new();
	if (!S.fleet_inv ||
	    fwgen_inventory_set_topology(S.ctx, S.fleet_inv,
					 fwgen_topology_name(S.topo)) < 0 ||
	    fwgen_inventory_add_address(S.ctx, S.fleet_inv, role,
					"198.18.0.1") < 0)
		die("fleet inventory");
	if (fwgen_fleet_new(S.ctx, S.cat, S.fleet_inv, NULL, 0, &S.fleet) < 0)
		die("fwgen_fleet_new");
	/*
	 * A status is read from a live table: as root the suite runs in a
	 * network namespace of its own (isolate()), where applying is
	 * harmless. Elsewhere S.status stays NULL and the calls that take
	 * one fail on it, which proves less.
	 */
	if (geteuid() == 0 &&
	    (fwgen_policy_apply(S.ctx, S.pol, 0) < 0 ||
	     fwgen_status_read(S.ctx, NULL, &S.status) < 0))
		die("a status of our own table");
	S.batch = fwgen_nftnl_batch_new();
	if (!S.batch)
		die("fwgen_nftnl_batch_new");
	S.devnull = fopen("/dev/null", "w");
	if (!S.devnull)
		die("/dev/null");
}

/*
 * A call whose check is missing goes on with valid arguments, and some of
 * them talk to the kernel: run where that can do no harm -- a network
 * namespace of our own (as root), with a run directory of our own.
 */
static char rundir[] = "/tmp/fwgen-misuse-XXXXXX";

static void isolate(void)
{
	if (geteuid() == 0 && unshare(CLONE_NEWNET) < 0) {
		perror("misuse: unshare(CLONE_NEWNET)");
		exit(1);
	}
	if (!mkdtemp(rundir)) {
		perror("misuse: mkdtemp");
		exit(1);
	}
	setenv("FWGEN_RUN_DIR", rundir, 1);
	setenv("FWGEN_LOCK_TIMEOUT", "1", 1);
	unsetenv("SSH_CONNECTION");
}

static int misuse_main(void (*add_tests)(Suite *),
		       const char *const *functions, int ntests)
{
	Suite *s = suite_create("misuse");
	SRunner *sr;
	size_t n = 0;
	int failed;

	while (functions[n])
		n++;
	printf("misuse: %zu functions in the headers, %d calls\n", n, ntests);
	isolate();
	build_samples();
	add_tests(s);
	sr = srunner_create(s);
	/* Each call in a child of its own: a crash fails that test alone. */
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	rmdir(rundir);
	return failed ? 1 : 0;
}

#endif
