/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A scanner for the plain block subset of YAML that inventories are written
 * in: block mappings of simple keys, block sequences, one-line flow
 * sequences, and plain or quoted single-line scalars, in printable ASCII.
 * It reads large inventories only (yaml-doc.c: YD_PARSE_BY_SIZE), where it
 * saves time over libyaml (the figures: tests/bench/README.md). It only
 * ever says "yes, this is the
 * tree" or "not mine": anything outside the subset, including every error,
 * is left to libyaml, which then reads the file from the start and reports
 * it.
 */
#ifndef FWGEN_YAML_FAST_H
#define FWGEN_YAML_FAST_H

#include <stdbool.h>
#include <stddef.h>

#include "yaml-doc.h"

/* The input is outside the subset: discard what the sink received. */
#define YF_UNSUPPORTED 1

/*
 * Receives the tree as libyaml's events would describe it, with 0-based
 * lines and columns of each node's start, as libyaml marks them. A
 * callback returns 0, YF_UNSUPPORTED to stop the scan, or a negative errno.
 */
struct yf_sink {
	int (*scalar)(void *data, const char *value, size_t len, bool plain,
		      unsigned int line, unsigned int col);
	int (*start)(void *data, enum yd_type type, unsigned int line,
		     unsigned int col);
	int (*end)(void *data);
};

/* 0: the whole input was in the subset, and its tree went to the sink. */
int yf_scan(const char *buf, size_t len, const struct yf_sink *sink,
	    void *data);

#endif
