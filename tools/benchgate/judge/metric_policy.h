// How each metric is judged: compared exactly or statistically, and which
// direction is better. Built-in defaults cover Google Benchmark's fields
// and the hotpath harness counters; baselines/targets.json overrides them.
// An unknown counter is noisy, timed and lower-is-better unless its name
// ends in `_per_second`, like Google Benchmark's own rate counters.
// Overrides narrow a metric's policy to the benchmarks matching a pattern
// (the open-loop scenarios' allocation counts follow the load, so they are
// noisy there and exact everywhere else).

#ifndef HOTPATH_TOOLS_BENCHGATE_JUDGE_METRIC_POLICY_H_
#define HOTPATH_TOOLS_BENCHGATE_JUDGE_METRIC_POLICY_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hotpath::benchgate {

enum class MetricKind { kExact, kNoisy };
enum class Better { kLower, kHigher };

struct MetricPolicy {
  MetricKind kind = MetricKind::kNoisy;
  Better better = Better::kLower;
  // Exact metrics: a change counts once it exceeds
  // max(abs_tolerance, rel_tolerance * |old|). The absolute part absorbs
  // amortised dust (4.00001 against 4.00002 allocations per op) while one
  // whole allocation more per op always counts.
  double abs_tolerance = 0.0;
  double rel_tolerance = 0.0;
  // Noisy metrics: the smallest relative change that counts; unset means
  // the suite-wide floor (statistics.min_effect).
  std::optional<double> min_effect;
  // Meaningless when the run says hotpath_alloc_counting=off.
  bool needs_alloc_counting = false;
  // Read off a clock, so it moves with the machine's speed: the suite drift
  // (compare.cc) applies. Counts and sizes stay put when a neighbour's load
  // comes and goes, and take no such allowance.
  bool timed = false;
};

class MetricPolicies {
 public:
  // Starts with the built-in defaults.
  MetricPolicies();

  MetricPolicy Get(std::string_view metric) const;
  // The policy for `metric` in `benchmark` (its full name): the last
  // override whose patterns match it (glob.h), else Get(metric).
  MetricPolicy Get(std::string_view metric, std::string_view benchmark) const;
  // For an after/before ratio: noisy when either side's policy is (an
  // override may cover one variant only), else the before's.
  MetricPolicy GetPair(std::string_view metric, std::string_view before,
                       std::string_view after) const;
  bool IsKnown(std::string_view metric) const;
  void Set(const std::string& metric, const MetricPolicy& policy);
  void AddOverride(std::vector<std::string> benchmarks,
                   std::vector<std::string> exclude, const std::string& metric,
                   const MetricPolicy& policy);

 private:
  struct Override {
    std::vector<std::string> benchmarks;
    std::vector<std::string> exclude;
    std::string metric;
    MetricPolicy policy;
  };
  std::map<std::string, MetricPolicy, std::less<>> policies_;
  std::vector<Override> overrides_;
};

const char* ToString(MetricKind kind);
const char* ToString(Better better);

}  // namespace hotpath::benchgate

#endif  // HOTPATH_TOOLS_BENCHGATE_JUDGE_METRIC_POLICY_H_
