// Everything one command found, in one place for the renderers, and the
// exit code that follows from it:
//   0  pass
//   1  a regression, a failed benchmark, or a missed target (with
//      --require-all-targets also a missing one, with --fail-inconclusive
//      also an inconclusive one)
//   2  bad input or usage (never from here: those are InputErrors)

#ifndef HOTPATH_TOOLS_BENCHGATE_REPORT_H_
#define HOTPATH_TOOLS_BENCHGATE_REPORT_H_

#include <optional>
#include <string>
#include <vector>

#include "benchgate/compare.h"
#include "benchgate/model.h"
#include "benchgate/targets.h"

namespace hotpath::benchgate {

inline constexpr int kExitPass = 0;
inline constexpr int kExitFail = 1;
inline constexpr int kExitBadInput = 2;

struct ReportOptions {
  bool require_all_targets = false;
  bool fail_inconclusive = false;
};

struct Summary {
  int regressed = 0;
  int improved = 0;
  int unchanged = 0;
  int unstable = 0;
  int not_compared = 0;
  int errors = 0;  // failed benchmarks in the new run
  int pass = 0;
  int fail = 0;
  int inconclusive = 0;
  int missing = 0;
};

struct Report {
  std::string command;  // compare, check or gate
  std::string run_source;
  std::string run_fingerprint;
  std::string baseline_source;  // empty without a baseline
  std::string noise_source;     // "A/A calibration (3 runs)" or empty
  std::optional<Comparison> comparison;
  std::optional<TargetReport> targets;
  std::vector<std::string> failed_benchmarks;  // "name: message", new run
  std::vector<std::string> notes;
  ReportOptions options;

  Summary summary;
  int exit_code = kExitPass;
};

// Lists the run's failed benchmarks in the report.
void AddFailedBenchmarks(const Run& run, Report& report);
// Counts verdicts and sets exit_code.
void Finalise(Report& report);
// "FAIL (exit 1): 1 regressed, ...; targets: ..."
std::string ResultLine(const Report& report);

}  // namespace hotpath::benchgate

#endif  // HOTPATH_TOOLS_BENCHGATE_REPORT_H_
