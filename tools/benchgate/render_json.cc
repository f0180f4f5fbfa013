// Machine-readable verdicts (--json). Schema 1; fields are only added.

#include <cmath>

#include "benchgate/render.h"
#include "benchgate/version.h"

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
              {"verdict", ToString(m.verdict)},
              {"note", m.note}};
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
             {"metrics", metrics}});
  }
  return json{{"old", comparison.old_source},
              {"new", comparison.new_source},
              {"old_fingerprint", comparison.old_fingerprint},
              {"new_fingerprint", comparison.new_fingerprint},
              {"mode", comparison.mode == CompareMode::kAbsolute ? "absolute"
                                                                 : "ratio"},
              {"items", items},
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
        {"failed_benchmarks", s.errors},
        {"targets_pass", s.pass},
        {"targets_fail", s.fail},
        {"targets_inconclusive", s.inconclusive},
        {"targets_missing", s.missing}}},
      {"comparison",
       report.comparison ? ComparisonJson(*report.comparison) : json()},
      {"targets", report.targets ? TargetsJson(*report.targets) : json()},
  };
  return document;
}

}  // namespace hotpath::benchgate
