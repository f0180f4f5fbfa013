#!/usr/bin/env python3
"""Accuracy of the paired-rounds verdict on this machine, against compare.py.

Runs one bench binary as a pool of separate processes (one repetition each),
then builds alternating comparisons from it the way ci/pr-gate.sh and
bench-all --against run them: a window of 2 x ROUNDS consecutive processes,
round k pairing processes 2k and 2k+1 (A B, then B A, ...), each side merged
with `benchgate merge --pairing`. Nothing changed between the sides, so every
timing flag is a false alarm. The same comparisons are then repeated with the
head side's timings multiplied by 1.10, 1.25 and 3 and with one allocation
per op added, and the share of benchmarks caught is counted.

compare.py (Google Benchmark's tools, Debian's libbenchmark-tools) gets the
same two merged sides; its U test treats every repetition as independent.

usage: process-aa.py BENCH_BINARY [--filter REGEX] [--pool N] [--rounds R]
                     [--comparisons C] [--min-time S] [--out DIR]

Windows overlap when C is larger than the pool allows disjoint ones: the
comparisons then share processes and are not independent; the report says
how many disjoint windows the pool holds.
"""

import argparse
import copy
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
COMPARE_PY = "/usr/share/benchmark/compare.py"
SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's, with python3-scipy
ALPHA = 0.05  # compare.py's default --alpha
TIMES = ("real_time", "cpu_time")


def die(message):
    print(f"process-aa: {message}", file=sys.stderr)
    sys.exit(2)


