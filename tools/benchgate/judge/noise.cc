#include "benchgate/judge/noise.h"

#include <algorithm>
#include <cmath>

#include "benchgate/error.h"

namespace hotpath::benchgate {

std::optional<double> NoiseTable::For(std::string_view benchmark,
                                      std::string_view metric) const {
  const auto bench = drift_.find(benchmark);
  if (bench == drift_.end()) return std::nullopt;
  const auto value = bench->second.find(metric);
  if (value == bench->second.end()) return std::nullopt;
  return value->second;
}

void NoiseTable::Set(const std::string& benchmark, const std::string& metric,
                     double drift) {
  drift_[benchmark][metric] = drift;
}

nlohmann::json NoiseTable::ToJson() const {
  nlohmann::json benchmarks = nlohmann::json::object();
  for (const auto& [benchmark, metrics] : drift_) {
    for (const auto& [metric, drift] : metrics) {
      benchmarks[benchmark][metric] = drift;
    }
  }
  return benchmarks;
}

NoiseTable NoiseTable::FromJson(const nlohmann::json& document,
                                const std::string& path) {
  NoiseTable table;
  if (!document.is_object()) throw InputError(path, "must be a JSON object");
  const auto runs = document.find("runs");
  if (runs != document.end() && runs->is_number_integer()) {
    table.runs_ = runs->get<int>();
  }
  const auto benchmarks = document.find("benchmarks");
  if (benchmarks == document.end() || !benchmarks->is_object()) {
    throw InputError(path, "no \"benchmarks\" object");
  }
  for (const auto& [benchmark, metrics] : benchmarks->items()) {
    if (!metrics.is_object()) {
      throw InputError(path, "benchmarks." + benchmark + " must be an object");
    }
    for (const auto& [metric, drift] : metrics.items()) {
      if (!drift.is_number() || !std::isfinite(drift.get<double>()) ||
          drift.get<double>() < 0) {
        throw InputError(path, "benchmarks." + benchmark + "." + metric +
                                   " must be a non-negative number");
      }
      table.Set(benchmark, metric, drift.get<double>());
    }
  }
  return table;
}

NoiseTable NoiseTable::Calibrate(const std::vector<const Run*>& runs,
                                 const MetricPolicies& policies) {
  NoiseTable table;
  table.runs_ = static_cast<int>(runs.size());
  if (runs.size() < 2) return table;
  for (const Benchmark& first : runs.front()->benchmarks) {
    if (first.error) continue;
    for (const auto& [metric, observations] : first.metrics) {
      if (policies.Get(metric, first.name).kind != MetricKind::kNoisy) {
        continue;
      }
      double low = HUGE_VAL;
      double high = -HUGE_VAL;
      bool usable = true;
      for (const Run* run : runs) {
        const Benchmark* benchmark = run->Find(first.name);
        const Observations* obs = benchmark == nullptr || benchmark->error
                                      ? nullptr
                                      : benchmark->Find(metric);
        // Drift is relative; a zero or negative median has none to give.
        if (obs == nullptr || obs->median <= 0.0) {
          usable = false;
          break;
        }
        low = std::min(low, std::log(obs->median));
        high = std::max(high, std::log(obs->median));
      }
      if (usable) table.Set(first.name, metric, std::exp(high - low) - 1.0);
    }
  }
  return table;
}

}  // namespace hotpath::benchgate
