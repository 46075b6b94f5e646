#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The fleet: Debian's ansible-core drives the module fwgen.fwgen.firewall on
# 15 hosts -- a whole Morpheus distributed topology (egress open) and a DMCM
# cluster (egress filtered) -- each a network namespace this test creates on
# one bridge. Ansible reaches each host with ansible_connection=local and an
# interpreter that runs `ip netns exec NS python3`, so every module run,
# and the fwgen it starts, lives in that host's namespace. roles: [auto].
#  1. examples/ansible/fwgen.yml: changed on every host, the roles and
#     digest `fwgen fleet` lists for its address; then real TCP/UDP probes
#     between the hosts, planned from the catalog by lab-plan, find the
#     catalog flows open and every other port closed.
#  2. the same again: changed=0 on every host.
#  3. a rule added by hand on one host: --check --diff reports exactly that
#     host with the rule in its diff, and the rule is still there after.
#  4. a new peer address in the inventory: exactly the hosts whose ruleset
#     names that peer change (those `fwgen fleet` digests say changed).
#  5. a bad inventory: every host fails with fwgen's FILE:LINE:COL message
#     and every table stays as it was.
#  6. state=absent on one host: --check removes nothing, then the table
#     goes, then there is nothing to do.
#  7. confirm: 30 on another host, kept by `fwgen confirm` in its
#     namespace; confirm: 3 unconfirmed rolls back after the play
#     returned; on a third, mode: audit and back to enforce.
#  8. roles named, strict and table on a fourth: passed on to fwgen.
#     Steps 6 to 8 run at once, each on its own host.
# Prints the fleet run's hosts per second. FWGEN_FLEET_BENCH=1 (the
# benchmark, tests/bench) stops after the timed runs 1 and 2.
set -u

