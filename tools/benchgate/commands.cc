#include "benchgate/commands.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "benchgate/error.h"
#include "benchgate/judge/compare.h"
#include "benchgate/judge/targets.h"
#include "benchgate/read/config.h"
#include "benchgate/read/input_file.h"
#include "benchgate/read/profiles.h"
#include "benchgate/read/run_loader.h"
#include "benchgate/store/atomic_file.h"
#include "benchgate/store/baseline_store.h"
#include "benchgate/write/export_formats.h"
#include "benchgate/write/render.h"
#include "benchgate/write/render_html.h"

namespace hotpath::benchgate {
namespace {

Config ConfigFor(const CommandOptions& options) {
  return options.targets_path.empty() ? Config{}
                                      : LoadConfig(options.targets_path);
}

// Atomically, as every other output: a kill or a full disk leaves the old
// file or the new one, never a torn one a CI step would then read.
// Renders (only when asked for: at scale a rendering costs as much as
// the comparison) and writes atomically.
template <typename Render>
void WriteReportFile(const std::string& path, Render render) {
  if (path.empty()) return;
  WriteFileAtomically(path, render());
}

// Refuses, before any work, a --markdown, --junit or --json file that would
// replace an input or land in a baseline directory (RefuseProtectedOutput).
void CheckReportOutputs(const CommandOptions& options,
                        const std::vector<std::string>& inputs,
                        const std::vector<std::string>& baseline_dirs) {
  RefuseProtectedOutput(options.markdown_path, "--markdown", inputs,
                        baseline_dirs);
  RefuseProtectedOutput(options.junit_path, "--junit", inputs, baseline_dirs);
  RefuseProtectedOutput(options.json_path, "--json", inputs, baseline_dirs);
}

int Emit(Report& report, const CommandOptions& options, std::ostream& out) {
  report.options = options.report;
  Finalise(report);
  RenderTable(report,
              TableOptions{ShouldColor(options.color, STDOUT_FILENO),
                           options.all_metrics},
              out);
  WriteReportFile(options.markdown_path,
                  [&] { return RenderMarkdown(report); });
  WriteReportFile(options.junit_path, [&] { return RenderJunit(report); });
  WriteReportFile(options.json_path,
                  [&] { return RenderJson(report).dump(2) + "\n"; });
  return report.exit_code;
}

void AddTargets(const Run& run, const Config& config, Report& report) {
  if (config.targets.empty()) {
    report.notes.push_back(config.source + " defines no targets");
    return;
  }
  report.targets = CheckTargets(run, config);
}

// Compares `run` with the stored baseline for its fingerprint, or else
// with the latest baseline of another machine (ratios and exact metrics).
void AddBaselineComparison(const Run& run, const std::string& baseline_dir,
                           const Config& run_config, Report& report,
                           std::optional<Run>* compared_with) {
  // A stored baseline was not measured back to back with this run: its
  // timings are shown, never counted (DESIGN.md, Gating).
  Config config = run_config;
  config.stored_baseline = true;
  const BaselineStore store(baseline_dir);
  store.RequireDirectory();
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
    if (compared_with != nullptr) *compared_with = baseline->run;
    return;
  }
  report.notes.push_back("no stored baseline for fingerprint " +
                         run.info.fingerprint + " in " + baseline_dir);
  const std::optional<StoredBaseline> other =
      store.LoadLatestOther(run.info.fingerprint);
  if (other) {
    report.baseline_source = other->path;
    report.notes.push_back("comparing with the latest other baseline (" +
                           other->run.info.fingerprint + ", accepted " +
                           other->accepted_at +
                           "): exact metrics decide, timings are shown for "
                           "information");
    report.comparison = CompareRuns(other->run, run, config);
    if (compared_with != nullptr) *compared_with = other->run;
  } else {
    report.notes.push_back(
        "no baseline of any machine: only targets and failed benchmarks "
        "are checked (store one with benchgate accept)");
  }
}

// Folders of a run directory that hold something other than results.
bool IsAuxiliaryFolder(const std::string& name) {
  return name == "memory" || name == "gate" || name == "profile" ||
         name == "cpuprofile" || name == "calibration" || name == "processes" ||
         name == "against" || name.empty() || name.front() == '.';
}

bool HasJsonFiles(const std::filesystem::path& dir) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      return true;
    }
  }
  return false;
}

