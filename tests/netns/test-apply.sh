#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fwgen apply, check, remove and confirm against the kernel, only inside
# network namespaces this test creates (every nft and fwgen that touches a
# ruleset runs under `ip netns exec`). It proves: apply gives the kernel
# state `nft -f` of `fwgen print` gives (and sends the same batch, message
# for message), for every topology and host role; foreign tables are left
# alone; re-apply is idempotent; a kernel refusal changes nothing; check
# never commits; remove deletes only fwgen's table; an unconfirmed apply
# rolls back exactly; anti-lockout; applies never interleave; no
# CAP_NET_ADMIN is a clean error; --role auto finds the host's roles by its
# addresses; 100,000 addresses go in one transaction, diff clean, and update
# live.
set -u

FWGEN=${FWGEN:-fwgen}
BATCH_DUMP=${BATCH_DUMP:-}
REFUSE=${REFUSE:-}
ROOT=${FWGEN_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for network namespaces"; exit 77; }
command -v nft >/dev/null || { echo "SKIP: nft not installed"; exit 77; }

# shellcheck source=lab.sh
. "$ROOT/tests/netns/lab.sh"
lab_test_init
P=$LAB_PREFIX	# every namespace here is the lab's: removed on exit
TMP=$LAB_TMP

export FWGEN_RUN_DIR="$TMP/run"
export FWGEN_STATE_DIR="$TMP/state"
fifo_ready() { compgen -G "$FWGEN_RUN_DIR/net-*/confirm" >/dev/null; }
root_tables=$(nft list tables 2>/dev/null)

in_ns() {	# NAME CMD...
	local ns=$1

	shift
	ip netns exec "$P$ns" "$@"
}
ruleset() {	# NAME [nft list options]
	local ns=$1

	shift
	in_ns "$ns" nft "$@" list ruleset
}

MORPH="$ROOT/examples/morpheus-distributed.yaml"
[ -f "$MORPH" ] || { echo "FAIL: no example inventory $MORPH"; exit 1; }
A1=(-i "$MORPH" --role app-tier)
A2=(-i "$MORPH" --role messaging-tier)
A3=(-i "$MORPH" --role transactional-db-tier)

# A foreign table, as docker or an admin would leave one.
foreign() {	# NAME
	in_ns "$1" nft -f - <<'EOF'
table ip other {
	set keep { type ipv4_addr; elements = { 198.18.200.1 } }
	chain input {
		type filter hook input priority 10; policy accept;
		ip saddr @keep counter accept comment "not fwgen's"
	}
}
table inet other2 {
	chain input { type filter hook input priority -5; policy accept; }
}
EOF
}
foreign_listing() {	# NAME: the foreign tables only
	in_ns "$1" nft list table ip other
	in_ns "$1" nft list table inet other2
}

# --- apply equals nft -f, for every topology x host role -----------------

# The batch nft sends for the printed script and ours, without sequence
# numbers and the cache queries nft makes first: from the batch begin on.
batch_norm() {
	sed -e 's/\x1b\[[0-9;]*m//g' "$1" | grep -v 'sequence number' |
		sed -n '/| 00016 |/,$p'
}

same_as_nft() {	# NAME, then print arguments; namespaces $SA and $SB
	local name=$1 bargs=() a

	shift
	in_ns "$SA" nft flush ruleset
	in_ns "$SB" nft flush ruleset
	if ! "$FWGEN" print "$@" >"$TMP/p.nft" 2>"$TMP/err"; then
		why "fwgen print: $(cat "$TMP/err")"
		return 1
	fi
	if ! in_ns "$SA" "$FWGEN" apply -q "$@" 2>"$TMP/err"; then
		why "fwgen apply: $(cat "$TMP/err")"
		return 1
	fi
	# nft leaves the padding after string attributes as malloc() gave it:
	# without meson's MALLOC_PERTURB_ that is zeroes, as ours always are.
	if ! in_ns "$SB" env -u MALLOC_PERTURB_ nft --debug=mnl -f "$TMP/p.nft" \
		>"$TMP/nft.mnl" 2>&1; then
		why "nft -f refused the printed script"
		return 1
	fi
	ruleset "$SA" >"$TMP/a.txt"
	ruleset "$SB" >"$TMP/b.txt"
	if ! cmp -s "$TMP/a.txt" "$TMP/b.txt"; then
		why "nft list ruleset differs:" "$(diff "$TMP/a.txt" "$TMP/b.txt" | head -20)"
		return 1
	fi
	# Handles too: the same objects were created in the same order.
	if ! cmp -s <(ruleset "$SA" -a) <(ruleset "$SB" -a); then
		why "nft -a list ruleset differs (handles)"
		return 1
	fi
	if [ -n "$BATCH_DUMP" ]; then
		while [ $# -gt 0 ]; do
			case $1 in
			-i) bargs+=(-i "$2"); shift 2 ;;
			--topology) bargs+=(-t "$2"); shift 2 ;;
			--role) bargs+=(-r "$2"); shift 2 ;;
			--audit) bargs+=(-a); shift ;;
			*) shift ;;
			esac
		done
		"$BATCH_DUMP" "${bargs[@]}" >"$TMP/ours.mnl" 2>"$TMP/err" ||
			{ why "batch-dump: $(cat "$TMP/err")"; return 1; }
		if ! cmp -s <(batch_norm "$TMP/nft.mnl") <(batch_norm "$TMP/ours.mnl"); then
			why "the batch differs from nft's:" \
				"$(diff <(batch_norm "$TMP/nft.mnl") <(batch_norm "$TMP/ours.mnl") | head -20)"
			return 1
		fi
	fi
	return 0
}

