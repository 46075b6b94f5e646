#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fwgen set add|del|list against the kernel, inside network namespaces this
# test creates (never the host's): a live add lets a real TCP connection in,
# a live del shuts it out again, the sets merge and split as apply writes
# them, no rule is touched, diff sees the drift and apply removes it, and
# bad input changes nothing. Every fwgen and nft command runs in the lab.
set -u

FWGEN=${FWGEN:-fwgen}
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for network namespaces"; exit 77; }
command -v nft >/dev/null || { echo "SKIP: nft not installed"; exit 77; }

# The lab library's trap removes the namespaces and $LAB_TMP on any exit.
# shellcheck source=tests/netns/lab.sh
. "$(dirname "$0")/lab.sh"
lab_test_init
lab_probe_bin >/dev/null || { echo "FAIL: no probe binary (set PROBE)"; exit 1; }
TMP=$LAB_TMP
export FWGEN_RUN_DIR="$TMP/run"
# The last confirmed inventory (apply --boot), not /var/lib/fwgen.
export FWGEN_STATE_DIR="$TMP/state"

# h holds the firewall; c is a managed machine the inventory does not list yet.
lab_host h 198.18.0.10/24 2001:db8:0:1::10/64 &&
	lab_host c 198.18.0.20/24 2001:db8:0:1::20/64 &&
	lab_host d 198.18.0.21/24 2001:db8:0:1::21/64 ||
	{ echo "FAIL: lab_host"; exit 1; }
lab_listen h --tcp 443 || { echo "FAIL: lab_listen"; exit 1; }

# Port 443 of the server is for browsers only: the other peers of that port
# are bound elsewhere, so c gets in exactly when it is in browser's sets.
cat >"$TMP/inv.yaml" <<'YAML'
topology: tachyon-single-server
roles:
  server: [198.18.0.10]
  browser: [198.18.1.0/24, "2001:db8:9::/64"]
  consumer: [198.18.8.8]
  client: [198.18.8.9]
  admin: [198.18.9.0/28]
YAML
ARGS=(-i "$TMP/inv.yaml" --role server)

fw() { lab_exec h "$FWGEN" "$@"; }

# connects FROM ADDRESS: 0 when c/d reaches h's port 443, 1 when not.
connects() {
	lab_probe "$1" connect --tcp "$2" 443 --timeout-ms 700 >/dev/null 2>&1
}

# expect_list NAME LINES...: `fwgen set list browser` prints exactly LINES.
expect_list() {
	local name=$1 rc
	shift
	: >"$TMP/want"
	[ $# = 0 ] || printf '%s\n' "$@" >"$TMP/want"
	fw set list browser >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ $rc != 0 ]; then
		not_ok "$name" "set list exit $rc" "$(cat "$TMP/err")"
	elif ! cmp -s "$TMP/want" "$TMP/out"; then
		not_ok "$name" "$(diff -u "$TMP/want" "$TMP/out" | tail -n +3)"
	else
		ok "$name"
	fi
}

# The table without its sets, with rule handles: equal means no rule or
# chain was deleted, added or replaced.
rules() {	# what counters counted is traffic, not a change to the rules
	lab_exec h nft -a list table inet fwgen | sed '/^\tset /,/^\t}/d' |
		sed 's/ counter packets [0-9]* bytes [0-9]* / counter /'
}

fw apply -q "${ARGS[@]}" || { echo "FAIL: fwgen apply"; exit 1; }
rules >"$TMP/rules.before"

if connects c 198.18.0.10; then
	not_ok "before: c (198.18.0.20) is refused on tcp/443" "it connected"
else
	ok "before: c (198.18.0.20) is refused on tcp/443"
fi
expect_list "set list shows the applied elements" 198.18.1.0/24 2001:db8:9::/64

