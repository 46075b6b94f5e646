#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The test suite under AddressSanitizer + UndefinedBehaviorSanitizer, then
# the unit suites under valgrind memcheck, then a summary. Each build
# directory is set up when missing. Run from anywhere in the tree.
#
# Environment:
#   ASAN_BUILD      (build-asan)      the -Db_sanitize=address,undefined build
#   VALGRIND_BUILD  (build-valgrind)  a plain build for valgrind
#   ASAN_SUITES     (unit bad-input)  meson suites to run under ASan/UBSan
#                                     (add netns as root; it takes minutes)
#   VALGRIND_SUITES (unit)
#   VALGRIND_CLI    (0)               1: also the bad-input corpus with the
#                                     CLI under valgrind (about 3 minutes)
#   MESON_SETUP_ARGS                  extra `meson setup` arguments (--werror)
set -u
cd "$(dirname "$0")/.."

ASAN_BUILD=${ASAN_BUILD:-build-asan}
VALGRIND_BUILD=${VALGRIND_BUILD:-build-valgrind}
ASAN_SUITES=${ASAN_SUITES:-unit bad-input}
VALGRIND_SUITES=${VALGRIND_SUITES:-unit}
VALGRIND_CLI=${VALGRIND_CLI:-0}
summary=()
status=0

# "N ok, N failed, N timed out, N skipped" from a meson test log.
counts() {	# logfile
	awk '/^Ok:/ { ok = $2 } /^Fail:/ { f = $2 } /^Timeout:/ { t = $2 } /^Skipped:/ { s = $2 }
		END { printf "%d ok, %d failed, %d timed out, %d skipped", ok, f, t, s }' "$1"
}

setup() {	# dir, meson setup arguments...
	local dir=$1
	shift
	[ -f "$dir/build.ninja" ] && return 0
	# shellcheck disable=SC2086
	meson setup "$dir" ${MESON_SETUP_ARGS:-} "$@" >/dev/null
}

suite_args() {	# suites...
	local s
	for s in "$@"; do
		printf -- '--suite\n%s\n' "$s"
	done
}

# --- AddressSanitizer + UndefinedBehaviorSanitizer
echo "== ASan + UBSan ($ASAN_BUILD): suites $ASAN_SUITES"
if setup "$ASAN_BUILD" -Db_sanitize=address,undefined -Db_lundef=false &&
   ninja -C "$ASAN_BUILD" >/dev/null; then
	mapfile -t args < <(suite_args $ASAN_SUITES)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		meson test -C "$ASAN_BUILD" --print-errorlogs "${args[@]}" \
		>"$ASAN_BUILD/sanitizers.log" 2>&1
	rc=$?
	grep -E '^ *[0-9]+/[0-9]+ ' "$ASAN_BUILD/sanitizers.log"
	[ $rc -eq 0 ] || { status=1; grep -E -A20 'ERROR: (Address|Leak)Sanitizer|runtime error' \
		"$ASAN_BUILD/sanitizers.log" | head -60; }
	summary+=("asan+ubsan: $(counts "$ASAN_BUILD/sanitizers.log") (exit $rc)")
else
	status=1
	summary+=("asan+ubsan: the build failed")
fi

# --- valgrind memcheck
echo "== valgrind memcheck ($VALGRIND_BUILD): suites $VALGRIND_SUITES"
if ! command -v valgrind >/dev/null; then
	summary+=("valgrind: not installed (apt-get install valgrind)")
elif setup "$VALGRIND_BUILD" -Dbuildtype=debug && ninja -C "$VALGRIND_BUILD" >/dev/null; then
	mapfile -t args < <(suite_args $VALGRIND_SUITES)
	meson test -C "$VALGRIND_BUILD" --print-errorlogs -t 4 \
		--wrap='valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect' \
		"${args[@]}" >"$VALGRIND_BUILD/valgrind.log" 2>&1
	rc=$?
	grep -E '^ *[0-9]+/[0-9]+ ' "$VALGRIND_BUILD/valgrind.log"
	[ $rc -eq 0 ] || { status=1; grep -E -B2 -A20 '== (Invalid|Conditional|.*definitely lost|.*indirectly lost)' \
		"$VALGRIND_BUILD/valgrind.log" | head -60; }
	summary+=("valgrind: $(counts "$VALGRIND_BUILD/valgrind.log") (exit $rc)")
	if [ "$VALGRIND_CLI" = 1 ]; then
		echo "== valgrind: the bad-input corpus through the CLI"
		wrapper=$(mktemp)
		trap 'rm -f "$wrapper"' EXIT
		printf '#!/bin/sh\nexec valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect %s "$@"\n' \
			"$(cd "$VALGRIND_BUILD" && pwd)/tools/fwgen" >"$wrapper"
		chmod +x "$wrapper"
		out=$(FWGEN=$wrapper FWGEN_BAD_TIME_LIMIT=60 FWGEN_BAD_RSS_KB=4000000 \
			tests/bad-input/test-bad-input.sh print 2>&1)
		rc=$?
		echo "$out" | grep -E '^FAIL' | head -20
		[ $rc -eq 0 ] || status=1
		summary+=("valgrind cli: $(echo "$out" | tail -1) (exit $rc)")
	fi
else
	status=1
	summary+=("valgrind: the build failed")
fi

echo "== summary"
printf '%s\n' "${summary[@]}"
exit $status
