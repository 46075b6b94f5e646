#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A short libFuzzer run: every seed and regression input once, then a few
# thousand mutations. New inputs go to a temporary directory, never into
# the source tree. Usage: fuzz-smoke.sh FUZZER CORPUS REGRESSIONS DICT
# FUZZ_SMOKE_SECONDS=N mutates for N seconds instead (.ci/run); any
# finding (crash, leak, a failed check in the target) fails either way.
set -u
fuzzer=$1 corpus=$2 regressions=$3 dict=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
dirs="$corpus"
[ -d "$regressions" ] && dirs="$dirs $regressions"
if [ -n "${FUZZ_SMOKE_SECONDS:-}" ]; then
	limit="-max_total_time=$FUZZ_SMOKE_SECONDS"
else
	limit="-runs=${FUZZ_SMOKE_RUNS:-2000}"
fi
# shellcheck disable=SC2086
"$fuzzer" $limit -rss_limit_mb=2048 -timeout=10 \
	-dict="$dict" -artifact_prefix="$tmp/" -print_final_stats=1 \
	"$tmp" $dirs 2>"$tmp/log"
rc=$?
if [ $rc -ne 0 ]; then
	tail -60 "$tmp/log"
	for a in "$tmp"/crash-* "$tmp"/leak-* "$tmp"/timeout-* "$tmp"/oom-*; do
		[ -f "$a" ] && { echo "artifact: $a"; od -c "$a" | head -20; }
	done
	exit 1
fi
grep -E 'stat::number_of_executed_units|Done' "$tmp/log"
exit 0
