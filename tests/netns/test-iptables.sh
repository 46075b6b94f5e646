#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The iptables output in a lab of network namespaces this test creates
# (never the host's): for every topology, one node per role (two per host
# role, so a role can reach itself), on one bridge, with an inventory that
# binds every role to its nodes. Every host node loads its role's rules
# with the stock tools, in the documented order: ipset restore, then
# iptables-restore --noflush and ip6tables-restore --noflush. Then:
#  - iptables-save and ip6tables-save show fwgen's chains exactly as
#    rendered (one line per rule, same quoting);
#  - loading everything again, then removing the extra jump as
#    docs/iptables.md says, leaves one jump per built-in chain;
#  - real TCP and UDP flows over IPv4 and IPv6, as tests/netns/lab-plan
#    plans them from the catalog (not from resolve), are open or closed as
#    the catalog says, with egress open and with egress filtered.
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

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for network namespaces"; exit 77; }
for tool in ip ipset "$IPT_RESTORE" "$IP6T_RESTORE" "$IPT_SAVE" "$IP6T_SAVE" python3; do
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
PYTHON=$(python3 -c 'import sys; print(sys.executable)')

P="fwi$$"		# prefix of every namespace this test creates
TMP=$(mktemp -d)
namespaces=()

cleanup() {
	local ns pid
	for ns in "${namespaces[@]}"; do
		# Listeners keep a namespace alive: end them first, by pid.
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill "$pid" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
	done
	namespaces=()
}
trap 'cleanup; rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

# A listener (accept and close; echo datagrams) and a prober (every probe
# at once, each "open" or "closed" within the timeout).
cat >"$TMP/lab.py" <<'EOF'
import selectors, socket, sys, threading

def listen(specs):
    sel = selectors.DefaultSelector()
    for spec in specs:
        proto, port = spec.split(":")
        kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
        s = socket.socket(socket.AF_INET6, kind)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        s.bind(("::", int(port)))
        if kind == socket.SOCK_STREAM:
            s.listen(256)
        sel.register(s, selectors.EVENT_READ)
    print("ready", flush=True)
    while True:
        for key, _ in sel.select():
            s = key.fileobj
            try:
                if s.type == socket.SOCK_STREAM:
                    s.accept()[0].close()
                else:
                    data, addr = s.recvfrom(2048)
                    s.sendto(data, addr)
            except OSError:
                pass

def probe_one(addr, proto, port, out, key):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    state = "closed"
    try:
        if proto == "tcp":
            with socket.socket(fam, socket.SOCK_STREAM) as s:
                s.settimeout(2.5)
                s.connect((addr, port))
                state = "open"
        else:
            with socket.socket(fam, socket.SOCK_DGRAM) as s:
                s.connect((addr, port))
                s.settimeout(0.8)
                for _ in range(3):
                    s.send(b"fwgen-probe")
                    try:
                        s.recv(2048)
                        state = "open"
                        break
                    except socket.timeout:
                        pass
    except OSError:
        pass
    out[key] = state

def probe():
    out, threads = {}, []
    for line in sys.stdin:
        key, addr, proto, port = line.split()
        t = threading.Thread(target=probe_one, args=(addr, proto, int(port), out, key))
        t.start()
        threads.append(t)
    for t in threads:
        t.join()
    for key in sorted(out):
        print(key, out[key])

if sys.argv[1] == "listen":
    listen(sys.argv[2:])
else:
    probe()
EOF

pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }

# The nodes of the current lab: parallel arrays indexed by node number.
node_ns=()
node_role=()
node_v4=()
node_v6=()