FWGEN=${FWGEN:-fwgen}
ROOT=${FWGEN_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
LAB_PLAN=${LAB_PLAN:-}
BENCH=${FWGEN_FLEET_BENCH:-0}
TIMEOUT_MS=${LAB_TIMEOUT_MS:-1000}

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for network namespaces"; exit 77; }
# bootstrap installs ansible-core: without it this is a broken setup, not a skip
command -v ansible-playbook >/dev/null ||
	{ echo "FAIL: ansible-playbook not installed (scripts/bootstrap.sh installs ansible-core)"; exit 1; }
if [ -z "$LAB_PLAN" ]; then
	for p in "${FWGEN%/tools/fwgen}/tests/netns/lab-plan" "$ROOT/build/tests/netns/lab-plan"; do
		[ -x "$p" ] && { LAB_PLAN=$p; break; }
	done
fi
[ -x "$LAB_PLAN" ] || { echo "FAIL: lab-plan not built (set LAB_PLAN)"; exit 1; }
FWGEN=$(command -v "$FWGEN") || { echo "FAIL: no fwgen"; exit 1; }

# shellcheck source=lab.sh
. "$ROOT/tests/netns/lab.sh"
lab_test_init
T=$LAB_TMP
export FWGEN_RUN_DIR=$T/run	# this run's lock, not the machine's
# The interpreter itself, not a wrapper in front of it: a pyenv shim costs a
# shell and more on every module run, and a run of the fleet has hundreds.
PYTHON=$(python3 -c 'import sys; print(sys.executable)') || { echo "FAIL: no python3"; exit 1; }
mkdir -p "$T/run" "$T/py" "$T/dest"

npass=0
nfail=0
ok() { npass=$((npass + 1)); echo "PASS: $*"; }
bad() { nfail=$((nfail + 1)); echo "FAIL: $*"; }
check() {	# check WANT GOT WHAT
	if [ "$1" = "$2" ]; then ok "$3"; else bad "$3"; echo "  want: $1"; echo "  got:  $2"; fi
}

# name address group role: a whole Morpheus distributed topology (two
# application nodes, so app-tier reaches itself) and a DMCM cluster.
hosts=(
	"m-app1 198.18.1.10 morpheus app-tier"
	"m-app2 198.18.1.11 morpheus app-tier"
	"m-mq 198.18.1.20 morpheus messaging-tier"
	"m-tdb 198.18.1.30 morpheus transactional-db-tier"
	"m-ntdb 198.18.1.40 morpheus non-transactional-db-tier"
	"m-mm 198.18.1.50 morpheus managed-machine"
	"d-console 198.18.2.10 dmcm console"
	"d-km 198.18.2.11 dmcm km"
	"d-disp 198.18.2.12 dmcm dispatcher"
	"d-mysql 198.18.2.13 dmcm mysql"
	"d-riak 198.18.2.14 dmcm riak"
	"d-monitor 198.18.2.15 dmcm monitor"
	"d-worker 198.18.2.16 dmcm worker"
	"d-rabbit 198.18.2.17 dmcm rabbitmq"
	"d-api 198.18.2.18 dmcm api"
)
names=()
declare -A addr_of group_of role_of
for h in "${hosts[@]}"; do
	read -r n a g r <<<"$h"
	names+=("$n")
	addr_of[$n]=$a
	group_of[$n]=$g
	role_of[$n]=$r
done
NHOSTS=${#names[@]}

# Every peer role is bound to an address no host has (198.18.9.x), so the
# probes between hosts meet only the flows between host roles, as lab-plan
# plans them.
cat >"$T/morpheus.yaml" <<'EOF'
topology: morpheus-distributed
egress: open
roles:
  app-tier: [198.18.1.10, 198.18.1.11]
  messaging-tier: [198.18.1.20]
  transactional-db-tier: [198.18.1.30]
  non-transactional-db-tier: [198.18.1.40]
  managed-machine: [198.18.1.50]
  user: [198.18.9.10]
  admin-browser: [198.18.9.11]
  admin: [198.18.9.12]
  backup-solution: [198.18.9.13]
  dns-server: [198.18.9.14]
  time-source: [198.18.9.15]
  installer-repo: [198.18.9.16]
  mail-server: [198.18.9.17]
  hypervisor: [198.18.9.18]
  integration: [198.18.9.19]
  docker-image-repo: [198.18.9.20]
  internet: [198.18.9.21]
EOF
cat >"$T/dmcm.yaml" <<'EOF'
topology: dmcm-cluster
egress: filtered
roles:
  console: [198.18.2.10]
  km: [198.18.2.11]
  dispatcher: [198.18.2.12]
  mysql: [198.18.2.13]
  riak: [198.18.2.14]
  monitor: [198.18.2.15]
  worker: [198.18.2.16]
  rabbitmq: [198.18.2.17]
  api: [198.18.2.18]
  guest-vm: [198.18.64.0/18]
  internet: [198.18.9.30]
  ldap: [198.18.9.31]
  cloud-api: [198.18.9.32]
  admin: [198.18.9.33]
  dns-server: [198.18.9.34]
  time-source: [198.18.9.35]
EOF
"$LAB_PLAN" morpheus-distributed >"$T/plan-morpheus" &&
	"$LAB_PLAN" dmcm-cluster --egress >"$T/plan-dmcm" ||
	{ echo "FAIL: lab-plan"; exit 1; }

# The hosts, their listeners (every port the plan probes on their role) and
# their interpreters.
{
	echo "[all:vars]"
	echo "ansible_connection=local"
	echo "fwgen_bin=$FWGEN"
	echo "[morpheus:vars]"
	echo "fwgen_inventory=$T/morpheus.yaml"
	echo "[dmcm:vars]"
	echo "fwgen_inventory=$T/dmcm.yaml"
} >"$T/hosts.ini"
for n in "${names[@]}"; do
	lab_host "$n" "${addr_of[$n]}/16" || { echo "FAIL: lab_host $n"; exit 1; }
	tcp=$(awk -v r="${role_of[$n]}" '$1 == "listen" && $2 == r && $3 == "tcp" { printf "%s%s", s, $4; s = "," }' \
		"$T/plan-${group_of[$n]}")
	udp=$(awk -v r="${role_of[$n]}" '$1 == "listen" && $2 == r && $3 == "udp" { printf "%s%s", s, $4; s = "," }' \
		"$T/plan-${group_of[$n]}")
	lab_listen "$n" ${tcp:+--tcp "$tcp"} ${udp:+--udp "$udp"} ||
		{ echo "FAIL: lab_listen $n"; exit 1; }
	printf '#!/bin/sh\nexec ip netns exec %s %s "$@"\n' "$(lab_ns "$n")" "$PYTHON" >"$T/py/$n"
	chmod +x "$T/py/$n"
	printf '[%s]\n%s ansible_python_interpreter=%s\n' "${group_of[$n]}" "$n" "$T/py/$n" >>"$T/hosts.ini"
done

export ANSIBLE_COLLECTIONS_PATH=$ROOT/ansible
export ANSIBLE_CALLBACK_PLUGINS=$ROOT/tests/netns/callback
export ANSIBLE_STDOUT_CALLBACK=fleet_json ANSIBLE_NOCOLOR=1 ANSIBLE_FORKS=$NHOSTS
export ANSIBLE_LOCAL_TEMP=$T/ansible-local ANSIBLE_REMOTE_TEMP=$T/ansible-remote
export ANSIBLE_HOME=$T/ansible-home ANSIBLE_RETRY_FILES_ENABLED=0
export ANSIBLE_PYTHON_INTERPRETER=auto_silent ANSIBLE_PIPELINING=1

# A play of the module alone, for the runs after the first.
cat >"$T/fleet.yml" <<'EOF'
- hosts: all
  gather_facts: false
  tasks:
    - name: firewall
      fwgen.fwgen.firewall:
        inventory: "{{ fwgen_inventory }}"
        fwgen: "{{ fwgen_bin }}"
EOF

# play NAME PLAYBOOK [ARGS...]: runs it; $T/NAME.json is the json callback's
# output, $T/NAME.txt one line per host of the firewall task (HOST changed=
# failed= roles= digest=) and per host of the recap (stats HOST changed=
# failures=), $T/NAME.d/HOST.before|after|msg its diff sides and message.
play() {
	local name=$1 book=$2 t0 t1
	shift 2
	t0=${EPOCHREALTIME/./}
	ansible-playbook -i "$T/hosts.ini" "$book" "$@" >"$T/$name.json" 2>"$T/$name.err"
	PLAY_RC=$?
	t1=${EPOCHREALTIME/./}
	PLAY_US=$((t1 - t0))
	if ! "$PYTHON" -c 'import json, sys; json.load(open(sys.argv[1]))' "$T/$name.json" 2>/dev/null; then
		echo "# $name: ansible-playbook wrote no JSON (exit $PLAY_RC):"
		sed 's/^/#   /' "$T/$name.err" "$T/$name.json" | tail -n 30
		: >"$T/$name.txt"
		return
	fi
	mkdir -p "$T/$name.d"
	"$PYTHON" - "$T/$name.json" "$T/$name.d" >"$T/$name.txt" 2>"$T/$name.failed" <<'EOF'
import json, os, sys
doc = json.load(open(sys.argv[1]))
rows = {}
for play in doc["plays"]:
    for task in play["tasks"]:
        for host, r in task["hosts"].items():
            if r.get("failed") or r.get("unreachable"):
                sys.stderr.write("# %s: %s failed: %s\n" % (host, task["task"]["name"], r.get("msg", "")))
        if task["task"]["name"] not in ("firewall", "Make fwgen's table what the inventory says"):
            continue
        for host, r in task["hosts"].items():
            diff = r.get("diff") or {}
            if isinstance(diff, list):
                diff = diff[0] if diff else {}
            rows[host] = "%s changed=%d failed=%d roles=%s digest=%s" % (
                host, bool(r.get("changed")), bool(r.get("failed")),
                ",".join(r.get("roles") or []), r.get("digest", ""))
            for key, text in (("before", diff.get("before", "")),
                              ("after", diff.get("after", "")),
                              ("msg", r.get("msg", ""))):
                with open(os.path.join(sys.argv[2], host + "." + key), "w") as f:
                    f.write(text or "")
for host in sorted(rows):
    print(rows[host])
for host, s in sorted(doc["stats"].items()):
    print("stats %s changed=%d failures=%d" % (host, s["changed"], s["failures"]))
EOF
	[ "$PLAY_RC" = 0 ] || head -n 4 "$T/$name.failed"
}

# text RUN HOST before|after|msg: the firewall task's diff sides or message.
text() {
	cat "$T/$1.d/$2.$3" 2>/dev/null
}

# field HOST KEY RUN: a value of the firewall task's row of HOST.
field() {
	awk -v h="$1" -v k="$2" '$1 == h { for (i = 2; i <= NF; i++) if (index($i, k "=") == 1) { print substr($i, length(k) + 2); exit } }' \
		"$T/$3.txt"
}
# hosts_where RUN KEY VALUE: the hosts whose row has KEY=VALUE, sorted.
hosts_where() {
	awk -v kv="$2=$3" '$1 != "stats" { for (i = 2; i <= NF; i++) if ($i == kv) print $1 }' "$T/$1.txt" | sort | tr '\n' ' '
}
all_hosts=$(printf '%s\n' "${names[@]}" | sort | tr '\n' ' ')

# fleet_digests INVENTORY: "address digest" of every host of an inventory.
fleet_digests() {
	"$FWGEN" fleet -i "$1" --json | "$PYTHON" -c '
import json, sys
for h in json.load(sys.stdin)["hosts"]:
    print(h["address"], h["digest"])'
}

# probes: every probe of the plans between two hosts of the lab; from a
# role to itself only where the role has a second host. Prints the FAILs.
probes() {
	local n src
	rm -f "$T"/probes.*
	for n in "${names[@]}"; do
		awk -v me="$n" -v myrole="${role_of[$n]}" -v hosts="${hosts[*]}" '
			BEGIN {
				k = split(hosts, w, " ")
				for (i = 1; i + 3 <= k; i += 4) {
					if (!(w[i + 3] in first)) first[w[i + 3]] = w[i]
					else if (!(w[i + 3] in second)) second[w[i + 3]] = w[i]
					addr[w[i]] = w[i + 1]
				}
			}
			$1 == "probe" && $2 == myrole && first[$2] == me {
				dst = ($3 == $2) ? second[$3] : first[$3]
				if (dst != "") print $4, addr[dst], $5, $6
			}' "$T/plan-${group_of[$n]}" >"$T/probes.$n"
	done
	for n in "${names[@]}"; do
		[ -s "$T/probes.$n" ] || continue
		lab_probe "$n" many --timeout-ms "$TIMEOUT_MS" "$T/probes.$n" >"$T/probes.$n.out" 2>&1 &
	done
	wait
	cat "$T"/probes.*.out | grep -c '^PASS' >"$T/probes.npass"
	cat "$T"/probes.*.out | grep '^FAIL' || true
}

# 0. Before anything is applied the probes must see the difference: the
# catalog's closed ports answer (so "closed" later is the firewall's doing).
before=$(probes | grep -c 'expected=closed got=open')
[ "$before" -gt 0 ] && ok "without rulesets, $before ports the catalog closes are open (the probes can fail)" ||
	bad "without rulesets the probes found every closed port closed: they prove nothing"

# 1. The first run: the example playbook, every host changed.
play run1 "$ROOT/examples/ansible/fwgen.yml" -e "fwgen_inventory_dest=$T/dest/{{ inventory_hostname }}.yaml" \
	-e ansible_become=false -e "fwgen_bin=$FWGEN"
RUN1_US=$PLAY_US
check 0 "$PLAY_RC" "first run: ansible-playbook exits 0"
check "$all_hosts" "$(hosts_where run1 changed 1)" "first run: changed on every host ($NHOSTS)"
fleet_digests "$T/morpheus.yaml" >"$T/digests.morpheus"
fleet_digests "$T/dmcm.yaml" >"$T/digests.dmcm"
wrong=""
for n in "${names[@]}"; do
	want_digest=$(awk -v a="${addr_of[$n]}" '$1 == a { print $2 }' "$T/digests.${group_of[$n]}")
	[ "$(field "$n" roles run1)" = "${role_of[$n]}" ] || wrong+=" $n:roles=$(field "$n" roles run1)"
	[ "$(field "$n" digest run1)" = "$want_digest" ] && [ -n "$want_digest" ] ||
		wrong+=" $n:digest"
done
check "" "$wrong" "first run: every host found its role (auto) and the digest fwgen fleet lists for its address"
fails=$(probes)
np=$(cat "$T/probes.npass")
check "" "$fails" "after the first run, $np probes between the hosts: catalog flows open, every other port closed"
[ "$np" -gt 300 ] || bad "too few probes ($np)"

# fwgen fleet --explain must answer every one of those probes as the
# kernels did: exit 0 where the probe found the port open, 1 where closed.
# One background job per source host; each prints a line per disagreement.
pids=()
nexplain=0
for n in "${names[@]}"; do
	[ -s "$T/probes.$n" ] || continue
	while read -r proto dst port want; do
		"$FWGEN" fleet -i "$T/${group_of[$n]}.yaml" --explain "${addr_of[$n]}" "$dst" "$proto/$port" >/dev/null 2>"$T/explain.$n.err"
		rc=$?
		case $want:$rc in
		open:0 | closed:1) ;;
		*) echo "  explain ${addr_of[$n]} $dst $proto/$port: exit $rc, probe found $want $(cat "$T/explain.$n.err")" ;;
		esac
	done <"$T/probes.$n" >"$T/explain.$n.out" &
	pids+=($!)
	nexplain=$((nexplain + $(wc -l <"$T/probes.$n")))
