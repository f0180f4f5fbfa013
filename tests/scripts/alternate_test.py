#!/usr/bin/env python3
"""Tests of scripts/lib/alternate.sh, the alternating runs behind
ci/pr-gate.sh and bench-all --against, on fake bench binaries (shell scripts
that write Google Benchmark JSON) and a fake benchgate (records its calls):
the A B B A order, the file layout, repetitions spread over rounds, a failing
binary, merges in round order under one pairing ID, and confirmation rounds
(anchored filters of exactly the names to confirm, round numbers continuing,
the round and time budgets). Also checks that bench-all, pr-gate.sh and
gate-runs.sh document their options. Run by CTest (alternate_script)."""

import json
import os
import re
import stat
import subprocess
import tempfile
import textwrap
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
LIB = os.path.join(ROOT, "scripts", "lib", "alternate.sh")

# A bench binary: lists or runs the names in <itself>.names that match
# --benchmark_filter (an ERE, searched, as Google Benchmark does), writes
# one iteration row per repetition into --benchmark_out (an empty file when
# nothing matches, as Google Benchmark does), appends its call to
# $FAKE_CALLS, and fails on the calls listed in $FAKE_FAIL ("side/binary/N":
# the Nth call of that binary on that side).
FAKE_BENCH = r"""#!/usr/bin/env bash
set -u
self=$0
name=${self##*/}
side=${self%/*}
side=${side##*/}
filter="" reps=1 out="" list=0
for arg in "$@"; do
  case "$arg" in
    --benchmark_filter=*) filter=${arg#*=} ;;
    --benchmark_repetitions=*) reps=${arg#*=} ;;
    --benchmark_out=*) out=${arg#*=} ;;
    --benchmark_list_tests=true) list=1 ;;
  esac
done
names=()
while IFS= read -r n; do
  [[ -z "$n" ]] && continue
  if [[ -z "$filter" || "$n" =~ $filter ]]; then names+=("$n"); fi
done <"$self.names"
if [[ $list -eq 1 ]]; then printf '%s\n' "${names[@]}"; exit 0; fi
count_file="$FAKE_STATE/$side-$name.count"
n=0
[[ ! -f "$count_file" ]] || read -r n <"$count_file"
n=$((n + 1))
echo "$n" >"$count_file"
echo "$side $name reps=$reps filter=$filter" >>"$FAKE_CALLS"
case " ${FAKE_FAIL:-} " in *" $side/$name/$n "*) echo "boom" >&2; exit 3 ;; esac
[[ -n "$out" ]] || exit 0
if [[ ${#names[@]} -eq 0 ]]; then : >"$out"; exit 0; fi
{
  printf '{"context": {"hotpath_git_revision": "%s"}, "benchmarks": [' "${HOTPATH_GIT_REVISION:-}"
  sep=""
  for b in "${names[@]}"; do
    for ((i = 0; i < reps; i++)); do
      printf '%s{"name": "%s", "run_name": "%s", "run_type": "iteration", "repetitions": %d, "repetition_index": %d, "iterations": 10, "real_time": 1.0, "cpu_time": 1.0, "time_unit": "ns"}' \
        "$sep" "$b" "$b" "$reps" "$i"
      sep=", "
    done
  done
  printf ']}\n'
} >"$out"
"""

# taskset: records "-c CPU" and the binary, then runs the rest; CPUs 0
# and 1 only, as on a 2-CPU machine.
FAKE_TASKSET = r"""#!/usr/bin/env bash
[[ "$1" == -c ]] || exit 64
[[ "$2" =~ ^[01]$ ]] || { echo "taskset: failed to set pid 0's affinity" >&2; exit 1; }
[[ $# -gt 2 ]] || exit 0
echo "cpu=$2 ${3##*/}" >>"$FAKE_TASKSET_CALLS"
shift 2
exec "$@"
"""

