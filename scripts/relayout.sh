#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Lays lib/ out by pipeline stage (issue 17 item 4, docs/architecture.md):
# git-mv's every lib/*.c and lib/*.h into lib/core, lib/load, lib/policy,
# lib/render or lib/kernel by its name, regroups lib/meson.build's sources by
# stage, adds the stage folders as include directories (so no #include line
# changes) and rewrites lib/NAME references in the docs, man pages and tests.
# It stages the result and commits nothing. It places files by name pattern,
# so files added since it was written land too; a file it cannot place stops
# it before anything moves.
#
#   scripts/relayout.sh            move and stage
#   scripts/relayout.sh --dry-run  print where each file would go
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"

dry=0
case "${1:-}" in
--dry-run) dry=1 ;;
"") ;;
*) echo "usage: $0 [--dry-run]" >&2; exit 2 ;;
esac

stages=(core load policy render kernel)

# The stage of a file, from its name without the extension; empty: unknown.
# The order matters where patterns overlap (nft-build* before nft-*).
stage_of() {
	case "$1" in
	ctx | ctx-* | addr | addr-* | util | util-* | names | names-* | \
	src-loc | port-range | sha256 | tablename | setops | nft-types)
		echo core ;;
	yaml | yaml-* | catalog | catalog-* | topology | topology-* | \
	inventory | inventory-* | model | model-*)
		echo load ;;
	resolve | resolve-* | policy | policy-* | policy_* | eval | eval-* | \
	explain | explain-* | fleet | fleet-* | local-roles | lockout | \
	flow-text)
		echo policy ;;
	render | render-* | graph | graph-* | describe | describe-*)
		echo render ;;
	# nft-canon, nft-text and nft-expr decode libnftnl objects (nft-build.h)
	# for diff, readback, sets and status: the kernel's side, not render's.
	netlink | netlink-* | nl-* | nlread | nft-build | nft-build-* | \
	nft-canon | nft-canon-* | nft-text | nft-text-* | nft-expr | nft-expr-* | \
	kernel | kernel-* | readback | readback-* | diff | diff-* | \
	sets | sets-* | setread | status | status-* | rundir | runlock)
		echo kernel ;;
	*-names | *-limits)	# a fact table shared across stages
		echo core ;;
	esac
}

for s in "${stages[@]}"; do
	if [ -e "lib/$s" ]; then
		echo "relayout: lib/$s exists already: nothing done" >&2
		exit 1
	fi
done
if ! git diff --quiet HEAD -- lib docs man tests README.md; then
	echo "relayout: uncommitted changes under lib/, docs/, man/, tests/ or README.md: commit them first" >&2
	exit 1
fi
untracked=$(git ls-files --others --exclude-standard -- 'lib/*.c' 'lib/*.h')
if [ -n "$untracked" ]; then
	echo "relayout: untracked files in lib/ (add or remove them first):" >&2
	echo "$untracked" >&2
	exit 1
fi

# Every C file of lib/ is placed before anything moves.
declare -A dest
unplaced=()
for f in $(git ls-files -- 'lib/*.c' 'lib/*.h'); do
	[ "$(dirname "$f")" = lib ] || continue
	base=$(basename "$f")
	s=$(stage_of "${base%.*}")
	if [ -z "$s" ]; then
		unplaced+=("$f")
		continue
	fi
	dest[$base]=$s