done
wait "${pids[@]}"	# not the listeners, which never end
disagree=$(cat "$T"/explain.*.out | grep -c .)
cat "$T"/explain.*.out | head -5
check "0 of $np" "$disagree of $nexplain" "fwgen fleet --explain agrees with every probe between the hosts"

# 2. Again: nothing to do anywhere.
play run2 "$ROOT/examples/ansible/fwgen.yml" -e "fwgen_inventory_dest=$T/dest/{{ inventory_hostname }}.yaml" \
	-e ansible_become=false -e "fwgen_bin=$FWGEN"
RUN2_US=$PLAY_US
check 0 "$PLAY_RC" "second run: ansible-playbook exits 0"
check "$all_hosts" "$(awk '$1 == "stats" && $3 == "changed=0" && $4 == "failures=0" { print $2 }' "$T/run2.txt" | sort | tr '\n' ' ')" \
	"second run: changed=0 and no failure on every host"

awk -v n="$NHOSTS" -v a="$RUN1_US" -v b="$RUN2_US" 'BEGIN {
	printf "# fleet run: %d hosts; first run (applies) %.1f s, %.2f hosts/s; second run (no change) %.1f s, %.2f hosts/s\n",
		n, a / 1e6, n / (a / 1e6), b / 1e6, n / (b / 1e6) }'
