#!/usr/bin/env python3
"""Prints each before/after pair of a bench-all run folder as one table row.

Per benchmark: the median real time over repetitions with its spread (median
absolute deviation, in % of the median), the exact allocs/op and bytes/op,
and after/before ratios. Peers (any variant but before and after) are shown
as their time ratio against before. Usage: pairs_table.py RUN_DIR
"""
import glob
import json
import os
import statistics
import sys

UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def load(run_dir):
    runs = {}
    for path in sorted(glob.glob(os.path.join(run_dir, "*.json"))):
        with open(path) as f:
            text = f.read()
        if not text.strip():
            continue  # --filter matched none of this binary's benchmarks
        doc = json.loads(text)
        for row in doc.get("benchmarks", []):
            if row.get("run_type") != "iteration" or row.get("error_occurred"):
                continue
            name = row.get("run_name", row["name"])
            r = runs.setdefault(name, {"times": [], "allocs": None, "bytes": None})
            r["times"].append(row["real_time"] * UNIT_NS[row.get("time_unit", "ns")])
            r["allocs"] = row.get("allocs_per_op", r["allocs"])
            r["bytes"] = row.get("bytes_per_op", r["bytes"])
    return runs


def split(name):
    parts = name.split("/")
    if len(parts) < 3:
        return None, None
    return "/".join(parts[:2] + parts[3:]), parts[2]


def fmt_time(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("us", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def fmt_count(v):
    if v is None:
        return "-"
    return f"{v:.4g}"


def main():
    if len(sys.argv) != 2:
        print("usage: pairs_table.py RUN_DIR", file=sys.stderr)
        return 2
    runs = load(sys.argv[1])
    pairs = {}
    for name, r in runs.items():
        key, variant = split(name)
        if key is not None:
            pairs.setdefault(key, {})[variant] = r
    rows = []
    for key in sorted(pairs):
        v = pairs[key]
        b, a = v.get("before"), v.get("after")
        if not b or not a:
            continue
        tb, ta = statistics.median(b["times"]), statistics.median(a["times"])
        spread = lambda r, m: statistics.median(abs(t - m) for t in r["times"]) / m * 100
        peers = ", ".join(
            f"{p} {statistics.median(r['times']) / tb:.3f}"
            for p, r in sorted(v.items()) if p not in ("before", "after"))
        rows.append((
            key,
            f"{fmt_time(tb)} ±{spread(b, tb):.1f}%",
            f"{fmt_time(ta)} ±{spread(a, ta):.1f}%",
            f"{ta / tb:.3f}",
            f"{fmt_count(b['allocs'])} -> {fmt_count(a['allocs'])}",
            f"{fmt_count(b['bytes'])} -> {fmt_count(a['bytes'])}",
            peers or "-",
        ))
    header = ("pair", "before (median ±MAD)", "after", "time a/b",
              "allocs/op b -> a", "bytes/op b -> a", "peers (time vs before)")
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    line = lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()
    print(line(header))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(line(r))
    reps = max((len(r["times"]) for r in runs.values()), default=0)
    print(f"{len(rows)} pairs, {reps} repetitions each; time is per iteration, real time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