done
if [ ${#unplaced[@]} -gt 0 ]; then
	echo "relayout: no stage for these files (add them to stage_of() in $0):" >&2
	printf '  %s\n' "${unplaced[@]}" >&2
	exit 1
fi

# Every source lib/meson.build lists must be a file that is placed.
mapfile -t listed < <(awk '/^lib_sources = files\(/ { on = 1; next }
	on && /^\)/ { exit }
	on { gsub(/[\t ,'"'"']/, ""); if ($0 != "" && $0 !~ /^#/) print }' lib/meson.build | sort)
for f in "${listed[@]}"; do
	if [ -z "${dest[$f]:-}" ]; then
		echo "relayout: lib/meson.build lists '$f', which is not a placed lib file" >&2
		exit 1
	fi
done
for f in "${!dest[@]}"; do
	case "$f" in
	*.c)
		if ! printf '%s\n' "${listed[@]}" | grep -qxF "$f"; then
			echo "relayout: lib/$f is not in lib/meson.build's lib_sources" >&2
			exit 1
		fi ;;
	esac
done

if [ $dry = 1 ]; then
	for f in $(printf '%s\n' "${!dest[@]}" | sort); do
		echo "lib/$f -> lib/${dest[$f]}/$f"
	done
	exit 0
fi

for s in "${stages[@]}"; do
	mkdir -p "lib/$s"
done
for f in "${!dest[@]}"; do
	git mv "lib/$f" "lib/${dest[$f]}/$f"
done

# lib/meson.build: the sources grouped by stage, in pipeline order, and the
# stage folders as include directories of the internal objects, the tests'
# dependency and the fuzz build -- never of the installed library's users.
tmp=$(mktemp)
{
	awk '/^lib_sources = files\(/ { exit } { print }' lib/meson.build
	echo "lib_sources = files("
	for s in "${stages[@]}"; do
		case $s in
		core) echo "	# core: the context and errors, addresses, names, shared small types" ;;
		load) echo "	# load: YAML to the model (catalog, inventory)" ;;
		policy) echo "	# policy: the model resolved to the policy IR, and questions on it" ;;
		render) echo "	# render: the IR (or the catalog) as text: nft, JSON, iptables, DOT" ;;
		kernel) echo "	# kernel: libnftnl objects, netlink, read back, canonical rules, diff, sets, status" ;;
		esac
		for f in "${listed[@]}"; do
			if [ "${dest[$f]}" = "$s" ]; then
				echo "	'$s/$f',"
			fi
		done
	done
	echo ")"
	echo
	echo "# The stage folders, so that #include \"x.h\" finds x.h wherever it lives."
	echo "lib_inc = include_directories('.', $(printf "'%s', " "${stages[@]}" | sed 's/, $//'))"
	awk '/^lib_sources = files\(/ { on = 1; next }
		on == 1 && /^\)/ { on = 2; next }
		on == 2 { print }' lib/meson.build |
	awk '/static_library\('"'"'fwgen-internal'"'"'/ { internal = 1 }
		internal && /include_directories: inc,/ {
			sub(/include_directories: inc,/, "include_directories: [inc, lib_inc],")
			internal = 0
		}
		{ sub(/include_directories: \[inc, include_directories\('"'"'\.'"'"'\)\]/,
		      "include_directories: [inc, lib_inc]"); print }'
} >"$tmp"
mv "$tmp" lib/meson.build
sed -i "s|include_directories('\.\./\.\./lib')|lib_inc|g" tests/fuzz/meson.build
if [ "$(grep -c 'lib_inc' lib/meson.build)" -ne 3 ] ||
   grep -q "include_directories('\.\./\.\./lib')" tests/fuzz/meson.build; then
	echo "relayout: lib/meson.build or tests/fuzz/meson.build did not take the include directories; fix by hand (changes are unstaged)" >&2
	exit 1
fi
sed -i 's/^# The library.s sources, one job each.*$/# The library'"'"'s sources by pipeline stage (docs\/architecture.md), one job each./' lib/meson.build

# References to lib/NAME in prose and comments follow the files; /var/lib/...
# and the like are left alone (a path character before "lib/").
names=$(printf '%s\n' "${!dest[@]}" | sed 's/\./\\./g' | paste -sd'|')
map=$(for f in "${!dest[@]}"; do printf '%s=%s;' "$f" "${dest[$f]}"; done)
files=$(git grep -lE "(^|[^[:alnum:]_./-])lib/($names)" -- docs man tests README.md lib tools include .ci 2>/dev/null || true)
for f in $files; do
	MAP=$map perl -pi -e '
		BEGIN { %d = map { split /=/ } split /;/, $ENV{MAP} }
		s{(?<![\w./-])lib/([\w.-]+\.[ch])\b}{exists $d{$1} ? "lib/$d{$1}/$1" : "lib/$1"}ge' "$f"
done

# docs/architecture.md describes this layout; its note that the layout is
# still to come goes now.
perl -0pi -e 's/<!-- relayout: pending -->.*?<!-- relayout: end -->\n\n//s' docs/architecture.md

git add -A lib docs man tests README.md tools include .ci

# The stages are ordered: a file includes headers of its own stage or of
# earlier ones (docs/architecture.md). Name what breaks that; it needs a fix
# (or a file in another stage), not a different include path.
declare -A rank
i=0
for s in "${stages[@]}"; do
	rank[$s]=$i
	i=$((i + 1))
done
back=0
for f in "${!dest[@]}"; do
	s=${dest[$f]}
	while read -r h; do
		t=${dest[$h]:-}
		if [ -n "$t" ] && [ "${rank[$t]}" -gt "${rank[$s]}" ]; then
			echo "relayout: lib/$s/$f includes $h of the later stage $t" >&2
			back=1
		fi
	done < <(grep -oP '^#include "\K[^"]+' "lib/$s/$f" || true)
done
echo "relayout: moved ${#dest[@]} files; staged, not committed:"
git status --short | sed 's/^/  /'
exit $back
