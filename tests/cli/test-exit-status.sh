#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The exit statuses of DESIGN.md, as tools/fwgen.c maps the commands'
# results (0, CLI_DIFFERENT or a negative errno) to them: --help exits 0
# for every command, a bad option or argument 2, a "no" without an error
# (catalog explain: not allowed; confirm --status: nothing pending) 1.
# Needs no privilege: nothing is applied.
set -u

FWGEN=${FWGEN:-fwgen}
ROOT=${FWGEN_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
INV=$ROOT/examples/dmcm-cluster.yaml
TMP=$(mktemp -d "${TMPDIR:-/tmp}/fwgen-exit.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
# confirm reads its state here, not in the machine's /run.
export FWGEN_RUN_DIR=$TMP/run
mkdir -m 0700 "$FWGEN_RUN_DIR"
npass=0
nfail=0
st() {		# st WANT WHAT CMD...: CMD exits WANT; its stderr is kept
	local want=$1 what=$2 rc

	shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "$rc" = "$want" ]; then
		npass=$((npass + 1))
		echo "PASS: $what"
	else
		nfail=$((nfail + 1))
		echo "FAIL: $what: exit $rc, want $want"
		sed 's/^/  | /' "$TMP/err" | head -n 5
	fi
}

for c in print apply check diff status remove confirm set catalog fleet; do
	st 0 "$c --help exits 0" "$FWGEN" "$c" --help
	grep -q "^Usage: fwgen $c" "$TMP/out" ||
		{ nfail=$((nfail + 1)); echo "FAIL: $c --help prints no usage"; }
	st 2 "$c with an unknown option exits 2" "$FWGEN" "$c" --no-such-option
	grep -q "unknown option '--no-such-option'" "$TMP/err" ||
		{ nfail=$((nfail + 1)); echo "FAIL: $c: no message for the unknown option"; }
done
st 0 "fwgen --help exits 0" "$FWGEN" --help
st 0 "fwgen --version exits 0" "$FWGEN" --version
st 2 "no command exits 2" "$FWGEN"
st 2 "an unknown command exits 2" "$FWGEN" frobnicate
st 2 "an inventory that is not there exits 2" \
	"$FWGEN" print -i "$TMP/absent.yaml" --role riak
grep -q "absent.yaml: No such file or directory" "$TMP/err" ||
	{ nfail=$((nfail + 1)); echo "FAIL: no message naming the missing inventory"; }
st 0 "print of a good inventory exits 0" "$FWGEN" print -i "$INV" --role riak
st 0 "catalog explain: an allowed connection exits 0" \
	"$FWGEN" catalog explain -i "$INV" --role rabbitmq --from dispatcher tcp/5672
st 1 "catalog explain: a refused connection exits 1" \
	"$FWGEN" catalog explain -i "$INV" --role riak --from riak tcp/8087
st 2 "catalog explain: a bad service exits 2" \
	"$FWGEN" catalog explain -i "$INV" --role riak --from riak tcp/99999
st 1 "confirm --status with no rollback pending exits 1" \
	"$FWGEN" confirm --status -q
st 2 "confirm with no apply waiting exits 2" "$FWGEN" confirm
grep -q "is waiting" "$TMP/err" ||
	{ nfail=$((nfail + 1)); echo "FAIL: confirm: no message saying nothing waits"; }

echo "$npass passed, $nfail failed"
[ "$nfail" = 0 ]
