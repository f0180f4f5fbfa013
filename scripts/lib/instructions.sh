# shellcheck shell=bash
# Exact instructions per op for bench-all --instructions (sourced, not run).
#
# instructions_pass RESULTS_DIR MIN_TIME PRELOAD FILTER BINARY...
#
# Runs each BINARY once under callgrind (one repetition, at least MIN_TIME
# seconds per benchmark, FILTER when given; a BINARY written "PATH<tab>REGEX"
# uses REGEX instead, as --shard does), with PRELOAD (empty for glibc) in
# LD_PRELOAD, dumps into RESULTS_DIR/callgrind/<binary>/, then runs
# `benchgate instructions RESULTS_DIR`, which writes instructions_per_op into
# RESULTS_DIR's JSON and prints every benchmark's count or why it has none
# (kept in callgrind/summary.txt). Benchmarks one iteration count short, or
# whose single-iteration count missed the slope, run once more with ten
# times the min time (instructions_retry). The bench harness brackets each timed loop
# with callgrind client requests (benches/harness/callgrind_support.h), so
# the dumps hold the timed loops only; timings under callgrind are
# meaningless and are never read. Returns non-zero when valgrind is missing,
# a binary fails under callgrind, or benchgate rejects the dumps.

# instructions_pass_one BIN REGEX DIR MIN_TIME PRELOAD: one binary.
instructions_pass_one() {
  local bin=$1 regex=$2 dir=$3 min_time=$4 preload=$5
  local -a args=(--benchmark_repetitions=1 "--benchmark_min_time=$min_time"
    --benchmark_format=console)
  [[ -z "$regex" ]] || args+=("--benchmark_filter=$regex")
  mkdir -p "$dir"
  # --instr-atstart=no: start-up runs uninstrumented; the first timed loop
  # switches instrumentation on (callgrind_support.h).
  LD_PRELOAD="$preload" valgrind --tool=callgrind --instr-atstart=no \
    "--callgrind-out-file=$dir/callgrind.out" "$bin" "${args[@]}" \
    </dev/null >"$dir/log.txt" 2>&1
}

instructions_pass() {
  local results=$1 min_time=$2 preload=$3 filter=$4
  shift 4
  local benchgate=${benchgate_bin:-$root/build/release/tools/benchgate/benchgate}
  local cg="$results/callgrind" entry bin regex name start i=0 failed=0
  command -v valgrind >/dev/null ||
    { echo "bench-all: valgrind is not installed (scripts/deps)" >&2; return 2; }
  # Stale dumps of an earlier pass would pair with this one's markers.
  rm -rf "$cg"
  mkdir -p "$cg"
  for entry in "$@"; do
    i=$((i + 1))
    bin=${entry%%$'\t'*}
    regex=$filter
    [[ "$entry" != *$'\t'* ]] || regex=${entry#*$'\t'}
    name=$(basename "$bin")
    start=$SECONDS
    if instructions_pass_one "$bin" "$regex" "$cg/$name" "$min_time" "$preload"; then
      printf '[%d/%d] %-30s %5d dumps %4ds  callgrind\n' "$i" "$#" "$name" \
        "$(find "$cg/$name" -name 'callgrind.out.*' | wc -l)" $((SECONDS - start))
    else
      printf '[%d/%d] %-30s FAILED under callgrind (see %s)\n' "$i" "$#" "$name" \
        "$cg/$name/log.txt" >&2
      failed=1
    fi
  done
  [[ $failed -eq 0 ]] || return 1
  "$benchgate" instructions "$results" --linearity-tolerance "$instructions_linearity" \
    --retry-list "$cg/retry.tsv" >"$cg/summary.txt" || return $?
  instructions_retry "$results" "$min_time" "$preload" "$@" || return $?
  tail -n 1 "$cg/summary.txt"
}

# The slopes of a single-threaded loop may differ this much (relative) and
# still count. One pass of the suite on the 2-vCPU EPYC VM: 109 of the 185
# single-threaded closed loops were not exactly linear, 82 of them within
# 0.05% (the first iteration costs a little more or less: caches, pools,
# hash tables).
# The same benchmark differs more than that between two processes (up to
# 0.99%, the heap and address layout differ), which the gate's 2% tolerance
# for instructions_per_op covers (baselines/targets.json). Loops whose count
# follows timing are labelled by the harness and never counted
# (callgrind_support.h).
instructions_linearity=0.0005

# instructions_retry RESULTS_DIR MIN_TIME PRELOAD BINARY...: the benchmarks
# benchgate listed in callgrind/retry.tsv (one iteration count short, or a
# first iteration off the slope) run again, alone, with ten times the min
# time, into callgrind/<binary>.retry/, whose counts replace the first ones.
instructions_retry() {
  local results=$1 min_time=$2 preload=$3
  shift 3
  local benchgate=${benchgate_bin:-$root/build/release/tools/benchgate/benchgate}
  local cg="$results/callgrind" entry bin name regex start retry_time
  [[ -s "$cg/retry.tsv" ]] || return 0
  retry_time=$(awk -v t="$min_time" 'BEGIN { printf "%g", t * 10 }')
  echo "bench-all: $(wc -l <"$cg/retry.tsv") benchmarks one count short or off at one iteration; again with min time $retry_time s"
  for entry in "$@"; do
    bin=${entry%%$'\t'*}
    name=$(basename "$bin")
    # ^(a|b)$ of this binary's names, regex characters escaped.
    regex=$(awk -F'\t' -v b="$name" '$1 == b {
        n = $2; gsub(/[][\\.^$*+?(){}|]/, "\\\\&", n)
        r = r (r == "" ? "" : "|") n
      } END { if (r != "") print "^(" r ")$" }' "$cg/retry.tsv")
    [[ -n "$regex" ]] || continue
    start=$SECONDS
    instructions_pass_one "$bin" "$regex" "$cg/$name.retry" "$retry_time" "$preload" ||
      { echo "bench-all: $name FAILED under callgrind (see $cg/$name.retry/log.txt)" >&2; return 1; }
    printf '       %-30s %5d dumps %4ds  callgrind retry\n' "$name" \
      "$(find "$cg/$name.retry" -name 'callgrind.out.*' | wc -l)" $((SECONDS - start))
  done
  "$benchgate" instructions "$results" --linearity-tolerance "$instructions_linearity" \
    >"$cg/summary.txt"
}
