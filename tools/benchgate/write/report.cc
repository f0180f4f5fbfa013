#include "benchgate/write/report.h"

#include <algorithm>

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
          if (!item.metrics.empty() &&
              std::all_of(
                  item.metrics.begin(), item.metrics.end(),
                  [](const MetricComparison& m) { return m.informational; })) {
            ++summary.information;
          } else {
            ++summary.not_compared;
          }
          break;
        case Verdict::kError:  // counted from the run's failed benchmarks
          break;
      }
    }
  }
  if (report.comparison) {
    summary.timings_informational = !TimingsDecide(report.comparison->timing);
    for (const ItemComparison& item : report.comparison->items) {
      for (const MetricComparison& m : item.metrics) {
        if (m.not_judged && !m.informational &&
            m.verdict == Verdict::kUnstable) {
          ++summary.not_judged;
          break;
        }
      }
      if (item.kind != ItemKind::kBenchmark) continue;
      const MetricComparison* time = item.Find(kRealTime);
      if (time == nullptr || time->verdict == Verdict::kNotCompared ||
          !time->p) {
        continue;
      }
      ++summary.timings;
      if (time->verdict == Verdict::kRegressed) ++summary.timings_slower;
      if (time->verdict == Verdict::kImproved) ++summary.timings_faster;
      if (time->bound) {
        summary.within_5 += *time->bound <= 0.05 ? 1 : 0;
        summary.within_10 += *time->bound <= 0.10 ? 1 : 0;
        summary.within_25 += *time->bound <= 0.25 ? 1 : 0;
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
      summary.not_judged > 0 ||
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
    add(s.information, "shown for information only");
    if (parts.empty()) parts = "nothing compared";
    if (s.not_judged > 0) {
      parts += ", " + std::to_string(s.not_judged) +
               " with timings not judged (one process per side: run each "
               "side in several processes, or pass --exact-only)";
    }
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

std::string TimingLine(const Report& report) {
  const Summary& s = report.summary;
  if (!report.comparison || s.timings == 0) return "";
  const auto count = [](int n) { return std::to_string(n); };
  std::string line = s.timings_informational
                         ? "timings (information, not counted): "
                         : "timings judged: ";
  const int unbounded =
      s.timings - s.within_25 - s.timings_slower - s.timings_faster;
  line += "real time of " + count(s.timings) +
          " benchmarks: unchanged within +-5% " + count(s.within_5) +
          ", within +-10% " + count(s.within_10) + ", within +-25% " +
          count(s.within_25);
  if (s.timings_slower > 0) line += "; slower " + count(s.timings_slower);
  if (s.timings_faster > 0) line += "; faster " + count(s.timings_faster);
  if (unbounded > 0) line += "; not bounded " + count(unbounded);
  return line;
}

}  // namespace hotpath::benchgate
