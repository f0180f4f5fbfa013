// Machine-readable verdicts (--json). Schema 1; fields are only added.

#include <algorithm>
#include <cmath>

#include "benchgate/version.h"
#include "benchgate/write/render.h"

namespace hotpath::benchgate {
namespace {

using nlohmann::json;

// JSON has no infinity; a change from zero is written as null.
json Finite(double value) {
  return std::isfinite(value) ? json(value) : json();
}

template <typename T>
json Optional(const std::optional<T>& value) {
  return value ? Finite(*value) : json();
}

json MetricJson(const MetricComparison& m) {
  return json{{"metric", m.metric},
              {"kind", ToString(m.policy.kind)},
              {"better", ToString(m.policy.better)},
              {"old", Finite(m.old_value)},
              {"new", Finite(m.new_value)},
              {"change", Finite(m.change)},
              {"method", ToString(m.method)},
              {"p", Optional(m.p)},
              {"q", Optional(m.q)},
              {"threshold", Finite(m.threshold)},
              {"threshold_source", m.threshold_source},
              {"n_old", m.n_old},
              {"n_new", m.n_new},
              {"change_low", Optional(m.change_low)},
              {"change_high", Optional(m.change_high)},
              {"confidence", m.change_low ? json(m.confidence) : json()},
              {"within", Optional(m.bound)},
              {"informational", m.informational},
              {"not_judged", m.not_judged},
              {"verdict", ToString(m.verdict)},
              {"note", m.note}};
}

const char* ToString(TimingRole role) {
  switch (role) {
    case TimingRole::kDecide:
      return "decide";
    case TimingRole::kPaired:
      return "decide, paired rounds";
    case TimingRole::kStored:
      return "information: stored baseline";
    case TimingRole::kOtherMachine:
      return "information: another machine";
  }
  return "?";
}

// Benchmarks whose deciding timing regressed or could not be bounded:
// what a PR gate re-runs for more rounds before its verdict is final.
json ToConfirm(const Comparison& comparison) {
  json names = json::array();
  for (const ItemComparison& item : comparison.items) {
    if (item.kind != ItemKind::kBenchmark) continue;
    const bool doubtful = std::any_of(
        item.metrics.begin(), item.metrics.end(),
        [](const MetricComparison& m) {
          // Clock readings only: more rounds narrow a timing's interval,
          // not a heap size that varies with the repetitions a process ran.
          return !m.informational && m.policy.kind == MetricKind::kNoisy &&
                 m.policy.timed &&
                 (m.verdict == Verdict::kRegressed ||
                  m.verdict == Verdict::kUnstable);
        });
    if (doubtful) names.push_back(item.name);
  }
  return names;
}

json ComparisonJson(const Comparison& comparison) {
  json items = json::array();
  for (const ItemComparison& item : comparison.items) {
    json metrics = json::array();
    for (const MetricComparison& m : item.metrics)
      metrics.push_back(MetricJson(m));
    items.push_back(
        json{{"name", item.name},
             {"kind", item.kind == ItemKind::kRatio ? "after/before ratio"
                                                    : "benchmark"},
             {"verdict", ToString(item.verdict)},
             {"note", item.note},
             {"metrics", std::move(metrics)}});
  }
  return json{{"old", comparison.old_source},
              {"new", comparison.new_source},
              {"old_fingerprint", comparison.old_fingerprint},
              {"new_fingerprint", comparison.new_fingerprint},
              {"mode", comparison.mode == CompareMode::kAbsolute ? "absolute"
                                                                 : "ratio"},
              {"timings", ToString(comparison.timing)},
              {"timing_note", comparison.timing_note},
              {"items", std::move(items)},
              {"only_in_old", comparison.only_in_old},
              {"only_in_new", comparison.only_in_new},
              {"notes", comparison.notes}};
}

json TargetsJson(const TargetReport& report) {
  json targets = json::array();
  for (const TargetResult& target : report.targets) {
    json pairs = json::array();
    for (const PairResult& pair : target.pairs) {
      pairs.push_back(
          json{{"pair", pair.pair},
               {"status", ToString(pair.status)},
               {"before", Optional(pair.before)},
               {"after", Optional(pair.after)},
               {"ratio", Optional(pair.ratio)},
               {"ci_low", Optional(pair.low)},
               {"ci_high", Optional(pair.high)},
               {"confidence", pair.low ? json(pair.confidence) : json()},
               {"method", pair.method},
               {"note", pair.note}});
    }
    targets.push_back(
        json{{"name", target.target.name},
             {"description", target.target.description},
             {"metric", target.target.metric},
             {"goal",
              target.target.goal == Goal::kAtMost ? "max_ratio" : "min_ratio"},
             {"ratio", target.target.ratio},
             {"status", ToString(target.status)},
             {"note", target.note},
             {"pairs", pairs}});
  }
  return json{{"run", report.source}, {"targets", targets}};
}

}  // namespace

json RenderJson(const Report& report) {
  const Summary& s = report.summary;
  json document = {
      {"schema", 1},
      {"tool", "benchgate"},
      {"version", kVersion},
      {"command", report.command},
      {"result", report.exit_code == kExitPass ? "pass" : "fail"},
      {"exit_code", report.exit_code},
      {"run", report.run_source},
      {"fingerprint", report.run_fingerprint},
      {"baseline",
       report.baseline_source.empty() ? json() : json(report.baseline_source)},
      {"noise", report.noise_source},
      {"notes", report.notes},
      {"failed_benchmarks", report.failed_benchmarks},
      {"summary",
       {{"regressed", s.regressed},
        {"improved", s.improved},
        {"unchanged", s.unchanged},
        {"unstable", s.unstable},
        {"not_compared", s.not_compared},
        {"information_only", s.information},
        {"failed_benchmarks", s.errors},
        {"targets_pass", s.pass},
        {"targets_fail", s.fail},
        {"targets_inconclusive", s.inconclusive},
        {"targets_missing", s.missing},
        {"timings_informational", s.timings_informational},
        {"timings", s.timings},
        {"timings_within_5pct", s.within_5},
        {"timings_within_10pct", s.within_10},
        {"timings_within_25pct", s.within_25},
        {"timings_slower", s.timings_slower},
        {"timings_faster", s.timings_faster},
        {"timings_not_judged", s.not_judged}}},
      {"to_confirm",
       report.comparison ? ToConfirm(*report.comparison) : json::array()},
      {"comparison",
       report.comparison ? ComparisonJson(*report.comparison) : json()},
      {"targets", report.targets ? TargetsJson(*report.targets) : json()},
  };
  return document;
}

}  // namespace hotpath::benchgate
