#!/usr/bin/env python3
"""Writes the benchgate test fixtures. The outputs are committed; rerun only
to change them (python3 generate_fixtures.py, from any directory).

The timing model imitates Google Benchmark on a shared 2-core machine:
9 randomly interleaved repetitions with a per-benchmark relative spread of
3-8%, an occasional outlier 15-50% slow, and a run-to-run drift of about
1.5% between two runs of the same binary (the part compare.py's U test
mistakes for a change). Exact counters are constant within a run, some with
the amortised dust of suites that divide by a varying iteration count.
"""

import copy
import json
import math
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
REPS = 9

# name, ns per op, spread, counters (exact ones constant per run)
SUITE = [
    ("metrics/Record/before", 820, 0.05, {"allocs_per_op": 6, "bytes_per_op": 412}),
    ("metrics/Record/after", 95, 0.04, {"allocs_per_op": 0, "bytes_per_op": 0}),
    ("metrics/Record/prometheus_cpp", 240, 0.06, {"allocs_per_op": 1, "bytes_per_op": 48}),
    ("membership/GetLeader/before", 140, 0.07, {"allocs_per_op": 2, "bytes_per_op": 96,
                                               "lock_acquisitions_per_op": 1}),
    ("membership/GetLeader/after", 6.5, 0.08, {"allocs_per_op": 0, "bytes_per_op": 0,
                                              "lock_acquisitions_per_op": 0}),
    ("proposals/Propose/before/16", 2400, 0.05, {"allocs_per_op": 9, "bytes_per_op": 1310}),
    ("proposals/Propose/after/16", 610, 0.04, {"allocs_per_op": 2, "bytes_per_op": 256}),
    ("formatting/Context/before", 380, 0.03, {"allocs_per_op": 4, "bytes_per_op": 220}),
    # Low spread, so the A/A drift below is "significant" to a bare U test.
    ("formatting/Context/after", 41, 0.01, {"allocs_per_op": 0, "bytes_per_op": 0}),
    ("routing/Envelope/before/1024", 3100, 0.05, {"allocs_per_op": 5, "bytes_per_op": 3320}),
    ("routing/Envelope/after/1024", 900, 0.05, {"allocs_per_op": 1, "bytes_per_op": 1024}),
    ("batching/Flush/before", 5200, 0.06, {"allocs_per_op": 12.00003, "bytes_per_op": 8200.02}),
    ("batching/Flush/after", 1700, 0.05, {"allocs_per_op": 2.00001, "bytes_per_op": 640.004}),
    ("caching/Summary/before", 48000, 0.04, {"allocs_per_op": 130, "bytes_per_op": 21000}),
    ("caching/Summary/after", 310, 0.06, {"allocs_per_op": 0, "bytes_per_op": 0}),
]

SCENARIOS = [
    # name, ns per op, spread, noisy counters {name: (value, spread)}, exact
    ("scenarios/ProposalPipeline/before/inflight:100/real_time", 9800, 0.05,
     {}, {"allocs_per_op": 31}),
    ("scenarios/ProposalPipeline/after/inflight:100/real_time", 6100, 0.05,
     {}, {"allocs_per_op": 6}),
    ("scenarios/VmOperations/before/rate:2000/real_time", 500000, 0.03,
     {"p50_ns": (180000, 0.05), "p90_ns": (610000, 0.07), "p99_ns": (2100000, 0.10),
      "p999_ns": (4800000, 0.15), "max_ns": (9000000, 0.25)}, {"allocs_per_op": 44}),
    ("scenarios/VmOperations/after/rate:2000/real_time", 500000, 0.03,
     {"p50_ns": (95000, 0.05), "p90_ns": (330000, 0.07), "p99_ns": (1150000, 0.10),
      "p999_ns": (2900000, 0.15), "max_ns": (6000000, 0.25)}, {"allocs_per_op": 9}),
    ("scenarios/StatusQueries/before/real_time/threads:2", 1300, 0.07,
     {"lock_wait_ns_per_op": (780, 0.12), "lock_hold_ns_per_op": (240, 0.08),
      "lock_contended_pct": (31.0, 0.10)}, {"lock_acquisitions_per_op": 3}),
    ("scenarios/StatusQueries/after/real_time/threads:2", 410, 0.07,
     {"lock_wait_ns_per_op": (95, 0.15), "lock_hold_ns_per_op": (60, 0.08),
      "lock_contended_pct": (4.0, 0.12)}, {"lock_acquisitions_per_op": 0.25}),
]

