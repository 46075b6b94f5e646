# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# lab.sh: a bash library (source it) that builds throwaway network labs: hosts
# are network namespaces on one bridge, which itself lives in a namespace.
#
# Safety: nothing here touches the machine's own network namespace. Every
# interface, address, sysctl and rule is made inside a namespace of this run
# (ip -n NS / ip netns exec NS), addresses must be in 198.18.0.0/15 and
# 2001:db8::/32, and an EXIT/INT/TERM trap removes every namespace of the run.
#
#   . tests/netns/lab.sh
#   lab_init
#   lab_host a 198.18.0.1/24 2001:db8:0:1::1/64
#   lab_host b 198.18.0.2/24 2001:db8:0:1::2/64
#   lab_listen a --tcp 22,80 --udp 53
#   lab_probe b connect --tcp 198.18.0.1 22
#
# The functions report errors on stderr and return non-zero rather than
# exit, so they behave the same with and without `set -e`.

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The run's state starts empty: never taken from the environment, so a stray
# LAB_PREFIX cannot make lab_cleanup delete namespaces of someone else. Sourced
# again by the same shell, the library keeps the lab it has.
if [ "${_LAB_LOADED:-}" != "$$" ]; then
	_LAB_LOADED=$$
	LAB_PREFIX=	# set by lab_init: fwl<pid>- (or fwl<pid>r<n>-)
	LAB_SWITCH=	# the namespace holding the bridge br0
	LAB_TMP=	# a directory of this run, removed by lab_cleanup
	LAB_NHOSTS=0	# hosts made, to name the bridge ports h0, h1..
	LAB_PIDS=()	# background processes started by lab_listen
	LAB_WAITING=()	# 1 + index in LAB_PIDS of listeners not yet seen ready
	declare -gA LAB_V4=() LAB_V6=() LAB_MAC=()	# per host: bare addresses, eth0's MAC
	LAB_PASS=0	# checks passed and failed: ok, not_ok, lab_summary
	LAB_FAIL=0
fi

# Print an error message on stderr.
_lab_err() {
	echo "lab: $*" >&2
}

# The probe binary: $PROBE, else the build tree's, else one on $PATH.
lab_probe_bin() {
	local p
	if [ -n "${PROBE:-}" ]; then
		if [ -x "$PROBE" ] && [ -f "$PROBE" ]; then
			echo "$PROBE"
			return 0
		fi
		_lab_err "PROBE=$PROBE is not an executable file"
		return 1
	fi
	for p in "$LAB_DIR/../../build/tests/netns/probe" \
		"$(command -v probe 2>/dev/null || true)"; do
		if [ -n "$p" ] && [ -x "$p" ] && [ -f "$p" ]; then
			echo "$p"
			return 0
		fi
	done
	_lab_err "no probe binary: build it (meson) or set PROBE=/path/to/probe"
	return 1
}

# Where `ip netns` keeps its namespaces: listing it costs no process.
LAB_NETNS_DIR=/run/netns

# True if namespace $1 exists.
_lab_ns_exists() {
	[ -e "$LAB_NETNS_DIR/$1" ]
}

# Print every namespace of this run, hosts first, the switch last.
_lab_our_ns() {
	local f n sw=0
	[ -n "$LAB_PREFIX" ] || return 0
	for f in "$LAB_NETNS_DIR/$LAB_PREFIX"*; do
		[ -e "$f" ] || continue
		n=${f##*/}
		if [ "$n" = "${LAB_PREFIX}_sw" ]; then
			sw=1
			continue
		fi
		echo "$n"
	done
	[ $sw = 0 ] || echo "${LAB_PREFIX}_sw"
}

# Fail unless lab_init has made this run's lab.
_lab_need_init() {
	[ -n "$LAB_SWITCH" ] && return 0
	_lab_err "${FUNCNAME[1]}: call lab_init first"
	return 1
}

# Handle EXIT, INT and TERM: clean up, and exit 130/143 on a signal.
_lab_trap() {
	local rc=$? sig=$1
	lab_cleanup
	case $sig in
	INT) trap - INT; exit 130 ;;
	TERM) trap - TERM; exit 143 ;;
	esac
	return "$rc"
}