lab_ns_new A
lab_ns_new B
# The cases, one a line: NAME<TAB>print arguments (words); run JOBS at once
# below, each worker with a pair of namespaces and a directory of its own.
: >"$TMP/cases"
topologies=$("$FWGEN" catalog list | awk '/^[a-z]/ { print $1 }')
[ -n "$topologies" ] || { echo "FAIL: no topologies in the catalog"; exit 1; }
for topo in $topologies; do
	roles=$("$FWGEN" catalog list | awk -v t="$topo" '
		/^[a-z]/ { cur = $1 }
		cur == t && /host roles:/ { sub(/.*host roles: /, ""); gsub(/,/, ""); print }')
	inv="$ROOT/examples/$topo.yaml"
	sed 's/^egress:.*//' "$inv" >"$TMP/filtered-$topo.yaml" 2>/dev/null
	echo "egress: filtered" >>"$TMP/filtered-$topo.yaml"
	all=()
	{
		for role in $roles; do
			all+=(--role "$role")
			printf '%s\t%s\n' "$topo/$role" "--topology $topo --role $role"
			if [ -f "$inv" ]; then
				printf '%s\t%s\n' "$topo/$role+inventory" "-i $inv --role $role"
				printf '%s\t%s\n' "$topo/$role+inventory+egress" \
					"-i $TMP/filtered-$topo.yaml --role $role"
			fi
		done
		printf '%s\t%s\n' "$topo/all-roles" "--topology $topo ${all[*]}"
		printf '%s\t%s\n' "$topo/all-roles+egress+audit" \
			"-i $TMP/filtered-$topo.yaml --audit ${all[*]}"
	} >>"$TMP/cases"
done
JOBS=${LAB_JOBS:-$(($(nproc 2>/dev/null || echo 1) + 1))}
pids=()
for ((k = 0; k < JOBS; k++)); do
	lab_ns_new "A$k" && lab_ns_new "B$k" || { echo "FAIL: lab_ns_new"; exit 1; }
	mkdir -p "$TMP/w$k"
	(
		cases=$TMP/cases
		SA=A$k SB=B$k TMP=$TMP/w$k LAB_TMP=$TMP/w$k i=0
		while IFS=$'\t' read -r name args; do
			# shellcheck disable=SC2086 # the arguments are words
			[ $((i % JOBS)) != "$k" ] ||
				check "apply = nft -f: $name" same_as_nft x $args
			i=$((i + 1))
		done <"$cases"
		lab_ns_del "A$k"
		lab_ns_del "B$k"
	) >"$TMP/w$k.out" 2>&1 &
	pids+=($!)
done
wait "${pids[@]}"
lab_tally "$TMP"/w*.out
n=$(grep -c '^ok apply = nft -f: \|^FAIL apply = nft -f: ' "$TMP"/w*.out | awk -F: '{ n += $NF } END { print n }')
[ "$n" = "$(wc -l <"$TMP/cases")" ] || not_ok "apply = nft -f: only $n of $(wc -l <"$TMP/cases") cases ran"
SA=A SB=B

# --- foreign tables, idempotence -----------------------------------------

t_foreign_untouched() {
	foreign A
	foreign_listing A >"$TMP/f0"
	in_ns A "$FWGEN" apply -q "${A1[@]}" &&
		in_ns A "$FWGEN" apply -q "${A2[@]}" || { why "apply failed"; return 1; }
	foreign_listing A >"$TMP/f1"
	in_ns A "$FWGEN" remove -q || { why "remove failed"; return 1; }
	foreign_listing A >"$TMP/f2"
	cmp -s "$TMP/f0" "$TMP/f1" && cmp -s "$TMP/f0" "$TMP/f2" ||
		{ why "a foreign table changed:" "$(diff "$TMP/f0" "$TMP/f1")"; return 1; }
}
check "foreign tables are left alone by apply and remove" t_foreign_untouched

t_idempotent() {
	in_ns A "$FWGEN" apply -q "${A1[@]}" || { why "first apply failed"; return 1; }
	ruleset A >"$TMP/r1"
	in_ns A "$FWGEN" apply -q "${A1[@]}" || { why "second apply failed"; return 1; }
	ruleset A >"$TMP/r2"
	cmp -s "$TMP/r1" "$TMP/r2" || { why "re-apply changed the ruleset:" "$(diff "$TMP/r1" "$TMP/r2" | head)"; return 1; }
	[ "$(ruleset A | grep -c '^table inet fwgen')" = 1 ] || { why "not exactly one fwgen table"; return 1; }
}
check "re-apply is idempotent" t_idempotent

# --- kernel refusal --------------------------------------------------------

# Fills the input hook of namespace C with base chains of a foreign table
# until the kernel refuses one more (it allows 1024 per hook), so that a
# batch replacing fwgen's table is refused after it has deleted the old
# table: only a transaction leaves that old table in place.
fill_hooks() {
	local n=0 step i

	in_ns C nft add table inet filler || return 1
	for step in 256 64 16 4 1; do
		while :; do
			for i in $(seq 1 "$step"); do
				echo "add chain inet filler c$((n + i)) { type filter hook input priority 0; }"
			done >"$TMP/fill.nft"
			in_ns C nft -f "$TMP/fill.nft" 2>/dev/null || break
			n=$((n + step))
		done
	done
	[ "$n" -gt 0 ]
}

lab_ns_new C
in_ns C "$FWGEN" apply -q "${A1[@]}"
foreign C
fill_hooks || echo "    (could not fill the input hook)"
ruleset C >"$TMP/c0"

t_refusal() {
	local rc

	in_ns C "$FWGEN" apply "${A2[@]}" >/dev/null 2>"$TMP/err"
	rc=$?
	[ "$rc" = 2 ] || { why "exit $rc, want 2: $(cat "$TMP/err")"; return 1; }
	grep -q 'refused chain input' "$TMP/err" ||
		{ why "the message does not name the chain: $(cat "$TMP/err")"; return 1; }
	ruleset C >"$TMP/c1"
	cmp -s "$TMP/c0" "$TMP/c1" ||
		{ why "the ruleset changed:" "$(diff "$TMP/c0" "$TMP/c1" | head)"; return 1; }
}
check "a kernel refusal names the object and leaves the ruleset intact" t_refusal

# The kernel refuses one expression (a meta key it does not know) deep in
# the batch: the message names the rule by chain and comment, and the
# expression the kernel's extended ack points at.
t_refusal_expression() {
	in_ns A nft flush ruleset
	foreign A
	in_ns A "$FWGEN" apply -q "${A1[@]}"
	ruleset A >"$TMP/e0"
	in_ns A "$REFUSE" -t tachyon-single-server -r server -n 3 >"$TMP/out" 2>&1 ||
		{ why "not refused: $(cat "$TMP/out")"; return 1; }
	grep -q "rule in chain input (\"baseline: .*\") at expression 'meta': Operation not supported" "$TMP/out" ||
		{ why "unclear message: $(cat "$TMP/out")"; return 1; }
	ruleset A | cmp -s - "$TMP/e0" || { why "the ruleset changed"; return 1; }
}
# The generation guard a commit-confirmed apply relies on: a batch for a
# generation that has passed is refused whole.
t_stale_generation() {
	ruleset A >"$TMP/g0"
	in_ns A "$REFUSE" -t tachyon-single-server -r server -s >"$TMP/out" 2>&1 ||
		{ why "a stale batch was not refused: $(cat "$TMP/out")"; return 1; }
	ruleset A | cmp -s - "$TMP/g0" || { why "the ruleset changed"; return 1; }
}
if [ -n "$REFUSE" ]; then
	check "a refused expression is named with its rule, nothing changes" t_refusal_expression
	check "a batch for a passed ruleset generation is refused whole" t_stale_generation
fi

# --- check -------------------------------------------------------------------

t_check_refused() {
	local rc

	in_ns C "$FWGEN" check "${A2[@]}" >/dev/null 2>"$TMP/err"
	rc=$?
	[ "$rc" = 2 ] || { why "exit $rc, want 2"; return 1; }
	ruleset C | cmp -s - "$TMP/c0" || { why "check changed the ruleset"; return 1; }
}
check "check reports what the kernel would refuse, exit 2" t_check_refused
lab_ns_del C

t_check_never_commits() {
	in_ns A nft flush ruleset
	in_ns A "$FWGEN" check -q "${A1[@]}" || { why "check of a valid policy failed"; return 1; }
	[ -z "$(ruleset A)" ] || { why "check in an empty namespace left:" "$(ruleset A | head -3)"; return 1; }
	in_ns A "$FWGEN" apply -q "${A1[@]}"
	ruleset A >"$TMP/k0"
	in_ns A "$FWGEN" check -q "${A2[@]}" || { why "check failed"; return 1; }
	ruleset A | cmp -s - "$TMP/k0" || { why "check changed the ruleset"; return 1; }
}
check "check validates without committing" t_check_never_commits

# --- remove ------------------------------------------------------------------

t_remove_only_fwgen() {
	local out

	in_ns A nft flush ruleset
	foreign A
	foreign_listing A >"$TMP/f0"
	in_ns A "$FWGEN" apply -q "${A1[@]}"
	in_ns A "$FWGEN" remove -q || { why "remove failed"; return 1; }
	[ "$(in_ns A nft list tables)" = "$(printf 'table ip other\ntable inet other2')" ] ||
		{ why "tables left: $(in_ns A nft list tables | tr '\n' ' ')"; return 1; }
	foreign_listing A | cmp -s - "$TMP/f0" || { why "a foreign table changed"; return 1; }
	out=$(in_ns A "$FWGEN" remove 2>&1) || { why "second remove failed: $out"; return 1; }
	case $out in *"not there"*) ;; *) why "no note about the missing table: $out"; return 1 ;; esac
}
check "remove deletes fwgen's table only; a missing table is a note" t_remove_only_fwgen

