#!/usr/bin/env python3
"""Tests of scripts/lib/shard.py: the N slices are disjoint and cover the
suite, the variants of a pair stay together, the same suite always gives the
same slices, each slice's filter matches exactly its benchmarks, and the
command line works on fake bench binaries. Run by CTest (shard_script)."""

import os
import random
import re
import stat
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "..", "..", "scripts", "lib", "shard.py")
sys.path.insert(0, os.path.dirname(SCRIPT))

import shard  # noqa: E402


def suite():
    """A suite shaped like hotpath's: pairs with args, peers, threads."""
    entries = []
    for op in ("VmOperation", "RaftLogAppend", "NodeResourceUpdate"):
        for variant in ("before", "after", "prometheus_cpp"):
            for entries_arg in ("entries:1", "entries:16"):
                for threads in (1, 2):
                    entries.append(("metrics_benchmark",
                                    f"metrics/{op}/{variant}/{entries_arg}/real_time/threads:{threads}"))
    for op in ("IsLeader", "HasPeer", "GetPeer", "AddRemovePeer"):
        for variant in ("before", "after"):
            entries.append(("membership_benchmark", f"membership/{op}/{variant}/members:5"))
    entries.append(("membership_benchmark", "membership/UncontendedLock/instrumented"))
    entries.append(("membership_benchmark", "membership/UncontendedLock/pthread_rwlock"))
    for rate in (50000, 300000):
        for variant in ("before", "after"):
            entries.append(("vm_operations_benchmark",
                            f"scenarios/VmOperations/{variant}/rate:{rate}/real_time"))
    entries.append(("odd_benchmark", "BM_Plain"))
    entries.append(("odd_benchmark", "BM_With(paren)+plus.dot/8"))
    return entries


class Assign(unittest.TestCase):
    def test_slices_are_disjoint_and_cover_the_suite(self):
        entries = suite()
        for count in range(1, 8):
            slices = shard.assign(entries, count)
            self.assertEqual(set(slices), set(entries))
            self.assertTrue(all(1 <= k <= count for k in slices.values()))
            members = [{e for e, k in slices.items() if k == i} for i in range(1, count + 1)]
            self.assertEqual(sum(len(m) for m in members), len(entries))
            self.assertEqual(set().union(*members), set(entries))

    def test_variants_of_a_pair_share_a_slice(self):
        slices = shard.assign(suite(), 4)
        by_pair = {}
        for (binary, name), k in slices.items():
            by_pair.setdefault((binary, shard.pair_key(name)), set()).add(k)
        self.assertTrue(all(len(ks) == 1 for ks in by_pair.values()), by_pair)
        self.assertEqual(
            slices[("metrics_benchmark", "metrics/VmOperation/before/entries:1/real_time/threads:2")],
            slices[("metrics_benchmark", "metrics/VmOperation/prometheus_cpp/entries:1/real_time/threads:2")])

    def test_same_suite_same_slices_whatever_the_order(self):
        entries = suite()
        first = shard.assign(entries, 3)
        for seed in range(5):
            shuffled = list(entries)
            random.Random(seed).shuffle(shuffled)
            self.assertEqual(shard.assign(shuffled + shuffled[:3], 3), first)

    def test_slices_are_balanced_and_spread_every_binary(self):
        entries = suite()
        for count in (2, 3, 4):
            slices = shard.assign(entries, count)
            sizes = [sum(1 for k in slices.values() if k == i) for i in range(1, count + 1)]
            heaviest_pair = 3  # before, after, prometheus_cpp
            self.assertLessEqual(max(sizes) - min(sizes), heaviest_pair, sizes)
            metrics = {k for (b, _), k in slices.items() if b == "metrics_benchmark"}
            self.assertEqual(metrics, set(range(1, count + 1)))

    def test_rejects_zero_slices(self):
        with self.assertRaises(ValueError):
            shard.assign(suite(), 0)


