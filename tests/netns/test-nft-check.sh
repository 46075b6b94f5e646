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

NS="fwck$$"
TMP=$(mktemp -d)
cleanup() {
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
ip netns add "$NS" || { echo "SKIP: cannot create a network namespace"; exit 77; }

pass=0
fail=0
check() {	# name, then the print arguments
	local name=$1
	shift
	if ! "$FWGEN" print "$@" >"$TMP/out.nft" 2>"$TMP/err"; then
		echo "FAIL $name: fwgen print: $(cat "$TMP/err")"
		fail=$((fail + 1))
		return
	fi
	if ! ip netns exec "$NS" nft -c -f "$TMP/out.nft" 2>"$TMP/err"; then
		echo "FAIL $name: nft -c refused it:"
		sed 's/^/    /' "$TMP/err" | head -20
		fail=$((fail + 1))
		return
	fi
	if ! ip netns exec "$NS" nft -f "$TMP/out.nft" 2>"$TMP/err"; then
		echo "FAIL $name: nft -f refused it: $(head -5 "$TMP/err")"
		fail=$((fail + 1))
		return
	fi
	pass=$((pass + 1))
}

topologies=$("$FWGEN" catalog list | awk '/^[a-z]/ { print $1 }')
[ -n "$topologies" ] || { echo "FAIL: no topologies in the catalog"; exit 1; }
for topo in $topologies; do
	roles=$("$FWGEN" catalog list | awk -v t="$topo" '
		/^[a-z]/ { cur = $1 }
		cur == t && /host roles:/ { sub(/.*host roles: /, ""); gsub(/,/, ""); print }')
	inv="$ROOT/examples/$topo.yaml"
	for role in $roles; do
		check "$topo/$role" --topology "$topo" --role "$role"
		if [ -f "$inv" ]; then
			check "$topo/$role+inventory" -i "$inv" --role "$role"
			sed 's/^egress:.*//' "$inv" >"$TMP/filtered.yaml"
			echo "egress: filtered" >>"$TMP/filtered.yaml"
			check "$topo/$role+inventory+egress" -i "$TMP/filtered.yaml" --role "$role"
		else
			echo "FAIL $topo: no example inventory $inv"
			fail=$((fail + 1))
		fi
	done
	# Every host role at once: the all-in-one host.
	all=()
	for role in $roles; do all+=(--role "$role"); done
	check "$topo/all-roles" --topology "$topo" "${all[@]}"
done

# The host's own ruleset must not have been touched.
if nft list tables 2>/dev/null | grep -q 'inet fwgen'; then
	echo "FAIL: the root namespace has an inet fwgen table"
	fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
