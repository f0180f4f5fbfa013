# shellcheck shell=bash
# shellcheck disable=SC2034  # alt_* results are read by the scripts that source this
# Alternating runs of two builds of one bench suite on this machine (sourced,
# not run): ci/pr-gate.sh (merge-base and head) and scripts/bench-all
# --against (a reference revision and the working tree).
#
# The process is the unit of replication. Per bench binary, round by round,
# one process per side and round, in the order A B, B A, A B, ... (A B B A
# A B B A): the two processes of a round run seconds apart, and over two
# rounds each side runs first once. `benchgate merge --pairing ID` then pools
# each side's processes in round order (both sides under the same ID), and
# `benchgate compare` analyses the ratio of round k of A to round k of B,
# which cancels the drift both sides share. A timing regression or an
# undecided verdict (compare's "to_confirm") gets extra rounds of those
# benchmarks only (alt_confirm) before the comparison is made again.
#
# Set by the caller before use:
#   alt_prog              prefix of messages ("pr-gate", "bench-all")
#   alt_out               folder of the raw runs: SIDE/ROUND/BINARY.json and .log,
#                         ROUND = 1, 2, ... then confirm-1, confirm-2, ...
#   alt_sides=(A B)       the two side labels; A runs first in odd rounds
#   alt_bins[SIDE]        folder of SIDE's bench binaries
#   alt_revision[SIDE]    HOTPATH_GIT_REVISION of SIDE's processes (empty: inherited)
#   alt_filter[SIDE/BIN]  anchored --benchmark_filter of BIN on SIDE; without an
#                         entry BIN is not run on SIDE (a binary one side lacks)
#   alt_min_time          --benchmark_min_time (seconds)
#   alt_preload           LD_PRELOAD of every process (empty: glibc malloc)
# Kept here:
#   alt_failed[SIDE/BIN]  1 once a process of BIN failed on SIDE: BIN is not run
#                         on SIDE again and none of its rounds is merged
#   alt_failed_names[SIDE] those binaries, space-separated
#   alt_ms[SIDE]          milliseconds of SIDE's processes in the last alt_binary
#                         call or confirmation round
#   alt_confirmed_rounds  confirmation rounds the last alt_confirm ran
#   alt_first_line, alt_first_rc, alt_to_confirm_count: see
#                         alt_first_compare_and_confirm
#   alt_cpu_processes[CPU] processes pinned to CPU so far
#   $alt_out/order.txt    one line per process, in the order run: SIDE ROUND
#                         BINARY[@unpinned] REPS CPU (all: not pinned)

alt_lib_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib/pin.sh
source "$alt_lib_dir/pin.sh"
alt_prog=${alt_prog:-alternate}
alt_out=${alt_out:-}
alt_min_time=${alt_min_time:-0.05}
alt_preload=${alt_preload:-}
alt_progress_seconds=${alt_progress_seconds:-60}
alt_confirmed_rounds=0
declare -ga alt_sides=(A B)
declare -gA alt_bins=() alt_revision=() alt_filter=() alt_failed=() alt_failed_names=() alt_ms=()
declare -gA alt_cpu_processes=()

# alt_reps_of_round R REPETITIONS ROUNDS: repetitions of round R (1-based),
# spread evenly; the first rounds take the remainder.
alt_reps_of_round() {
  echo $(( $2 / $3 + ($1 <= $2 % $3 ? 1 : 0) ))
}

# alt_pairing_id: a fresh random ID for one comparison.
alt_pairing_id() {
  cat /proc/sys/kernel/random/uuid 2>/dev/null ||
    python3 -c 'import uuid; print(uuid.uuid4())'
}

# alt_merge_has_pairing BENCHGATE: whether its merge takes --pairing.
alt_merge_has_pairing() {
  "$1" merge --help 2>&1 | grep -q -- '--pairing'
}

