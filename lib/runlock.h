/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The lock every ruleset change of fwgen holds (apply, remove, live set
 * updates), so that two of them never interleave. Defined in kernel.c.
 */
#ifndef FWGEN_RUNLOCK_H
#define FWGEN_RUNLOCK_H

#include "ctx.h"

/*
 * Takes the lock file <fwgen_run_dir()>/lock, waiting up to
 * FWGEN_LOCK_TIMEOUT seconds (default 30): -EBUSY naming the holder's pid
 * when it stays taken. *fd receives the descriptor for lock_release().
 */
int lock_take(struct fwgen_ctx *ctx, int *fd);

/* Releases the lock; fd -1 is allowed. */
void lock_release(int fd);

#endif
