#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench.sh: fwgen against its peers on large peer sets, inside ONE network
# namespace this script creates and removes (never the machine's own).
# For 10k, 100k and 250k distinct, non-adjacent peer addresses, host-only,
# prefix-only and mixed, it times, median of N runs, as ratios of tools
# taking turns: `fwgen apply` vs `nft -f` of a hand-written interval-set
# script and vs `ipset restore` + `iptables-restore` of fwgen's own
# ipset/iptables output (the user/kernel CPU split of each), `fwgen diff`
# vs `nft list table`, one live `fwgen set add` vs `nft add element` into
# the hand-written interval set,
# `fwgen print` (time and peak RSS), and `fwgen status --json` with the
# refused set full (65536 entries); then PASS/MISS for the goals at 100k
# host-only peers. Not a test: run it by hand or with
# `meson test --benchmark` (see tests/bench/README.md).
#
#   sudo tests/bench/bench.sh [SIZES...]      default: 10000 100000 250000
#   env: FWGEN (binary), FWGEN_CATALOG_DIR, BENCH_RUNS (default 5),
#        BENCH_SHAPES (default "host prefix mixed")
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
FWGEN=${FWGEN:-$ROOT/build/tools/fwgen}
export FWGEN_CATALOG_DIR=${FWGEN_CATALOG_DIR:-$ROOT/catalog}
RUNS=${BENCH_RUNS:-5}
TIME=/usr/bin/time

