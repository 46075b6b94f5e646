#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Audit mode, per-flow counters and `fwgen status`, with real IPv4 and IPv6
# connections in a lab of namespaces this test creates (never the host's):
#
# - audit: every probe the enforce policy would refuse succeeds and shows in
#   `status --json` under "refused" with its address, protocol and port (in
#   and, with egress filtered, out); every admitted probe counts on its flow;
# - enforce (one apply): the same probes are refused and listed as refused;
# - `fwgen diff` stays clean with counters and refused entries in the table;
# - status in all three topologies, its text and Prometheus forms, and
#   exit 2 with a message when the table is not there;
# - status on a table with 100k peer addresses and a full refused set
#   (65536 entries, the bound: a new tuple is then not recorded).
set -u

FWGEN=${FWGEN:-fwgen}
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for network namespaces"; exit 77; }
command -v nft >/dev/null || { echo "SKIP: nft not installed"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }

# shellcheck source=tests/netns/lab.sh
. "$(dirname "$0")/lab.sh"
lab_test_init
TMP=$LAB_TMP

S4=198.18.0.1 S6=2001:db8:0:1::1	# the Tachyon server: fwgen's host
B4=198.18.0.2 B6=2001:db8:0:1::2	# a browser and client: admitted
X4=198.18.0.3 X6=2001:db8:0:1::3	# a stranger: no role
lab_host s $S4/24 $S6/64 || { echo "FAIL: lab_host s"; exit 1; }
lab_host b $B4/24 $B6/64 || { echo "FAIL: lab_host b"; exit 1; }
lab_host x $X4/24 $X6/64 || { echo "FAIL: lab_host x"; exit 1; }
# 443 browser-https, 4000 switch (client), 8080 and udp 9999 no flow.
lab_listen s --tcp 443,4000,8080 --udp 9999 || { echo "FAIL: listen s"; exit 1; }
# What the server may not connect to with egress filtered.
lab_listen x --tcp 7777 || { echo "FAIL: listen x"; exit 1; }

# Every peer role bound, so nothing is "any": the stranger has no role.
cat >"$TMP/inv.yaml" <<EOF
topology: tachyon-single-server
mode: audit
egress: filtered
roles:
  server: [$S4, "$S6"]
  browser: [$B4, "$B6"]
  client: [$B4, "$B6"]
  sql-server: [198.18.1.20]
  ssas-server: [198.18.1.21]
  catalog-server: [198.18.1.30]
  consumer: [198.18.1.40]
  bi-tools: [198.18.1.64/26]
  mail-server: [198.18.1.25]
  cloud-services: [198.18.1.128/25]
  admin: [198.18.1.5]
  dns-server: [198.18.1.53]
  time-source: [198.18.1.123]
EOF
INV=(-i "$TMP/inv.yaml" --role server)

status_json() {	# writes $TMP/status.json
	lab_exec s "$FWGEN" status --json >"$TMP/status.json" 2>"$TMP/err"
}

# check_json NAME PYTHON-EXPRESSION: true over the status JSON as `s`.
check_json() {
	local name=$1 expr=$2
	if python3 - "$TMP/status.json" "$expr" >"$TMP/py" 2>&1 <<'EOF'; then
import json, sys
s = json.load(open(sys.argv[1]))
def refused(fam, d, addr, proto, port):
    return [r for r in s["refused"] if r["family"] == fam and r["direction"] == d
            and r["address"] == addr and r["proto"] == proto and r["port"] == port]
def flow(i):
    return [f for f in s["flows"] if f["id"] == i][0]
if not eval(sys.argv[2]):
    print(json.dumps(s, indent=1)[:3000])
    sys.exit(1)
EOF
		ok "$name"
	else
		not_ok "$name" "$(cat "$TMP/py")"
	fi
}

# probe_all EXPECT: the refused probes, from the stranger and the server.
plan_refused() {	# open|closed
	cat <<EOF
tcp $S4 443 $1
tcp $S6 443 $1
udp $S4 9999 $1
tcp $S6 8080 $1
EOF
}

run_plan() {	# NAME FROM: the plan on stdin
	local name=$1 from=$2 out rc=0
	out=$(lab_probe "$from" many --timeout-ms 400 -) || rc=$?
	if [ "$rc" = 0 ]; then
		ok "$name"
	else
		not_ok "$name" "$(echo "$out" | grep -v '^PASS')"
	fi
}

# --- audit ---------------------------------------------------------------

if lab_exec s "$FWGEN" apply -q "${INV[@]}" 2>"$TMP/err"; then
	ok "apply in audit mode (inventory)"
else
	not_ok "apply in audit mode (inventory)" "$(cat "$TMP/err")"
fi
printf 'tcp %s 443 open\ntcp %s 443 open\ntcp %s 4000 open\ntcp %s 4000 open\n' \
	$S4 $S6 $S4 $S6 | run_plan "audit: admitted probes from b (v4, v6) pass" b
plan_refused open | run_plan "audit: every probe enforce would refuse passes (v4, v6, tcp, udp)" x
printf 'tcp %s 7777 open\n' $X4 | run_plan "audit: outbound to a port no flow allows passes" s

