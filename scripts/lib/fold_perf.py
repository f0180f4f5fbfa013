#!/usr/bin/env python3
"""Folds `perf script -F comm,tid,ip,sym,dso` output into collapsed stacks.

Reads perf script's text on stdin (one sample per block: a header line, then
one frame per line, innermost first, "ADDR SYMBOL (DSO)"), writes one line
per distinct stack, outermost frame first, "a;b;c COUNT", most samples first:
the format heaptrack_print --print-flamegraph writes and benchgate's
ParseCollapsedStacks reads. A frame without a symbol is "[unknown] in
LIBRARY" with the library's file name, so unresolved frames of one library group.
"""
import collections
import os
import sys


def frame_name(line):
    parts = line.strip().split(" ", 1)
    rest = parts[1] if len(parts) > 1 else ""
    dso = ""
    if rest.endswith(")") and " (" in rest:
        rest, dso = rest.rsplit(" (", 1)
        dso = dso[:-1]
    symbol = rest.strip() or "[unknown]"
    if symbol == "[unknown]" and dso:
        symbol = "[unknown] in " + os.path.basename(dso)
    # ';' separates frames and the last space the count: keep both apart.
    return symbol.replace(";", ":").replace("\n", " ")


def fold(lines):
    stacks = collections.Counter()
    frames = []
    in_sample = False
    for line in lines:
        if not line.strip():
            if frames:
                stacks[";".join(reversed(frames))] += 1
            frames, in_sample = [], False
            continue
        if not in_sample:  # the sample's header: comm tid
            in_sample = True
            continue
        frames.append(frame_name(line))
    if frames:
        stacks[";".join(reversed(frames))] += 1
    return stacks


def main():
    stacks = fold(sys.stdin)
    out = sys.stdout
    for stack, count in sorted(stacks.items(), key=lambda item: (-item[1], item[0])):
        out.write(f"{stack} {count}\n")


if __name__ == "__main__":
    main()
