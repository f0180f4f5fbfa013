#!/usr/bin/env python3
"""Writes the fixtures of the HTML report's tests (benchgate report). The
outputs are committed; rerun only to change them (python3 generate.py).

run/ is a per-allocator run directory as `bench-all --allocators` writes it:
the fixture suite (../generate_fixtures.py) under glibc and jemalloc, plus
a pair and two lone benchmarks whose names are HTML markup, a context value
with markup, and the command that made the run. baseline/ is a run of the
same fingerprint, with one pair made faster and allocating less, to accept
as the baseline. baseline_other/ is another machine's run (another CPU and
fingerprint, an older revision, busy, Debian's "debug" benchmark library)
with the same exact metrics and one after/before ratio moved: the report
against it has timings it cannot judge.
"""

import copy
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import generate_fixtures as fx  # noqa: E402

# A pair key with markup but no slash (a slash would move the variant).
MARKUP_PAIR = "markup/<i>op&co<i>"
MARKUP_LONE = "<script>alert(1)</script>"


def markup_rows(seed, slowdown=1.0):
    """The markup-named benchmarks, with the suite's row shape."""
    rng = fx.random.Random(seed)
    rows = []
    for family, (name, ns, allocs) in enumerate([
            (MARKUP_PAIR + "/before", 500.0, 3),
            (MARKUP_PAIR + "/after", 120.0, 0),
            ("<b>x</b>", 60.0, 0),
            (MARKUP_LONE, 80.0, 1)], start=100):
        real = fx.noisy_samples(rng, ns * slowdown, 0.04, 1.0)
        for rep in range(fx.REPS):
            rows.append({
                "name": name, "family_index": family,
                "per_family_instance_index": 0, "run_name": name,
                "run_type": "iteration", "repetitions": fx.REPS,
                "repetition_index": rep, "threads": 1, "hotpath_process": rep + 1,
                "iterations": 100000, "real_time": real[rep],
                "cpu_time": real[rep] * 0.99, "time_unit": "ns",
                "allocs_per_op": allocs, "bytes_per_op": allocs * 32,
            })
    return rows


def suite(seed, allocator, slowdowns=None, exact_changes=None,
          time_scale=1.0, machine=None, date="2024-06-11T09:30:00+00:00"):
    rows = fx.only(fx.make_suite(seed, slowdowns=slowdowns,
                                 exact_changes=exact_changes,
                                 time_scale=time_scale), "iteration")
    rows += markup_rows(seed)
    context = dict(fx.HOTPATH_CONTEXT, hotpath_allocator=allocator,
                   hotpath_note="<i>context markup</i>")
    if allocator != "glibc":
        context["hotpath_fingerprint"] = "fp-dev-2core-" + allocator
    context.update(machine or {})
    doc = fx.document(rows, context, executable="./suite_benchmark", date=date)
    if machine:
        doc["context"].update(OTHER_MACHINE_EXTRA)
    return doc


# The cross-machine baseline: another CPU, older revision, a debug build of
# Google Benchmark's library and a busy machine (what the report must flag).
OTHER_MACHINE = {
    "hotpath_fingerprint": "fp-ci-epyc-4core",
    "hotpath_cpu_model": "AMD EPYC 7763 64-Core Processor",
    "hotpath_cores": "4",
    "hotpath_git_revision": "70b9b1b0c0de",
}
OTHER_MACHINE_EXTRA = {"num_cpus": 4, "mhz_per_cpu": 2445,
                       "load_avg": [3.02, 2.71, 2.2],
                       "library_build_type": "debug"}


def write_to(path, doc):
    full = os.path.join(HERE, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w") as out:
        out.write(fx.json.dumps(doc, indent=2) + "\n")


def main():
    os.makedirs(os.path.join(HERE, "run/cpuprofile/suite_benchmark"), exist_ok=True)
    write_to("run/glibc/suite_benchmark.json", suite(201, "glibc"))
    write_to("run/jemalloc/suite_benchmark.json", suite(202, "jemalloc"))
    # The baseline was faster in one pair (information: not measured back
    # to back) and allocated less in it (exact: the report's regression).
    write_to("baseline/suite_benchmark.json",
             suite(203, "glibc", slowdowns={"routing/Envelope/after/1024": 0.7},
                   exact_changes={"routing/Envelope/after/1024":
                                  {"allocs_per_op": 0, "bytes_per_op": 0}}))
    # Another machine's baseline: everything 0.6x the time, caching's
    # after 2.5x faster there (its after/before ratio shifts), exact metrics
    # the same: the report of the run against it has timings it cannot judge.
    write_to("baseline_other/suite_benchmark.json",
             suite(204, "glibc", time_scale=0.6,
                   slowdowns={"caching/Summary/after": 0.4},
                   machine=OTHER_MACHINE, date="2024-05-28T14:05:00+00:00"))
    # CPU profiles of one pair as bench-all --cpu-profile writes them
    # (scripts/lib/profile_manifest.py), with frames that are markup.
    stacks = {
        "metrics/Record/before": [
            ("_start;main;benchmark::RunSpecifiedBenchmarks;BM_Record<x::Before>;"
             "m::before::Record;AttributeSet::AttributeSet", 420),
            ("_start;main;benchmark::RunSpecifiedBenchmarks;BM_Record<x::Before>;"
             "m::before::Record;std::_Hash_bytes", 260),
            ("_start;main;benchmark::RunSpecifiedBenchmarks;BM_Record<x::Before>;"
             "m::before::Record;<img src=x onerror=alert(1)>", 120)],
        "metrics/Record/after": [
            ("_start;main;benchmark::RunSpecifiedBenchmarks;BM_Record<x::After>;"
             "m::after::Record", 760),
            ("_start;main;benchmark::RunSpecifiedBenchmarks;BM_Record<x::After>;"
             "x::Name<<b>bold</b>>", 40)],
    }
    benchmarks = {}
    for k, (name, rows) in enumerate(sorted(stacks.items()), start=1):
        base = "suite_benchmark/%03d_%s" % (k, name.replace("/", "_"))
        with open(os.path.join(HERE, "run/cpuprofile", base + ".stacks"), "w") as out:
            out.writelines("%s %d\n" % row for row in rows)
        benchmarks[name] = {
            "binary": "suite_benchmark", "command": "perf record ...",
            "iterations": 100000, "samples": sum(n for _, n in rows),
            "unwound": 1.0, "status": "ok",
            "files": {"flamegraph": base + ".stacks", "json": base + ".json",
                      "log": base + ".log"}}
    write_to("run/cpuprofile/index.json", {
        "schema": 1, "kind": "cpu", "profiler": "perf version 6.1.187",
        "event": "cpu-clock", "frequency": 999, "unwinding": "dwarf",
        "min_time": 0.3, "unavailable": "", "benchmarks": benchmarks})
    with open(os.path.join(HERE, "run/command.txt"), "w") as out:
        out.write("scripts/bench-all --allocators glibc,jemalloc "
                  "--filter '<b>x</b>'\nrevision 0123456789ab\n")


if __name__ == "__main__":
    main()