# benchgate: records every call; cpus names the fastest CPU ($FAKE_CPU,
# or the one in $FAKE_CPU_FILE, default 1; fails with $FAKE_CPUS_FAIL);
# merge writes OUT as {"pairing": ID,
# "inputs": [...]}, says it takes --pairing; compare prints a result line,
# writes --json with "to_confirm" from $FAKE_TO_CONFIRM (a JSON array; none:
# the key is left out) and exits $FAKE_COMPARE_RC.
FAKE_BENCHGATE = r"""#!/usr/bin/env bash
set -u
printf '%s\n' "$*" >>"$FAKE_BENCHGATE_CALLS"
command=$1; shift
if [[ "${1:-}" == --help ]]; then
  [[ $command != merge ]] || echo "  --pairing TEXT  both sides of an alternation"
  exit 0
fi
case "$command" in
  cpus)
    [[ -z "${FAKE_CPUS_FAIL:-}" ]] || exit 2
    [[ -z "${FAKE_CPU_FILE:-}" ]] || read -r FAKE_CPU <"$FAKE_CPU_FILE"
    echo "cpu 0: 9.0 ms per probe (median of 5, spread 3%), 1.60x the fastest"
    echo "cpu ${FAKE_CPU:-1}: 5.6 ms per probe (median of 5, spread 2%), fastest"
    echo "benchgate cpus: fastest: cpu ${FAKE_CPU:-1} (of 2; the slowest takes 1.60x)"
    ;;
  merge)
    pairing="" positional=()
    while [[ $# -gt 0 ]]; do
      case "$1" in
        --pairing) pairing=$2; shift ;;
        *) positional+=("$1") ;;
      esac
      shift
    done
    out=${positional[0]}
    {
      printf '{"pairing": "%s", "inputs": [' "$pairing"
      sep=""
      for input in "${positional[@]:1}"; do printf '%s"%s"' "$sep" "$input"; sep=", "; done
      printf ']}\n'
    } >"$out"
    ;;
  compare)
    json=""
    while [[ $# -gt 0 ]]; do
      [[ "$1" != --json ]] || json=$2
      shift
    done
    if [[ -n "$json" ]]; then
      if [[ -n "${FAKE_TO_CONFIRM:-}" ]]; then
        echo "{\"to_confirm\": $FAKE_TO_CONFIRM}" >"$json"
      else
        echo "{}" >"$json"
      fi
    fi
    echo "benchgate compare: FAKE (exit ${FAKE_COMPARE_RC:-0})"
    exit "${FAKE_COMPARE_RC:-0}"
    ;;
esac
"""


def write_executable(path, text):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


class AlternateTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="alternate_test.")
        self.dir = self.tmp.name
        self.suites = {}
        for side in ("A", "B"):
            os.makedirs(os.path.join(self.dir, "bins", side))
        self.add_binary("fmt_benchmark", ["fmt/Span/before", "fmt/Span/after",
                                          "fmt/Trace.x/after/n:1", "fmt/Trace.x/after/n:10"])
        self.add_binary("lock_benchmark", ["lock/Take/before/real_time/threads:2",
                                           "lock/Take/after/real_time/threads:2"])
        self.out = os.path.join(self.dir, "runs")
        self.state = os.path.join(self.dir, "state")
        os.makedirs(self.state)
        self.calls = os.path.join(self.dir, "calls.txt")
        self.benchgate = os.path.join(self.dir, "benchgate")
        self.benchgate_calls = os.path.join(self.dir, "benchgate_calls.txt")
        write_executable(self.benchgate, FAKE_BENCHGATE)
        self.path_dir = os.path.join(self.dir, "path")
        os.makedirs(self.path_dir)
        write_executable(os.path.join(self.path_dir, "taskset"), FAKE_TASKSET)
        self.taskset_calls = os.path.join(self.dir, "taskset_calls.txt")

    def tearDown(self):
        self.tmp.cleanup()

    def add_binary(self, name, names, sides=("A", "B")):
        for side in sides:
            path = os.path.join(self.dir, "bins", side, name)
            write_executable(path, FAKE_BENCH)
            with open(path + ".names", "w") as f:
                f.write("\n".join(names) + "\n")

    def bash(self, body, env=None, check=True):
        """Sources alternate.sh, sets it up for sides A and B, runs body."""
        script = textwrap.dedent(f"""\
            set -euo pipefail
            source {LIB!r}
            alt_prog=test
            alt_out={self.out!r}
            alt_sides=(A B)
            alt_bins=([A]={os.path.join(self.dir, 'bins', 'A')!r} [B]={os.path.join(self.dir, 'bins', 'B')!r})
            alt_revision=([A]=aaaa [B]=bbbb)
            alt_min_time=0.001
            alt_filter=([A/fmt_benchmark]='^fmt/' [B/fmt_benchmark]='^fmt/'
                        [A/lock_benchmark]='^lock/' [B/lock_benchmark]='^lock/')
            """) + textwrap.dedent(body)
        full_env = dict(os.environ, FAKE_CALLS=self.calls, FAKE_STATE=self.state,
                        FAKE_BENCHGATE_CALLS=self.benchgate_calls, BG=self.benchgate,
                        FAKE_TASKSET_CALLS=self.taskset_calls,
                        PATH=self.path_dir + os.pathsep + os.environ.get("PATH", ""))
        full_env.update(env or {})
        result = subprocess.run(["bash", "-c", script], capture_output=True, text=True,
                                env=full_env, timeout=60)
        if check and result.returncode != 0:
            self.fail(f"bash exited {result.returncode}\nstdout:\n{result.stdout}\n"
                      f"stderr:\n{result.stderr}")
        return result

    def order(self):
        with open(os.path.join(self.out, "order.txt")) as f:
            return [line.split() for line in f.read().splitlines()]

    def benchgate_log(self):
        with open(self.benchgate_calls) as f:
            return [line.split() for line in f.read().splitlines()]

    def rows(self, side, round_, binary):
        with open(os.path.join(self.out, side, str(round_), binary + ".json")) as f:
            return json.load(f)["benchmarks"]

    def test_rounds_alternate_a_b_b_a_per_binary(self):
        self.bash("""
            alt_binary fmt_benchmark 4 10 "[1/2] "
            alt_binary lock_benchmark 2 10 "[2/2] "
            """)
        order = [(side, round_, binary) for side, round_, binary, _, _ in self.order()]
        expected = []
        for binary, rounds in (("fmt_benchmark", "1234"), ("lock_benchmark", "12")):
            for round_, sides in zip(rounds, ("AB", "BA", "AB", "BA")):
                expected += [(side, round_, binary) for side in sides]
        self.assertEqual(order, expected)

    def test_repetitions_spread_over_rounds_and_layout(self):
        result = self.bash('alt_binary fmt_benchmark 4 10 "[1/1] "\n')
        reps = [int(r) for side, round_, _, r, _ in self.order() if side == "A"]
        self.assertEqual(reps, [3, 3, 2, 2])
        for side in "AB":
            for round_, count in zip(range(1, 5), (3, 3, 2, 2)):
                folder = os.path.join(self.out, side, str(round_))
                self.assertTrue(os.path.isfile(os.path.join(folder, "fmt_benchmark.log")))
                rows = self.rows(side, round_, "fmt_benchmark")
                self.assertEqual(len(rows), 4 * count)
        # Each side's processes carry its revision.
        with open(os.path.join(self.out, "B", "1", "fmt_benchmark.json")) as f:
            self.assertEqual(json.load(f)["context"]["hotpath_git_revision"], "bbbb")
        self.assertRegex(result.stdout, r"test: \[1/1\] fmt_benchmark +4 rounds: A +[0-9.]+s, B +[0-9.]+s")

    def test_a_failing_binary_is_not_run_again_nor_merged(self):
        result = self.bash("""
            alt_binary fmt_benchmark 3 3
            alt_binary lock_benchmark 1 1
            echo "failed B: ${alt_failed_names[B]:-}"
            echo "failed A: ${alt_failed_names[A]:-}"
            alt_merge B "$alt_out/B.json" "$BG" "" "$alt_out/merge-B.txt"
            """, env={"FAKE_FAIL": "B/fmt_benchmark/2"})
        self.assertIn("failed B: fmt_benchmark", result.stdout)
        self.assertIn("failed A: \n", result.stdout)
        self.assertIn("FAILED", result.stderr)
        runs = [(s, r) for s, r, b, _, _ in self.order() if b == "fmt_benchmark"]
        self.assertEqual(runs, [("A", "1"), ("B", "1"), ("B", "2"), ("A", "2"), ("A", "3")])
        self.assertFalse(os.path.exists(os.path.join(self.out, "B", "2", "fmt_benchmark.json")))
        with open(os.path.join(self.out, "B.json")) as f:
            inputs = json.load(f)["inputs"]
        self.assertTrue(inputs)
        self.assertFalse([p for p in inputs if p.endswith("fmt_benchmark.json")])

    def test_a_binary_only_one_side_has_runs_there_only(self):
        self.add_binary("new_benchmark", ["new/Op/after"], sides=("B",))
        self.bash("""
            alt_filter[B/new_benchmark]='^new/'
            alt_binary new_benchmark 2 2
            """)
        self.assertEqual([(s, r) for s, r, _, _, _ in self.order()], [("B", "1"), ("B", "2")])

    def test_round_folders_in_round_order_not_by_name(self):
        for side in "AB":
            for folder in [str(r) for r in range(1, 13)] + [f"confirm-{k}" for k in range(1, 12)]:
                os.makedirs(os.path.join(self.out, side, folder))
        result = self.bash("alt_round_folders A\n")
        self.assertEqual(result.stdout.split(), [str(r) for r in range(1, 13)] +
                         [f"confirm-{k}" for k in range(1, 12)])

    def test_merge_in_round_order_under_one_pairing_id(self):
        self.bash("""
            alt_binary fmt_benchmark 2 2
            printf 'fmt/Span/after\\n' >"$alt_out/names"
            alt_confirm "$alt_out/names" 2 2 300 1
            id=$(alt_pairing_id)
            alt_merge_has_pairing "$BG"
            alt_merge A "$alt_out/A.json" "$BG" "$id" "$alt_out/merge-A.txt"
            alt_merge B "$alt_out/B.json" "$BG" "$id" "$alt_out/merge-B.txt"
            """)
        merged = {}
        for side in "AB":
            with open(os.path.join(self.out, side + ".json")) as f:
                merged[side] = json.load(f)
            rounds = [os.path.basename(os.path.dirname(p)) for p in merged[side]["inputs"]]
            self.assertEqual(rounds, ["1", "2", "confirm-1", "confirm-2"])
        self.assertRegex(merged["A"]["pairing"], r"^[0-9a-f-]{36}$")
        self.assertEqual(merged["A"]["pairing"], merged["B"]["pairing"])

    def test_confirmation_rounds_run_exactly_the_names_to_confirm(self):
        result = self.bash("""
            alt_binary fmt_benchmark 1 1
            alt_binary lock_benchmark 1 1
            printf '%s\\n' 'fmt/Trace.x/after/n:1' 'lock/Take/after/real_time/threads:2' 'gone/Op/after' >"$alt_out/names"
            alt_confirm "$alt_out/names" 3 2 300 2
            echo "confirmed=$alt_confirmed_rounds binaries=$alt_confirm_binaries"
            """)
        self.assertIn("confirmed=2 binaries=2", result.stdout)
        self.assertIn("no first-round result holds gone/Op/after", result.stderr)
        confirm = [(s, r, b, reps) for s, r, b, reps, _ in self.order() if r.startswith("confirm-")]
        # Rounds 4 and 5 continue the order: 4 runs B first, 5 A first.
        expected = []
        for k, sides in zip(range(1, 3), ("BA", "AB")):
            for binary in ("fmt_benchmark", "lock_benchmark"):
                expected += [(side, f"confirm-{k}", binary, "2") for side in sides]
        self.assertEqual(confirm, expected)
        rows = self.rows("A", "confirm-1", "fmt_benchmark")
        # Anchored and escaped: n:1 only, not n:10; "." literal.
        self.assertEqual({r["name"] for r in rows}, {"fmt/Trace.x/after/n:1"})
        with open(self.calls) as f:
            filters = {line.split("filter=", 1)[1] for line in f.read().splitlines()
                       if "reps=2" in line}
        self.assertEqual(filters, {r"^(fmt/Trace\.x/after/n:1)$",
                                   r"^(lock/Take/after/real_time/threads:2)$"})

    def test_a_name_one_side_lacks_leaves_no_empty_file(self):
        self.add_binary("half_benchmark", ["half/Op/after", "half/Both/after"], sides=("A",))
        self.add_binary("half_benchmark", ["half/Both/after"], sides=("B",))
        self.bash("""
            alt_filter[A/half_benchmark]='^half/'
            alt_filter[B/half_benchmark]='^half/'
            alt_binary half_benchmark 1 1
            printf 'half/Op/after\\n' >"$alt_out/names"
            alt_confirm "$alt_out/names" 1 1 300 1
            alt_merge B "$alt_out/B.json" "$BG" "" "$alt_out/merge-B.txt"
            """)
        self.assertTrue(os.path.isfile(os.path.join(self.out, "A", "confirm-1", "half_benchmark.json")))
        self.assertFalse(os.path.exists(os.path.join(self.out, "B", "confirm-1", "half_benchmark.json")))
        with open(os.path.join(self.out, "B.json")) as f:
            self.assertEqual(len(json.load(f)["inputs"]), 1)

    def test_confirmation_stops_at_the_budget(self):
        result = self.bash("""
            alt_binary fmt_benchmark 2 2
            printf 'fmt/Span/after\\n' >"$alt_out/names"
            alt_confirm "$alt_out/names" 2 6 0 1
            echo "confirmed=$alt_confirmed_rounds"
            """)
        self.assertIn("confirmed=0", result.stdout)
        self.assertIn("budget of 0 s spent after 0 of 6 rounds", result.stdout)
        self.assertFalse(os.path.exists(os.path.join(self.out, "A", "confirm-1")))

    def test_first_compare_then_confirmation_then_merged_again(self):
        result = self.bash("""
            alt_binary fmt_benchmark 2 2
            alt_merge A "$alt_out/A.json" "$BG" id-1 "$alt_out/merge-A.txt"
            alt_merge B "$alt_out/B.json" "$BG" id-1 "$alt_out/merge-B.txt"
            alt_first_compare_and_confirm "$BG" id-1 "" "$alt_out/A.json" "$alt_out/B.json" \\
              "$alt_out/first" "$alt_out" 2 3 300 1
            echo "first=$alt_first_line rc=$alt_first_rc count=$alt_to_confirm_count rounds=$alt_confirmed_rounds"
            """, env={"FAKE_TO_CONFIRM": '["fmt/Span/after"]', "FAKE_COMPARE_RC": "1"})
        self.assertIn("first=benchgate compare: FAKE (exit 1) rc=1 count=1 rounds=3", result.stdout)
        self.assertIn("test: first comparison (2 rounds): benchgate compare: FAKE (exit 1)", result.stdout)
        merges = [c for c in self.benchgate_log() if c[0] == "merge" and c[1] != "--help"]
        self.assertEqual(len(merges), 4)
        for call in merges:
            self.assertEqual(call[1:3], ["--pairing", "id-1"])
        last_a = [c for c in merges if c[3].endswith("/A.json")][-1]
        self.assertEqual([os.path.basename(os.path.dirname(p)) for p in last_a[4:]],
                         ["1", "2", "confirm-1", "confirm-2", "confirm-3"])
        compare = [c for c in self.benchgate_log() if c[0] == "compare"]
        self.assertEqual(len(compare), 1)
        for suffix in (".json", ".txt", ".to_confirm"):
            self.assertTrue(os.path.isfile(os.path.join(self.out, "first" + suffix)), suffix)

    def test_nothing_to_confirm_and_a_benchgate_without_to_confirm(self):
        result = self.bash("""
            alt_binary fmt_benchmark 2 2
            alt_first_compare_and_confirm "$BG" id-1 "" "$alt_out/A.json" "$alt_out/B.json" \\
              "$alt_out/first" "$alt_out" 2 3 300 1
            echo "count=$alt_to_confirm_count rounds=$alt_confirmed_rounds"
            """, env={"FAKE_TO_CONFIRM": "[]"})
        self.assertIn("count=0 rounds=0", result.stdout)
        result = self.bash("""
            alt_first_compare_and_confirm "$BG" id-1 "" "$alt_out/A.json" "$alt_out/B.json" \\
              "$alt_out/first" "$alt_out" 2 3 300 1
            echo "count=$alt_to_confirm_count rounds=$alt_confirmed_rounds"
            """)
        self.assertIn("count=-1 rounds=0", result.stdout)
        self.assertIn('lists no "to_confirm"', result.stderr)

    def add_mixed_binary(self):
        self.add_binary("mix_benchmark", ["mix/Op/before", "mix/Op/after",
                                          "mix/Op/after/real_time/threads:1",
                                          "mix/Op/after/real_time/threads:2"])
        # The filters, and pinning as bench-all and pr-gate set it up.
        return ("alt_filter[A/mix_benchmark]='^mix/'; alt_filter[B/mix_benchmark]='^mix/'\n"
                "pin_mode=auto pin_benchgate=$BG\npin_check\n")

    def taskset_log(self):
        if not os.path.exists(self.taskset_calls):
            return []
        with open(self.taskset_calls) as f:
            return f.read().splitlines()

    def test_pinned_rounds_run_multi_threaded_benchmarks_apart_on_every_cpu(self):
        setup = self.add_mixed_binary()
        result = self.bash(setup + """
            alt_binary mix_benchmark 2 4
            alt_binary lock_benchmark 1 1
            alt_merge A "$alt_out/A.json" "$BG" "" "$alt_out/merge-A.txt"
            echo "processes on cpu 1: ${alt_cpu_processes[1]}"
            """)
        self.assertEqual([line[2:] for line in self.order() if line[0] == "A"],
                         [["mix_benchmark", "2", "1"], ["mix_benchmark@unpinned", "2", "all"],
                          ["mix_benchmark", "2", "1"], ["mix_benchmark@unpinned", "2", "all"],
                          ["lock_benchmark", "1", "all"]])
        names = {row["name"] for row in self.rows("A", 1, "mix_benchmark")}
        self.assertEqual(names, {"mix/Op/before", "mix/Op/after",
                                 "mix/Op/after/real_time/threads:1"})
        names = {row["name"] for row in self.rows("A", 1, "mix_benchmark@unpinned")}
        self.assertEqual(names, {"mix/Op/after/real_time/threads:2"})
        # Only the single-threaded processes went through taskset, on the
        # CPU the probe named; a binary of multi-threaded benchmarks only
        # keeps its plain file name.
        self.assertEqual(self.taskset_log(), ["cpu=1 mix_benchmark"] * 4)
        self.assertEqual(len(self.rows("B", 1, "lock_benchmark")), 2)
        with open(os.path.join(self.out, "A.json")) as f:
            inputs = [os.path.relpath(p, self.out) for p in json.load(f)["inputs"]]
        self.assertEqual(inputs, ["A/1/lock_benchmark.json", "A/1/mix_benchmark.json",
                                  "A/1/mix_benchmark@unpinned.json", "A/2/mix_benchmark.json",
                                  "A/2/mix_benchmark@unpinned.json"])
        self.assertIn("processes on cpu 1: 6", result.stdout)

    def test_each_process_runs_on_the_cpu_probed_just_before_it(self):
        setup = self.add_mixed_binary()
        # The fake probe names the CPU in $FAKE_CPU_FILE at each call.
        cpu_file = os.path.join(self.dir, "cpu")
        self.bash(setup + f"""
            echo 0 >{cpu_file!r}
            alt_run A 1 mix_benchmark 1
            echo 1 >{cpu_file!r}
            alt_run B 1 mix_benchmark 1
            alt_run B 2 mix_benchmark 1
            echo 0 >{cpu_file!r}
            alt_run A 2 mix_benchmark 1
            """, env={"FAKE_CPU_FILE": cpu_file})
        self.assertEqual([line[4] for line in self.order() if "@" not in line[2]],
                         ["0", "1", "1", "0"])

    def test_without_a_probe_or_with_none_nothing_is_pinned(self):
        setup = self.add_mixed_binary()
        result = self.bash(setup + """
            echo "mode: $pin_mode"
            alt_binary mix_benchmark 1 1
            """, env={"FAKE_CPUS_FAIL": "1"})
        self.assertIn("mode: none", result.stdout)
        self.assertIn("cannot probe the CPUs", result.stderr)
        self.assertEqual(self.taskset_log(), [])
        self.assertEqual([line[2:] for line in self.order()],
                         [["mix_benchmark", "1", "all"]] * 2)
        self.assertEqual(len(self.rows("A", 1, "mix_benchmark")), 4)

    def test_a_cpu_number_is_checked_before_anything_runs(self):
        for mode, message in (("x1", "takes auto, none or a CPU number"),
                              ("99999", "may not run on CPU 99999")):
            result = self.bash(f"pin_mode={mode}\npin_check || echo \"rc $?\"\n")
            self.assertIn("rc 2", result.stdout)
            self.assertIn(message, result.stderr)

    def test_confirmation_of_a_pinned_binary_splits_the_names_again(self):
        setup = self.add_mixed_binary()
        self.bash(setup + """
            alt_binary mix_benchmark 2 2
            printf 'mix/Op/after\\nmix/Op/after/real_time/threads:2\\n' >"$alt_out/names"
            alt_confirm "$alt_out/names" 2 1 100 1
            """)
        confirm = [line for line in self.order() if line[1] == "confirm-1"]
        self.assertEqual([line[2] for line in confirm],
                         ["mix_benchmark", "mix_benchmark@unpinned"] * 2)
        names = {row["name"] for row in self.rows("A", "confirm-1", "mix_benchmark")}
        self.assertEqual(names, {"mix/Op/after"})
        names = {row["name"] for row in self.rows("A", "confirm-1", "mix_benchmark@unpinned")}
        self.assertEqual(names, {"mix/Op/after/real_time/threads:2"})

    def test_a_failing_unpinned_part_fails_the_binary_and_drops_both_files(self):
        setup = self.add_mixed_binary()
        result = self.bash(setup + """
            alt_binary mix_benchmark 2 2
            echo "failed A: ${alt_failed_names[A]:-}"
            """, env={"FAKE_FAIL": "A/mix_benchmark/2"})
        self.assertIn("failed A: mix_benchmark", result.stdout)
        folder = os.path.join(self.out, "A", "1")
        self.assertEqual(sorted(f for f in os.listdir(folder) if f.endswith(".json")), [])
        self.assertEqual([line[2] for line in self.order() if line[0] == "A"],
                         ["mix_benchmark", "mix_benchmark@unpinned"])


