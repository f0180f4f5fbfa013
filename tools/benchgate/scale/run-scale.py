#!/usr/bin/env python3
"""benchgate at scale: how long and how much memory compare, check, gate and
report take on a synthetic suite far larger than hotpath's own.

Writes two Google Benchmark JSON files of BENCHMARKS benchmarks x REPETITIONS
repetitions (iteration rows plus mean/median/stddev/cv aggregates, with
allocation counters, as Google Benchmark 1.7.1 writes them; about 59 MB each
at the default 5,000 x 20), accepts the first into a temporary baseline
store, then runs each command once under /usr/bin/time and prints its wall
time, peak resident memory and that memory as a multiple of one input file.
Exits 1 when a command fails (exit 2 or a signal); a CTest runs it small
(benchgate_scale_smoke) so the script keeps working, and asserts no figure.

usage: tools/benchgate/scale/run-scale.py [--benchmarks N] [--repetitions R]
           [--benchgate PATH] [--keep DIR]

Run it on a quiet machine (record `uptime`): the figures are timings.
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))


def write_suite(path, benchmarks, repetitions, slow, seed):
    rng = random.Random(seed)
    context = {
        "date": "2026-12-02T00:00:00+00:00", "host_name": "scale",
        "executable": "./scale_benchmark", "num_cpus": 2, "mhz_per_cpu": 2000,
        "cpu_scaling_enabled": False,
        "caches": [{"type": "Data", "level": 1, "size": 32768,
                    "num_sharing": 1}],
        "load_avg": [0.1, 0.1, 0.1], "library_build_type": "release",
    }
    with open(path, "w") as out:
        out.write('{\n  "context": ' + json.dumps(context) +
                  ',\n  "benchmarks": [\n')
        first = True
        for b in range(benchmarks):
            name = "scale/Op%05d/%s/n:%d" % (b // 2, "before" if b % 2 == 0
                                              else "after", 16 << (b % 4))
            base = 50.0 + (b % 97) * 13.0
            times = []
            for r in range(repetitions):
                t = base * (1 + rng.gauss(0, 0.02)) * slow
                times.append(t)
                row = {
                    "name": name, "family_index": b,
                    "per_family_instance_index": 0, "run_name": name,
                    "run_type": "iteration", "repetitions": repetitions,
                    "repetition_index": r, "threads": 1,
                    "iterations": 100000, "real_time": t, "cpu_time": t * 0.99,
                    "time_unit": "ns", "allocs_per_op": float(b % 5),
                    "bytes_per_op": float((b % 5) * 64),
                    "items_per_second": 1e9 / t,
                }
                out.write(("" if first else ",\n") + "    " + json.dumps(row))
                first = False
            times.sort()
            mean = sum(times) / len(times)
            sd = (sum((t - mean) ** 2 for t in times) / (len(times) - 1)) ** 0.5
            for agg, value in (("mean", mean), ("median",
                                                times[len(times) // 2]),
                               ("stddev", sd), ("cv", sd / mean)):
                row = {
                    "name": name + "_" + agg, "family_index": b,
                    "per_family_instance_index": 0, "run_name": name,
                    "run_type": "aggregate", "repetitions": repetitions,
                    "threads": 1, "aggregate_name": agg,
                    "aggregate_unit": "percentage" if agg == "cv" else "time",
                    "iterations": repetitions, "real_time": value,
                    "cpu_time": value, "time_unit": "ns",
                    "allocs_per_op": 0.0 if agg in ("stddev", "cv")
                    else float(b % 5),
                }
                out.write(",\n    " + json.dumps(row))
        out.write("\n  ]\n}\n")


def timed(command, log):
    """Wall seconds and peak RSS (KB) of `command`; its exit code."""
    timing = log + ".time"
    with open(log, "w") as out:
        rc = subprocess.call(["/usr/bin/time", "-f", "%e %M", "-o", timing] +
                             command, stdout=out, stderr=subprocess.STDOUT)
    with open(timing) as f:
        seconds, rss = f.read().split()[-2:]
    return float(seconds), int(rss), rc


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--benchmarks", type=int, default=5000)
    parser.add_argument("--repetitions", type=int, default=20)
    parser.add_argument("--benchgate", default=os.path.join(
        ROOT, "build/release/tools/benchgate/benchgate"))
    parser.add_argument("--keep", help="write the files here and keep them")
    args = parser.parse_args()
    if not os.access(args.benchgate, os.X_OK):
        sys.exit("run-scale: no benchgate at %s (build it first)" %
                 args.benchgate)
    work = args.keep or tempfile.mkdtemp(prefix="benchgate-scale-")
    os.makedirs(work, exist_ok=True)
    old = os.path.join(work, "old.json")
    new = os.path.join(work, "new.json")
    write_suite(old, args.benchmarks, args.repetitions, 1.0, 1)
    write_suite(new, args.benchmarks, args.repetitions, 1.0, 2)
    size_kb = os.path.getsize(new) // 1024
    base = os.path.join(work, "baselines")
    shutil.rmtree(base, ignore_errors=True)
    bg = args.benchgate
    targets = ["--targets", os.path.join(ROOT, "baselines/targets.json")]
    steps = [
        ("compare", [bg, "compare", old, new, "--json",
                     os.path.join(work, "compare.json")] + targets),
        ("check", [bg, "check", new] + targets),
        ("accept", [bg, "accept", old, "--baseline", base]),
        ("gate", [bg, "gate", new, "--baseline", base] + targets),
        ("report", [bg, "report", new, "--baseline", base, "-o",
                    os.path.join(work, "report.html")] + targets),
    ]
    print("run-scale: %d benchmarks x %d repetitions, %.1f MB per file, in %s"
          % (args.benchmarks, args.repetitions, size_kb / 1024, work))
    print("%-8s %8s %9s %8s %5s" % ("command", "seconds", "peak MB",
                                     "x input", "exit"))
    failed = []
    for name, command in steps:
        log = os.path.join(work, name + ".log")
        seconds, rss, rc = timed(command, log)
        print("%-8s %8.2f %9.0f %8.1f %5d" % (name, seconds, rss / 1024,
                                              rss / max(size_kb, 1), rc))
        # 1 is a verdict (the two synthetic runs differ by chance); 2 or a
        # signal is a failure of benchgate itself.
        if rc not in (0, 1):
            with open(log) as f:
                failed.append("%s exited %d: %s" % (name, rc,
                                                    f.read().strip()[-300:]))
    if not args.keep:
        shutil.rmtree(work)
    for line in failed:
        print("run-scale: " + line, file=sys.stderr)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