t_remove_named_table() {
	in_ns A nft flush ruleset
	in_ns A "$FWGEN" apply -q "${A1[@]}" --table fw2 || { why "apply --table failed"; return 1; }
	in_ns A "$FWGEN" apply -q "${A1[@]}" || { why "apply failed"; return 1; }
	in_ns A "$FWGEN" remove -q --table fw2 || { why "remove --table failed"; return 1; }
	[ "$(in_ns A nft list tables)" = "table inet fwgen" ] ||
		{ why "tables left: $(in_ns A nft list tables | tr '\n' ' ')"; return 1; }
}
check "remove --table deletes that table only" t_remove_named_table

# --- commit-confirmed ---------------------------------------------------------

t_confirm_rollback() {
	local rc

	in_ns A nft flush ruleset
	foreign A
	in_ns A "$FWGEN" apply -q "${A1[@]}"
	# Hand changes inside fwgen's table are part of what comes back.
	in_ns A nft add rule inet fwgen input tcp dport 9999 counter accept comment '"by hand"'
	in_ns A nft add element inet fwgen user_v4 '{ 198.18.250.1 }'
	ruleset A >"$TMP/c0"
	in_ns A "$FWGEN" apply -q "${A2[@]}" --confirm 2 --wait </dev/null 2>"$TMP/err"
	rc=$?
	[ "$rc" = 1 ] || { why "exit $rc, want 1: $(cat "$TMP/err")"; return 1; }
	ruleset A >"$TMP/c1"
	cmp -s "$TMP/c0" "$TMP/c1" ||
		{ why "not restored exactly:" "$(diff "$TMP/c0" "$TMP/c1" | head)"; return 1; }
}
check "apply --confirm 2 without confirmation restores the previous table exactly, exit 1" t_confirm_rollback