if [ "$BENCH" = 1 ]; then
	echo "# $npass passed, $nfail failed"
	[ "$nfail" -eq 0 ]
	exit
fi

# 3. Drift on one host: --check --diff names it and the rule, changes nothing.
lab_exec d-km nft add rule inet fwgen input tcp dport 4444 accept comment '"by hand"' ||
	bad "cannot add a rule by hand in d-km"
play drift "$T/fleet.yml" --check --diff
check 0 "$PLAY_RC" "--check --diff: ansible-playbook exits 0"
check "d-km " "$(hosts_where drift changed 1)" "--check --diff after a hand change on d-km: exactly d-km changed"
before=$(text drift d-km before)
case $before in
*"tcp dport 4444 accept"*'by hand'*) ok "--diff shows the drifted rule on the live side: $before" ;;
*) bad "--diff of d-km does not show the drifted rule: before=$before after=$(text drift d-km after)" ;;
esac
lab_exec d-km "$FWGEN" diff -q -i "$T/dmcm.yaml" --role auto
check 1 "$?" "--check changed nothing: d-km still holds the rule added by hand"
lab_exec d-km "$FWGEN" apply -i "$T/dmcm.yaml" --role auto >/dev/null ||
	bad "cannot repair d-km"

# 4. A new peer address: exactly the hosts whose ruleset names the peer.
cp "$T/morpheus.yaml" "$T/morpheus.old"
sed -i 's/^  user: \[198.18.9.10\]$/  user: [198.18.9.10, 198.18.9.77]/' "$T/morpheus.yaml"
fleet_digests "$T/morpheus.yaml" >"$T/digests.morpheus.new"
dependents=""
for n in "${names[@]}"; do
	[ "${group_of[$n]}" = morpheus ] || continue
	a=${addr_of[$n]}
	[ "$(awk -v a="$a" '$1 == a { print $2 }' "$T/digests.morpheus")" = \
	  "$(awk -v a="$a" '$1 == a { print $2 }' "$T/digests.morpheus.new")" ] || dependents+="$n "
