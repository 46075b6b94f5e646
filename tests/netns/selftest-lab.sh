#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Proves the namespace lab harness itself: hosts on the bridge reach each
# other over IPv4 and IPv6, `probe` tells open from closed (and its checker
# can fail), a ruleset loaded in one lab namespace filters exactly what it
# says, and afterwards no namespace is left and the machine's own ruleset is
# as it was. Skips (77) where namespaces cannot be made.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TIMEOUT_MS=${LAB_TIMEOUT_MS:-1000}

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root for network namespaces"
	exit 77
fi
if ! command -v ip >/dev/null || ! ip netns list >/dev/null 2>&1; then
	echo "SKIP: ip netns is not available"
	exit 77
fi
if ! command -v nft >/dev/null; then
	echo "SKIP: nft is not installed"
	exit 77
fi

# shellcheck source=lab.sh
. "$HERE/lab.sh"

PROBE=$(lab_probe_bin) || exit 1
export PROBE

pass=0
fail=0

# Count one check: ok NAME, or bad NAME DETAIL.
ok() {
	echo "PASS $1"
	pass=$((pass + 1))
}
bad() {
	echo "FAIL $1${2:+: $2}"
	fail=$((fail + 1))
}

# Count a check that "$@" exits with status $2: expect_rc NAME RC CMD...
expect_rc() {
	local name=$1 want=$2 rc=0
	shift 2
	"$@" 2>/dev/null || rc=$?
	if [ "$rc" = "$want" ]; then
		ok "$name"
	else
		bad "$name" "exit $rc, want $want"
	fi
}