t_confirm_rollback_none() {
	local rc

	in_ns A nft flush ruleset
	foreign A
	ruleset A >"$TMP/c0"
	in_ns A "$FWGEN" apply -q "${A2[@]}" --confirm 1 --wait </dev/null 2>/dev/null
	rc=$?
	[ "$rc" = 1 ] || { why "exit $rc, want 1"; return 1; }
	ruleset A | cmp -s - "$TMP/c0" || { why "the table was not removed:" "$(in_ns A nft list tables)"; return 1; }
}
check "apply --confirm without a previous table removes it on timeout" t_confirm_rollback_none

# A named counter would not come back from a rollback: refuse up front.
t_confirm_unrestorable() {
	local rc

	in_ns A nft flush ruleset
	in_ns A "$FWGEN" apply -q "${A1[@]}"
	in_ns A nft add counter inet fwgen hits
	ruleset A >"$TMP/u0"
	in_ns A "$FWGEN" apply -q "${A2[@]}" --confirm 1 --wait </dev/null 2>"$TMP/err"
	rc=$?
	[ "$rc" = 2 ] || { why "exit $rc, want 2"; return 1; }
	grep -q "stateful object" "$TMP/err" || { why "unclear message: $(cat "$TMP/err")"; return 1; }
	ruleset A | cmp -s - "$TMP/u0" || { why "the ruleset changed"; return 1; }
}
check "apply --confirm refuses a table it could not put back exactly" t_confirm_unrestorable

