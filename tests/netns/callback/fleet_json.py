# SPDX-License-Identifier: GPL-2.0-or-later
# A stdout callback for the fleet test: ansible-core ships no JSON callback
# (that one is in ansible.posix), so this writes the play's results as one
# JSON document: {"plays": [{"tasks": [{"task": {"name"}, "hosts": {HOST:
# result}}]}], "stats": {HOST: {"changed", "failures", ...}}}, the shape of
# ansible.posix.json that the test reads.
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = '''
name: fleet_json
type: stdout
short_description: the play's results as one JSON document (fwgen's fleet test)
description:
  - Task results per host and the recap, as JSON on standard output.
'''


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'stdout'
    CALLBACK_NAME = 'fleet_json'

    def __init__(self):
        super(CallbackModule, self).__init__()
        self.plays = []

    def v2_playbook_on_play_start(self, play):
        self.plays.append({'play': {'name': play.get_name()}, 'tasks': []})

    def v2_playbook_on_task_start(self, task, is_conditional):
        self.plays[-1]['tasks'].append({'task': {'name': task.get_name()},
                                        'hosts': {}})

    def _record(self, result, **extra):
        res = dict(result._result)
        res.update(extra)
        self.plays[-1]['tasks'][-1]['hosts'][result._host.get_name()] = res

    def v2_runner_on_ok(self, result):
        self._record(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, failed=True)

    def v2_runner_on_skipped(self, result):
        self._record(result, skipped=True)

    def v2_runner_on_unreachable(self, result):
        self._record(result, unreachable=True)

    def v2_playbook_on_stats(self, stats):
        out = {}
        for host in sorted(stats.processed):
            out[host] = stats.summarize(host)
        print(json.dumps({'plays': self.plays, 'stats': out}, default=str))
