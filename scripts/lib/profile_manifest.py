#!/usr/bin/env python3
"""Writes a profile folder's index.json from the records of profile_each.

Usage:
  profile_manifest.py heaptrack DIR MIN_TIME PROFILER
  profile_manifest.py cpu DIR MIN_TIME PROFILER EVENT FREQUENCY WHY_NONE

Both (schema 1): {"schema": 1, "profiler": ..., "min_time": ..., "benchmarks":
{run_name: {"binary", "command", "iterations", "status" ("ok" or "failed",
with "error"), "files": {...}}}}, paths relative to DIR, written atomically.
heaptrack (profile/): files "data", "print", "flamegraph", "json", "log".
cpu (cpuprofile/): "kind": "cpu", "event" ("cpu-clock", "cpu-clock:u" or ""),
"frequency", "unwinding": "dwarf", "unavailable" (why no profile could be
taken, "" when perf worked); files "flamegraph", "json", "log"; per
benchmark "samples" and "unwound" (share of samples whose stack reaches the
process's or a thread's entry, or Google Benchmark's runner: all of the
benchmark's own frames are then in the stack).
"""
import json
import os
import sys

# Outermost frames of a stack unwound to its end: the process's entry, or a
# thread's (clone3 -> start_thread in glibc 2.36). A stack that reaches
# Google Benchmark's runner (benchmark::..., or its unexported frames in
# libbenchmark) holds all of the benchmark's frames even when the 16 KB copy
# perf takes ends before main (a benchmark with large stack frames).
ENTRIES = ("_start", "__libc_start_main", "__libc_start_main_impl", "clone", "clone3")


def stacks_summary(path):
    samples = unwound = 0
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            if not count.isdigit():
                continue
            samples += int(count)
            frames = stack.split(";")
            if frames[0] in ENTRIES or any(f.startswith("benchmark::") or
                                           f.startswith("[unknown] in libbenchmark")
                                           for f in frames):
                unwound += int(count)
    return samples, unwound


def read_benchmark_json(directory, base, name, error):
    """The run_name, iterations and error from the process's JSON."""
    iterations = 0
    try:
        with open(os.path.join(directory, base + ".json"), encoding="utf-8") as g:
            rows = json.load(g).get("benchmarks", [])
        # Iteration rows only (no aggregates): the iterations the profile
        # holds, next to Google Benchmark's estimation runs.
        mine = [r for r in rows if r.get("run_type", "iteration") == "iteration"]
        iterations = sum(int(r.get("iterations", 0)) for r in mine)
        name = next((r["run_name"] for r in mine if "run_name" in r), name)
        failed = [r.get("error_message", "error") for r in mine if r.get("error_occurred")]
        if failed and not error:
            error = "benchmark error: " + failed[0]
    except (OSError, ValueError) as e:
        if not error:
            error = "no benchmark JSON: " + str(e)
    return name, iterations, error


def main():
    kind, directory, min_time, profiler = sys.argv[1:5]
    cpu = kind == "cpu"
    records = os.path.join(directory, ".records.tsv")
    benchmarks = {}
    with open(records, encoding="utf-8") as f:
        for line in f:
            name, binary, base, error, command = line.rstrip("\n").split("\t")
            name, iterations, error = read_benchmark_json(directory, base, name, error)
            entry = {"binary": binary, "command": command.strip(), "iterations": iterations}
            files = {"flamegraph": base + ".stacks", "json": base + ".json", "log": base + ".log"}
            if cpu:
                entry.update(samples=0, unwound=0.0)
                if not error:
                    try:
                        samples, unwound = stacks_summary(os.path.join(directory, base + ".stacks"))
                        entry["samples"] = samples
                        entry["unwound"] = round(unwound / samples, 4) if samples else 0.0
                        if samples == 0:
                            error = "perf recorded no samples"
                    except OSError as e:
                        error = "no stacks: " + str(e)
            else:
                files["data"] = next(
                    (base + ext for ext in (".zst", ".gz")
                     if os.path.exists(os.path.join(directory, base + ext))), base + ".zst")
                files["print"] = base + ".txt"
            entry["files"] = files
            entry["status"] = "failed" if error else "ok"
            if error:
                entry["error"] = error
            benchmarks[name] = entry
    index = {"schema": 1, "profiler": profiler, "min_time": float(min_time),
             "benchmarks": benchmarks}
    if cpu:
        event, frequency, why = sys.argv[5:8]
        index.update(kind="cpu", event=event, frequency=int(frequency), unwinding="dwarf",
                     unavailable=why)
    tmp = os.path.join(directory, ".index.json.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(index, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(tmp, os.path.join(directory, "index.json"))
    os.remove(records)


if __name__ == "__main__":
    main()
