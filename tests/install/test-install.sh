#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Installs the current build into a temporary DESTDIR and checks what a
# package ships: the files, the exported ABI against the installed headers,
# the SONAME, pkg-config, the examples built with pkg-config alone, the man
# pages, the systemd unit and the bash completion. Output is TAP.
#
# Usage: test-install.sh BUILD_DIR SOURCE_DIR
set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 BUILD_DIR SOURCE_DIR" >&2
	exit 2
fi
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fwgen-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
D=$tmp/dest
cc=${CC:-cc}
npass=0
nfail=0
n=0

pass() {
	n=$((n + 1)); npass=$((npass + 1))
	echo "ok $n - $1"
}

fail() {
	n=$((n + 1)); nfail=$((nfail + 1))
	echo "not ok $n - $1"
	shift
	# The evidence, as TAP diagnostics.
	[ $# -gt 0 ] && printf '%s\n' "$@" | sed 's/^/#   /' | head -n 40
	return 0
}

finish() {
	echo "1..$n"
	echo "# $npass passed, $nfail failed"
	[ "$nfail" -eq 0 ]
	exit $?
}

# Where meson installs a source or build file (without DESTDIR): the entry of
# `meson introspect --installed` whose key ends in $1.
installed=$tmp/installed.tsv
dest_of() {
	awk -F '\t' -v s="$1" \
		'substr($1, length($1) - length(s) + 1) == s { print $2; exit }' \
		"$installed"
}

# --- meson install --------------------------------------------------------

if out=$(meson install -C "$build" --no-rebuild --destdir "$D" 2>&1); then
	pass "meson install --destdir into a temporary directory"
else
	fail "meson install --destdir into a temporary directory" "$out"
	finish
fi
meson introspect "$build" --installed |
	python3 -c 'import json, sys
for k, v in json.load(sys.stdin).items():
    print(k + "\t" + v)' >"$installed"

fwgen=$(dest_of /tools/fwgen)
lib_real=$(dest_of /lib/libfwgen.so.0.1.0)
libdir=$(dirname "$lib_real")
incdir=$(dirname "$(dest_of "$src/include/fwgen")")
catdir=$(dest_of "$src/catalog")
pcfile=$(dest_of /fwgen.pc)
unit=$(dest_of /systemd/fwgen.service)
completion=$(dest_of /completion/fwgen.bash)
version=$(meson introspect "$build" --projectinfo |
	python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])')
