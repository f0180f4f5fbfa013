// benchgate: verdicts on Google Benchmark results that hold on a noisy
// machine. See tools/benchgate/README.md.

#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "benchgate/commands.h"
#include "benchgate/cpus.h"
#include "benchgate/error.h"
#include "benchgate/instructions.h"
#include "benchgate/merge.h"
#include "benchgate/version.h"
#include "benchgate/write/format.h"
#include "benchgate/write/report.h"

namespace {

using hotpath::benchgate::CommandOptions;

void AddReadOptions(CLI::App* command, CommandOptions& options) {
  command->add_option("--allocator", options.allocator,
                      "Allocator subfolder of a run directory (default glibc)");
}

void AddReportOptions(CLI::App* command, CommandOptions& options) {
  command
      ->add_option("--color", options.color,
                   "Colour the table: auto, always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  command->add_flag(
      "--all-metrics", options.all_metrics,
      "List every metric under each benchmark, not only notable ones");
  command->add_option("--markdown", options.markdown_path,
                      "Also write the report as Markdown to FILE");
  command->add_option("--junit", options.junit_path,
                      "Also write the verdicts as JUnit XML to FILE");
  command->add_option("--json", options.json_path,
                      "Also write the verdicts as JSON to FILE");
}

void AddTargetFlags(CLI::App* command, CommandOptions& options) {
  command->add_flag("--require-all-targets", options.report.require_all_targets,
                    "Fail when a target has no benchmarks yet (default: report "
                    "it as MISSING and pass)");
  command->add_flag("--fail-inconclusive", options.report.fail_inconclusive,
                    "Fail when a target is INCONCLUSIVE (default: report it "
                    "and pass)");
}

}  // namespace

