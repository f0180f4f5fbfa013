# shellcheck shell=bash
# shellcheck disable=SC2034  # pin_* results are read by the scripts that source this
# Pinning benchmark processes to the CPU that is fastest now (sourced, not
# run): scripts/bench-all and scripts/lib/alternate.sh (pr-gate, bench-all
# --against).
#
# On a shared virtual machine one vCPU can run throughput-bound code 1.5-2x
# slower than another for minutes at a time (a busy neighbour on its
# physical core), and which one changes. A process the scheduler places
# there measures the neighbour: on the 2-core VM this was written on, that
# alone made a benchmark's per-process medians differ by 15-25% while the
# repetitions within one process agreed to 2-4%. So before each process
# `benchgate cpus` probes every allowed CPU for a fraction of a second and
# the single-threaded benchmarks run under `taskset` on the fastest. (In an
# alternating comparison the two processes of a round may land on different
# CPUs: each is on the fastest of its moment. One probe per round, both
# sides on its choice, was tried first; three whole-suite A/A runs did not
# tell the two apart: 94% of single-threaded real times within +-10% with
# one probe per round, 84% and 93% with one per process.)
# Benchmarks that need several CPUs (pin_unpinned: Google Benchmark's
# threads:N with N > 1, and those that start their own threads) run in a
# second process of the same binary on every CPU, as before; the two
# processes' results are merged like one (their benchmarks are disjoint).
#
# Set by the caller before use:
#   pin_mode       auto (probe before each process), none (the default), or
#                  a CPU number
#   pin_benchgate  a benchgate with the cpus command (auto needs it)
#   pin_prog       prefix of messages
#   pin_unpinned   ERE of the benchmark names that run on every CPU
# Kept here:
#   pin_cpu        the CPU chosen by the last pin_choose (empty: not pinned)
#   pin_note       what the last probe found ("cpu 1 (of 2; the slowest takes 1.62x)")
#   pin_part_regex, pin_part_cpu, pin_part_suffix: see pin_parts

pin_mode=${pin_mode:-none}
pin_benchgate=${pin_benchgate:-}
pin_prog=${pin_prog:-pin}
pin_unpinned=${pin_unpinned:-'/threads:([2-9]|[1-9][0-9]+)(/|$)|^scenarios/ProposalPipeline/'}
pin_cpu=
pin_note=
declare -gA pin_cache_pinned=() pin_cache_unpinned=()
declare -ga pin_part_regex=() pin_part_cpu=() pin_part_suffix=()

# pin_check: validates pin_mode once (before any benchmark runs); switches
# auto to none, with a note, when this benchgate cannot probe or taskset is
# missing. Returns 2 for a CPU number this process may not use.
pin_check() {
  case "$pin_mode" in
    none) return 0 ;;
    auto)
      if ! command -v taskset >/dev/null 2>&1; then
        echo "$pin_prog: note: no taskset (util-linux): benchmark processes are not pinned" >&2
        pin_mode=none
      elif [[ -z "$pin_benchgate" ]] || ! "$pin_benchgate" cpus --rounds 1 >/dev/null 2>&1; then
        echo "$pin_prog: note: ${pin_benchgate:-benchgate} cannot probe the CPUs (no 'cpus' command or no affinity): benchmark processes are not pinned" >&2
        pin_mode=none
      fi
      return 0 ;;
    *)
      if [[ ! "$pin_mode" =~ ^[0-9]+$ ]]; then
        echo "$pin_prog: --cpu takes auto, none or a CPU number, not '$pin_mode'" >&2
        return 2
      fi
      if ! taskset -c "$pin_mode" true 2>/dev/null; then
        echo "$pin_prog: --cpu $pin_mode: this process may not run on CPU $pin_mode" >&2
        return 2
      fi
      return 0 ;;
  esac
}

# pin_choose: sets pin_cpu (and pin_note) for the next processes.
pin_choose() {
  local line
  case "$pin_mode" in
    none) pin_cpu= ;;
    auto)
      line=$("$pin_benchgate" cpus --rounds 5 2>/dev/null | tail -1) || line=
      if [[ "$line" =~ fastest:\ cpu\ ([0-9]+)\ (.*)$ ]]; then
        pin_cpu=${BASH_REMATCH[1]}
        pin_note="cpu $pin_cpu ${BASH_REMATCH[2]}"
      else
        pin_cpu=
        pin_note="probe failed: not pinned"
      fi ;;
    *) pin_cpu=$pin_mode; pin_note="cpu $pin_cpu (--cpu)" ;;
  esac
}

# pin_escape: each line of stdin as an ERE matching exactly it.
pin_escape() { sed -e 's/[][\\.*+?(){}|^$]/\\&/g'; }

# pin_parts BINARY REGEX: the processes that run BINARY's benchmarks
# matching REGEX (empty: all) with the current pin_cpu. Sets three arrays,
# one entry per process: pin_part_regex (its --benchmark_filter; empty: no
# filter), pin_part_cpu (empty: every CPU) and pin_part_suffix (appended to
# the binary's name for its output files: "" for the first, "@unpinned"
# for the second). Without pin_cpu: one process, as given. Returns 1 when
# the binary cannot list its benchmarks.
pin_parts() {
  local bin=$1 regex=$2 key listed pinned unpinned
  pin_part_regex=("$regex")
  pin_part_cpu=("")
  pin_part_suffix=("")
  [[ -n "$pin_cpu" ]] || return 0
  key="$bin"$'\t'"$regex"
  if [[ -z "${pin_cache_pinned[$key]+set}" ]]; then
    listed=$("$bin" --benchmark_list_tests=true ${regex:+"--benchmark_filter=$regex"} 2>/dev/null) ||
      return 1
    pinned=$(grep -Ev -- "$pin_unpinned" <<<"$listed" | grep . | pin_escape | paste -sd'|' -) || true
    unpinned=$(grep -E -- "$pin_unpinned" <<<"$listed" | pin_escape | paste -sd'|' -) || true
    pin_cache_pinned[$key]=${pinned:+^($pinned)\$}
    pin_cache_unpinned[$key]=${unpinned:+^($unpinned)\$}
  fi
  pinned=${pin_cache_pinned[$key]}
  unpinned=${pin_cache_unpinned[$key]}
  pin_part_regex=() pin_part_cpu=() pin_part_suffix=()
  if [[ -n "$pinned" ]]; then
    pin_part_regex+=("$pinned"); pin_part_cpu+=("$pin_cpu"); pin_part_suffix+=("")
  fi
  if [[ -n "$unpinned" ]]; then
    pin_part_regex+=("$unpinned"); pin_part_cpu+=("")
    pin_part_suffix+=("$([[ ${#pin_part_suffix[@]} -eq 0 ]] || echo @unpinned)")
  fi
  if [[ ${#pin_part_regex[@]} -eq 0 ]]; then  # nothing listed: run as given
    pin_part_regex=("$regex"); pin_part_cpu=(""); pin_part_suffix=("")
  fi
  return 0
}
