#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A random walk of live set updates against a model, for test-set-walk.sh.

Runs `fwgen set add|del` in the network namespace given (the wrapper made
it and applied the inventory there) with seeded random addresses and
prefixes in two small windows, so that updates land next to, inside,
across and on top of what the set holds: merges, splits, bridges, no-ops,
and prefixes wide enough that fwgen reads the whole set instead of looking
up points. After every step `fwgen set list` must list exactly the model's
addresses as maximal ranges (normalised, as apply writes them); every few
steps, and at the end, `fwgen diff` against an inventory of the model must
be clean, which holds only if the kernel's elements are exactly those an
apply of that inventory writes.
"""
import argparse
import ipaddress
import random
import subprocess
import sys

V4 = ipaddress.ip_network("198.18.4.0/23")
V6 = ipaddress.ip_network("2001:db8:4::/119")
# Prefix lengths by weight: mostly single machines, some ranges, a few wide
# enough to exceed the point-lookup budget.
V4_LENS = [32] * 10 + [31, 31, 30, 30, 28, 28, 26, 24, 24, 23]
V6_LENS = [L + 96 for L in V4_LENS]


class Walk:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.model = {4: set(), 6: set()}
        for p in args.initial.split(","):
            self.cover(p, True)
        self.steps = 0
        self.failures = 0

    def run(self, *argv, check=False):
        cmd = ["ip", "netns", "exec", self.args.ns, self.args.fwgen, *argv]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if check and r.returncode != 0:
            self.fail(f"{' '.join(argv)}: exit {r.returncode}", r.stderr)
        return r

    def fail(self, what, detail=""):
        self.failures += 1
        print(f"FAIL step {self.steps}: {what}")
        for line in detail.strip().splitlines()[:20]:
            print(f"    {line}")

    def cover(self, prefix, on):
        net = ipaddress.ip_network(prefix)
        fam = net.version if net.version == 4 else 6
        lo = int(net.network_address)
        for a in range(lo, lo + net.num_addresses):
            (self.model[fam].add if on else self.model[fam].discard)(a)

    def covered(self, prefix):
        net = ipaddress.ip_network(prefix)
        fam = net.version
        lo = int(net.network_address)
        return all(a in self.model[fam] for a in range(lo, lo + net.num_addresses))

    def random_prefix(self, fam):
        win = V4 if fam == 4 else V6
        plen = self.rng.choice(V4_LENS if fam == 4 else V6_LENS)
        size = 1 << (win.max_prefixlen - plen)
        base = int(win.network_address) + self.rng.randrange(win.num_addresses // size) * size
        addr = ipaddress.ip_address(base)
        return str(addr) if plen == win.max_prefixlen else f"{addr}/{plen}"

    def random_covered(self, fam):
        for _ in range(60):
            p = self.random_prefix(fam)
            if self.covered(p):
                return p
        return None

    @staticmethod
    def ranges(addrs):
        out, start, prev = [], None, None
        for a in sorted(addrs):
            if start is None:
                start = prev = a
            elif a == prev + 1:
                prev = a
            else:
                out.append((start, prev))
                start = prev = a
        if start is not None:
            out.append((start, prev))
        return out

    @staticmethod
    def parse_line(line):
        if "-" in line:
            lo, hi = line.split("-")
            return int(ipaddress.ip_address(lo)), int(ipaddress.ip_address(hi))
        net = ipaddress.ip_network(line)
        lo = int(net.network_address)
        return lo, lo + net.num_addresses - 1

    def check_list(self, what):
        r = self.run("set", "list", "browser")
        if r.returncode != 0:
            self.fail(f"{what}: set list exit {r.returncode}", r.stderr)
            return
        got = [self.parse_line(x) for x in r.stdout.split()]
        want = self.ranges(self.model[4]) + self.ranges(self.model[6])
        if got != want:
            fmt = lambda rs: [f"{ipaddress.ip_address(a)}-{ipaddress.ip_address(b)}" for a, b in rs]
            missing = sorted(set(fmt(want)) - set(fmt(got)))
            extra = sorted(set(fmt(got)) - set(fmt(want)))
            self.fail(f"{what}: set list differs from the model",
                      f"missing: {missing[:8]}\nextra:   {extra[:8]}")

    def check_diff(self, what):
        if not self.model[4] and not self.model[6]:
            return  # an inventory cannot bind a role to no address
        inv = f"{self.args.tmp}/walk-inv.yaml"
        prefixes = []
        for fam in (4, 6):
            for lo, hi in self.ranges(self.model[fam]):
                first, last = ipaddress.ip_address(lo), ipaddress.ip_address(hi)
                prefixes += [str(n) for n in ipaddress.summarize_address_range(first, last)]
        with open(inv, "w") as f:
            f.write(self.args.inventory_head)
            f.write("  browser: [" + ", ".join(f'"{p}"' for p in prefixes) + "]\n")
        r = self.run("diff", "-i", inv, "--role", "server")
        if r.returncode != 0:
            self.fail(f"{what}: diff against the model's inventory exit {r.returncode}",
                      r.stdout + r.stderr)
        # diff reads ranges; the kernel's raw elements must match too, nft's
        # end element at zero included, as an apply of the model writes them.
        self.run("apply", "-q", "--table", "fwtwin", "-i", inv, "--role", "server",
                 check=True)
        for fam in (4, 6):
            # An emptied set keeps the end element deletions leave, as
            # with nft; an apply of no address creates none.
            if not self.model[fam]:
                continue
            name = f"browser_v{fam}"
            live, twin = self.raw_elems("fwgen", name), self.raw_elems("fwtwin", name)
            if live != twin:
                self.fail(f"{what}: raw elements of {name} differ from an apply's",
                          f"live: {live[:6]}\napply: {twin[:6]}")
        self.run("remove", "--table", "fwtwin", check=True)

    def raw_elems(self, table, name):
        cmd = ["ip", "netns", "exec", self.args.ns, "nft", "--debug=netlink",
               "list", "set", "inet", table, name]
        r = subprocess.run(cmd, capture_output=True, text=True)
        return sorted(x.strip() for x in (r.stdout + r.stderr).splitlines()
                      if x.startswith("\telement"))

    def clear(self, fam):
        """Deletes all of one family's addresses: the set is left empty."""
        given = []
        for lo, hi in self.ranges(self.model[fam]):
            first, last = ipaddress.ip_address(lo), ipaddress.ip_address(hi)
            given += [str(n) for n in ipaddress.summarize_address_range(first, last)]
        if not given:
            return
        r = self.run("set", "del", "-q", "browser", *given)
        if r.returncode != 0:
            self.fail(f"set del of all IPv{fam} addresses: exit {r.returncode}", r.stderr)
            return
        self.model[fam].clear()
        self.check_list(f"set del of all IPv{fam} addresses")

    def add(self, given):
        r = self.run("set", "add", "-q", "browser", *given)
        if r.returncode != 0:
            self.fail(f"set add {' '.join(given)}: exit {r.returncode}", r.stderr)
            return
        for p in given:
            self.cover(p, True)
        self.check_list(f"set add {' '.join(given)}")

    def step(self):
        self.steps += 1
        if self.rng.random() < 0.03:
            self.clear(self.rng.choice((4, 6)))
            return
        nargs = 1 if self.rng.random() < 0.8 else self.rng.randint(2, 4)
        op = "add" if self.rng.random() < 0.6 else "del"
        given = []
        for _ in range(nargs):
            fam = self.rng.choice((4, 6))
            p = self.random_covered(fam) if op == "del" and self.rng.random() < 0.85 else None
            given.append(p or self.random_prefix(fam))
        if op == "add":
            self.add(given)
            return
        r = self.run("set", "del", "-q", "browser", *given)
        ok = all(self.covered(p) for p in given)
        if ok and r.returncode != 0:
            self.fail(f"set del {' '.join(given)}: exit {r.returncode}", r.stderr)
            return
        if not ok:
            if r.returncode != 2 or "is not in set" not in r.stderr:
                self.fail(f"set del {' '.join(given)} (not all in the set): want exit 2 naming it",
                          f"exit {r.returncode}\n{r.stderr}")
            return
        for p in given:
            self.cover(p, False)
        self.check_list(f"set del {' '.join(given)}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ns", required=True)
    ap.add_argument("--fwgen", required=True)
    ap.add_argument("--tmp", required=True)
    ap.add_argument("--inventory-head", required=True,
                    help="the inventory without its browser line")
    ap.add_argument("--initial", required=True,
                    help="the browser addresses the inventory applied, comma-separated")
    ap.add_argument("--first-add", default="",
                    help="addresses to add before the walk, comma-separated")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--steps", type=int, default=300)
    args = ap.parse_args()
    w = Walk(args)
    w.check_list("the applied set")
    if args.first_add:
        w.add(args.first_add.split(","))
        w.check_diff("after the first add")
    for i in range(args.steps):
        w.step()
        if (i + 1) % 50 == 0:
            w.check_diff(f"after {i + 1} steps")
    w.check_diff("at the end")
    print(f"{w.steps} steps (seed {args.seed}), {w.failures} failures")
    return 1 if w.failures else 0


if __name__ == "__main__":
    sys.exit(main())