# alt_run SIDE ROUND BINARY REPS [REGEX]: one process of BINARY on SIDE into
# $alt_out/SIDE/ROUND/BINARY.json (console output in .log), with REGEX
# instead of SIDE's filter when given; pinned to the CPU that pin_choose
# (scripts/lib/pin.sh) finds fastest just before it, with the benchmarks
# that need every CPU in a second process
# (BINARY@unpinned.json). Adds its milliseconds to alt_ms[SIDE]. Does
# nothing when BINARY is not run on SIDE or already failed there. Always
# returns 0; a failure is reported on stderr and recorded.
alt_run() {
  local side=$1 round=$2 name=$3 reps=$4 regex=${5:-} k out cpu t now failed=
  [[ -n "${alt_filter[$side/$name]:-}" && $reps -gt 0 && -z "${alt_failed[$side/$name]:-}" ]] ||
    return 0
  [[ -n "$regex" ]] || regex=${alt_filter[$side/$name]}
  local dir="$alt_out/$side/$round"
  local -a env_args=("LD_PRELOAD=$alt_preload") pin_args=()
  [[ -z "${alt_revision[$side]:-}" ]] || env_args+=("HOTPATH_GIT_REVISION=${alt_revision[$side]}")
  mkdir -p "$dir"
  # A fresh probe for every process: a neighbour can move to another CPU
  # within the seconds between the two processes of a round.
  pin_choose
  [[ -z "$pin_cpu" ]] || alt_cpu_processes[$pin_cpu]=$(( ${alt_cpu_processes[$pin_cpu]:-0} + 1 ))
  if ! pin_parts "${alt_bins[$side]}/$name" "$regex"; then
    failed="cannot list its benchmarks"
  fi
  for k in "${!pin_part_regex[@]}"; do
    [[ -z "$failed" ]] || break
    out="$dir/$name${pin_part_suffix[$k]}"
    cpu=${pin_part_cpu[$k]}
    pin_args=()
    [[ -z "$cpu" ]] || pin_args=(taskset -c "$cpu")
    echo "$side $round $name${pin_part_suffix[$k]} $reps ${cpu:-all}" >>"$alt_out/order.txt"
    t=${EPOCHREALTIME/./}
    if env "${env_args[@]}" "${pin_args[@]}" "${alt_bins[$side]}/$name" \
        "--benchmark_filter=${pin_part_regex[$k]}" "--benchmark_repetitions=$reps" \
        "--benchmark_enable_random_interleaving=true" "--benchmark_min_time=$alt_min_time" \
        "--benchmark_out=$out.json" "--benchmark_out_format=json" \
        "--benchmark_format=console" </dev/null >"$out.log" 2>&1; then
      now=${EPOCHREALTIME/./}
      alt_ms[$side]=$(( ${alt_ms[$side]:-0} + (now - t) / 1000 ))
      # Google Benchmark leaves an empty file when the filter matches nothing
      # (a benchmark to confirm that this side lacks): nothing to merge.
      [[ -s "$out.json" ]] || rm -f "$out.json"
    else
      failed="see $out.log"
    fi
  done
  [[ -n "$failed" ]] || return 0
  printf '%s: %-4s %s round %s FAILED (%s)\n' "$alt_prog" "$side" "$name" "$round" "$failed" >&2
  rm -f "$dir/$name.json" "$dir/$name"@*.json
  alt_failed[$side/$name]=1
  alt_failed_names[$side]="${alt_failed_names[$side]:-}${alt_failed_names[$side]:+ }$name"
  return 0
}

# alt_round ROUND FOLDER BINARY REPS [REGEX]: both sides' processes of one
# round into FOLDER, A then B in odd rounds, B then A in even ones.
alt_round() {
  local round=$1 a=${alt_sides[0]} b=${alt_sides[1]}
  if (( round % 2 == 0 )); then a=${alt_sides[1]}; b=${alt_sides[0]}; fi
  alt_run "$a" "$2" "$3" "$4" "${5:-}"
  alt_run "$b" "$2" "$3" "$4" "${5:-}"
}

