#!/usr/bin/python
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-2.0-or-later
# The Ansible face of fwgen: it runs the fwgen command on the host and turns
# its exit statuses and output into changed/failed/diff. Every decision about
# the ruleset is libfwgen's; this file only maps arguments and results.

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: firewall
short_description: Keep a host's fwgen nftables table as the site inventory says
version_added: "0.1.0"
description:
  - Resolves the ruleset of this host from fwgen's catalog and a site
    inventory, compares it with fwgen's live table (C(fwgen diff)) and
    replaces the table in one transaction when they differ (C(fwgen apply)).
    Other nftables tables are never touched.
  - The module runs the C(fwgen) command on the host; roles, rules and
    differences are all decided by libfwgen, so what the module reports is
    what C(fwgen print), C(fwgen diff) and C(fwgen fleet) say by hand.
  - Errors in the inventory fail the host with fwgen's own message
    (the file, line and column at fault, then what is wrong) and change
    nothing.
author:
  - fwgen developers
requirements:
  - fwgen (the command) on the host, and CAP_NET_ADMIN in the host's network namespace (become)
options:
  inventory:
    description:
      - Path of the site inventory on the host (YAML, see fwgen-inventory(5)).
      - Required with I(state=present).
    type: path
  roles:
    description:
      - The host roles of this host. C([auto]) lets fwgen find them by
        matching the host's own addresses against the inventory, so one
        inventory serves the whole fleet.
    type: list
    elements: str
    default: [auto]
  state:
    description:
      - C(present) makes fwgen's table what the inventory says;
        C(absent) deletes fwgen's table and nothing else.
    type: str
    choices: [present, absent]
    default: present
  strict:
    description:
      - A peer role the inventory leaves unbound is an error rather than
        any address (C(--strict)).
    type: bool
    default: false
  mode:
    description:
      - C(enforce) refuses what the catalog does not allow. C(audit) passes
        C(--audit) to fwgen (C(fleet --local), C(diff) and C(apply)), which
        loads the same table with nothing refused and records what enforce
        would refuse; it needs an fwgen with audit mode.
    type: str
    choices: [enforce, audit]
    default: enforce
  confirm:
    description:
      - Seconds of commit-confirmed apply (C(fwgen apply --confirm SECONDS)).
        With fwgen's detached commit-confirmed apply the command returns at
        once with a rollback armed; prove access with a new connection, then
        run C(fwgen confirm) (see EXAMPLES) or the previous table comes
        back. An fwgen without the detached apply blocks until confirmed, so
        do not set this there.
      - Only used when the table changes.
    type: int
  fwgen:
    description:
      - The fwgen command to run, a name looked up in C(PATH) or a path.
    type: str
    default: fwgen
  table:
    description:
      - The inet table fwgen owns (default that of the inventory, else
        C(fwgen)).
    type: str
notes:
  - Supports check mode. The comparison runs, nothing is applied, and
    C(changed) says whether the live table differs.
  - Supports diff mode. Before and after hold the lines of C(fwgen diff)
    that differ, the live side (C(-) lines) before and the inventory's side
    (C(+) lines, and C(~) changed properties as fwgen words them) after.
  - With I(state=absent) under check mode, whether the table exists is read
    with C(nft list table).
seealso:
  - name: fwgen(8)
    description: The fwgen command, its exit statuses and C(fwgen fleet).
    link: https://example.invalid/fwgen/man/fwgen.8
'''

EXAMPLES = r'''
- name: Host firewalls from the fwgen catalog, each host finding its roles
  fwgen.fwgen.firewall:
    inventory: /etc/fwgen/inventory.yaml

- name: A host that holds two roles, named, with unbound peers refused
  fwgen.fwgen.firewall:
    inventory: /etc/fwgen/inventory.yaml
    roles: [km, dispatcher]
    strict: true

# Commit-confirmed: apply with a rollback armed, prove that a new SSH
# connection still gets in, then keep it. Needs fwgen's detached apply.
- name: Apply, rolled back unless confirmed within 120 seconds
  fwgen.fwgen.firewall:
    inventory: /etc/fwgen/inventory.yaml
    confirm: 120
  register: fw
- name: Drop the SSH connection, so the next task needs a new one
  ansible.builtin.meta: reset_connection
- name: Keep the new table (runs over the new connection)
  ansible.builtin.command: fwgen confirm
  when: fw is changed

- name: Remove fwgen's table, leaving every other table alone
  fwgen.fwgen.firewall:
    state: absent
'''

RETURN = r'''
roles:
  description: The host roles the ruleset is for (those C(auto) found, or those given).
  returned: state=present and the inventory resolves
  type: list
  elements: str
  sample: [app-tier]
topology:
  description: The inventory's topology.
  returned: state=present and the inventory resolves
  type: str
  sample: morpheus-distributed
digest:
  description:
    - SHA-256 of the ruleset as C(fwgen print) writes it, as C(fwgen fleet)
      lists it. Equal digests, equal rulesets.
  returned: state=present and the inventory resolves
  type: str
  sample: sha256:81acceb7135e5635ca18a2f9763096608efa19d13650344995e6bc8ff5fff226
differences:
  description: The lines of C(fwgen diff) before the run; empty when the live table was as wanted.
  returned: state=present and the inventory resolves
  type: list
  elements: str
  sample: ['+ rule inet fwgen in_tcp_443: ip saddr @user_v4 accept comment "user-https (morpheus:ports#3)"']
