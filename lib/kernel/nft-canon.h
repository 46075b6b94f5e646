/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libnftnl rules and sets in two forms: a canonical key that two equal rules
 * share whoever built them (diff compares those), and nft-like text for people.
 */
#ifndef FWGEN_NFT_CANON_H
#define FWGEN_NFT_CANON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/udata.h>

#include "nft-build.h"

/* The largest key or data of a set element (NFT_DATA_VALUE_MAXLEN). */
#define CANON_KEY_MAX 64

/* Room for a rule comment: nft allows 128 bytes, plus the NUL. */
#define CANON_COMMENT_MAX (NFTNL_UDATA_COMMENT_MAXLEN + 1)

/*
 * The sets of one side (desired or kernel), indexed so that a rule's
 * lookup finds its set by name or, in a batch not yet sent, by set id.
 * Borrows objs: release before freeing it.
 */
struct canon_env {
	const struct nft_objs *objs;
	struct nftnl_set **byname; /* sorted by name */
	size_t n;
};

int canon_env_init(struct canon_env *env, const struct nft_objs *objs);
void canon_env_release(struct canon_env *env);

/* The set a lookup names (name may be NULL), or NULL. */
const struct nftnl_set *canon_env_set(const struct canon_env *env,
				      const char *name, bool has_id,
				      uint32_t id);

/*
 * The rule's comment (NFTNL_UDATA_RULE_COMMENT) copied into buf, or NULL
 * when it has none.
 */
/*
 * The comment in a table's, chain's or rule's userdata (nft's udata type 0
 * for each), copied to buf and NUL-terminated; NULL when there is none.
 */
const char *canon_udata_comment(const void *ud, uint32_t udlen, char *buf,
				size_t len);

const char *canon_rule_comment(const struct nftnl_rule *r, char *buf,
			       size_t len);

/*
 * A new string naming what the rule does and nothing else: its comment and
 * its expressions with registers numbered one way, kernel defaults filled
 * in, counters' values, handles and set ids left out, and anonymous sets
 * replaced by their contents (the kernel renames them). Two rules with
 * equal keys match the same packets the same way. Free with free().
 * -ENOMEM, or -EINVAL for a rule whose expressions cannot be read.
 */
int canon_rule_key(const struct canon_env *env, const struct nftnl_rule *r,
		   char **out);

/*
 * (nft-text.c) Writes the rule as nft would list it ("tcp dport 22 accept comment
 * \"...\""), decoding the expressions fwgen and hand-written rules commonly
 * use; an expression it does not know is written as libnftnl dumps it.
 * Never fails on odd input; returns -EIO only when writing fails.
 */
int canon_rule_text(const struct canon_env *env, const struct nftnl_rule *r,
		    FILE *out);

/*
 * Calls cb once per element of a set, in key order, as an inclusive range
 * lo..hi of len bytes each (a single key has lo == hi), with the element
 * that carries its data. It reads the three kernel shapes alike: single
 * keys, interval sets as start and end-flagged elements (the end is
 * exclusive; a leading end element at zero is nft's sentinel), and ranges
 * with an explicit key end (concatenations). A non-zero return of cb stops
 * the walk and is returned. -ENOMEM when out of memory.
 */
typedef int (*canon_elem_cb)(const uint8_t *lo, const uint8_t *hi,
			     uint32_t len, struct nftnl_set_elem *e, void *arg);
int canon_set_elems(const struct nftnl_set *s, canon_elem_cb cb, void *arg);

/* Whether a set is anonymous: bound to one rule, named by the kernel. */
bool canon_set_is_anonymous(const struct nftnl_set *s);

#endif
