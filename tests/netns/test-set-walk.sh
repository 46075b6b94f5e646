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
lab_host h 198.18.0.10/24 2001:db8:0:1::10/64 || { echo "FAIL: lab_host"; exit 1; }

HEAD='topology: tachyon-single-server
roles:
  server: [198.18.0.10]
  consumer: [198.18.8.8]
  client: [198.18.8.9]
  admin: [198.18.9.0/28]
'
# walk SEED INITIAL [FIRST]: applies an inventory binding browser to the
# comma-separated INITIAL, adds FIRST, then walks. A family INITIAL leaves
# out starts as an empty set: the first add into it must write nft's end
# element at zero, whether found empty by a probe (one address) or by a
# whole read (a wide prefix).
walk() {
	local seed=$1 initial=$2 first=${3:-} list
	list=$(printf '"%s", ' ${initial//,/ })
	{
		printf '%s' "$HEAD"
		echo "  browser: [${list%, }]"
	} >"$TMP/inv.yaml"
	lab_exec h "$FWGEN" apply -q -i "$TMP/inv.yaml" --role server ||
		{ echo "FAIL: fwgen apply (seed $seed)"; return 1; }
	python3 "$(dirname "$0")/set-walk.py" --ns "$(lab_ns h)" \
		--fwgen "$FWGEN" --tmp "$TMP" --inventory-head "$HEAD" \
		--initial "$initial" --first-add "$first" \
		--seed "$seed" --steps "${SET_WALK_STEPS:-200}"
}

BOTH=198.18.4.0/26,198.18.4.200,198.18.5.128/25,2001:db8:4::/122,2001:db8:4::1:0/124
V4ONLY=198.18.4.0/26,198.18.5.7
rc=0
walk 1 "$BOTH" || rc=1
walk 2 "$V4ONLY" 2001:db8:4::5 || rc=1
walk 3 "$V4ONLY" 2001:db8:4::/120 || rc=1
exit $rc
