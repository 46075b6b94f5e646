#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The iptables output in one namespace lab (tests/netns/lab.sh, never the
# host's namespace): for every topology of the catalog, with egress open and
# with egress filtered, one node per role (two per host role, so a role can
# reach itself), all on the lab's bridge, each of those six labs with an
# inventory that binds its roles to its nodes. Every host node loads its
# role's rules with the stock tools, in the documented order: ipset restore,
# then iptables-restore --noflush and ip6tables-restore --noflush. Then:
#  - iptables-save and ip6tables-save show fwgen's chains exactly as
#    rendered (one line per rule, same quoting);
#  - loading everything again, then removing the extra jump as
#    docs/iptables.md says, leaves one jump per built-in chain;
#  - real TCP and UDP flows over IPv4 and IPv6, as tests/netns/lab-plan
#    plans them from the catalog (not from resolve), are open or closed as
#    the catalog says: `probe many` from every node at once.
# All labs are built at once and loaded in parallel (LAB_JOBS at a time,
# default nproc + 2); each probe waits LAB_TIMEOUT_MS (2000) at most.
# Set FWGEN_LAB_BACKEND=nft to run the same lab on the nft output, to tell
# a renderer's fault from a policy's; FWGEN_LAB_BACKEND=apply has every host
# node run `fwgen apply --role auto` itself (netlink, no nft binary; the node
# finds its role by its addresses) and then requires `fwgen diff` to find
# nothing: the issues' lab for apply and --role auto. IPTABLES_RESTORE,
# IP6TABLES_RESTORE, IPTABLES_SAVE and IP6TABLES_SAVE pick other binaries
# (e.g. the -legacy ones).
set -u

FWGEN=${FWGEN:-fwgen}
ROOT=${FWGEN_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
LAB_PLAN=${LAB_PLAN:-}
BACKEND=${FWGEN_LAB_BACKEND:-iptables}
IPT_RESTORE=${IPTABLES_RESTORE:-iptables-restore}
IP6T_RESTORE=${IP6TABLES_RESTORE:-ip6tables-restore}
IPT_SAVE=${IPTABLES_SAVE:-iptables-save}
IP6T_SAVE=${IP6TABLES_SAVE:-ip6tables-save}
# open answers come back in microseconds; the margin is for a loaded machine
TIMEOUT_MS=${LAB_TIMEOUT_MS:-2000}
JOBS=${LAB_JOBS:-$(($(nproc 2>/dev/null || echo 1) + 2))}

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for network namespaces"; exit 77; }
case $BACKEND in
iptables) tools="ipset $IPT_RESTORE $IP6T_RESTORE $IPT_SAVE $IP6T_SAVE" ;;
nft) tools=nft ;;
apply) tools= ;;
*) echo "FAIL: FWGEN_LAB_BACKEND=$BACKEND: want iptables, nft or apply"; exit 1 ;;
esac
for tool in ip nsenter $tools; do
	command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done
if [ -z "$LAB_PLAN" ]; then
	for p in "${FWGEN%/tools/fwgen}/tests/netns/lab-plan" "$ROOT/build/tests/netns/lab-plan"; do
		[ -x "$p" ] && { LAB_PLAN=$p; break; }
	done
fi
if [ -z "$LAB_PLAN" ] || [ ! -x "$LAB_PLAN" ]; then
	echo "SKIP: lab-plan not built (set LAB_PLAN)"
	exit 77
fi

# shellcheck source=lab.sh
. "$ROOT/tests/netns/lab.sh"
lab_test_init
lab_probe_bin >/dev/null || { echo "FAIL: no probe binary (set PROBE)"; exit 1; }
T=$LAB_TMP
export FWGEN_RUN_DIR=$T/run	# this run's locks, not the machine's
t_start=${EPOCHREALTIME/./}

# Milliseconds since the start, for the timing line at the end.
ms() { echo $(((${EPOCHREALTIME/./} - t_start) / 1000)); }

# Run "$@" in the background once fewer than JOBS of ours run.
spawn() {
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do
		wait -n
	done
	"$@" &
}

# Plan every lab: lab L is a topology with egress open or filtered. Node k
# of lab L is host l<L>n<k>, at 198.18.L.(k+10) and 2001:db8:1ab::L:(k+10),
# all of them in one subnet; no inventory names another lab's nodes, so
# labs never see each other's flows. $T/lab<L>/nodes: "k host role".
"$FWGEN" catalog list >"$T/catalog" 2>"$T/err" ||
	{ echo "FAIL: fwgen catalog list: $(cat "$T/err")"; exit 1; }