msg:
  description: On failure, fwgen's own message, e.g. C(site.yaml:7:21 ...).
  returned: failure
  type: str
  sample: "site.yaml:7:21: '198.18.1.0/16': host bits set after the prefix length"
rc:
  description: The exit status of the fwgen command that failed.
  returned: failure
  type: int
  sample: 2
'''

import json

from ansible.module_utils.basic import AnsibleModule

# fwgen's exit statuses (fwgen(8)): diff 0 same, 1 different; 2 any error.
EXIT_DIFF = 1


def fwgen_message(err, out):
    """fwgen's error message without the "fwgen: " prefix of stderr."""
    lines = [line for line in (err or out or '').splitlines() if line.strip()]
    if not lines:
        return 'fwgen failed without a message'
    text = '\n'.join(lines)
    if text.startswith('fwgen: '):
        text = text[len('fwgen: '):]
    return text


def policy_args(p):
    args = ['-i', p['inventory']]
    for role in p['roles']:
        args += ['--role', role]
    if p['strict']:
        args.append('--strict')
    if p['table']:
        args += ['--table', p['table']]
    return args


def run(module, argv):
    return module.run_command(argv, check_rc=False)


def fail(module, argv, rc, out, err, **extra):
    module.fail_json(msg=fwgen_message(err, out), rc=rc, cmd=argv, **extra)


def diff_sides(lines):
    """Before/after text for --diff from fwgen diff's "+", "-", "~" lines."""
    before, after = [], []
    for line in lines:
        mark, text = line[:1], line[2:]
        if mark == '-':
            before.append(text)
        else:
            after.append(text)
    return ('\n'.join(before) + '\n' if before else '',
            '\n'.join(after) + '\n' if after else '')


def present(module, fwgen):
    p = module.params
    if not p['inventory']:
        module.fail_json(msg='state=present needs inventory')
    base = policy_args(p)
    audit = ['--audit'] if p['mode'] == 'audit' else []

    # Resolves the whole policy first: a bad inventory fails here, before
    # the kernel is asked anything.
    argv = [fwgen, 'fleet', '--local', '--json'] + base + audit
    rc, out, err = run(module, argv)
    if rc != 0:
        fail(module, argv, rc, out, err)
    try:
        local = json.loads(out)
    except ValueError:
        module.fail_json(msg='fwgen fleet --local wrote no JSON', cmd=argv,
                         stdout=out)
    result = dict(changed=False, roles=local['roles'],
                  topology=local['topology'], digest=local['digest'])

    argv = [fwgen, 'diff'] + base + audit
    rc, out, err = run(module, argv)
    if rc not in (0, EXIT_DIFF):
        fail(module, argv, rc, out, err, **result)
    lines = [line for line in out.splitlines() if line.strip()]
    result['differences'] = lines
    result['changed'] = rc == EXIT_DIFF
    if result['changed'] and module._diff:
        before, after = diff_sides(lines)
        table = p['table'] or 'fwgen'
        result['diff'] = dict(
            before=before, after=after,
            before_header='table inet {0} (live)'.format(table),
            after_header='table inet {0} ({1})'.format(table, p['inventory']))
    if not result['changed'] or module.check_mode:
        module.exit_json(**result)

    argv = [fwgen, 'apply'] + base + audit
    if p['confirm']:
        argv += ['--confirm', str(p['confirm'])]
    rc, out, err = run(module, argv)
    if rc != 0:
        fail(module, argv, rc, out, err, **result)
    module.exit_json(**result)


def absent(module, fwgen):
    p = module.params
    table = p['table'] or 'fwgen'
    if module.check_mode:
        nft = module.get_bin_path('nft', required=True)
        rc, out, err = run(module, [nft, 'list', 'table', 'inet', table])
        module.exit_json(changed=rc == 0)
    argv = [fwgen, 'remove', '--table', table]
    rc, out, err = run(module, argv)
    if rc != 0:
        fail(module, argv, rc, out, err)
    # fwgen remove succeeds either way and says which (fwgen(8)).
    module.exit_json(changed='is not there' not in out, msg=out.strip())


def main():
    module = AnsibleModule(
        argument_spec=dict(
            inventory=dict(type='path'),
            roles=dict(type='list', elements='str', default=['auto']),
            state=dict(type='str', choices=['present', 'absent'],
                       default='present'),
            strict=dict(type='bool', default=False),
            mode=dict(type='str', choices=['enforce', 'audit'],
                      default='enforce'),
            confirm=dict(type='int'),
            fwgen=dict(type='str', default='fwgen'),
            table=dict(type='str'),
        ),
        required_if=[('state', 'present', ['inventory'])],
        supports_check_mode=True,
    )
    p = module.params
    if p['confirm'] is not None and not 1 <= p['confirm'] <= 3600:
        module.fail_json(msg='confirm takes seconds from 1 to 3600')
    if not p['roles']:
        module.fail_json(msg='roles: give at least one role, or [auto]')
    fwgen = p['fwgen']
    if '/' not in fwgen:
        fwgen = module.get_bin_path(fwgen, required=True)
    if p['state'] == 'present':
        present(module, fwgen)
    absent(module, fwgen)


if __name__ == '__main__':
    main()
