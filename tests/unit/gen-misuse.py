#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
Writes the misuse suite (a Check program) from the public headers: every
function declared in include/fwgen/*.h is called with each of its pointer
arguments NULL, each enum argument out of range, unknown flag bits and an
index past the end, the other arguments valid. The headers are the one
list of functions, so a function added later is covered without being
named here; an argument of a type this script has no sample for stops
the build with an #error naming the function and argument.

Usage: gen-misuse.py OUT.c HEADER...
"""
import os
import re
import sys

# Arguments the headers document as "may be NULL": not called with NULL
# (that is a valid call, which may do real work), except that functions
# whose only argument may be NULL (the _free family) are called with it.
NULLABLE = {
    'fwgen_ctx_clear_error': {'ctx'},
    'fwgen_topology_role_name': {'is_host'},
    'fwgen_inventory_local_roles': {'topology'},
    'fwgen_policy_resolve': {'inv', 'topology'},
    'fwgen_policy_render_buf': {'len'},
    'fwgen_query_set_peer': {'peer'},
    'fwgen_policy_explain': {'inv'},
    'fwgen_policy_lockout_check': {'ssh_connection'},
    'fwgen_policy_apply_confirmed': {'data'},
    'fwgen_table_remove': {'table_name'},
    'fwgen_policy_diff': {'out', 'ndiff'},
    'fwgen_set_add': {'table', 'report'},
    'fwgen_set_del': {'table', 'report'},
    'fwgen_set_list': {'table'},
    'fwgen_fleet_new': {'topology'},
    'fwgen_status_read': {'table'},
    'fwgen_ctx_set_run_dir': {'dir'},
    'fwgen_ctx_set_ssh_connection': {'ssh_connection'},
    'fwgen_table_remove_flags': {'table_name'},
}

# Valid samples by type: (declaration or None, expression). {v} is the
# name of a variable the test declares, whose value is compared after a
# failed call (all or nothing: outputs unchanged).
SAMPLES = {
    'struct fwgen_ctx *': (None, 'S.ctx'),
    'const struct fwgen_ctx *': (None, 'S.ctx'),
    'const struct fwgen_catalog *': (None, 'S.cat'),
    'struct fwgen_catalog **': ('struct fwgen_catalog *{v} = SENTINEL;', '&{v}'),
    'const struct fwgen_topology *': (None, 'S.topo'),
    'struct fwgen_inventory *': (None, 'S.inv'),
    'const struct fwgen_inventory *': (None, 'S.inv'),
    'struct fwgen_inventory **': ('struct fwgen_inventory *{v} = SENTINEL;', '&{v}'),
    'struct fwgen_policy *': (None, 'NULL'),  # only the _free family
    'const struct fwgen_policy *': (None, 'S.pol'),
    'struct fwgen_policy **': ('struct fwgen_policy *{v} = SENTINEL;', '&{v}'),
    'struct fwgen_query *': (None, 'S.query'),
    'const struct fwgen_query *': (None, 'S.query'),
    'struct fwgen_explain *': (None, 'NULL'),  # only the _free family
    'const struct fwgen_explain *': (None, 'S.explain'),
    'struct fwgen_explain **': ('struct fwgen_explain *{v} = SENTINEL;', '&{v}'),
    'struct fwgen_nftnl *': (None, 'NULL'),  # only the _free family
    'const struct fwgen_nftnl *': (None, 'S.nftnl'),
    'struct fwgen_nftnl **': ('struct fwgen_nftnl *{v} = SENTINEL;', '&{v}'),
    'struct fwgen_catalog *': (None, 'NULL'),  # only the _free family
    'struct fwgen_fleet *': (None, 'S.fleet'),
    'const struct fwgen_fleet *': (None, 'S.fleet'),
    'struct fwgen_fleet **': ('struct fwgen_fleet *{v} = SENTINEL;', '&{v}'),
    'struct fwgen_status *': (None, 'NULL'),  # only the _free family
    'const struct fwgen_status *': (None, 'S.status'),
    'struct fwgen_status **': ('struct fwgen_status *{v} = SENTINEL;', '&{v}'),
    'struct nftnl_batch *': (None, 'S.batch'),
    'FILE *': (None, 'S.devnull'),
    'const struct fwgen_port_range *': (None, 'S.ranges'),
    'struct fwgen_port_range *': ('struct fwgen_port_range {v} = {{ 4242, 4242 }};', '&{v}'),
    'const char *': (None, '"x"'),
    'const char *const *': (None, 'S.strv'),
    'const char ***': ('const char **{v} = SENTINEL;', '&{v}'),
    'char **': ('char *{v} = SENTINEL;', '&{v}'),
    'char *': ('char {v}[64] = "unchanged";', '{v}'),
    'size_t *': ('size_t {v} = 4242;', '&{v}'),
    'uint32_t *': ('uint32_t {v} = 4242;', '&{v}'),
    'bool *': ('bool {v} = true;', '&{v}'),
    'void *': (None, 'NULL'),
    'fwgen_confirm_fn': (None, 'confirm_no'),
    'size_t': (None, '1'),
    'unsigned int': (None, '1'),
    'unsigned long': (None, '80'),
    'uint16_t': (None, '80'),
    'uint32_t': (None, '1'),
    'bool': (None, 'true'),
}

# Outputs compared after a failed call, by type: the expression that must
# still hold.
UNCHANGED = {
    'struct fwgen_catalog **': '{v} == SENTINEL',
    'struct fwgen_inventory **': '{v} == SENTINEL',
    'struct fwgen_policy **': '{v} == SENTINEL',
    'struct fwgen_explain **': '{v} == SENTINEL',
    'struct fwgen_nftnl **': '{v} == SENTINEL',
    'struct fwgen_fleet **': '{v} == SENTINEL',
    'struct fwgen_status **': '{v} == SENTINEL',
    'const char ***': '{v} == SENTINEL',
    'char **': '{v} == SENTINEL',
    'char *': 'strcmp({v}, "unchanged") == 0',
    'size_t *': '{v} == 4242',
    'uint32_t *': '{v} == 4242',
    'struct fwgen_port_range *': '{v}.lo == 4242 && {v}.hi == 4242',
}


def strip(text):
    text = re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)
    text = re.sub(r'//[^\n]*', ' ', text)
    text = re.sub(r'^\s*#[^\n]*', ' ', text, flags=re.M)
    text = re.sub(r'extern\s+"C"\s*\{', ' ', text)
    return text


def norm(t):
    t = re.sub(r'\s+', ' ', t).strip()
    t = re.sub(r'\s*\*\s*', '*', t)
    t = re.sub(r'\*+', lambda m: ' ' + m.group(0), t)
    t = t.replace('const*', 'const *')
    return t.strip()


def parse_param(p):
    p = p.strip()
    m = re.match(r'^(.*?)(\w+)$', p)
    typ, name = m.group(1), m.group(2)
    typ = norm(typ)
    if typ.endswith('*'):
        typ = typ
    return typ + (' ' if not typ.endswith('*') else ''), name


def functions(headers):
    out = []
    for h in headers:
        text = strip(open(h).read())
        for stmt in text.split(';'):
            stmt = ' '.join(stmt.split())
            if 'typedef' in stmt or '(' not in stmt:
                continue
            m = re.match(r'^(?:.*\}\s*)?(.*?)\b(fwgen_\w+)\s*\((.*)\)$', stmt)
            if not m:
                continue
            ret, name, params = norm(m.group(1)), m.group(2), m.group(3)
            if params.strip() == 'void':
                plist = []
            else:
                plist = []
                for p in params.split(','):
                    typ, pname = parse_param(p)
                    plist.append((norm(typ), pname))
            out.append((os.path.basename(h), ret, name, plist))
    return out


def sample(func, typ, pname):
    s = SAMPLES.get(typ)
    if s is None and typ.startswith('enum '):
        return (None, '0')
    if s is None:
        return None
    decl, expr = s
    if typ == 'size_t' and pname in ('len',):
        expr = '64'
    v = 'v_' + pname
    return (decl.format(v=v) if decl else None, expr.format(v=v))


def expectation(ret, has_ctx):
    """What a refused call must return, as a C condition on r."""
    if ret == 'void':
        return None
    if ret == 'int':
        return 'r == -EINVAL'
    if ret.endswith('*'):
        return 'r == NULL'
    if ret in ('size_t', 'unsigned int'):
        return 'r == 0'
    if ret == 'bool':
        return '!r'
    if ret.startswith('enum '):
        return '(int)r < 0'
    return None


def main():
    outpath, headers = sys.argv[1], sys.argv[2:]
    funcs = functions(sorted(headers))
    tests = []      # (func, testname, body)
    errors = []
    covered = []
    for hdr, ret, name, params in funcs:
        has_ctx = any(n == 'ctx' and 'fwgen_ctx' in t for t, n in params)
        samples = []
        for typ, pname in params:
            s = sample(name, typ, pname)
            if s is None:
                errors.append('#error "misuse: no sample for argument %s (%s) of %s: add one to tests/unit/gen-misuse.py"'
                              % (pname, typ.strip(), name))
                s = (None, '0')
            samples.append(s)
        nullable = NULLABLE.get(name, set())
        if name.endswith('_free') and params:
            nullable = nullable | {params[0][1]}
        cases = []
        for i, (typ, pname) in enumerate(params):
            ptr = typ.endswith('*') or typ == 'fwgen_confirm_fn'
            if ptr and pname not in nullable:
                cases.append((i, 'NULL', '%s_NULL' % pname, '%s=NULL' % pname))
            if typ.startswith('enum '):
                cases.append((i, '(%s)1000' % typ.strip(), '%s_1000' % pname, '%s=1000' % pname))
                cases.append((i, '(%s)-1' % typ.strip(), '%s_minus1' % pname, '%s=-1' % pname))
            if pname == 'flags':
                cases.append((i, '1u << 31', 'flags_unknown', 'flags=1u<<31'))
            if typ.strip() == 'size_t' and pname in ('i', 'j'):
                cases.append((i, 'SIZE_MAX', '%s_SIZE_MAX' % pname, '%s=SIZE_MAX' % pname))
        all_nullable = params and all(
            (t.endswith('*') and n in nullable) for t, n in params)
        if ret == 'void' and all_nullable:
            # Calls that must accept NULL: no crash is the test.
            cases.append((None, None, 'all_NULL', 'NULL'))
        if not cases:
            covered.append('%s: no argument to misuse' % name)
        for i, bad, suffix, label in cases:
            decls, args, checks = [], [], []
            for j, (typ, pname) in enumerate(params):
                decl, expr = samples[j]
                if decl and j != i:
                    decls.append('\t' + decl)
                if i is None:
                    args.append('NULL')
                    continue
                args.append(bad if j == i else expr)
                cond = UNCHANGED.get(typ.strip())
                if cond and j != i:
                    checks.append(cond.format(v='v_' + pname))
            call = '%s(%s)' % (name, ', '.join(args))
            exp = expectation(ret, has_ctx)
            if ret == 'int' and suffix.endswith('_SIZE_MAX'):
                exp = 'r < 0'      # an index past the end: -ENOENT
            body = list(decls)
            if ret == 'void' or exp is None:
                body.append('\t%s;' % call)
            else:
                body.append('\t%s r;' % ret)
                body.append('\tfwgen_ctx_clear_error(S.ctx);')
                body.append('\tr = %s;' % call)
                body.append('\tck_assert_msg(%s, "%s(%s): wrong result (want: %s)");'
                            % (exp, name, label, exp.replace('"', '\\"')))
            if ret == 'int' and has_ctx and i is not None and params[i][1] != 'ctx' \
                    and not suffix.endswith('_SIZE_MAX'):
                body.append('\tck_assert_msg(fwgen_ctx_errno(S.ctx) == -EINVAL, '
                            '"%s(%s): fwgen_ctx_errno() is %%d, want -EINVAL", '
                            'fwgen_ctx_errno(S.ctx));' % (name, label))
                body.append('\tck_assert_msg(strstr(fwgen_ctx_error(S.ctx), "%s"), '
                            '"%s(%s): message \\"%%s\\" does not name the function", '
                            'fwgen_ctx_error(S.ctx));' % (name, name, label))
            for c in checks:
                body.append('\tck_assert_msg(%s, "%s(%s): an output changed on failure (%s)");'
                            % (c, name, label, c.replace('"', '\\"')))
            tests.append((name, '%s__%s' % (name, suffix), '\n'.join(body)))
        covered.append(name)

    o = []
    o.append('/* Generated by tests/unit/gen-misuse.py from the public headers: do not edit. */')
    o.extend(errors)
    o.append('#include "misuse-samples.h"')
    o.append('')
    for func, tname, body in tests:
        o.append('START_TEST(%s)\n{\n%s\n}\nEND_TEST\n' % (tname, body))
    o.append('static void add_tests(Suite *s)\n{\n\tTCase *tc;\n')
    last = None
    for func, tname, body in tests:
        if func != last:
            o.append('\ttc = tcase_create("%s");' % func)
            o.append('\tsuite_add_tcase(s, tc);')
            last = func
        o.append('\ttcase_add_test(tc, %s);' % tname)
    o.append('}\n')
    o.append('static const char *const header_functions[] = {')
    for hdr, ret, name, params in funcs:
        o.append('\t"%s",' % name)
    o.append('\tNULL,\n};\n')
    o.append('int main(void)\n{\n\treturn misuse_main(add_tests, header_functions, %d);\n}' % len(tests))
    with open(outpath, 'w') as f:
        f.write('\n'.join(o) + '\n')
    if not funcs:
        sys.exit('gen-misuse: no functions found in ' + ' '.join(headers))


main()