status_json || not_ok "status --json" "$(cat "$TMP/err")"
check_json "audit: status says mode audit, topology and role" \
	's["mode"] == "audit" and s["topology"] == "tachyon-single-server" and s["roles"] == ["server"]'
check_json "audit: refused lists $X4 tcp 443 (in)" 'refused(4, "in", "'$X4'", "tcp", 443)'
check_json "audit: refused lists $X6 tcp 443 (in)" 'refused(6, "in", "'$X6'", "tcp", 443)'
check_json "audit: refused lists $X4 udp 9999 (in)" 'refused(4, "in", "'$X4'", "udp", 9999)'
check_json "audit: refused lists $X6 tcp 8080 (in)" 'refused(6, "in", "'$X6'", "tcp", 8080)'
check_json "audit: refused lists $X4 tcp 7777 (out, the destination)" 'refused(4, "out", "'$X4'", "tcp", 7777)'
check_json "audit: every refused entry has packets, the largest first" \
	'all(r["packets"] >= 1 for r in s["refused"]) and [r["packets"] for r in s["refused"]] == sorted([r["packets"] for r in s["refused"]], reverse=True)'
check_json "audit: the admitted peer is not refused" \
	'not [r for r in s["refused"] if r["address"] in ("'$B4'", "'$B6'")]'
check_json "audit: browser-https counts the admitted 443 probes" \
	'flow("browser-https")["packets"] >= 2 and flow("browser-https")["bytes"] > 0'
check_json "audit: switch counts the admitted 4000 probes" 'flow("switch")["packets"] >= 2'
check_json "audit: a flow nobody used counts 0" 'flow("integrate")["packets"] == 0'
a443=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print([f for f in s["flows"] if f["id"]=="browser-https"][0]["packets"])' "$TMP/status.json")

if lab_exec s "$FWGEN" diff -q "${INV[@]}"; then
	ok "audit: diff is clean with counters and refused entries"
else
	not_ok "audit: diff is clean with counters and refused entries" \
		"$(lab_exec s "$FWGEN" diff "${INV[@]}" 2>&1 | head -10)"
fi
lab_exec s "$FWGEN" diff --enforce "${INV[@]}" >"$TMP/d" 2>&1
if grep -q "policy accept, want drop (audit mode, want enforce)" "$TMP/d"; then
	ok "audit: diff --enforce names the live mode"
else
	not_ok "audit: diff --enforce names the live mode" "$(head -5 "$TMP/d")"
fi

# --- enforce: one atomic apply -------------------------------------------

if lab_exec s "$FWGEN" apply -q --enforce "${INV[@]}" 2>"$TMP/err"; then
	ok "apply --enforce wins over the inventory's mode"
else
	not_ok "apply --enforce wins over the inventory's mode" "$(cat "$TMP/err")"
fi
plan_refused closed | run_plan "enforce: the same probes are refused" x
printf 'tcp %s 7777 closed\n' $X4 | run_plan "enforce: outbound to a port no flow allows is refused" s
printf 'tcp %s 443 open\ntcp %s 443 open\n' $S4 $S6 |
	run_plan "enforce: admitted probes still pass" b
status_json || not_ok "status --json" "$(cat "$TMP/err")"
check_json "enforce: status says mode enforce" 's["mode"] == "enforce"'
check_json "enforce: refused lists the refused probes, in and out" \
	'refused(4, "in", "'$X4'", "tcp", 443) and refused(6, "in", "'$X6'", "tcp", 443) and refused(4, "in", "'$X4'", "udp", 9999) and refused(6, "in", "'$X6'", "tcp", 8080) and refused(4, "out", "'$X4'", "tcp", 7777)'
check_json "enforce: new counters count the admitted probes" \
	'flow("browser-https")["packets"] >= 2'
if lab_exec s "$FWGEN" diff -q --enforce "${INV[@]}"; then
	ok "enforce: diff is clean with counters and refused entries"
else
	not_ok "enforce: diff is clean with counters and refused entries" \
		"$(lab_exec s "$FWGEN" diff --enforce "${INV[@]}" 2>&1 | head -10)"
fi

# --- the other forms ------------------------------------------------------

lab_exec s "$FWGEN" status >"$TMP/text" 2>&1
if grep -q "^table inet fwgen: enforce mode" "$TMP/text" &&
   grep -q "applied for: topology tachyon-single-server, role server" "$TMP/text" &&
   grep -Eq "^  in +$X4 +tcp +443 +[0-9]+" "$TMP/text"; then
	ok "status text: mode, applied for, refused lines"
else
	not_ok "status text: mode, applied for, refused lines" "$(head -30 "$TMP/text")"