topologies=$(awk '/^[a-z]/ { print $1 }' "$T/catalog")
[ -n "$topologies" ] || { echo "FAIL: no topologies in the catalog"; exit 1; }
labs=()
specs=()
L=0
for topo in $topologies; do
	for egress in open filtered; do
		d=$T/lab$L
		mkdir -p "$d/rules"
		echo "$topo/egress-$egress" >"$d/name"
		plan_args=()
		[ "$egress" = filtered ] && plan_args=(--egress)
		if ! "$LAB_PLAN" "$topo" "${plan_args[@]}" >"$d/plan" 2>"$T/err"; then
			not_ok "$topo/egress-$egress: lab-plan" "$(cat "$T/err")"
			L=$((L + 1))
			continue
		fi
		k=0
		: >"$d/nodes"
		while read -r _ role kind; do
			for n in 1 2; do
				[ $n = 1 ] || [ "$kind" = host ] || continue
				echo "$k l${L}n$k $role" >>"$d/nodes"
				specs+=("l${L}n$k 198.18.$L.$((k + 10))/16 2001:db8:1ab::$L:$((k + 10))/64")
				k=$((k + 1))
			done
		done < <(grep '^role ' "$d/plan")
		{
			echo "topology: $topo"
			echo "egress: $egress"
			echo "roles:"
			while read -r _ role _; do
				awk -v r="$role" -v L="$L" '
					$3 == r { a = a s "198.18." L "." ($1 + 10) ", \"2001:db8:1ab::" L ":" ($1 + 10) "\""; s = ", " }
					END { print "  " r ": [" a "]" }' "$d/nodes"
			done < <(grep '^role ' "$d/plan")
		} >"$d/inv.yaml"
		labs+=("$L")
		L=$((L + 1))
	done
