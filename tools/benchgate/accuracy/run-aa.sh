#!/usr/bin/env bash
# A/A accuracy of benchgate against Google Benchmark's compare.py on this
# machine: runs one bench binary 2 x COUNT times, compares the runs in
# pairs (nothing changed between them, so every flag is a false alarm)
# and counts how often each tool calls a benchmark different.
#
# usage: tools/benchgate/accuracy/run-aa.sh BENCH_BINARY COUNT [options] [-- BENCH_ARGS...]
#   --repetitions N    repetitions per run (default 9, randomly interleaved)
#   --min-time S       --benchmark_min_time (default 0.05)
#   --filter REGEX     --benchmark_filter
#   --calibration K    extra runs for an A/A-calibrated gate (default 2, 0: skip)
#   --out DIR          keep the runs and verdicts here (default: a temp dir)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
die() { echo "run-aa: $*" >&2; exit 2; }
usage() { sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

[[ $# -ge 1 && ( $1 == -h || $1 == --help ) ]] && { usage; exit 0; }
[[ $# -ge 2 ]] || { usage >&2; exit 2; }
bench=$1
count=$2
shift 2
[[ -x $bench ]] || die "$bench is not an executable"
[[ $count =~ ^[1-9][0-9]*$ ]] || die "COUNT must be a positive whole number"

repetitions=9
min_time=0.05
filter=""
calibration=2
out=""
bench_extra=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --repetitions) repetitions=${2:?}; shift ;;
    --min-time) min_time=${2:?}; shift ;;
    --filter) filter=${2:?}; shift ;;
    --calibration) calibration=${2:?}; shift ;;
    --out) out=${2:?}; shift ;;
    --) shift; bench_extra=("$@"); break ;;
    *) die "unknown option '$1'" ;;
  esac
  shift
done

# compare.py ships in Debian's libbenchmark-tools; its U test needs SciPy.
compare_py=/usr/share/benchmark/compare.py
python=/usr/bin/python3
if [[ ! -f $compare_py ]] || ! "$python" -c 'import scipy' 2>/dev/null; then
  echo "run-aa: installing libbenchmark-tools and python3-scipy (for compare.py)"
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get install -y -qq libbenchmark-tools python3-scipy >/dev/null ||
    die "cannot install libbenchmark-tools python3-scipy"
fi

benchgate=${BENCHGATE:-$root/scripts/benchgate}
"$benchgate" --version >/dev/null || die "cannot build or run benchgate"

if [[ -z $out ]]; then
  out=$(mktemp -d /tmp/benchgate-aa.XXXXXX)
fi
mkdir -p "$out"

run_bench() {
  local args=(
    "--benchmark_repetitions=$repetitions"
    "--benchmark_enable_random_interleaving=true"
    "--benchmark_min_time=$min_time"
    "--benchmark_out_format=json"
    "--benchmark_out=$1"
  )
  [[ -n $filter ]] && args+=("--benchmark_filter=$filter")
  "$bench" "${args[@]}" "${bench_extra[@]}" >/dev/null 2>&1 || die "$bench failed"
}

calibration_runs=()
for ((k = 1; k <= calibration; k++)); do
  run_bench "$out/calibration-$k.json"
  calibration_runs+=("$out/calibration-$k.json")
done

start=$SECONDS
for ((i = 1; i <= count; i++)); do
  a=$out/run-$i-a.json
  b=$out/run-$i-b.json
  run_bench "$a"
  run_bench "$b"
  # Exit 1 means "flagged", which is what we count; 2 is a real failure.
  "$benchgate" compare "$a" "$b" --color never --json "$out/benchgate-$i.json" \
    >"$out/benchgate-$i.txt" || [[ $? -eq 1 ]] || die "benchgate compare failed ($i)"
  "$python" "$compare_py" -d "$out/comparepy-$i.json" benchmarks "$a" "$b" \
    >"$out/comparepy-$i.txt" 2>&1 || die "compare.py failed ($i)"
  if ((calibration > 0)); then
    store=$out/store-$i
    "$benchgate" accept "$a" --baseline "$store" --allow-debug-library \
      --calibration "${calibration_runs[@]}" >/dev/null
    "$benchgate" gate "$b" --baseline "$store" --color never \
      --json "$out/gate-$i.json" >"$out/gate-$i.txt" || [[ $? -eq 1 ]] ||
      die "benchgate gate failed ($i)"
  fi
  printf 'run-aa: %d/%d pairs (%ds)\n' "$i" "$count" $((SECONDS - start))
done

"$python" - "$out" "$count" "$bench" "$repetitions" "$min_time" "$calibration" <<'PY'
import json, os, sys

out, count, bench, reps, min_time, calibration = sys.argv[1:]
count, calibration = int(count), int(calibration)
ALPHA = 0.05  # compare.py's default --alpha

def benchgate_flags(path):
    """(benchmarks, flagged on real time, flagged on any metric)"""
    items = [i for i in json.load(open(path))["comparison"]["items"]
             if i["kind"] == "benchmark"]
    total = time = anything = 0
    for item in items:
        verdicts = {m["metric"]: m["verdict"] for m in item["metrics"]}
        if "real_time" not in verdicts:
            continue
        total += 1
        time += verdicts["real_time"] in ("regressed", "improved")
        anything += any(v in ("regressed", "improved") for v in verdicts.values())
    return total, time, anything

def comparepy_flags(path):
    """(benchmarks, flagged on time p-value, flagged on time or cpu)"""
    total = time = anything = 0
    for entry in json.load(open(path)):
        utest = entry.get("utest") or {}
        if utest.get("time_pvalue") is None:
            continue
        total += 1
        time += utest["time_pvalue"] < ALPHA
        anything += utest["time_pvalue"] < ALPHA or utest["cpu_pvalue"] < ALPHA
    return total, time, anything

rows = []
def tally(name, files, reader):
    totals = [0, 0, 0]
    runs_flagged = 0
    for path in files:
        t, f, a = reader(path)
        totals = [totals[0] + t, totals[1] + f, totals[2] + a]
        runs_flagged += a > 0
    rows.append((name, totals, runs_flagged, len(files)))

indices = range(1, count + 1)
tally("compare.py U test (p < 0.05)",
      [f"{out}/comparepy-{i}.json" for i in indices], comparepy_flags)
tally("benchgate compare",
      [f"{out}/benchgate-{i}.json" for i in indices], benchgate_flags)
if calibration:
    tally(f"benchgate gate, A/A calibrated ({calibration + 1} runs)",
          [f"{out}/gate-{i}.json" for i in indices], benchgate_flags)

context = json.load(open(f"{out}/run-1-a.json"))["context"]
print()
print(f"A/A accuracy: {os.path.basename(bench)}, {count} pairs of runs, "
      f"{reps} repetitions interleaved, min time {min_time} s")
print(f"machine: {context.get('hotpath_cpu_model') or context.get('host_name')}, "
      f"{context.get('num_cpus')} CPUs, load {context.get('load_avg')}")
print(f"{'tool':44} {'real time':>18} {'any metric':>18} {'runs with a flag':>17}")
for name, (total, time, anything), runs, n in rows:
    pct = lambda x: f"{x}/{total} ({100.0 * x / max(total, 1):.1f}%)"
    print(f"{name:44} {pct(time):>18} {pct(anything):>18} {f'{runs}/{n}':>17}")
print("(compare.py 'any metric' = time or CPU p-value; every flag is a false alarm)")
print(f"runs and verdicts: {out}")
PY
