#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The collection fwgen.fwgen without a host: ansible-doc renders the module's
# documentation, whose options are exactly the module's argument_spec (names,
# types, defaults, choices: what ansible-test's validate-modules checks, which
# needs packages from the network); ansible-galaxy builds the collection; the
# example playbook passes --syntax-check. Needs Debian's ansible-core.
set -u

ROOT=${FWGEN_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
COLL=$ROOT/ansible/ansible_collections/fwgen/fwgen
command -v ansible-doc >/dev/null ||
	{ echo "FAIL: ansible-doc not installed (scripts/bootstrap.sh installs ansible-core)"; exit 1; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/fwgen-coll.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export ANSIBLE_COLLECTIONS_PATH=$ROOT/ansible ANSIBLE_HOME=$TMP/home \
	ANSIBLE_LOCAL_TEMP=$TMP/tmp ANSIBLE_NOCOLOR=1
npass=0
nfail=0
ok() { npass=$((npass + 1)); echo "PASS: $*"; }
bad() { nfail=$((nfail + 1)); echo "FAIL: $*"; }

if ansible-doc --json fwgen.fwgen.firewall >"$TMP/doc.json" 2>"$TMP/err"; then
	ok "ansible-doc fwgen.fwgen.firewall"
else
	bad "ansible-doc fwgen.fwgen.firewall: $(cat "$TMP/err")"
fi

# The documented options against the argument_spec, read from the source.
python3 - "$TMP/doc.json" "$COLL/plugins/modules/firewall.py" >"$TMP/cmp" 2>&1 <<'PY'
import ast, json, sys

doc = json.load(open(sys.argv[1]))["fwgen.fwgen.firewall"]
opts = doc["doc"]["options"]
tree = ast.parse(open(sys.argv[2]).read())
spec = None
for node in ast.walk(tree):
    if isinstance(node, ast.keyword) and node.arg == "argument_spec":
        spec = {k.arg: {kw.arg: ast.literal_eval(kw.value) for kw in k.value.keywords}
                for k in node.value.keywords}
problems = []
if spec is None:
    problems.append("no argument_spec found")
else:
    if sorted(spec) != sorted(opts):
        problems.append("options %s, argument_spec %s" % (sorted(opts), sorted(spec)))
    for name in sorted(set(spec) & set(opts)):
        for key in ("type", "default", "choices", "elements"):
            s, d = spec[name].get(key), opts[name].get(key)
            if key == "type" and d is None:
                d = "str"
            if s != d:
                problems.append("%s: %s is %r in argument_spec, %r in DOCUMENTATION" % (name, key, s, d))
for key in ("roles", "digest", "msg", "differences"):
    if key not in doc["return"]:
        problems.append("RETURN lacks %s" % key)
if not doc.get("examples", "").count("fwgen.fwgen.firewall"):
    problems.append("EXAMPLES do not use the module")
if problems:
    print("\n".join(problems))
PY
if [ -s "$TMP/cmp" ]; then
	bad "DOCUMENTATION and argument_spec differ:"; sed 's/^/  /' "$TMP/cmp"
else
	ok "DOCUMENTATION's options are the argument_spec (names, types, defaults, choices); RETURN and EXAMPLES"
fi

if ansible-galaxy collection build "$COLL" --output-path "$TMP" >"$TMP/build" 2>&1 &&
	tar tzf "$TMP/fwgen-fwgen-0.1.0.tar.gz" | grep -qx 'plugins/modules/firewall.py'; then
	ok "ansible-galaxy collection build: fwgen-fwgen-0.1.0.tar.gz holds the module"
else
	bad "ansible-galaxy collection build: $(cat "$TMP/build")"
fi

if ansible-playbook --syntax-check -i localhost, "$ROOT/examples/ansible/fwgen.yml" >"$TMP/syntax" 2>&1; then
	ok "examples/ansible/fwgen.yml passes --syntax-check"
else
	bad "examples/ansible/fwgen.yml --syntax-check: $(cat "$TMP/syntax")"
fi

echo "# $npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