add_node() {	# role
	local k=${#node_ns[@]} ns="${P}n${#node_ns[@]}" mac
	[ "$k" -lt 200 ] || { bad "lab: more than 200 nodes"; return 1; }
	mac=$(printf '02:fe:00:00:%02x:%02x' $((k / 256)) $((k % 256)))
	ip netns add "$ns" || return 1
	namespaces+=("$ns")
	ip netns exec "$BR" ip link add "v$k" type veth peer name eth0 netns "$ns" &&
		ip netns exec "$BR" ip link set "v$k" master br0 up &&
		ip netns exec "$ns" ip link set lo up &&
		ip netns exec "$ns" ip link set eth0 address "$mac" up &&
		ip netns exec "$ns" ip addr add "198.18.0.$((k + 10))/24" dev eth0 &&
		ip netns exec "$ns" ip addr add "2001:db8:1ab::$((k + 10))/64" dev eth0 nodad ||
		return 1
	node_ns+=("$ns")
	node_role+=("$1")
	node_v4+=("198.18.0.$((k + 10))")
	node_v6+=("2001:db8:1ab::$((k + 10))")
	echo "$mac" >"$TMP/mac.$k"
}

# Static neighbours: no ARP or ND in flight to lose the first probes.
static_neighbours() {
	local i j
	for i in "${!node_ns[@]}"; do
		: >"$TMP/neigh"
		for j in "${!node_ns[@]}"; do
			[ "$i" = "$j" ] && continue
			echo "neigh replace ${node_v4[$j]} lladdr $(cat "$TMP/mac.$j") dev eth0 nud permanent" >>"$TMP/neigh"
			echo "neigh replace ${node_v6[$j]} lladdr $(cat "$TMP/mac.$j") dev eth0 nud permanent" >>"$TMP/neigh"
		done
		ip netns exec "${node_ns[$i]}" ip -batch "$TMP/neigh" || return 1
	done
}

first_node() {	# role [n]: index of the role's first (or n-th) node
	local i n=${2:-1}
	for i in "${!node_ns[@]}"; do
		if [ "${node_role[$i]}" = "$1" ]; then
			n=$((n - 1))
			[ "$n" = 0 ] && { echo "$i"; return 0; }
		fi
	done
	return 1
}

# Loads the rules of role into node i; $1 names the lab for messages.
load_iptables() {	# lab, node index
	local lab=$1 ns=${node_ns[$2]} role=${node_role[$2]} d="$TMP/rules.${node_role[$2]}"
	local f load save n want t cmd
	if [ ! -d "$d" ]; then
		mkdir -p "$d"
		for f in ipset iptables ip6tables; do
			"$FWGEN" print -i "$TMP/inv.yaml" --role "$role" --format "$f" \
				>"$d/$f" 2>"$TMP/err" ||
				{ bad "$lab/$role: fwgen print --format $f: $(cat "$TMP/err")"; return 1; }
		done
	fi
	for load in 1 2; do
		ip netns exec "$ns" ipset restore <"$d/ipset" 2>"$TMP/err" ||
			{ bad "$lab/$role: ipset restore (load $load): $(head -3 "$TMP/err")"; return 1; }
		ip netns exec "$ns" "$IPT_RESTORE" --noflush <"$d/iptables" 2>"$TMP/err" ||
			{ bad "$lab/$role: $IPT_RESTORE --noflush (load $load): $(head -3 "$TMP/err")"; return 1; }
		ip netns exec "$ns" "$IP6T_RESTORE" --noflush <"$d/ip6tables" 2>"$TMP/err" ||
			{ bad "$lab/$role: $IP6T_RESTORE --noflush (load $load): $(head -3 "$TMP/err")"; return 1; }
		if [ "$load" = 1 ]; then
			# What the kernel holds is what was rendered, line for line.
			for f in iptables ip6tables; do
				save=$IPT_SAVE
				[ "$f" = ip6tables ] && save=$IP6T_SAVE
				ip netns exec "$ns" "$save" | grep '^-A FWGEN' | sort >"$TMP/saved"
				grep '^-A FWGEN' "$d/$f" | sort >"$TMP/rendered"
				if diff -u "$TMP/rendered" "$TMP/saved" >"$TMP/err"; then
					ok
				else
					bad "$lab/$role: $save differs from the $f output:"
					sed 's/^/    /' "$TMP/err" | head -20
				fi
			done
		fi
	done
	# The second load added a second jump: remove the extras as the docs say.
	for f in iptables ip6tables; do
		# iptables-restore -> iptables, iptables-legacy-restore -> iptables-legacy
		cmd=${IPT_RESTORE%-restore}
		[ "$f" = ip6tables ] && cmd=${IP6T_RESTORE%-restore}
		for t in filter nat raw; do
			ip netns exec "$ns" "$cmd" -t "$t" -S 2>/dev/null |
				sed -n 's/^-A \([A-Z]*\) -j \(FWGEN-[A-Z]*\)$/\1 \2/p' | sort -u |
			while read -r builtin own; do
				while [ "$(ip netns exec "$ns" "$cmd" -t "$t" -S "$builtin" | grep -cx -- "-A $builtin -j $own")" -gt 1 ]; do
					ip netns exec "$ns" "$cmd" -t "$t" -D "$builtin" -j "$own" || break
				done
			done
			n=$(ip netns exec "$ns" "$cmd" -t "$t" -S 2>/dev/null | grep -c -- '^-A [A-Z]* -j FWGEN-')
			want=$(grep -c '^-I ' <(sed -n "/^\*$t\$/,/^COMMIT/p" "$d/$f"))
			if [ "$n" = "$want" ]; then
				ok
			else
				bad "$lab/$role: $f -t $t: $n jumps into fwgen's chains after reloading, want $want"
			fi
		done
	done
}

load_nft() {	# lab, node index
	local lab=$1 ns=${node_ns[$2]} role=${node_role[$2]}
	if ! "$FWGEN" print -i "$TMP/inv.yaml" --role "$role" >"$TMP/rules.nft" 2>"$TMP/err" ||
	   ! ip netns exec "$ns" nft -f "$TMP/rules.nft" 2>"$TMP/err"; then
		bad "$lab/$role: nft: $(head -3 "$TMP/err")"
		return 1
	fi
}

# One inventory for the whole lab, as for a fleet: each node finds its role
# by its own addresses (--role auto); diff with the role named then proves
# it found exactly that one.
load_apply() {	# lab, node index
	local lab=$1 ns=${node_ns[$2]} role=${node_role[$2]}
	if ! ip netns exec "$ns" "$FWGEN" apply -q -i "$TMP/inv.yaml" --role auto 2>"$TMP/err"; then
		bad "$lab/$role: fwgen apply --role auto: $(head -3 "$TMP/err")"
		return 1
	fi
	if ! ip netns exec "$ns" "$FWGEN" diff -q -i "$TMP/inv.yaml" --role "$role" 2>"$TMP/err"; then
		bad "$lab/$role: fwgen diff --role $role after apply --role auto is not clean: $(head -3 "$TMP/err")"
		return 1
	fi
}

run_lab() {	# topology, open|filtered
	local topo=$1 egress=$2 lab="$1/egress-$2" i role kind ports sep
	local n s t f pid from to proto port expect fam id got probers
	local plan_args=()
	[ "$egress" = filtered ] && plan_args=(--egress)

	if ! "$LAB_PLAN" "$topo" "${plan_args[@]}" >"$TMP/plan" 2>"$TMP/err"; then
		bad "$lab: lab-plan: $(cat "$TMP/err")"
		return
	fi
	node_ns=() node_role=() node_v4=() node_v6=()
	BR="${P}br"
	ip netns add "$BR" || { bad "$lab: cannot create namespaces"; return; }
	namespaces+=("$BR")
	if ! ip netns exec "$BR" ip link add br0 type bridge ||
	   ! ip netns exec "$BR" ip link set br0 up; then
		bad "$lab: bridge"
		return
	fi
	while read -r _ role kind; do
		add_node "$role" || { bad "$lab: node for $role"; return; }
		if [ "$kind" = host ]; then
			add_node "$role" || { bad "$lab: second node for $role"; return; }
		fi
	done < <(grep '^role ' "$TMP/plan")
	static_neighbours || { bad "$lab: static neighbours"; return; }

	{
		echo "topology: $topo"
		echo "egress: $egress"
		echo "roles:"
		while read -r _ role _; do
			printf '  %s: [' "$role"
			sep=
			for i in "${!node_ns[@]}"; do
				[ "${node_role[$i]}" = "$role" ] || continue
				printf '%s%s, "%s"' "$sep" "${node_v4[$i]}" "${node_v6[$i]}"
				sep=", "
			done
			echo "]"
		done < <(grep '^role ' "$TMP/plan")
	} >"$TMP/inv.yaml"
	rm -rf "$TMP"/rules.*

	# Firewalls on every node of every host role.
	for i in "${!node_ns[@]}"; do
		grep -qx "role ${node_role[$i]} host" "$TMP/plan" || continue
		if [ "$BACKEND" = nft ]; then
			load_nft "$lab" "$i" || return
		elif [ "$BACKEND" = apply ]; then
			load_apply "$lab" "$i" || return
		else
			load_iptables "$lab" "$i" || return
		fi
	done

	# Listeners: every node of a role on every port planned for the role.
	for i in "${!node_ns[@]}"; do
		ports=$(awk -v r="${node_role[$i]}" '$1 == "listen" && $2 == r { print $3 ":" $4 }' "$TMP/plan" | sort -u)
		[ -n "$ports" ] || continue
		# shellcheck disable=SC2086 # one argument per port
		ip netns exec "${node_ns[$i]}" "$PYTHON" "$TMP/lab.py" listen $ports \
			>"$TMP/ready.$i" 2>&1 &
	done
	for i in "${!node_ns[@]}"; do
		[ -e "$TMP/ready.$i" ] || continue
		for _ in $(seq 50); do
			grep -q ready "$TMP/ready.$i" && break
			sleep 0.1
		done
		grep -q ready "$TMP/ready.$i" ||
			{ bad "$lab: listener on node $i: $(head -3 "$TMP/ready.$i")"; return; }
	done

	# Probes, grouped by the node they start from; all nodes at once.
	rm -f "$TMP"/probes.* "$TMP"/result.*
	: >"$TMP/expect"
	n=0
	while read -r _ from to proto port expect; do
		t=$(first_node "$to") || continue
		if [ "$from" = "$to" ]; then
			s=$(first_node "$from" 2) || continue
		else
			s=$(first_node "$from") || continue
		fi
		echo "$n ${node_v4[$t]} $proto $port" >>"$TMP/probes.$s"
		echo "$n $from $to $proto $port ipv4 $expect" >>"$TMP/expect"
		n=$((n + 1))
		echo "$n ${node_v6[$t]} $proto $port" >>"$TMP/probes.$s"
		echo "$n $from $to $proto $port ipv6 $expect" >>"$TMP/expect"
		n=$((n + 1))
	done < <(grep '^probe ' "$TMP/plan")
	probers=()
	for f in "$TMP"/probes.*; do
		[ -e "$f" ] || continue
		s=${f##*.}
		ip netns exec "${node_ns[$s]}" "$PYTHON" "$TMP/lab.py" probe <"$f" >"$TMP/result.$s" &
		probers+=($!)
	done
	for pid in "${probers[@]}"; do
		wait "$pid"
	done
	cat "$TMP"/result.* 2>/dev/null | sort -n >"$TMP/results"
	while read -r id from to proto port fam expect; do
		got=$(awk -v id="$id" '$1 == id { print $2 }' "$TMP/results")
		if [ "$got" = "$expect" ]; then
			ok
		else
			bad "$lab: $from -> $to $proto $port over $fam: ${got:-no result}, want $expect"
		fi
	done <"$TMP/expect"
	cleanup
}

"$FWGEN" catalog list >"$TMP/catalog" 2>"$TMP/err" ||
	{ echo "FAIL: fwgen catalog list: $(cat "$TMP/err")"; exit 1; }
topologies=$(awk '/^[a-z]/ { print $1 }' "$TMP/catalog")
[ -n "$topologies" ] || { echo "FAIL: no topologies in the catalog"; exit 1; }
for topo in $topologies; do
	run_lab "$topo" open
	run_lab "$topo" filtered
done

# Nothing of fwgen's may have reached the host's own namespace.
if nft list ruleset 2>/dev/null | grep -q 'FWGEN-\|table inet fwgen' ||
   ipset list -n 2>/dev/null | grep -q '^fwgen-'; then
	echo "FAIL: fwgen chains or sets in the root namespace"
	fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
