#!/usr/bin/env python3
"""Deterministic slices of the bench suite for N runners.

The unit of a slice is the pair: every variant of one operation (before,
after, peers: the names that differ only in the third segment) lands in the
same slice, so each after/before ratio and each target is measured on one
machine. Pairs are dealt binary by binary, heaviest first, each to the
slice with the fewest benchmarks so far (ties to the lowest slice), so every
slice gets a similar number of benchmarks and a share of every binary.

The slices depend only on the set of (binary, benchmark) names, never on
listing order. Give every build of the suite that will be compared (the
merge-base and the head) with --also, so both get the same slices even
when the head adds or removes a benchmark.

usage: shard.py --shard K/N [--filter REGEX] [--also DIR]... BIN_DIR
       shard.py --list --shard K/N [--filter REGEX] [--also DIR]... BIN_DIR

Prints, for each bench binary of BIN_DIR (files named *_benchmark) that has
benchmarks in slice K, one line: the binary's path, a tab, and an anchored
regular expression (POSIX extended, as Google Benchmark's
--benchmark_filter takes it) matching exactly its benchmarks in the slice.
With --list: every benchmark as "slice<TAB>binary<TAB>name", all slices.
Exit 2 on bad usage, 1 if a binary cannot list its benchmarks.
"""

import argparse
import os
import re
import subprocess
import sys

# Characters with a meaning in a POSIX extended regular expression.
_ERE_SPECIAL = set(".[]()*+?{}|^$\\")


def pair_key(name):
    """The benchmark name without its variant (third) segment."""
    parts = name.split("/")
    if len(parts) < 3:
        return name
    return "/".join(parts[:2] + parts[3:])


def assign(entries, count):
    """Maps each (binary, name) of `entries` to a slice in 1..count."""
    if count < 1:
        raise ValueError("count must be at least 1")
    pairs = {}
    for binary, name in set(entries):
        pairs.setdefault((binary, pair_key(name)), []).append(name)
    load = [0] * count
    slices = {}
    for binary in sorted({binary for binary, _ in pairs}):
        mine = [(key, names) for (b, key), names in pairs.items() if b == binary]
        mine.sort(key=lambda item: (-len(item[1]), item[0]))
        for _, names in mine:
            target = min(range(count), key=lambda k: (load[k], k))
            load[target] += len(names)
            for name in names:
                slices[(binary, name)] = target + 1
    return slices


def escape(name):
    return "".join("\\" + c if c in _ERE_SPECIAL else c for c in name)


def anchored_filter(names):
    """An ERE matching exactly `names` (Google Benchmark searches, so anchor)."""
    return "^(" + "|".join(escape(n) for n in sorted(names)) + ")$"


def binaries_in(directory):
    if not os.path.isdir(directory):
        raise FileNotFoundError(directory)
    found = []
    for entry in sorted(os.listdir(directory)):
        path = os.path.join(directory, entry)
        if entry.endswith("_benchmark") and os.path.isfile(path) and os.access(path, os.X_OK):
            found.append(path)
    return found


def list_tests(binary, user_filter):
    command = [binary, "--benchmark_list_tests=true"]
    if user_filter:
        command.append("--benchmark_filter=" + user_filter)
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{binary} --benchmark_list_tests failed "
                           f"(exit {result.returncode}): {result.stderr.strip()[:200]}")
    return [line.strip() for line in result.stdout.splitlines() if line.strip()]


def parse_shard(text):
    match = re.fullmatch(r"([1-9][0-9]*)/([1-9][0-9]*)", text or "")
    if not match or int(match.group(1)) > int(match.group(2)):
        return None
    return int(match.group(1)), int(match.group(2))


class Usage(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise Usage(message)


def main(argv):
    parser = _Parser(prog="shard.py", add_help=True,
                     description="Deterministic slices of the bench suite by pair.")
    parser.add_argument("--shard", required=True, help="K/N: slice K of N (1-based)")
    parser.add_argument("--filter", default="", help="list only benchmarks matching REGEX")
    parser.add_argument("--also", action="append", default=[],
                        help="another build's bench folder whose benchmarks share the slicing")
    parser.add_argument("--list", action="store_true", help="print every benchmark's slice")
    parser.add_argument("bin_dir")
    try:
        args = parser.parse_args(argv)
        shard = parse_shard(args.shard)
        if shard is None:
            raise Usage(f"--shard must be K/N with 1 <= K <= N, not '{args.shard}'")
    except Usage as e:
        print(f"shard.py: {e}", file=sys.stderr)
        return 2
    index, count = shard

    entries = set()
    mine = {}
    try:
        for directory in [args.bin_dir] + args.also:
            binaries = binaries_in(directory)
            for binary in binaries:
                names = list_tests(binary, args.filter)
                base = os.path.basename(binary)
                entries.update((base, name) for name in names)
                if directory == args.bin_dir:
                    mine[base] = (binary, names)
    except FileNotFoundError as e:
        print(f"shard.py: no such directory: {e}", file=sys.stderr)
        return 2
    except (OSError, RuntimeError) as e:
        print(f"shard.py: {e}", file=sys.stderr)
        return 1

    slices = assign(entries, count)
    if args.list:
        for (binary, name), k in sorted(slices.items(), key=lambda i: (i[1], i[0])):
            print(f"{k}\t{binary}\t{name}")
        return 0
    for base in sorted(mine):
        binary, names = mine[base]
        chosen = [n for n in names if slices[(base, n)] == index]
        if chosen:
            print(f"{binary}\t{anchored_filter(chosen)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