t_confirm_fifo() {
	local pid rc i

	in_ns A nft flush ruleset
	in_ns A "$FWGEN" apply -q "${A1[@]}"
	in_ns A "$FWGEN" apply -q "${A2[@]}" --confirm 20 --wait </dev/null 2>/dev/null &
	pid=$!
	for i in $(seq 1 100); do
		fifo_ready && break
		sleep 0.1
	done
	in_ns A "$FWGEN" confirm -q 2>"$TMP/confirm-err" ||
		{ why "fwgen confirm failed"; kill "$pid"; return 1; }
	wait "$pid"
	rc=$?
	[ "$rc" = 0 ] || { why "apply exited $rc, want 0"; return 1; }
	[ ! -s "$TMP/confirm-err" ] ||
		{ why "a kept confirm wrote an error: $(cat "$TMP/confirm-err")"; return 1; }
	sleep 0.2
	ruleset A | grep -q 'rabbitmq' || { why "the new ruleset did not stay"; return 1; }
	! fifo_ready || { why "the FIFO was left behind"; return 1; }
}
check "fwgen confirm from another session keeps the new ruleset" t_confirm_fifo

t_confirm_nobody() {
	! in_ns A "$FWGEN" confirm 2>"$TMP/err" && grep -q "is waiting" "$TMP/err" ||
		{ why "want exit 2 and a message: $(cat "$TMP/err")"; return 1; }
}
check "fwgen confirm with no apply waiting is an error" t_confirm_nobody

# --- anti-lockout -------------------------------------------------------------

t_lockout() {
	local rc

	in_ns A nft flush ruleset
	in_ns A "$FWGEN" apply -q "${A1[@]}"
	ruleset A >"$TMP/l0"
	# admin is 198.18.9.0/28 in the example inventory.
	SSH_CONNECTION="203.0.113.7 50022 198.18.1.10 22" \
		in_ns A "$FWGEN" apply -q "${A2[@]}" 2>"$TMP/err"
	rc=$?
	[ "$rc" = 2 ] || { why "blocked client: exit $rc, want 2"; return 1; }
	grep -q '203.0.113.7' "$TMP/err" && grep -q 'admin_v4' "$TMP/err" ||
		{ why "the message does not say why: $(cat "$TMP/err")"; return 1; }
	ruleset A | cmp -s - "$TMP/l0" || { why "a refused apply changed the ruleset"; return 1; }
	SSH_CONNECTION="203.0.113.7 50022 198.18.1.10 22" \
		in_ns A "$FWGEN" apply -q --force "${A2[@]}" ||
		{ why "--force did not apply"; return 1; }
	ruleset A | grep -q 'rabbitmq' || { why "--force: the new ruleset is not there"; return 1; }
	SSH_CONNECTION="198.18.9.5 50022 198.18.1.10 22" \
		in_ns A "$FWGEN" apply -q "${A1[@]}" ||
		{ why "an admin client was refused"; return 1; }
	SSH_CONNECTION="2001:db8:9::5 50022 2001:db8:1::10 22" \
		in_ns A "$FWGEN" apply -q "${A1[@]}" ||
		{ why "an IPv6 admin client was refused"; return 1; }
}
check "anti-lockout refuses a blocked SSH client, --force overrides" t_lockout