class Filter(unittest.TestCase):
    def test_filter_matches_exactly_its_slice(self):
        entries = suite()
        slices = shard.assign(entries, 3)
        names = [name for _, name in entries]
        for binary in {b for b, _ in entries}:
            for k in (1, 2, 3):
                chosen = [n for (b, n), s in slices.items() if b == binary and s == k]
                if not chosen:
                    continue
                pattern = re.compile(shard.anchored_filter(chosen))
                matched = {n for n in names if pattern.search(n)}
                self.assertEqual(matched, set(chosen))

    def test_filter_is_anchored(self):
        pattern = re.compile(shard.anchored_filter(["a/B/before/x:1"]))
        self.assertIsNone(pattern.search("a/B/before/x:10"))
        self.assertIsNone(pattern.search("za/B/before/x:1"))
        self.assertIsNotNone(pattern.search("a/B/before/x:1"))


def fake_binary(directory, name, tests):
    """An executable that lists `tests` like Google Benchmark does."""
    path = os.path.join(directory, name)
    with open(path, "w") as out:
        out.write("#!/bin/sh\n")
        out.write('[ "$1" = "--benchmark_list_tests=true" ] || exit 3\n')
        out.write("cat <<'EOF'\n" + "\n".join(tests) + "\nEOF\n")
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
    return path


class CommandLine(unittest.TestCase):
    def run_script(self, *args):
        return subprocess.run([sys.executable, SCRIPT, *args], capture_output=True,
                              text=True, check=False)

    def test_prints_binary_and_filter_per_slice(self):
        entries = suite()
        with tempfile.TemporaryDirectory() as base:
            by_binary = {}
            for binary, name in entries:
                by_binary.setdefault(binary, []).append(name)
            for binary, names in by_binary.items():
                fake_binary(base, binary, names)
            seen = set()
            for k in (1, 2):
                result = self.run_script("--shard", f"{k}/2", base)
                self.assertEqual(result.returncode, 0, result.stderr)
                for line in result.stdout.splitlines():
                    path, pattern = line.split("\t")
                    binary = os.path.basename(path)
                    matched = {(binary, n) for n in by_binary[binary] if re.search(pattern, n)}
                    self.assertFalse(matched & seen)
                    seen |= matched
            self.assertEqual(seen, set(entries))

    def test_also_gives_both_builds_the_same_slices(self):
        with tempfile.TemporaryDirectory() as base, tempfile.TemporaryDirectory() as head:
            old = [f"a/Op{i}/{v}" for i in range(6) for v in ("before", "after")]
            new = old + ["a/Added/before", "a/Added/after"]
            fake_binary(base, "a_benchmark", old)
            fake_binary(head, "a_benchmark", new)
            for k in (1, 2, 3):
                b = self.run_script("--shard", f"{k}/3", "--also", head, base)
                h = self.run_script("--shard", f"{k}/3", "--also", base, head)
                self.assertEqual(b.returncode, 0, b.stderr)
                pick = lambda out, names: {n for line in out.splitlines()
                                           for n in names if re.search(line.split("\t")[1], n)}
                self.assertEqual(pick(b.stdout, old), pick(h.stdout, old))

    def test_bad_usage_is_one_line_and_exit_two(self):
        with tempfile.TemporaryDirectory() as base:
            for args in (["--shard", "0/2", base], ["--shard", "3/2", base],
                         ["--shard", "x", base], ["--shard", "1/2", base + "/missing"],
                         ["--shard", "1/2", "--bogus", base]):
                result = self.run_script(*args)
                self.assertEqual(result.returncode, 2, args)
                self.assertEqual(len(result.stderr.strip().splitlines()), 1, result.stderr)

    def test_a_binary_that_cannot_list_is_an_error(self):
        with tempfile.TemporaryDirectory() as base:
            path = os.path.join(base, "broken_benchmark")
            with open(path, "w") as out:
                out.write("#!/bin/sh\necho boom >&2\nexit 1\n")
            os.chmod(path, 0o755)
            result = self.run_script("--shard", "1/2", base)
            self.assertEqual(result.returncode, 1)
            self.assertIn("broken_benchmark", result.stderr)


if __name__ == "__main__":
    unittest.main()