done
dependents=$(tr ' ' '\n' <<<"$dependents" | sed '/^$/d' | sort | tr '\n' ' ')
# The catalog's user flows go to the application tier only.
check "m-app1 m-app2 " "$dependents" "a new user address changes the digests of the app-tier hosts only"
play peer "$T/fleet.yml"
check 0 "$PLAY_RC" "inventory change: ansible-playbook exits 0"
check "$dependents" "$(hosts_where peer changed 1)" "inventory change: exactly the dependent hosts changed"

# 5. A bad inventory (host bits set) fails every host with fwgen's message.
for g in morpheus dmcm; do
	cp "$T/$g.yaml" "$T/$g.good"
	sed -i 's|^  admin: \[198.18.9.\([0-9]*\)\]$|  admin: [198.18.9.\1/16]|' "$T/$g.yaml"
	"$FWGEN" fleet -i "$T/$g.yaml" >/dev/null 2>"$T/$g.msg"
	check 2 "$?" "fwgen fleet refuses the bad $g inventory"
done
play badinv "$T/fleet.yml"
check 2 "$PLAY_RC" "bad inventory: ansible-playbook exits 2"
check "$all_hosts" "$(hosts_where badinv failed 1)" "bad inventory: every host failed"
wrong=""
for n in "${names[@]}"; do
	[ "$(text badinv "$n" msg)" = "$(sed 's/^fwgen: //' "$T/${group_of[$n]}.msg")" ] ||
		wrong+=" $n:$(text badinv "$n" msg)"
