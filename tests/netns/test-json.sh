#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# For every topology x host role (no inventory, an inventory binding every
# role to prefixes, ranges and hosts of both families, egress filtered, the
# example inventory, all roles at once): `nft -j -f` of `fwgen print --format json` and `nft -f`
# of `fwgen print` give the same `nft list ruleset`, loaded in two network
# namespaces this test creates (never the host's), each already holding a
# table of another tool that must survive. Loading the JSON a second time
# (the table then exists) must not change anything either.
set -u

FWGEN=${FWGEN:-fwgen}
ROOT=${FWGEN_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for network namespaces"; exit 77; }
command -v nft >/dev/null || { echo "SKIP: nft not installed"; exit 77; }

NS_NFT="fwjn$$"
NS_JSON="fwjj$$"
TMP=$(mktemp -d)
cleanup() {
	ip netns del "$NS_NFT" 2>/dev/null
	ip netns del "$NS_JSON" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
if ! ip netns add "$NS_NFT" || ! ip netns add "$NS_JSON"; then
	echo "SKIP: cannot create a network namespace"
	exit 77
fi

# Another tool's table: fwgen's output must leave it exactly as it is.
cat >"$TMP/other.nft" <<'EOF'
table ip other-tool {
	chain input {
		type filter hook input priority 10; policy accept;
		tcp dport 9999 counter accept comment "not fwgen's"
	}
}
EOF

pass=0
fail=0
failed() {
	echo "FAIL $1: $2"
	[ -s "$TMP/err" ] && sed 's/^/    /' "$TMP/err" | head -20
	fail=$((fail + 1))
}

fresh() {	# namespace: empty ruleset plus the other tool's table
	ip netns exec "$1" nft flush ruleset &&
		ip netns exec "$1" nft -f "$TMP/other.nft"
}

check() {	# name, then the print arguments
	local name=$1
	shift
	: >"$TMP/err"
	if ! "$FWGEN" print "$@" >"$TMP/out.nft" 2>"$TMP/err" ||
	   ! "$FWGEN" print --format json "$@" >"$TMP/out.json" 2>"$TMP/err"; then
		failed "$name" "fwgen print failed"
		return
	fi
	if ! fresh "$NS_NFT" 2>"$TMP/err" || ! fresh "$NS_JSON" 2>"$TMP/err"; then
		failed "$name" "could not reset the namespaces"
		return
	fi
	if ! ip netns exec "$NS_NFT" nft -f "$TMP/out.nft" 2>"$TMP/err"; then
		failed "$name" "nft -f refused the nft text"
		return
	fi
	if ! ip netns exec "$NS_JSON" nft -j -f "$TMP/out.json" 2>"$TMP/err"; then
		failed "$name" "nft -j -f refused the JSON"
		return
	fi
	# nft 1.0.6's JSON has no table comments: the one line JSON cannot
	# say, fwgen's ownership marker and what the table was applied for
	# (fwgen(8), STATUS), is left out.
	ip netns exec "$NS_NFT" nft list ruleset |
		grep -v '^	comment "managed by fwgen' >"$TMP/want" 2>"$TMP/err"
	ip netns exec "$NS_JSON" nft list ruleset >"$TMP/got" 2>>"$TMP/err"
	if ! grep -q "not fwgen's" "$TMP/got"; then
		failed "$name" "the other tool's table is gone after nft -j -f"
		return
	fi
	if ! diff -u "$TMP/want" "$TMP/got" >"$TMP/err"; then
		failed "$name" "nft list ruleset differs (- nft text, + JSON)"
		return
	fi
	# The table exists now: the JSON must replace it, not add to it.
	if ! ip netns exec "$NS_JSON" nft -j -f "$TMP/out.json" 2>"$TMP/err"; then
		failed "$name" "nft -j -f refused the JSON a second time"
		return
	fi
	ip netns exec "$NS_JSON" nft list ruleset >"$TMP/got" 2>"$TMP/err"
	if ! diff -u "$TMP/want" "$TMP/got" >"$TMP/err"; then
		failed "$name" "loading the JSON again changed the ruleset"
		return
	fi
	pass=$((pass + 1))
}

# An inventory binding role k of the topology to a prefix, two adjacent
# hosts (a range that is no prefix), an IPv6 prefix and an IPv6 host.
bound_inventory() {	# topology, egress, role...
	local topo=$1 egress=$2 k=0 role
	shift 2
	echo "topology: $topo"
	echo "egress: $egress"
	echo "roles:"
	for role in "$@"; do
		k=$((k + 1))
		echo "  $role: [198.18.$k.0/24, 198.19.0.$((2 * k + 1)), 198.19.0.$((2 * k + 2)), \"2001:db8:$k::/48\", \"2001:db8:ffff::$k\"]"
	done
}

"$FWGEN" catalog list >"$TMP/catalog" 2>"$TMP/err" ||
	{ echo "FAIL: fwgen catalog list: $(cat "$TMP/err")"; exit 1; }
topologies=$(awk '/^[a-z]/ { print $1 }' "$TMP/catalog")
[ -n "$topologies" ] || { echo "FAIL: no topologies in the catalog"; exit 1; }
for topo in $topologies; do
	list() {	# "host roles" or "peer roles" of $topo
		awk -v t="$topo" -v what="$1:" '
			/^[a-z]/ { cur = $1 }
			cur == t && index($0, what) { sub(".*" what " *", ""); gsub(/,/, ""); print }' \
			"$TMP/catalog"
	}
	hosts=$(list "host roles")
	peers=$(list "peer roles")
	# shellcheck disable=SC2086 # word splitting of the role lists is meant
	bound_inventory "$topo" open $hosts $peers >"$TMP/bound.yaml"
	# shellcheck disable=SC2086
	bound_inventory "$topo" filtered $hosts $peers >"$TMP/bound-filtered.yaml"
	for role in $hosts; do
		check "$topo/$role" --topology "$topo" --role "$role"
		check "$topo/$role+bound" -i "$TMP/bound.yaml" --role "$role"
		check "$topo/$role+bound+egress" -i "$TMP/bound-filtered.yaml" --role "$role"
		if [ -f "$ROOT/examples/$topo.yaml" ]; then
			check "$topo/$role+example" -i "$ROOT/examples/$topo.yaml" --role "$role"
		fi
	done
	all=()
	for role in $hosts; do all+=(--role "$role"); done
	check "$topo/all-roles+bound+egress" -i "$TMP/bound-filtered.yaml" "${all[@]}"
	check "$topo/all-roles+bound+egress+audit" -i "$TMP/bound-filtered.yaml" --audit "${all[@]}"
done

# The host's own ruleset must not have been touched.
if nft list tables 2>/dev/null | grep -q 'inet fwgen'; then
	echo "FAIL: the root namespace has an inet fwgen table"
	fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
