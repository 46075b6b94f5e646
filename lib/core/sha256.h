/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SHA-256 (FIPS 180-4) for the digest of a rendered ruleset: the one value
 * `fwgen fleet` and configuration management compare to tell rulesets apart.
 */
#ifndef FWGEN_SHA256_H
#define FWGEN_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32

/* Writes the SHA-256 of data[0..len-1] to out. */
void sha256(const void *data, size_t len, uint8_t out[SHA256_LEN]);

#endif
