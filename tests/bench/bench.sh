#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench.sh: fwgen against nft on large peer sets, inside ONE network
# namespace this script creates and removes (never the machine's own).
# For 1k, 10k and 100k distinct, non-adjacent peer addresses (half IPv4 in
# 198.18.0.0/15, half IPv6 in 2001:db8::/32) it times, median of N runs:
# `fwgen apply` vs `nft -f` of fwgen's own printed script (in turns, into
# an empty namespace and over the table), `fwgen diff` vs
# `nft list table inet fwgen`, `fwgen print` (time and peak RSS), and one
# live `fwgen set add` into the full set (`nft add element`, for scale),
# and `fwgen status --json` with the refused set full (65536 entries).
# Not a test: run it by hand or with `meson test --benchmark` (see
# tests/bench/README.md).
#
#   sudo tests/bench/bench.sh [SIZES...]      default: 1000 10000 100000
#   env: FWGEN (binary), FWGEN_CATALOG_DIR, BENCH_RUNS (default 5)
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
[ ${#SIZES[@]} -gt 0 ] || SIZES=(1000 10000 100000)

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

# cpu KEY CMD...: runs CMD RUNS times under `time`; R[KEY,user] and
# R[KEY,sys] get the median CPU seconds in user space and in the kernel, in
# ms. The kernel's share of an apply is the transaction itself: the same for
# fwgen and nft, which send the same batch.
cpu() {
	local key=$1 i u=() s=()
	shift
	for ((i = 0; i < RUNS; i++)); do
		# bash's time keyword reports the child's CPU to the millisecond.
		{ TIMEFORMAT='%3U %3S'; time "$@" >/dev/null 2>&1; } 2>"$TMP/cpu" || return 1
		read -r a b <"$TMP/cpu"
		u+=("$a") s+=("$b")
	done
	R[$key,user]=$(awk -v v="$(median "${u[@]}")" 'BEGIN { printf "%.0f", v * 1000 }')
	R[$key,sys]=$(awk -v v="$(median "${s[@]}")" 'BEGIN { printf "%.0f", v * 1000 }')
}

# The inventory: server at 198.19.255.254, browser with N addresses, every
# other address so that nothing merges: N/2 IPv4 from 198.18.0.0, N/2 IPv6.
inventory() {
	local n=$1 out=$2
	awk -v n="$n" 'BEGIN {
		print "topology: tachyon-single-server"
		print "roles:"
		print "  server: [198.19.255.254]"
		print "  consumer: [198.19.255.250]"
		print "  client: [198.19.255.251]"
		print "  browser:"
		n4 = int(n / 2); n6 = n - n4
		for (i = 0; i < n4; i++) {
			a = 2 * i
			printf "    - 198.%d.%d.%d\n", 18 + int(a / 65536), int(a / 256) % 256, a % 256
		}
		for (i = 0; i < n6; i++) {
			a = 2 * i
			printf "    - \"2001:db8::%x:%x\"\n", int(a / 65536), a % 65536
		}
	}' >"$out"
}

declare -A R
for n in "${SIZES[@]}"; do
	inv="$TMP/inv-$n.yaml"
	inventory "$n" "$inv"
	ARGS=(-i "$inv" --role server)
	"$FWGEN" print "${ARGS[@]}" >"$TMP/print-$n.nft" || { echo "bench: fwgen print failed"; exit 2; }

	# Replace: the table is there (as on a host being re-provisioned), and
	# the kernel frees the old one before the tool's socket closes. Fresh:
	# the first apply on a host, nothing to free.
	fwgen_apply() { "$FWGEN" apply -q "${ARGS[@]}"; }
	nft_apply() { nft -f "$TMP/print-$n.nft"; }
	versus "$n,fresh" drop_table fwgen_apply nft_apply
	versus "$n,replace" : fwgen_apply nft_apply
	cpu "$n,fa" "$FWGEN" apply -q "${ARGS[@]}"
	cpu "$n,na" nft -f "$TMP/print-$n.nft"
	R[$n,diff]=$(ms "$FWGEN" diff -q "${ARGS[@]}")
	R[$n,list]=$(ms nft list table inet fwgen)
	R[$n,print]=$(ms "$FWGEN" print "${ARGS[@]}")
	"$TIME" -f %M -o "$TMP/rss" "$FWGEN" print "${ARGS[@]}" >/dev/null
	R[$n,rss]=$(awk '{ printf "%.1f", $1 / 1024 }' "$TMP/rss")

	# One live add into the full set, a new address each run (198.19.x: outside
	# the generated ones, and odd, so it merges with nothing).
	v=()
	for ((i = 0; i < RUNS; i++)); do
		t0=$(now_us)
		"$FWGEN" set add -q browser "198.19.200.$((2 * i + 1))" || { echo "bench: set add failed"; exit 2; }
		t1=$(now_us)
		v+=($((t1 - t0)))
	done
	R[$n,add]=$(median_ms "${v[@]}")
	# nft's own live add of one element, for scale: it reads the set first.
	v=()
	for ((i = 0; i < RUNS; i++)); do
		t0=$(now_us)
		nft add element inet fwgen browser_v4 "{ 198.19.201.$((2 * i + 1)) }" ||
			{ echo "bench: nft add element failed"; exit 2; }
		t1=$(now_us)
		v+=($((t1 - t0)))
	done
	R[$n,nftadd]=$(median_ms "${v[@]}")
	# Status with a full refused set: 65536 entries (its size), each with
	# its counter, beside the peer sets, which status does not read.
	awk 'BEGIN {
		printf "add element inet fwgen refused_in_v4 { "
		for (i = 0; i < 65536; i++)
			printf "%s198.%d.%d.%d . tcp . %d", i ? ", " : "",
				18 + int(i / 65536), int(i / 256) % 256, i % 256, 1024 + i % 7
		print " }"
	}' >"$TMP/refused.nft"
	nft -f "$TMP/refused.nft" || { echo "bench: filling the refused set failed"; exit 2; }
	R[$n,refused]=$("$FWGEN" status --json | grep -c '"direction": "in"')
	[ "${R[$n,refused]}" = 65536 ] ||
		{ echo "bench: status saw ${R[$n,refused]} refused entries, not 65536"; exit 2; }
	R[$n,status]=$(ms "$FWGEN" status --json)
	R[$n,listall]=$(ms nft list table inet fwgen)
	# Check the adds really landed, then put the inventory back.
	[ "$("$FWGEN" set list browser | grep -c '^198\.19\.200\.')" = "$RUNS" ] ||
		{ echo "bench: live adds missing from the set"; exit 2; }
	"$FWGEN" diff -q "${ARGS[@]}"
	[ $? = 1 ] || { echo "bench: diff did not see the live adds"; exit 2; }
	nft delete table inet fwgen
