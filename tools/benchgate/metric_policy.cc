#include "benchgate/metric_policy.h"

namespace hotpath::benchgate {
namespace {

MetricPolicy Exact(double abs_tolerance, double rel_tolerance = 0.0,
                   bool needs_alloc_counting = false) {
  MetricPolicy policy;
  policy.kind = MetricKind::kExact;
  policy.abs_tolerance = abs_tolerance;
  policy.rel_tolerance = rel_tolerance;
  policy.needs_alloc_counting = needs_alloc_counting;
  return policy;
}

MetricPolicy Noisy(std::optional<double> min_effect = std::nullopt,
                   Better better = Better::kLower,
                   bool needs_alloc_counting = false) {
  MetricPolicy policy;
  policy.better = better;
  policy.min_effect = min_effect;
  policy.needs_alloc_counting = needs_alloc_counting;
  return policy;
}

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         text.substr(text.size() - suffix.size()) == suffix;
}

}  // namespace

MetricPolicies::MetricPolicies() {
  policies_ = {
      {"real_time", Noisy()},
      {"cpu_time", Noisy()},
      {"items_per_second", Noisy(std::nullopt, Better::kHigher)},
      {"bytes_per_second", Noisy(std::nullopt, Better::kHigher)},
      // Counted inside the timed loop; fractions only from amortisation.
      {"allocs_per_op", Exact(0.01, 0.0, true)},
      {"bytes_per_op", Exact(0.5, 0.0, true)},
      {"allocs_per_iter", Exact(0.01, 0.0, true)},  // GB MemoryManager
      {"peak_bytes", Noisy(std::nullopt, Better::kLower, true)},
      {"max_bytes_used", Noisy(std::nullopt, Better::kLower, true)},
      {"lock_acquisitions_per_op", Exact(0.01)},
      // Callgrind slopes (benchgate instructions), exact within one process,
      // but malloc's paths depend on the heap's history: VmOperation/before
      // counts 890.5 run alone and 890.9 after its binary's other benchmarks.
      {"instructions_per_op", Exact(0.5, 0.002)},
      // Contention and tail latency wobble more than a median does.
      {"lock_contended_pct", Noisy(0.10)},
      {"lock_wait_ns_per_op", Noisy(0.10)},
      {"lock_hold_ns_per_op", Noisy(0.10)},
      {"p50_ns", Noisy()},
      {"p90_ns", Noisy()},
      {"p99_ns", Noisy(0.10)},
      {"p999_ns", Noisy(0.15)},
      {"max_ns", Noisy(0.25)},
  };
}

MetricPolicy MetricPolicies::Get(std::string_view metric) const {
  const auto it = policies_.find(metric);
  if (it != policies_.end()) return it->second;
  return Noisy(std::nullopt, EndsWith(metric, "_per_second") ? Better::kHigher
                                                             : Better::kLower);
}

bool MetricPolicies::IsKnown(std::string_view metric) const {
  return policies_.find(metric) != policies_.end();
}

void MetricPolicies::Set(const std::string& metric,
                         const MetricPolicy& policy) {
  policies_[metric] = policy;
}

const char* ToString(MetricKind kind) {
  return kind == MetricKind::kExact ? "exact" : "noisy";
}

const char* ToString(Better better) {
  return better == Better::kLower ? "lower" : "higher";
}

}  // namespace hotpath::benchgate
