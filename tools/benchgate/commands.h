// The four commands, independent of argument parsing so that tests can
// drive them directly. Each returns the exit code (0 or 1) and throws
// InputError for bad input (exit 2).

#ifndef HOTPATH_TOOLS_BENCHGATE_COMMANDS_H_
#define HOTPATH_TOOLS_BENCHGATE_COMMANDS_H_

#include <ostream>
#include <string>
#include <vector>

#include "benchgate/report.h"

namespace hotpath::benchgate {

struct CommandOptions {
  std::string allocator;     // subfolder of a run directory
  std::string targets_path;  // targets.json; empty: built-in defaults
  ReportOptions report;
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

struct AcceptCommandOptions {
  std::vector<std::string> calibration_paths;
  bool allow_debug_library = false;
};
int AcceptCommand(const std::string& run_path, const std::string& baseline_dir,
                  const AcceptCommandOptions& accept,
                  const CommandOptions& options, std::ostream& out);

// True if --color=auto should colour `fd`: a terminal, NO_COLOR unset and
// TERM not "dumb".
bool ShouldColor(const std::string& mode, int fd);

}  // namespace hotpath::benchgate

#endif  // HOTPATH_TOOLS_BENCHGATE_COMMANDS_H_