class HelpTest(unittest.TestCase):
    def help_of(self, *command):
        result = subprocess.run([os.path.join(ROOT, *command), "--help"], capture_output=True,
                                text=True, timeout=30)
        self.assertEqual(result.returncode, 0, result.stderr)
        return result.stdout

    def test_bench_all_documents_processes_against_and_confirmation(self):
        text = self.help_of("scripts", "bench-all")
        for option in ("--processes N", "--against REF", "--confirm-rounds N",
                       "--confirm-budget SECONDS", "--build-target NAME", "--no-build"):
            self.assertIn(option, text)
        self.assertIn("RUN/processes/<p>/", text)
        self.assertIn("build/against/<sha12>/", text)

    def test_pr_gate_documents_confirmation(self):
        text = self.help_of("ci", "pr-gate.sh")
        for option in ("--confirm-rounds N", "--confirm-budget SECONDS"):
            self.assertIn(option, text)
        self.assertRegex(text, re.compile(r"pairing ID", re.I))

    def test_gate_runs_documents_the_first_comparison(self):
        self.assertIn("--first-compare FILE", self.help_of("ci", "gate-runs.sh"))

    def test_bench_all_rejects_an_unknown_reference_in_one_line(self):
        result = subprocess.run([os.path.join(ROOT, "scripts", "bench-all"), "--against",
                                 "no-such-ref-a1b2c3"], capture_output=True, text=True, timeout=30)
        self.assertEqual(result.returncode, 2)
        self.assertEqual(result.stderr.count("\n"), 1, result.stderr)
        self.assertIn("unknown --against REF 'no-such-ref-a1b2c3'", result.stderr)

    def test_bench_all_refuses_more_processes_than_repetitions(self):
        result = subprocess.run([os.path.join(ROOT, "scripts", "bench-all"), "--repetitions", "2",
                                 "--processes", "3"], capture_output=True, text=True, timeout=30)
        self.assertEqual(result.returncode, 2)
        self.assertIn("--processes (3) cannot exceed --repetitions (2)", result.stderr)


if __name__ == "__main__":
    unittest.main()
