#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fwgen diff against the kernel, inside a network namespace this test creates
# (never the host's): the applied policy diffs clean, and each kind of hand
# change inside fwgen's table gives exactly the expected lines and exit 1,
# while a foreign table does not count. Every nft command runs in the lab.
set -u

FWGEN=${FWGEN:-fwgen}
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for network namespaces"; exit 77; }
command -v nft >/dev/null || { echo "SKIP: nft not installed"; exit 77; }

# The lab library's trap removes the namespace and $LAB_TMP on any exit.
# shellcheck source=tests/netns/lab.sh
. "$(dirname "$0")/lab.sh"
lab_test_init
root_tables=$(nft list tables 2>/dev/null)
lab_host h 198.18.0.10/24 2001:db8:0:1::10/64 || { echo "FAIL: lab_host"; exit 1; }
TMP=$LAB_TMP

in_ns() { lab_exec h "$@"; }

# A catalog topology with a peer set we control; the rest stays "any".
cat >"$TMP/inv.yaml" <<'EOF'
topology: tachyon-single-server
roles:
  server: [198.18.10.10]
  browser: [198.18.1.0/24, 198.18.5.5, "2001:db8:9::/64"]
  admin: [198.18.9.0/28]
EOF
ARGS=(-i "$TMP/inv.yaml" --role server)
"$FWGEN" print "${ARGS[@]}" >"$TMP/policy.nft" ||
	{ echo "FAIL: fwgen print"; exit 1; }

# Puts fwgen's table back as `fwgen print` writes it (replaces it atomically).
reset() {
	in_ns nft -f "$TMP/policy.nft" || { echo "FAIL: nft -f of fwgen print"; exit 1; }
}

# expect NAME STATUS OUTPUT [DIFF OPTIONS...]: fwgen diff exits with STATUS
# and prints exactly OUTPUT.
expect() {
	local name=$1 want_rc=$2 want_out=$3 rc
	shift 3
	in_ns "$FWGEN" diff "${ARGS[@]}" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "$rc" != "$want_rc" ]; then
		not_ok "$name" "exit $rc, want $want_rc" "$(head -5 "$TMP/err" "$TMP/out")"
		return
	fi
	printf '%s' "$want_out" >"$TMP/want"
	[ -z "$want_out" ] || echo >>"$TMP/want"
	if ! cmp -s "$TMP/want" "$TMP/out"; then
		not_ok "$name" "$(diff -u "$TMP/want" "$TMP/out" | tail -n +3 | head -20)"
		return
	fi
	ok "$name"
}

# The rule handle the kernel gave the rule nft lists as TEXT in CHAIN.
handle_of() {
	in_ns nft -a list chain inet fwgen "$1" |
		sed -n 's/^\t\t\(.*\) # handle \([0-9]*\)$/\1\t\2/p' |
		sed 's/ counter packets [0-9]* bytes [0-9]* / counter /' |
		awk -F'\t' -v t="$2" '$1 == t { print $2; exit }'
}

reset
expect "the applied policy diffs clean" 0 ""
expect "--quiet, nothing to say" 0 "" --quiet

h=$(in_ns nft -e -a add rule inet fwgen input tcp dport 2222 accept |
	sed -n 's/.*# handle \([0-9]*\)$/\1/p')
expect "a rule added by hand" 1 "- rule inet fwgen input: tcp dport 2222 accept (handle $h)"
expect "--quiet prints nothing, exit 1" 1 "" --quiet
reset