# The live add: the output names exactly the element added.
out=$(fw set add browser 198.18.0.20 2>&1)
if [ $? = 0 ] && [ "$out" = "+ element inet fwgen browser_v4 { 198.18.0.20 }" ]; then
	ok "set add prints the element added"
else
	not_ok "set add prints the element added" "$out"
fi
if connects c 198.18.0.10; then
	ok "after set add: c connects to tcp/443"
else
	not_ok "after set add: c connects to tcp/443"
fi
if connects d 198.18.0.10; then
	not_ok "after set add: d (198.18.0.21, not added) is still refused"
else
	ok "after set add: d (198.18.0.21, not added) is still refused"
fi
expect_list "set list after add" 198.18.0.20 198.18.1.0/24 2001:db8:9::/64

# IPv6 goes into browser_v6 in the same call.
fw set add -q browser 2001:db8:0:1::20 || not_ok "set add of an IPv6 address"
if lab_probe c connect --tcp 2001:db8:0:1::10 443 --timeout-ms 700 >/dev/null 2>&1; then
	ok "after set add: c connects over IPv6"
else
	not_ok "after set add: c connects over IPv6"
fi

# Adjacent addresses merge into one range, as apply writes them.
fw set add -q browser 198.18.0.21 || not_ok "set add of an adjacent address"
expect_list "adjacent addresses merge" 198.18.0.20/31 198.18.1.0/24 \
	2001:db8:0:1::20 2001:db8:9::/64
if connects d 198.18.0.10; then
	ok "d connects once merged in"
else
	not_ok "d connects once merged in"
fi

# Deleting inside a prefix splits it.
out=$(fw set del browser 198.18.1.5 2>&1)
want="- element inet fwgen browser_v4_net { 198.18.1.0/24 }
+ element inet fwgen browser_v4_net { 198.18.1.0-198.18.1.4 }
+ element inet fwgen browser_v4_net { 198.18.1.6-198.18.1.255 }"
if [ "$out" = "$want" ]; then
	ok "set del inside a prefix prints the split"
else
	not_ok "set del inside a prefix prints the split" "$out"
fi
expect_list "deleting inside a prefix splits it" 198.18.0.20/31 \
	198.18.1.0-198.18.1.4 198.18.1.6-198.18.1.255 2001:db8:0:1::20 2001:db8:9::/64

# The live del: c is refused again, d (still in the set) is not.
fw set del -q browser 198.18.0.20 2001:db8:0:1::20 || not_ok "set del exit status"
if connects c 198.18.0.10; then
	not_ok "after set del: c is refused again" "it connected"
else
	ok "after set del: c is refused again"
fi
if connects d 198.18.0.10; then
	ok "after set del: d still connects"
else
	not_ok "after set del: d still connects"
fi
expect_list "set list after del" 198.18.0.21 198.18.1.0-198.18.1.4 \
	198.18.1.6-198.18.1.255 2001:db8:9::/64
# The del cut 198.18.0.21 out of a /31 of the _net part: a single host now,
# it lives in the hash part, as apply would put it.
if lab_exec h nft list set inet fwgen browser_v4 | grep -q '198\.18\.0\.21' &&
	! lab_exec h nft list set inet fwgen browser_v4_net | grep -q '198\.18\.0\.2'; then
	ok "del across forms: the host left of a /31 moves to the hash part"
else
	not_ok "del across forms: the host left of a /31 moves to the hash part" \
		"$(lab_exec h nft list set inet fwgen browser_v4)" \
		"$(lab_exec h nft list set inet fwgen browser_v4_net)"
fi

