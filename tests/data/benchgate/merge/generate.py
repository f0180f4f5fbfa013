#!/usr/bin/env python3
"""Writes the fixtures of `benchgate merge` and `gate --exact-only`. The
outputs are committed; rerun only to change them (python3 generate.py).

Built with the suite model of ../generate_fixtures.py: two halves of one
side of an alternating run (same build, same machine), two shards of a run
directory split by pair, a shard of another machine, and inputs that must
be refused (another build type, another revision, aggregates only).
"""

import copy
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import generate_fixtures as gf  # noqa: E402

gf.HERE = HERE  # dump() writes relative to this folder


def pair_key(name):
    parts = name.split("/")
    return "/".join(parts[:2] + parts[3:])


def main():
    # Halves A1 and A2 of one side: same build, same machine, new samples.
    half_a = gf.make_suite(201)
    half_b = gf.make_suite(202)
    gf.dump("half_a.json", gf.document(half_a))
    gf.dump("half_b.json", gf.document(half_b, date="2024-06-11T09:41:00+00:00"))

    # Shards of one run directory, split by pair: two binaries per shard.
    rows = gf.make_suite(203)
    keys = sorted({pair_key(r["run_name"]) for r in rows})
    first = set(keys[::2])
    for shard, wanted in (("shard1", first), ("shard2", set(keys) - first)):
        mine = [r for r in rows if (pair_key(r["run_name"]) in wanted)]
        micro = [r for r in mine if not r["run_name"].startswith("scenarios/")]
        scen = [r for r in mine if r["run_name"].startswith("scenarios/")]
        gf.dump(shard + "/micro_benchmark.json",
                gf.document(micro, executable="./micro_benchmark"))
        gf.dump(shard + "/scenarios_benchmark.json",
                gf.document(scen, executable="./scenarios_benchmark"))

    # A shard of another runner: disjoint names, another fingerprint.
    ci = dict(gf.HOTPATH_CONTEXT, hotpath_fingerprint="fp-ci-4core",
              hotpath_cpu_model="AMD EPYC 7763", hotpath_cores="4")
    other = [r for r in gf.make_suite(204, time_scale=1.7)
             if pair_key(r["run_name"]) not in first]
    gf.dump("other_machine_shard.json", gf.document(other, ci))
    # The same benchmarks as shard1, on the other runner: cannot be pooled.
    overlap = [r for r in gf.make_suite(205, time_scale=1.7)
               if pair_key(r["run_name"]) in first]
    gf.dump("other_machine_overlap.json", gf.document(overlap, ci))

    # Refused: a debug build, another revision, aggregates only.
    debug = dict(gf.HOTPATH_CONTEXT, hotpath_build_type="Debug")
    gf.dump("debug_build.json", gf.document(gf.make_suite(206), debug))
    revision = dict(gf.HOTPATH_CONTEXT, hotpath_git_revision="fedcba987654")
    gf.dump("other_revision.json", gf.document(gf.make_suite(207), revision))
    gf.dump("aggregates_only.json",
            gf.document(gf.only(gf.make_suite(208), "aggregate")))

    # A foreign suite split over two binaries (derived fingerprints).
    foreign = [copy.deepcopy(r) for r in gf.only(gf.make_suite(209), "iteration")]
    gf.dump("foreign/a_bench.json",
            gf.document([r for r in foreign if r["run_name"] < "m"], {},
                        executable="/opt/bench/a_bench"))
    gf.dump("foreign/b_bench.json",
            gf.document([r for r in foreign if r["run_name"] >= "m"], {},
                        executable="/opt/bench/b_bench"))

    # gate --exact-only: timings 25-50% slower, every exact metric the same.
    slower = gf.make_suite(
        102, forced_drift={"formatting/Context/after": 1.03},
        slowdowns={"routing/Envelope/after/1024": 1.25,
                   "caching/Summary/after": 1.5})
    gf.dump("timing_slowdown.json",
            gf.document(slower, date="2024-06-11T10:50:00+00:00"))


if __name__ == "__main__":
    main()
