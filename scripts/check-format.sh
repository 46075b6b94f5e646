#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Checks the C sources against .clang-format: prints what clang-format would
# change as a diff and a count, and fails when anything would. With --fix,
# formats the files in place instead. Without file arguments: every tracked
# .c and .h file under lib/, tools/, include/ and tests/.
#
#   scripts/check-format.sh                  check the tree
#   scripts/check-format.sh lib/addr.c       check some files
#   scripts/check-format.sh --fix [FILE...]  format in place
#
# CLANG_FORMAT names the binary (default: clang-format-14 when installed,
# else clang-format). Another major version may format differently: the
# style was tuned with 14.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"

fix=0
if [ "${1:-}" = --fix ]; then
	fix=1
	shift
fi
case "${1:-}" in
-h | --help)
	sed -n '3,14p' "$0" | sed 's/^# \{0,1\}//'
	exit 0 ;;
-*)
	echo "usage: $0 [--fix] [FILE...]" >&2
	exit 2 ;;
esac

if [ -z "${CLANG_FORMAT:-}" ]; then
	if command -v clang-format-14 >/dev/null; then
		CLANG_FORMAT=clang-format-14
	else
		CLANG_FORMAT=clang-format
	fi
fi
if ! command -v "$CLANG_FORMAT" >/dev/null; then
	echo "check-format: $CLANG_FORMAT not found (package clang-format)" >&2
	exit 2
fi

if [ $# -gt 0 ]; then
	files=("$@")
else
	mapfile -t files < <(git ls-files -- 'lib/*.[ch]' 'tools/*.[ch]' \
		'include/*.[ch]' 'tests/*.[ch]')
fi

if [ $fix = 1 ]; then
	"$CLANG_FORMAT" --style=file -i "${files[@]}"
	exit 0
fi

lines=0
nfiles=0
for f in "${files[@]}"; do
	# diff exits 1 when the texts differ: that is the finding, not an error.
	out=$("$CLANG_FORMAT" --style=file "$f" | diff -u --label "$f" \
		--label "$f (formatted)" "$f" -) || true
	[ -n "$out" ] || continue
	printf '%s\n' "$out"
	n=$(printf '%s\n' "$out" | tail -n +3 | grep -c '^-' || true)
	lines=$((lines + n))
	nfiles=$((nfiles + 1))
done
if [ $nfiles -gt 0 ]; then
	echo "check-format: $lines lines in $nfiles of ${#files[@]} files would change (scripts/check-format.sh --fix)" >&2
	exit 1
fi
echo "check-format: ${#files[@]} files formatted" >&2
