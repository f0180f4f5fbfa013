# shellcheck shell=bash
# Allocation profiles for bench-all --profile (sourced, not run).
#
# profile_suite RUN_DIR MIN_TIME FILTER BINARY...
#
# Runs every benchmark of every BINARY (those matching FILTER, when given;
# a BINARY written "PATH<tab>REGEX" uses REGEX instead, as --shard does)
# in its own process under heaptrack, one repetition of at least MIN_TIME
# seconds, then heaptrack_print for its top allocation sites (by calls)
# and its allocation-count flame graph stacks. Writes, under
# RUN_DIR/profile/ only:
#   <binary>/<NNN>_<name>.zst     heaptrack's raw data
#   <binary>/<NNN>_<name>.txt     heaptrack_print: MOST CALLS TO ALLOCATION FUNCTIONS
#   <binary>/<NNN>_<name>.stacks  collapsed stacks, cost = allocation calls
#   <binary>/<NNN>_<name>.json    the process's Google Benchmark JSON (for its iterations)
#   <binary>/<NNN>_<name>.log     console output of both tools
#   index.json                    manifest: run_name -> files, iterations, binary, command
# One process per benchmark, so its set-up is in its profile and nothing
# else is; the iterations it ran (from its JSON) tell hot-loop sites, with
# calls in proportion, from set-up ones. Timings under heaptrack are
# meaningless and stay out of RUN_DIR's own JSON. Runs with glibc malloc:
# the sites do not depend on the allocator. A benchmark that fails is
# recorded as failed in the manifest and reported on stderr; the pass goes
# on. Returns non-zero only when the manifest cannot be written.

# Sites heaptrack_print lists (the report shows fewer), and call paths per
# site (the reader keeps the busiest; a few more help a human reading it).
profile_print_sites=20
profile_print_paths=3

# profile_slug NAME: NAME as a file name ("a/b:c" -> "a_b_c").
profile_slug() {
  local slug=${1//[^A-Za-z0-9._-]/_}
  echo "${slug:0:120}"
}

# profile_regex NAME: an anchored regex matching NAME only.
profile_regex() {
  local escaped
  escaped=$(printf '%s' "$1" | sed 's/[][\.*^$+?(){}|]/\\&/g')
  echo "^$escaped\$"
}

# profile_one BIN NAME BASE MIN_TIME: profiles NAME into BASE.*; prints the
# error (empty when it worked).
profile_one() {
  local bin=$1 name=$2 base=$3 min_time=$4 data
  if ! heaptrack -o "$base" "$bin" "--benchmark_filter=$(profile_regex "$name")" \
      --benchmark_repetitions=1 "--benchmark_min_time=$min_time" \
      "--benchmark_out=$base.json" --benchmark_out_format=json \
      --benchmark_format=console </dev/null >"$base.log" 2>&1; then
    echo "heaptrack or the benchmark failed (see ${base#"$profile_dir"/}.log)"
    return 0
  fi
  data=""
  for data in "$base".zst "$base".gz ""; do
    [[ ! -f "$data" ]] || break
  done
  if [[ -z "$data" ]]; then
    echo "heaptrack wrote no data file (see ${base#"$profile_dir"/}.log)"
    return 0
  fi
  if ! heaptrack_print -f "$data" --print-peaks=0 --print-temporary=0 \
      --print-allocators=1 --peak-limit="$profile_print_sites" \
      --sub-peak-limit="$profile_print_paths" \
      --print-flamegraph="$base.stacks" --flamegraph-cost-type=allocations \
      >"$base.txt" 2>>"$base.log"; then
    echo "heaptrack_print failed (see ${base#"$profile_dir"/}.log)"
  fi
}

# profile_each DIR MIN_TIME FILTER ONE COMMAND TARGET...: the loop both
# profilers share (bench-all --profile here, --cpu-profile in
# cpuprofile.sh). For every benchmark of every TARGET (a binary, or
# "PATH<tab>REGEX"), runs `ONE BIN NAME BASE MIN_TIME` (prints an error, or
# nothing when it worked) with BASE=DIR/<binary>/<NNN>_<slug>, and appends
# "name<tab>binary<tab>base<tab>error<tab>command" to DIR/.records.tsv, the
# command from `COMMAND BIN NAME BASE MIN_TIME`. Prints a progress line per
# binary.
profile_each() {
  local dir=$1 min_time=$2 filter=$3 one=$4 command=$5
  shift 5
  local records="$dir/.records.tsv" bin name base error list i=0 k count start target only
  : >"$records"
  for target in "$@"; do
    i=$((i + 1))
    bin=${target%%$'\t'*}
    only=$filter
    [[ "$target" == "$bin" ]] || only=${target#*$'\t'}
    name=$(basename "$bin")
    start=$SECONDS
    # Names on stdout; "Failed to match any benchmarks" goes to stderr.
    if ! list=$("$bin" --benchmark_list_tests=true ${only:+"--benchmark_filter=$only"} 2>/dev/null); then
      printf '[profile %d/%d] %-30s cannot list its benchmarks\n' "$i" $# "$name" >&2
      continue
    fi
    [[ -n "$list" ]] || continue  # nothing matches the filter
    mkdir -p "$dir/$name"
    k=0
    count=0
    local total
    total=$(grep -c . <<<"$list" || true)
    while IFS= read -r bench; do
      [[ -n "$bench" ]] || continue
      k=$((k + 1))
      # A binary of 40 benchmarks takes a minute or more: a line every 10.
      if (( total > 10 && k > 1 && (k - 1) % 10 == 0 )); then
        printf '[profile %d/%d] %-30s %4d/%d ...\n' "$i" $# "$name" $((k - 1)) "$total"
      fi
      base="$dir/$name/$(printf '%03d' "$k")_$(profile_slug "$bench")"
      error=$("$one" "$bin" "$bench" "$base" "$min_time")
      if [[ -n "$error" ]]; then
        echo "bench-all: profile of $bench: $error" >&2
      else
        count=$((count + 1))
      fi
      # One record per benchmark; the manifest is written from them at the end.
      printf '%s\t%s\t%s\t%s\t%s\n' "$bench" "$name" "${base#"$dir"/}" "$error" \
        "$("$command" "$bin" "$bench" "$base" "$min_time")" >>"$records"
    done <<<"$list"
    printf '[profile %d/%d] %-30s %4d/%d benchmarks  %4ds\n' "$i" $# "$name" "$count" "$k" \
      $((SECONDS - start))
  done
}

# profile_command BIN NAME BASE MIN_TIME: the heaptrack command, for the manifest.
profile_command() {
  printf '%q ' heaptrack -o "$3" "$1" "--benchmark_filter=$(profile_regex "$2")" \
    --benchmark_repetitions=1 "--benchmark_min_time=$4"
}

profile_suite() {
  local run_dir=$1 min_time=$2 filter=$3
  shift 3
  profile_dir="$run_dir/profile"
  local start_all=$SECONDS version
  version=$(heaptrack --version 2>/dev/null | head -n 1 || true)
  rm -rf "$profile_dir"
  mkdir -p "$profile_dir"
  profile_each "$profile_dir" "$min_time" "$filter" profile_one profile_command "$@"
  python3 "$(dirname "${BASH_SOURCE[0]}")/profile_manifest.py" heaptrack "$profile_dir" \
    "$min_time" "${version:-heaptrack}" || return 1
  echo "bench-all: $(grep -c '"status": "ok"' "$profile_dir/index.json" || true) benchmarks profiled in" \
    "$((SECONDS - start_all))s, $(du -sh "$profile_dir" | cut -f1) in $profile_dir"
}