done
[ ${#specs[@]} -le 1000 ] || { echo "FAIL: ${#specs[@]} nodes, the bridge takes 1024"; exit 1; }

lab_hosts "${specs[@]}" || { echo "FAIL: lab_hosts"; exit 1; }
for L in "${labs[@]}"; do
	# shellcheck disable=SC2046 # one argument per host
	lab_neigh $(awk '{ print $2 }' "$T/lab$L/nodes") ||
		{ echo "FAIL: lab_neigh in lab $L"; exit 1; }
done
t_hosts=$(ms)

# One host node's rules, loaded and checked; prints ok/FAIL lines for
# lab_tally, as it runs in the background.
load_iptables() {	# L host role
	local lab ns=$2 role=$3 d="$T/lab$1/rules/$3" err="$T/err.$2"
	local f load save n want t cmd builtin own dup
	lab=$(cat "$T/lab$1/name")
	for load in 1 2; do
		lab_exec "$ns" ipset restore <"$d.ipset" 2>"$err" ||
			{ not_ok "$lab/$role: ipset restore (load $load)" "$(head -3 "$err")"; return 1; }
		lab_exec "$ns" "$IPT_RESTORE" --noflush <"$d.iptables" 2>"$err" ||
			{ not_ok "$lab/$role: $IPT_RESTORE --noflush (load $load)" "$(head -3 "$err")"; return 1; }
		lab_exec "$ns" "$IP6T_RESTORE" --noflush <"$d.ip6tables" 2>"$err" ||
			{ not_ok "$lab/$role: $IP6T_RESTORE --noflush (load $load)" "$(head -3 "$err")"; return 1; }
		[ "$load" = 1 ] || continue
		# What the kernel holds is what was rendered, line for line.
		for f in iptables ip6tables; do
			save=$IPT_SAVE
			[ "$f" = ip6tables ] && save=$IP6T_SAVE
			if diff -u <(grep '^-A FWGEN' "$d.$f" | sort) \
				<(lab_exec "$ns" "$save" | grep '^-A FWGEN' | sort) >"$err"; then
				ok "$lab/$role ($ns): $save is the $f output"
			else
				not_ok "$lab/$role ($ns): $save differs from the $f output" \
					"$(head -20 "$err")"
			fi
		done
	done
	# The second load added a second jump: remove the extras as the docs say
	# (docs/iptables.md), reading each family's tables once, not per table.
	for f in iptables ip6tables; do
		# iptables-restore -> iptables, iptables-legacy-restore -> iptables-legacy
		cmd=${IPT_RESTORE%-restore}
		save=$IPT_SAVE
		if [ "$f" = ip6tables ]; then
			cmd=${IP6T_RESTORE%-restore}
			save=$IP6T_SAVE
		fi
		lab_exec "$ns" "$save" | jumps |
		while read -r t builtin own dup; do
			for ((n = 1; n < dup; n++)); do
				lab_exec "$ns" "$cmd" -t "$t" -D "$builtin" -j "$own" || break
			done
		done
		lab_exec "$ns" "$save" >"$err.saved"
		for t in filter nat raw; do
			n=$(awk -v t="$t" '/^\*/ { c = substr($0, 2) }
				c == t && /^-A [A-Z]* -j FWGEN-/ { n++ } END { print n + 0 }' "$err.saved")
			want=$(sed -n "/^\*$t\$/,/^COMMIT/p" "$d.$f" | grep -c '^-I ')
			if [ "$n" = "$want" ]; then
				ok "$lab/$role ($ns): $f -t $t: $n jumps after reloading"
			else
				not_ok "$lab/$role ($ns): $f -t $t: $n jumps into fwgen's chains after reloading, want $want"
			fi
		done
	done
}

# Of iptables-save's output: "table builtin chain count" for each jump from
# a built-in chain into one of fwgen's.
jumps() {
	awk '/^\*/ { t = substr($0, 2) }
		/^-A [A-Z]+ -j FWGEN-[A-Z]+$/ { n[t " " $2 " " $4]++ }
		END { for (k in n) print k, n[k] }'
}

load_nft() {	# L host role
	local lab ns=$2 role=$3 err="$T/err.$2"
	lab=$(cat "$T/lab$1/name")
	if lab_exec "$ns" nft -f "$T/lab$1/rules/$role.nft" 2>"$err"; then
		ok "$lab/$role ($ns): nft -f"
	else
		not_ok "$lab/$role ($ns): nft -f" "$(head -3 "$err")"
	fi
}

# One inventory for the whole lab, as for a fleet: each node finds its role
# by its own addresses (--role auto); diff with the role named then proves
# it found exactly that one. Each node keeps its boot-path state apart.
load_apply() {	# L host role
	local lab ns=$2 role=$3 err="$T/err.$2" inv="$T/lab$1/inv.yaml"
	lab=$(cat "$T/lab$1/name")
	export FWGEN_STATE_DIR="$T/state/$ns"
	if ! lab_exec "$ns" "$FWGEN" apply -q -i "$inv" --role auto 2>"$err"; then
		not_ok "$lab/$role ($ns): fwgen apply --role auto" "$(head -3 "$err")"
	elif ! lab_exec "$ns" "$FWGEN" diff -q -i "$inv" --role "$role" 2>"$err"; then
		not_ok "$lab/$role ($ns): fwgen diff --role $role after apply --role auto is not clean" \
			"$(head -3 "$err")"
	else
		ok "$lab/$role ($ns): apply --role auto, then diff clean"
	fi
}

# Render each host role's rules once per lab, LAB_JOBS at a time.
render() {	# L role
	local f d="$T/lab$1/rules/$2" out=()
	case $BACKEND in
	iptables) out=(ipset iptables ip6tables) ;;
	nft) out=(nft) ;;
	*) return 0 ;;
	esac
	for f in "${out[@]}"; do
		"$FWGEN" print -i "$T/lab$1/inv.yaml" --role "$2" --format "$f" >"$d.$f" 2>"$d.err" ||
			{ not_ok "$(cat "$T/lab$1/name")/$2: fwgen print --format $f" "$(cat "$d.err")"; return 1; }
	done
}
mkdir -p "$T/out" "$T/state"
for L in "${labs[@]}"; do
	while read -r _ role _; do
		spawn render "$L" "$role" >"$T/out/render.$L.$role"
	done < <(grep '^role [^ ]* host$' "$T/lab$L/plan")
done
wait
lab_tally "$T"/out/render.*
[ "$LAB_FAIL" = 0 ] || { lab_summary; exit 1; }
t_render=$(ms)

# Firewalls on every node of every host role, in parallel.
for L in "${labs[@]}"; do
	while read -r _ host role; do
		grep -qx "role $role host" "$T/lab$L/plan" || continue
		spawn "load_$BACKEND" "$L" "$host" "$role" >"$T/out/load.$host" 2>&1
	done <"$T/lab$L/nodes"
done
wait
lab_tally "$T"/out/load.*
t_load=$(ms)