# The first rule of a service chain, as fwgen print writes it.
rule=$(awk '/^\tchain in_tcp_443 \{/ { c = 1; next }
	c && /^\t\t/ { sub(/^\t\t/, ""); print; exit }' "$TMP/policy.nft")
h=$(handle_of in_tcp_443 "$rule")
if [ -z "$rule" ] || [ -z "$h" ]; then
	not_ok "a rule deleted by hand" "no rule '$rule' in chain in_tcp_443"
else
	in_ns nft delete rule inet fwgen in_tcp_443 handle "$h"
	expect "a rule deleted by hand" 1 "+ rule inet fwgen in_tcp_443: $rule"
fi
reset

in_ns nft add element inet fwgen browser_v4 '{ 198.18.7.7 }'
in_ns nft delete element inet fwgen browser_v4 '{ 198.18.5.5 }'
expect "set elements added and removed by hand" 1 \
"+ element inet fwgen browser_v4 { 198.18.5.5 }
- element inet fwgen browser_v4 { 198.18.7.7 }"
reset

# An inventory grown past half the hash set's size wants a larger set:
# diff says so in one line before the elements.
{
	sed '/^  browser:/d' "$TMP/inv.yaml"
	echo "  browser:"
	awk 'BEGIN { for (i = 0; i < 600; i++) printf "    - 198.18.%d.%d\n", 20 + int(i / 128), 2 * (i % 128) }'
} >"$TMP/grown.yaml"
in_ns "$FWGEN" diff -i "$TMP/grown.yaml" --role server >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ $rc = 1 ] && grep -qx "~ set inet fwgen browser_v4: size 1024, want 2048" "$TMP/out" &&
	[ "$(grep -c '^+ element inet fwgen browser_v4 ' "$TMP/out")" = 600 ]; then
	ok "a hash set sized for fewer hosts: one size line, then the elements"
else
	not_ok "a hash set sized for fewer hosts: one size line, then the elements" \
		"exit $rc" "$(head -3 "$TMP/out")" "$(cat "$TMP/err")"
fi

in_ns nft chain inet fwgen input '{ policy accept; }'
expect "a chain policy changed by hand" 1 "~ chain inet fwgen input: policy accept, want drop (audit mode, want enforce)"
reset

in_ns nft -f - <<'EOF'
table inet foreign {
	set blocked { type ipv4_addr; elements = { 198.18.99.1 } }
	chain input {
		type filter hook input priority -10; policy drop;
		ip saddr @blocked drop
		tcp dport 2222 accept
	}
}
EOF
expect "a foreign table is not fwgen's business" 0 ""

# No table at all: everything `fwgen print` would create, as "+" lines in
# print's order, sets by name as diff lists them. Written here from the
# print script itself.
awk -v T=fwgen '
	/^\tset / { set = $2; type = ""; size = ""; flags = ""; n = 0; next }
	set != "" && /^\t\ttype / { type = $0; sub(/^\t\ttype /, "", type); next }
	set != "" && /^\t\tsize / { size = $2; next }
	set != "" && /^\t\tflags / { flags = $2; sub(/^dynamic,timeout$/, "timeout,dynamic", flags); next }
	set != "" && /^\t\t\t/ { e = $1; sub(/,$/, "", e); el[n++] = e; next }
	set != "" && /^\t}/ {
		printf "S\t%s\t0\t+ set inet %s %s { type %s;%s%s }\n", set, T, set, type,
			size != "" ? " size " size ";" : "", flags != "" ? " flags " flags ";" : ""
		for (i = 0; i < n; i++)
			printf "S\t%s\t%d\t+ element inet %s %s { %s }\n", set, i + 1, T, set, el[i]
		set = ""
		next
	}
	/^\tchain / { chain = $2; head = 1; next }
	chain != "" && head && /^\t\ttype / {
		sub(/^\t\t/, "")
		printf "+ chain inet %s %s { %s }\n", T, chain, $0
		head = 0
		next
	}
	chain != "" && head { printf "+ chain inet %s %s\n", T, chain; head = 0 }
	chain != "" && /^\t}/ { chain = ""; next }
	chain != "" && /^\t\t/ { sub(/^\t\t/, ""); printf "+ rule inet %s %s: %s\n", T, chain, $0 }
' "$TMP/policy.nft" >"$TMP/all.raw"
{
	grep '^S' "$TMP/all.raw" | LC_ALL=C sort -t"$(printf '\t')" -k2,2 -k3,3n | cut -f4-
	grep -v '^S' "$TMP/all.raw"
} >"$TMP/all"
in_ns nft delete table inet fwgen
expect "a missing table is all +" 1 "+ table inet fwgen
$(cat "$TMP/all")"
expect "--quiet with a missing table" 1 "" --quiet
if in_ns nft list table inet foreign >/dev/null 2>&1; then
	ok "diff left the foreign table alone"
else
	not_ok "diff left the foreign table alone" "table inet foreign is gone"
fi