if [ "${1:-}" != --inner ]; then
	[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for a network namespace"; exit 77; }
	command -v nft >/dev/null || { echo "SKIP: nft not installed"; exit 77; }
	[ -x "$FWGEN" ] || { echo "bench: no fwgen at $FWGEN (set FWGEN)"; exit 2; }
	[ -x "$TIME" ] || { echo "bench: $TIME missing (package time)"; exit 2; }
	NS="fwbench$$"
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/fwbench.XXXXXX") || exit 2
	cleanup() {
		ip netns del "$NS" 2>/dev/null
		rm -rf -- "$TMP"
	}
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	ip netns add "$NS" || { echo "bench: cannot create a network namespace"; exit 2; }
	ip -n "$NS" link set lo up
	# Everything below runs inside the namespace: timings hold no netns setup.
	FWGEN=$FWGEN RUNS=$RUNS BENCH_TMP=$TMP FWGEN_RUN_DIR=$TMP/run FWGEN_STATE_DIR=$TMP/state \
		ip netns exec "$NS" "$0" --inner "$@"
	exit $?
fi
shift
TMP=$BENCH_TMP
export FWGEN_RUN_DIR
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(10000 100000 250000)

# Sanity: this must be a fresh namespace, not the machine's own.
if ip -o link show | grep -vq ': lo:'; then
	echo "bench: refusing to run: this namespace has interfaces besides lo"
	exit 2
fi

now_us() { echo "${EPOCHREALTIME/./}"; }

# median of the arguments (numbers)
median() {
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END {
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# median_ms US...: the median of times in us, in ms.
median_ms() {
	awk -v us="$(median "$@")" 'BEGIN { printf "%.1f", us / 1000 }'
}

# once CMD...: one timed run, the wall clock in us on stdout.
once() {
	local t0 t1
	t0=$(now_us)
	"$@" >/dev/null 2>"$TMP/err" || { echo "bench: failed: $* ($(head -3 "$TMP/err"))" >&2; return 1; }
	t1=$(now_us)
	echo $((t1 - t0))
}

# ms CMD...: runs CMD once untimed (caches warm), then RUNS times, and
# prints the median wall clock in ms.
ms() {
	local i t v=()
	"$@" >/dev/null 2>"$TMP/err" || { echo "bench: failed: $* ($(head -3 "$TMP/err"))" >&2; echo NaN; return 1; }
	for ((i = 0; i < RUNS; i++)); do
		t=$(once "$@") || { echo NaN; return 1; }
		v+=("$t")
	done
	median_ms "${v[@]}"
}

# Before a fresh apply: no table. nft's exit waits for the kernel to free
# the deleted table, so the timed run starts on a quiet kernel.
drop_table() {
	nft delete table inet fwgen 2>/dev/null
}

# versus KEY PREPARE A B: runs A and B (commands without arguments) once
# each untimed, then RUNS times in turn, A then B, PREPARE (untimed) before
# each. Taking turns puts both through the same moments of a noisy
# machine. R[KEY,a] and R[KEY,b] get the median ms, R[KEY,ratio] the
# median of the RUNS ratios A/B.
versus() {
	local key=$1 prepare=$2 a=$3 b=$4 i ta tb va=() vb=() vr=()
	$prepare; "$a" >/dev/null 2>&1
	$prepare; "$b" >/dev/null 2>&1
	for ((i = 0; i < RUNS; i++)); do
		$prepare; ta=$(once "$a") || exit 2
		$prepare; tb=$(once "$b") || exit 2
		va+=("$ta") vb+=("$tb")
		vr+=("$(awk -v a="$ta" -v b="$tb" 'BEGIN { printf "%.4f", a / b }')")
	done
	R[$key,a]=$(median_ms "${va[@]}")
	R[$key,b]=$(median_ms "${vb[@]}")
	R[$key,ratio]=$(awk -v r="$(median "${vr[@]}")" 'BEGIN { printf "%.2f", r }')
}

# cpu KEY CMD...: runs CMD RUNS times under `time`, PREPARE_CPU (untimed)
# before each; R[KEY,user] and R[KEY,sys] get the median CPU seconds in user
# space and in the kernel, in ms. The kernel's share is the part of a load
# no tool can save for the batch it sends.
cpu() {
	local key=$1 i u=() s=()
	shift
	for ((i = 0; i < RUNS; i++)); do
		$PREPARE_CPU
		# bash's time keyword reports the children's CPU to the millisecond.
		{ TIMEFORMAT='%3U %3S'; time "$@" >/dev/null 2>&1; } 2>"$TMP/cpu" || return 1
		read -r a b <"$TMP/cpu"
		u+=("$a") s+=("$b")
	done
	R[$key,user]=$(awk -v v="$(median "${u[@]}")" 'BEGIN { printf "%.0f", v * 1000 }')
	R[$key,sys]=$(awk -v v="$(median "${s[@]}")" 'BEGIN { printf "%.0f", v * 1000 }')
}

# addresses SHAPE N: the browser role's N addresses, one a line, none
# adjacent to another (so nothing merges): host-only, prefix-only (/31 and
# /126), or mixed (half of each). IPv4 is capped so that everything stays in
# 198.18.0.0/15 below 198.19.200.0 (the live adds' range); the rest is IPv6.
addresses() {
	awk -v shape="$1" -v n="$2" '
	function min(a, b) { return a < b ? a : b }
	function v4(a, base) { a += base
		return sprintf("198.%d.%d.%d", 18 + int(a / 65536), int(a / 256) % 256, a % 256) }
	function v6(a, net) { return sprintf("2001:db8:%x::%x:%x", net, int(a / 65536), a % 65536) }
	BEGIN {
		if (shape == "host") { h = n; p = 0 }
		else if (shape == "prefix") { h = 0; p = n }
		else { h = int(n / 2); p = n - h }
		h4 = min(int(h / 2), p ? 40000 : 50000); h6 = h - h4
		p4 = min(int(p / 2), 8000); p6 = p - p4
		for (i = 0; i < h4; i++) print v4(2 * i, 0)
		for (i = 0; i < p4; i++) print v4(4 * i, 80000) "/31"
		for (i = 0; i < h6; i++) print v6(2 * i, 1)
		for (i = 0; i < p6; i++) print v6(8 * i, 2) "/126"
	}'
}

# inventory ADDRS OUT: server at 198.19.255.254, browser with ADDRS.
inventory() {
	{
		echo "topology: tachyon-single-server"
		echo "roles:"
		echo "  server: [198.19.255.254]"
		echo "  consumer: [198.19.255.250]"
		echo "  client: [198.19.255.251]"
		echo "  browser:"
		sed 's/.*/    - "&"/' "$1"
	} >"$2"
}

# hand_script ADDRS OUT: what a user writes by hand for the same peers: one
# interval set per family and a rule for each, in a table of its own.
hand_script() {
	awk 'BEGIN { print "table inet hand {" }
	{ if (index($0, ":")) v6[n6++] = $0; else v4[n4++] = $0 }
	function set(name, type, v, n,   i) {
		printf "\tset %s {\n\t\ttype %s\n\t\tflags interval\n", name, type
		if (n) {
			printf "\t\telements = { "
			for (i = 0; i < n; i++) printf "%s%s", i ? ", " : "", v[i]
			print " }"
		}
		print "\t}"
	}
	END {
		set("browser_v4", "ipv4_addr", v4, n4)
		set("browser_v6", "ipv6_addr", v6, n6)
		print "\tchain input {"
		print "\t\ttype filter hook input priority filter; policy drop;"
		print "\t\tct state established,related accept"
		print "\t\tiif lo accept"
		print "\t\tip saddr @browser_v4 tcp dport { 80, 443 } accept"
		print "\t\tip6 saddr @browser_v6 tcp dport { 80, 443 } accept"
		print "\t}"
		print "}"
	}' "$1" >"$2"
}

# Before a fresh load: none of the three tools' rulesets. nft's exit waits
# for the kernel to free a deleted table, so the timed run starts on a quiet
# kernel; the same holds for iptables-restore and ipset destroy.
clean() {
	nft delete table inet fwgen 2>/dev/null
	nft delete table inet hand 2>/dev/null
	printf '*filter\nCOMMIT\n' | iptables-restore 2>/dev/null
	printf '*filter\nCOMMIT\n' | ip6tables-restore 2>/dev/null
	ipset destroy 2>/dev/null
}

HAVE_IPSET=1
command -v ipset >/dev/null && command -v iptables-restore >/dev/null &&
	command -v ip6tables-restore >/dev/null || HAVE_IPSET=0
PREPARE_CPU=clean
read -ra SHAPES <<<"${BENCH_SHAPES:-host prefix mixed}"
declare -A R
for shape in "${SHAPES[@]}"; do
for n in "${SIZES[@]}"; do
	k=$shape,$n
	addresses "$shape" "$n" >"$TMP/addrs"
	inv="$TMP/inv.yaml"
	inventory "$TMP/addrs" "$inv"
	hand_script "$TMP/addrs" "$TMP/hand.nft"
	ARGS=(-i "$inv" --role server)
	"$FWGEN" print "${ARGS[@]}" >"$TMP/print.nft" || { echo "bench: fwgen print failed"; exit 2; }
	for f in ipset iptables ip6tables; do
		"$FWGEN" print "${ARGS[@]}" --format $f >"$TMP/print.$f" ||
			{ echo "bench: fwgen print --format $f failed"; exit 2; }
	done

	fwgen_apply() { "$FWGEN" apply -q "${ARGS[@]}"; }
	nft_hand() { nft -f "$TMP/hand.nft"; }
	ipt_restore() {
		ipset restore <"$TMP/print.ipset" &&
			iptables-restore <"$TMP/print.iptables" &&
			ip6tables-restore <"$TMP/print.ip6tables"
	}
	# Fresh loads (the first apply on a host) in turns against each peer.
	versus "$k,nft" clean fwgen_apply nft_hand
	cpu "$k,fa" fwgen_apply
	cpu "$k,na" nft_hand
	if [ $HAVE_IPSET = 1 ]; then
		versus "$k,ipt" clean fwgen_apply ipt_restore
		cpu "$k,ia" ipt_restore
	fi
	clean
	fwgen_apply || { echo "bench: fwgen apply failed"; exit 2; }
	# diff and nft list table in turns too: both read the same table back.
	fwgen_diff() { "$FWGEN" diff -q "${ARGS[@]}"; }
	nft_list() { nft list table inet fwgen; }
	versus "$k,diff" true fwgen_diff nft_list
	R[$k,diff]=${R[$k,diff,a]} R[$k,list]=${R[$k,diff,b]} R[$k,diffr]=${R[$k,diff,ratio]}
	R[$k,print]=$(ms "$FWGEN" print "${ARGS[@]}")
	"$TIME" -f %M -o "$TMP/rss" "$FWGEN" print "${ARGS[@]}" >/dev/null
	R[$k,rss]=$(awk '{ printf "%.1f", $1 / 1024 }' "$TMP/rss")

	# One live add into the full set, a new address each run (198.19.200.x,
	# odd: outside the generated ones, merging with nothing), in turns with
	# nft's own add of one element (198.19.201.x) into the same addresses
	# as a user keeps them without fwgen: the hand-written interval set of
	# table hand, which nft reads whole before it adds (to merge and to
	# check overlaps).
	nft -f "$TMP/hand.nft" || { echo "bench: nft -f of the hand-written script failed"; exit 2; }
	va=() vb=() vr=()
	for ((i = 0; i < RUNS; i++)); do
		ta=$(once "$FWGEN" set add -q browser "198.19.200.$((2 * i + 1))") ||
			{ echo "bench: set add failed"; exit 2; }
		tb=$(once nft add element inet hand browser_v4 "{ 198.19.201.$((2 * i + 1)) }") ||
			{ echo "bench: nft add element failed"; exit 2; }
		va+=("$ta") vb+=("$tb")
		vr+=("$(awk -v a="$ta" -v b="$tb" 'BEGIN { printf "%.4f", a / b }')")
	done
	R[$k,add]=$(median_ms "${va[@]}")
	R[$k,nftadd]=$(median_ms "${vb[@]}")
	R[$k,addr]=$(awk -v r="$(median "${vr[@]}")" 'BEGIN { printf "%.3f", r }')
	[ "$("$FWGEN" set list browser | grep -c '^198\.19\.200\.')" = "$RUNS" ] ||
		{ echo "bench: live adds missing from the set"; exit 2; }
	"$FWGEN" diff -q "${ARGS[@]}"
	[ $? = 1 ] || { echo "bench: diff did not see the live adds"; exit 2; }

	# Status with a full refused set: 65536 entries (its size), each with
	# its counter, beside the peer sets, which status does not read; only
	# for host-only peers (status does not depend on the peers' shape).
	if [ "$shape" = host ]; then
		awk 'BEGIN {
			printf "add element inet fwgen refused_in_v4 { "
			for (i = 0; i < 65536; i++)
				printf "%s198.%d.%d.%d . tcp . %d", i ? ", " : "",
					18 + int(i / 65536), int(i / 256) % 256, i % 256, 1024 + i % 7
			print " }"
		}' >"$TMP/refused.nft"
		nft -f "$TMP/refused.nft" || { echo "bench: filling the refused set failed"; exit 2; }
		R[$k,refused]=$("$FWGEN" status --json | grep -c '"direction": "in"')
		[ "${R[$k,refused]}" = 65536 ] ||
			{ echo "bench: status saw ${R[$k,refused]} refused entries, not 65536"; exit 2; }
		R[$k,status]=$(ms "$FWGEN" status --json)
		R[$k,listall]=$(ms nft list table inet fwgen)
	fi
	clean
done
done

echo
echo "fwgen benchmark: median of $RUNS runs, wall clock in ms; peak RSS in MiB;"
echo "ratio: the median of the runs' ratios (the two tools take turns)"
echo "kernel $(uname -r), $(nft --version | head -1), $(nproc) CPUs"
echo
echo "Apply into a namespace without the rulesets: fwgen apply against nft -f of"
echo "a hand-written interval-set script, and against ipset restore +"
echo "iptables-restore + ip6tables-restore of fwgen print --format ipset/iptables"
printf '| %-6s | %-7s | %-11s | %-12s | %-5s | %-11s | %-13s | %-5s |\n' \
	peers shape "fwgen apply" "nft -f hand" ratio "fwgen apply" "ipset+ipt" ratio
printf '|%s|%s|%s|%s|%s|%s|%s|%s|\n' -------: --------- ------------: -------------: \
	------: ------------: --------------: ------:
for shape in "${SHAPES[@]}"; do for n in "${SIZES[@]}"; do
	k=$shape,$n
	printf '| %6s | %-7s | %11s | %12s | %5s | %11s | %13s | %5s |\n' "$n" "$shape" \
		"${R[$k,nft,a]}" "${R[$k,nft,b]}" "${R[$k,nft,ratio]}" \
		"${R[$k,ipt,a]:--}" "${R[$k,ipt,b]:--}" "${R[$k,ipt,ratio]:--}"
done; done
echo
echo "Where the time goes: median CPU ms in user space / in the kernel (sys)"
printf '| %-6s | %-7s | %-13s | %-13s | %-13s |\n' peers shape "fwgen apply" "nft -f hand" "ipset+ipt"
printf '|%s|%s|%s|%s|%s|\n' -------: --------- --------------: --------------: --------------:
for shape in "${SHAPES[@]}"; do for n in "${SIZES[@]}"; do
	k=$shape,$n
	printf '| %6s | %-7s | %13s | %13s | %13s |\n' "$n" "$shape" \
		"${R[$k,fa,user]} / ${R[$k,fa,sys]}" "${R[$k,na,user]} / ${R[$k,na,sys]}" \
		"${R[$k,ia,user]:--} / ${R[$k,ia,sys]:--}"
done; done
echo
printf '| %-6s | %-7s | %-10s | %-14s | %-5s | %-11s | %-8s | %-13s | %-15s | %-6s |\n' \
	peers shape "fwgen diff" "nft list table" ratio "fwgen print" "peak RSS" \
	"fwgen set add" "nft add element" ratio
printf '|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n' -------: --------- -----------: ---------------: \
	------: ------------: ---------: --------------: ----------------: -------:
for shape in "${SHAPES[@]}"; do for n in "${SIZES[@]}"; do
	k=$shape,$n
	printf '| %6s | %-7s | %10s | %14s | %5s | %11s | %8s | %13s | %15s | %6s |\n' \
		"$n" "$shape" "${R[$k,diff]}" "${R[$k,list]}" "${R[$k,diffr]}" \
		"${R[$k,print]}" "${R[$k,rss]}" "${R[$k,add]}" "${R[$k,nftadd]}" "${R[$k,addr]}"
done; done
if [ -n "${R[host,${SIZES[0]},status]:-}" ]; then
	echo
	echo "fwgen status --json with the refused set full (65536 entries, each with a"
	echo "counter), against nft list table (which also lists the peer sets); host-only"
	printf '| %-6s | %-19s | %-14s |\n' peers "fwgen status --json" "nft list table"
	printf '|%s|%s|%s|\n' -------: --------------------: ---------------:
	for n in "${SIZES[@]}"; do
		printf '| %6s | %19s | %14s |\n' "$n" "${R[host,$n,status]}" "${R[host,$n,listall]}"
	done
fi

# The goals, as ratios (absolute times are not stable on a shared machine),
# at 100k host-only peers, or the size nearest above it that was run.
goal=
for n in "${SIZES[@]}"; do
	[ "$n" -ge 100000 ] && { goal=$n; break; }
done
[ -n "$goal" ] || goal=${SIZES[-1]}
k=host,$goal
verdict() { if awk "BEGIN { exit !($1) }"; then echo PASS; else echo MISS; fi; }
if [ -n "${R[$k,nft,ratio]:-}" ]; then
	echo
	echo "Goals at $goal host-only peers:"
	printf '  %-62s %s\n' \
		"apply <= 0.3x nft -f of the interval-set script (${R[$k,nft,ratio]}x)" \
		"$(verdict "${R[$k,nft,ratio]} <= 0.3")"
	if [ -n "${R[$k,ipt,ratio]:-}" ]; then
		printf '  %-62s %s\n' \
			"apply <= 0.7x ipset + iptables-restore (${R[$k,ipt,ratio]}x)" \
			"$(verdict "${R[$k,ipt,ratio]} <= 0.7")"
	else
		printf '  %-62s %s\n' "apply <= 0.7x ipset + iptables-restore" "SKIP (no ipset)"
	fi
	printf '  %-62s %s\n' \
		"diff <= 0.5x nft list table (${R[$k,diffr]}x)" \
		"$(verdict "${R[$k,diffr]} <= 0.5")" \
		"one live set add <= 0.05x nft add element (${R[$k,addr]}x)" \
		"$(verdict "${R[$k,addr]} <= 0.05")" \
		"print peak RSS < 64 MiB (${R[$k,rss]} MiB)" \
		"$(verdict "${R[$k,rss]} < 64")"
fi
