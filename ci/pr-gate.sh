#!/usr/bin/env bash
# The PR gate: builds the merge-base and the head in two git worktrees, runs
# both bench suites on this machine in alternation (scripts/lib/alternate.sh),
# joins each side's rounds with `benchgate merge` under one pairing ID,
# confirms what the first comparison found regressed or undecided with extra
# rounds of those benchmarks, then gates (ci/gate-runs.sh): the head against
# the merge-base run for timings and exact metrics, and against the stored
# baselines for exact metrics only, plus the targets. Runs the same way on a
# laptop as in CI; the exit code is the gate's.
set -euo pipefail
script_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$script_root/scripts/lib/progress.sh"

usage() {
  cat <<'TXT'
usage: ci/pr-gate.sh BASE_REF [options]
Gates HEAD of the repository in the current directory against its merge-base with
BASE_REF (for example origin/main). Both are built from commits: uncommitted changes
are not part of the gate.
  --shard K/N          only slice K of N of the suite (whole pairs; scripts/lib/shard.py)
  --out DIR            artifacts folder (default results/pr-gate/<UTC stamp>/):
                       summary.md, junit.xml, report.html, runs/, logs/
  --quick              smoke run: 4 repetitions per side, min time 0.005 s
  --filter REGEX       only benchmarks whose name matches REGEX
  --repetitions N      repetitions per side (default 10)
  --rounds N           alternations per bench binary (default: one per repetition, so
                       each process runs one repetition of its benchmarks)
  --min-time SECONDS   minimum time per repetition (default 0.05)
  --cpu auto|none|N    where the single-threaded benchmarks run (default auto, or
                       $HOTPATH_CPU): auto probes the CPUs before each process and
                       pins it to the fastest (`benchgate cpus`); N pins to CPU N;
                       none leaves it to the scheduler.
                       Benchmarks with threads:N > 1 (and scenarios/ProposalPipeline)
                       run in a second process on every CPU
  --confirm-rounds N   after the first comparison, extra rounds of the benchmarks whose
                       timing verdict was regressed or undecided, and only those, before
                       the comparison that decides (default 6; 0: none)
  --confirm-budget SECONDS
                       no confirmation round starts after this many seconds of
                       confirmation (default 300)
  --jobs N             build jobs (default: the number of cores)
  --build-target NAME  build only this bench binary (repeatable; default: all of them):
                       a quicker local run, with --filter for the same benchmarks
  --work DIR           worktrees and builds go here (default: a new temporary folder)
  --keep               keep the worktrees and builds in --work: a later run with the same
                       --work reuses them and rebuilds only what changed
  --benchgate PATH     benchgate binary to use (default: the one built from the head)
  --runs-only          run and merge the suites into runs/, skip the checks (CI shards)
  --history FILE       the SQLite history the head's run is added to (default
                       results/history.sqlite of the repository; `benchgate history`);
                       a failure to add prints one line and never changes the exit code
  --no-history         do not add the head's run to the history
  -h, --help           this text

Order of the runs, per bench binary: base, head, head, base, base, head, ... (A B B A
A B B A), one process per side and round: both sides see the machine in the same
states, so a steady drift cancels and so does a shared machine's noise that comes and
goes within seconds (measured here: the same binary 40% slower for a few seconds).
Both sides are merged under one pairing ID, and benchgate compares them round by round.
A timing regression must hold in the confirmation rounds to fail: summary.md shows the
first comparison and the confirmed one, which decides.
Exit code: 0 pass, 1 regression, missed target or a head benchmark failing, 2 bad
input (unknown ref, a base that does not build, bad options).
TXT
}

die() { echo "pr-gate: $*" >&2; exit 2; }

