#include "benchgate/read/config.h"

#include <cmath>
#include <fstream>
#include <initializer_list>
#include <set>
#include <sstream>
#include <string_view>

#include "benchgate/error.h"
#include "benchgate/read/gb_reader.h"
#include "benchgate/read/input_file.h"

namespace hotpath::benchgate {
namespace {

using nlohmann::json;

class ObjectReader {
 public:
  ObjectReader(const json& object, std::string where, const std::string& path)
      : object_(object), where_(std::move(where)), path_(path) {
    if (!object_.is_object()) Fail("must be an object");
  }

  [[noreturn]] void Fail(const std::string& what) const {
    throw InputError(path_, where_ + ": " + what);
  }

  void AllowOnly(std::initializer_list<std::string_view> keys) const {
    for (const auto& [key, value] : object_.items()) {
      if (key.empty() || key.front() == '$' || key.front() == '_') continue;
      bool known = false;
      for (const std::string_view allowed : keys) known |= key == allowed;
      if (!known) Fail("unknown key \"" + key + "\"");
    }
  }

  const json* Find(const char* key) const {
    const auto it = object_.find(key);
    return it == object_.end() ? nullptr : &*it;
  }

  void Number(const char* key, double& out, double low, double high) const {
    const json* value = Find(key);
    if (value == nullptr) return;
    if (!value->is_number()) Fail(std::string(key) + " must be a number");
    out = value->get<double>();
    if (!std::isfinite(out) || out < low || out > high) {
      std::ostringstream range;
      range << key << " must be between " << low << " and " << high;
      Fail(range.str());
    }
  }

  void Integer(const char* key, int& out, int low, int high) const {
    double value = out;
    Number(key, value, low, high);
    if (std::floor(value) != value)
      Fail(std::string(key) + " must be an integer");
    out = static_cast<int>(value);
  }

  void String(const char* key, std::string& out) const {
    const json* value = Find(key);
    if (value == nullptr) return;
    if (!value->is_string()) Fail(std::string(key) + " must be a string");
    out = value->get<std::string>();
  }

  void Bool(const char* key, bool& out) const {
    const json* value = Find(key);
    if (value == nullptr) return;
    if (!value->is_boolean()) Fail(std::string(key) + " must be true or false");
    out = value->get<bool>();
  }

  void Strings(const char* key, std::vector<std::string>& out) const {
    const json* value = Find(key);
    if (value == nullptr) return;
    if (!value->is_array())
      Fail(std::string(key) + " must be an array of strings");
    for (const json& item : *value) {
      if (!item.is_string())
        Fail(std::string(key) + " must be an array of strings");
      out.push_back(item.get<std::string>());
    }
  }

  const std::string& where() const { return where_; }
  const std::string& path() const { return path_; }

