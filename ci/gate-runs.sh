#!/usr/bin/env bash
# The checks of the PR gate on two runs already made: the head against the
# merge-base run of the same machine (timings and exact metrics), and the
# head's exact metrics against the stored baselines plus its targets. Writes
# summary.md (verdict line first), junit.xml, report.html and the logs into
# one folder. Used by ci/pr-gate.sh and by the CI job that joins the shards.
set -euo pipefail
script_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

usage() {
  cat <<'TXT'
usage: ci/gate-runs.sh BASE_RUN HEAD_RUN --out DIR [options]
  BASE_RUN, HEAD_RUN   Google Benchmark JSON or run directories of the merge-base and the
                       head, run on the same machine(s) (benchgate merge joins halves/shards)
  --out DIR            artifacts folder: summary.md, junit.xml, report.html, logs/
  --benchgate PATH     the benchgate binary (default: build/release's of this repo)
  --baselines DIR      stored baselines (default: baselines/ of this repo)
  --targets FILE       targets (default: BASELINES/targets.json)
  --about FILE         Markdown appended under the verdict (how the runs were made)
  --first-compare FILE the text output of the comparison of the first rounds, before
                       confirmation rounds were added to the runs: its result line is
                       shown above the comparison that decides (it does not decide)
  -h, --help           this text

Exit code: the worst of the checks: 0 pass, 1 regression or missed target, 2 bad input.
TXT
}

die() { echo "gate-runs: $*" >&2; exit 2; }

base_run=""
head_run=""
out=""
benchgate="$script_root/build/release/tools/benchgate/benchgate"
baselines="$script_root/baselines"
targets=""
about=""
first_compare=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) [[ $# -ge 2 ]] || die "--out needs a DIR"; out=$2; shift ;;
    --benchgate) [[ $# -ge 2 ]] || die "--benchgate needs a PATH"; benchgate=$2; shift ;;
    --baselines) [[ $# -ge 2 ]] || die "--baselines needs a DIR"; baselines=$2; shift ;;
    --targets) [[ $# -ge 2 ]] || die "--targets needs a FILE"; targets=$2; shift ;;
    --about) [[ $# -ge 2 ]] || die "--about needs a FILE"; about=$2; shift ;;
    --first-compare) [[ $# -ge 2 ]] || die "--first-compare needs a FILE"; first_compare=$2; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) usage >&2; die "unknown option '$1'" ;;
    *)
      if [[ -z "$base_run" ]]; then base_run=$1
      elif [[ -z "$head_run" ]]; then head_run=$1
      else die "unexpected argument '$1'"; fi ;;
  esac
  shift
done
[[ -n "$base_run" && -n "$head_run" ]] || { usage >&2; die "needs BASE_RUN and HEAD_RUN"; }
[[ -n "$out" ]] || die "--out DIR is required"
[[ -x "$benchgate" ]] || die "no benchgate at $benchgate"
[[ -n "$targets" ]] || targets="$baselines/targets.json"
mkdir -p "$out/logs" || die "cannot create $out"

# check NAME TITLE ARGS...: runs benchgate, keeps its reports and result line.
declare -a names=() titles=() codes=() results=()
check() {
  local name=$1 title=$2 rc=0
  shift 2
  NO_COLOR=1 "$benchgate" "$@" --color never --markdown "$out/logs/$name.md" \
    --junit "$out/logs/junit-$name.xml" --json "$out/logs/$name.json" \
    >"$out/logs/$name.txt" 2>&1 || rc=$?
  local line
  line=$(grep -E '^benchgate [a-z]+: ' "$out/logs/$name.txt" | tail -1 || true)
  [[ -n "$line" ]] || line=$(tail -1 "$out/logs/$name.txt")
  names+=("$name"); titles+=("$title"); codes+=("$rc"); results+=("$line")
  echo "gate-runs: $title: $line"
}

# The first rounds' comparison, when confirmation rounds followed: shown,
# not counted.
first_title="head vs merge-base, first rounds only (before confirmation; does not decide)"
first_line=""
compare_title="head vs merge-base, same machine (timings and exact metrics)"
if [[ -n "$first_compare" ]]; then
  [[ -f "$first_compare" ]] || die "no such file: $first_compare"
  first_line=$(grep -E '^benchgate [a-z]+: ' "$first_compare" | tail -1 || true)
  [[ -n "$first_line" ]] || first_line=$(tail -1 "$first_compare")
  echo "gate-runs: $first_title: $first_line"
  compare_title="head vs merge-base, same machine, with the confirmation rounds (timings and exact metrics)"
fi
check compare "$compare_title" compare "$base_run" "$head_run" --targets "$targets"
check baseline "head vs stored baseline (exact metrics only) and targets" \
  gate "$head_run" --baseline "$baselines" --targets "$targets" --exact-only

# The HTML report, if this benchgate has the command. It compares the head
# with the merge-base run: back to back (report --against, timings judged as
# compare judges them), or, with an older benchgate, as a baseline stored
# for the purpose when that is possible (one machine), else with the stored
# baselines. Its exit code is not a check.
report_line="not written: this benchgate has no report command"
if "$benchgate" report --help 2>/dev/null | grep -q -- '--against'; then
  rc=0
  "$benchgate" report "$head_run" --against "$base_run" --targets "$targets" \
    -o "$out/report.html" >"$out/logs/report.txt" 2>&1 || rc=$?
  if [[ $rc -le 1 && -f "$out/report.html" ]]; then
    report_line="report.html ($(( ($(stat -c %s "$out/report.html") + 1023) / 1024 )) KB), head against the merge-base run, back to back"
  else
    report_line="failed (see logs/report.txt)"
  fi
elif "$benchgate" report --help >/dev/null 2>&1; then
  against="$baselines"
  against_what="the stored baselines"
  scratch=$(mktemp -d)
  if "$benchgate" accept "$base_run" --baseline "$scratch" --targets "$targets" \
      >"$out/logs/report-baseline.txt" 2>&1; then
    against="$scratch"
    against_what="the merge-base run"
  fi
  rc=0
  "$benchgate" report "$head_run" --baseline "$against" --targets "$targets" \
    -o "$out/report.html" >"$out/logs/report.txt" 2>&1 || rc=$?
  rm -rf "$scratch"
  if [[ $rc -le 1 && -f "$out/report.html" ]]; then
    report_line="report.html ($(( ($(stat -c %s "$out/report.html") + 1023) / 1024 )) KB), head against $against_what"
  else
    report_line="failed (see logs/report.txt)"
  fi
fi
echo "gate-runs: HTML report: $report_line"

worst=0
for rc in "${codes[@]}"; do
  if [[ $rc -eq 2 || $worst -eq 2 ]]; then worst=2
  elif [[ $rc -ne 0 ]]; then worst=1; fi
done
verdict=$([[ $worst -eq 0 ]] && echo PASS || echo FAIL)

# One JUnit file: every check's test suites under one root.
python3 - "$out/junit.xml" "${names[@]/#/$out/logs/junit-}" <<'PY' ||
import sys
import xml.etree.ElementTree as ET
root = ET.Element("testsuites", name="pr-gate")
for path in sys.argv[2:]:
    try:
        tree = ET.parse(path + ".xml").getroot()
    except (OSError, ET.ParseError):
        continue
    check = path.rsplit("junit-", 1)[-1]
    for suite in list(tree if tree.tag == "testsuites" else [tree]):
        suite.set("name", check + ": " + suite.get("name", ""))
        root.append(suite)
ET.ElementTree(root).write(sys.argv[1], encoding="utf-8", xml_declaration=True)
PY
  echo "gate-runs: could not join the JUnit files" >&2

{
  echo "# PR gate: $verdict (exit $worst)"
  echo
  echo "| check | verdict |"
  echo "|---|---|"
  [[ -z "$first_line" ]] || printf '| %s | `%s` |\n' "$first_title" "$first_line"
  for i in "${!names[@]}"; do
    printf '| %s | `%s` |\n' "${titles[$i]}" "${results[$i]}"
  done
  echo "| HTML report | $report_line |"
  echo
  if [[ -n "$about" && -f "$about" ]]; then
    cat "$about"
    echo
  fi
  for i in "${!names[@]}"; do
    echo "## ${titles[$i]}"
    echo
    if [[ -s "$out/logs/${names[$i]}.md" ]]; then
      cat "$out/logs/${names[$i]}.md"
    else
      echo '```'
      tail -5 "$out/logs/${names[$i]}.txt"
      echo '```'
    fi
    echo
  done
} >"$out/summary.md"

echo "PR gate: $verdict (exit $worst): summary in $out/summary.md"
exit $worst