def run_pool(bench, args, pool_dir):
    started = time.time()
    for k in range(1, args.pool + 1):
        path = os.path.join(pool_dir, f"{k:04d}.json")
        command = [bench, "--benchmark_repetitions=1",
                   f"--benchmark_min_time={args.min_time}",
                   "--benchmark_out_format=json", f"--benchmark_out={path}",
                   "--benchmark_format=console"]
        if args.filter:
            command.append(f"--benchmark_filter={args.filter}")
        result = subprocess.run(command, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        if result.returncode != 0:
            die(f"{bench} failed in process {k}: {result.stderr.strip()[:200]}")
        if k % 10 == 0 or k == args.pool:
            print(f"process-aa: pool {k}/{args.pool} processes "
                  f"({time.time() - started:.0f}s)", flush=True)


def scaled(path, out_path, factor, extra_alloc):
    """A copy of one process's JSON with the timings scaled."""
    with open(path) as f:
        document = json.load(f)
    for row in document["benchmarks"]:
        if row.get("run_type") != "iteration":
            continue
        for key in TIMES:
            row[key] = row[key] * factor
        if "items_per_second" in row:
            row["items_per_second"] = row["items_per_second"] / factor
        if extra_alloc and "allocs_per_op" in row:
            row["allocs_per_op"] = row["allocs_per_op"] + 1.0
    with open(out_path, "w") as f:
        json.dump(document, f)


def benchgate_flags(verdicts_path):
    """benchmark -> (timing flagged, allocation flagged, timing bound)"""
    with open(verdicts_path) as f:
        verdicts = json.load(f)
    flags = {}
    for item in verdicts["comparison"]["items"]:
        if item["kind"] != "benchmark":
            continue
        metrics = {m["metric"]: m for m in item["metrics"]}
        time_metric = metrics.get("real_time")
        if time_metric is None:
            continue
        alloc = metrics.get("allocs_per_op")
        flags[item["name"]] = (
            time_metric["verdict"] in ("regressed", "improved"),
            alloc is not None and alloc["verdict"] == "regressed",
            time_metric.get("within"))
    return flags


def comparepy_flags(path):
    with open(path) as f:
        entries = json.load(f)
    flags = {}
    for entry in entries:
        utest = entry.get("utest") or {}
        if utest.get("time_pvalue") is None:
            continue
        flags[entry["name"]] = utest["time_pvalue"] < ALPHA
    return flags


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bench")
    parser.add_argument("--filter", default="")
    parser.add_argument("--pool", type=int, default=120)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--comparisons", type=int, default=100)
    parser.add_argument("--min-time", default="0.05")
    parser.add_argument("--out", default="")
    parser.add_argument("--benchgate",
                        default=os.path.join(ROOT, "build/release/tools/benchgate/benchgate"))
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--no-compare-py", action="store_true")
    args = parser.parse_args()
    if not os.access(args.bench, os.X_OK):
        die(f"{args.bench} is not an executable")
    if not os.access(args.benchgate, os.X_OK):
        die(f"no benchgate at {args.benchgate}")
    window = 2 * args.rounds
    if args.pool < window:
        die(f"--pool ({args.pool}) must hold 2 x --rounds ({window}) processes")
    use_compare_py = not args.no_compare_py and os.path.exists(COMPARE_PY)
    if not args.no_compare_py and not use_compare_py:
        print("process-aa: no compare.py (apt-get install libbenchmark-tools "
              "python3-scipy): benchgate only", file=sys.stderr)

    out = args.out or tempfile.mkdtemp(prefix="process-aa.")
    pool_dir = os.path.join(out, "pool")
    os.makedirs(pool_dir, exist_ok=True)
    with open("/proc/loadavg") as f:
        load_before = " ".join(f.read().split()[:3])
    pool_started = time.time()
    run_pool(args.bench, args, pool_dir)
    pool_seconds = time.time() - pool_started
    pool = sorted(os.path.join(pool_dir, name) for name in os.listdir(pool_dir))

    rng = random.Random(args.seed)
    starts = [rng.randrange(0, len(pool) - window + 1)
              for _ in range(args.comparisons)]
    cases = [("A/A", 1.0, False), ("+10%", 1.10, False), ("+25%", 1.25, False),
             ("3x", 3.0, False), ("+1 alloc/op", 1.0, True)]
    tally = {name: {"benchgate": [0, 0], "compare.py": [0, 0], "alloc": [0, 0],
                    "within10": 0} for name, *_ in cases}
    work = os.path.join(out, "work")
    compared_started = time.time()
    for c, start in enumerate(starts, 1):
        processes = pool[start:start + window]
        for name, factor, extra_alloc in cases:
            shutil.rmtree(work, ignore_errors=True)
            os.makedirs(work)
            sides = {"base": [], "head": []}
            for k in range(args.rounds):
                first, second = processes[2 * k], processes[2 * k + 1]
                # A B, then B A: over two rounds each side runs first once.
                base, head = (first, second) if k % 2 == 0 else (second, first)
                sides["base"].append(base)
                head_copy = os.path.join(work, f"head-{k:03d}.json")
                scaled(head, head_copy, factor, extra_alloc)
                sides["head"].append(head_copy)
            pairing = f"aa-{c}-{factor}-{int(extra_alloc)}"
            merged = {}
            for side, parts in sides.items():
                merged[side] = os.path.join(work, f"{side}.json")
                subprocess.run([args.benchgate, "merge", merged[side], *parts,
                                "--pairing", pairing], check=True,
                               stdout=subprocess.DEVNULL)
            verdicts = os.path.join(work, "verdicts.json")
            result = subprocess.run(
                [args.benchgate, "compare", merged["base"], merged["head"],
                 "--targets", os.path.join(ROOT, "baselines/targets.json"),
                 "--color", "never", "--json", verdicts],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            if result.returncode == 2:
                die(f"benchgate compare failed: {result.stderr.strip()}")
            counts = tally[name]
            for time_flag, alloc_flag, bound in benchgate_flags(verdicts).values():
                counts["benchgate"][0] += time_flag
                counts["benchgate"][1] += 1
                counts["alloc"][0] += alloc_flag
                counts["alloc"][1] += 1
                counts["within10"] += bound is not None and bound <= 0.10
            if use_compare_py and not extra_alloc:
                dump = os.path.join(work, "comparepy.json")
                subprocess.run([SYSTEM_PYTHON, COMPARE_PY, "-d", dump, "benchmarks",
                                merged["base"], merged["head"]],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               check=True)
                for flagged in comparepy_flags(dump).values():
                    counts["compare.py"][0] += flagged
                    counts["compare.py"][1] += 1
        if c % 10 == 0 or c == len(starts):
            print(f"process-aa: {c}/{len(starts)} comparisons "
                  f"({time.time() - compared_started:.0f}s)", flush=True)
    shutil.rmtree(work, ignore_errors=True)

    with open(pool[0]) as f:
        context = json.load(f)["context"]
    with open("/proc/loadavg") as f:
        load_after = " ".join(f.read().split()[:3])
    pct = lambda hit, total: f"{hit}/{total} ({100.0 * hit / max(total, 1):.1f}%)"
    print()
    print(f"Paired-rounds accuracy: {os.path.basename(args.bench)}"
          f"{' --filter ' + args.filter if args.filter else ''}, a pool of {len(pool)} "
          f"processes (1 repetition each, min time {args.min_time} s, {pool_seconds:.0f} s), "
          f"{len(starts)} comparisons of {args.rounds} alternating rounds "
          f"({len(pool) // window} disjoint windows; the rest overlap)")
    print(f"machine: {context.get('hotpath_cpu_model', '?')}, {context.get('num_cpus')} CPUs, "
          f"load average {load_before} before, {load_after} after")
    print(f"{'case':14} {'benchgate timing flags':>26} {'compare.py (p < 0.05)':>26} "
          f"{'allocation flags':>22} {'judged within +-10%':>22}")
    for name, *_ in cases:
        counts = tally[name]
        bg = pct(*counts["benchgate"])
        cp = pct(*counts["compare.py"]) if counts["compare.py"][1] else "-"
        alloc = pct(*counts["alloc"])
        within = pct(counts["within10"], counts["benchgate"][1])
        print(f"{name:14} {bg:>26} {cp:>26} {alloc:>22} {within:>22}")
    print("(A/A: every flag is a false alarm; the other rows: every flag is a "
          "detection. benchgate: regressed or improved; compare.py: its U test "
          "on time at its default alpha.)")
    print(f"pool and verdicts: {out}")


if __name__ == "__main__":
    main()