done

echo
echo "fwgen benchmark: median of $RUNS runs, wall clock in ms; peak RSS in MiB"
echo "kernel $(uname -r), $(nft --version | head -1), $(nproc) CPUs"
echo
echo "Apply: into a namespace without the table (fresh), and over the table"
echo "(replace); the two tools take turns, ratio is the median of the runs' ratios"
printf '| %-7s | %-17s | %-12s | %-5s | %-19s | %-14s | %-5s |\n' \
	peers "fwgen apply fresh" "nft -f fresh" ratio "fwgen apply replace" \
	"nft -f replace" ratio
printf '|%s|%s|%s|%s|%s|%s|%s|\n' ---------: ------------------: -------------: \
	------: --------------------: ---------------: ------:
for n in "${SIZES[@]}"; do
	printf '| %7s | %17s | %12s | %5s | %19s | %14s | %5s |\n' "$n" \
		"${R[$n,fresh,a]}" "${R[$n,fresh,b]}" "${R[$n,fresh,ratio]}" \
		"${R[$n,replace,a]}" "${R[$n,replace,b]}" "${R[$n,replace,ratio]}"
done
echo
printf '| %-7s | %-10s | %-14s | %-11s | %-14s | %-14s | %-15s |\n' \
	peers "fwgen diff" "nft list table" "fwgen print" \
	"print peak RSS" "fwgen set add" "nft add element"
printf '|%s|%s|%s|%s|%s|%s|%s|\n' ---------: -----------: ---------------: \
	------------: ---------------: ---------------: ----------------:
for n in "${SIZES[@]}"; do
	printf '| %7s | %10s | %14s | %11s | %14s | %14s | %15s |\n' "$n" \
		"${R[$n,diff]}" "${R[$n,list]}" "${R[$n,print]}" "${R[$n,rss]}" \
		"${R[$n,add]}" "${R[$n,nftadd]}"
done

echo
echo "fwgen status --json with the refused set full (65536 entries, each with a"
echo "counter), against nft list table (which also lists the peer sets)"
printf '| %-7s | %-15s | %-19s | %-14s |\n' peers "refused entries" "fwgen status --json" "nft list table"
printf '|%s|%s|%s|%s|\n' ---------: ----------------: --------------------: ---------------:
for n in "${SIZES[@]}"; do
	printf '| %7s | %15s | %19s | %14s |\n' "$n" "${R[$n,refused]}" \
		"${R[$n,status]}" "${R[$n,listall]}"
done

echo
echo "Where apply's time goes: median CPU ms in user space / in the kernel"
printf '| %-7s | %-16s | %-16s |\n' peers "fwgen apply" "nft -f"
printf '|%s|%s|%s|\n' ---------: -----------------: -----------------:
for n in "${SIZES[@]}"; do
	printf '| %7s | %16s | %16s |\n' "$n" \
		"${R[$n,fa,user]} / ${R[$n,fa,sys]}" "${R[$n,na,user]} / ${R[$n,na,sys]}"
done

big=${SIZES[-1]}
verdict() { if awk "BEGIN { exit !($1) }"; then echo PASS; else echo MISS; fi; }
echo
echo "Goals at $big peers:"
printf '  %-52s %s\n' \
	"apply, fresh <= half of nft -f (ratio ${R[$big,fresh,ratio]})" \
	"$(verdict "${R[$big,fresh,ratio]} <= 0.5")" \
	"apply, replace <= half of nft -f (ratio ${R[$big,replace,ratio]})" \
	"$(verdict "${R[$big,replace,ratio]} <= 0.5")" \
	"diff no slower than nft list (${R[$big,diff]} vs ${R[$big,list]} ms)" \
	"$(verdict "${R[$big,diff]} <= ${R[$big,list]}")" \
	"print peak RSS < 64 MiB (${R[$big,rss]} MiB)" \
	"$(verdict "${R[$big,rss]} < 64")" \
	"one live set add < 10 ms (${R[$big,add]} ms)" \
	"$(verdict "${R[$big,add]} < 10")"