// command.txt beside a run: a missing one is no error; a FIFO, a device or
// an oversized file is (ReadInputFile).
std::string ReadSmallFile(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return "";
  std::string text = ReadInputFile(path.string(), 1 << 20);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
    text.pop_back();
  }
  return text;
}

// The run, the same run under every other allocator, its profiles and the
// command that produced it. Point() aims html's pointers at the members
// once the object has its final address.
struct ReportInputs {
  Run single;  // when the run has no allocator subfolders
  ProfileSet profiles;
  CpuProfileSet cpu_profiles;
  HtmlReportInput html;

  void Point() {
    html.run = html.allocators.empty() ? &single : &html.allocators.front().run;
    html.profiles = &profiles;
    html.cpu_profiles = &cpu_profiles;
  }
};

ReportInputs LoadReportInputs(const std::string& run_path,
                              const CommandOptions& options) {
  namespace fs = std::filesystem;
  ReportInputs inputs;
  std::error_code ec;
  const bool directory = fs::is_directory(run_path, ec);
  // Per-allocator layout: no JSON of its own, one folder per allocator.
  std::vector<std::string> allocators;
  if (directory && !HasJsonFiles(run_path)) {
    for (const auto& entry : fs::directory_iterator(run_path, ec)) {
      const std::string name = entry.path().filename().string();
      if (entry.is_directory() && !IsAuxiliaryFolder(name) &&
          HasJsonFiles(entry.path())) {
        allocators.push_back(name);
      }
    }
  }
  const std::string chosen =
      options.allocator.empty() ? kDefaultAllocator : options.allocator;
  // The chosen allocator first, the rest by name.
  std::sort(allocators.begin(), allocators.end(),
            [&](const std::string& a, const std::string& b) {
              return (a == chosen) != (b == chosen) ? a == chosen : a < b;
            });
  if (allocators.empty() || allocators.front() != chosen) {
    // LoadRun explains what is missing.
    inputs.single = LoadRun(run_path, {options.allocator});
  } else {
    for (const std::string& allocator : allocators) {
      inputs.html.allocators.push_back(
          AllocatorRun{allocator, LoadRun(run_path, {allocator})});
    }
  }
  if (directory) {
    inputs.profiles = LoadProfiles(run_path);
    inputs.cpu_profiles = LoadCpuProfiles(run_path);
    inputs.html.command_line =
        ReadSmallFile(fs::path(run_path) / "command.txt");
    if (inputs.html.command_line.empty()) {
      inputs.html.command_line =
          ReadSmallFile(fs::path(run_path) / chosen / "command.txt");
    }
  }
  return inputs;
}

