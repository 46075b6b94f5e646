#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The hostile and broken input corpus (tests/data/bad/MANIFEST): for every
# case `fwgen print` must exit 2 within a second, write nothing to stdout,
# one line `fwgen: FILE[:LINE:COL]: ...` to stderr matching the expected
# message, and stay within a memory bound. With `apply`, inside a network
# namespace this test creates (never the machine's own), `fwgen apply` of
# every case must exit 2 and leave the ruleset byte-identical.
#
# Usage: test-bad-input.sh [print|apply]
# Environment: FWGEN (the binary), FWGEN_TEST_DATA (tests/data),
#   FWGEN_BAD_TIME_LIMIT (seconds, default 1), FWGEN_BAD_RSS_KB (default
#   102400), FWGEN_BAD_ONLY (a substring: run only the matching cases),
#   FWGEN_BAD_VERBOSE (print the time and memory of every case).
# Manifest lines: FILE<TAB>ARGS<TAB>REGEX. FILE is relative to
# tests/data/bad, or a case generated here (@gen:NAME, @missing, @dir,
# @fifo, @catdir:NAME). Files under catalog/ (and @gen:catalog-*) are the
# only file of a temporary catalog directory; inventory cases use the demo
# catalog. In ARGS, @ is the file; in REGEX, an extended regular
# expression matched against the message after "fwgen: ", @F is the file
# and @D the catalog directory.
set -u

mode=${1:-print}
FWGEN=${FWGEN:-fwgen}
DATA=${FWGEN_TEST_DATA:-$(cd "$(dirname "$0")/../data" && pwd)}
BAD=$DATA/bad
DEMO_CATALOG=$DATA/catalog-demo
TIME_LIMIT=${FWGEN_BAD_TIME_LIMIT:-1}
RSS_LIMIT=${FWGEN_BAD_RSS_KB:-102400}
ONLY=${FWGEN_BAD_ONLY:-}
TIME_BIN=/usr/bin/time
[ -x "$TIME_BIN" ] || TIME_BIN=

if [ "$mode" = apply ]; then
	[ "$(id -u)" = 0 ] || { echo "SKIP: the apply part needs root for network namespaces"; exit 77; }
	command -v nft >/dev/null || { echo "SKIP: nft not installed"; exit 77; }
	if ! "$FWGEN" apply --help >/dev/null 2>&1; then
		echo "SKIP: fwgen apply is not built yet"
		exit 77
	fi
fi

TMP=$(mktemp -d)
NS=
cleanup() {
	[ -n "$NS" ] && ip netns del "$NS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- generated cases: too big, too long or impossible to keep as files
ip4() {	# i -> an IPv4 address of 10.0.0.0/8
	echo $(($1 >> 16 & 255)).$(($1 >> 8 & 255)).$(($1 & 255))
}

generate() {	# name, path
	local name=$1 f=$2
	case $name in
	huge-scalar)
		{ printf 'topology: demo\nroles:\n  user: "'; head -c 20000 /dev/zero | tr '\0' x; printf '"\n'; } >"$f" ;;
	huge-key)
		{ printf 'topology: demo\nroles:\n  '; head -c 20000 /dev/zero | tr '\0' r; printf ': any\n'; } >"$f" ;;
	long-line)
		awk 'BEGIN { printf "topology: demo\nroles: {user: ["
			for (i = 0; i < 100000; i++) printf "10.%d.%d.%d, ", int(i / 65536), int(i / 256) % 256, i % 256
			print "300.1.1.1]}" }' >"$f" ;;
	deep-10000)
		{ printf 'topology: demo\nroles: '; head -c 10000 /dev/zero | tr '\0' '['; echo; } >"$f" ;;
	too-many-addresses)
		awk 'BEGIN { print "topology: demo\nroles:\n  user:"
			for (i = 0; i <= 262144; i++) printf "    - 10.%d.%d.%d\n", int(i / 65536), int(i / 256) % 256, i % 256 }' >"$f" ;;
	too-many-roles)
		awk 'BEGIN { print "topology: demo\nroles:"
			for (i = 0; i <= 1024; i++) printf "  r%d: any\n", i }' >"$f" ;;
	too-many-nodes)
		awk 'BEGIN { printf "topology: demo\nroles: {user: ["
			for (i = 0; i < 600000; i++) printf "a,"
			print "a]}" }' >"$f" ;;
	many-anchors)
		awk 'BEGIN { print "topology: demo\nroles:\n  user:"
			for (i = 0; i < 100000; i++) printf "    - &a%d 10.0.%d.%d\n", i, int(i / 256) % 256, i % 256
			for (i = 0; i < 100000; i++) print "    - *a0"
			print "    - bad" }' >"$f" ;;
	big-file)
		{ printf 'topology: demo\n'; } >"$f"
		truncate -s 17M "$f" ;;
	catalog-too-many-flows)
		awk 'BEGIN { print "topology: demo\nproduct: D\nsummary: s\ndocuments: {d: {file: f, tables: {t: T}}}"
			print "roles: {web: {kind: host}, user: {kind: peer}}\nflows:"
			for (i = 0; i <= 2048; i++) printf "  - {id: f%d, from: user, to: web, proto: tcp, ports: [%d], description: d, source: \"d:t#1\"}\n", i, i + 1 }' >"$f" ;;
	*)
		return 1 ;;
	esac
}