done
check "" "$wrong" "bad inventory: every host's msg is fwgen's $(sed 's/^fwgen: //' "$T/morpheus.msg")"
case $(cat "$T/dmcm.msg") in
"fwgen: $T/dmcm.yaml:"[0-9]*:[0-9]*": "*) ok "the message names FILE:LINE:COL" ;;
*) bad "the message does not name FILE:LINE:COL: $(cat "$T/dmcm.msg")" ;;
esac
unchanged=""
for n in "${names[@]}"; do
	lab_exec "$n" "$FWGEN" diff -q -i "$T/${group_of[$n]}.good" --role auto && unchanged+="$n "
done
unchanged=$(tr ' ' '\n' <<<"$unchanged" | sed '/^$/d' | sort | tr '\n' ' ')
check "$all_hosts" "$unchanged" "bad inventory: every table is still the good inventory's"

# Steps 6 to 8 each on a host of its own, all at once: each step only
# changes its host, and each waits on ansible and on confirm windows.
cp "$T/dmcm.good" "$T/dmcm.yaml"

# 6. state=absent on one host (--limit): --check reports it and removes
# nothing; then the table goes, and a second removal has nothing to do.
step_absent() {	# HOST
	local h=$1

	cat >"$T/absent.yml" <<'EOF2'
- hosts: all
  gather_facts: false
  tasks:
    - name: firewall
      fwgen.fwgen.firewall:
        state: absent
        fwgen: "{{ fwgen_bin }}"
EOF2
	play absent-check "$T/absent.yml" --limit "$h" --check
	check "0 $h " "$PLAY_RC $(hosts_where absent-check changed 1)" "state=absent --check: $h would change"
	lab_exec "$h" "$FWGEN" diff -q -i "$T/dmcm.yaml" --role auto
	check 0 "$?" "state=absent --check removed nothing"
	play absent "$T/absent.yml" --limit "$h"
	check "0 $h " "$PLAY_RC $(hosts_where absent changed 1)" "state=absent: $h changed"
	lab_exec "$h" nft list table inet fwgen >/dev/null 2>&1
	check 1 "$?" "state=absent: fwgen's table is gone from $h"
	play absent2 "$T/absent.yml" --limit "$h"
	check "0 $h " "$PLAY_RC $(hosts_where absent2 changed 0)" "state=absent again: nothing to do"
}

