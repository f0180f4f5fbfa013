// baselines/targets.json: statistics settings, per-metric policies and the
// improvement targets. Every part is optional; unknown keys are errors so a
// typo cannot silently switch a check off (keys starting with `$` or `_`
// are comments). The schema is documented in tools/benchgate/README.md.

#ifndef HOTPATH_TOOLS_BENCHGATE_READ_CONFIG_H_
#define HOTPATH_TOOLS_BENCHGATE_READ_CONFIG_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "benchgate/judge/bootstrap.h"
#include "benchgate/judge/metric_policy.h"

namespace hotpath::benchgate {

struct StatsConfig {
  double fdr_q = 0.05;            // false discovery rate across the suite
  double min_effect = 0.05;       // floor for noisy metrics without their own
  double noise_multiplier = 1.0;  // x the run's robust relative spread
  // x the typical shift of the whole suite between the two runs (0: off).
  double suite_drift_multiplier = 2.0;
  double unstable_above = 0.25;  // min effect beyond this: "unstable"
  double confidence = 0.95;      // target intervals, simultaneous per target
  int min_repetitions = 5;       // below this no interval is attempted
  // Paired rounds needed before a paired comparison is attempted.
  int min_rounds = 4;
  // With one process per side only a change beyond this can be called: the
  // same binary's next process can differ by 40% on a shared machine.
  double single_process_min_effect = 1.0;
  BootstrapOptions bootstrap;
};

enum class Goal { kAtMost, kAtLeast };

struct Target {
  std::string name;
  std::string description;
  std::vector<std::string> benchmarks;  // patterns over pair keys
  std::vector<std::string> exclude;
  std::string metric;
  Goal goal = Goal::kAtMost;
  double ratio = 1.0;  // after / before must be <= (kAtMost) or >= this
};

struct Config {
  std::string source;  // empty: built-in defaults
  StatsConfig stats;
  MetricPolicies metrics;
  std::vector<Target> targets;
  // Not from the file: set by `gate --exact-only`. CompareRuns then skips
  // noisy metrics and ratio items; targets are unaffected.
  bool exact_only = false;
  // Not from the file: set by `gate`. The old run is a stored baseline, not
  // measured back to back with the new one: its timings are information.
  bool stored_baseline = false;
};

Config ParseConfig(const nlohmann::json& document, const std::string& path);
Config LoadConfig(const std::string& path);

}  // namespace hotpath::benchgate

#endif  // HOTPATH_TOOLS_BENCHGATE_READ_CONFIG_H_