# The anti-lockout verdict against real traffic: for each client and port,
# fwgen's walk of the policy says admitted exactly when the kernel, with the
# policy loaded, lets a new TCP connection from that client through.
t_lockout_traffic() {
	local client server port want rc got host

	cat >"$TMP/lab-inv.yaml" <<'EOF'
topology: tachyon-single-server
roles:
  server: [198.18.1.10, "2001:db8:1::10"]
  admin: [198.18.9.0/28, "2001:db8:9::/64"]
EOF
	lab_host srv 198.18.1.10/15 2001:db8:1::10/32 &&
		lab_host adm 198.18.9.3/15 2001:db8:9::3/32 &&
		lab_host out 198.19.200.7/15 2001:db8:200::7/32 &&
		lab_listen srv --tcp 22,443 || { why "cannot build the lab"; return 1; }
	while read -r client server port want; do
		SSH_CONNECTION="$client 50000 $server $port" \
			lab_exec srv "$FWGEN" apply -q -i "$TMP/lab-inv.yaml" --role server 2>/dev/null
		rc=$?
		# Load it either way, then ask the kernel.
		lab_exec srv "$FWGEN" apply -q --force -i "$TMP/lab-inv.yaml" --role server ||
			{ why "apply --force failed"; return 1; }
		case $client in
		198.18.9.* | 2001:db8:9::*) host=adm ;;
		*) host=out ;;
		esac
		lab_probe "$host" connect --tcp "$server" "$port" --timeout-ms 500 >/dev/null 2>&1
		got=$?
		if [ "$want" = admitted ] && { [ "$rc" != 0 ] || [ "$got" != 0 ]; }; then
			why "$client -> $server:$port: fwgen exit $rc, probe exit $got; want admitted and open"
			return 1
		fi
		if [ "$want" = refused ] && { [ "$rc" != 2 ] || [ "$got" != 1 ]; }; then
			why "$client -> $server:$port: fwgen exit $rc, probe exit $got; want refused and closed"
			return 1
		fi
	done <<'EOF'
198.18.9.3 198.18.1.10 22 admitted
198.19.200.7 198.18.1.10 22 refused
198.19.200.7 198.18.1.10 443 admitted
2001:db8:9::3 2001:db8:1::10 22 admitted
2001:db8:200::7 2001:db8:1::10 22 refused
EOF
}
if lab_probe_bin >/dev/null 2>&1; then
	check "anti-lockout agrees with the kernel on real connections" t_lockout_traffic
else
	echo "skip: no probe binary (anti-lockout against real traffic)"
fi

# --- concurrency ----------------------------------------------------------------

reference() {	# FILE print-args...: the ruleset nft -f gives, in B
	local out=$1

	shift
	in_ns B nft flush ruleset
	"$FWGEN" print "$@" | in_ns B nft -f - && ruleset B >"$out"
}
reference "$TMP/ref1" "${A1[@]}"
reference "$TMP/ref2" "${A2[@]}"
reference "$TMP/ref3" "${A3[@]}"

t_concurrent_plain() {
	local i p1 p2 r1 r2

	for i in 1 2 3 4 5; do
		in_ns A nft flush ruleset
		in_ns A "$FWGEN" apply -q "${A2[@]}" & p1=$!
		in_ns A "$FWGEN" apply -q "${A3[@]}" & p2=$!
		wait "$p1"; r1=$?
		wait "$p2"; r2=$?
		[ "$r1" = 0 ] && [ "$r2" = 0 ] || { why "round $i: exits $r1 $r2"; return 1; }
		ruleset A >"$TMP/cc"
		cmp -s "$TMP/cc" "$TMP/ref2" || cmp -s "$TMP/cc" "$TMP/ref3" ||
			{ why "round $i: a mixed state:" "$(diff "$TMP/cc" "$TMP/ref2" | head)"; return 1; }
	done
}
check "two concurrent applies both succeed, one after the other" t_concurrent_plain