# Bad input: exit 2, a message naming the address, nothing changed.
fw set list browser >"$TMP/list.before"
bad() {
	local name=$1 want_msg=$2 rc
	shift 2
	fw set "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	fw set list browser >"$TMP/list.after"
	if [ $rc != 2 ]; then
		not_ok "$name" "exit $rc, want 2" "$(cat "$TMP/err")"
	elif ! grep -qF -- "$want_msg" "$TMP/err"; then
		not_ok "$name" "no '$want_msg' in: $(cat "$TMP/err")"
	elif ! cmp -s "$TMP/list.before" "$TMP/list.after"; then
		not_ok "$name" "the set changed: $(diff "$TMP/list.before" "$TMP/list.after")"
	else
		ok "$name"
	fi
}
bad "host bits set: exit 2, nothing changed" "'198.18.0.30/24': host bits set" \
	add browser 198.18.0.30 198.18.0.30/24
bad "not an address: exit 2, nothing changed" "'bogus': not an IPv4 or IPv6 address" \
	add browser 198.18.0.30 bogus
bad "deleting an address not in the set: exit 2, nothing deleted" \
	"'198.18.7.7' is not in set browser_v4" del browser 198.18.0.21 198.18.7.7
bad "a role bound to nothing has no set" "role 'user' has no set" add user 198.18.0.30
bad "a role without addresses in the inventory has no set" "role 'bi-tools' has no set" \
	add bi-tools 198.18.0.30
bad "another table name: no such table, run apply first" "run \`fwgen apply\` first" \
	add browser 198.18.0.30 --table nosuch
bad "no address given" "give at least one address" add browser

# The lock of apply: while another fwgen holds it, set add waits, then gives up.
# The lock is per network namespace: the one of the host h.
nsdir="$FWGEN_RUN_DIR/$(lab_exec h stat -L -c 'net-%d-%i' /proc/self/ns/net)"
mkdir -p -m 0700 "$FWGEN_RUN_DIR" "$nsdir"
flock "$nsdir/lock" sleep 5 &
lockpid=$!
sleep 0.3
FWGEN_LOCK_TIMEOUT=1 lab_exec h "$FWGEN" set add browser 198.18.0.30 >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ $rc = 2 ] && grep -q "another fwgen" "$TMP/err"; then
	ok "set add waits for the lock apply holds, and gives up cleanly"
else
	not_ok "set add waits for the lock apply holds, and gives up cleanly" "exit $rc" "$(cat "$TMP/err")"
fi
kill "$lockpid" 2>/dev/null
wait "$lockpid" 2>/dev/null

# No rule or chain was touched by any of it.
rules >"$TMP/rules.after"
if cmp -s "$TMP/rules.before" "$TMP/rules.after"; then
	ok "rules and chains untouched (same handles)"
else
	not_ok "rules and chains untouched (same handles)" \
		"$(diff -u "$TMP/rules.before" "$TMP/rules.after" | head -20)"
fi

# diff reports the drift; apply puts the inventory's sets back.
fw set add -q browser 198.18.0.20
lab_exec h "$FWGEN" diff "${ARGS[@]}" >"$TMP/out" 2>"$TMP/err"
rc=$?
cat >"$TMP/want" <<'EOF2'
- element inet fwgen browser_v4_net { 198.18.0.20/31 }
- element inet fwgen browser_v4_net { 198.18.1.0-198.18.1.4 }
+ element inet fwgen browser_v4_net { 198.18.1.0/24 }
- element inet fwgen browser_v4_net { 198.18.1.6-198.18.1.255 }
EOF2
if [ $rc = 1 ] && cmp -s "$TMP/want" "$TMP/out"; then
	ok "diff reports the live changes as drift (exit 1)"
else
	not_ok "diff reports the live changes as drift (exit 1)" "exit $rc" \
		"$(diff -u "$TMP/want" "$TMP/out" | tail -n +3)" "$(cat "$TMP/err")"
fi
fw apply -q "${ARGS[@]}" || not_ok "apply after live changes"
if fw diff -q "${ARGS[@]}"; then
	ok "apply removes the drift: diff clean"
else
	not_ok "apply removes the drift: diff clean"
fi
if connects c 198.18.0.10; then
	not_ok "after apply: c is refused again" "it connected"
else
	ok "after apply: c is refused again"
fi