# A library built with sanitizers needs their runtime first in programs that
# link it (CI's build-asan): build the examples the same way.
sanitize=$(meson introspect "$build" --buildoptions | python3 -c 'import json, sys
for o in json.load(sys.stdin):
    if o["name"] == "b_sanitize" and o["value"] != "none":
        print("-fsanitize=" + o["value"])')

# --- files ----------------------------------------------------------------

missing=()
for f in "$fwgen" "$lib_real" "$libdir/libfwgen.so.0" "$libdir/libfwgen.so" \
	 "$libdir/libfwgen.a" "$pcfile" "$unit" "$completion"; do
	[ -n "$f" ] && [ -e "$D$f" ] || missing+=("${f:-(not in meson introspect --installed)}")
done
[ -x "$D$fwgen" ] || missing+=("$fwgen is not executable")
case $fwgen in
*/sbin/fwgen) ;;
*) missing+=("fwgen installed as $fwgen, not under sbin/") ;;
esac
if [ ${#missing[@]} -eq 0 ]; then
	pass "sbin/fwgen, libfwgen.so{,.0,.0.1.0}, libfwgen.a, fwgen.pc, unit, completion installed"
else
	fail "sbin/fwgen, libfwgen.so{,.0,.0.1.0}, libfwgen.a, fwgen.pc, unit, completion installed" "${missing[@]}"
fi

missing=()
for h in "$src"/include/fwgen/*.h; do
	[ -f "$D$incdir/fwgen/$(basename "$h")" ] || missing+=("$incdir/fwgen/$(basename "$h")")
done
for h in "$D$incdir"/fwgen/*.h; do
	[ -f "$src/include/fwgen/$(basename "$h")" ] || missing+=("installed but not in include/fwgen/: $h")
done
if [ ${#missing[@]} -eq 0 ]; then
	pass "every public header of include/fwgen/ installed ($(ls "$src"/include/fwgen/*.h | wc -l))"
else
	fail "every public header of include/fwgen/ installed" "${missing[@]}"
fi

missing=()
ncat=0
for f in "$src"/catalog/*.yaml; do
	[ -e "$f" ] || continue
	ncat=$((ncat + 1))
	cmp -s "$f" "$D$catdir/$(basename "$f")" || missing+=("$catdir/$(basename "$f")")
done
[ "$ncat" -gt 0 ] || missing+=("catalog/ has no *.yaml file to install")
case $catdir in
*/share/fwgen) ;;
*) missing+=("catalog installed in $catdir, not \$datadir/fwgen") ;;
esac
if [ ${#missing[@]} -eq 0 ]; then
	pass "catalog installed under \$datadir/fwgen ($ncat product files)"
else
	fail "catalog installed under \$datadir/fwgen" "${missing[@]}"
fi

mandir=
missing=()
for page in man8/fwgen.8 man5/fwgen-inventory.5 man5/fwgen-catalog.5 man3/libfwgen.3; do
	f=$(dest_of "/man/$(basename "$page")")
	case $f in
	*/"$page") mandir=${f%/"$page"} ;;
	*) missing+=("$page (installed as '$f')") ;;
	esac
done
if [ ${#missing[@]} -eq 0 ]; then
	pass "man pages fwgen(8), fwgen-inventory(5), fwgen-catalog(5), libfwgen(3) installed"
else
	fail "man pages fwgen(8), fwgen-inventory(5), fwgen-catalog(5), libfwgen(3) installed" "${missing[@]}"
fi

missing=()
for doc in api.md catalog.md; do
	f=$(dest_of "$src/docs/$doc")
	case $f in
	*/share/doc/fwgen/$doc) cmp -s "$src/docs/$doc" "$D$f" || missing+=("$f differs") ;;
	*) missing+=("docs/$doc (installed as '$f')") ;;
	esac
