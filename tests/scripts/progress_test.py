#!/usr/bin/env python3
"""scripts/lib/progress.sh: a long build prints its step count as it goes
and keeps the command's exit status."""

import os
import subprocess
import tempfile
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
LIB = os.path.join(ROOT, "scripts", "lib", "progress.sh")


def run(script, log):
    return subprocess.run(
        ["bash", "-c", f'source "{LIB}"; progress_every=1; {script}', "x", log],
        capture_output=True, text=True, timeout=30)


class RunWithProgress(unittest.TestCase):
    def test_prints_the_build_steps_while_it_runs(self):
        with tempfile.TemporaryDirectory() as tmp:
            log = os.path.join(tmp, "build.log")
            fake = ("for i in 1 2 3; do echo \"[$i/3] Building thing$i\"; sleep 1.2; done")
            result = run(f'run_with_progress "demo: building" "$1" bash -c \'{fake}\'', log)
            self.assertEqual(result.returncode, 0, result.stderr)
            lines = [l for l in result.stdout.splitlines() if l.startswith("demo: building: [")]
            self.assertGreaterEqual(len(lines), 2, result.stdout)
            self.assertIn("build steps", lines[0])
            with open(log) as f:
                self.assertIn("[3/3] Building thing3", f.read())

    def test_keeps_the_exit_status_and_appends_to_the_log(self):
        with tempfile.TemporaryDirectory() as tmp:
            log = os.path.join(tmp, "build.log")
            with open(log, "w") as f:
                f.write("earlier step\n")
            result = run('run_with_progress "demo" "$1" bash -c "echo failing; exit 3"; echo "rc=$?"', log)
            self.assertIn("rc=3", result.stdout)
            with open(log) as f:
                self.assertEqual(f.read(), "earlier step\nfailing\n")


if __name__ == "__main__":
    unittest.main()
