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
// The process is the unit of replication (repetitions inside one process
// share its code and heap layout and the machine's state of that moment):
// - paired: both runs carry the same hotpath_pairing (two sides of one
//   alternating comparison, `merge --pairing`): per round the log ratio
//   head/base of the processes' medians, Yuen's trimmed-mean paired t on
//   them (estimate, interval, p); drift both sides shared cancels, so no
//   suite drift applies;
// - processes: otherwise, with several processes on a side, Welch's t on
//   the log of each process's median;
// - one process per side (a plain Google Benchmark run): the spread between
//   processes is unknown, so only a change beyond
//   `single_process_min_effect` can be called; anything smaller is "not
//   judged", which fails a comparison whose timings decide.
// Every judged comparison carries the interval of its change: "unchanged"
// means the whole interval lies within +-unstable_above, and the bound it
// proves is kept.
//
// Timings decide only when both runs were measured back to back on one
// machine: `compare` of two runs of one fingerprint. Against a stored
// baseline (gate) and across fingerprints they are information, computed
// and shown but never counted. Exact metrics decide on any machine;
// instruction counts across fingerprints only where compiler, C library
// and CPU family match.

#ifndef HOTPATH_TOOLS_BENCHGATE_JUDGE_COMPARE_H_
#define HOTPATH_TOOLS_BENCHGATE_JUDGE_COMPARE_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "benchgate/judge/metric_policy.h"
#include "benchgate/judge/noise.h"
#include "benchgate/model.h"
#include "benchgate/read/config.h"

namespace hotpath::benchgate {

enum class Verdict {
  kUnchanged,
  kImproved,
  kRegressed,
  kUnstable,
  kNotCompared,
  kError,
};

enum class Method {
  kNone,
  kExact,
  kMannWhitney,
  kWelch,
  kBootstrap,
  kNormal,
  kPairedRounds,  // Yuen's trimmed paired t over the rounds' log ratios
  kProcesses,     // Welch's t over the processes' log medians
};

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
  int n_old = 0;  // repetitions, or processes / rounds when those decide
  int n_new = 0;
  // The interval of `change` (relative), when the method gives one.
  std::optional<double> change_low;
  std::optional<double> change_high;
  double confidence = 0.0;  // of that interval
  // Unchanged: the largest |change| the interval allows ("within +-4%").
  std::optional<double> bound;
  // Shown, never counted: timings against a stored baseline or another
  // machine's run.
  bool informational = false;
  // A timing that could not be judged (one process per side).
  bool not_judged = false;
  Verdict verdict = Verdict::kNotCompared;
  std::string note;
};

enum class ItemKind { kBenchmark, kRatio };

struct ItemComparison {
  std::string name;  // benchmark name, or pair key for kRatio
  ItemKind kind = ItemKind::kBenchmark;
  // From the metrics that decide; informational ones are left out.
  Verdict verdict = Verdict::kNotCompared;
  std::vector<MetricComparison> metrics;
  std::string note;

  const MetricComparison* Find(std::string_view metric) const;
};

enum class CompareMode { kAbsolute, kRatio };

// Whether timings (noisy metrics) take part in the verdict, and why not.
enum class TimingRole {
  kDecide,       // back to back on one machine: `compare`
  kPaired,       // the same, round by round (hotpath_pairing)
  kStored,       // against a stored baseline: not back to back
  kOtherMachine  // another fingerprint: not comparable
};

struct Comparison {
  CompareMode mode = CompareMode::kAbsolute;
  TimingRole timing = TimingRole::kDecide;
  // One line on what the timings are to this comparison, for the renderers:
  // "not comparable: recorded on Intel Xeon, revision 70b9b1b, 10 days ago".
  std::string timing_note;
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
bool TimingsDecide(TimingRole role);

}  // namespace hotpath::benchgate

#endif  // HOTPATH_TOOLS_BENCHGATE_JUDGE_COMPARE_H_