# 7. confirm: the module's `apply --confirm` is kept by `fwgen confirm` in
# the host's namespace, run beside the play (a blocking apply gets it while
# it waits; a detached one returns first and is confirmed after).
step_confirm() {	# HOST
	local h=$1 confirmer

	# as step 6 leaves its host: no table of fwgen's
	lab_exec "$h" nft delete table inet fwgen
	cat >"$T/confirm.yml" <<'EOF2'
- hosts: all
  gather_facts: false
  tasks:
    - name: firewall
      fwgen.fwgen.firewall:
        inventory: "{{ fwgen_inventory }}"
        confirm: 30
        fwgen: "{{ fwgen_bin }}"
EOF2
	(
		for _ in $(seq 150); do
			lab_exec "$h" "$FWGEN" confirm >/dev/null 2>&1 && exit 0
			sleep 0.1
		done
		exit 1
	) &
	confirmer=$!
	play confirm "$T/confirm.yml" --limit "$h"
	wait "$confirmer"
	check 0 "$?" "confirm: fwgen confirm in $h found the module's apply --confirm to keep"
	check "0 $h " "$PLAY_RC $(hosts_where confirm changed 1)" "confirm: $h changed"
	lab_exec "$h" "$FWGEN" diff -q -i "$T/dmcm.yaml" --role auto
	check 0 "$?" "confirm: the confirmed table stays"

	# 7b. confirm without a confirmation: the detached rollback fires after
	# the window and puts back what was there before (here: no table), though
	# the play that applied has long returned.
	lab_exec "$h" nft delete table inet fwgen
	cat >"$T/confirm-short.yml" <<'EOF2'
- hosts: all
  gather_facts: false
  tasks:
    - name: firewall
      fwgen.fwgen.firewall:
        inventory: "{{ fwgen_inventory }}"
        confirm: 3
        fwgen: "{{ fwgen_bin }}"
EOF2
	play unconfirmed "$T/confirm-short.yml" --limit "$h"
	check "0 $h " "$PLAY_RC $(hosts_where unconfirmed changed 1)" "unconfirmed: $h changed, the play returned"
	lab_exec "$h" nft list table inet fwgen >/dev/null 2>&1
	check 0 "$?" "unconfirmed: the new table is live inside the window"
	for _ in $(seq 100); do
		lab_exec "$h" nft list table inet fwgen >/dev/null 2>&1 || break
		sleep 0.1
	done
	lab_exec "$h" nft list table inet fwgen >/dev/null 2>&1
	check 1 "$?" "unconfirmed: rolled back after the window (no table, as before)"
}

