#!/usr/bin/env python3
"""Filters for the confirmation rounds of an alternating comparison.

usage: confirm_filter.py NAMES_FILE JSON...

NAMES_FILE holds benchmark names, one per line (benchgate compare's
"to_confirm"). Each JSON is one bench binary's Google Benchmark output from
a first round, named <binary>.json or <binary>@<part>.json (both sides
may be given). Prints, for
each binary that holds some of the names, one line: the binary's name, a
tab, and an anchored regular expression (POSIX extended, as
--benchmark_filter takes it) matching exactly those names, binaries sorted.
A name no binary holds is reported on stderr. Exit 2 when a file cannot be
read.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from shard import anchored_filter  # noqa: E402


def main(argv):
    if len(argv) < 1:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        with open(argv[0]) as f:
            wanted = {line.strip() for line in f if line.strip()}
    except OSError as e:
        print(f"confirm_filter.py: {e}", file=sys.stderr)
        return 2
    held = {}  # binary -> names it holds among `wanted`
    for path in argv[1:]:
        binary = os.path.basename(path)
        if binary.endswith(".json"):
            binary = binary[:-len(".json")]
        # BINARY@unpinned.json: the same binary's benchmarks that ran on
        # every CPU (scripts/lib/pin.sh).
        binary = binary.split("@", 1)[0]
        try:
            with open(path) as f:
                text = f.read()
            doc = json.loads(text) if text.strip() else {}
        except (OSError, ValueError) as e:
            print(f"confirm_filter.py: cannot read {path}: {e}", file=sys.stderr)
            return 2
        for row in doc.get("benchmarks", []):
            name = row.get("run_name", row.get("name"))
            if name in wanted:
                held.setdefault(binary, set()).add(name)
    found = set().union(*held.values()) if held else set()
    for name in sorted(wanted - found):
        print(f"confirm_filter.py: no first-round result holds {name}", file=sys.stderr)
    for binary in sorted(held):
        print(f"{binary}\t{anchored_filter(held[binary])}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
