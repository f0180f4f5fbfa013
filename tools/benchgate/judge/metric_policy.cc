#include "benchgate/judge/metric_policy.h"

#include <algorithm>
#include <utility>

#include "benchgate/judge/glob.h"

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
                   Better better = Better::kLower) {
  MetricPolicy policy;
  policy.better = better;
  policy.min_effect = min_effect;
  policy.timed = true;
  return policy;
}

// Noisy but not timed: heap sizes, which vary with the allocator's state
// and the repetition's iteration count, not with the machine's speed.
MetricPolicy HeapSize() {
  MetricPolicy policy;
  policy.needs_alloc_counting = true;
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
      {"bytes_per_iter", Exact(0.5, 0.0, true)},    // derived (gb_reader)
      {"peak_bytes", HeapSize()},
      {"max_bytes_used", HeapSize()},         // GB MemoryManager
      {"net_heap_growth", HeapSize()},        // GB MemoryManager
      {"total_allocated_bytes", HeapSize()},  // GB MemoryManager
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

MetricPolicy MetricPolicies::Get(std::string_view metric,
                                 std::string_view benchmark) const {
  const auto matches = [benchmark](const std::vector<std::string>& patterns) {
    return std::any_of(patterns.begin(), patterns.end(),
                       [benchmark](const std::string& pattern) {
                         return GlobMatch(pattern, benchmark);
                       });
  };
  for (auto it = overrides_.rbegin(); it != overrides_.rend(); ++it) {
    if (it->metric == metric && matches(it->benchmarks) &&
        !matches(it->exclude)) {
      return it->policy;
    }
  }
  return Get(metric);
}

MetricPolicy MetricPolicies::GetPair(std::string_view metric,
                                     std::string_view before,
                                     std::string_view after) const {
  MetricPolicy policy = Get(metric, before);
  if (Get(metric, after).kind == MetricKind::kNoisy) {
    policy.kind = MetricKind::kNoisy;
  }
  return policy;
}

bool MetricPolicies::IsKnown(std::string_view metric) const {
  return policies_.find(metric) != policies_.end();
}

void MetricPolicies::Set(const std::string& metric,
                         const MetricPolicy& policy) {
  policies_[metric] = policy;
}

void MetricPolicies::AddOverride(std::vector<std::string> benchmarks,
                                 std::vector<std::string> exclude,
                                 const std::string& metric,
                                 const MetricPolicy& policy) {
  overrides_.push_back(
      {std::move(benchmarks), std::move(exclude), metric, policy});
}

const char* ToString(MetricKind kind) {
  return kind == MetricKind::kExact ? "exact" : "noisy";
}

const char* ToString(Better better) {
  return better == Better::kLower ? "lower" : "higher";
}

}  // namespace hotpath::benchgate