# A 100,000-address peer set: the kernel dumps its elements in many
# messages, and one element added or removed among them must show.
awk 'BEGIN {
	printf "topology: tachyon-single-server\nroles:\n  server: [198.18.10.10]\n"
	printf "  admin: [198.18.9.0/28]\n  browser: ["
	for (i = 0; i < 50000; i++) {
		a = 2 * i + 1
		printf "%s198.%d.%d.%d", i ? ", " : "", 18 + int(a / 65536),
			int(a / 256) % 256, a % 256
	}
	for (i = 0; i < 50000; i++)
		printf ", \"2001:db8::%x:%x\"", int((2 * i + 1) / 65536),
			(2 * i + 1) % 65536
	print "]"
}' >"$TMP/big.yaml"
SMALL=("${ARGS[@]}")
ARGS=(-i "$TMP/big.yaml" --role server)
if "$FWGEN" print "${ARGS[@]}" >"$TMP/big.nft" && in_ns nft -f "$TMP/big.nft"; then
	expect "100,000 addresses diff clean" 0 ""
	in_ns nft delete element inet fwgen browser_v4 '{ 198.19.0.1 }'
	in_ns nft add element inet fwgen browser_v6 '{ 2001:db8::1:0 }'
	expect "one element each way among 100,000" 1 \
"+ element inet fwgen browser_v4 { 198.19.0.1 }
- element inet fwgen browser_v6 { 2001:db8::1:0 }"
else
	not_ok "100,000 addresses diff clean" "fwgen print or nft -f failed"
fi
ARGS=("${SMALL[@]}")
reset

in_ns "$FWGEN" diff --role no-such-role -i "$TMP/inv.yaml" >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ "$rc" = 2 ] && [ ! -s "$TMP/out" ] && grep -q '^fwgen: ' "$TMP/err"; then
	ok "bad input: exit 2, message on stderr"
else
	not_ok "bad input: exit 2, message on stderr" "exit $rc: $(cat "$TMP/err" "$TMP/out")"
fi

# fwgen apply and nft -f of fwgen print give the same kernel state.
if in_ns "$FWGEN" apply "${ARGS[@]}" --force >"$TMP/out" 2>&1; then
	expect "diff after fwgen apply is clean" 0 ""
else
	echo "skip diff after fwgen apply: $(head -1 "$TMP/out")"
fi

# Every topology and host role, bare, with its example inventory and with
# egress filtered: what nft -f makes of print diffs clean. A difference here
# is a false alarm diff would raise on every host of that kind.
ROOT=${FWGEN_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
matrix_fail=()
matrix_n=0
for topo in $("$FWGEN" catalog list | awk '/^[a-z]/ { print $1 }'); do
	roles=$("$FWGEN" catalog list | awk -v t="$topo" '
		/^[a-z]/ { cur = $1 }
		cur == t && /host roles:/ { sub(/.*host roles: /, ""); gsub(/,/, ""); print }')
	inv="$ROOT/examples/$topo.yaml"
	variants=("--topology $topo")
	if [ -f "$inv" ]; then
		sed 's/^egress:.*//' "$inv" >"$TMP/$topo-filtered.yaml"
		echo "egress: filtered" >>"$TMP/$topo-filtered.yaml"
		variants+=("-i $inv" "-i $TMP/$topo-filtered.yaml")
	fi
	for role in $roles; do
		for v in "${variants[@]}"; do
			# shellcheck disable=SC2086 # a variant is several words
			if ! "$FWGEN" print $v --role "$role" >"$TMP/m.nft" ||
			   ! in_ns nft -f "$TMP/m.nft" ||
			   ! in_ns "$FWGEN" diff $v --role "$role" >"$TMP/m.out" 2>&1; then
				matrix_fail+=("$topo/$role ($v): $(head -2 "$TMP/m.out" 2>/dev/null)")
			fi
			matrix_n=$((matrix_n + 1))
		done
	done
done
if [ "$matrix_n" -gt 0 ] && [ ${#matrix_fail[@]} = 0 ]; then
	ok "every topology and role diffs clean after nft -f of print ($matrix_n)"
else
	not_ok "every topology and role diffs clean after nft -f of print" \
		"$matrix_n tried" "${matrix_fail[@]}"
fi

if [ "$(nft list tables 2>/dev/null)" != "$root_tables" ]; then
	not_ok "the host's own ruleset is untouched" "root namespace tables changed"
fi
lab_summary