# alt_cpu_summary: one sentence on where the rounds ran, for a summary.
alt_cpu_summary() {
  local cpu text=""
  for cpu in $(printf '%s\n' "${!alt_cpu_processes[@]}" | sort -n); do
    text="$text${text:+, }cpu $cpu for ${alt_cpu_processes[$cpu]}"
  done
  if [[ -z "$text" ]]; then
    echo "Processes not pinned (--cpu none, or no CPU probe)."
  else
    echo "Single-threaded benchmarks pinned, each process to the CPU a probe found fastest just before it ($text processes); multi-threaded ones on every CPU."
  fi
}

# alt_fmt_ms MS: "12.3s".
alt_fmt_ms() { printf '%d.%ds' $(( $1 / 1000 )) $(( $1 % 1000 / 100 )); }

# alt_binary BINARY ROUNDS REPETITIONS [LABEL]: ROUNDS rounds of BINARY,
# REPETITIONS per side spread over them; one progress line at the end (with
# LABEL, e.g. "[3/10] ", in front of the name) and one per round after
# alt_progress_seconds of silence.
alt_binary() {
  local name=$1 rounds=$2 repetitions=$3 label=${4:-} round last=$SECONDS
  local a=${alt_sides[0]} b=${alt_sides[1]}
  alt_ms=([$a]=0 [$b]=0)
  for ((round = 1; round <= rounds; round++)); do
    alt_round "$round" "$round" "$name" "$(alt_reps_of_round "$round" "$repetitions" "$rounds")"
    if (( round < rounds && SECONDS - last >= alt_progress_seconds )); then
      printf '%s: %s%-30s round %d/%d: %s %s, %s %s so far\n' "$alt_prog" "$label" "$name" \
        "$round" "$rounds" "$a" "$(alt_fmt_ms "${alt_ms[$a]}")" "$b" "$(alt_fmt_ms "${alt_ms[$b]}")"
      last=$SECONDS
    fi
  done
  printf '%s: %s%-30s %2s rounds: %s %6s, %s %6s\n' "$alt_prog" "$label" "$name" "$rounds" \
    "$a" "$(alt_fmt_ms "${alt_ms[$a]}")" "$b" "$(alt_fmt_ms "${alt_ms[$b]}")"
}

