#!/usr/bin/env python3
"""scripts/lib/fold_perf.py and profile_manifest.py (bench-all --cpu-profile):
perf script's samples folded into collapsed stacks, outermost first, and
the manifest's samples and unwound share; no perf needed."""

import json
import os
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
LIB = os.path.join(ROOT, "scripts", "lib")

# `perf script -F comm,tid,ip,sym,dso` as perf 6.1 prints it: a header line
# per sample, then its frames innermost first, a blank line between samples.
PERF_SCRIPT = """\
metrics_benchma  4242
\t    7f00 __memcpy_avx512_unaligned_erms (/usr/lib/x86_64-linux-gnu/libc.so.6)
\t    1234 hotpath::before::Record (/b/metrics_benchmark)
\t    5678 main (/b/metrics_benchmark)
\t    9abc _start (/b/metrics_benchmark)

metrics_benchma  4242
\t    7f00 __memcpy_avx512_unaligned_erms (/usr/lib/x86_64-linux-gnu/libc.so.6)
\t    1234 hotpath::before::Record (/b/metrics_benchmark)
\t    5678 main (/b/metrics_benchmark)
\t    9abc _start (/b/metrics_benchmark)

metrics_benchma  4243
\t    1111 [unknown] (/usr/lib/x86_64-linux-gnu/libfoo.so)
\t    2222 operator;weird (/b/metrics_benchmark)
"""


def fold(text):
    result = subprocess.run([sys.executable, os.path.join(LIB, "fold_perf.py")],
                            input=text, capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        raise AssertionError(result.stderr)
    return result.stdout


class FoldPerf(unittest.TestCase):
    def test_folds_outermost_first_most_samples_first(self):
        self.assertEqual(fold(PERF_SCRIPT).splitlines(), [
            "_start;main;hotpath::before::Record;__memcpy_avx512_unaligned_erms 2",
            "operator:weird;[unknown] in libfoo.so 1",
        ])

    def test_no_samples_is_no_stacks(self):
        self.assertEqual(fold(""), "")


class CpuManifest(unittest.TestCase):
    def test_counts_samples_and_the_share_unwound(self):
        with tempfile.TemporaryDirectory() as tmp:
            os.makedirs(os.path.join(tmp, "b"))
            with open(os.path.join(tmp, "b", "001_x.stacks"), "w") as out:
                out.write(fold(PERF_SCRIPT))
            with open(os.path.join(tmp, "b", "001_x.json"), "w") as out:
                json.dump({"benchmarks": [{"name": "m/X/before", "run_name": "m/X/before",
                                           "run_type": "iteration", "iterations": 100}]}, out)
            with open(os.path.join(tmp, "b", "002_y.json"), "w") as out:
                json.dump({"benchmarks": [{"name": "m/Y/before", "run_name": "m/Y/before",
                                           "iterations": 1, "error_occurred": True,
                                           "error_message": "boom"}]}, out)
            with open(os.path.join(tmp, ".records.tsv"), "w") as out:
                out.write("m/X/before\tb\tb/001_x\t\tperf record ...\n")
                out.write("m/Y/before\tb\tb/002_y\t\tperf record ...\n")
            subprocess.run([sys.executable, os.path.join(LIB, "profile_manifest.py"), "cpu",
                            tmp, "0.3", "perf version 6.1", "cpu-clock", "999", ""],
                           check=True, timeout=30)
            with open(os.path.join(tmp, "index.json")) as f:
                index = json.load(f)
            self.assertFalse(os.path.exists(os.path.join(tmp, ".records.tsv")))
            x = index["benchmarks"]["m/X/before"]
            self.assertEqual((x["status"], x["samples"], x["iterations"]), ("ok", 3, 100))
            self.assertEqual(x["unwound"], round(2 / 3, 4))
            y = index["benchmarks"]["m/Y/before"]
            self.assertEqual((y["status"], y["error"]), ("failed", "benchmark error: boom"))
            self.assertEqual((index["event"], index["frequency"]), ("cpu-clock", 999))


if __name__ == "__main__":
    unittest.main()
