#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# For every topology x host role, with and without the example inventory and
# with egress filtered: `nft -c -f` accepts what `fwgen print` writes, and
# `nft -f` loads it, inside a namespace this test creates (never the host's).
set -u

FWGEN=${FWGEN:-fwgen}
ROOT=${FWGEN_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for network namespaces"; exit 77; }
command -v nft >/dev/null || { echo "SKIP: nft not installed"; exit 77; }

# shellcheck source=lab.sh
. "$ROOT/tests/netns/lab.sh"
lab_test_init
TMP=$LAB_TMP
lab_ns_new c || { echo "FAIL: lab_ns_new"; exit 1; }
NS=$(lab_ns c)

nft_case() {	# name, then the print arguments
	local name=$1
	shift
	if ! "$FWGEN" print "$@" >"$TMP/out.nft" 2>"$TMP/err"; then
		not_ok "$name: fwgen print" "$(cat "$TMP/err")"
		return
	fi
	if ! ip netns exec "$NS" nft -c -f "$TMP/out.nft" 2>"$TMP/err"; then
		not_ok "$name: nft -c refused it" "$(head -20 "$TMP/err")"
		return
	fi
	if ! ip netns exec "$NS" nft -f "$TMP/out.nft" 2>"$TMP/err"; then
		not_ok "$name: nft -f refused it" "$(head -5 "$TMP/err")"
		return
	fi
	ok "$name"
}

topologies=$("$FWGEN" catalog list | awk '/^[a-z]/ { print $1 }')
[ -n "$topologies" ] || { echo "FAIL: no topologies in the catalog"; exit 1; }
for topo in $topologies; do
	roles=$("$FWGEN" catalog list | awk -v t="$topo" '
		/^[a-z]/ { cur = $1 }
		cur == t && /host roles:/ { sub(/.*host roles: /, ""); gsub(/,/, ""); print }')
	inv="$ROOT/examples/$topo.yaml"
	for role in $roles; do
		nft_case "$topo/$role" --topology "$topo" --role "$role"
		if [ -f "$inv" ]; then
			nft_case "$topo/$role+inventory" -i "$inv" --role "$role"
			sed 's/^egress:.*//' "$inv" >"$TMP/filtered.yaml"
			echo "egress: filtered" >>"$TMP/filtered.yaml"
			nft_case "$topo/$role+inventory+egress" -i "$TMP/filtered.yaml" --role "$role"
		else
			not_ok "$topo: no example inventory $inv"
		fi
	done
	# Every host role at once: the all-in-one host.
	all=()
	for role in $roles; do all+=(--role "$role"); done
	nft_case "$topo/all-roles" --topology "$topo" "${all[@]}"
done

# The host's own ruleset must not have been touched.
if nft list tables 2>/dev/null | grep -q 'inet fwgen'; then
	not_ok "the root namespace has an inet fwgen table"
fi
lab_summary