fi
lab_exec s "$FWGEN" status --format prometheus >"$TMP/prom" 2>&1
if grep -q '^fwgen_audit_mode{table="fwgen"} 0$' "$TMP/prom" &&
   grep -Eq '^fwgen_flow_packets_total\{table="fwgen",flow="browser-https"\} [1-9][0-9]*$' "$TMP/prom" &&
   grep -Eq '^fwgen_flow_bytes_total\{table="fwgen",flow="browser-https"\} [1-9][0-9]*$' "$TMP/prom" &&
   grep -Eq '^fwgen_refused_packets_total\{table="fwgen",family="4",direction="in",address="'$X4'",proto="tcp",port="443"\} [1-9][0-9]*$' "$TMP/prom" &&
   grep -Eq '^fwgen_refused_entries\{table="fwgen"\} [1-9][0-9]*$' "$TMP/prom" &&
   ! grep -Ev '^(# (HELP|TYPE) fwgen_[a-z_]+ .*|fwgen_[a-z_]+\{[^}]*\} [0-9]+)$' "$TMP/prom" | grep -q .; then
	ok "status --format prometheus: textfile metrics"
else
	not_ok "status --format prometheus: textfile metrics" "$(head -20 "$TMP/prom")"
fi

# --- a missing table, every topology -------------------------------------

lab_exec s "$FWGEN" remove -q
rc=0
lab_exec s "$FWGEN" status >"$TMP/out" 2>"$TMP/err" || rc=$?
if [ "$rc" = 2 ] && grep -q "table inet fwgen is not there" "$TMP/err" && [ ! -s "$TMP/out" ]; then
	ok "status without the table: exit 2, a clear message"
else
	not_ok "status without the table: exit 2, a clear message" "exit $rc: $(cat "$TMP/err")"
fi

for topo in morpheus-distributed tachyon-single-server dmcm-cluster; do
	role=$("$FWGEN" catalog list | awk -v t="$topo" '
		/^[a-z]/ { cur = $1 }
		cur == t && /host roles:/ { sub(/.*host roles: /, ""); sub(/,.*/, ""); print }')
	if lab_exec s "$FWGEN" apply -q --audit --topology "$topo" --role "$role" 2>"$TMP/err" &&
	   lab_exec s "$FWGEN" status --json >"$TMP/status.json" 2>"$TMP/err"; then
		check_json "status in $topo ($role)" \
			's["mode"] == "audit" and s["topology"] == "'$topo'" and s["roles"] == ["'"$role"'"] and len(s["flows"]) > 0'
	else
		not_ok "status in $topo ($role)" "$(cat "$TMP/err")"
	fi
done

# --- large: 100k peer addresses, a full refused set ---------------------

# Half IPv4, half IPv6, distinct and not adjacent (so no merging), as the
# benchmark has them; the refused set filled to its bound, 65536 entries.
awk -v s4=$S4 -v s6=$S6 'BEGIN {
	print "topology: tachyon-single-server\nmode: audit\nroles:"
	printf "  server: [%s, \"%s\"]\n  browser:\n", s4, s6
	for (i = 0; i < 50000; i++)
		printf "    - 198.%d.%d.%d\n", 18 + int(2 * i / 65536), int(2 * i / 256) % 256, (2 * i) % 256
	for (i = 0; i < 50000; i++)
		printf "    - \"2001:db8:1::%x:%x\"\n", int(2 * i / 65536), (2 * i) % 65536
}' >"$TMP/big.yaml"
awk 'BEGIN {
	printf "add element inet fwgen refused_in_v4 { "
	for (i = 0; i < 65536; i++)
		printf "%s198.19.%d.%d . tcp . %d", i ? ", " : "", int(i / 256), i % 256, 1024 + i % 7
	print " }"
}' >"$TMP/refused.nft"
if lab_exec s "$FWGEN" apply -q -i "$TMP/big.yaml" --role server 2>"$TMP/err" &&
   lab_exec s nft -f "$TMP/refused.nft" 2>"$TMP/err"; then
	# The set is full: a new tuple is not recorded (and still accepted).
	printf 'tcp %s 8080 open\ntcp %s 8080 open\n' $S4 $S6 | run_plan "large: audit still accepts with the refused set full" x
	t0=$(date +%s%N)
	if lab_exec s "$FWGEN" status --json >"$TMP/status.json" 2>"$TMP/err"; then
		t1=$(date +%s%N)
		check_json "large: status with 100k peers and 65536 refused entries ($(( (t1 - t0) / 1000000 )) ms)" \
			'len([r for r in s["refused"] if r["family"] == 4]) == 65536 and s["mode"] == "audit"'
		check_json "large: the full set took no new entry; the IPv6 set did" \
			'not refused(4, "in", "'$X4'", "tcp", 8080) and refused(6, "in", "'$X6'", "tcp", 8080)'
	else
		not_ok "large: status with 100k peers and 65536 refused entries" "$(cat "$TMP/err")"
	fi
else
	not_ok "large: apply 100k peers and fill the refused set" "$(head -3 "$TMP/err")"
fi

# The counters were not reset by reading them: the audit count was kept
# until the enforce apply replaced the table (a fresh table counts anew).
if [ -n "$a443" ] && [ "$a443" -ge 2 ]; then
	ok "audit counters read back as numbers ($a443)"
else
	not_ok "audit counters read back as numbers" "$a443"
fi

lab_cleanup
lab_summary
