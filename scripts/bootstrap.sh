#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Installs what fwgen needs on Debian 12 (as root), configures and builds it
# in ./build. Safe to run again: it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential meson ninja-build pkg-config
	libnftnl-dev libmnl-dev libyaml-dev check
	nftables iproute2 iptables ipset procps time python3 man-db
	ansible-core)
# FWGEN_FUZZ=1 (.ci/run): clang and its libFuzzer runtime for tests/fuzz.
if [ -n "${FWGEN_FUZZ:-}" ]; then
	packages+=(clang libclang-rt-dev)
fi
# FWGEN_FORMAT=1 (.ci/run): clang-format for scripts/check-format.sh.
if [ -n "${FWGEN_FORMAT:-}" ]; then
	packages+=(clang-format)
fi

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "bootstrap: missing packages: ${missing[*]} (run as root, or apt-get install them)" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -f build/build.ninja ]; then
	meson setup build ${FWGEN_MESON_ARGS:-} >/dev/null
fi
ninja -C build
echo "bootstrap: built build/tools/fwgen"