# Create this run's prefix, switch namespace and bridge, and the cleanup trap.
# Idempotent. Returns 2 when namespaces cannot be made at all (not root, no
# netns support), 1 on any other failure.
lab_init() {
	if [ -n "$LAB_SWITCH" ] && _lab_ns_exists "$LAB_SWITCH"; then
		return 0
	fi
	if [ "$(id -u)" != 0 ]; then
		_lab_err "needs root to create network namespaces"
		return 2
	fi
	if ! command -v ip >/dev/null || ! ip netns list >/dev/null 2>&1; then
		_lab_err "ip netns is not available"
		return 2
	fi

	# fwl<pid>-; if a dead run with the same pid left namespaces, step aside
	LAB_PREFIX="fwl$$-"
	while [ -n "$(_lab_our_ns)" ]; do
		LAB_PREFIX="fwl$$r$RANDOM-"
	done
	LAB_SWITCH="${LAB_PREFIX}_sw"
	LAB_NHOSTS=0
	LAB_PIDS=() LAB_WAITING=()

	trap '_lab_trap EXIT' EXIT
	if [[ $- != *i* ]]; then	# at a prompt, ^C must not end the shell
		trap '_lab_trap INT' INT
		trap '_lab_trap TERM' TERM
	fi

	LAB_TMP=$(mktemp -d "${TMPDIR:-/tmp}/${LAB_PREFIX}XXXXXX") || {
		_lab_err "cannot make a temporary directory"
		return 1
	}
	if ! ip netns add "$LAB_SWITCH"; then
		_lab_err "cannot create network namespace $LAB_SWITCH"
		return 2
	fi
	# the bridge: no STP delay, no multicast snooping (IPv6 ND just floods),
	# and no netfilter on bridged frames, inside the switch namespace only
	if ! { ip -n "$LAB_SWITCH" link set lo up &&
		ip -n "$LAB_SWITCH" link add br0 type bridge stp_state 0 \
			forward_delay 0 mcast_snooping 0 &&
		ip -n "$LAB_SWITCH" link set br0 up; }; then
		_lab_err "cannot create the bridge in $LAB_SWITCH"
		return 1
	fi
	ip netns exec "$LAB_SWITCH" sysctl -q -e -w \
		net.bridge.bridge-nf-call-iptables=0 \
		net.bridge.bridge-nf-call-ip6tables=0 \
		net.bridge.bridge-nf-call-arptables=0 >/dev/null 2>&1 || true
	return 0
}

# For test scripts under meson: lab_init, or end the script as meson reads
# it, skipped (77) where namespaces cannot be made at all, failed (1) on
# any other failure. The one function here that exits.
lab_test_init() {
	lab_init
	case $? in
	0) return 0 ;;
	2) echo "SKIP: cannot create network namespaces"; exit 77 ;;
	*) echo "FAIL: lab_init"; exit 1 ;;
	esac
}

# Print the full namespace name of host NAME.
lab_ns() {
	_lab_need_init || return 1
	echo "$LAB_PREFIX$1"
}

# True if $1 (ADDRESS/PREFIX) is an IPv4 address in 198.18.0.0/15.
_lab_v4_ok() {
	[[ $1 =~ ^198\.1[89]\.([0-9]{1,3})\.([0-9]{1,3})/([0-9]{1,2})$ ]] &&
		((BASH_REMATCH[1] < 256 && BASH_REMATCH[2] < 256 &&
		  BASH_REMATCH[3] >= 15 && BASH_REMATCH[3] <= 32))
}

# True if $1 (ADDRESS/PREFIX) is an IPv6 address in 2001:db8::/32.
_lab_v6_ok() {
	local a=${1,,}
	[[ $a =~ ^2001:0?db8:[0-9a-f:]*/([0-9]{1,3})$ ]] &&
		((BASH_REMATCH[1] >= 32 && BASH_REMATCH[1] <= 128))
}