# A confirm window holds the lock: a second apply waits for the rollback,
# then applies. Without the lock the rollback would wipe the second apply.
t_concurrent_confirm() {
	local p1 p2 r1 r2 i

	in_ns A nft flush ruleset
	in_ns A "$FWGEN" apply -q "${A1[@]}"
	in_ns A "$FWGEN" apply -q "${A2[@]}" --confirm 2 --wait </dev/null 2>/dev/null & p1=$!
	for i in $(seq 1 100); do
		fifo_ready && break
		sleep 0.05
	done
	FWGEN_LOCK_TIMEOUT=20 in_ns A "$FWGEN" apply -q "${A3[@]}" & p2=$!
	wait "$p1"; r1=$?
	wait "$p2"; r2=$?
	[ "$r1" = 1 ] && [ "$r2" = 0 ] || { why "exits $r1 $r2, want 1 0"; return 1; }
	ruleset A | cmp -s - "$TMP/ref3" ||
		{ why "the second apply was lost or mixed:" "$(ruleset A | diff - "$TMP/ref3" | head)"; return 1; }
}
check "an apply waits for another's confirm window, then applies" t_concurrent_confirm

t_lock_timeout() {
	local p1 rc i

	in_ns A nft flush ruleset
	in_ns A "$FWGEN" apply -q "${A1[@]}"
	in_ns A "$FWGEN" apply -q "${A2[@]}" --confirm 10 --wait </dev/null 2>/dev/null & p1=$!
	for i in $(seq 1 100); do
		fifo_ready && break
		sleep 0.05
	done
	ruleset A >"$TMP/t0"
	FWGEN_LOCK_TIMEOUT=1 in_ns A "$FWGEN" apply -q "${A3[@]}" 2>"$TMP/err"
	rc=$?
	in_ns A "$FWGEN" confirm -q
	wait "$p1"
	[ "$rc" = 2 ] || { why "exit $rc, want 2"; return 1; }
	grep -q "another fwgen (pid $p1\|another fwgen (pid [0-9]" "$TMP/err" ||
		{ why "the message does not name the holder: $(cat "$TMP/err")"; return 1; }
	ruleset A | cmp -s - "$TMP/ref2" || { why "the first apply's ruleset is not the result"; return 1; }
}
check "a second apply gives up cleanly after FWGEN_LOCK_TIMEOUT" t_lock_timeout

# --- permission -------------------------------------------------------------------

t_no_cap() {
	local rc

	command -v capsh >/dev/null || { why "capsh missing"; return 1; }
	in_ns A nft flush ruleset
	in_ns A capsh --drop=cap_net_admin -- -c \
		"'$FWGEN' apply -q --topology tachyon-single-server --role server" 2>"$TMP/err"
	rc=$?
	[ "$rc" = 2 ] || { why "exit $rc, want 2"; return 1; }
	grep -q CAP_NET_ADMIN "$TMP/err" || { why "unclear message: $(cat "$TMP/err")"; return 1; }
	[ -z "$(ruleset A)" ] || { why "something was applied"; return 1; }
}
if command -v capsh >/dev/null; then
	check "without CAP_NET_ADMIN: exit 2 and a clear message" t_no_cap
else
	echo "skip: capsh not installed (no CAP_NET_ADMIN test)"
fi

# --- --role auto -------------------------------------------------------------------

# One inventory for the fleet: a host finds its roles by its own addresses.
t_role_auto() {
	local rc

	in_ns A nft flush ruleset
	in_ns A "$FWGEN" apply -q -i "$MORPH" --role auto 2>"$TMP/err"
	rc=$?
	[ $rc = 2 ] && grep -q "none of this host's addresses is bound to a host role" "$TMP/err" ||
		{ why "no address of the inventory: exit $rc" "$(cat "$TMP/err")"; return 1; }
	[ -z "$(in_ns A nft list ruleset)" ] || { why "something was applied"; return 1; }
	# 198.18.1.11 is the second app-tier node; the lab's lo holds it.
	in_ns A ip addr add 198.18.1.11/32 dev lo &&
		in_ns A ip addr add 2001:db8:1::11/128 dev lo nodad ||
		{ why "cannot add the addresses"; return 1; }
	in_ns A "$FWGEN" apply -q -i "$MORPH" --role auto 2>"$TMP/err" ||
		{ why "apply --role auto failed" "$(cat "$TMP/err")"; return 1; }
	in_ns A "$FWGEN" diff -q "${A1[@]}" ||
		{ why "--role auto did not find exactly app-tier"; return 1; }
	cmp -s <(in_ns A "$FWGEN" print -i "$MORPH" --role auto) <("$FWGEN" print "${A1[@]}") ||
		{ why "print --role auto differs from print --role app-tier"; return 1; }
	in_ns A ip addr del 198.18.1.11/32 dev lo
	in_ns A ip addr del 2001:db8:1::11/128 dev lo
	return 0
}
check "--role auto: the host's own addresses pick its roles; none is exit 2" t_role_auto

