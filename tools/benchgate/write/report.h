// Everything one command found, in one place for the renderers, and the
// exit code that follows from it:
//   0  pass
//   1  a regression, a failed benchmark, a timing that had to be judged
//      but could not be (one process per side), or a missed target (with
//      --require-all-targets also a missing one, with --fail-inconclusive
//      also an inconclusive one)
//   2  bad input or usage (never from here: those are InputErrors)

#ifndef HOTPATH_TOOLS_BENCHGATE_WRITE_REPORT_H_
#define HOTPATH_TOOLS_BENCHGATE_WRITE_REPORT_H_

#include <optional>
#include <string>
#include <vector>

#include "benchgate/judge/compare.h"
#include "benchgate/judge/targets.h"
#include "benchgate/model.h"

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
  int information = 0;  // items shown for information only (timing ratios)
  int errors = 0;       // failed benchmarks in the new run
  int pass = 0;
  int fail = 0;
  int inconclusive = 0;
  int missing = 0;
  // Real time of each benchmark item: how tightly its change was bounded.
  // Counted for the comparisons whose timings decide, or else (a stored
  // baseline, another machine) as information.
  bool timings_informational = false;
  int timings = 0;         // benchmark items with a real-time comparison
  int within_5 = 0;        // unchanged, interval inside +-5%
  int within_10 = 0;       // ... inside +-10% (includes within_5)
  int within_25 = 0;       // ... inside +-25%
  int timings_slower = 0;  // regressed (counted above when deciding)
  int timings_faster = 0;
  int not_judged = 0;  // deciding timings with one process per side
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
// "timings judged: 250 of 271 within +-10% (201 within +-5%, ...)", or the
// same marked as information; empty without timing comparisons.
std::string TimingLine(const Report& report);

}  // namespace hotpath::benchgate

#endif  // HOTPATH_TOOLS_BENCHGATE_WRITE_REPORT_H_
