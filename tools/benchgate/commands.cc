#include "benchgate/commands.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "benchgate/baseline_store.h"
#include "benchgate/compare.h"
#include "benchgate/config.h"
#include "benchgate/error.h"
#include "benchgate/render.h"
#include "benchgate/run_loader.h"
#include "benchgate/targets.h"

namespace hotpath::benchgate {
namespace {

Config ConfigFor(const CommandOptions& options) {
  return options.targets_path.empty() ? Config{}
                                      : LoadConfig(options.targets_path);
}

void WriteReportFile(const std::string& path, const std::string& content) {
  if (path.empty()) return;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  if (!out) throw InputError(path, "cannot write the report");
}

int Emit(Report& report, const CommandOptions& options, std::ostream& out) {
  report.options = options.report;
  Finalise(report);
  RenderTable(report,
              TableOptions{ShouldColor(options.color, STDOUT_FILENO),
                           options.all_metrics},
              out);
  WriteReportFile(options.markdown_path, RenderMarkdown(report));
  WriteReportFile(options.junit_path, RenderJunit(report));
  WriteReportFile(options.json_path, RenderJson(report).dump(2) + "\n");
  return report.exit_code;
}

void AddTargets(const Run& run, const Config& config, Report& report) {
  if (config.targets.empty()) {
    report.notes.push_back(config.source + " defines no targets");
    return;
  }
  report.targets = CheckTargets(run, config);
}

}  // namespace

bool ShouldColor(const std::string& mode, int fd) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && *no_color != '\0') return false;
  const char* term = std::getenv("TERM");
  if (term != nullptr && std::string(term) == "dumb") return false;
  return ::isatty(fd) != 0;
}

int CompareCommand(const std::string& old_path, const std::string& new_path,
                   const CommandOptions& options, std::ostream& out) {
  const Config config = ConfigFor(options);
  const Run old_run = LoadRun(old_path, {options.allocator});
  const Run new_run = LoadRun(new_path, {options.allocator});
  Report report;
  report.command = "compare";
  report.run_source = new_run.source;
  report.run_fingerprint = new_run.info.fingerprint;
  report.baseline_source = old_run.source;
  report.comparison = CompareRuns(old_run, new_run, config);
  AddFailedBenchmarks(new_run, report);
  return Emit(report, options, out);
}

int CheckCommand(const std::string& run_path, const CommandOptions& options,
                 std::ostream& out) {
  const Config config = LoadConfig(options.targets_path);
  const Run run = LoadRun(run_path, {options.allocator});
  Report report;
  report.command = "check";
  report.run_source = run.source;
  report.run_fingerprint = run.info.fingerprint;
  AddTargets(run, config, report);
  AddFailedBenchmarks(run, report);
  return Emit(report, options, out);
}

int GateCommand(const std::string& run_path, const std::string& baseline_dir,
                const CommandOptions& options, std::ostream& out) {
  const Config config = ConfigFor(options);
  const BaselineStore store(baseline_dir);
  store.RequireDirectory();
  const Run run = LoadRun(run_path, {options.allocator});
  Report report;
  report.command = "gate";
  report.run_source = run.source;
  report.run_fingerprint = run.info.fingerprint;

  const std::optional<StoredBaseline> baseline =
      store.Load(run.info.fingerprint);
  if (baseline) {
    report.baseline_source = baseline->path;
    if (baseline->noise && !baseline->noise->Empty()) {
      report.noise_source = "A/A calibration (" +
                            std::to_string(baseline->noise->runs()) + " runs)";
    } else {
      report.notes.push_back(
          "no A/A calibration stored for this fingerprint: the minimum effect "
          "comes from the floor and the run's own spread (see accept "
          "--calibration)");
    }
    report.comparison =
        CompareRuns(baseline->run, run, config,
                    baseline->noise ? &*baseline->noise : nullptr);
  } else {
    report.notes.push_back("no stored baseline for fingerprint " +
                           run.info.fingerprint + " in " + baseline_dir);
    const std::optional<StoredBaseline> other =
        store.LoadLatestOther(run.info.fingerprint);
    if (other) {
      report.baseline_source = other->path;
      report.notes.push_back("comparing with the latest other baseline (" +
                             other->run.info.fingerprint + ", accepted " +
                             other->accepted_at +
                             "): after/before ratios and exact metrics only");
      report.comparison = CompareRuns(other->run, run, config);
    } else {
      report.notes.push_back(
          "no baseline of any machine: only targets and failed benchmarks "
          "are checked (store one with benchgate accept)");
    }
  }
  if (options.targets_path.empty()) {
    report.notes.push_back("no --targets given: targets not checked");
  } else {
    AddTargets(run, config, report);
  }
  AddFailedBenchmarks(run, report);
  return Emit(report, options, out);
}

int AcceptCommand(const std::string& run_path, const std::string& baseline_dir,
                  const AcceptCommandOptions& accept,
                  const CommandOptions& options, std::ostream& out) {
  const Config config = ConfigFor(options);
  const Run run = LoadRun(run_path, {options.allocator});
  std::vector<Run> calibration;
  calibration.reserve(accept.calibration_paths.size());
  for (const std::string& path : accept.calibration_paths) {
    calibration.push_back(LoadRun(path, {options.allocator}));
  }
  std::vector<const Run*> calibration_runs;
  for (const Run& each : calibration) calibration_runs.push_back(&each);
  const BaselineStore store(baseline_dir);
  const AcceptResult result =
      store.Accept(run, calibration_runs, config.metrics,
                   AcceptOptions{accept.allow_debug_library, UtcNow()});
  out << "Accepted " << run.source << " (" << run.benchmarks.size()
      << " benchmarks, revision "
      << (run.info.revision.empty() ? "unknown" : run.info.revision)
      << ") as the baseline for fingerprint " << run.info.fingerprint << ": "
      << result.baseline_path << '\n';
  if (run.info.fingerprint_derived) {
    out << "note: no hotpath_fingerprint in the context: fingerprint derived "
           "from Google Benchmark's context\n";
  }
  if (!result.noise_path.empty()) {
    out << "Calibrated A/A noise from " << calibration.size() + 1
        << " runs: " << result.noise_path << '\n';
  }
  return kExitPass;
}

}  // namespace hotpath::benchgate
