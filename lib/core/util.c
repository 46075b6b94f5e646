/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Array growth with overflow checks, so that no loader repeats the
 * realloc dance on its own.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int array_push(void *arr, size_t *n, size_t *cap, size_t size)
{
	void **p = arr;

	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		void *v;

		if (ncap > SIZE_MAX / size)
			return -ENOMEM;
		v = realloc(*p, ncap * size);
		if (!v)
			return -ENOMEM;
		*p = v;
		*cap = ncap;
	}
	memset((char *)*p + *n * size, 0, size);
	(*n)++;
	return 0;
}

void strv_free(char **v, size_t n)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

char *strdupf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return n < 0 ? NULL : s;
}
