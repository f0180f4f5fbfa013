#!/usr/bin/env python3
"""scripts/lib/history.sh (bench-all, ci/pr-gate.sh): a run goes into the
SQLite history with a progress line; a failure to add is one line and never
the caller's failure. Usage: history_test.py BENCHGATE"""

import os
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
LIB = os.path.join(ROOT, "scripts", "lib", "history.sh")
RUN = os.path.join(ROOT, "tests", "data", "benchgate", "aa_old.json")
BENCHGATE = sys.argv.pop(1) if len(sys.argv) > 1 else ""


def history_add(benchgate, db, *flags):
    quoted = " ".join(f"'{f}'" for f in flags)
    return subprocess.run(
        ["bash", "-c",
         f'source "{LIB}"; history_add demo "$1" "$2" "$3" {quoted}; echo "rc=$? ok=$history_ok"',
         "x", benchgate, RUN, db],
        capture_output=True, text=True, timeout=30)


class HistoryAdd(unittest.TestCase):
    def test_adds_the_run_with_a_progress_line(self):
        with tempfile.TemporaryDirectory() as tmp:
            db = os.path.join(tmp, "results", "history.sqlite")
            result = history_add(BENCHGATE, db, "--revision", "abc123")
            self.assertIn("rc=0 ok=1", result.stdout)
            self.assertIn(f"demo: history: adding {RUN} to {db}", result.stdout)
            self.assertIn("demo: history add: ", result.stdout)
            self.assertEqual(result.stderr, "")
            self.assertTrue(os.path.isfile(db))
            again = history_add(BENCHGATE, db, "--revision", "abc123")
            self.assertIn("nothing added", again.stdout)
            self.assertIn("rc=0 ok=1", again.stdout)

    def test_a_failure_is_one_line_and_not_the_callers_failure(self):
        with tempfile.TemporaryDirectory() as tmp:
            db = os.path.join(tmp, "history.sqlite")
            with open(db, "w") as f:
                f.write("not a database\n")
            result = history_add(BENCHGATE, db, "--revision", "abc123")
            self.assertIn("rc=0 ok=0", result.stdout)
            self.assertEqual(len(result.stderr.splitlines()), 1, result.stderr)
            self.assertIn("demo: history: not added (exit 2): benchgate: error:",
                          result.stderr)
            with open(db) as f:
                self.assertEqual(f.read(), "not a database\n")

    def test_a_benchgate_without_history_is_skipped(self):
        with tempfile.TemporaryDirectory() as tmp:
            fake = os.path.join(tmp, "benchgate")
            with open(fake, "w") as f:
                f.write("#!/bin/sh\nexit 2\n")
            os.chmod(fake, 0o755)
            result = history_add(fake, os.path.join(tmp, "h.sqlite"))
            self.assertIn("rc=0", result.stdout)
            self.assertIn("has no history command", result.stderr)
            self.assertFalse(os.path.exists(os.path.join(tmp, "h.sqlite")))

    def test_the_scripts_offer_no_history(self):
        for script in ("scripts/bench-all", "ci/pr-gate.sh"):
            result = subprocess.run([os.path.join(ROOT, script), "--help"],
                                    capture_output=True, text=True, timeout=30)
            self.assertIn("--no-history", result.stdout, script)
            self.assertIn("--history FILE", result.stdout, script)


if __name__ == "__main__":
    unittest.main()