int main(int argc, char** argv) {
  namespace bg = hotpath::benchgate;
  CLI::App app{
      "benchgate: compares Google Benchmark runs, checks improvement targets "
      "and gates regressions, with statistics that hold on a noisy machine.",
      "benchgate"};
  app.set_version_flag("--version", bg::kVersion);
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 pass, 1 regression, failed benchmark or missed target, "
      "2 bad input or usage.");

  CommandOptions options;
  std::string old_path;
  std::string new_path;
  std::string run_path;
  std::string baseline_dir;
  bg::AcceptCommandOptions accept;

  CLI::App* compare = app.add_subcommand(
      "compare", "Compare every benchmark and metric of two runs");
  compare->add_option("OLD", old_path, "Old run: JSON file or run directory")
      ->required();
  compare->add_option("NEW", new_path, "New run: JSON file or run directory")
      ->required();
  compare->add_option("--targets", options.targets_path,
                      "targets.json whose metric policies to use");
  compare->add_flag("--exact-only", options.exact_only,
                    "Compare only exact metrics (allocations, "
                    "instructions...): timings are not judged");
  AddReadOptions(compare, options);
  AddReportOptions(compare, options);

  CLI::App* check = app.add_subcommand(
      "check", "Check the targets: after against before within one run");
  check->add_option("RUN", run_path, "JSON file or run directory")->required();
  check->add_option("--targets", options.targets_path, "targets.json")
      ->required();
  AddReadOptions(check, options);
  AddReportOptions(check, options);
  AddTargetFlags(check, options);

  CLI::App* gate = app.add_subcommand(
      "gate", "Compare against the stored baseline and check the targets");
  gate->add_option("RUN", run_path, "JSON file or run directory")->required();
  gate->add_option("--baseline", baseline_dir,
                   "Baseline directory (baselines/)")
      ->required();
  gate->add_option("--targets", options.targets_path,
                   "targets.json (omit for a foreign suite)");
  gate->add_flag("--exact-only", options.exact_only,
                 "Compare only exact metrics (allocations, instructions...) "
                 "with the baseline: for a run whose timings are judged "
                 "against another run on the same machine");
  AddReadOptions(gate, options);
  AddReportOptions(gate, options);
  AddTargetFlags(gate, options);

  CLI::App* accept_command = app.add_subcommand(
      "accept", "Store a run as the baseline for its fingerprint");
  accept_command->add_option("RUN", run_path, "JSON file or run directory")
      ->required();
  accept_command
      ->add_option("--baseline", baseline_dir,
                   "Baseline directory (baselines/)")
      ->required();
  accept_command->add_option(
      "--calibration", accept.calibration_paths,
      "More runs of the same build (A/A) to measure run-to-run noise from");
  accept_command->add_option("--targets", options.targets_path,
                             "targets.json whose metric policies to use");
  accept_command->add_flag(
      "--allow-debug-library", accept.allow_debug_library,
      "Do not warn about a run whose only debug flag is Google Benchmark's "
      "own library_build_type (Debian's libbenchmark reports debug); such "
      "a run is accepted either way");
  AddReadOptions(accept_command, options);

  bg::ReportCommandOptions html;
  CLI::App* report = app.add_subcommand(
      "report", "Write the gate's findings as one self-contained HTML page");
  report->add_option("RUN", run_path, "JSON file or run directory")->required();
  report->add_option("--baseline", html.baseline_dir,
                     "Baseline directory (baselines/) to compare against");
  report->add_option("--against", html.against_path,
                     "A run measured back to back with RUN on this machine "
                     "(a PR gate's merge-base): compared as `compare` does, "
                     "timings deciding, instead of the stored baseline");
  report->add_option("--targets", options.targets_path, "targets.json");
  report->add_option("--history", html.history_path,
                     "The SQLite history (benchgate history add): each "
                     "pair's last runs on this fingerprint drawn, steps "
                     "flagged, this run marked");
  report
      ->add_option("--history-last", html.history_last,
                   "How many runs the history charts show (default 30)")
      ->check(CLI::Range(2, 100000));
  report->add_option("-o,--output", html.output_path, "The HTML file to write")
      ->required();
  AddReadOptions(report, options);
  AddTargetFlags(report, options);

  bg::ExportCommandOptions exp;
  CLI::App* export_command = app.add_subcommand(
      "export",
      "Write a run's latency, throughput, allocations and bytes per op for "
      "Bencher or github-action-benchmark");
  export_command->add_option("RUN", run_path, "JSON file or run directory")
      ->required();
  export_command
      ->add_option("--format", exp.format,
                   "bencher: Bencher Metric Format (every metric); "
                   "github-action-benchmark: customSmallerIsBetter (latency, "
                   "allocations, bytes); github-action-benchmark-bigger: "
                   "customBiggerIsBetter (throughput)")
      ->required();
  export_command
      ->add_option("-o,--output", exp.output_path, "The JSON file to write")
      ->required();
  AddReadOptions(export_command, options);

  std::string merge_out;
  std::vector<std::string> merge_inputs;
  bg::MergeOptions merge;
  CLI::App* merge_command = app.add_subcommand(
      "merge",
      "Join runs into one JSON file: shards unioned, halves of one side "
      "pooled");
  merge_command->add_option("OUT", merge_out, "The JSON file to write")
      ->required();
  merge_command->add_option("IN", merge_inputs, "JSON files or run directories")
      ->required();
  merge_command->add_flag(
      "--allow-mixed-fingerprints", merge.allow_mixed_fingerprints,
      "Merge shards from different machines; the result is marked mixed");
  merge_command->add_flag(
      "--disjoint", merge.disjoint,
      "Refuse a benchmark found in two inputs (shards) instead of pooling");
  merge_command->add_option("--allocator", merge.allocator,
                            "Allocator subfolder of run directories");
  merge_command->add_option(
      "--pairing", merge.pairing,
      "Mark OUT as one side of an alternating comparison: both sides merged "
      "with the same ID (rounds in the same order) are compared round by "
      "round");

  bg::InstructionsOptions instructions;
  CLI::App* instructions_command = app.add_subcommand(
      "instructions",
      "Write exact instructions per op from the run's callgrind dumps "
      "(bench-all --instructions) into its JSON");
  instructions_command->add_option("RUN", run_path, "Run directory")
      ->required();
  instructions_command->add_option(
      "--allocator", instructions.allocator,
      "Allocator subfolder of a matrix run (default glibc)");
  instructions_command
      ->add_option("--linearity-tolerance",
                   instructions.slope.linearity_tolerance,
                   "Largest relative difference between the slopes of the "
                   "two largest and the next pair of iteration counts")
      ->check(CLI::Range(0.0, 1.0));
  instructions_command->add_option(
      "--retry-list", instructions.retry_list,
      "Write the benchmarks with two iteration counts (one short) to this "
      "file, \"<binary><tab><name>\" per line, for a longer retry");

  bg::HistoryAddOptions history_add;
  bg::HistoryChangesOptions history_changes;
  CLI::App* history = app.add_subcommand(
      "history",
      "Keep every run in an SQLite history and find steps and slow creeps "
      "in each benchmark's series");
  history->require_subcommand(1);
  CLI::App* history_add_command = history->add_subcommand(
      "add", "Add a run to the history (idempotent: the same run once)");
  history_add_command->add_option("RUN", run_path, "JSON file or run directory")
      ->required();
  history_add_command
      ->add_option("--db", history_add.db_path, "The SQLite history file")
      ->required();
  history_add_command->add_option(
      "--revision", history_add.revision,
      "The run's revision (default: the context's hotpath_git_revision)");
  history_add_command->add_option(
      "--commit-date", history_add.commit_date,
      "The revision's commit date, ISO 8601 (default: RUN/command.txt's "
      "commit-date line)");
  history_add_command->add_option(
      "--branch", history_add.branch,
      "The branch (default: RUN/command.txt's branch line)");
  history_add_command->add_option(
      "--targets", options.targets_path,
      "targets.json whose metric policies say which metrics are exact");
  AddReadOptions(history_add_command, options);
  CLI::App* history_changes_command = history->add_subcommand(
      "changes",
      "Report steps (E-divisive means) and slow creeps in each benchmark's "
      "series on one fingerprint; exit 0 either way");
  history_changes_command
      ->add_option("--db", history_changes.db_path, "The SQLite history file")
      ->required();
  history_changes_command->add_option(
      "--benchmark", history_changes.benchmark_pattern,
      "Only benchmarks matching this pattern (* within a /-segment, **)");
  history_changes_command->add_option(
      "--fingerprint", history_changes.fingerprint,
      "Only this fingerprint (default: each fingerprint's series)");
  history_changes_command
      ->add_option("--last", history_changes.last,
                   "Only the last N runs of each fingerprint (default all)")
      ->check(CLI::Range(0, 1000000));
  history_changes_command->add_option("--json", history_changes.json_path,
                                      "Also write the changes as JSON to FILE");
  history_changes_command->add_option(
      "--targets", options.targets_path,
      "targets.json whose metric policies and min_effect to use");

  bg::CpusOptions cpus;
  CLI::App* cpus_command = app.add_subcommand(
      "cpus",
      "Probe the speed of each CPU this process may use and name the fastest "
      "(scripts pin single-threaded benchmark processes to it)");
  cpus_command->add_option("--rounds", cpus.rounds, "Probes per CPU")
      ->check(CLI::Range(1, 1000));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
      return app.exit(e);  // --help, --version
    }
    std::cerr << "benchgate: error: " << e.what()
              << " (see benchgate --help)\n";
    return bg::kExitBadInput;
  }

  try {
    if (compare->parsed()) {
      return bg::CompareCommand(old_path, new_path, options, std::cout);
    }
    if (check->parsed()) return bg::CheckCommand(run_path, options, std::cout);
    if (instructions_command->parsed()) {
      return bg::InstructionsCommand(run_path, instructions, std::cout);
    }
    if (cpus_command->parsed()) return bg::CpusCommand(cpus, std::cout);
    if (history_add_command->parsed()) {
      return bg::HistoryAddCommand(run_path, history_add, options, std::cout);
    }
    if (history_changes_command->parsed()) {
      return bg::HistoryChangesCommand(history_changes, options, std::cout);
    }
    if (merge_command->parsed()) {
      return bg::MergeCommand(merge_out, merge_inputs, merge, std::cout);
    }
    if (export_command->parsed()) {
      return bg::ExportCommand(run_path, exp, options, std::cout);
    }
    if (report->parsed()) {
      return bg::ReportCommand(run_path, html, options, std::cout);
    }
    if (gate->parsed()) {
      return bg::GateCommand(run_path, baseline_dir, options, std::cout);
    }
    return bg::AcceptCommand(run_path, baseline_dir, accept, options,
                             std::cout);
  } catch (const bg::InputError& e) {
    // Paths and names in the message come from the input: shown visibly,
    // so a name cannot print a second, forged line.
    std::cout.flush();
    std::cerr << "benchgate: error: " << bg::Printable(e.what()) << '\n';
  } catch (const std::exception& e) {
    std::cout.flush();
    std::cerr << "benchgate: error: " << bg::Printable(e.what()) << '\n';
  }
  return bg::kExitBadInput;
}