# --- 100,000 addresses: one transaction, diff, live updates ------------------------

# big_inventory FILE [EXTRA]: the Morpheus example with 100,000 user addresses,
# every other one so that nothing merges: 50,000 IPv4 in 198.18.0.0/15 and
# 50,000 IPv6 in 2001:db8::/32, plus EXTRA (one more address) when given.
big_inventory() {
	awk -v extra="${2:-}" '/^roles:/ { print; print "  user:"
			if (extra != "") printf "    - \"%s\"\n", extra
			for (i = 0; i < 50000; i++) {
				a = 2 * i
				printf "    - 198.%d.%d.%d\n", 18 + int(a / 65536), int(a / 256) % 256, a % 256
				printf "    - \"2001:db8::%x:%x\"\n", int(a / 65536), a % 65536 }
		next }
		/^  user:/ { next } { print }' "$MORPH" >"$1"
}

t_large_set() {
	local start end

	big_inventory "$TMP/big.yaml"
	in_ns A nft flush ruleset
	in_ns B nft flush ruleset
	start=$(date +%s%N)
	in_ns A "$FWGEN" apply -q -i "$TMP/big.yaml" --role app-tier ||
		{ why "apply failed"; return 1; }
	end=$(date +%s%N)
	echo "    100,000 addresses applied in $(( (end - start) / 1000000 )) ms"
	"$FWGEN" print -i "$TMP/big.yaml" --role app-tier | in_ns B nft -f - ||
		{ why "nft -f failed"; return 1; }
	cmp -s <(ruleset A) <(ruleset B) || { why "differs from nft -f"; return 1; }
	[ "$(in_ns A "$FWGEN" set list user | wc -l)" = 100000 ] ||
		{ why "not 100000 elements"; return 1; }
	in_ns A "$FWGEN" diff -q -i "$TMP/big.yaml" --role app-tier ||
		{ why "diff after apply is not clean"; return 1; }
}
check "100,000 addresses: one transaction, same as nft -f, diff clean" t_large_set

# Live updates of the 100,000-address set: what a new machine changes is what
# the inventory with that machine says, and diff sees nothing else.
t_large_set_live() {
	local out

	# Between 198.18.0.0 and 198.18.0.2: bridges them into one range, which
	# is no single host: out of the hash part, into the _net part.
	out=$(in_ns A "$FWGEN" set add user 198.18.0.1) || { why "set add failed"; return 1; }
	[ "$out" = "- element inet fwgen user_v4 { 198.18.0.0 }
- element inet fwgen user_v4 { 198.18.0.2 }
+ element inet fwgen user_v4_net { 198.18.0.0-198.18.0.2 }" ] || { why "set add printed:" "$out"; return 1; }
	big_inventory "$TMP/big-plus.yaml" 198.18.0.1
	in_ns A "$FWGEN" diff -q -i "$TMP/big-plus.yaml" --role app-tier ||
		{ why "a live add differs from the inventory with the address"; return 1; }
	out=$(in_ns A "$FWGEN" diff -i "$TMP/big.yaml" --role app-tier)
	[ $? = 1 ] && [ "$(echo "$out" | wc -l)" = 3 ] ||
		{ why "diff against the old inventory:" "$out"; return 1; }
	in_ns A "$FWGEN" set del -q user 198.18.0.1 ||
		{ why "set del failed"; return 1; }
	in_ns A "$FWGEN" diff -q -i "$TMP/big.yaml" --role app-tier ||
		{ why "after set del, diff is not clean"; return 1; }
}
check "100,000 addresses: a live add and del, diff against the inventory" t_large_set_live

# --- the host's own ruleset ---------------------------------------------------------

if [ "$(nft list tables 2>/dev/null)" != "$root_tables" ]; then
	not_ok "the root namespace's tables changed"
else
	ok "the root namespace was not touched"
fi

lab_summary