# Run `probe many` in host $1 on the plan on stdin; add its results to ours.
many() {
	local from=$1 out rc=0 p f line
	out=$(lab_probe "$from" many --timeout-ms "$TIMEOUT_MS" -) || rc=$?
	while IFS= read -r line; do
		echo "  [$from] $line"
	done <<<"$out"
	p=$(echo "$out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
	f=$(echo "$out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
	if [ -z "$p" ] || [ -z "$f" ]; then
		bad "probe many from $from" "no summary line (exit $rc)"
		return 0
	fi
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		bad "probe many from $from" "exit $rc with no failure"
		return 0
	fi
	pass=$((pass + p))
	fail=$((fail + f))
}

# Milliseconds since the epoch.
now_ms() {
	local t=${EPOCHREALTIME/./}
	echo $((t / 1000))
}

# The machine's own ruleset, only read, to prove this run did not touch it.
root_ruleset() {
	nft list ruleset 2>&1 | sha256sum
}

RULESET_BEFORE=$(root_ruleset)
start=$(now_ms)

rc=0
lab_init || rc=$?
if [ $rc = 2 ]; then
	echo "SKIP: cannot create network namespaces"
	exit 77
fi
[ $rc = 0 ] || exit 1
PREFIX=$LAB_PREFIX
echo "lab prefix $PREFIX"

A4=198.18.0.1 A6=2001:db8:0:1::1
B4=198.18.0.2 B6=2001:db8:0:1::2
C4=198.18.0.3 C6=2001:db8:0:1::3
lab_host a $A4/24 $A6/64
lab_host b $B4/24 $B6/64
lab_host c $C4/24 $C6/64
lab_listen a --tcp 22,80,443,2382-2383 --udp 53,2382-2383
t_setup=$(($(now_ms) - start))

# The library refuses addresses outside the documentation ranges.
if lab_host x 10.0.0.1/24 2>/dev/null; then
	bad "lab_host refuses 10.0.0.1/24"
else
	ok "lab_host refuses 10.0.0.1/24"
fi
if lab_host x 198.18.0.9/24 2001:db9::9/64 2>/dev/null; then
	bad "lab_host refuses 2001:db9::9/64"
else
	ok "lab_host refuses 2001:db9::9/64"
fi

# Plain reachability: listened ports open, others closed, both families.
t0=$(now_ms)
for from in b c; do
	many "$from" <<-EOF
	tcp $A4 22 open
	tcp $A4 80 open
	tcp $A4 443 open
	tcp $A4 2382 open
	tcp $A4 2383 open
	tcp $A4 81 closed
	tcp $A4 2384 closed
	udp $A4 53 open
	udp $A4 2382 open
	udp $A4 2383 open
	udp $A4 54 closed
	tcp [$A6] 22 open
	tcp $A6 80 open
	tcp $A6 443 open
	tcp $A6 2383 open
	tcp $A6 81 closed
	udp $A6 53 open
	udp $A6 2382 open
	udp $A6 54 closed
	tcp $B4 22 closed
	tcp $C6 22 closed
	EOF
done
t_reach=$(($(now_ms) - t0))

# Single probes: the exit codes a script relies on.
expect_rc "connect tcp open: exit 0" 0 lab_probe b connect --tcp $A4 22
expect_rc "connect tcp refused: exit 1" 1 lab_probe b connect --tcp $A4 81
expect_rc "connect udp refused: exit 1" 1 lab_probe b connect --udp $A6 54
expect_rc "connect udp --source --sport: exit 0" 0 \
	lab_probe c connect --udp $A6 53 --source $C6 --sport 40053
expect_rc "connect from a foreign --source: exit 3" 3 \
	lab_probe b connect --tcp $A4 22 --source $C4
expect_rc "connect usage error: exit 2" 2 lab_probe b connect --tcp $A4

# The checker can fail: a wrong expectation must give FAIL and exit 1.
rc=0
out=$(printf 'tcp %s 22 closed\ntcp %s 81 open\n' $A4 $A4 |
	lab_probe b many --timeout-ms "$TIMEOUT_MS" -) || rc=$?
if [ $rc = 1 ] && [ "$(echo "$out" | grep -c '^FAIL')" = 2 ] &&
	echo "$out" | grep -qx '0 passed, 2 failed'; then
	ok "probe many reports wrong expectations"
else
	bad "probe many reports wrong expectations" "exit $rc: $out"
fi

# A firewall in host a only: drop tcp/80 from b, and nothing else.
lab_exec a nft -f - <<EOF
table inet labtest {
	chain input {
		type filter hook input priority 0; policy accept;
		ip saddr $B4 tcp dport 80 drop
		ip6 saddr $B6 tcp dport 80 drop
	}
}
EOF
if lab_exec a nft list table inet labtest >/dev/null 2>&1; then
	ok "labtest table loaded in host a"
else
	bad "labtest table loaded in host a"
fi
for h in b c; do
	if lab_exec $h nft list table inet labtest >/dev/null 2>&1; then
		bad "no labtest table in host $h"
	else
		ok "no labtest table in host $h"
	fi
done
if nft list table inet labtest >/dev/null 2>&1; then
	bad "no labtest table in the machine's namespace"
else
	ok "no labtest table in the machine's namespace"
fi

t0=$(now_ms)
many b <<-EOF
tcp $A4 80 closed
tcp $A6 80 closed
tcp $A4 443 open
tcp $A6 443 open
tcp $A4 22 open
udp $A4 53 open
EOF
many c <<-EOF
tcp $A4 80 open
tcp $A6 80 open
tcp $A4 443 open
tcp $A6 443 open
EOF
t_fw=$(($(now_ms) - t0))

# Concurrency: 300 probes into the dropped port take about one timeout.
t0=$(now_ms)
rc=0
out=$(for ((i = 0; i < 150; i++)); do
	echo "tcp $A4 80 closed"
	echo "tcp $A6 80 closed"
done | lab_probe b many --timeout-ms "$TIMEOUT_MS" -) || rc=$?
t_many=$(($(now_ms) - t0))
if [ $rc = 0 ] && echo "$out" | grep -qx '300 passed, 0 failed'; then
	ok "300 filtered probes all closed"
else
	bad "300 filtered probes all closed" "exit $rc: $(echo "$out" | tail -1)"
fi
if ((t_many < TIMEOUT_MS * 4)); then
	ok "300 filtered probes in ${t_many} ms (timeout ${TIMEOUT_MS} ms)"
else
	bad "300 filtered probes in ${t_many} ms (timeout ${TIMEOUT_MS} ms)" "not concurrent"
fi

# Tear down, then prove nothing is left and the machine's ruleset is intact.
t0=$(now_ms)
lab_cleanup
t_cleanup=$(($(now_ms) - t0))
left=$(ip netns list | awk -v p="$PREFIX" 'index($1, p) == 1 { print $1 }')
if [ -z "$left" ]; then
	ok "no namespace of $PREFIX left"
else
	bad "no namespace of $PREFIX left" "${left//$'\n'/ }"
fi
lab_cleanup
ok "lab_cleanup twice"
if [ "$(root_ruleset)" = "$RULESET_BEFORE" ]; then
	ok "the machine's own ruleset is unchanged"
else
	bad "the machine's own ruleset is unchanged"
fi

echo "times: setup ${t_setup} ms, reachability ${t_reach} ms, firewall ${t_fw} ms," \
	"300 probes ${t_many} ms, cleanup ${t_cleanup} ms, total $(($(now_ms) - start)) ms"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