# Create host NAME: a namespace whose eth0 is a port of the bridge, with lo
# up and the addresses given (IPv4/PREFIX, and optionally IPv6/PREFIX).
lab_host() {
	if [ $# -lt 2 ] || [ $# -gt 3 ]; then
		_lab_err "usage: lab_host NAME IPV4/PREFIX [IPV6/PREFIX]"
		return 1
	fi
	lab_hosts "$*"
}

# Create many hosts at once, each argument "NAME IPV4/PREFIX [IPV6/PREFIX]",
# as lab_host does one: all checked first, then made with one
# `ip -batch` for the namespaces, one for the bridge ports and one per host.
# Each eth0 gets a MAC of its own (see lab_neigh).
lab_hosts() {
	local name v4 v6 extra ns port mac spec
	local names=() v4s=() v6s=() nsadd="" swcmds="" i
	declare -A seen=()
	_lab_need_init || return 1
	for spec in "$@"; do
		read -r name v4 v6 extra <<<"$spec"
		if [ -z "$v4" ] || [ -n "$extra" ]; then
			_lab_err "lab_host: want NAME IPV4/PREFIX [IPV6/PREFIX], not '$spec'"
			return 1
		fi
		if ! [[ $name =~ ^[a-z0-9][a-z0-9-]{0,30}$ ]]; then
			_lab_err "lab_host: bad name '$name' (a-z, 0-9 and -)"
			return 1
		fi
		if ! _lab_v4_ok "$v4"; then
			_lab_err "lab_host: $v4 is not ADDRESS/PREFIX in 198.18.0.0/15"
			return 1
		fi
		if [ -n "$v6" ] && ! _lab_v6_ok "$v6"; then
			_lab_err "lab_host: $v6 is not ADDRESS/PREFIX in 2001:db8::/32"
			return 1
		fi
		if [ -n "${seen[$name]:-}" ] || _lab_ns_exists "$LAB_PREFIX$name"; then
			_lab_err "lab_host: host $name exists already"
			return 1
		fi
		seen[$name]=1
		names+=("$name") v4s+=("$v4") v6s+=("$v6")
	done
	[ ${#names[@]} -gt 0 ] || return 0

	for i in "${!names[@]}"; do
		ns=$LAB_PREFIX${names[$i]}
		# the port number makes the MAC: unique on the bridge, known without
		# asking the kernel; 02: locally administered
		port=$((LAB_NHOSTS + i))
		printf -v mac '02:1a:b0:%02x:%02x:%02x' $((port >> 16 & 255)) \
			$((port >> 8 & 255)) $((port & 255))
		LAB_MAC[${names[$i]}]=$mac
		LAB_V4[${names[$i]}]=${v4s[$i]%/*}
		LAB_V6[${names[$i]}]=${v6s[$i]%/*}
		nsadd+="netns add $ns"$'\n'
		# the veth pair is made in the switch namespace, its peer moved
		# straight into the host: no interface ever exists in the
		# machine's namespace
		swcmds+="link add h$port type veth peer name eth0 address $mac netns $ns"$'\n'
		swcmds+="link set h$port master br0 up"$'\n'
	done
	LAB_NHOSTS=$((LAB_NHOSTS + ${#names[@]}))
	printf '%s' "$nsadd" | ip -batch - || { _lab_err "lab_host: cannot create namespaces"; return 1; }
	printf '%s' "$swcmds" | ip -n "$LAB_SWITCH" -batch - ||
		{ _lab_err "lab_host: cannot make the bridge ports"; return 1; }
	for i in "${!names[@]}"; do
		ns=$LAB_PREFIX${names[$i]}
		{
			echo "link set lo up"
			echo "link set eth0 up"
			echo "addr add ${v4s[$i]} dev eth0"
			[ -z "${v6s[$i]}" ] || echo "addr add ${v6s[$i]} dev eth0 nodad"
		} | ip -n "$ns" -batch - || { _lab_err "lab_host: cannot set up $ns"; return 1; }
		# answer every closed UDP port at once, however many probes come;
		# /proc/sys/net is that of the namespace the writer is in
		nsenter --net="$LAB_NETNS_DIR/$ns" sysctl -q -e -w net.ipv4.icmp_ratelimit=0 \
			net.ipv6.icmp.ratelimit=0 >/dev/null 2>&1 || true
	done
	return 0
}

# Permanent neighbour entries among hosts NAME...: no ARP or ND in flight
# when hundreds of probes start at once (the kernel queues only a few
# packets per unresolved neighbour and drops the rest).
lab_neigh() {
	local a b cmds
	_lab_need_init || return 1
	for a in "$@"; do
		[ -n "${LAB_MAC[$a]:-}" ] || { _lab_err "lab_neigh: no host $a"; return 1; }
	done
	for a in "$@"; do
		cmds=""
		for b in "$@"; do
			[ "$a" != "$b" ] || continue
			cmds+="neigh replace ${LAB_V4[$b]} lladdr ${LAB_MAC[$b]} dev eth0 nud permanent"$'\n'
			[ -z "${LAB_V6[$b]}" ] ||
				cmds+="neigh replace ${LAB_V6[$b]} lladdr ${LAB_MAC[$b]} dev eth0 nud permanent"$'\n'
		done
		[ -z "$cmds" ] || printf '%s' "$cmds" | ip -n "$LAB_PREFIX$a" -batch - ||
			{ _lab_err "lab_neigh: cannot set neighbours in $a"; return 1; }
	done
}

# Create a bare namespace NAME of this run, not on the bridge: lo up and
# nothing else, removed with the lab. For tests that need rulesets, not
# traffic between hosts.
lab_ns_new() {
	local ns
	_lab_need_init || return 1
	if ! [[ ${1:-} =~ ^[a-zA-Z0-9][a-zA-Z0-9-]{0,30}$ ]]; then
		_lab_err "lab_ns_new: bad name '${1:-}'"
		return 1
	fi
	ns=$LAB_PREFIX$1
	ip netns add "$ns" || { _lab_err "cannot create namespace $ns"; return 1; }
	ip -n "$ns" link set lo up
}

# Remove namespace NAME of this run (made by lab_ns_new), its processes first.
lab_ns_del() {
	local ns
	_lab_need_init || return 1
	ns=$LAB_PREFIX$1
	_lab_ns_exists "$ns" || return 0
	_lab_kill_ns "$ns"
	ip netns del "$ns"
}

# Run a command in host NAME's namespace.
lab_exec() {
	local ns
	if [ $# -lt 2 ]; then
		_lab_err "usage: lab_exec NAME COMMAND [ARG...]"
		return 1
	fi
	ns=$(lab_ns "$1") || return 1
	shift
	ip netns exec "$ns" "$@"
}

# Run the probe tool in host NAME's namespace: lab_probe NAME many ... .
lab_probe() {
	local bin name=${1:-}
	if [ $# -lt 2 ]; then
		_lab_err "usage: lab_probe NAME listen|connect|many ARG..."
		return 1
	fi
	shift
	bin=$(lab_probe_bin) || return 1
	lab_exec "$name" "$bin" "$@"
}

# Set sysctls (KEY=VALUE...) in host NAME's namespace, e.g. ip_forward.
lab_sysctl() {
	local name=${1:-}
	if [ $# -lt 2 ]; then
		_lab_err "usage: lab_sysctl NAME KEY=VALUE..."
		return 1
	fi
	shift
	lab_exec "$name" sysctl -q -w "$@"
}

# Start `probe listen ARGS` in host NAME's namespace in the background and
# wait until it is ready (5 s at most); fails with its error output if not.
lab_listen() {
	lab_listen_start "$@" && lab_listen_wait
}

# Start `probe listen ARGS` in host NAME's namespace in the background, not
# waiting: start many, then lab_listen_wait for all of them at once.
lab_listen_start() {
	local name=${1:-} bin out
	if [ $# -lt 2 ]; then
		_lab_err "usage: lab_listen NAME [--tcp PORTS] [--udp PORTS]"
		return 1
	fi
	shift
	_lab_need_init || return 1
	bin=$(lab_probe_bin) || return 1
	_lab_ns_exists "$LAB_PREFIX$name" || {
		_lab_err "lab_listen: no host $name"
		return 1
	}
	out="$LAB_TMP/listen.${#LAB_PIDS[@]}"
	echo "$name $*" >"$out.what"
	ip netns exec "$LAB_PREFIX$name" "$bin" listen "$@" \
		>"$out.out" 2>"$out.err" </dev/null &
	LAB_PIDS+=("$!")
	LAB_WAITING+=("${#LAB_PIDS[@]}")
}

# Wait until every listener lab_listen_start started is ready (5 s at most).
lab_listen_wait() {
	local deadline i out pid rc
	deadline=$((${EPOCHREALTIME/./} + 5000000))
	while [ ${#LAB_WAITING[@]} -gt 0 ]; do
		i=$((LAB_WAITING[0] - 1))
		out="$LAB_TMP/listen.$i"
		pid=${LAB_PIDS[$i]}
		if [ "$(cat "$out.out" 2>/dev/null)" = ready ]; then
			LAB_WAITING=("${LAB_WAITING[@]:1}")
			continue
		fi
		if ! kill -0 "$pid" 2>/dev/null; then
			rc=0
			wait "$pid" 2>/dev/null || rc=$?
			_lab_err "lab_listen $(cat "$out.what"): probe exited ($rc): $(cat "$out.err")"
			LAB_WAITING=()
			return 1
		fi
		if ((${EPOCHREALTIME/./} >= deadline)); then
			_lab_err "lab_listen $(cat "$out.what"): not ready after 5 s: $(cat "$out.err")"
			LAB_WAITING=()
			return 1
		fi
		sleep 0.01
	done
	return 0
}

# Print the pids of every process in namespaces NS..., one scan of /proc
# for all of them (`ip netns pids` scans it once per namespace).
_lab_pids_in() {
	local ino p want=" "
	for ino in $(stat -L -c %i "${@/#/$LAB_NETNS_DIR/}" 2>/dev/null || true); do
		want+="net:[$ino] "
	done
	[ "$want" != " " ] || return 0
	find /proc/[0-9]*/ns/net -maxdepth 0 -printf '%l %p\n' 2>/dev/null |
	while read -r ino p; do
		[[ $want == *" $ino "* ]] || continue
		p=${p#/proc/}
		echo "${p%%/*}"
	done || true	# processes come and go while find reads
	return 0
}

# Kill every process in namespaces NS... (TERM, then KILL after a second).
_lab_kill_ns() {
	local pids i
	[ $# -gt 0 ] || return 0
	pids=$(_lab_pids_in "$@")
	[ -n "$pids" ] || return 0
	# shellcheck disable=SC2086
	kill -TERM $pids 2>/dev/null || true
	for ((i = 0; i < 20; i++)); do
		pids=$(_lab_pids_in "$@")
		[ -n "$pids" ] || return 0
		sleep 0.05
	done
	# shellcheck disable=SC2086
	kill -KILL $pids 2>/dev/null || true
}

# Remove everything of this run: processes, namespaces, the temporary
# directory. Called by the trap; safe to call twice, or before lab_init.
lab_cleanup() {
	local pid nss
	trap '' INT TERM	# finish cleaning even if interrupted again
	# the script's own background jobs first: they may hold namespaces open
	# or start processes in them
	for pid in $(jobs -p) ${LAB_PIDS[@]+"${LAB_PIDS[@]}"}; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	mapfile -t nss < <(_lab_our_ns)
	_lab_kill_ns ${nss[@]+"${nss[@]}"}
	for pid in $(jobs -p) ${LAB_PIDS[@]+"${LAB_PIDS[@]}"}; do
		wait "$pid" 2>/dev/null || true
	done
	LAB_PIDS=() LAB_WAITING=()
	if [ ${#nss[@]} -gt 0 ]; then
		# one process for all; -force goes on past one that fails
		printf 'netns del %s\n' "${nss[@]}" | ip -force -batch - 2>/dev/null || true
		for pid in $(_lab_our_ns); do
			_lab_err "could not delete namespace $pid"
		done
	fi
	if [ -n "$LAB_TMP" ] && [ -d "$LAB_TMP" ]; then
		rm -rf -- "$LAB_TMP"
	fi
	LAB_TMP=
	LAB_SWITCH=
	LAB_NHOSTS=0
	LAB_V4=() LAB_V6=() LAB_MAC=()
	trap - INT TERM
	if [ -n "$LAB_PREFIX" ] && [[ $- != *i* ]]; then
		trap '_lab_trap INT' INT
		trap '_lab_trap TERM' TERM
	fi
	return 0
}

# Checks and their tally, the same for every lab test: ok NAME, not_ok NAME
# [DETAIL...] (each detail line indented under it), lab_summary last.
ok() {
	LAB_PASS=$((LAB_PASS + 1))
	echo "ok $1"
}
not_ok() {
	LAB_FAIL=$((LAB_FAIL + 1))
	echo "FAIL $1"
	shift
	[ $# = 0 ] || printf '%s\n' "$@" | sed 's/^/    /'
}

# check NAME COMMAND...: ok if COMMAND succeeds, else not_ok with what it
# left by `why`.
check() {
	local name=$1
	shift
	if "$@"; then
		ok "$name"
	else
		not_ok "$name" "$(cat "$LAB_TMP/why" 2>/dev/null)"
	fi
	rm -f "$LAB_TMP/why"
}
why() {
	printf '%s\n' "$@" >"$LAB_TMP/why"
}

# Add the checks another shell counted: lines "ok NAME" and "FAIL NAME" (with
# indented detail) in FILE..., printed as they are. For checks run in
# background jobs, which cannot count in this shell.
lab_tally() {
	local f n
	for f in "$@"; do
		[ -s "$f" ] || continue
		cat "$f"
		n=$(grep -c '^ok ' "$f") || true
		LAB_PASS=$((LAB_PASS + n))
		n=$(grep -c '^FAIL ' "$f") || true
		LAB_FAIL=$((LAB_FAIL + n))
	done
}

# Count N checks passed at once, printed as one line: ok_n N NAME.
ok_n() {
	LAB_PASS=$((LAB_PASS + $1))
	echo "ok $2 ($1 checks)"
}

# Print the tally; true if nothing failed (end a test with it).
lab_summary() {
	echo "$LAB_PASS passed, $LAB_FAIL failed"
	[ "$LAB_FAIL" = 0 ]
}
