#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 15 in the namespace lab (namespaces this test creates, never the
# host's): rulesets applied with `fwgen apply` and real traffic.
#  - PXE: a TFTP read through the app tier's redirect 69 -> 6969, the reply
#    from a new server port, with egress open and filtered; the same ruleset
#    without its `ct helper set` must fail under filtered egress, so the
#    helper is what makes it pass. The same with the iptables output (CT
#    target in the raw table), and without that rule.
#  - The catalog-server host, named alone: browsers and the Tachyon server
#    reach it on 80, nothing else does; remote_catalog: false is refused.
#  - managed_checks: a check from the application tier reaches a managed
#    machine's MySQL and SNMP ports only with the option on.
#  - The Tachyon server reaches active-directory under filtered egress.
set -u

FWGEN=${FWGEN:-fwgen}
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for network namespaces"; exit 77; }
command -v nft >/dev/null || { echo "SKIP: nft not installed"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 not installed (tftp-peer.py)"; exit 77; }
PEER=$(dirname "$0")/tftp-peer.py

# shellcheck source=tests/netns/lab.sh
. "$(dirname "$0")/lab.sh"
lab_test_init
lab_probe_bin >/dev/null || { echo "FAIL: no probe binary (set PROBE)"; exit 1; }
TMP=$LAB_TMP
export FWGEN_RUN_DIR="$TMP/run"

# apply HOST INVENTORY ROLE: fwgen apply inside the host's namespace.
apply() {
	if lab_exec "$1" "$FWGEN" apply -i "$2" --role "$3" >"$TMP/out" 2>&1; then
		return 0
	fi
	not_ok "apply $3 ($2)" "$(cat "$TMP/out")"
	return 1
}

# expect NAME open|closed FROM tcp|udp ADDRESS PORT
expect() {
	local name=$1 want=$2 got=closed
	lab_probe "$3" connect "--$4" "$5" "$6" --timeout-ms 700 >/dev/null 2>&1 && got=open
	if [ "$got" = "$want" ]; then
		ok "$name"
	else
		not_ok "$name" "$3 -> $5 $4/$6: $got, want $want"
	fi
}

# ---------------------------------------------------------------------------
# Morpheus: app tier a, managed machine m, o in no role
# ---------------------------------------------------------------------------
lab_host a 198.18.0.10/24 2001:db8:0:1::10/64 &&
	lab_host m 198.18.0.20/24 2001:db8:0:1::20/64 &&
	lab_host o 198.18.0.30/24 2001:db8:0:1::30/64 ||
	{ echo "FAIL: lab_host"; exit 1; }

morpheus_inv() {	# FILE EGRESS [OPTION: VALUE]
	cat >"$1" <<YAML
topology: morpheus-distributed
egress: $2
roles:
  app-tier: [198.18.0.10, "2001:db8:0:1::10"]
  managed-machine: [198.18.0.20, "2001:db8:0:1::20"]
  admin: [198.18.9.0/28]
  dns-server: [198.18.9.53]
  time-source: [198.18.9.123]
${3:+options:
  $3}
YAML
}
morpheus_inv "$TMP/open.yaml" open
morpheus_inv "$TMP/filtered.yaml" filtered

# The kernel's tftp helper (nf_conntrack_tftp): load it where modules are
# loadable; only when no ct helper object of type tftp can be made is the
# PXE part impossible to test here.
command -v modprobe >/dev/null && modprobe nf_conntrack_tftp 2>/dev/null
if ! printf 'table inet probe { ct helper t { type "tftp" protocol udp; }; }\n' |
	lab_exec a nft -f - 2>"$TMP/err"; then
	echo "SKIP: the kernel has no tftp conntrack helper (nf_conntrack_tftp): $(cat "$TMP/err")"
	exit 77
fi
lab_exec a nft delete table inet probe

lab_exec a python3 "$PEER" server 6969 >"$TMP/tftp-server.log" 2>&1 &
for _ in $(seq 50); do grep -q ready "$TMP/tftp-server.log" 2>/dev/null && break; sleep 0.1; done
grep -q ready "$TMP/tftp-server.log" || { echo "FAIL: tftp server did not start"; exit 1; }

# tftp NAME pass|fail ADDRESS: a read from m to a's port 69.
tftp() {
	local out rc
	out=$(lab_exec m python3 "$PEER" client "$3" 69 2>&1)
	rc=$?
	if { [ "$2" = pass ] && [ $rc = 0 ]; } || { [ "$2" = fail ] && [ $rc != 0 ]; }; then
		ok "$1 ($out)"
	else
		not_ok "$1" "want $2, client said: $out" "server: $(tail -n 3 "$TMP/tftp-server.log")"
	fi
}

for egress in open filtered; do
	if apply a "$TMP/$egress.yaml" app-tier; then
		if lab_exec a nft list table inet fwgen | grep -q 'ct helper set "tftp"'; then
			ok "egress $egress: the redirect rule assigns the tftp helper"
		else
			not_ok "egress $egress: no ct helper set in the applied table"
		fi
		tftp "PXE TFTP over IPv4, reply from a new server port, egress $egress" pass 198.18.0.10
		tftp "PXE TFTP over IPv6, reply from a new server port, egress $egress" pass 2001:db8:0:1::10
	fi
done

# The control: the same filtered ruleset without the helper assignment.
if lab_exec a "$FWGEN" print -i "$TMP/filtered.yaml" --role app-tier >"$TMP/nohelper.nft" 2>"$TMP/err"; then
	sed -i 's/ ct helper set "tftp"//' "$TMP/nohelper.nft"
	if grep -q 'ct helper set' "$TMP/nohelper.nft" || ! lab_exec a nft -f "$TMP/nohelper.nft" 2>"$TMP/err"; then
		not_ok "control ruleset without the helper" "$(cat "$TMP/err")"
	else
		tftp "without the helper, egress filtered drops the reply from the new port" fail 198.18.0.10
	fi
else
	not_ok "print app-tier" "$(cat "$TMP/err")"
fi
lab_exec a "$FWGEN" remove >/dev/null 2>&1

# managed_checks: a's checks reach m's MySQL (tcp 3306) and SNMP (udp 161).
lab_listen m --tcp 3306 --udp 161 || { echo "FAIL: lab_listen m"; exit 1; }
morpheus_inv "$TMP/checks-off.yaml" open
morpheus_inv "$TMP/checks-on.yaml" open "managed_checks: true"
if apply m "$TMP/checks-off.yaml" managed-machine; then
	expect "managed_checks off: app tier to managed machine mysql closed" closed a tcp 198.18.0.20 3306
	expect "managed_checks off: app tier to managed machine snmp closed" closed a udp 198.18.0.20 161
fi
if apply m "$TMP/checks-on.yaml" managed-machine; then
	expect "managed_checks on: app tier to managed machine mysql open" open a tcp 198.18.0.20 3306
	expect "managed_checks on: app tier to managed machine mysql open over IPv6" open a tcp 2001:db8:0:1::20 3306
	expect "managed_checks on: app tier to managed machine snmp open" open a udp 198.18.0.20 161
	expect "managed_checks on: a host in no role still closed" closed o tcp 198.18.0.20 3306
fi
# A PXE client runs no firewall (m's would take the reply from the new port
# for a new connection): m is the TFTP client again below.
lab_exec m "$FWGEN" remove >/dev/null 2>&1

# PXE again with the iptables output (egress filtered): ipset, iptables and
# ip6tables restore in a, as docs/iptables.md loads them.
IPT=iptables-nft
command -v iptables-nft-restore >/dev/null || IPT=iptables
if command -v ipset >/dev/null && command -v "$IPT-restore" >/dev/null; then
	IP6T=${IPT/iptables/ip6tables}
	loaded=true
	for f in ipset iptables ip6tables; do
		lab_exec a "$FWGEN" print -i "$TMP/filtered.yaml" --role app-tier --format "$f" \
			>"$TMP/pxe.$f" 2>"$TMP/err" || { loaded=false; break; }
	done
	$loaded && lab_exec a ipset restore <"$TMP/pxe.ipset" 2>"$TMP/err" &&
		lab_exec a "$IPT-restore" --noflush <"$TMP/pxe.iptables" 2>"$TMP/err" &&
		lab_exec a "$IP6T-restore" --noflush <"$TMP/pxe.ip6tables" 2>"$TMP/err" || loaded=false
	if $loaded; then
		tftp "$IPT output: PXE TFTP over IPv4, reply from a new port, egress filtered" pass 198.18.0.10
		tftp "$IPT output: PXE TFTP over IPv6, reply from a new port, egress filtered" pass 2001:db8:0:1::10
		lab_exec a "$IPT" -t raw -F FWGEN-PREROUTING &&
			lab_exec a "$IP6T" -t raw -F FWGEN-PREROUTING &&
			tftp "$IPT output without the CT --helper rule: the reply is dropped" fail 198.18.0.10
	else
		not_ok "load the iptables output of app-tier" "$(head -3 "$TMP/err")"
	fi
else
	echo "# no ipset or $IPT-restore: the iptables PXE part is not run"
fi

# ---------------------------------------------------------------------------
# Tachyon: server s, catalog-server c, browser b, client k, AD d
# ---------------------------------------------------------------------------
lab_host s 198.18.0.40/24 2001:db8:0:1::40/64 &&
	lab_host c 198.18.0.41/24 2001:db8:0:1::41/64 &&
	lab_host b 198.18.0.42/24 2001:db8:0:1::42/64 &&
	lab_host k 198.18.0.43/24 2001:db8:0:1::43/64 &&
	lab_host d 198.18.0.44/24 2001:db8:0:1::44/64 ||
	{ echo "FAIL: lab_host"; exit 1; }
tachyon_inv() {	# FILE EGRESS [OPTION: VALUE]
	cat >"$1" <<YAML
topology: tachyon-single-server
egress: $2
roles:
  server: [198.18.0.40, "2001:db8:0:1::40"]
  catalog-server: [198.18.0.41, "2001:db8:0:1::41"]
  browser: [198.18.0.42, "2001:db8:0:1::42"]
  client: [198.18.0.43]
  active-directory: [198.18.0.44, "2001:db8:0:1::44"]
  consumer: [198.18.8.8]
  sql-server: [198.18.8.20]
  ssas-server: [198.18.8.21]
  bi-tools: [198.18.8.30]
  mail-server: [198.18.8.25]
  cloud-services: [198.18.8.99]
  admin: [198.18.9.0/28]
  dns-server: [198.18.9.53]
  time-source: [198.18.9.123]
${3:+options:
  $3}
YAML
}
tachyon_inv "$TMP/tachyon.yaml" open
tachyon_inv "$TMP/tachyon-filtered.yaml" filtered
tachyon_inv "$TMP/tachyon-nocat.yaml" open "remote_catalog: false"

lab_listen c --tcp 80,443,1433,4000 || { echo "FAIL: lab_listen c"; exit 1; }
if apply c "$TMP/tachyon.yaml" catalog-server; then
	expect "catalog-server: browser reaches the Catalog UI on 80" open b tcp 198.18.0.41 80
	expect "catalog-server: browser reaches it over IPv6" open b tcp 2001:db8:0:1::41 80
	expect "catalog-server: the Tachyon server reaches the Catalog API on 80" open s tcp 198.18.0.41 80
	expect "catalog-server: a client does not reach 80" closed k tcp 198.18.0.41 80
	expect "catalog-server: browser does not reach 443" closed b tcp 198.18.0.41 443
	expect "catalog-server: the server does not reach 1433" closed s tcp 198.18.0.41 1433
	expect "catalog-server: a client does not reach 4000" closed k tcp 198.18.0.41 4000
fi
lab_exec c "$FWGEN" remove >/dev/null 2>&1
if lab_exec c "$FWGEN" apply -i "$TMP/tachyon-nocat.yaml" --role catalog-server >"$TMP/out" 2>&1; then
	not_ok "catalog-server with remote_catalog: false is refused" "it applied: $(cat "$TMP/out")"
elif [ "$(grep -c "option 'remote_catalog' is false" "$TMP/out")" = 1 ] &&
	! lab_exec c nft list table inet fwgen >/dev/null 2>&1; then
	ok "catalog-server with remote_catalog: false is refused, nothing applied"
else
	not_ok "catalog-server with remote_catalog: false is refused" "$(cat "$TMP/out")"
fi

# The server queries AD with egress filtered: LDAP, LDAPS, GC, Kerberos.
lab_listen d --tcp 88,389,445,636,3268,3269 --udp 88,389 || { echo "FAIL: lab_listen d"; exit 1; }
if apply s "$TMP/tachyon-filtered.yaml" server; then
	for p in 389 636 3268 3269 88; do
		expect "egress filtered: server to active-directory tcp/$p" open s tcp 198.18.0.44 "$p"
	done
	expect "egress filtered: server to active-directory tcp/389 over IPv6" open s tcp 2001:db8:0:1::44 389
	for p in 389 88; do
		expect "egress filtered: server to active-directory udp/$p" open s udp 198.18.0.44 "$p"
	done
	expect "egress filtered: server to active-directory tcp/445 (not a flow) closed" closed s tcp 198.18.0.44 445
	expect "egress filtered: the server reaches the remote catalog on 80" open s tcp 198.18.0.41 80
fi

lab_summary