HOTPATH_CONTEXT = {
    "hotpath_fingerprint": "fp-dev-2core",
    "hotpath_allocator": "glibc",
    "hotpath_build_type": "Release",
    "hotpath_compiler": "GNU 12.2.0",
    "hotpath_flags": "-O3 -DNDEBUG -falign-functions=32",
    "hotpath_git_revision": "0123456789ab",
    "hotpath_cpu_model": "Intel(R) Xeon(R) Platinum 8370C CPU @ 2.80GHz",
    "hotpath_cores": "2",
    "hotpath_alloc_counting": "on",
}


def context(executable, extra, date="2024-06-11T09:30:00+00:00"):
    ctx = {
        "date": date,
        "host_name": "runner-7",
        "executable": executable,
        "num_cpus": 2,
        "mhz_per_cpu": 2800,
        "cpu_scaling_enabled": False,
        "caches": [
            {"type": "Data", "level": 1, "size": 49152, "num_sharing": 1},
            {"type": "Instruction", "level": 1, "size": 32768, "num_sharing": 1},
            {"type": "Unified", "level": 2, "size": 1310720, "num_sharing": 1},
            {"type": "Unified", "level": 3, "size": 50331648, "num_sharing": 2},
        ],
        "load_avg": [1.21, 0.94, 0.71],
        "library_build_type": "release",
    }
    ctx.update(extra)
    return ctx


def noisy_samples(rng, center, spread, drift):
    """REPS samples: lognormal spread, one-sided outliers, run drift."""
    out = []
    for _ in range(REPS):
        value = center * drift * math.exp(rng.gauss(0.0, spread))
        if rng.random() < 0.08:  # a neighbour stole the core
            value *= rng.uniform(1.15, 1.5)
        out.append(value)
    return out


def threads_of(name):
    for part in name.split("/"):
        if part.startswith("threads:"):
            return int(part.split(":")[1])
    return 1


def make_suite(seed, drift_sd=0.015, overrides=None, time_scale=1.0,
               exact_changes=None, slowdowns=None, forced_drift=None):
    """Rows for the whole suite. slowdowns: name -> factor on timings."""
    rng = random.Random(seed)
    overrides = overrides or {}
    exact_changes = exact_changes or {}
    slowdowns = slowdowns or {}
    forced_drift = forced_drift or {}
    entries = []
    family = 0
    for name, ns, spread, exact in SUITE:
        entries.append((family, name, ns, spread, {}, exact))
        family += 1
    for name, ns, spread, noisy, exact in SCENARIOS:
        entries.append((family, name, ns, spread, noisy, exact))
        family += 1

    per_bench = {}
    for family, name, ns, spread, noisy, exact in entries:
        drift = forced_drift.get(name, math.exp(rng.gauss(0.0, drift_sd)))
        factor = slowdowns.get(name, 1.0) * time_scale
        real = noisy_samples(rng, ns * factor, spread, drift)
        cpu = [r * (threads_of(name) if "threads:" in name else 1.0)
               * rng.uniform(0.985, 1.0) for r in real]
        counters = {k: [v * (1 + rng.uniform(-2e-6, 2e-6)) if v != int(v) else v
                        for _ in range(REPS)]
                    for k, v in exact.items()}
        for k, v in exact_changes.get(name, {}).items():
            counters[k] = [v] * REPS
        for k, (v, s) in noisy.items():
            counters[k] = noisy_samples(rng, v * factor, s, drift)
        counters["items_per_second"] = [1e9 / r for r in real]
        per_bench[name] = (family, real, cpu, counters)

    order = [(name, rep) for name in per_bench for rep in range(REPS)]
    rng.shuffle(order)  # --benchmark_enable_random_interleaving=true
    rows = []
    for name, rep in order:
        family, real, cpu, counters = per_bench[name]
        row = {
            "name": name,
            "family_index": family,
            "per_family_instance_index": 0,
            "run_name": name,
            "run_type": "iteration",
            "repetitions": REPS,
            "repetition_index": rep,
            "threads": threads_of(name),
            # One process per repetition, as bench-all --processes and
            # pr-gate's rounds run them (see single_process_old.json).
            "hotpath_process": rep + 1,
            "iterations": int(2e8 / max(real[rep], 1)) + 1,
            "real_time": real[rep],
            "cpu_time": cpu[rep],
            "time_unit": "ns",
        }
        for k in sorted(counters):
            row[k] = counters[k][rep]
        rows.append(row)
    for name, (family, real, cpu, counters) in per_bench.items():
        rows.extend(aggregate_rows(name, family, real, cpu, counters))
    return rows