# alt_round_folders SIDE: SIDE's round folders in round order: 1, 2, ...,
# then confirm-1, confirm-2, ...
alt_round_folders() {
  local dir="$alt_out/$1" entry
  local -a numbered=() confirm=()
  for entry in "$dir"/*/; do
    entry=${entry%/}
    entry=${entry##*/}
    if [[ "$entry" =~ ^[0-9]+$ ]]; then numbered+=("$entry")
    elif [[ "$entry" =~ ^confirm-([0-9]+)$ ]]; then confirm+=("${BASH_REMATCH[1]}"); fi
  done
  [[ ${#numbered[@]} -eq 0 ]] || printf '%s\n' "${numbered[@]}" | sort -n
  [[ ${#confirm[@]} -eq 0 ]] || printf '%s\n' "${confirm[@]}" | sort -n | sed 's/^/confirm-/'
}

# alt_merge SIDE OUT BENCHGATE PAIRING LOG: `benchgate merge` of SIDE's
# processes in round order into OUT (with --pairing PAIRING unless empty),
# leaving out binaries that failed on SIDE; its output into LOG.
alt_merge() {
  local side=$1 out=$2 benchgate=$3 pairing=$4 log=$5 round file name
  local -a parts=() pairing_args=()
  while read -r round; do
    for file in "$alt_out/$side/$round"/*.json; do
      [[ -f "$file" ]] || continue
      name=$(basename "$file" .json)
      name=${name%%@*}
      [[ -n "${alt_failed[$side/$name]:-}" ]] || parts+=("$file")
    done
  done < <(alt_round_folders "$side")
  [[ ${#parts[@]} -gt 0 ]] || { echo "$alt_prog: no $side results to merge" >&2; return 1; }
  [[ -z "$pairing" ]] || pairing_args=(--pairing "$pairing")
  "$benchgate" merge "${pairing_args[@]}" "$out" "${parts[@]}" >"$log" 2>&1 ||
    { cat "$log" >&2; return 1; }
}

# alt_compare BENCHGATE A_RUN B_RUN TARGETS PREFIX: `benchgate compare`,
# its Markdown, JUnit and JSON into PREFIX.md, PREFIX.xml, PREFIX.json, its
# text into PREFIX.txt. Sets alt_compare_line (the result line) and
# alt_compare_rc (its exit code). Returns 0.
alt_compare() {
  local benchgate=$1 a=$2 b=$3 targets=$4 prefix=$5
  local -a target_args=()
  [[ -z "$targets" ]] || target_args=(--targets "$targets")
  alt_compare_rc=0
  NO_COLOR=1 "$benchgate" compare "$a" "$b" "${target_args[@]}" --color never \
    --markdown "$prefix.md" --junit "$prefix.xml" --json "$prefix.json" \
    >"$prefix.txt" 2>&1 || alt_compare_rc=$?
  alt_compare_line=$(grep -E '^benchgate [a-z]+: ' "$prefix.txt" | tail -1 || true)
  [[ -n "$alt_compare_line" ]] || alt_compare_line=$(tail -1 "$prefix.txt")
  return 0
}

# alt_to_confirm COMPARE_JSON: the benchmarks compare listed in "to_confirm"
# (timing verdict regressed or undecided), one per line. Returns 3 when the
# JSON has no "to_confirm" (a benchgate without confirmation), 2 when it
# cannot be read.
alt_to_confirm() {
  python3 - "$1" <<'PY'
import json
import sys
try:
    with open(sys.argv[1]) as f:
        doc = json.load(f)
except (OSError, ValueError) as e:
    print(f"cannot read {sys.argv[1]}: {e}", file=sys.stderr)
    sys.exit(2)
names = doc.get("to_confirm") if isinstance(doc, dict) else None
if not isinstance(names, list):
    sys.exit(3)
for name in names:
    if isinstance(name, str) and name:
        print(name)
PY
}

# alt_confirm NAMES_FILE FIRST_ROUNDS MAX_ROUNDS BUDGET REPS: confirmation
# rounds for the benchmarks in NAMES_FILE (one per line) only: each
# binary that holds some of them runs with an anchored filter of exactly
# those names, REPS repetitions per process, round after round (round
# numbers continue after FIRST_ROUNDS, so does the A B / B A order) into
# confirm-1, confirm-2, ... Stops after MAX_ROUNDS rounds, or before a round
# once BUDGET seconds have passed since the first. A binary that failed on
# either side is not confirmed. Sets alt_confirmed_rounds and
# alt_confirm_binaries. Returns 2 when the names cannot be mapped.
alt_confirm() {
  local names=$1 first=$2 max=$3 budget=$4 reps=$5 lines bin regex k i start
  local a=${alt_sides[0]} b=${alt_sides[1]}
  local -a bins=() regexes=() jsons=()
  alt_confirmed_rounds=0
  alt_confirm_binaries=0
  for bin in "$alt_out/$a/1"/*.json "$alt_out/$b/1"/*.json; do
    if [[ -f "$bin" ]]; then jsons+=("$bin"); fi
  done
  lines=$(python3 "$alt_lib_dir/confirm_filter.py" "$names" "${jsons[@]}") || return 2
  while IFS=$'\t' read -r bin regex; do
    [[ -n "$bin" ]] || continue
    [[ -z "${alt_failed[$a/$bin]:-}" && -z "${alt_failed[$b/$bin]:-}" ]] || continue
    [[ -n "${alt_filter[$a/$bin]:-}" && -n "${alt_filter[$b/$bin]:-}" ]] || continue
    bins+=("$bin")
    regexes+=("$regex")
  done <<<"$lines"
  alt_confirm_binaries=${#bins[@]}
  if [[ ${#bins[@]} -eq 0 ]]; then
    echo "$alt_prog: no binary that ran on both sides holds a benchmark to confirm"
    return 0
  fi
  start=$SECONDS
  for ((k = 1; k <= max; k++)); do
    if (( SECONDS - start >= budget )); then
      echo "$alt_prog: confirmation budget of ${budget} s spent after $((k - 1)) of $max rounds"
      break
    fi
    alt_ms=([$a]=0 [$b]=0)
    for i in "${!bins[@]}"; do
      alt_round $((first + k)) "confirm-$k" "${bins[$i]}" "$reps" "${regexes[$i]}"
    done
    alt_confirmed_rounds=$k
    printf '%s: confirmation round %d/%d (round %d): %s %s, %s %s; %d of %d s budget\n' \
      "$alt_prog" "$k" "$max" $((first + k)) "$a" "$(alt_fmt_ms "${alt_ms[$a]}")" \
      "$b" "$(alt_fmt_ms "${alt_ms[$b]}")" $((SECONDS - start)) "$budget"
  done
  return 0
}

# alt_first_compare_and_confirm BENCHGATE PAIRING TARGETS A_JSON B_JSON PREFIX
#   LOGS FIRST_ROUNDS MAX_ROUNDS BUDGET REPS
# The first comparison of the merged sides A_JSON and B_JSON (alt_compare
# into PREFIX.*), then, when it lists benchmarks to confirm and MAX_ROUNDS
# > 0, their confirmation rounds (alt_confirm, REPS repetitions per
# process) and both sides merged again under PAIRING with every round (merge
# logs LOGS/merge-A.txt and LOGS/merge-B.txt), for the caller to compare
# again. Sets alt_first_line, alt_first_rc, alt_to_confirm_count (-1: this
# benchgate lists none) and alt_confirmed_rounds; the names go to
# PREFIX.to_confirm. Returns 2 when A's merge fails, 1 when B's does.
alt_first_compare_and_confirm() {
  local benchgate=$1 pairing=$2 targets=$3 a_json=$4 b_json=$5 prefix=$6 logs=$7
  local first=$8 max=$9 budget=${10} reps=${11} rc=0 shown
  local a=${alt_sides[0]} b=${alt_sides[1]}
  alt_confirmed_rounds=0
  alt_to_confirm_count=0
  alt_compare "$benchgate" "$a_json" "$b_json" "$targets" "$prefix"
  alt_first_line=$alt_compare_line
  alt_first_rc=$alt_compare_rc
  echo "$alt_prog: first comparison ($first rounds): $alt_first_line"
  alt_to_confirm "$prefix.json" >"$prefix.to_confirm" || rc=$?
  if [[ $rc -eq 3 ]]; then
    alt_to_confirm_count=-1
    echo "$alt_prog: note: this benchgate's compare lists no \"to_confirm\": no confirmation rounds" >&2
    return 0
  elif [[ $rc -ne 0 ]]; then
    return 0  # no JSON (bad input): the comparison's own exit code says so
  fi
  alt_to_confirm_count=$(grep -c . "$prefix.to_confirm" || true)
  [[ $alt_to_confirm_count -gt 0 ]] || return 0
  shown=$(head -5 "$prefix.to_confirm" | paste -sd, - | sed 's/,/, /g')
  [[ $alt_to_confirm_count -le 5 ]] || shown="$shown, ..."
  if [[ $max -eq 0 ]]; then
    echo "$alt_prog: $alt_to_confirm_count benchmarks to confirm ($shown), but no confirmation rounds (--confirm-rounds 0)"
    return 0
  fi
  echo "$alt_prog: confirming $alt_to_confirm_count benchmarks ($shown): up to $max more rounds of them, within $budget s"
  alt_confirm "$prefix.to_confirm" "$first" "$max" "$budget" "$reps" || return 0
  [[ $alt_confirmed_rounds -gt 0 ]] || return 0
  alt_merge "$a" "$a_json" "$benchgate" "$pairing" "$logs/merge-$a.txt" || return 2
  alt_merge "$b" "$b_json" "$benchgate" "$pairing" "$logs/merge-$b.txt" || return 1
}