// The command line that reproduces this report, for the page's footer.
std::string ReportCommandLine(const std::string& run_path,
                              const ReportCommandOptions& html,
                              const CommandOptions& options) {
  std::string line = "benchgate report " + run_path;
  if (!html.baseline_dir.empty()) line += " --baseline " + html.baseline_dir;
  if (!html.against_path.empty()) line += " --against " + html.against_path;
  if (!html.history_path.empty()) line += " --history " + html.history_path;
  if (!options.targets_path.empty()) {
    line += " --targets " + options.targets_path;
  }
  if (!options.allocator.empty()) line += " --allocator " + options.allocator;
  if (options.report.require_all_targets) line += " --require-all-targets";
  if (options.report.fail_inconclusive) line += " --fail-inconclusive";
  return line + " -o " + html.output_path + "  # " + UtcNow();
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
  CheckReportOutputs(options, {old_path, new_path, options.targets_path}, {});
  Config config = ConfigFor(options);
  config.exact_only = options.exact_only;
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
  CheckReportOutputs(options, {run_path, options.targets_path}, {});
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

Report BuildGateReport(const Run& run, const std::string& baseline_dir,
                       const Config& config, const CommandOptions& options,
                       std::optional<Run>* compared_with) {
  Report report;
  report.command = "gate";
  report.run_source = run.source;
  report.run_fingerprint = run.info.fingerprint;
  if (baseline_dir.empty()) {
    report.notes.push_back("no --baseline given: not compared with a baseline");
  } else {
    AddBaselineComparison(run, baseline_dir, config, report, compared_with);
  }
  if (options.targets_path.empty()) {
    report.notes.push_back("no --targets given: targets not checked");
  } else {
    AddTargets(run, config, report);
  }
  AddFailedBenchmarks(run, report);
  return report;
}

int GateCommand(const std::string& run_path, const std::string& baseline_dir,
                const CommandOptions& options, std::ostream& out) {
  CheckReportOutputs(options, {run_path, options.targets_path}, {baseline_dir});
  Config config = ConfigFor(options);
  config.exact_only = options.exact_only;
  // A wrong baseline directory is reported before the run is read.
  BaselineStore(baseline_dir).RequireDirectory();
  const Run run = LoadRun(run_path, {options.allocator});
  Report report = BuildGateReport(run, baseline_dir, config, options);
  return Emit(report, options, out);
}

int ReportCommand(const std::string& run_path, const ReportCommandOptions& html,
                  const CommandOptions& options, std::ostream& out) {
  RefuseProtectedOutput(
      html.output_path, "-o",
      {run_path, html.against_path, options.targets_path, html.history_path},
      {html.baseline_dir});
  const Config config = ConfigFor(options);
  if (!html.baseline_dir.empty()) {
    BaselineStore(html.baseline_dir).RequireDirectory();
  }
  ReportInputs inputs = LoadReportInputs(run_path, options);
  inputs.Point();
  const Run& run = *inputs.html.run;
  std::optional<Run> compared_with;
  Report report =
      BuildGateReport(run, html.against_path.empty() ? html.baseline_dir : "",
                      config, options, &compared_with);
  if (!html.against_path.empty()) {
    compared_with = LoadRun(html.against_path, {options.allocator});
    report.notes.clear();
    report.baseline_source = compared_with->source;
    report.comparison = CompareRuns(*compared_with, run, config);
  }
  inputs.html.baseline = compared_with ? &*compared_with : nullptr;
  inputs.html.baseline_dir = html.baseline_dir;
  inputs.html.run_path = run_path;
  if (!html.history_path.empty()) {
    inputs.html.history_path = html.history_path;
    inputs.html.history =
        LoadHistoryTrends(html.history_path, run, config, html.history_last);
  }
  report.command = "report";
  report.options = options.report;
  Finalise(report);
  inputs.html.report = &report;
  inputs.html.generated_by = ReportCommandLine(run_path, html, options);
  const std::string page = RenderHtml(inputs.html);
  WriteFileAtomically(html.output_path, page);
  out << "benchgate report: wrote " << html.output_path << " ("
      << (page.size() + 1023) / 1024 << " KB)\n";
  return report.exit_code;
}

int ExportCommand(const std::string& run_path, const ExportCommandOptions& exp,
                  const CommandOptions& options, std::ostream& out) {
  const ExportFormat format = ParseExportFormat(exp.format);
  RefuseProtectedOutput(exp.output_path, "-o", {run_path}, {});
  const Run run = LoadRun(run_path, {options.allocator});
  const ExportResult result = RenderExport(run, format);
  WriteFileAtomically(exp.output_path, result.text);
  out << "benchgate export: wrote " << exp.output_path << " (" << exp.format
      << ", " << result.benchmarks << " benchmarks, " << result.entries
      << " metrics, " << result.text.size() << " bytes)\n";
  if (result.entries == 0) {
    // github-action-benchmark stops on a file with no benchmarks.
    out << "note: nothing to export: RUN has no metric this format holds"
        << (format == ExportFormat::kGithubActionBenchmarkBigger
                ? " (items_per_second)"
                : "")
        << '\n';
  }
  if (result.skipped_failed > 0) {
    out << "note: " << result.skipped_failed
        << " failed benchmark(s) left out (benchgate gate reports them)\n";
  }
  return kExitPass;
}

int AcceptCommand(const std::string& run_path, const std::string& baseline_dir,
                  const AcceptCommandOptions& accept,
                  const CommandOptions& options, std::ostream& out) {
  const Config config = ConfigFor(options);
  const Run run = LoadRun(run_path, {options.allocator, /*keep_rows=*/true});
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
  for (const std::string& warning : result.warnings) {
    out << "warning: " << warning << '\n';
  }
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