 private:
  const json& object_;
  std::string where_;
  const std::string& path_;
};

void ParseStatistics(const ObjectReader& reader, StatsConfig& stats) {
  reader.AllowOnly(
      {"fdr_q", "min_effect", "noise_multiplier", "suite_drift_multiplier",
       "unstable_above", "confidence", "min_repetitions", "min_rounds",
       "single_process_min_effect", "bootstrap_resamples", "seed"});
  reader.Number("fdr_q", stats.fdr_q, 1e-6, 0.5);
  reader.Number("min_effect", stats.min_effect, 0.0, 10.0);
  reader.Number("noise_multiplier", stats.noise_multiplier, 0.0, 100.0);
  reader.Number("suite_drift_multiplier", stats.suite_drift_multiplier, 0.0,
                100.0);
  reader.Number("unstable_above", stats.unstable_above, 0.0, 100.0);
  reader.Number("confidence", stats.confidence, 0.5, 0.9999);
  reader.Integer("min_repetitions", stats.min_repetitions, 2, 1000);
  reader.Integer("min_rounds", stats.min_rounds, 2, 1000);
  reader.Number("single_process_min_effect", stats.single_process_min_effect,
                0.0, 1000.0);
  reader.Integer("bootstrap_resamples", stats.bootstrap.resamples, 100,
                 1000000);
  double seed = static_cast<double>(stats.bootstrap.seed);
  reader.Number("seed", seed, 0, 9007199254740992.0);  // exact in a double
  stats.bootstrap.seed = static_cast<std::uint64_t>(seed);
}

MetricPolicy ParseMetric(const ObjectReader& reader, MetricPolicy policy) {
  reader.AllowOnly({"kind", "better", "abs_tolerance", "rel_tolerance",
                    "min_effect", "needs_alloc_counting", "timed",
                    "description"});
  std::string kind = ToString(policy.kind);
  reader.String("kind", kind);
  if (kind != "exact" && kind != "noisy") {
    reader.Fail("kind must be \"exact\" or \"noisy\"");
  }
  policy.kind = kind == "exact" ? MetricKind::kExact : MetricKind::kNoisy;
  std::string better = ToString(policy.better);
  reader.String("better", better);
  if (better != "lower" && better != "higher") {
    reader.Fail("better must be \"lower\" or \"higher\"");
  }
  policy.better = better == "lower" ? Better::kLower : Better::kHigher;
  reader.Number("abs_tolerance", policy.abs_tolerance, 0.0, 1e300);
  reader.Number("rel_tolerance", policy.rel_tolerance, 0.0, 100.0);
  if (reader.Find("min_effect") != nullptr) {
    double min_effect = 0.0;
    reader.Number("min_effect", min_effect, 0.0, 10.0);
    policy.min_effect = min_effect;
  }
  reader.Bool("needs_alloc_counting", policy.needs_alloc_counting);
  reader.Bool("timed", policy.timed);
  return policy;
}

// overrides[]: {"benchmarks": [...], "exclude": [...], "metrics": {name:
// policy}}; each policy merges over the metric's suite-wide one, so the
// "metrics" section must be read first.
void ParseOverride(const ObjectReader& reader, MetricPolicies& policies) {
  reader.AllowOnly({"description", "benchmarks", "exclude", "metrics"});
  std::vector<std::string> benchmarks;
  std::vector<std::string> exclude;
  reader.Strings("benchmarks", benchmarks);
  if (benchmarks.empty()) {
    reader.Fail("needs \"benchmarks\": a non-empty list of patterns");
  }
  reader.Strings("exclude", exclude);
  const json* metrics = reader.Find("metrics");
  if (metrics == nullptr || !metrics->is_object() || metrics->empty()) {
    reader.Fail("needs \"metrics\": an object of metric policies");
  }
  for (const auto& [name, value] : metrics->items()) {
    if (name.empty() || name.front() == '$' || name.front() == '_') continue;
    const ObjectReader policy(value, reader.where() + ".metrics." + name,
                              reader.path());
    policies.AddOverride(benchmarks, exclude, name,
                         ParseMetric(policy, policies.Get(name)));
  }
}

Target ParseTarget(const ObjectReader& reader) {
  reader.AllowOnly({"name", "description", "benchmarks", "exclude", "metric",
                    "max_ratio", "min_ratio"});
  Target target;
  reader.String("name", target.name);
  if (target.name.empty()) reader.Fail("needs a \"name\"");
  reader.String("description", target.description);
  reader.Strings("benchmarks", target.benchmarks);
  if (target.benchmarks.empty()) {
    reader.Fail("needs \"benchmarks\": a non-empty list of patterns");
  }
  reader.Strings("exclude", target.exclude);
  reader.String("metric", target.metric);
  if (target.metric.empty()) reader.Fail("needs a \"metric\"");
  const bool has_max = reader.Find("max_ratio") != nullptr;
  const bool has_min = reader.Find("min_ratio") != nullptr;
  if (has_max == has_min) {
    reader.Fail("needs exactly one of \"max_ratio\" and \"min_ratio\"");
  }
  target.goal = has_max ? Goal::kAtMost : Goal::kAtLeast;
  reader.Number(has_max ? "max_ratio" : "min_ratio", target.ratio, 1e-9, 1e9);
  return target;
}

}  // namespace

Config ParseConfig(const json& document, const std::string& path) {
  Config config;
  config.source = path;
  const ObjectReader top(document, "top level", path);
  top.AllowOnly({"schema", "description", "statistics", "metrics", "overrides",
                 "targets"});
  if (const json* schema = top.Find("schema");
      schema != nullptr && *schema != 1) {
    top.Fail("unsupported schema (this benchgate reads schema 1)");
  }
  if (const json* statistics = top.Find("statistics")) {
    ParseStatistics(ObjectReader(*statistics, "statistics", path),
                    config.stats);
  }
  if (const json* metrics = top.Find("metrics")) {
    const ObjectReader all(*metrics, "metrics", path);
    for (const auto& [name, value] : metrics->items()) {
      if (name.empty() || name.front() == '$' || name.front() == '_') continue;
      const ObjectReader reader(value, "metrics." + name, path);
      config.metrics.Set(name, ParseMetric(reader, config.metrics.Get(name)));
    }
  }
  if (const json* overrides = top.Find("overrides")) {
    if (!overrides->is_array()) top.Fail("overrides must be an array");
    std::size_t index = 0;
    for (const json& item : *overrides) {
      ParseOverride(
          ObjectReader(item, "overrides[" + std::to_string(index++) + "]",
                       path),
          config.metrics);
    }
  }
  if (const json* targets = top.Find("targets")) {
    if (!targets->is_array()) top.Fail("targets must be an array");
    std::set<std::string> names;
    std::size_t index = 0;
    for (const json& item : *targets) {
      const ObjectReader reader(
          item, "targets[" + std::to_string(index++) + "]", path);
      Target target = ParseTarget(reader);
      if (!names.insert(target.name).second) {
        reader.Fail("duplicate target name \"" + target.name + "\"");
      }
      config.targets.push_back(std::move(target));
    }
  }
  return config;
}

Config LoadConfig(const std::string& path) {
  // Depth-checked, and a number too large for a double is one line too.
  return ParseConfig(ParseJsonInput(ReadInputFile(path), path), path);
}

}  // namespace hotpath::benchgate