# The inventory updated to match a live add: diff clean with no apply.
fw set add -q browser 198.18.0.20
sed 's|browser: \[|browser: [198.18.0.20, |' "$TMP/inv.yaml" >"$TMP/inv2.yaml"
if fw diff -q -i "$TMP/inv2.yaml" --role server; then
	ok "a live add equals an apply of the updated inventory"
else
	not_ok "a live add equals an apply of the updated inventory" \
		"$(fw diff -i "$TMP/inv2.yaml" --role server)"
fi

# Emptying a set, then filling it again, as nft would.
fw set del -q browser 198.18.0.20 198.18.1.0/24 2001:db8:9::/64
expect_list "a set emptied live lists nothing"
fw set add -q browser 198.18.0.20
expect_list "an emptied set filled again" 198.18.0.20
if connects c 198.18.0.10; then
	ok "c connects after the set was emptied and refilled"
else
	not_ok "c connects after the set was emptied and refilled"
fi

# A host-only role (consumer: one host) takes a prefix live: the prefix
# goes to the _net part and takes the host it covers with it.
out=$(fw set add consumer 198.18.8.0/24 2>&1)
want="- element inet fwgen consumer_v4 { 198.18.8.8 }
+ element inet fwgen consumer_v4_net { 198.18.8.0/24 }"
if [ "$out" = "$want" ]; then
	ok "a prefix into a host-only role moves the host it covers"
else
	not_ok "a prefix into a host-only role moves the host it covers" "$out"
fi
sed 's|consumer: \[198.18.8.8\]|consumer: [198.18.8.8, 198.18.8.0/24]|' "$TMP/inv.yaml" >"$TMP/inv3.yaml"
fw set add -q browser 198.18.0.20
sed 's|browser: \[.*\]|browser: [198.18.0.20]|' "$TMP/inv3.yaml" >"$TMP/inv4.yaml"
if fw diff -q -i "$TMP/inv4.yaml" --role server; then
	ok "after the move, diff against the inventory with the prefix is clean"
else
	not_ok "after the move, diff against the inventory with the prefix is clean" \
		"$(fw diff -i "$TMP/inv4.yaml" --role server)"
fi
out=$(fw set del consumer 198.18.8.0/24 2>&1)
if [ "$out" = "- element inet fwgen consumer_v4_net { 198.18.8.0/24 }" ] &&
	[ -z "$(fw set list consumer)" ]; then
	ok "the prefix deleted live: the role is empty"
else
	not_ok "the prefix deleted live: the role is empty" "$out" "$(fw set list consumer)"
fi

# The hash part's size (1024 for a small role) bounds live adds: 1024
# hosts fit, the next is refused with nothing changed.
awk 'BEGIN { for (i = 0; i < 1024; i++) print "198.18." 16 + int(i / 128) "." 2 * (i % 128) }' \
	>"$TMP/many"
mapfile -t many <"$TMP/many"
if fw set add -q consumer "${many[@]}" && [ "$(fw set list consumer | wc -l)" = 1024 ]; then
	ok "1024 hosts fill the hash part to its size"
else
	not_ok "1024 hosts fill the hash part to its size" "$(fw set list consumer | wc -l)"
fi
fw set list consumer >"$TMP/full.before"
fw set add consumer 198.18.30.1 >"$TMP/out" 2>"$TMP/err"
rc=$?
fw set list consumer >"$TMP/full.after"
if [ $rc = 2 ] && grep -q "consumer_v4 of table inet fwgen is full (size 1024)" "$TMP/err" &&
	cmp -s "$TMP/full.before" "$TMP/full.after"; then
	ok "past the hash part's size: refused, exit 2, nothing changed"
else
	not_ok "past the hash part's size: refused, exit 2, nothing changed" "exit $rc" \
		"$(cat "$TMP/err")" "$(diff "$TMP/full.before" "$TMP/full.after" | head -3)"
fi

lab_summary
