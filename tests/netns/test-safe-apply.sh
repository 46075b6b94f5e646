#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Safe apply (issue 13), only inside network namespaces this test creates:
# a commit-confirmed apply proves the previous table restorable before it
# commits (dynamic sets, ingress devices), refuses what it cannot put back;
# lost acknowledgements (the nlfault shim) are settled by reading back;
# the rollback watchdog is detached (survives SIGKILL of the applying
# process group), `fwgen confirm [--status]`; the runtime directory is per
# namespace and trusts no symlink, FIFO or foreign owner.
set -u

FWGEN=${FWGEN:-fwgen}
NLFAULT=${NLFAULT:-}
ROOT=${FWGEN_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for network namespaces"; exit 77; }
command -v nft >/dev/null || { echo "SKIP: nft not installed"; exit 77; }

# shellcheck source=lab.sh
. "$ROOT/tests/netns/lab.sh"
lab_test_init	# its trap also ends watchdogs a failed test left in our namespaces
P=$LAB_PREFIX
TMP=$LAB_TMP

export FWGEN_RUN_DIR="$TMP/run"
# The nlfault shim is preloaded ahead of the sanitizer runtime in the ASan
# build: let it.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
# The last confirmed inventory (apply --boot), not /var/lib/fwgen.
export FWGEN_STATE_DIR="$TMP/state"
root_tables=$(nft list tables 2>/dev/null)

in_ns() {	# NAME CMD...
	local ns=$1

	shift
	ip netns exec "$P$ns" "$@"
}
ruleset() { in_ns "$1" nft list ruleset; }

lab_ns_new A && lab_ns_new B || { echo "FAIL: lab_ns_new"; exit 1; }

MORPH="$ROOT/examples/morpheus-distributed.yaml"
A1=(-i "$MORPH" --role app-tier)
A2=(-i "$MORPH" --role messaging-tier)

# --- previous tables a rollback must put back ------------------------------

# What the issue found failing open: a set updated from the packet path.
cat >"$TMP/dynset.nft" <<'EOT'
table inet fwgen {
	comment "managed by fwgen"
	set s {
		type ipv4_addr
		size 65535
		flags dynamic
	}
	chain input {
		type filter hook input priority filter; policy accept;
		add @s { ip saddr }
	}
}
EOT
# An ingress chain: its device must come back with it.
cat >"$TMP/ingress.nft" <<'EOT'
table inet fwgen {
	comment "managed by fwgen"
	chain ing {
		type filter hook ingress device "lo" priority filter; policy accept;
	}
}
EOT

t_rollback_exact() {	# FILE
	in_ns A nft flush ruleset
	in_ns A nft -f "$1" || { why "nft -f $1 failed"; return 1; }
	ruleset A >"$TMP/before"
	in_ns A "$FWGEN" apply -q "${A1[@]}" --confirm 1 --wait </dev/null 2>"$TMP/err"
	rc=$?
	[ $rc = 1 ] || { why "exit $rc, want 1 (rolled back)" "$(cat "$TMP/err")"; return 1; }
	ruleset A | cmp -s - "$TMP/before" ||
		{ why "not restored exactly:" "$(ruleset A | diff "$TMP/before" - | head)"; return 1; }
}
check "--confirm over a dynamic set updated from a rule: restored byte-identical" t_rollback_exact "$TMP/dynset.nft"
check "--confirm over an ingress chain: restored with its device" t_rollback_exact "$TMP/ingress.nft"

# More that a restore must carry: set timeouts, gc interval, size,
# element counters, dynset timeouts, a rate limit, a second base chain.
cat >"$TMP/sets.nft" <<'EOT'
table inet fwgen {
	comment "managed by fwgen"
	set s {
		type ipv4_addr
		size 1024
		flags dynamic,timeout
		timeout 1h
		gc-interval 30s
	}
	set c {
		type ipv4_addr
		flags dynamic
		counter
	}
	chain input {
		type filter hook input priority filter; policy accept;
		update @s { ip saddr timeout 30s }
		add @c { ip saddr }
		ct state new limit rate over 10/second counter drop
	}
	chain egr {
		type filter hook output priority 5; policy accept;
	}
}
EOT
check "--confirm over sets with timeouts and counters: restored byte-identical" t_rollback_exact "$TMP/sets.nft"

# The check of the previous table before the commit is what decides: when
# the kernel's verdict on it is not known (its acknowledgements lost, by
# the shim on the first batch), the apply is refused and nothing changes;
# --force applies, and the rollback then removes the table.
t_unproven() {
	local rc

	in_ns A nft flush ruleset
	in_ns A nft -f "$TMP/dynset.nft" || { why "nft -f failed"; return 1; }
	ruleset A >"$TMP/before"
	in_ns A env LD_PRELOAD="$NLFAULT" NLFAULT_SWALLOW=1 NLFAULT_DROP_ACKS=1 NLFAULT_NTH=1 \
		"$FWGEN" apply -q "${A1[@]}" --confirm 1 --wait </dev/null 2>"$TMP/err"
	rc=$?
	[ $rc = 2 ] || { why "exit $rc, want 2" "$(cat "$TMP/err")"; return 1; }
	grep -q "could not be put back" "$TMP/err" || { why "unclear: $(cat "$TMP/err")"; return 1; }
	ruleset A | cmp -s - "$TMP/before" || { why "something changed"; return 1; }
	in_ns A env LD_PRELOAD="$NLFAULT" NLFAULT_SWALLOW=1 NLFAULT_DROP_ACKS=1 NLFAULT_NTH=1 \
		"$FWGEN" apply -q --force "${A1[@]}" --confirm 1 --wait </dev/null 2>"$TMP/err"
	rc=$?
	[ $rc = 1 ] || { why "--force: exit $rc, want 1" "$(cat "$TMP/err")"; return 1; }
	[ -z "$(ruleset A)" ] || { why "--force: the unconfirmed table is still there"; return 1; }
}
check "a previous table not proven restorable: refused (exit 2), --force rolls back by removing" t_unproven

# --- lost acknowledgements ---------------------------------------------------------

t_lost_acks_committed() {
	local rc n

	[ -n "$NLFAULT" ] || { why "no NLFAULT shim"; return 1; }
	in_ns A nft flush ruleset
	# A receive buffer too small for the acks of the batch: the kernel
	# commits, and really drops acknowledgements (ENOBUFS).
	in_ns A env LD_PRELOAD="$NLFAULT" NLFAULT_RCVBUF=1 "$FWGEN" apply "${A1[@]}" \
		>"$TMP/out" 2>"$TMP/err"
	rc=$?
	grep -q "nlfault: receive buffer" "$TMP/err" || { why "the shim did not act"; return 1; }
	[ $rc = 0 ] || { why "exit $rc, want 0 (committed)" "$(cat "$TMP/err")"; return 1; }
	in_ns A "$FWGEN" diff -q "${A1[@]}" || { why "the table is not the one applied"; return 1; }
	# The same, all acknowledgements thrown away.
	in_ns A env LD_PRELOAD="$NLFAULT" NLFAULT_DROP_ACKS=1 "$FWGEN" apply -q "${A2[@]}" 2>"$TMP/err"
	rc=$?
	[ $rc = 0 ] || { why "dropped acks: exit $rc, want 0" "$(cat "$TMP/err")"; return 1; }
	in_ns A "$FWGEN" diff -q "${A2[@]}" || { why "dropped acks: not the table applied"; return 1; }
}
check "lost acks: a committed apply is read back and reported as applied (exit 0)" t_lost_acks_committed

t_lost_acks_nothing() {
	local rc

	in_ns A nft flush ruleset
	in_ns A "$FWGEN" apply -q "${A1[@]}" || { why "apply failed"; return 1; }
	ruleset A >"$TMP/before"
	# The batch never reaches the kernel, and no ack comes.
	in_ns A env LD_PRELOAD="$NLFAULT" NLFAULT_SWALLOW=1 NLFAULT_DROP_ACKS=1 \
		"$FWGEN" apply -q "${A2[@]}" 2>"$TMP/err"
	rc=$?
	[ $rc = 2 ] || { why "exit $rc, want 2" "$(cat "$TMP/err")"; return 1; }
	grep -q "nothing was changed" "$TMP/err" || { why "unclear: $(cat "$TMP/err")"; return 1; }
	ruleset A | cmp -s - "$TMP/before" || { why "the ruleset changed"; return 1; }
}
check "lost acks of a batch never committed: exit 2, nothing changed" t_lost_acks_nothing

t_lost_acks_confirm() {
	local rc

	in_ns A nft flush ruleset
	in_ns A "$FWGEN" apply -q "${A1[@]}" || { why "apply failed"; return 1; }
	ruleset A >"$TMP/before"
	# The first batch is the check of the previous table, the second
	# the commit: its acknowledgements are lost.
	in_ns A env LD_PRELOAD="$NLFAULT" NLFAULT_DROP_ACKS=1 NLFAULT_NTH=2 \
		"$FWGEN" apply -q "${A2[@]}" --confirm 1 --wait </dev/null 2>"$TMP/err"
	rc=$?
	grep -q "nlfault: dropped" "$TMP/err" || { why "the shim did not act"; return 1; }
	[ $rc = 1 ] || { why "exit $rc, want 1 (waited, rolled back)" "$(cat "$TMP/err")"; return 1; }
	ruleset A | cmp -s - "$TMP/before" || { why "not rolled back exactly"; return 1; }
}
check "lost acks with --confirm: the committed table is still waited for and rolled back" t_lost_acks_confirm

# The same for live set updates: settled by reading the set back.
t_lost_acks_set() {
	local rc

	in_ns A nft flush ruleset
	in_ns A "$FWGEN" apply -q "${A1[@]}" || { why "apply failed"; return 1; }
	in_ns A env LD_PRELOAD="$NLFAULT" NLFAULT_DROP_ACKS=1 \
		"$FWGEN" set add -q user 198.18.0.77 2001:db8::77 2>"$TMP/err"
	rc=$?
	grep -q "nlfault: dropped" "$TMP/err" || { why "the shim did not act"; return 1; }
	[ $rc = 0 ] || { why "add: exit $rc, want 0" "$(cat "$TMP/err")"; return 1; }
	in_ns A "$FWGEN" set list user | grep -qx 198.18.0.77 || { why "not added"; return 1; }
	ruleset A >"$TMP/before"
	in_ns A env LD_PRELOAD="$NLFAULT" NLFAULT_SWALLOW=1 NLFAULT_DROP_ACKS=1 \
		"$FWGEN" set del -q user 198.18.0.77 2>"$TMP/err"
	rc=$?
	[ $rc = 2 ] && grep -q "nothing was changed" "$TMP/err" ||
		{ why "swallowed del: exit $rc: $(cat "$TMP/err")"; return 1; }
	ruleset A | cmp -s - "$TMP/before" || { why "the set changed"; return 1; }
	in_ns A env LD_PRELOAD="$NLFAULT" NLFAULT_DROP_ACKS=1 \
		"$FWGEN" set del -q user 198.18.0.77 2001:db8::77 2>"$TMP/err"
	rc=$?
	[ $rc = 0 ] || { why "del: exit $rc, want 0" "$(cat "$TMP/err")"; return 1; }
	in_ns A "$FWGEN" diff -q "${A1[@]}" || { why "not back to the inventory's sets"; return 1; }
}
check "lost acks of set add|del: read back, exit 0 when done, 2 when nothing changed" t_lost_acks_set

# --- detached commit-confirmed -------------------------------------------------

nsdir() {	# NAME: the namespace's runtime directory
	echo "$FWGEN_RUN_DIR/$(in_ns "$1" stat -L -c 'net-%d-%i' /proc/self/ns/net)"
}
# settled NAME: waits (8 s at most) until no process is left in NAME (a
# watchdog may still be applying, before it records a pending rollback),
# and no rollback is pending
settled() {
	local i

	for i in $(seq 1 160); do
		if [ -z "$(ip netns pids "$P$1")" ]; then
			in_ns "$1" "$FWGEN" confirm --status -q 2>/dev/null || return 0
		fi
		sleep 0.05
	done
	return 1
}

t_detached_rollback() {
	local rc

	in_ns A nft flush ruleset
	in_ns A "$FWGEN" apply -q "${A1[@]}" || { why "apply failed"; return 1; }
	ruleset A >"$TMP/before"
	in_ns A "$FWGEN" apply "${A2[@]}" --confirm 4 </dev/null >"$TMP/out" 2>"$TMP/err"
	rc=$?
	[ $rc = 0 ] || { why "exit $rc, want 0" "$(cat "$TMP/err")"; return 1; }
	grep -q "rolled back in 4 s unless 'fwgen confirm'" "$TMP/out" ||
		{ why "does not say so: $(cat "$TMP/out")"; return 1; }
	# It returned inside the window: the rollback is still pending.
	in_ns A "$FWGEN" confirm --status >"$TMP/out" 2>&1 ||
		{ why "confirm --status: no pending rollback" "$(cat "$TMP/out")"; return 1; }
	in_ns A "$FWGEN" diff -q "${A2[@]}" || { why "the new table is not live"; return 1; }
	grep -q "is not confirmed: rolled back at .* s left" "$TMP/out" ||
		{ why "confirm --status says: $(cat "$TMP/out")"; return 1; }
	settled A || { why "the rollback did not fire"; return 1; }
	ruleset A | cmp -s - "$TMP/before" ||
		{ why "not restored exactly:" "$(ruleset A | diff "$TMP/before" - | head)"; return 1; }
	in_ns A "$FWGEN" confirm --status >"$TMP/out"
	[ $? = 1 ] && grep -q "no rollback is pending" "$TMP/out" ||
		{ why "after: $(cat "$TMP/out")"; return 1; }
	[ "$(cat "$(nsdir A)/result")" = rolled-back ] || { why "result file"; return 1; }
}
check "apply --confirm returns at once (exit 0), --status shows the deadline, the rollback fires detached" t_detached_rollback

t_detached_confirm() {
	in_ns A nft flush ruleset
	in_ns A "$FWGEN" apply -q "${A1[@]}" || { why "apply failed"; return 1; }
	in_ns A "$FWGEN" apply -q "${A2[@]}" --confirm 2 </dev/null || { why "apply --confirm failed"; return 1; }
	in_ns A "$FWGEN" confirm >"$TMP/out" 2>&1 || { why "confirm failed: $(cat "$TMP/out")"; return 1; }
	grep -q "^fwgen: confirmed" "$TMP/out" || { why "confirm says: $(cat "$TMP/out")"; return 1; }
	settled A || { why "still pending after confirm"; return 1; }
	sleep 2.2
	in_ns A "$FWGEN" diff -q "${A2[@]}" || { why "the confirmed table was rolled back"; return 1; }
	[ ! -e "$(nsdir A)/confirm" ] || { why "the FIFO was left behind"; return 1; }
}
check "fwgen confirm keeps a detached apply's table past its deadline" t_detached_confirm

# Kills of the applying process group (as a dropped SSH session or a
# config-management timeout would), at moments across the apply: whatever
# happened, once the deadline passed the previous table is back exactly.
# Each kill in a namespace of its own, ten at once: the waits for the
# deadlines overlap.
kill_case() {	# NAME SIG DELAY: prints what went wrong, if anything
	local ns=$1 sig=$2 delay=$3 pid

	lab_ns_new "$ns" || { echo "$sig after ${delay}s: no namespace"; return 1; }
	in_ns "$ns" "$FWGEN" apply -q "${A1[@]}" || { echo "$sig after ${delay}s: apply failed"; return 1; }
	ruleset "$ns" >"$TMP/before.$ns"
	setsid ip netns exec "$P$ns" "$FWGEN" apply -q "${A2[@]}" --confirm 1 \
		</dev/null >/dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	kill -"$sig" -- -"$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	settled "$ns" || { echo "$sig after ${delay}s: still pending"; return 1; }
	ruleset "$ns" | cmp -s - "$TMP/before.$ns" ||
		{ echo "$sig after ${delay}s: not the previous table"; return 1; }
	lab_ns_del "$ns"
}
t_kill_group() {
	local sig delay n=0 bad=0 pids=() i

	for sig in KILL KILL KILL HUP QUIT USR1; do
		for delay in 0 0.02 0.05 0.1 0.3; do
			kill_case "K$n" "$sig" "$delay" >"$TMP/kill.$n" 2>&1 &
			pids+=($!)
			n=$((n + 1))
			[ ${#pids[@]} -lt 10 ] && continue
			for i in "${pids[@]}"; do wait "$i" || bad=$((bad + 1)); done
			pids=()
		done
	done
	for i in "${pids[@]}"; do wait "$i" || bad=$((bad + 1)); done
	cat "$TMP"/kill.* | sed 's/^/    /'
	echo "    $n kills of the applying process group, $bad left an unconfirmed table"
	[ $bad = 0 ] || { why "$bad of $n kills left the unconfirmed table"; return 1; }
}
check "SIGKILL/HUP/QUIT/USR1 of the applying process group at 5 moments: the rollback still fires" t_kill_group

# Signals to the watchdog itself: only SIGTERM/SIGINT end the wait (and
# roll back at once); the others are ignored.
t_watchdog_signals() {
	local wpid sig

	in_ns A nft flush ruleset
	in_ns A "$FWGEN" apply -q "${A1[@]}" || { why "apply failed"; return 1; }
	ruleset A >"$TMP/before"
	in_ns A "$FWGEN" apply -q "${A2[@]}" --confirm 30 </dev/null || { why "apply --confirm failed"; return 1; }
	wpid=$(cut -d' ' -f1 "$(nsdir A)/pending")
	for sig in HUP QUIT USR1 USR2 ALRM PIPE; do
		kill -"$sig" "$wpid" || { why "no watchdog $wpid"; return 1; }
	done
	sleep 0.3
	kill -0 "$wpid" 2>/dev/null || { why "a signal killed the watchdog"; return 1; }
	in_ns A "$FWGEN" diff -q "${A2[@]}" || { why "rolled back early"; return 1; }
	kill -TERM "$wpid"
	settled A || { why "SIGTERM did not end the wait"; return 1; }
	ruleset A | cmp -s - "$TMP/before" || { why "SIGTERM: not rolled back exactly"; return 1; }
}
check "the watchdog ignores HUP/QUIT/USR1/USR2/ALRM/PIPE; SIGTERM rolls back at once" t_watchdog_signals

# --- the boot path applies the last confirmed inventory -----------------------

# A reboot inside the window, simulated: the watchdog stops (SIGKILL) and
# the ruleset is gone; fwgen.service then runs `apply --boot`.
t_boot_path() {
	local wpid

	export FWGEN_STATE_DIR="$TMP/boot-state"
	cp "$MORPH" "$TMP/inv.yaml"
	in_ns A nft flush ruleset
	in_ns A "$FWGEN" apply -q --boot -i "$TMP/inv.yaml" --role app-tier >"$TMP/out" ||
		{ why "first boot failed"; return 1; }
	[ ! -s "$TMP/out" ] || { why "-q boot printed: $(cat "$TMP/out")"; return 1; }
	ruleset A >"$TMP/confirmed"
	# The admin edits the inventory and tries it with --confirm.
	sed -i 's|198.18.9.0/28|198.18.9.64/28|' "$TMP/inv.yaml"
	cmp -s <("$FWGEN" print -i "$MORPH" --role app-tier) <("$FWGEN" print -i "$TMP/inv.yaml" --role app-tier) &&
		{ why "the edit changes nothing"; return 1; }
	in_ns A "$FWGEN" apply -q -i "$TMP/inv.yaml" --role app-tier --confirm 30 </dev/null ||
		{ why "apply --confirm failed"; return 1; }
	# The machine stops: every process of it at once (watchdog, guard).
	kill -KILL $(ip netns pids "${P}A") 2>/dev/null
	settled A || { why "processes left"; return 1; }
	in_ns A nft flush ruleset
	in_ns A "$FWGEN" apply --boot -i "$TMP/inv.yaml" --role app-tier >"$TMP/out" 2>&1 ||
		{ why "boot failed: $(cat "$TMP/out")"; return 1; }
	grep -q "last confirmed inventory" "$TMP/out" || { why "boot says: $(cat "$TMP/out")"; return 1; }
	ruleset A | cmp -s - "$TMP/confirmed" ||
		{ why "the boot path applied the unconfirmed inventory"; return 1; }
	# Once confirmed, the edit is what boots.
	in_ns A "$FWGEN" apply -q -i "$TMP/inv.yaml" --role app-tier --confirm 30 </dev/null &&
		in_ns A "$FWGEN" confirm -q || { why "apply --confirm + confirm failed"; return 1; }
	settled A || { why "still pending"; return 1; }
	in_ns A nft flush ruleset
	in_ns A "$FWGEN" apply -q --boot -i "$MORPH" --role app-tier || { why "second boot failed"; return 1; }
	in_ns A "$FWGEN" diff -q -i "$TMP/inv.yaml" --role app-tier ||
		{ why "the confirmed edit is not what boots"; return 1; }
	export FWGEN_STATE_DIR="$TMP/state"
}
check "a reboot in the window: apply --boot applies the last confirmed inventory, not the unconfirmed one" t_boot_path

# -i - reads the inventory from standard input.
t_stdin() {
	in_ns A nft flush ruleset
	in_ns A "$FWGEN" apply -q -i - --role app-tier <"$MORPH" || { why "apply -i - failed"; return 1; }
	in_ns A "$FWGEN" diff -q "${A1[@]}" || { why "not the inventory's ruleset"; return 1; }
	printf 'topology: [\n' | "$FWGEN" print -i - --role app-tier 2>"$TMP/err"
	[ $? = 2 ] && grep -q "^fwgen: <stdin>:2:1: " "$TMP/err" ||
		{ why "bad stdin: $(cat "$TMP/err")"; return 1; }
}
check "-i - reads the inventory from standard input; errors say <stdin>:LINE:COL" t_stdin

# The watchdog itself killed (SIGKILL, as the OOM killer would): its guard
# puts the previous table back at once. The watchdog is OOM-protected.
t_watchdog_killed() {
	local wpid

	in_ns A nft flush ruleset
	in_ns A "$FWGEN" apply -q "${A1[@]}" || { why "apply failed"; return 1; }
	ruleset A >"$TMP/before"
	in_ns A "$FWGEN" apply -q "${A2[@]}" --confirm 60 </dev/null || { why "apply --confirm failed"; return 1; }
	wpid=$(cut -d' ' -f1 "$(nsdir A)/pending")
	# Lowering it needs CAP_SYS_RESOURCE, which a container may not give.
	if sh -c 'echo -1000 >/proc/self/oom_score_adj' 2>/dev/null; then
		[ "$(cat "/proc/$wpid/oom_score_adj")" = -1000 ] ||
			{ kill -TERM "$wpid"; why "the watchdog is not OOM-protected"; return 1; }
	else
		echo "    (oom_score_adj cannot be lowered here: OOM protection not checked)"
	fi
	in_ns A "$FWGEN" diff -q "${A2[@]}" || { why "the new table is not live"; return 1; }
	kill -KILL "$wpid"
	settled A || { why "still pending"; return 1; }
	ruleset A | cmp -s - "$TMP/before" ||
		{ why "the watchdog's death left the unconfirmed table:" "$(ruleset A | diff "$TMP/before" - | head -5)"; return 1; }
	in_ns A "$FWGEN" confirm --status >"$TMP/out"
	[ $? = 1 ] && grep -q "stale" "$TMP/out" || { why "status after: $(cat "$TMP/out")"; return 1; }
}
check "SIGKILL of the watchdog itself: its guard rolls back at once" t_watchdog_killed

# --- per network namespace -----------------------------------------------------------

t_two_namespaces() {
	local pa pb wpid

	in_ns A nft flush ruleset
	in_ns B nft flush ruleset
	in_ns A "$FWGEN" apply -q "${A1[@]}" && in_ns B "$FWGEN" apply -q "${A1[@]}" ||
		{ why "apply failed"; return 1; }
	ruleset A >"$TMP/before"
	# With one lock for both, the second would give up after 1 s, as the
	# first holds it for its 60 s window.
	FWGEN_LOCK_TIMEOUT=1 in_ns A "$FWGEN" apply -q "${A2[@]}" --confirm 60 </dev/null & pa=$!
	FWGEN_LOCK_TIMEOUT=1 in_ns B "$FWGEN" apply -q "${A2[@]}" --confirm 60 </dev/null & pb=$!
	wait "$pa" && wait "$pb" || { why "one namespace waited for the other's lock"; return 1; }
	[ "$(nsdir A)" != "$(nsdir B)" ] || { why "one directory for both"; return 1; }
	in_ns B "$FWGEN" confirm -q || { why "confirm in B failed"; return 1; }
	in_ns A "$FWGEN" confirm --status -q || { why "B's confirm ended A's window"; return 1; }
	# A's window ends now (SIGTERM to its watchdog): A rolls back, B stays.
	wpid=$(cut -d' ' -f1 "$(nsdir A)/pending")
	kill -TERM "$wpid"
	settled A && settled B || { why "still pending"; return 1; }
	ruleset A | cmp -s - "$TMP/before" || { why "A was not rolled back"; return 1; }
	in_ns B "$FWGEN" diff -q "${A2[@]}" || { why "B's confirmed table is gone"; return 1; }
}
check "two namespaces apply --confirm at once; a confirm in B keeps B only" t_two_namespaces

# The public lock (docs/api.md section 6): a tool holding it keeps every
# fwgen of the namespace waiting, applies inside it itself, and does not
# block another namespace.
t_public_lock() {
	local pid i rc

	[ -n "${CTXLOCK:-}" ] || { why "no CTXLOCK program"; return 1; }
	in_ns A nft flush ruleset
	in_ns B nft flush ruleset
	ip netns exec "${P}A" "$CTXLOCK" "$FWGEN_RUN_DIR" 3 tachyon-single-server server \
		"198.18.0.9 5555 198.18.0.1 22" >"$TMP/lock.out" 2>"$TMP/lock.err" &
	pid=$!
	for i in $(seq 1 100); do
		grep -q applied "$TMP/lock.out" && break
		sleep 0.05
	done
	grep -q applied "$TMP/lock.out" || { why "ctxlock did not apply: $(cat "$TMP/lock.err")"; return 1; }
	FWGEN_LOCK_TIMEOUT=1 in_ns A "$FWGEN" apply -q "${A1[@]}" 2>"$TMP/err"
	rc=$?
	[ $rc = 2 ] && grep -q "another fwgen (pid $pid)" "$TMP/err" ||
		{ why "apply during the lock: exit $rc: $(cat "$TMP/err")"; return 1; }
	FWGEN_LOCK_TIMEOUT=1 in_ns B "$FWGEN" apply -q "${A1[@]}" ||
		{ why "namespace B waited for A's lock"; return 1; }
	wait "$pid" || { why "ctxlock failed: $(cat "$TMP/lock.err")"; return 1; }
	in_ns A "$FWGEN" diff -q --topology tachyon-single-server --role server ||
		{ why "the tool's own apply is not live"; return 1; }
	in_ns A "$FWGEN" apply -q "${A1[@]}" || { why "apply after the unlock failed"; return 1; }
}
check "fwgen_ctx_lock(): fwgen waits and names the holder, the holder applies inside it, other namespaces go on" t_public_lock

# --- the runtime directory trusts nothing ------------------------------------------

t_rundir_foreign() {
	local rc d="$TMP/foreign"

	in_ns A nft flush ruleset
	mkdir -p "$d" && chown 65534:65534 "$d" && chmod 0755 "$d"
	FWGEN_RUN_DIR="$d" in_ns A "$FWGEN" apply -q "${A1[@]}" 2>"$TMP/err"
	rc=$?
	[ $rc = 2 ] && grep -q "owned by uid 65534.*not trusted" "$TMP/err" ||
		{ why "foreign owner: exit $rc: $(cat "$TMP/err")"; return 1; }
	chown 0:0 "$d" && chmod 0777 "$d"
	FWGEN_RUN_DIR="$d" in_ns A "$FWGEN" apply -q "${A1[@]}" 2>"$TMP/err"
	rc=$?
	[ $rc = 2 ] && grep -q "writable by group or others" "$TMP/err" ||
		{ why "mode 0777: exit $rc: $(cat "$TMP/err")"; return 1; }
	[ -z "$(ruleset A)" ] || { why "something was applied"; return 1; }
	chmod 0700 "$d"
	ln -s /tmp "$d/$(basename "$(nsdir A)")"
	FWGEN_RUN_DIR="$d" in_ns A "$FWGEN" apply -q "${A1[@]}" 2>"$TMP/err"
	rc=$?
	[ $rc = 2 ] && grep -q "symlink" "$TMP/err" ||
		{ why "namespace directory a symlink: exit $rc: $(cat "$TMP/err")"; return 1; }
}
check "a run directory of another owner, writable by others, or a symlink is refused" t_rundir_foreign

t_rundir_symlinks() {
	local rc d

	in_ns A nft flush ruleset
	in_ns A "$FWGEN" apply -q "${A1[@]}" || { why "apply failed"; return 1; }
	d=$(nsdir A)
	printf 'precious\n' >"$TMP/victim"
	rm -f "$d/lock"
	ln -s "$TMP/victim" "$d/lock"
	in_ns A "$FWGEN" apply -q "${A2[@]}" 2>"$TMP/err"
	rc=$?
	[ $rc = 2 ] && grep -q "symlink" "$TMP/err" || { why "lock symlink: exit $rc: $(cat "$TMP/err")"; return 1; }
	[ "$(cat "$TMP/victim")" = precious ] || { why "the lock symlink's target was written"; return 1; }
	rm -f "$d/lock"
	ln -s "$TMP/victim" "$d/confirm"
	in_ns A "$FWGEN" confirm 2>"$TMP/err"
	rc=$?
	[ $rc = 2 ] && grep -q "symlink" "$TMP/err" || { why "confirm symlink: exit $rc: $(cat "$TMP/err")"; return 1; }
	[ "$(cat "$TMP/victim")" = precious ] || { why "the confirm symlink's target was written"; return 1; }
	rm -f "$d/confirm"
	: >"$d/confirm"
	in_ns A "$FWGEN" confirm 2>"$TMP/err"
	rc=$?
	[ $rc = 2 ] && grep -q "not a FIFO" "$TMP/err" || { why "regular confirm file: exit $rc: $(cat "$TMP/err")"; return 1; }
	rm -f "$d/confirm"
	# A leftover FIFO nobody reads: no false "confirmed".
	mkfifo -m 0600 "$d/confirm"
	in_ns A "$FWGEN" confirm 2>"$TMP/err"
	rc=$?
	[ $rc = 2 ] && grep -q "is waiting" "$TMP/err" || { why "stale FIFO: exit $rc: $(cat "$TMP/err")"; return 1; }
	rm -f "$d/confirm"
	# The lock file is never truncated: a long content stays as long.
	printf '%s\n' "$(head -c 100 /dev/zero | tr '\0' x)" >"$d/lock"
	in_ns A "$FWGEN" apply -q "${A2[@]}" || { why "apply with an old lock file failed"; return 1; }
	[ "$(stat -c %s "$d/lock")" = 101 ] || { why "the lock file was truncated"; return 1; }
}
check "symlinks for the lock and the FIFO, a regular file or a stale FIFO as confirm: refused, nothing written" t_rundir_symlinks

# --- ownership ---------------------------------------------------------------------

t_foreign_tables() {
	local rc t

	in_ns A nft flush ruleset
	# A hand-made inet fwgen, and a distribution's inet filter.
	in_ns A nft -f - <<'EOT' || { why "nft -f failed"; return 1; }
table inet fwgen {
	chain input { type filter hook input priority 0; policy accept; }
}
table inet filter {
	comment "distribution"
	chain input { type filter hook input priority 0; policy accept; }
}
EOT
	ruleset A >"$TMP/before"
	in_ns A "$FWGEN" apply -q "${A1[@]}" 2>"$TMP/err"
	rc=$?
	[ $rc = 2 ] && grep -q "table inet fwgen exists and was not made by fwgen (it has no comment" "$TMP/err" ||
		{ why "apply: exit $rc: $(cat "$TMP/err")"; return 1; }
	in_ns A "$FWGEN" apply -q "${A1[@]}" --confirm 1 --wait </dev/null 2>"$TMP/err"
	rc=$?
	[ $rc = 2 ] && grep -q "not made by fwgen" "$TMP/err" ||
		{ why "apply --confirm: exit $rc: $(cat "$TMP/err")"; return 1; }
	in_ns A "$FWGEN" apply -q "${A1[@]}" --table filter 2>"$TMP/err"
	rc=$?
	[ $rc = 2 ] && grep -q "table inet filter exists and was not made by fwgen (its comment is \"distribution\"" "$TMP/err" ||
		{ why "apply --table filter: exit $rc: $(cat "$TMP/err")"; return 1; }
	for t in fwgen filter; do
		in_ns A "$FWGEN" remove --table "$t" 2>"$TMP/err"
		rc=$?
		[ $rc = 2 ] && grep -q "table inet $t exists and was not made by fwgen" "$TMP/err" ||
			{ why "remove --table $t: exit $rc: $(cat "$TMP/err")"; return 1; }
	done
	in_ns A "$FWGEN" set add user 198.18.0.5 2>"$TMP/err"
	rc=$?
	[ $rc = 2 ] && grep -q "table inet fwgen was not made by fwgen" "$TMP/err" ||
		{ why "set add: exit $rc: $(cat "$TMP/err")"; return 1; }
	ruleset A | cmp -s - "$TMP/before" || { why "a foreign table was touched"; return 1; }
	# --force takes inet fwgen over; from then on it is fwgen's.
	in_ns A "$FWGEN" apply -q --force "${A1[@]}" || { why "apply --force failed"; return 1; }
	in_ns A nft list table inet fwgen | grep -q 'comment "managed by fwgen; topology ' ||
		{ why "no marker after apply"; return 1; }
	in_ns A "$FWGEN" apply -q "${A2[@]}" || { why "apply after the takeover failed"; return 1; }
	in_ns A "$FWGEN" remove -q --force --table filter || { why "remove --force failed"; return 1; }
	[ "$(in_ns A nft list tables)" = "table inet fwgen" ] || { why "tables: $(in_ns A nft list tables)"; return 1; }
}
check "a hand-made inet fwgen and inet filter: apply, --confirm, remove and set refuse them; --force takes over" t_foreign_tables

# --- one validator for addresses, sets of fwgen's shape only ------------------

t_set_validator() {
	local a rc

	in_ns A nft flush ruleset
	in_ns A "$FWGEN" apply -q "${A1[@]}" || { why "apply failed"; return 1; }
	ruleset A >"$TMP/before"
	for a in ::ffff:198.18.0.5 ::ffff:0:0/96 ::ffff:198.18.0.0/112; do
		in_ns A "$FWGEN" set add user "$a" 2>"$TMP/err"
		rc=$?
		[ $rc = 2 ] && grep -q "IPv4-mapped IPv6 address never matches" "$TMP/err" ||
			{ why "set add $a: exit $rc: $(cat "$TMP/err")"; return 1; }
		# The inventory says the same of it.
		printf 'topology: morpheus-distributed\nroles:\n  user: ["%s"]\n' "$a" >"$TMP/m.yaml"
		"$FWGEN" print -i "$TMP/m.yaml" --role app-tier 2>"$TMP/err2"
		grep -q "IPv4-mapped IPv6 address never matches" "$TMP/err2" ||
			{ why "the inventory accepts $a?" "$(cat "$TMP/err2")"; return 1; }
	done
	ruleset A | cmp -s - "$TMP/before" || { why "a set changed"; return 1; }
	# A hand-made set of another type under the role's set name.
	in_ns A nft flush ruleset
	in_ns A nft -f - <<'EOT' || { why "nft -f failed"; return 1; }
table inet fwgen {
	comment "managed by fwgen"
	set user_v4 {
		type mark
		flags interval
	}
}
EOT
	in_ns A "$FWGEN" set add user 198.18.0.5 2>"$TMP/err"
	rc=$?
	[ $rc = 2 ] && grep -q "is not an IPv4 address set of fwgen" "$TMP/err" ||
		{ why "mark set: exit $rc: $(cat "$TMP/err")"; return 1; }
	[ -z "$(in_ns A nft list set inet fwgen user_v4 | grep elements)" ] ||
		{ why "written into the mark set"; return 1; }
}
check "set add: what the inventory refuses is refused; a set of another type is not written" t_set_validator

t_table_names() {
	local t rc

	for t in 'a b' ../x table 'x;y' ''; do
		in_ns A "$FWGEN" remove --table "$t" 2>"$TMP/err"
		rc=$?
		[ $rc = 2 ] && grep -q "table name '.*' \(must be\|is an nft keyword\)" "$TMP/err" ||
			{ why "remove --table '$t': exit $rc: $(cat "$TMP/err")"; return 1; }
		in_ns A "$FWGEN" set add --table "$t" user 198.18.0.5 2>"$TMP/err"
		rc=$?
		[ $rc = 2 ] && grep -q "table name '.*' \(must be\|is an nft keyword\)" "$TMP/err" ||
			{ why "set add --table '$t': exit $rc: $(cat "$TMP/err")"; return 1; }
	done
}
check "remove and set refuse the table names the inventory refuses" t_table_names

# --- diff sees table and chain comment drift ---------------------------------------

t_diff_comments() {
	local out want

	"$FWGEN" print "${A1[@]}" >"$TMP/p.nft" || { why "print failed"; return 1; }
	# The table's comment: the ownership marker and what it was applied for.
	want=$(sed -n 's/^\tcomment "\(managed by fwgen; topology [^"]*\)"$/\1/p' "$TMP/p.nft")
	[ -n "$want" ] || { why "print wrote no table comment with the marker"; return 1; }
	in_ns A nft flush ruleset
	sed -e 's/^\tcomment "managed by fwgen; topology [^"]*"$/\tcomment "edited by hand"/' \
		-e '0,/^\tchain input {$/s//&\n\t\tcomment "mine"/' "$TMP/p.nft" | in_ns A nft -f - ||
		{ why "nft -f of the edited script failed"; return 1; }
	out=$(in_ns A "$FWGEN" diff "${A1[@]}")
	[ $? = 1 ] || { why "diff exit not 1:" "$out"; return 1; }
	[ "$out" = "~ table inet fwgen: comment \"edited by hand\", want \"$want\"
~ chain inet fwgen input: comment \"mine\", want none" ] || { why "diff says:" "$out"; return 1; }
}
check "diff reports table and chain comment drift" t_diff_comments

# --- the host's own ruleset -----------------------------------------------------

if [ "$(nft list tables 2>/dev/null)" != "$root_tables" ]; then
	not_ok "the root namespace's tables changed"
else
	ok "the root namespace was not touched"
fi

lab_summary
