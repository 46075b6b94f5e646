// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What docs/api.md promises a tool that sends its own batch: the public
 * lock and the lockout check, through the installed API only. Takes the
 * lock of run directory RUNDIR, says "locked", runs the lockout check for
 * SSH (the context's connection), applies the policy inside the lock (the
 * context's own apply must not wait for itself), holds the lock SECONDS
 * more, and releases it. Run it only inside a test namespace.
 *
 * Usage: ctxlock RUNDIR SECONDS TOPOLOGY ROLE [SSH_CONNECTION]
 * Exit: 0 all of that worked; 3 the lockout check refused; 1 otherwise.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <fwgen/fwgen.h>
#include <fwgen/kernel.h>

int main(int argc, char **argv)
{
	struct fwgen_catalog *cat = NULL;
	struct fwgen_policy *pol = NULL;
	const char *roles[1];
	struct fwgen_ctx *ctx;
	int ret = 1;

	if (argc < 5)
		return 1;
	roles[0] = argv[4];
	ctx = fwgen_ctx_new();
	if (!ctx || fwgen_ctx_set_run_dir(ctx, argv[1]) < 0 ||
	    fwgen_ctx_set_ssh_connection(ctx, argc > 5 ? argv[5] : NULL) < 0 ||
	    fwgen_catalog_load(ctx, &cat) < 0 ||
	    fwgen_policy_resolve(ctx, cat, NULL, argv[3], roles, 1, 0, &pol) < 0)
		goto out;
	if (fwgen_policy_lockout_check(ctx, pol, fwgen_ctx_ssh_connection(ctx)) < 0) {
		ret = 3;
		goto out;
	}
	if (fwgen_ctx_lock(ctx) < 0)
		goto out;
	printf("locked\n");
	fflush(stdout);
	if (fwgen_policy_apply(ctx, pol, FWGEN_APPLY_FORCE) < 0)
		goto out;
	printf("applied\n");
	fflush(stdout);
	sleep((unsigned int)atoi(argv[2]));
	if (fwgen_ctx_unlock(ctx) < 0)
		goto out;
	ret = 0;
out:
	if (ret)
		fprintf(stderr, "ctxlock: %s\n", ctx ? fwgen_ctx_error(ctx) : "no memory");
	fwgen_policy_free(pol);
	fwgen_catalog_free(cat);
	fwgen_ctx_free(ctx);
	return ret;
}