base_ref=""
shard="1/1"
out=""
quick=0
filter=""
repetitions=10
rounds=""
min_time=0.05
cpu_mode=${HOTPATH_CPU:-auto}
jobs=$(nproc)
work=""
keep=0
benchgate=""
runs_only=0
build_targets=()
confirm_rounds=6
confirm_budget=300
history_db=default
while [[ $# -gt 0 ]]; do
  case "$1" in
    --shard)
      [[ $# -ge 2 && "$2" =~ ^([1-9][0-9]*)/([1-9][0-9]*)$ ]] &&
        (( BASH_REMATCH[1] <= BASH_REMATCH[2] )) || die "--shard needs K/N with 1 <= K <= N"
      shard=$2; shift ;;
    --out) [[ $# -ge 2 ]] || die "--out needs a DIR"; out=$2; shift ;;
    --quick) quick=1 ;;
    --filter) [[ $# -ge 2 ]] || die "--filter needs a REGEX"; filter=$2; shift ;;
    --repetitions)
      [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || die "--repetitions needs a positive whole number"
      repetitions=$2; shift ;;
    --min-time)
      [[ $# -ge 2 && "$2" =~ ^[0-9]*\.?[0-9]+$ ]] || die "--min-time needs a number of seconds"
      min_time=$2; shift ;;
    --rounds)
      [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || die "--rounds needs a positive whole number"
      rounds=$2; shift ;;
    --cpu)
      [[ $# -ge 2 && "$2" =~ ^(auto|none|[0-9]+)$ ]] || die "--cpu needs auto, none or a CPU number"
      cpu_mode=$2; shift ;;
    --confirm-rounds)
      [[ $# -ge 2 && "$2" =~ ^[0-9]+$ ]] || die "--confirm-rounds needs a whole number"
      confirm_rounds=$2; shift ;;
    --confirm-budget)
      [[ $# -ge 2 && "$2" =~ ^[0-9]+$ ]] || die "--confirm-budget needs a whole number of seconds"
      confirm_budget=$2; shift ;;
    --jobs)
      [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || die "--jobs needs a positive whole number"
      jobs=$2; shift ;;
    --work) [[ $# -ge 2 ]] || die "--work needs a DIR"; work=$2; shift ;;
    --build-target)
      [[ $# -ge 2 && "$2" =~ ^[A-Za-z0-9_]+$ ]] || die "--build-target needs a target name"
      build_targets+=("$2"); shift ;;
    --keep) keep=1 ;;
    --benchgate) [[ $# -ge 2 ]] || die "--benchgate needs a PATH"; benchgate=$2; shift ;;
    --runs-only) runs_only=1 ;;
    --history) [[ $# -ge 2 && -n "$2" ]] || die "--history needs a FILE"; history_db=$2; shift ;;
    --no-history) history_db="" ;;
    -h|--help) usage; exit 0 ;;
    -*) usage >&2; die "unknown option '$1'" ;;
    *) [[ -z "$base_ref" ]] || die "unexpected argument '$1'"; base_ref=$1 ;;
  esac
  shift
done
[[ -n "$base_ref" ]] || { usage >&2; die "needs BASE_REF"; }
[[ $keep -eq 0 || -n "$work" ]] || die "--keep needs --work DIR"
if [[ $quick -eq 1 ]]; then
  repetitions=4
  min_time=0.005
fi
[[ -n "$rounds" ]] || rounds=$repetitions
(( rounds <= repetitions )) || die "--rounds ($rounds) cannot exceed --repetitions ($repetitions)"
if [[ -n "$benchgate" ]]; then
  [[ -x "$benchgate" ]] || die "no benchgate at $benchgate"
  benchgate=$(cd "$(dirname "$benchgate")" && pwd)/$(basename "$benchgate")
fi

repo=$(git rev-parse --show-toplevel 2>/dev/null) || die "not inside a git repository"
git -C "$repo" rev-parse --verify --quiet "$base_ref^{commit}" >/dev/null ||
  die "unknown BASE_REF '$base_ref' (for a pull request: git fetch origin, then origin/<base>)"
head_sha=$(git -C "$repo" rev-parse HEAD)
base_sha=$(git -C "$repo" merge-base "$base_ref" HEAD) ||
  die "no merge-base between $base_ref and HEAD (shallow clone? fetch with full history)"
head_short=${head_sha:0:12}
[[ "$history_db" != default ]] || history_db="$repo/results/history.sqlite"
base_short=${base_sha:0:12}
dirty=""
if [[ -n "$(git -C "$repo" status --porcelain --untracked-files=no)" ]]; then
  dirty="uncommitted changes in $repo are not part of the gate (it builds commits)"
  echo "pr-gate: note: $dirty" >&2
fi

[[ -n "$out" ]] || out="$repo/results/pr-gate/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out/logs" "$out/runs" || die "cannot create $out"
out=$(cd "$out" && pwd)
made_work=0
if [[ -z "$work" ]]; then
  work=$(mktemp -d "${TMPDIR:-/tmp}/hotpath-pr-gate.XXXXXX")
  made_work=1
fi
mkdir -p "$work" || die "cannot create $work"
work=$(cd "$work" && pwd)
case "$work/" in
  "$repo"/*) die "--work must be outside the repository ($repo)" ;;
esac

# Worktrees this run added; removed on exit (also on Ctrl-C) unless --keep.
declare -a added=()
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ $keep -eq 0 ]]; then
    local tree
    for tree in "${added[@]}"; do
      git -C "$repo" worktree remove --force "$tree" >/dev/null 2>&1 || rm -rf "$tree"
    done
    git -C "$repo" worktree prune >/dev/null 2>&1 || true
    [[ $made_work -eq 0 ]] || rm -rf "$work"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# tree_for SHA: sets $tree to a worktree at SHA under $work (reused if
# --keep left one there). Not in a subshell: it records what it added.
tree_for() {
  local sha=$1
  tree="$work/src-${1:0:12}"
  if [[ -e "$tree/.git" ]] && [[ "$(git -C "$tree" rev-parse HEAD 2>/dev/null)" == "$sha" ]]; then
    return 0
  fi
  rm -rf "$tree"
  git -C "$repo" worktree add --detach "$tree" "$sha" >"$out/logs/worktree.log" 2>&1 ||
    die "cannot add a worktree for $sha at $tree (see $out/logs/worktree.log)"
  added+=("$tree")
}

# build TREE LABEL TOOLS: the release preset in TREE/build/release, bench
# binaries (and benchgate if TOOLS=ON) only.
build() {
  local tree=$1 tools=$3 log="$out/logs/build-$2.log" target
  local -a configure=(cmake --preset release) only=()
  for target in "${build_targets[@]}"; do only+=(--target "$target"); done
  [[ ${#only[@]} -eq 0 || $tools == OFF ]] || only+=(--target benchgate)
  [[ -f "$tree/CMakePresets.json" ]] ||
    configure=(cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release)
  : >"$log"
  # shellcheck disable=SC2016  # expanded by the inner bash
  run_with_progress "pr-gate: building the $2" "$log" bash -c 'cd "$1" && shift && "$@"' \
    configure "$tree" "${configure[@]}" -DHOTPATH_BUILD_TESTS=OFF -DHOTPATH_BUILD_TOOLS="$tools" &&
    run_with_progress "pr-gate: building the $2" "$log" bash -c \
      'cd "$1" && shift && cmake --build build/release "$@"' \
      build "$tree" -j "$jobs" "${only[@]}"
}

start=$SECONDS
echo "pr-gate: base $base_short (merge-base of $base_ref), head $head_short; artifacts in $out"
tree_for "$base_sha"
base_tree=$tree
# Same tree, same code: one build serves both sides (an A/A run).
if [[ "$(git -C "$repo" rev-parse "$base_sha^{tree}")" == "$(git -C "$repo" rev-parse "$head_sha^{tree}")" ]]; then
  head_tree=$base_tree
else
  tree_for "$head_sha"
  head_tree=$tree
fi
want_tools=$([[ -z "$benchgate" ]] && echo ON || echo OFF)
echo "pr-gate: building the head (log: logs/build-head.log)"
build "$head_tree" head "$want_tools" ||
  { echo "pr-gate: the head does not build (see $out/logs/build-head.log)" >&2; exit 1; }
if [[ "$head_tree" != "$base_tree" ]]; then
  echo "pr-gate: building the base (log: logs/build-base.log)"
  build "$base_tree" base OFF ||
    { echo "pr-gate: the merge-base does not build (see $out/logs/build-base.log)" >&2; exit 2; }
fi
build_seconds=$((SECONDS - start))
[[ -n "$benchgate" ]] || benchgate="$head_tree/build/release/tools/benchgate/benchgate"
"$benchgate" merge --help >/dev/null 2>&1 ||
  die "$benchgate has no merge command (pass --benchgate PATH)"

base_bins="$base_tree/build/release/benches"
head_bins="$head_tree/build/release/benches"
# select SIDE_BINS OTHER_BINS: "binary<TAB>regex" lines of this shard, sliced
# over both builds so base and head run the same pairs.
select_shard() {
  python3 "$script_root/scripts/lib/shard.py" --shard "$shard" --filter "$filter" \
    --also "$2" "$1"
}
base_selection=$(select_shard "$base_bins" "$head_bins") ||
  die "cannot list the merge-base's benchmarks"
head_selection=$(select_shard "$head_bins" "$base_bins") ||
  die "cannot list the head's benchmarks"
declare -A base_filter=() head_filter=()
while IFS=$'\t' read -r bin regex; do
  [[ -z "$bin" ]] || base_filter[$(basename "$bin")]=$regex
done <<<"$base_selection"
while IFS=$'\t' read -r bin regex; do
  [[ -z "$bin" ]] || head_filter[$(basename "$bin")]=$regex
done <<<"$head_selection"
mapfile -t names < <(printf '%s\n' "${!base_filter[@]}" "${!head_filter[@]}" | sort -u | sed '/^$/d')
if [[ ${#names[@]} -eq 0 ]]; then
  echo "# PR gate: PASS (exit 0)" >"$out/summary.md"
  echo >>"$out/summary.md"
  echo "Shard $shard holds no benchmarks${filter:+ matching \`$filter\`}: nothing to gate." >>"$out/summary.md"
  echo "pr-gate: shard $shard holds no benchmarks: nothing to gate"
  exit 0
fi

# The alternating runs (scripts/lib/alternate.sh): base is side A, head B.
source "$script_root/scripts/lib/alternate.sh"
alt_prog="pr-gate"
alt_out="$out/runs"
alt_sides=(base head)
alt_bins=([base]="$base_bins" [head]="$head_bins")
alt_revision=([base]="$base_short" [head]="$head_short")
alt_min_time=$min_time
for name in "${!base_filter[@]}"; do alt_filter[base/$name]=${base_filter[$name]}; done
for name in "${!head_filter[@]}"; do alt_filter[head/$name]=${head_filter[$name]}; done
pin_prog="pr-gate"
pin_mode=$cpu_mode
pin_benchgate=$benchgate
pin_check || exit 2
if [[ $pin_mode != none ]]; then
  pin_choose
  echo "pr-gate: single-threaded benchmarks pinned to the fastest CPU, probed before each process (now: $pin_note; --cpu none: off)"
fi

run_start=$SECONDS
i=0
for name in "${names[@]}"; do
  i=$((i + 1))
  alt_binary "$name" "$rounds" "$repetitions" "[$i/${#names[@]}] "
done
run_seconds=$((SECONDS - run_start))

# Both sides under one pairing ID, rounds in the same order: benchgate
# compare pairs round k of the base with round k of the head.
pairing=""
if alt_merge_has_pairing "$benchgate"; then
  pairing=$(alt_pairing_id)
else
  echo "pr-gate: note: $benchgate merge has no --pairing: rounds are pooled unpaired" >&2
fi
merge_sides() {
  alt_merge base "$out/runs/base.json" "$benchgate" "$pairing" "$out/logs/merge-base.txt" || exit 2
  alt_merge head "$out/runs/head.json" "$benchgate" "$pairing" "$out/logs/merge-head.txt" || exit 1
}
merge_sides

# Confirmation (DESIGN.md, Gating): a timing regression, or a verdict the
# first rounds could not decide, gets extra rounds of those benchmarks only
# (runs/<side>/confirm-<k>/, round numbers and the A B / B A order
# continuing), both sides merged again under the same pairing ID; the
# comparison made over every round decides (ci/gate-runs.sh). Shards
# (--runs-only) confirm their own slice the same way.
confirm_start=$SECONDS
alt_first_compare_and_confirm "$benchgate" "$pairing" "$head_tree/baselines/targets.json" \
  "$out/runs/base.json" "$out/runs/head.json" "$out/logs/compare-first" "$out/logs" \
  "$rounds" "$confirm_rounds" "$confirm_budget" "$(alt_reps_of_round 1 "$repetitions" "$rounds")" ||
  exit $?
confirm_seconds=$((SECONDS - confirm_start))
read -r -a failed_base <<<"${alt_failed_names[base]:-}"
read -r -a failed_head <<<"${alt_failed_names[head]:-}"
first_args=()
confirm_note=""
[[ $alt_confirmed_rounds -eq 0 ]] || first_args=(--first-compare "$out/logs/compare-first.txt")
if [[ $alt_to_confirm_count -gt 0 ]]; then
  confirm_note="First comparison ($rounds rounds): \`$alt_first_line\`.
Confirmation: $alt_to_confirm_count benchmarks regressed or undecided (logs/compare-first.to_confirm), $alt_confirmed_rounds extra rounds of them only (rounds $((rounds + 1)) to $((rounds + alt_confirmed_rounds)); at most $confirm_rounds within $confirm_budget s) in $confirm_seconds s; the comparison below is over every round and decides."
fi

cpu=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true)
cat >"$out/logs/about.md" <<MD
Base \`$base_short\` (merge-base of \`$base_ref\`), head \`$head_short\`$([[ $shard == 1/1 ]] || echo ", shard $shard").
Both built here (release preset) and run alternately per bench binary in $rounds rounds (base, head, then head, base, ...),
one process per side and round${pairing:+, compared round by round (pairing ID \`$pairing\`)};
$repetitions repetitions per side, randomly interleaved within each process, min time ${min_time} s${filter:+, filter \`$filter\`}.
Machine: ${cpu:-unknown CPU}, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown).
Build ${build_seconds} s, runs ${run_seconds} s.${dirty:+ Note: $dirty.}
$(alt_cpu_summary)
MD
[[ -z "$confirm_note" ]] || echo "$confirm_note" >>"$out/logs/about.md"
if [[ ${#failed_base[@]} -gt 0 ]]; then
  echo "The merge-base's ${failed_base[*]} failed: those benchmarks are not compared." >>"$out/logs/about.md"
fi
if [[ ${#failed_head[@]} -gt 0 ]]; then
  echo "**The head's ${failed_head[*]} failed** (logs in runs/head/)." >>"$out/logs/about.md"
fi

if [[ $runs_only -eq 1 ]]; then
  echo "pr-gate: runs in $out/runs (base.json, head.json)"
  [[ ${#failed_head[@]} -eq 0 ]] || { echo "pr-gate: head benchmarks failed: ${failed_head[*]}" >&2; exit 1; }
  exit 0
fi

rc=0
"$script_root/ci/gate-runs.sh" "$out/runs/base.json" "$out/runs/head.json" --out "$out" \
  --benchgate "$benchgate" --baselines "$head_tree/baselines" \
  --targets "$head_tree/baselines/targets.json" --about "$out/logs/about.md" "${first_args[@]}" || rc=$?
if [[ ${#failed_head[@]} -gt 0 && $rc -eq 0 ]]; then
  rc=1
  sed -i '1s/.*/# PR gate: FAIL (exit 1): a head bench binary failed/' "$out/summary.md"
fi
# The head's run into the history (benchgate history changes); never
# changes the exit code.
if [[ -n "$history_db" ]]; then
  source "$script_root/scripts/lib/history.sh"
  history_commit_info "$repo"
  history_args=(--revision "$head_short")
  [[ -z "$history_commit_date" ]] || history_args+=(--commit-date "$history_commit_date")
  [[ -z "$history_branch" ]] || history_args+=(--branch "$history_branch")
  history_add pr-gate "$benchgate" "$out/runs/head.json" "$history_db" "${history_args[@]}"
fi
echo "pr-gate: $((SECONDS - start)) s in all (build ${build_seconds} s, runs ${run_seconds} s, confirmation ${confirm_seconds} s)"
exit $rc