done
if [ ${#missing[@]} -eq 0 ]; then
	pass "docs/api.md and docs/catalog.md installed under \$datadir/doc/fwgen"
else
	fail "docs/api.md and docs/catalog.md installed under \$datadir/doc/fwgen" "${missing[@]}"
fi

# --- ABI ------------------------------------------------------------------

# The functions the installed headers declare, as the compiler sees them.
for h in "$D$incdir"/fwgen/*.h; do
	printf '#include <fwgen/%s>\n' "$(basename "$h")"
done >"$tmp/headers.c"
declared=$tmp/declared.txt
exported=$tmp/exported.txt
if out=$($cc -std=c11 -fsyntax-only -aux-info "$tmp/aux.txt" -I"$D$incdir" \
		$(pkg-config --cflags libnftnl libmnl) "$tmp/headers.c" 2>&1); then
	grep -F "$D$incdir/fwgen/" "$tmp/aux.txt" |
		sed -E 's|^/\*[^*]*\*/ *||; s/^([^(]*[^A-Za-z0-9_])?([A-Za-z_][A-Za-z0-9_]*) \(.*/\2/' |
		sort -u >"$declared"
	pass "installed headers compile on their own ($(wc -l <"$declared") functions)"
else
	fail "installed headers compile on their own" "$out"
	: >"$declared"
fi

nm -D --defined-only "$D$lib_real" | grep ' T ' | awk '{ print $3 }' |
	sed 's/@.*//' | sort -u >"$exported"
if out=$(diff -u "$declared" "$exported"); then
	pass "exported functions (nm -D ' T ') are exactly the ones the headers declare"
else
	fail "exported functions (nm -D ' T ') are exactly the ones the headers declare" \
		"--- declared +++ exported" "$(echo "$out" | sed -n '3,$p' | grep '^[-+]')"
fi

others=$(nm -D --defined-only "$D$lib_real" | awk '{ print $3 }' |
	sed 's/@.*//' | grep -v -e '^fwgen_' -e '^FWGEN_[0-9.]*$')
undecl=$(grep -v '^fwgen_' "$declared")
if [ -z "$others$undecl" ]; then
	pass "only fwgen_* symbols exported and declared (version nodes FWGEN_*)"
else
	fail "only fwgen_* symbols exported and declared (version nodes FWGEN_*)" $others $undecl
fi

soname=$(readelf -d "$D$lib_real" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
link=$(readlink "$D$libdir/libfwgen.so.0")
if [ "$soname" = libfwgen.so.0 ] && [ "$link" = "$(basename "$lib_real")" ]; then
	pass "SONAME libfwgen.so.0, libfwgen.so.0 -> $link"
else
	fail "SONAME libfwgen.so.0" "SONAME: $soname" "libfwgen.so.0 -> $link"
fi

rpath=$(readelf -d "$D$fwgen" "$D$lib_real" | grep -E 'R(UN)?PATH')
if [ -z "$rpath" ]; then
	pass "installed fwgen and libfwgen carry no build-tree RUNPATH"
else
	fail "installed fwgen and libfwgen carry no build-tree RUNPATH" "$rpath"
fi

# --- the installed program and library find their catalog ------------------

export LD_LIBRARY_PATH=$D$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
unset FWGEN_CATALOG_DIR

resolved=$(ldd "$D$fwgen" | sed -n 's/.*libfwgen\.so\.0 => \([^ ]*\).*/\1/p')
out=$("$D$fwgen" --version 2>&1)
if [ "$resolved" = "$D$libdir/libfwgen.so.0" ] && [ "$out" = "fwgen $version" ]; then
	pass "installed fwgen runs on the installed library: $out"
else
	fail "installed fwgen runs on the installed library" "libfwgen.so.0 => $resolved" "$out"
fi

# The data directory is compiled in: with no setting the library reads the
# real prefix's catalog, which a DESTDIR install cannot show except by name.
if grep -qaF "$catdir" "$D$lib_real"; then
	pass "libfwgen reads its catalog from $catdir without any setting"
else
	fail "libfwgen reads its catalog from $catdir without any setting" \
		"'$catdir' is not compiled into $lib_real"
fi
out=$(FWGEN_CATALOG_DIR=$D$catdir "$D$fwgen" catalog list 2>&1)
if [ $? -eq 0 ] && [ -n "$out" ]; then
	pass "fwgen catalog list on the installed catalog ($(grep -c '^[^ ]' <<<"$out") topologies)"
else
	fail "fwgen catalog list on the installed catalog" "$out"
fi

# --- pkg-config -------------------------------------------------------------

export PKG_CONFIG_PATH=$D$(dirname "$pcfile")${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
export PKG_CONFIG_SYSROOT_DIR=$D
flags=$(pkg-config --cflags --libs fwgen 2>&1)
ok=1
case " $flags " in *" -lfwgen "*) ;; *) ok=0 ;; esac
case " $flags " in *" -L$D$libdir "*) ;; *) ok=0 ;; esac
# pkg-config leaves out -I of default include directories (/usr/include).
case $incdir in
/usr/include) ;;
*) case " $flags " in *" -I$D$incdir "*) ;; *) ok=0 ;; esac ;;
esac
[ "$(pkg-config --modversion fwgen 2>&1)" = "$version" ] || ok=0
case " $(pkg-config --static --libs fwgen 2>&1) " in *" -lyaml "*) ;; *) ok=0 ;; esac
if [ $ok -eq 1 ]; then
	pass "pkg-config --cflags --libs fwgen into the DESTDIR: $flags"
