#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Regenerates docs/TOPOLOGY.svg for every topology of the catalog: the DOT
# that `fwgen catalog graph` writes, laid out by Graphviz dot.
#
# Usage: docs/render-graphs.sh [BUILD_DIR]      (default: build)
# Needs a built fwgen (meson setup build && ninja -C build) and Graphviz
# (apt-get install graphviz). FWGEN_CATALOG_DIR defaults to catalog/.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-"$root/build"}
fwgen=$build/tools/fwgen

if [ ! -x "$fwgen" ]; then
	echo "render-graphs: $fwgen is not built (meson setup $build && ninja -C $build)" >&2
	exit 2
fi
if ! command -v dot >/dev/null 2>&1; then
	echo "render-graphs: needs Graphviz dot (apt-get install graphviz)" >&2
	exit 2
fi
FWGEN_CATALOG_DIR=${FWGEN_CATALOG_DIR:-"$root/catalog"}
export FWGEN_CATALOG_DIR

# `catalog list` starts each topology's entry with its name in column one.
topologies=$("$fwgen" catalog list | awk '/^[^ ]/ { print $1 }')
if [ -z "$topologies" ]; then
	echo "render-graphs: no topology in $FWGEN_CATALOG_DIR" >&2
	exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for t in $topologies; do
	# Render into a temporary file first: a failure leaves the old SVG.
	"$fwgen" catalog graph "$t" >"$tmp/$t.dot"
	dot -Tsvg -o "$tmp/$t.svg" "$tmp/$t.dot"
	mv "$tmp/$t.svg" "$root/docs/$t.svg"
	echo "docs/$t.svg"
done
