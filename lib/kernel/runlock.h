/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The lock every ruleset change of fwgen holds (apply, remove, live set
 * updates), so that two of them never interleave, and the runtime
 * directory it lives in. Defined in rundir.c.
 */
#ifndef FWGEN_RUNLOCK_H
#define FWGEN_RUNLOCK_H

#include "ctx.h"

#include <stddef.h>
#include <sys/types.h>

#define RUN_DIR_PATH_MAX 4096

/*
 * Opens (creating them 0700) the context's runtime directory and in it
 * the one of the current network namespace, "net-<dev>-<inode>" of
 * /proc/self/ns/net; both must be directories owned by the effective uid
 * and not writable by group or others (-ENOTDIR otherwise). Returns the
 * namespace directory's descriptor and its path in path.
 */
int rundir_open(struct fwgen_ctx *ctx, char *path, size_t len);

/*
 * Opens name in dirfd (path dir, for messages) with flags | O_NOFOLLOW,
 * mode 0600 when created, and checks it is of type (S_IFREG, S_IFIFO),
 * ours and not writable by others: -ENOTDIR when not.
 */
int rundir_open_file(struct fwgen_ctx *ctx, int dirfd, const char *dir,
		     const char *name, int flags, mode_t type);

/*
 * Takes the lock file <namespace directory>/lock, waiting up to the
 * context's lock timeout (default 30 s): -EBUSY naming the holder's pid
 * when it stays taken. *fd receives the descriptor for lock_release(); -1
 * when the context holds the lock already (fwgen_ctx_lock()).
 */
int lock_take(struct fwgen_ctx *ctx, int *fd);

/* Releases the lock; fd -1 is allowed. */
void lock_release(int fd);

#endif