else
	fail "pkg-config --cflags --libs fwgen into the DESTDIR" "$flags" \
		"modversion: $(pkg-config --modversion fwgen 2>&1)" \
		"static: $(pkg-config --static --libs fwgen 2>&1)"
fi

# --- examples, built with pkg-config alone --------------------------------

export FWGEN_CATALOG_DIR=$D$catdir
for ex in "$src"/examples/*.c; do
	name=$(basename "$ex" .c)
	if ! out=$($cc -std=c11 -Wall -Wextra -Werror $sanitize -o "$tmp/$name" "$ex" \
			$(pkg-config --cflags --libs fwgen) 2>&1); then
		fail "examples/$name.c builds with pkg-config --cflags --libs fwgen" "$out"
		continue
	fi
	out=$("$tmp/$name" 2>&1)
	rc=$?
	if [ $rc -eq 0 ] && [ "$(wc -l <<<"$out")" -ge 3 ]; then
		pass "examples/$name.c builds with pkg-config alone and runs: $(grep -m1 -v -e "^#" -e "^$" <<<"$out")"
	else
		fail "examples/$name.c builds with pkg-config alone and runs (exit $rc)" "$out"
	fi
done

# own-batch's transaction in a namespace of our own (never the host's): both
# tables land, and fwgen's is the one `nft -f` of `fwgen print` gives.
if [ -x "$tmp/own-batch" ] && [ "$(id -u)" = 0 ] && command -v nft >/dev/null 2>&1 &&
   ns=fwgen-install-$$ && ip netns add "$ns" 2>/dev/null; then
	out=$(ip netns exec "$ns" "$tmp/own-batch" --send 2>&1)
	tables=$(ip netns exec "$ns" nft list tables 2>&1 | sort | tr '\n' ' ')
	ip netns exec "$ns" nft list table inet fwgen >"$tmp/sent.nft" 2>&1
	ip netns exec "$ns" nft flush ruleset
	"$D$fwgen" print --topology tachyon-single-server --role server >"$tmp/want.nft" 2>&1 &&
		ip netns exec "$ns" nft -f "$tmp/want.nft" &&
		ip netns exec "$ns" nft list table inet fwgen >"$tmp/loaded.nft" 2>&1
	ip netns del "$ns"
	if [ "$tables" = "table inet fwgen table inet provision " ] &&
	   cmp -s "$tmp/sent.nft" "$tmp/loaded.nft"; then
		pass "own-batch --send in a new namespace: both tables, fwgen's as nft -f of print"
	else
		fail "own-batch --send in a new namespace: both tables, fwgen's as nft -f of print" \
			"$out" "tables: $tables" "$(diff "$tmp/sent.nft" "$tmp/loaded.nft")"
	fi
else
	pass "own-batch --send in a new namespace # SKIP needs root, nft and ip netns"
fi

# send-batch in a namespace of our own: the anti-lockout check passes for
# a session from anywhere (no inventory: admin is any address), the lock is
# taken in a run directory of our own, the table lands.
if [ -x "$tmp/send-batch" ] && [ "$(id -u)" = 0 ] && command -v nft >/dev/null 2>&1 &&
   ns=fwgen-install-sb-$$ && ip netns add "$ns" 2>/dev/null; then
	mkdir -p "$tmp/run"
	out=$(SSH_CONNECTION="198.18.7.7 40000 198.18.0.1 22" FWGEN_RUN_DIR=$tmp/run \
		ip netns exec "$ns" "$tmp/send-batch" --send 2>&1)
	tables=$(ip netns exec "$ns" nft list tables 2>&1 | tr '\n' ' ')
	ip netns del "$ns"
	if [ "$tables" = "table inet fwgen " ] && grep -q "^sent:" <<<"$out" &&
	   grep -q "this SSH session is admitted" <<<"$out" && compgen -G "$tmp/run/net-*/lock" >/dev/null; then
		pass "send-batch --send in a new namespace: lockout check, fwgen's lock, table sent"
	else
		fail "send-batch --send in a new namespace" "$out" "tables: $tables"
	fi
