#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Live set updates against a model: set-walk.py makes seeded random
# `fwgen set add|del` calls in one host's namespace (made here, never the
# machine's own) and checks after each that `fwgen set list` equals the
# model, normalised, and now and then that `fwgen diff` against an
# inventory of the model is clean. Small windows of addresses make the
# updates meet what the set holds; wide prefixes make fwgen read the whole
# set instead of looking up points, so both ways are compared with one model.
set -u

FWGEN=${FWGEN:-fwgen}
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for network namespaces"; exit 77; }
command -v nft >/dev/null || { echo "SKIP: nft not installed"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }

# The lab library's trap removes the namespaces and $LAB_TMP on any exit.
# shellcheck source=tests/netns/lab.sh
. "$(dirname "$0")/lab.sh"
lab_test_init
TMP=$LAB_TMP
export FWGEN_RUN_DIR="$TMP/run"
# The last confirmed inventory (apply --boot), not /var/lib/fwgen.
export FWGEN_STATE_DIR="$TMP/state"

HEAD='topology: tachyon-single-server
roles:
  server: [198.18.0.10]
  consumer: [198.18.8.8]
  client: [198.18.8.9]
  admin: [198.18.9.0/28]
'
# walk SEED INITIAL [FIRST]: in a namespace and a directory of its own
# (the walks run at once), applies an inventory binding browser to the
# comma-separated INITIAL, adds FIRST, then walks. A family INITIAL leaves
# out starts as an empty set: the first add into it must write nft's end
# element at zero, whether found empty by a probe (one address) or by a
# whole read (a wide prefix).
walk() {
	local seed=$1 initial=$2 first=${3:-} list h=w$1 d=$TMP/w$1
	list=$(printf '"%s", ' ${initial//,/ })
	mkdir -p "$d"
	lab_ns_new "$h" || { echo "FAIL: lab_ns_new (seed $seed)"; return 1; }
	{
		printf '%s' "$HEAD"
		echo "  browser: [${list%, }]"
	} >"$d/inv.yaml"
	ip netns exec "$(lab_ns "$h")" "$FWGEN" apply -q -i "$d/inv.yaml" --role server ||
		{ echo "FAIL: fwgen apply (seed $seed)"; return 1; }
	python3 "$(dirname "$0")/set-walk.py" --ns "$(lab_ns "$h")" \
		--fwgen "$FWGEN" --tmp "$d" --inventory-head "$HEAD" \
		--initial "$initial" --first-add "$first" \
		--seed "$seed" --steps "${SET_WALK_STEPS:-200}"
}

BOTH=198.18.4.0/26,198.18.4.200,198.18.5.128/25,2001:db8:4::/122,2001:db8:4::1:0/124
V4ONLY=198.18.4.0/26,198.18.5.7
walk 1 "$BOTH" >"$TMP/walk1.out" 2>&1 & p1=$!
walk 2 "$V4ONLY" 2001:db8:4::5 >"$TMP/walk2.out" 2>&1 & p2=$!
walk 3 "$V4ONLY" 2001:db8:4::/120 >"$TMP/walk3.out" 2>&1 & p3=$!
rc=0
for p in $p1 $p2 $p3; do
	wait "$p" || rc=1
done
cat "$TMP"/walk[123].out
exit $rc
