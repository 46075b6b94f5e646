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

# shellcheck source=lab.sh
. "$ROOT/tests/netns/lab.sh"
lab_test_init
TMP=$LAB_TMP
# Each case needs two namespaces to itself: JOBS pairs, cases spread over them.
JOBS=${LAB_JOBS:-$(($(nproc 2>/dev/null || echo 1) + 1))}
for ((k = 0; k < JOBS; k++)); do
	lab_ns_new "n$k" && lab_ns_new "j$k" || { echo "FAIL: lab_ns_new"; exit 1; }
done

# Another tool's table: fwgen's output must leave it exactly as it is.
cat >"$TMP/other.nft" <<'EOF'
table ip other-tool {
	chain input {
		type filter hook input priority 10; policy accept;
		tcp dport 9999 counter accept comment "not fwgen's"
	}
}
EOF

# The cases, one a line: NAME<TAB>print arguments (words, no spaces inside).
: >"$TMP/cases"
case_add() {	# name, then the print arguments
	local name=$1
	shift
	printf '%s\t%s\n' "$name" "$*" >>"$TMP/cases"
}

# Runs case NAME with print arguments ARGS... in namespace pair k: prints
# "ok NAME" or "FAIL NAME: why" with the details, for lab_tally.
json_case() {	# k, name, then the print arguments
	local k=$1 name=$2 d="$TMP/s$1" nsn ns_json
	shift 2
	nsn=$(lab_ns "n$k") ns_json=$(lab_ns "j$k")
	failed() {
		not_ok "$name: $1" "$(head -20 "$d/err")"
	}
	: >"$d/err"
	if ! "$FWGEN" print "$@" >"$d/out.nft" 2>"$d/err" ||
	   ! "$FWGEN" print --format json "$@" >"$d/out.json" 2>"$d/err"; then
		failed "fwgen print failed"
		return
	fi
	if ! fresh "$nsn" 2>"$d/err" || ! fresh "$ns_json" 2>"$d/err"; then
		failed "could not reset the namespaces"
		return
	fi
	if ! ip netns exec "$nsn" nft -f "$d/out.nft" 2>"$d/err"; then
		failed "nft -f refused the nft text"
		return
	fi
	if ! ip netns exec "$ns_json" nft -j -f "$d/out.json" 2>"$d/err"; then
		failed "nft -j -f refused the JSON"
		return
	fi
	# nft 1.0.6's JSON has no table comments: the one line JSON cannot
	# say, fwgen's ownership marker and what the table was applied for
	# (fwgen(8), STATUS), is left out.
	ip netns exec "$nsn" nft list ruleset |
		grep -v '^	comment "managed by fwgen' >"$d/want" 2>"$d/err"
	ip netns exec "$ns_json" nft list ruleset >"$d/got" 2>>"$d/err"
	if ! grep -q "not fwgen's" "$d/got"; then
		failed "the other tool's table is gone after nft -j -f"
		return
	fi
	if ! diff -u "$d/want" "$d/got" >"$d/err"; then
		failed "nft list ruleset differs (- nft text, + JSON)"
		return
	fi
	# The table exists now: the JSON must replace it, not add to it.
	if ! ip netns exec "$ns_json" nft -j -f "$d/out.json" 2>"$d/err"; then
		failed "nft -j -f refused the JSON a second time"
		return
	fi
	ip netns exec "$ns_json" nft list ruleset >"$d/got" 2>"$d/err"
	if ! diff -u "$d/want" "$d/got" >"$d/err"; then
		failed "loading the JSON again changed the ruleset"
		return
	fi
	ok "$name"
}

fresh() {	# namespace: empty ruleset plus the other tool's table
	ip netns exec "$1" nft flush ruleset &&
		ip netns exec "$1" nft -f "$TMP/other.nft"
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
	bound_inventory "$topo" open $hosts $peers >"$TMP/bound-$topo.yaml"
	# shellcheck disable=SC2086
	bound_inventory "$topo" filtered $hosts $peers >"$TMP/bound-filtered-$topo.yaml"
	for role in $hosts; do
		case_add "$topo/$role" --topology "$topo" --role "$role"
		case_add "$topo/$role+bound" -i "$TMP/bound-$topo.yaml" --role "$role"
		case_add "$topo/$role+bound+egress" -i "$TMP/bound-filtered-$topo.yaml" --role "$role"
		if [ -f "$ROOT/examples/$topo.yaml" ]; then
			case_add "$topo/$role+example" -i "$ROOT/examples/$topo.yaml" --role "$role"
		fi
	done
	all=()
	for role in $hosts; do all+=(--role "$role"); done
	case_add "$topo/all-roles+bound+egress" -i "$TMP/bound-filtered-$topo.yaml" "${all[@]}"
	case_add "$topo/all-roles+bound+egress+audit" -i "$TMP/bound-filtered-$topo.yaml" --audit "${all[@]}"
done

# Every case, JOBS at once: worker k takes cases k, k + JOBS, ...
for ((k = 0; k < JOBS; k++)); do
	mkdir -p "$TMP/s$k"
	(
		i=0
		while IFS=$'\t' read -r name args; do
			if [ $((i % JOBS)) = "$k" ]; then
				# shellcheck disable=SC2086 # the arguments are words
				json_case "$k" "$name" $args
			fi
			i=$((i + 1))
		done <"$TMP/cases"
	) >"$TMP/s$k.out" 2>&1 &
done
wait
lab_tally "$TMP"/s*.out
[ $((LAB_PASS + LAB_FAIL)) = "$(wc -l <"$TMP/cases")" ] ||
	not_ok "only $((LAB_PASS + LAB_FAIL)) of $(wc -l <"$TMP/cases") cases ran"

# The host's own ruleset must not have been touched.
if nft list tables 2>/dev/null | grep -q 'inet fwgen'; then
	not_ok "the root namespace has an inet fwgen table"
fi
lab_summary
