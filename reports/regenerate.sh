#!/usr/bin/env bash
# Regenerates the example reports under reports/example/ and their
# screenshots (first screen at 1440 and 390 px), so a visitor sees what the
# report of a failed gate looks like without running the suite.
#
#   reports/regenerate.sh             from the test fixtures (no timing):
#                                     a failing gate (timings measured back
#                                     to back) and a cross-machine gate
#   reports/regenerate.sh --quick     from a --quick run of a few pairs on
#                                     this machine, against the stored
#                                     baseline (run it on a quiet machine)
#
# Needs build/release/tools/benchgate/benchgate (cmake --preset release &&
# ninja -C build/release benchgate) and, for the screenshots, chromium.
# tests/browser checks the committed examples (first screen, 390 px width).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
benchgate=${BENCHGATE:-$root/build/release/tools/benchgate/benchgate}
out=$root/reports/example
fixtures=$root/tests/data/benchgate
[[ -x $benchgate ]] || { echo "regenerate: build benchgate first ($benchgate)" >&2; exit 2; }
mkdir -p "$out"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# Paths in the pages are relative to the repository, as a reader would type.
cd "$root"
if [[ ${1:-} == --quick ]]; then
  ./scripts/bench-all --quick --filter '^(metrics|routing|membership)/' \
    --out "$scratch/results"
  run=$(ls -d "$scratch"/results/2*/ | tail -1)
  "$benchgate" report "$run" --baseline baselines \
    --targets baselines/targets.json -o reports/example/failing-gate.html || true
else
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
fi
# The generating command's timestamp would change every regeneration.
sed -i -E 's|  # [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]+Z||' "$out"/*.html

browser=$(command -v chromium || command -v chromium-browser || true)
if [[ -z $browser ]]; then
  echo "regenerate: no chromium, screenshots not updated" >&2
  exit 0
fi
for page in "$out"/*.html; do
  name=$(basename "$page" .html)
  for size in 1440,900 390,844; do
    width=${size%,*}
    "$browser" --headless=new --no-sandbox --disable-gpu --hide-scrollbars \
      --user-data-dir="$scratch/profile" --window-size="$size" \
      --screenshot="$out/$name-$width.png" "file://$page" 2>/dev/null
  done
done
echo "regenerate: wrote $(ls "$out" | tr '\n' ' ')"