# Listeners: every node of a role on every port planned for the role.
for L in "${labs[@]}"; do
	while read -r _ host role; do
		args=$(awk -v r="$role" '$1 == "listen" && $2 == r { p[$3] = p[$3] s[$3] $4; s[$3] = "," }
			END { for (x in p) printf " --%s %s", x, p[x] }' "$T/lab$L/plan")
		[ -n "$args" ] || continue
		# shellcheck disable=SC2086 # the options as awk wrote them
		lab_listen_start "$host" $args || { echo "FAIL: listener on $host"; exit 1; }
	done <"$T/lab$L/nodes"
done
lab_listen_wait || { echo "FAIL: listeners"; exit 1; }
t_listen=$(ms)

# Probes, one `probe many` per source node, all nodes of all labs at once.
# $T/probe/<host>: the plan for probe, <host>.why: "lab from to proto port
# family" for each line of it, in the same order as probe reports them.
mkdir -p "$T/probe"
for L in "${labs[@]}"; do
	lab=$(cat "$T/lab$L/name")
	awk -v L="$L" -v lab="$lab" -v dir="$T/probe" '
		FILENAME ~ /nodes$/ {
			if (!($3 in first)) first[$3] = $1; else if (!($3 in second)) second[$3] = $1
			host[$1] = $2
			next
		}
		$1 == "probe" {
			from = $2; to = $3
			if (!(to in first)) next
			s = from == to ? second[from] : first[from]
			if (s == "") next
			t = first[to]
			f = dir "/" host[s]
			printf "%s 198.18.%d.%d %s %s\n", $4, L, t + 10, $5, $6 >f
			printf "%s %s %s %s %s ipv4\n", lab, from, to, $4, $5 >(f ".why")
			printf "%s 2001:db8:1ab::%d:%d %s %s\n", $4, L, t + 10, $5, $6 >f
			printf "%s %s %s %s %s ipv6\n", lab, from, to, $4, $5 >(f ".why")
		}' "$T/lab$L/nodes" "$T/lab$L/plan"
done
nhosts=0
for f in "$T"/probe/*.why; do
	host=${f##*/}
	host=${host%.why}
	nhosts=$((nhosts + 1))
	lab_probe "$host" many --timeout-ms "$TIMEOUT_MS" "$T/probe/$host" \
		>"$T/probe/$host.out" 2>"$T/probe/$host.err" &
	echo $! >"$T/probe/$host.pid"
done
for f in "$T"/probe/*.why; do
	host=${f##*/}
	host=${host%.why}
	rc=0
	wait "$(<"$T/probe/$host.pid")" || rc=$?
	if [ "$rc" -gt 1 ]; then
		not_ok "probe many from $host: exit $rc" "$(head -3 "$T/probe/$host.err")"
		rm -f "$f"
	fi
done
# Line i of an answer is line i of its plan: side by side, each line must
# hold both, "lab from to proto port family" then probe's verdict.
for f in "$T"/probe/*.why; do
	paste -d ' ' "$f" "${f%.why}.out"
done | awk '
	$1 ~ /^[0-9]+$/ && $2 == "passed," { next }	# the tally of probe many
	NF == 12 && $7 == "PASS" { pass++; next }
	NF >= 12 && $7 == "FAIL" {
		got = $12; sub(/^got=/, "", got); want = $11; sub(/^expected=/, "", want)
		why = ""; for (i = 13; i <= NF; i++) why = why " " $i
		printf "FAIL %s: %s -> %s %s %s over %s: %s, want %s%s\n", $1, $2, $3, $4, $5, $6, got, want, why
		next
	}
	{ printf "FAIL probe plan and answer out of step: %s\n", $0 }
	END { printf "passed %d\n", pass }' >"$T/probe/verdicts"
grep '^FAIL ' "$T/probe/verdicts"
n=$(grep -c '^FAIL ' "$T/probe/verdicts")
LAB_FAIL=$((LAB_FAIL + n))
npassed=$(sed -n 's/^passed //p' "$T/probe/verdicts")
nprobes=$(cat "$T"/probe/*.why | wc -l)
ok_n "$npassed" "of $nprobes probes from $nhosts nodes as the catalog says"
t_probe=$(ms)

# Nothing of fwgen's may have reached the host's own namespace.
if nft list ruleset 2>/dev/null | grep -q 'FWGEN-\|table inet fwgen' ||
   ipset list -n 2>/dev/null | grep -q '^fwgen-'; then
	not_ok "fwgen chains or sets in the root namespace"
fi
echo "times (ms): ${#specs[@]} hosts $t_hosts, render $((t_render - t_hosts)), load $((t_load - t_render)), listeners $((t_listen - t_load)), probes $((t_probe - t_listen))"
lab_summary