def aggregate_rows(name, family, real, cpu, counters):
    def stats(values):
        n = len(values)
        mean = sum(values) / n
        ordered = sorted(values)
        median = (ordered[(n - 1) // 2] + ordered[n // 2]) / 2
        stddev = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
        cv = stddev / mean if mean else float("nan")
        return {"mean": mean, "median": median, "stddev": stddev, "cv": cv}

    per_metric = {"real_time": stats(real), "cpu_time": stats(cpu)}
    per_metric.update({k: stats(v) for k, v in counters.items()})
    rows = []
    for aggregate in ("mean", "median", "stddev", "cv"):
        row = {
            "name": name + "_" + aggregate,
            "family_index": family,
            "per_family_instance_index": 0,
            "run_name": name,
            "run_type": "aggregate",
            "repetitions": REPS,
            "threads": threads_of(name),
            "aggregate_name": aggregate,
            "aggregate_unit": "percentage" if aggregate == "cv" else "time",
            "iterations": REPS,
            "real_time": per_metric["real_time"][aggregate],
            "cpu_time": per_metric["cpu_time"][aggregate],
            "time_unit": "ns",
        }
        for k in sorted(counters):
            row[k] = per_metric[k][aggregate]
        rows.append(row)
    return rows


def document(rows, extra_context=None, executable="./build/release/benches/hotpath_benchmarks",
             date="2024-06-11T09:30:00+00:00"):
    ctx = context(executable, HOTPATH_CONTEXT if extra_context is None else extra_context, date)
    return {"context": ctx, "benchmarks": rows}


def dump(path, doc):
    """Google Benchmark writes NaN as a bare literal; so do we."""
    full = os.path.join(HERE, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    text = json.dumps(doc, indent=2)
    with open(full, "w") as out:
        out.write(text + "\n")


def write(path, text):
    full = os.path.join(HERE, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w") as out:
        out.write(text)


def only(rows, run_type):
    return [r for r in rows if r["run_type"] == run_type]


def main():
    # The formatting pair drifts by 3% between the A/A runs while its own
    # spread is 1%: significant to a U test, inside the 5% floor.
    aa_old = make_suite(101, forced_drift={"formatting/Context/after": 1.0})
    aa_new = make_suite(102, forced_drift={"formatting/Context/after": 1.03})
    dump("aa_old.json", document(aa_old))
    dump("aa_new.json", document(aa_new, date="2024-06-11T10:02:00+00:00"))
    dump("aa_third.json", document(make_suite(13), date="2024-06-11T10:30:00+00:00"))

    # A/A on a machine whose neighbours got busy: the whole suite 40% slower.
    busy = make_suite(103, time_scale=1.4)
    dump("busy_machine.json", document(busy, date="2024-06-11T10:20:00+00:00"))

    # A known slowdown and one extra allocation per op (with dust).
    slow = make_suite(
        102, forced_drift={"formatting/Context/after": 1.03},
        slowdowns={"routing/Envelope/after/1024": 1.25},
        exact_changes={"metrics/Record/after": {"allocs_per_op": 1, "bytes_per_op": 32},
                       "batching/Flush/after": {"allocs_per_op": 3.00002}})
    dump("slowdown_new.json", document(slow, date="2024-06-11T10:40:00+00:00"))

    # Aggregates-only versions (--benchmark_report_aggregates_only=true).
    dump("aggregates_old.json", document(only(aa_old, "aggregate")))
    dump("aggregates_new.json", document(only(aa_new, "aggregate")))
    dump("aggregates_slowdown.json", document(only(slow, "aggregate")))

    # Another machine: everything 1.7x slower, ratios unchanged; and one
    # where routing's after/before ratio got 40% worse.
    ci = dict(HOTPATH_CONTEXT, hotpath_fingerprint="fp-ci-4core",
              hotpath_cpu_model="AMD EPYC 7763", hotpath_cores="4")
    dump("other_machine.json", document(make_suite(21, time_scale=1.7), ci))
    dump("other_machine_regressed.json", document(
        make_suite(22, time_scale=1.7, slowdowns={"routing/Envelope/after/1024": 1.4}), ci))

    # Allocation counting off (sanitizer build): allocation metrics say 0.
    off = dict(HOTPATH_CONTEXT, hotpath_alloc_counting="off")
    off_rows = make_suite(102, forced_drift={"formatting/Context/after": 1.03},
                          exact_changes={n: {"allocs_per_op": 0, "bytes_per_op": 0}
                                         for n, *_ in SUITE})
    dump("alloc_counting_off.json", document(off_rows, off))

    # A plain Google Benchmark run: 9 repetitions inside one process.
    plain = [{k: v for k, v in r.items() if k != "hotpath_process"} for r in aa_old]
    dump("single_process_old.json", document(plain))
    plain_new = [{k: v for k, v in r.items() if k != "hotpath_process"}
                 for r in make_suite(102, slowdowns={"routing/Envelope/after/1024": 1.25,
                                                     "metrics/Record/after": 100.0})]
    dump("single_process_slow.json", document(plain_new, date="2024-06-11T10:40:00+00:00"))

    # Single run (no repetitions).
    single = [dict(r, repetitions=1, repetition_index=0)
              for r in only(aa_old, "iteration") if r["repetition_index"] == 0]
    dump("single_run.json", document(single))

    # The same timings in every time unit Google Benchmark knows.
    units = {"ns": 1.0, "us": 1e-3, "ms": 1e-6, "s": 1e-9}
    mixed = []
    for i, row in enumerate(only(aa_old, "iteration")):
        unit = list(units)[i % 4]
        mixed.append(dict(row, real_time=row["real_time"] * units[unit],
                          cpu_time=row["cpu_time"] * units[unit], time_unit=unit))
    dump("time_units_mixed.json", document(mixed))
    dump("time_units_ns.json", document(only(aa_old, "iteration")))

    # Targets: a run that passes some, fails some, and is inconclusive.
    # Routing keeps 3 of 5 allocations (FAIL), caching's before allocates
    # nothing (cannot be judged), the pipeline gains about 30%, right at
    # its goal (INCONCLUSIVE).
    targets_rows = make_suite(
        31,
        exact_changes={"routing/Envelope/after/1024": {"allocs_per_op": 3},
                       "caching/Summary/before": {"allocs_per_op": 0}},
        slowdowns={"scenarios/ProposalPipeline/after/inflight:100/real_time": 1.236})
    dump("targets_mixed.json", document(targets_rows))

    # A foreign suite: no hotpath_* context, names without variants.
    rng = random.Random(41)
    foreign = []
    for family, (name, ns) in enumerate([("BM_VectorPush/8", 12.0), ("BM_VectorPush/64", 70.0),
                                         ("BM_MapFind/1024", 35.0)]):
        for rep in range(REPS):
            value = ns * math.exp(rng.gauss(0, 0.04))
            foreign.append({"name": name, "family_index": family,
                            "per_family_instance_index": 0, "run_name": name,
                            "run_type": "iteration", "repetitions": REPS,
                            "repetition_index": rep, "threads": 1,
                            "iterations": 1000000, "real_time": value,
                            "cpu_time": value * 0.99, "time_unit": "ns"})
    dump("foreign.json", document(foreign, {}, executable="/opt/bench/vector_bench"))

    # A run directory (one JSON per bench binary), and per-allocator folders.
    iteration = only(aa_new, "iteration")
    scenario_rows = [r for r in iteration if r["name"].startswith("scenarios/")]
    micro_rows = [r for r in iteration if not r["name"].startswith("scenarios/")]
    dump("run_dir/micro_benchmark.json", document(micro_rows, executable="./micro_benchmark"))
    dump("run_dir/scenarios_benchmark.json",
         document(scenario_rows, executable="./scenarios_benchmark"))
    dump("alloc_dirs/glibc/all.json", document(iteration))
    jemalloc = dict(HOTPATH_CONTEXT, hotpath_allocator="jemalloc",
                    hotpath_fingerprint="fp-dev-2core-jemalloc")
    dump("alloc_dirs/jemalloc/all.json", document(iteration, jemalloc))

    # Bad inputs: each must give one line and exit 2.
    good_text = json.dumps(document(only(aa_old, "iteration")[:20]), indent=2)
    write("bad/truncated.json", good_text[: len(good_text) // 2])
    write("bad/not_json.json", "Run on (2 X 2800 MHz CPU s)\nCPU Caches:\n")
    write("bad/not_object.json", "[1, 2, 3]\n")
    dump("bad/empty_benchmarks.json", document([]))
    base = only(aa_old, "iteration")[:18]
    wrong = copy.deepcopy(base)
    wrong[3]["real_time"] = "fast"
    dump("bad/wrong_type.json", document(wrong))
    dump("bad/benchmarks_not_array.json", {"context": context("x", HOTPATH_CONTEXT),
                                            "benchmarks": {"name": "a"}})
    nan_rows = copy.deepcopy(base)
    nan_rows[2]["real_time"] = "__NAN__"
    write("bad/nan_time.json",
          json.dumps(document(nan_rows), indent=2).replace('"__NAN__"', "NaN") + "\n")
    negative = copy.deepcopy(base)
    negative[5]["cpu_time"] = -12.5
    dump("bad/negative_time.json", document(negative))
    duplicate = copy.deepcopy(base)
    duplicate.append(copy.deepcopy(duplicate[0]))
    dump("bad/duplicate_rows.json", document(duplicate))
    unit = copy.deepcopy(base)
    unit[1]["time_unit"] = "fortnights"
    dump("bad/unknown_time_unit.json", document(unit))
    lonely = [r for r in only(aa_old, "iteration")
              if r["name"] != "proposals/Propose/after/16"]
    dump("bad/before_without_after.json", document(lonely))
    debug = dict(HOTPATH_CONTEXT, hotpath_build_type="Debug",
                 hotpath_fingerprint="fp-dev-2core-debug")
    dump("bad/debug_build.json", document(only(aa_old, "iteration"), debug))
    failed = copy.deepcopy(only(aa_old, "iteration"))
    for row in failed:
        if row["name"] == "caching/Summary/after":
            for key in ("real_time", "cpu_time"):
                row[key] = 0.0
            row["error_occurred"] = True
            row["error_message"] = "summary differs from the naive version"
    dump("failed_benchmark.json", document(failed))
    other_fp = dict(HOTPATH_CONTEXT, hotpath_fingerprint="fp-somewhere-else")
    dump("bad/mismatched_fingerprint/a_benchmark.json", document(micro_rows))
    dump("bad/mismatched_fingerprint/b_benchmark.json", document(scenario_rows, other_fp))
    write("bad/targets_unknown_key.json",
          json.dumps({"schema": 1, "targets": [{"name": "x", "benchmarks": ["a/**"],
                                                "metric": "allocs_per_op",
                                                "max_ratio": 0.5, "maximum": 1}]}, indent=2)
          + "\n")


if __name__ == "__main__":
    main()
