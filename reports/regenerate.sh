#!/usr/bin/env bash
# Regenerates the example reports under reports/example/ and their
# screenshots (first screen at 1440 and 390 px), so a visitor sees what the
# report of a failed gate looks like without running the suite.
#
#   reports/regenerate.sh             from the test fixtures (no timing):
#                                     failing-gate.html (timings measured
#                                     back to back) and cross-machine.html
#   reports/regenerate.sh --quick     quick-run.html, from a real
#                                     `scripts/bench-all --quick` run of a
#                                     few pairs on this machine (it measures:
#                                     run it on a quiet machine), reported
#                                     against the stored baseline and targets
#   reports/regenerate.sh --all       both
#
# Needs build/release (cmake --preset release); --quick builds benchgate
# and the few bench binaries it runs. Screenshots need chromium.
# QUICK_FILTER overrides the pairs of --quick. The run's raw results stay in
# results/example-quick/ (ignored by git). tests/browser checks every
# committed example (first screen, 390 px width).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
benchgate=${BENCHGATE:-$root/build/release/tools/benchgate/benchgate}
out=$root/reports/example
fixtures=$root/tests/data/benchgate
mode=${1:-fixtures}
case $mode in
  fixtures | --fixtures) mode=fixtures ;;
  --quick) mode=quick ;;
  --all) mode=all ;;
  *) echo "usage: reports/regenerate.sh [--quick | --all]" >&2; exit 2 ;;
esac
# A few pairs of two areas, quick to run: one with a peer
# (prometheus_cpp), two with arguments.
quick_filter=${QUICK_FILTER:-'^(metrics/(VmOperation|RaftLogAppend)|routing/SendAppend)/'}
quick_binaries=(benches/metrics_benchmark benches/routing_benchmark)
mkdir -p "$out"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
made=()

# Paths in the pages are relative to the repository, as a reader would type.
cd "$root"
if [[ $mode == quick || $mode == all ]]; then
  cmake --build build/release --target benchgate "${quick_binaries[@]##*/}"
  # bench-all replaces reports/latest.html: keep the reader's.
  [[ ! -f reports/latest.html ]] || cp reports/latest.html "$scratch/latest.html"
  status=0
  ./scripts/bench-all --quick --no-build --filter "$quick_filter" \
    --out results/example-quick || status=$?
  if [[ -f $scratch/latest.html ]]; then
    cp "$scratch/latest.html" reports/latest.html
  else
    rm -f reports/latest.html
  fi
  # 0 pass, 1 the gate failed: both are runs to show.
  [[ $status -le 1 ]] || { echo "regenerate: bench-all failed ($status)" >&2; exit 2; }
  run=$(ls -d results/example-quick/2*/ | tail -1)
  "$benchgate" report "${run%/}" --baseline baselines \
    --targets baselines/targets.json -o reports/example/quick-run.html || true
  made+=(quick-run)
fi
if [[ $mode == fixtures || $mode == all ]]; then
  "$benchgate" report tests/data/benchgate/report/run \
    --against tests/data/benchgate/report/baseline \
    --targets tests/data/benchgate/targets.json \
    -o reports/example/failing-gate.html || true
  "$benchgate" accept "$fixtures/report/baseline_other" \
    --baseline "$scratch/baselines" >/dev/null
  "$benchgate" report tests/data/benchgate/report/run \
    --baseline "$scratch/baselines" \
    --targets tests/data/benchgate/targets.json \
    -o reports/example/cross-machine.html || true
  # The store is temporary: name it as a reader's would be.
  sed -i "s|$scratch/baselines|baselines|g" "$out/cross-machine.html"
  made+=(failing-gate cross-machine)
fi
# The generating command's timestamp would change every regeneration.
sed -i -E 's|  # [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]+Z||' "$out"/*.html

browser=$(command -v chromium || command -v chromium-browser || true)
if [[ -z $browser ]]; then
  echo "regenerate: no chromium, screenshots not updated" >&2
  exit 0
fi
for name in "${made[@]}"; do
  page=$out/$name.html
  for size in 1440,900 390,844; do
    width=${size%,*}
    "$browser" --headless=new --no-sandbox --disable-gpu --hide-scrollbars \
      --user-data-dir="$scratch/profile" --window-size="$size" \
      --screenshot="$out/$name-$width.png" "file://$page" 2>/dev/null
  done
done
echo "regenerate: wrote ${made[*]} (.html, -1440.png, -390.png) in reports/example"