# --- one case
pass=0
fail=0
failed() {
	echo "FAIL $case: $*"
	fail=$((fail + 1))
}

# Sets FILE, CATDIR and ARGV for a manifest line; returns 1 if unknown.
prepare() {	# file, args
	local file=$1 args=$2 dir w
	dir=$TMP/case$n
	mkdir -p "$dir"
	CATDIR=$DEMO_CATALOG
	case $file in
	@missing)
		FILE=$dir/missing.yaml ;;
	@dir)
		FILE=$dir/inventory.yaml
		mkdir "$FILE" ;;
	@fifo)
		FILE=$dir/inventory.yaml
		mkfifo "$FILE" ;;
	@gen:catalog-*)
		CATDIR=$dir/catalog
		mkdir "$CATDIR"
		FILE=$CATDIR/${file#@gen:catalog-}.yaml
		generate "${file#@gen:}" "$FILE" || return 1 ;;
	@gen:*)
		FILE=$dir/${file#@gen:}.yaml
		generate "${file#@gen:}" "$FILE" || return 1 ;;
	@catdir:missing)
		CATDIR=$dir/no-such-catalog
		FILE=$CATDIR ;;
	@catdir:empty)
		CATDIR=$dir/catalog
		mkdir "$CATDIR"
		: >"$CATDIR/README"
		FILE=$CATDIR ;;
	@catdir:subdir)
		CATDIR=$dir/catalog
		mkdir -p "$CATDIR/demo.yaml"
		FILE=$CATDIR/demo.yaml ;;
	@catdir:dup-topology)
		CATDIR=$dir/catalog
		mkdir "$CATDIR"
		cp "$DEMO_CATALOG/demo.yaml" "$CATDIR/a.yaml"
		cp "$DEMO_CATALOG/demo.yaml" "$CATDIR/b.yaml"
		FILE=$CATDIR/b.yaml ;;
	catalog/*)
		CATDIR=$dir/catalog
		mkdir "$CATDIR"
		FILE=$CATDIR/$(basename "$file")
		cp "$BAD/$file" "$FILE" || return 1 ;;
	@*)
		return 1 ;;
	*)
		FILE=$BAD/$file
		[ -e "$FILE" ] || return 1 ;;
	esac
	ARGV=()
	for w in $args; do
		[ "$w" = @ ] && w=$FILE
		ARGV+=("$w")
	done
	return 0
}

# The expected-message regex with @F and @D replaced by the escaped paths.
expand() {	# regex
	local re=$1 f d
	f=$(printf '%s' "$FILE" | sed 's/[][\.*^$+?(){}|/]/\\&/g')
	d=$(printf '%s' "$CATDIR" | sed 's/[][\.*^$+?(){}|/]/\\&/g')
	re=${re//@F/$f}
	printf '%s' "${re//@D/$d}"
}

run_print() {	# regex
	local re rc start end ms rss lines msg
	re=$(expand "$1")
	start=$(date +%s%N)
	if [ -n "$TIME_BIN" ]; then
		FWGEN_CATALOG_DIR=$CATDIR timeout 20 "$TIME_BIN" -f %M -o "$TMP/rss" \
			"$FWGEN" print "${ARGV[@]}" >"$TMP/out" 2>"$TMP/err"
	else
		(ulimit -v $((RSS_LIMIT * 4)); FWGEN_CATALOG_DIR=$CATDIR timeout 20 \
			"$FWGEN" print "${ARGV[@]}" >"$TMP/out" 2>"$TMP/err")
	fi
	rc=$?
	end=$(date +%s%N)
	ms=$(((end - start) / 1000000))
	lines=$(wc -l <"$TMP/err")
	msg=$(head -c 2000 "$TMP/err")
	if [ $rc -ne 2 ]; then
		failed "exit status $rc, not 2: $msg"
		return
	fi
	if [ -s "$TMP/out" ]; then
		failed "wrote $(wc -c <"$TMP/out") bytes to stdout"
		return
	fi
	if [ "$lines" -ne 1 ] || [ "$(tail -c 1 "$TMP/err" | od -An -c | tr -d ' ')" != '\n' ]; then
		failed "stderr is not one line: $msg"
		return
	fi
	if [[ $msg != "fwgen: "* ]]; then
		failed "stderr does not start with 'fwgen: ': $msg"
		return
	fi
	if ! [[ ${msg#fwgen: } =~ $re ]]; then
		failed "message '${msg#fwgen: }' does not match '$re'"
		return
	fi
	if [ "$(awk -v ms="$ms" -v lim="$TIME_LIMIT" 'BEGIN { print (ms > lim * 1000) }')" = 1 ]; then
		failed "took ${ms} ms (limit ${TIME_LIMIT} s)"
		return
	fi
	if [ -n "$TIME_BIN" ]; then
		rss=$(tail -1 "$TMP/rss")
		if [ "$rss" -gt "$RSS_LIMIT" ]; then
			failed "peak RSS ${rss} KB (limit ${RSS_LIMIT} KB)"
			return
		fi
	fi
	[ -n "${FWGEN_BAD_VERBOSE:-}" ] && echo "ok $case: ${ms} ms, ${rss:-?} KB"
	pass=$((pass + 1))
}

# --- apply: a namespace with fwgen's table and another one loaded first
setup_netns() {
	local good
	NS=fwbad$$
	ip netns add "$NS" || { echo "SKIP: cannot create a network namespace"; NS=; exit 77; }
	ip -n "$NS" link set lo up
	good=$TMP/good.nft
	if ! FWGEN_CATALOG_DIR=$DEMO_CATALOG "$FWGEN" print --topology demo --role web >"$good"; then
		echo "FAIL: fwgen print of the demo catalog"
		exit 1
	fi
	printf 'table ip other {\n\tchain c {\n\t\ttype filter hook input priority 10; policy accept;\n\t\tcounter\n\t}\n}\n' >>"$good"
	ip netns exec "$NS" nft -f "$good" || { echo "FAIL: nft -f of the baseline ruleset"; exit 1; }
	ip netns exec "$NS" nft list ruleset >"$TMP/baseline"
}

run_apply() {
	local rc msg
	FWGEN_CATALOG_DIR=$CATDIR timeout 20 ip netns exec "$NS" \
		"$FWGEN" apply "${ARGV[@]}" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	msg=$(head -c 2000 "$TMP/err")
	ip netns exec "$NS" nft list ruleset >"$TMP/after"
	if ! cmp -s "$TMP/baseline" "$TMP/after"; then
		failed "apply changed the ruleset (exit $rc): $(diff "$TMP/baseline" "$TMP/after" | head -5)"
		# Put the baseline back for the next cases.
		ip netns exec "$NS" nft flush ruleset
		ip netns exec "$NS" nft -f "$TMP/good.nft"
		return
	fi
	if [ $rc -ne 2 ]; then
		failed "apply exit status $rc, not 2: $msg"
		return
	fi
	if [ "$(wc -l <"$TMP/err")" -ne 1 ] || [[ $msg != "fwgen: "* ]]; then
		failed "apply stderr is not one 'fwgen: ' line: $msg"
		return
	fi
	pass=$((pass + 1))
}

[ "$mode" = apply ] && setup_netns

n=0
while IFS=$'\t' read -r file args regex || [ -n "$file" ]; do
	case $file in
	'' | '#'*) continue ;;
	esac
	n=$((n + 1))
	case=$file
	[ -n "$ONLY" ] && [[ $file != *"$ONLY"* ]] && continue
	if [ -z "$regex" ]; then
		failed "manifest line $n has no expected message"
		continue
	fi
	if ! prepare "$file" "$args"; then
		failed "no such case"
		continue
	fi
	if [ "$mode" = apply ]; then
		run_apply
	else
		run_print "$regex"
	fi
	rm -rf "$TMP/case$n"
done <"$BAD/MANIFEST"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
