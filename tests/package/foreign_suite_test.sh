#!/usr/bin/env bash
# The package test (CTest package.foreign_suite): a team's own Google
# Benchmark suite, outside hotpath's tree, adopting hotpath.
#
#  1. `cmake --install BUILD` into a clean prefix;
#  2. examples/foreign_suite, copied out of the source tree, configured with
#     CMAKE_PREFIX_PATH=<prefix> (find_package(hotpath CONFIG REQUIRED),
#     hotpath::alloc_counter) and built;
#  3. its JSON carries allocations per iteration for every benchmark
#     (Google Benchmark's memory hook, registered by the package before the
#     suite's own main) and exact per op where the scope line is;
#  4. the hook off, and saying why, for two repetitions in one process;
#  5. the installed benchgate accepts three processes as a baseline, passes
#     three more, and fails three with one more allocation per iteration
#     (FOREIGN_REGRESSION=1: a regressed allocs_per_iter, and a failed
#     allocation budget);
#  6. the same suite from the source tree with add_subdirectory.
#
# Usage: foreign_suite_test.sh BUILD_DIR SOURCE_DIR WORK_DIR
set -euo pipefail

if [[ $# -ne 3 ]]; then
  echo "usage: $0 BUILD_DIR SOURCE_DIR WORK_DIR" >&2
  exit 2
fi
build=$1 source=$2 work=$3
rm -rf "$work"
mkdir -p "$work"
prefix=$work/prefix

step() { echo "package test: $*"; }
fail() {
  echo "package test: FAIL: $*" >&2
  exit 1
}
# quiet LOG COMMAND...: runs COMMAND with its output in LOG, shown on failure.
quiet() {
  local log=$1
  shift
  if ! "$@" >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    fail "$* (log: $log)"
  fi
}

step "installing $build into the clean prefix $prefix"
quiet "$work/install.log" cmake --install "$build" --prefix "$prefix"
benchgate=$prefix/bin/benchgate
[[ -x $benchgate ]] || fail "no bin/benchgate in the prefix"
[[ -f $prefix/lib/cmake/hotpath/hotpathConfig.cmake ]] || fail "no CMake config in the prefix"

step "building examples/foreign_suite outside the source tree against the prefix"
cp -r "$source/examples/foreign_suite" "$work/suite"
quiet "$work/configure.log" cmake -S "$work/suite" -B "$work/suite-build" -G Ninja \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix"
quiet "$work/build.log" cmake --build "$work/suite-build"
bench=$work/suite-build/foreign_benchmark

# processes SIDE [ENV...]: three processes of one repetition each, merged.
processes() {
  local side=$1
  shift
  local i
  for i in 1 2 3; do
    quiet "$work/$side.$i.log" env "$@" "$bench" --benchmark_min_time=0.02 \
      --benchmark_out="$work/$side.$i.json" --benchmark_out_format=json
  done
  quiet "$work/$side.merge.log" "$benchgate" merge "$work/$side.json" \
    "$work/$side".[123].json
}

step "running the suite: 3 processes, then 3 more, then 3 regressed"
processes base
processes head
processes regressed FOREIGN_REGRESSION=1

step "checking its JSON"
python3 - "$work/base.1.json" "$work/regressed.1.json" <<'PY'
import json, sys
base = json.load(open(sys.argv[1]))
context = base["context"]
assert context.get("hotpath_memory_manager") == "on", context
assert context.get("hotpath_alloc_counting") == "on", context
rows = {row["name"]: row for row in base["benchmarks"]}
assert set(rows) == {"BM_MapInsert/64", "BM_JoinReused"}, sorted(rows)
for name, row in rows.items():
    for key in ("allocs_per_iter", "max_bytes_used", "total_allocated_bytes"):
        assert key in row, f"{name}: no {key} (the memory hook did not run)"
# 64 nodes per iteration, and the set-up's few spread over 16 iterations.
assert 64 <= rows["BM_MapInsert/64"]["allocs_per_iter"] < 65, rows["BM_MapInsert/64"]
join = rows["BM_JoinReused"]
assert join.get("allocs_per_op") == 0 and join.get("bytes_per_op") == 0, join
assert not join.get("error_occurred", False), join
regressed = {row["name"]: row for row in json.load(open(sys.argv[2]))["benchmarks"]}
failed = regressed["BM_JoinReused"]
assert failed.get("error_occurred") and "allocation budget: 0 per op, measured 1" in failed.get("error_message", ""), failed
assert regressed["BM_MapInsert/64"]["allocs_per_iter"] >= 65, regressed["BM_MapInsert/64"]
PY

step "checking that the hook stays off for several repetitions in one process"
# Google Benchmark 1.7.1 would report their memory figures from freed memory.
quiet "$work/repeated-flag.log" "$bench" --benchmark_min_time=0.01 \
  --benchmark_repetitions=2 --benchmark_format=json
quiet "$work/repeated-env.log" env BENCHMARK_REPETITIONS=2 "$bench" \
  --benchmark_min_time=0.01 --benchmark_format=json
for log in repeated-flag repeated-env; do
  grep -q '"hotpath_memory_manager": "off (2 repetitions' "$work/$log.log" ||
    fail "$log: the memory hook did not say it was off (log: $work/$log.log)"
  ! grep -q '"max_bytes_used"' "$work/$log.log" ||
    fail "$log: memory figures in a run of 2 repetitions (log: $work/$log.log)"
done

step "gating it with the installed benchgate"
quiet "$work/accept.log" "$benchgate" accept "$work/base.json" --baseline "$work/baselines"
quiet "$work/gate.log" "$benchgate" gate "$work/head.json" --baseline "$work/baselines"
grep -q "benchgate gate: PASS" "$work/gate.log" || fail "the unchanged run did not pass: $(tail -n 1 "$work/gate.log")"
status=0
"$benchgate" gate "$work/regressed.json" --baseline "$work/baselines" \
  >"$work/gate-regressed.log" 2>&1 || status=$?
if [[ $status -ne 1 ]]; then
  tail -n 30 "$work/gate-regressed.log" >&2
  fail "the regressed run: exit $status, not 1"
fi
grep -q "allocs_per_iter: 64.* -> 65.*regressed" "$work/gate-regressed.log" ||
  fail "the gate did not name the extra allocation (log: $work/gate-regressed.log)"
grep -q "allocation budget: 0 per op, measured 1" "$work/gate-regressed.log" ||
  fail "the gate did not show the failed budget (log: $work/gate-regressed.log)"

step "building the suite with add_subdirectory(<hotpath checkout>)"
quiet "$work/subdir-configure.log" cmake -S "$work/suite" -B "$work/subdir-build" -G Ninja \
  -DCMAKE_BUILD_TYPE=Release -DHOTPATH_SOURCE_DIR="$source"
quiet "$work/subdir-build.log" cmake --build "$work/subdir-build" --target foreign_benchmark
quiet "$work/subdir.log" "$work/subdir-build/foreign_benchmark" --benchmark_min_time=0.01 \
  --benchmark_filter=JoinReused --benchmark_format=json
grep -q '"allocs_per_op": 0' "$work/subdir.log" || fail "add_subdirectory: no allocs_per_op"
grep -q '"allocs_per_iter"' "$work/subdir.log" || fail "add_subdirectory: no allocs_per_iter"

step "PASS"
