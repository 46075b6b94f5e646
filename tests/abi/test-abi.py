#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
The ABI check: the symbols libfwgen.so exports, with their version nodes,
against the checked-in list tests/abi/symbols.txt (one `name@@NODE` a
line). A symbol that disappears or changes node fails, and so does one
exported but not listed (add it to lib/libfwgen.map under the node of the
next release, then to the list). Every function the public headers declare
must be exported, and nothing else named fwgen_*.

And every fwgen_* name docs/api.md (or another --doc file) mentions must be
one the headers declare, so the walk-through cannot drift from the API.

Usage: test-abi.py LIBFWGEN.so SYMBOLS.txt [--doc FILE]... HEADER...
"""
import glob
import os
import re
import subprocess
import sys


def exported(lib):
    out = subprocess.run(['readelf', '--dyn-syms', '-W', lib], check=True,
                         capture_output=True, text=True).stdout
    syms = set()
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 8 and f[4] == 'GLOBAL' and f[6] != 'UND' and \
                f[7].startswith('fwgen_'):
            syms.add(f[7])
    return syms


def declared(headers):
    names = set()
    for h in headers:
        text = re.sub(r'/\*.*?\*/', ' ', open(h).read(), flags=re.S)
        text = re.sub(r'^\s*#.*$', ' ', text, flags=re.M)
        for stmt in text.split(';'):
            if 'typedef' in stmt:
                continue
            m = re.search(r'\b(fwgen_\w+)\s*\([^()]*\)\s*$', stmt.strip())
            if m:
                names.add(m.group(1))
    return names


def main():
    lib, listfile, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
    docs = [rest[i + 1] for i in range(len(rest) - 1) if rest[i] == '--doc']
    headers = [a for i, a in enumerate(rest)
               if a != '--doc' and (i == 0 or rest[i - 1] != '--doc')]
    bad = 0
    # The header list is given by hand (meson cannot glob): a header added to
    # include/fwgen/ but not to it would escape this test and the misuse one.
    for d in sorted(set(os.path.dirname(h) for h in headers)):
        for h in sorted(glob.glob(os.path.join(d, '*.h'))):
            if not any(os.path.samefile(h, g) for g in headers):
                print('FAIL: %s is not in public_headers (tests/meson.build)' % h)
                bad += 1
    have = exported(lib)
    want = set(l.strip() for l in open(listfile) if l.strip() and not l.startswith('#'))
    for s in sorted(want - have):
        name = s.split('@')[0]
        moved = [h for h in have if h.split('@')[0] == name]
        if moved:
            print('FAIL: %s changed version: now %s' % (s, moved[0]))
        else:
            print('FAIL: %s is no longer exported' % s)
        bad += 1
    for s in sorted(have - want):
        if not any(w.split('@')[0] == s.split('@')[0] for w in want):
            print('FAIL: %s is exported but not in %s' % (s, listfile))
            bad += 1
    for s in sorted(have):
        if '@@' not in s:
            print('FAIL: %s has no version node' % s)
            bad += 1
    names = set(s.split('@')[0] for s in have)
    decl = declared(headers)
    for n in sorted(decl - names):
        print('FAIL: %s is declared in a public header but not exported' % n)
        bad += 1
    for n in sorted(names - decl):
        print('FAIL: %s is exported but declared in no public header' % n)
        bad += 1
    known = set()
    for h in headers:
        known |= set(re.findall(r'\b(fwgen_\w+)', open(h).read()))
    for d in docs:
        for n in sorted(set(re.findall(r'\b(fwgen_[a-z0-9_]+)', open(d).read()))):
            if n not in known:
                print('FAIL: %s names %s, which no public header declares' % (d, n))
                bad += 1
    print('%d symbols exported, %d listed, %d declared: %s' %
          (len(have), len(want), len(decl), 'FAIL' if bad else 'ok'))
    return 1 if bad else 0


sys.exit(main())
