#include "benchgate/report.h"

namespace hotpath::benchgate {

void AddFailedBenchmarks(const Run& run, Report& report) {
  for (const Benchmark& benchmark : run.benchmarks) {
    if (benchmark.error) {
      report.failed_benchmarks.push_back(benchmark.name + ": " +
                                         *benchmark.error);
    }
  }
}

void Finalise(Report& report) {
  Summary& summary = report.summary;
  summary = Summary{};
  if (report.comparison) {
    for (const ItemComparison& item : report.comparison->items) {
      switch (item.verdict) {
        case Verdict::kRegressed:
          ++summary.regressed;
          break;
        case Verdict::kImproved:
          ++summary.improved;
          break;
        case Verdict::kUnchanged:
          ++summary.unchanged;
          break;
        case Verdict::kUnstable:
          ++summary.unstable;
          break;
        case Verdict::kNotCompared:
          ++summary.not_compared;
          break;
        case Verdict::kError:  // counted from the run's failed benchmarks
          break;
      }
    }
  }
  summary.errors = static_cast<int>(report.failed_benchmarks.size());
  if (report.targets) {
    for (const TargetResult& target : report.targets->targets) {
      switch (target.status) {
        case TargetStatus::kPass:
          ++summary.pass;
          break;
        case TargetStatus::kFail:
          ++summary.fail;
          break;
        case TargetStatus::kInconclusive:
          ++summary.inconclusive;
          break;
        case TargetStatus::kMissing:
          ++summary.missing;
          break;
      }
    }
  }
  const bool failed =
      summary.regressed > 0 || summary.errors > 0 || summary.fail > 0 ||
      (report.options.require_all_targets && summary.missing > 0) ||
      (report.options.fail_inconclusive && summary.inconclusive > 0);
  report.exit_code = failed ? kExitFail : kExitPass;
}

std::string ResultLine(const Report& report) {
  const Summary& s = report.summary;
  std::string line = report.exit_code == kExitPass ? "PASS" : "FAIL";
  line += " (exit " + std::to_string(report.exit_code) + ")";
  std::string parts;
  const auto add = [&](int count, const char* what) {
    if (count == 0) return;
    parts += (parts.empty() ? "" : ", ") + std::to_string(count) + " " + what;
  };
  if (report.comparison) {
    add(s.regressed, "regressed");
    add(s.improved, "improved");
    add(s.unchanged, "unchanged");
    add(s.unstable, "unstable");
    add(s.not_compared, "not compared");
    if (parts.empty()) parts = "nothing compared";
  }
  add(s.errors, "failed benchmark(s)");
  if (report.targets) {
    std::string targets;
    const auto add_target = [&](int count, const char* what) {
      if (count == 0) return;
      targets +=
          (targets.empty() ? "" : ", ") + std::to_string(count) + " " + what;
    };
    add_target(s.pass, "PASS");
    add_target(s.fail, "FAIL");
    add_target(s.inconclusive, "INCONCLUSIVE");
    add_target(s.missing, "MISSING");
    if (targets.empty()) targets = "none defined";
    parts += (parts.empty() ? "" : "; ") + std::string("targets: ") + targets;
  }
  return parts.empty() ? line : line + ": " + parts;
}

}  // namespace hotpath::benchgate
