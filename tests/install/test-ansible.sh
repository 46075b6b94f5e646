#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs examples/ansible/fwgen.yml on localhost with a stub in place of
# fwgen whose `diff` exits 0, 1 or 2, and checks that the play reports ok,
# changed (and applies) or failed (and applies nothing). The stub keeps the
# host's firewall out of it. Output is TAP; skipped without ansible-playbook.
#
# Usage: test-ansible.sh SOURCE_DIR
set -u

src=$(cd "${1:?usage: $0 SOURCE_DIR}" && pwd)
if ! command -v ansible-playbook >/dev/null 2>&1; then
	echo "1..0 # SKIP ansible-playbook not installed (apt-get install ansible-core)"
	exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fwgen-ansible.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
npass=0
nfail=0
n=0

cat >"$tmp/fwgen" <<STUB
#!/bin/sh
echo "\$*" >>"$tmp/calls"
[ "\$1" = diff ] && exit "\$(cat "$tmp/diff-rc")"
exit 0
STUB
chmod +x "$tmp/fwgen"
echo 'topology: tachyon-single-server' >"$tmp/inventory.yaml"
export ANSIBLE_NOCOLOR=1 ANSIBLE_LOCAL_TEMP=$tmp/ansible ANSIBLE_REMOTE_TEMP=$tmp/ansible

# play DIFF_RC: runs the playbook; the recap line and the stub's calls.
play() {
	echo "$1" >"$tmp/diff-rc"
	: >"$tmp/calls"
	ansible-playbook -c local -i localhost, "$src/examples/ansible/fwgen.yml" \
		-e fwgen_bin="$tmp/fwgen" -e fwgen_inventory="$tmp/inventory.yaml" \
		-e fwgen_inventory_dest="$tmp/dest.yaml" -e ansible_become=false \
		-e '{"fwgen_roles": ["server", "sql-server"]}' >"$tmp/out" 2>&1
	echo "rc=$? $(grep -o 'changed=[0-9]* .*failed=[0-9]*' "$tmp/out" | tr -s ' ')"
}

# expect DIFF_RC RECAP APPLIED DESCRIPTION
expect() {
	local got
	got="$(play "$1") applied=$(grep -c '^apply ' "$tmp/calls")"
	n=$((n + 1))
	if [ "$got" = "$2 applied=$3" ]; then
		npass=$((npass + 1))
		echo "ok $n - $4"
	else
		nfail=$((nfail + 1))
		echo "not ok $n - $4"
		echo "#   want: $2 applied=$3"
		echo "#   got:  $got"
		sed 's/^/#   /' "$tmp/out" | tail -n 20
	fi
}

# The first run installs the inventory (a change); diff rc alone decides the rest.
expect 0 "rc=0 changed=1 unreachable=0 failed=0" 0 "diff exit 0 is ok, nothing applied"
expect 1 "rc=0 changed=2 unreachable=0 failed=0" 1 "diff exit 1 is changed, applied once"
expect 2 "rc=2 changed=0 unreachable=0 failed=1" 0 "diff exit 2 fails the host, nothing applied"
if grep -qx "diff -q -i $tmp/dest.yaml --role=server --role=sql-server" "$tmp/calls"; then
	n=$((n + 1)); npass=$((npass + 1))
	echo "ok $n - diff gets -q, the installed inventory and every role"
else
	n=$((n + 1)); nfail=$((nfail + 1))
	echo "not ok $n - diff gets -q, the installed inventory and every role"
	sed 's/^/#   /' "$tmp/calls"
fi
echo "1..$n"
echo "# $npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
