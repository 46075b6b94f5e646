#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `fwgen fleet` as fwgen(8) documents it, on the DMCM example inventory:
# the host list (text and JSON) with the digest `fwgen print | sha256sum`
# gives, --local, --explain's verdicts, exit statuses and named flows, and
# errors (exit 2, FILE:LINE:COL). Needs no privilege: nothing is applied.
set -u

FWGEN=${FWGEN:-fwgen}
ROOT=${FWGEN_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
INV=$ROOT/examples/dmcm-cluster.yaml
TMP=$(mktemp -d "${TMPDIR:-/tmp}/fwgen-fleet.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
npass=0
nfail=0
ok() { npass=$((npass + 1)); echo "PASS: $*"; }
bad() { nfail=$((nfail + 1)); echo "FAIL: $*"; }
check() {	# check WANT GOT WHAT
	if [ "$1" = "$2" ]; then ok "$3"; else bad "$3"; echo "  want: $1"; echo "  got:  $2"; fi
}
has() {		# has FILE TEXT WHAT
	if grep -qF -- "$2" "$1"; then ok "$3"; else bad "$3: no '$2' in"; sed 's/^/  | /' "$1" | head -n 20; fi
}

"$FWGEN" fleet -i "$INV" >"$TMP/list"
check 0 $? "fleet lists the example's hosts"
riak=$("$FWGEN" print -i "$INV" --role riak | sha256sum | cut -d' ' -f1)
check "198.18.20.15 riak sha256:$riak" "$(awk '$1 == "198.18.20.15" { print $1, $2, $3 }' "$TMP/list")" \
	"a riak node: its address, its role, the digest of what print writes for riak"
check "2001:db8:20::12 dispatcher" "$(awk '$1 ~ /:/ && $2 == "dispatcher" { print $1, $2 }' "$TMP/list")" \
	"an IPv6 host address is a host too"
check "198.18.64.0/18 guest-vm" "$(awk '$1 == "198.18.64.0/18" { print $1, $2 }' "$TMP/list")" \
	"a pool of guest VMs is one entry"

# --audit: every digest is of the audit ruleset, as print --audit writes it.
"$FWGEN" fleet -i "$INV" --audit >"$TMP/audit"
check 0 $? "fleet --audit"
riak_audit=$("$FWGEN" print -i "$INV" --role riak --audit | sha256sum | cut -d' ' -f1)
check "198.18.20.15 riak sha256:$riak_audit" "$(awk '$1 == "198.18.20.15" { print $1, $2, $3 }' "$TMP/audit")" \
	"fleet --audit: the digest of what print --audit writes for riak"
[ "$riak_audit" != "$riak" ]
check 0 $? "the audit ruleset's digest is not the enforce one's"
check "riak  sha256:$riak_audit" "$("$FWGEN" fleet -i "$INV" --local --role riak --audit 2>&1)" \
	"fleet --local --audit: this host's audit digest"
"$FWGEN" fleet -i "$INV" --audit --enforce >/dev/null 2>"$TMP/err"
check 2 $? "fleet --audit --enforce: exit 2"

"$FWGEN" fleet -i "$INV" --json >"$TMP/json"
check 0 $? "fleet --json"
check "dmcm-cluster 15 198.18.20.10 console" "$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
h = d["hosts"]
print(d["topology"], len(h), h[0]["address"], ",".join(h[0]["roles"]))' "$TMP/json")" \
	"fleet --json: topology, 12 hosts + 2 IPv6 + 1 pool, in address order"

"$FWGEN" fleet -i "$INV" --local --role riak --json >"$TMP/local"
check "['riak'] sha256:$riak" "$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(d["roles"], d["digest"])' "$TMP/local")" "fleet --local --role riak: the roles and the same digest"

"$FWGEN" fleet -i "$INV" --explain 198.18.20.12 198.18.20.20 tcp/5672 >"$TMP/ex1"
check 0 $? "--explain dispatcher -> rabbitmq tcp/5672 passes: exit 0"
has "$TMP/ex1" "198.18.20.12 -> 198.18.20.20 tcp/5672: passes both ends" "--explain says it passes"
has "$TMP/ex1" "flow rabbitmq: Dispatcher, monitor and worker to RabbitMQ" "--explain names the admitting flow"
has "$TMP/ex1" "source 198.18.20.12, egress: allowed" "--explain answers for the source's egress"

"$FWGEN" fleet -i "$INV" --explain 198.18.20.20 198.18.20.12 tcp/5672 >"$TMP/ex2"
check 1 $? "--explain rabbitmq -> dispatcher tcp/5672 is refused: exit 1"
has "$TMP/ex2" "198.18.20.20 -> 198.18.20.12 tcp/5672: refused" "--explain says refused"
has "$TMP/ex2" "destination 198.18.20.12, ingress: refused" "--explain names the end that refuses"
has "$TMP/ex2" "rabbitmq (Dispatcher, monitor and worker to RabbitMQ)" "--explain names the missing flow"

"$FWGEN" fleet -i "$INV" --explain 198.18.0.89 198.18.20.10 tcp/443 >"$TMP/ex3"
check 0 $? "--explain from a peer address (ldap) to the console on 443"
has "$TMP/ex3" "source 198.18.0.89: bound to no host role, runs no fwgen ruleset" "--explain skips an end that is no host"

# Errors: exit 2 and a message; a bad inventory names FILE:LINE:COL.
sed 's|^  km: \[198.18.20.11\]$|  km: [198.18.20.11/16]|' "$INV" >"$TMP/bad.yaml"
"$FWGEN" fleet -i "$TMP/bad.yaml" >/dev/null 2>"$TMP/err"
check 2 $? "a bad inventory: exit 2"
check "fwgen: $TMP/bad.yaml:7:8: '198.18.20.11/16': host bits set after the prefix length" "$(cat "$TMP/err")" \
	"a bad inventory: fwgen's FILE:LINE:COL message"
for args in "--explain 198.18.20.12 198.18.20.20" "--role km" "--explain --local 1 2 tcp/1" \
	"--explain 198.18.20.12 198.18.20.0/24 tcp/1" "--explain 198.18.20.12 198.18.20.20 tcp/70000" \
	"--explain 198.18.7.1 198.18.7.2 tcp/22"; do
	# shellcheck disable=SC2086
	"$FWGEN" fleet -i "$INV" $args >/dev/null 2>"$TMP/err"
	rc=$?
	if [ $rc = 2 ] && grep -q '^fwgen: ' "$TMP/err"; then
		ok "fleet $args: exit 2, $(cat "$TMP/err")"
	else
		bad "fleet $args: exit $rc, $(cat "$TMP/err")"
	fi
done
"$FWGEN" fleet >/dev/null 2>&1
check 2 $? "fleet without -i: exit 2"

echo "# $npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