# 7c. mode: audit on one host: changed, then stable, and the live table
# says audit; enforce again is one more change.
step_mode() {	# HOST
	local h=$1

	# as step 7 leaves its host: rolled back to no table
	lab_exec "$h" nft delete table inet fwgen
	cat >"$T/audit.yml" <<'EOF2'
- hosts: all
  gather_facts: false
  tasks:
    - name: firewall
      fwgen.fwgen.firewall:
        inventory: "{{ fwgen_inventory }}"
        mode: "{{ fwgen_mode }}"
        fwgen: "{{ fwgen_bin }}"
EOF2
	play audit "$T/audit.yml" --limit "$h" -e fwgen_mode=audit
	check "0 $h " "$PLAY_RC $(hosts_where audit changed 1)" "mode=audit: $h changed"
	lab_exec "$h" "$FWGEN" status --json >"$T/status.json" 2>&1
	check audit "$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["mode"])' "$T/status.json" 2>&1)" \
		"mode=audit: fwgen status says audit"
	play audit2 "$T/audit.yml" --limit "$h" -e fwgen_mode=audit
	check "0 $h " "$PLAY_RC $(hosts_where audit2 changed 0)" "mode=audit again: nothing to do"
	play enforce "$T/audit.yml" --limit "$h" -e fwgen_mode=enforce
	check "0 $h " "$PLAY_RC $(hosts_where enforce changed 1)" "mode=enforce: $h changed back"
	lab_exec "$h" "$FWGEN" diff -q -i "$T/dmcm.yaml" --role auto
	check 0 "$?" "mode=enforce: the table is the enforce ruleset again"
}

# 8. roles named, strict and another table: the module passes them on,
# and fwgen's own table is left as it is.
step_named() {	# HOST
	local h=$1

	cat >"$T/named.yml" <<'EOF2'
- hosts: all
  gather_facts: false
  tasks:
    - name: firewall
      fwgen.fwgen.firewall:
        inventory: "{{ fwgen_inventory }}"
        roles: [km, monitor]
        strict: true
        table: fleet2
        fwgen: "{{ fwgen_bin }}"
EOF2
	play named "$T/named.yml" --limit "$h"
	want="sha256:$("$FWGEN" print -i "$T/dmcm.yaml" --role km --role monitor --strict --table fleet2 | sha256sum | cut -d' ' -f1)"
	check "0 $h  km,monitor $want" "$PLAY_RC $(hosts_where named changed 1) $(field "$h" roles named) $(field "$h" digest named)" \
		"roles [km, monitor], strict, table fleet2: changed, those roles, the digest of that ruleset"
	lab_exec "$h" "$FWGEN" diff -q -i "$T/dmcm.yaml" --role km --role monitor --strict --table fleet2
	check 0 "$?" "table fleet2 holds the km+monitor ruleset"
	lab_exec "$h" "$FWGEN" diff -q -i "$T/dmcm.yaml" --role auto
	check 0 "$?" "fwgen's own table is untouched"
}

pids=()
step_absent d-km >"$T/step.1" 2>&1 & pids+=($!)
step_confirm d-monitor >"$T/step.2" 2>&1 & pids+=($!)
step_mode d-worker >"$T/step.3" 2>&1 & pids+=($!)
step_named d-api >"$T/step.4" 2>&1 & pids+=($!)
wait "${pids[@]}"	# not the listeners, which never end
for f in "$T"/step.[1-4]; do
	cat "$f"
	n=$(grep -c '^PASS: ' "$f")
	npass=$((npass + n))
	n=$(grep -c '^FAIL: ' "$f")
	nfail=$((nfail + n))
done

echo "# $npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
