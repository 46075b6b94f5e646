/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Small helpers shared by the loaders and builders: growing arrays and
 * freeing string vectors.
 */
#ifndef FWGEN_UTIL_H
#define FWGEN_UTIL_H

#include <stddef.h>

/*
 * Makes room for one more element in *arr (of *n used, *cap allocated,
 * elements of size bytes), zeroing the new slot. Returns 0 or -ENOMEM.
 */
int array_push(void *arr, size_t *n, size_t *cap, size_t size);

void strv_free(char **v, size_t n);

/* A new string formatted as by printf, or NULL when out of memory. */
char *strdupf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