else
	pass "send-batch --send in a new namespace # SKIP needs root, nft and ip netns"
fi

# The complete program of docs/api.md, the same way.
awk '/^## A complete program/ { on = 1 } on && /^```c$/ { code = 1; next }
     code && /^```$/ { exit } code' "$src/docs/api.md" >"$tmp/api.c"
if [ ! -s "$tmp/api.c" ]; then
	fail "docs/api.md's complete program builds and runs" "no \`\`\`c block after '## A complete program'"
elif ! out=$($cc -std=c11 -Wall -Wextra -Werror $sanitize -o "$tmp/api" "$tmp/api.c" \
		$(pkg-config --cflags --libs fwgen) 2>&1); then
	fail "docs/api.md's complete program builds with pkg-config alone" "$out"
elif out=$("$tmp/api" 2>&1) && grep -q '^table inet fwgen {' <<<"$out"; then
	pass "docs/api.md's complete program builds with pkg-config alone and runs"
else
	fail "docs/api.md's complete program builds with pkg-config alone and runs" "$out"
fi

# --- man pages ----------------------------------------------------------

for page in man8/fwgen.8 man5/fwgen-inventory.5 man5/fwgen-catalog.5 man3/libfwgen.3; do
	f=$D$mandir/$page
	[ -f "$f" ] || continue
	if ! command -v man >/dev/null 2>&1; then
		pass "man --warnings -l $page # SKIP no man (apt-get install man-db)"
		continue
	fi
	out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$f" 2>&1 >/dev/null)
	if [ -z "$out" ]; then
		pass "man --warnings -E UTF-8 -l $page: no warnings"
	else
		fail "man --warnings -E UTF-8 -l $page: no warnings" "$out"
	fi
done

# The YAML examples of the pages load with the installed fwgen and catalog:
# the inventory synopsis, the --strict inventory example, the product file.
if command -v man >/dev/null 2>&1 && [ -n "$mandir" ]; then
	render() { MANWIDTH=200 man -l "$D$mandir/$1" 2>/dev/null | sed 's/^       //'; }
	render man5/fwgen-inventory.5 | sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | sed '1d;$d' >"$tmp/syn.yaml"
	render man5/fwgen-inventory.5 | sed -n '/^EXAMPLES/,/^SEE ALSO/p' |
		sed -n '/^ *topology:/,/^ *time-source:/p' >"$tmp/strict.yaml"
	mkdir -p "$tmp/mancat"
	render man5/fwgen-catalog.5 | sed -n '/^EXAMPLE/,/^Check a new file/p' | sed '1d;$d' \
		>"$tmp/mancat/demo.yaml"
	if out=$("$D$fwgen" print -i "$tmp/syn.yaml" --role app-tier 2>&1 >/dev/null) &&
	   out=$("$D$fwgen" print -i "$tmp/strict.yaml" --role server --strict 2>&1 >/dev/null) &&
	   out=$(FWGEN_CATALOG_DIR=$tmp/mancat "$D$fwgen" print --topology demo --role web 2>&1 >/dev/null); then
		pass "the YAML examples of fwgen-inventory(5) and fwgen-catalog(5) load"
	else
		fail "the YAML examples of fwgen-inventory(5) and fwgen-catalog(5) load" "$out"
	fi
fi

# Every command and every option the CLI's usage texts show is in fwgen(8).
page=$D$mandir/man8/fwgen.8
missing=()
if [ -f "$page" ]; then
	cmds=$("$D$fwgen" --help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }')
	for c in $cmds; do
		grep -qFx ".SY fwgen\\ $c" "$page" && grep -q "^\.B $c\b" "$page" ||
			missing+=("command $c")
		for o in $("$D$fwgen" "$c" --help 2>/dev/null | grep -o -- '--[a-z][a-z-]*' | sort -u); do
			grep -qF -- "$(sed 's/-/\\-/g' <<<"$o")" "$page" || missing+=("fwgen $c $o")
		done
	done
fi
if [ -f "$page" ] && [ -n "${cmds:-}" ] && [ ${#missing[@]} -eq 0 ]; then
	pass "fwgen(8) names every command and option of fwgen --help ($(wc -w <<<"$cmds") commands)"
else
	fail "fwgen(8) names every command and option of fwgen --help" "${missing[@]}"
fi

# --- systemd unit ---------------------------------------------------------

f=$D$unit
if grep -q "^ExecStart=$fwgen apply --boot -i /etc/fwgen/inventory.yaml" "$f" 2>/dev/null &&
   grep -q "^ExecReload=$fwgen apply " "$f" && grep -q "^ExecStop=$fwgen remove" "$f" &&
   grep -q '^Before=network-pre.target' "$f" && grep -q '^DefaultDependencies=no' "$f"; then
	pass "fwgen.service starts $fwgen apply before network-pre.target, stops with remove"
else
	fail "fwgen.service starts $fwgen apply before network-pre.target, stops with remove" \
		"$(cat "$f" 2>&1)"
fi
if command -v systemd-analyze >/dev/null 2>&1; then
	# The unit names the installed path; point it at the DESTDIR copy,
	# and let Documentation= find the DESTDIR man pages.
	mkdir -p "$tmp/unit"
	sed "s|$fwgen|$D$fwgen|g" "$f" >"$tmp/unit/fwgen.service"
	out=$(MANPATH=$D$mandir systemd-analyze verify "$tmp/unit/fwgen.service" 2>&1)
	if [ $? -eq 0 ] && [ -z "$out" ]; then
		pass "systemd-analyze verify fwgen.service (man pages of Documentation= found)"
	else
		fail "systemd-analyze verify fwgen.service" "$out"
	fi
else
	pass "systemd-analyze verify fwgen.service # SKIP no systemd-analyze"
fi

# The unit's commands, as systemd would run them with FWGEN_ARGS from
# /etc/default/fwgen (and without SSH_CONNECTION, as systemd runs it) in a
# namespace of our own: start and reload apply,
# stop removes fwgen's table and leaves another table alone.
if [ "$(id -u)" = 0 ] && command -v nft >/dev/null 2>&1 &&
   ns=fwgen-unit-$$ && ip netns add "$ns" 2>/dev/null; then
	printf 'topology: tachyon-single-server\nroles:\n  admin: [198.18.0.22]\n' >"$tmp/unit-inv.yaml"
	exec_line() {
		sed -n "s|^$1=||p" "$f" | sed -e "s|$fwgen|$D$fwgen|" \
			-e "s|/etc/fwgen/inventory.yaml|$tmp/unit-inv.yaml|" \
			-e 's|\$FWGEN_ARGS|--role server|' -e 's|\$FWGEN_REMOVE_ARGS||'
	}
	log=$tmp/unit.log
	ip netns exec "$ns" nft add table inet other
	ok=1
	for step in ExecStart ExecReload; do
		# shellcheck disable=SC2046 # the unit's words, as systemd splits them
		FWGEN_RUN_DIR=$tmp/run FWGEN_STATE_DIR=$tmp/state ip netns exec "$ns" env -u SSH_CONNECTION $(exec_line $step) >>"$log" 2>&1 || ok=0
	done
	[ "$(ip netns exec "$ns" nft list tables | sort | tr '\n' ' ')" = "table inet fwgen table inet other " ] || ok=0
	FWGEN_RUN_DIR=$tmp/run FWGEN_STATE_DIR=$tmp/state ip netns exec "$ns" env -u SSH_CONNECTION $(exec_line ExecStop) >>"$log" 2>&1 || ok=0
	[ "$(ip netns exec "$ns" nft list tables | tr '\n' ' ')" = "table inet other " ] || ok=0
	ip netns del "$ns"
	if [ $ok -eq 1 ]; then
		pass "fwgen.service's ExecStart, ExecReload and ExecStop work in a new namespace"
	else
		fail "fwgen.service's ExecStart, ExecReload and ExecStop work in a new namespace" \
			"$(exec_line ExecStart)" "$(cat "$log")"
	fi
else
	pass "fwgen.service's commands in a new namespace # SKIP needs root, nft and ip netns"
fi

# --- bash completion --------------------------------------------------------

# complete WORD...: what the completion offers for the last word, sorted.
complete_words() {
	bash --norc --noprofile -c '
		source "$1" || exit 2
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		_fwgen	# bash ignores its status; COMPREPLY is the answer
		printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' \
		bash "$D$completion" "$D$fwgen" "$@"
}

# check_completion WORDS... = EXPECTED...
check_completion() {
	local -a words=()
	local want got
	while [ "$1" != "=" ]; do words+=("$1"); shift; done
	shift
	want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
	got=$(complete_words "${words[@]}" 2>&1)
	if [ "$got" = "$want" ]; then
		pass "completion: fwgen ${words[*]}<TAB> -> $want"
	else
		fail "completion: fwgen ${words[*]}<TAB>" "want: $want" "got:  $got"
	fi
}

printf 'topology: tachyon-single-server\nroles:\n  server: [198.18.10.5]\n' >"$tmp/inv.yaml"
tachyon_hosts="server sql-server ssas-server catalog-server client"
out=$(bash --norc --noprofile -c 'source "$1" && complete -p fwgen' bash "$D$completion" 2>&1)
if [ "$out" = "complete -F _fwgen fwgen" ]; then
	pass "completion registers _fwgen for fwgen"
else
	fail "completion registers _fwgen for fwgen" "$out"
fi
check_completion pr = print
check_completion print --format "" = nft json iptables ip6tables ipset
check_completion print --format=ip = iptables ip6tables ipset
check_completion print --topology tachyon-single-server --role "" = auto $tachyon_hosts
check_completion print --topology tachyon-single-server --role server --role s = sql-server ssas-server
check_completion apply -i "$tmp/inv.yaml" --role "" = auto $tachyon_hosts
check_completion catalog show "" = $("$D$fwgen" catalog list 2>/dev/null | awk '/^[^ ]/ { print $1 }')
check_completion print -i "$tmp/in" = "$tmp/inv.yaml"
check_completion diff --q = --quiet
check_completion status --format "" = text json prometheus

# Each command's long options are what the completion offers after `--`:
# an option is the command's when `fwgen CMD OPTION --help` gets as far as
# the --help (refused options and bad values stop before it, exit 2).
universe='--inventory=x --topology=x --role=x --strict --table=x --format=nft
	--confirm=5 --force --quiet --from=x --port=1 --proto=tcp --outbound --audit
	--enforce --json --explain --local --wait --boot --status --help'
missing=()
ncmd=0
for c in $("$D$fwgen" --help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }'); do
	[ "$c" = catalog ] && continue
	# A command not built yet has no --help: nothing to compare.
	"$D$fwgen" "$c" --help >/dev/null 2>&1 || continue
	ncmd=$((ncmd + 1))
	takes=$(for o in $universe; do
		"$D$fwgen" "$c" "$o" --help >/dev/null 2>&1 && echo "${o%%=*}"
	done | sort | tr '\n' ' ')
	offers=$(complete_words "$c" -- 2>&1)
	[ "$offers" = "$takes" ] || missing+=("fwgen $c takes: $takes" "completion offers: $offers")
done
if [ ${#missing[@]} -eq 0 ]; then
	pass "completion offers exactly the long options each command takes ($ncmd commands)"
else
	fail "completion offers exactly the long options each command takes" "${missing[@]}"
fi

finish
