# shellcheck shell=bash
# CPU profiles for bench-all --cpu-profile (sourced after profile.sh, not run).
#
# cpu_profile_suite RUN_DIR MIN_TIME FILTER BINARY...
#
# Runs every benchmark of every BINARY (those matching FILTER; a BINARY
# written "PATH<tab>REGEX" uses REGEX instead) in its own process under
# `perf record -e cpu-clock -F 999 --call-graph dwarf`, one repetition of
# at least MIN_TIME seconds, and folds `perf script`'s stacks
# (scripts/lib/fold_perf.py). Writes, under RUN_DIR/cpuprofile/ only:
#   <binary>/<NNN>_<name>.stacks  collapsed stacks, cost = samples (1 ms of CPU each)
#   <binary>/<NNN>_<name>.json    the process's Google Benchmark JSON (its iterations)
#   <binary>/<NNN>_<name>.log     console output of perf and the benchmark
#   index.json                    manifest (profile_manifest.py): run_name -> files, samples, unwound share
# perf.data is deleted once folded (5-7 MB a benchmark with DWARF stacks).
#
# Why DWARF unwinding: the release binaries have no frame pointers, and a
# frame-pointer build would be a second build whose code differs from the
# one timed; glibc and libstdc++ have none either. perf copies 16 KB of each
# sample's stack and unwinds it with the binaries' .eh_frame: 93% of the
# suite's samples reach main or the runner (benchmarks whose own frames hold
# more than 16 KB stop at the benchmark function; 64 KB did not help).
# 375 benchmarks: 11.4 min on a quiet 2-vCPU VM, 18 MB of stacks. Inlined functions have
# no frame of their own (their time is their caller's), and with
# kernel.perf_event_paranoid > 1 and no root the kernel's part is not seen
# (cpu-clock:u; the manifest says so). Timings under perf are not used: the
# timed runs are untouched, this is one more process per benchmark.

cpu_profile_frequency=999
cpu_profile_stack_bytes=16384
cpu_profile_event=""

# cpu_profile_one BIN NAME BASE MIN_TIME: profiles NAME into BASE.*; prints
# the error (empty when it worked).
cpu_profile_one() {
  local bin=$1 name=$2 base=$3 min_time=$4
  if ! perf record -e "$cpu_profile_event" -F "$cpu_profile_frequency" \
      --call-graph "dwarf,$cpu_profile_stack_bytes" -q -o "$base.data" -- \
      "$bin" "--benchmark_filter=$(profile_regex "$name")" \
      --benchmark_repetitions=1 "--benchmark_min_time=$min_time" \
      "--benchmark_out=$base.json" --benchmark_out_format=json \
      --benchmark_format=console </dev/null >"$base.log" 2>&1; then
    rm -f "$base.data"
    echo "perf or the benchmark failed (see ${base#"$cpu_profile_dir"/}.log)"
    return 0
  fi
  if ! perf script -i "$base.data" -F comm,tid,ip,sym,dso 2>>"$base.log" |
      python3 "$cpu_profile_lib/fold_perf.py" >"$base.stacks" 2>>"$base.log"; then
    echo "perf script or folding failed (see ${base#"$cpu_profile_dir"/}.log)"
  fi
  rm -f "$base.data"
}

# cpu_profile_command BIN NAME BASE MIN_TIME: the command, for the manifest.
cpu_profile_command() {
  printf '%q ' perf record -e "$cpu_profile_event" -F "$cpu_profile_frequency" \
    --call-graph "dwarf,$cpu_profile_stack_bytes" -o "$3.data" -- "$1" \
    "--benchmark_filter=$(profile_regex "$2")" --benchmark_repetitions=1 \
    "--benchmark_min_time=$4"
}

# cpu_profile_permitted: sets cpu_profile_event to cpu-clock, or cpu-clock:u
# when only user space may be sampled; when neither works, returns 1 with
# the reason in cpu_profile_why. Not in a subshell: it sets globals.
cpu_profile_permitted() {
  local event
  cpu_profile_why=""
  if ! command -v perf >/dev/null 2>&1; then
    cpu_profile_why="perf is not installed (Debian: linux-perf)"
    return 1
  fi
  for event in cpu-clock cpu-clock:u; do
    if perf record -e "$event" -q -o /dev/null -- true >/dev/null 2>&1; then
      cpu_profile_event=$event
      return 0
    fi
  done
  cpu_profile_why="perf may not sample here (kernel.perf_event_paranoid=$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null || echo '?'))"
  return 1
}

cpu_profile_suite() {
  local run_dir=$1 min_time=$2 filter=$3
  shift 3
  cpu_profile_dir="$run_dir/cpuprofile"
  cpu_profile_lib=$(dirname "${BASH_SOURCE[0]}")
  local start_all=$SECONDS version
  rm -rf "$cpu_profile_dir"
  mkdir -p "$cpu_profile_dir"
  version=$(perf --version 2>/dev/null | head -n 1 || true)
  if ! cpu_profile_permitted; then
    echo "bench-all: no CPU profiles: $cpu_profile_why" >&2
    : >"$cpu_profile_dir/.records.tsv"
  else
    profile_each "$cpu_profile_dir" "$min_time" "$filter" cpu_profile_one cpu_profile_command "$@"
  fi
  python3 "$cpu_profile_lib/profile_manifest.py" cpu "$cpu_profile_dir" "$min_time" \
    "${version:-perf}" "$cpu_profile_event" "$cpu_profile_frequency" "$cpu_profile_why" || return 1
  echo "bench-all: $(grep -c '"status": "ok"' "$cpu_profile_dir/index.json" || true) benchmarks" \
    "CPU-profiled in $((SECONDS - start_all))s, $(du -sh "$cpu_profile_dir" | cut -f1) in $cpu_profile_dir"
}
