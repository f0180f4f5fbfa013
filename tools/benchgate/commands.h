// The commands, independent of argument parsing so that tests can
// drive them directly. Each returns the exit code (0 or 1) and throws
// InputError for bad input (exit 2).

#ifndef HOTPATH_TOOLS_BENCHGATE_COMMANDS_H_
#define HOTPATH_TOOLS_BENCHGATE_COMMANDS_H_

#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "benchgate/model.h"
#include "benchgate/read/config.h"
#include "benchgate/write/render_html.h"
#include "benchgate/write/report.h"

namespace hotpath::benchgate {

struct CommandOptions {
  std::string allocator;     // subfolder of a run directory
  std::string targets_path;  // targets.json; empty: built-in defaults
  ReportOptions report;
  // gate: exact metrics only against the baseline (timings are judged
  // elsewhere, e.g. against the merge-base on the same machine).
  bool exact_only = false;
  std::string color = "auto";  // auto, always or never
  bool all_metrics = false;
  std::string markdown_path;
  std::string junit_path;
  std::string json_path;
};

int CompareCommand(const std::string& old_path, const std::string& new_path,
                   const CommandOptions& options, std::ostream& out);
int CheckCommand(const std::string& run_path, const CommandOptions& options,
                 std::ostream& out);
int GateCommand(const std::string& run_path, const std::string& baseline_dir,
                const CommandOptions& options, std::ostream& out);

// What the gate finds on `run`, not yet finalised: the comparison with the
// stored baseline for its fingerprint (or the latest other one) when
// `baseline_dir` is not empty, the targets when --targets was given, and
// the failed benchmarks. Shared by gate and report so both judge alike.
// `compared_with`, when given, receives the baseline run compared with
// (the HTML report shows its environment beside the run's).
Report BuildGateReport(const Run& run, const std::string& baseline_dir,
                       const Config& config, const CommandOptions& options,
                       std::optional<Run>* compared_with = nullptr);

struct ReportCommandOptions {
  std::string baseline_dir;  // empty: no baseline comparison
  std::string output_path;   // the HTML file, written atomically
  // A run measured back to back with this one (a PR gate's merge-base):
  // compared as `compare` does, timings deciding, instead of a baseline.
  std::string against_path;
  // The SQLite history (benchgate history): each pair's last runs on this
  // fingerprint drawn, steps flagged, this run marked. Empty: none.
  std::string history_path = {};
  int history_last = 30;
};
// Writes the self-contained HTML report and returns the gate's exit code.
int ReportCommand(const std::string& run_path, const ReportCommandOptions& html,
                  const CommandOptions& options, std::ostream& out);

struct ExportCommandOptions {
  std::string format;       // a name of kExportFormatNames
  std::string output_path;  // written atomically
};
// Writes the run as Bencher Metric Format or github-action-benchmark JSON.
int ExportCommand(const std::string& run_path, const ExportCommandOptions& exp,
                  const CommandOptions& options, std::ostream& out);

struct AcceptCommandOptions {
  std::vector<std::string> calibration_paths;
  bool allow_debug_library = false;
};
int AcceptCommand(const std::string& run_path, const std::string& baseline_dir,
                  const AcceptCommandOptions& accept,
                  const CommandOptions& options, std::ostream& out);

// history add RUN --db FILE: the run, its revision, commit date and branch
// (flags override what the run says) into the SQLite history.
struct HistoryAddOptions {
  std::string db_path;
  std::string revision;
  std::string commit_date;
  std::string branch;
};
int HistoryAddCommand(const std::string& run_path,
                      const HistoryAddOptions& history,
                      const CommandOptions& options, std::ostream& out);

// history changes --db FILE: steps and creeps in each benchmark's series.
// A report: exit 0 whether or not changes are found.
struct HistoryChangesOptions {
  std::string db_path;
  std::string benchmark_pattern;  // glob; empty: all
  std::string fingerprint;        // empty: each fingerprint on its own
  std::string json_path;          // also write the changes as JSON
  int last = 0;                   // only the last N runs; 0: all
};
int HistoryChangesCommand(const HistoryChangesOptions& history,
                          const CommandOptions& options, std::ostream& out);

// Each benchmark's real-time series of the last `last` runs on `run`'s
// fingerprint in the history at `db_path`, with this run marked (appended
// when it was not added yet) and its steps and creep found as history
// changes finds them.
std::map<std::string, HistoryTrend, std::less<>> LoadHistoryTrends(
    const std::string& db_path, const Run& run, const Config& config, int last);

// True if --color=auto should colour `fd`: a terminal, NO_COLOR unset and
// TERM not "dumb".
bool ShouldColor(const std::string& mode, int fd);

}  // namespace hotpath::benchgate

#endif  // HOTPATH_TOOLS_BENCHGATE_COMMANDS_H_
