// Compares two runs benchmark by benchmark and metric by metric.
//
// Exact metrics (allocations, bytes, lock acquisitions, instructions per op)
// are compared as values against a tolerance. Noisy metrics (timings,
// latency percentiles, rates) get a verdict only when a shift is both
// significant after Benjamini-Hochberg across every noisy comparison in
// the suite, and larger than the minimum effect: the largest of a floor,
// the A/A drift measured for that benchmark, the run's own spread, and the
// drift of the whole suite between the two runs (see ApplySuiteDrift).
// A shift that is significant but inside the noise is "unchanged"; noise
// too large to see a change below `unstable_above` is "unstable".
//
// Runs with the same fingerprint are compared in absolute terms. Across
// fingerprints only exact metrics and after/before ratios are comparable.

#ifndef HOTPATH_TOOLS_BENCHGATE_COMPARE_H_
#define HOTPATH_TOOLS_BENCHGATE_COMPARE_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "benchgate/config.h"
#include "benchgate/metric_policy.h"
#include "benchgate/model.h"
#include "benchgate/noise.h"

namespace hotpath::benchgate {

enum class Verdict {
  kUnchanged,
  kImproved,
  kRegressed,
  kUnstable,
  kNotCompared,
  kError,
};

enum class Method { kNone, kExact, kMannWhitney, kWelch, kBootstrap, kNormal };

struct MetricComparison {
  std::string metric;
  MetricPolicy policy;
  double old_value = 0.0;  // median; after/before ratio in ratio items
  double new_value = 0.0;
  double change = 0.0;  // (new - old) / |old|; +-inf when old is 0
  Method method = Method::kNone;
  std::optional<double> p;
  std::optional<double> q;  // p adjusted for the false discovery rate
  // Exact: the absolute tolerance. Noisy: the relative minimum effect.
  double threshold = 0.0;
  std::string threshold_source;  // why the threshold is what it is
  int n_old = 0;
  int n_new = 0;
  Verdict verdict = Verdict::kNotCompared;
  std::string note;
};

enum class ItemKind { kBenchmark, kRatio };

struct ItemComparison {
  std::string name;  // benchmark name, or pair key for kRatio
  ItemKind kind = ItemKind::kBenchmark;
  Verdict verdict = Verdict::kNotCompared;
  std::vector<MetricComparison> metrics;
  std::string note;

  const MetricComparison* Find(std::string_view metric) const;
};

enum class CompareMode { kAbsolute, kRatio };

struct Comparison {
  CompareMode mode = CompareMode::kAbsolute;
  std::string old_source;
  std::string new_source;
  std::string old_fingerprint;
  std::string new_fingerprint;
  std::vector<ItemComparison> items;
  std::vector<std::string> only_in_old;
  std::vector<std::string> only_in_new;
  std::vector<std::string> notes;
};

// `noise` (A/A calibration for old_run's fingerprint) may be null.
Comparison CompareRuns(const Run& old_run, const Run& new_run,
                       const Config& config, const NoiseTable* noise = nullptr);

// The verdict of a noisy comparison whose p, q and threshold are set.
Verdict DecideNoisy(const MetricComparison& comparison,
                    const StatsConfig& stats);

const char* ToString(Verdict verdict);
const char* ToString(Method method);

}  // namespace hotpath::benchgate

#endif  // HOTPATH_TOOLS_BENCHGATE_COMPARE_H_
