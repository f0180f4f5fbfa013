#!/usr/bin/env python3
"""Writes cpuprofile/index.json from the records of cpuprofile.sh.

Usage: cpu_manifest.py DIR MIN_TIME PROFILER EVENT FREQUENCY WHY_NONE

index.json (schema 1): {"schema": 1, "kind": "cpu", "profiler": "perf version
...", "event": "cpu-clock" | "cpu-clock:u" | "", "frequency": 999,
"unwinding": "dwarf", "min_time": ..., "unavailable": why no profile could be
taken ("" when perf worked), "benchmarks": {run_name: {"binary", "command",
"iterations", "samples", "unwound" (share of samples whose stack reaches the
process's or thread's entry), "status" ("ok" or "failed", with "error"),
"files": {"flamegraph", "json", "log"}}}}, paths relative to DIR. Written
atomically.
"""
import json
import os
import sys

# Outermost frames of a stack unwound to its end: the process's entry, or a
# thread's (clone3 -> start_thread in glibc 2.36).
ENTRIES = ("_start", "__libc_start_main", "__libc_start_main_impl", "clone", "clone3")


def stacks_summary(path):
    samples = unwound = 0
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            if not count.isdigit():
                continue
            samples += int(count)
            if stack.split(";", 1)[0] in ENTRIES:
                unwound += int(count)
    return samples, unwound


def main():
    directory, min_time, profiler, event, frequency, why = sys.argv[1:7]
    records = os.path.join(directory, ".records.tsv")
    benchmarks = {}
    with open(records, encoding="utf-8") as f:
        for line in f:
            name, binary, base, error, command = line.rstrip("\n").split("\t")
            entry = {"binary": binary, "command": command.strip(), "iterations": 0,
                     "samples": 0, "unwound": 0.0,
                     "files": {"flamegraph": base + ".stacks", "json": base + ".json",
                               "log": base + ".log"}}
            try:
                with open(os.path.join(directory, base + ".json"), encoding="utf-8") as g:
                    rows = json.load(g).get("benchmarks", [])
                mine = [r for r in rows if r.get("run_type", "iteration") == "iteration"]
                entry["iterations"] = sum(int(r.get("iterations", 0)) for r in mine)
                name = next((r["run_name"] for r in mine if "run_name" in r), name)
                failed = [r.get("error_message", "error") for r in mine if r.get("error_occurred")]
                if failed and not error:
                    error = "benchmark error: " + failed[0]
            except (OSError, ValueError) as e:
                if not error:
                    error = "no benchmark JSON: " + str(e)
            if not error:
                try:
                    samples, unwound = stacks_summary(os.path.join(directory, base + ".stacks"))
                    entry["samples"] = samples
                    entry["unwound"] = round(unwound / samples, 4) if samples else 0.0
                    if samples == 0:
                        error = "perf recorded no samples"
                except OSError as e:
                    error = "no stacks: " + str(e)
            entry["status"] = "failed" if error else "ok"
            if error:
                entry["error"] = error
            benchmarks[name] = entry
    index = {"schema": 1, "kind": "cpu", "profiler": profiler, "event": event,
             "frequency": int(frequency), "unwinding": "dwarf", "min_time": float(min_time),
             "unavailable": why, "benchmarks": benchmarks}
    tmp = os.path.join(directory, ".index.json.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(index, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(tmp, os.path.join(directory, "index.json"))
    os.remove(records)


if __name__ == "__main__":
    main()
