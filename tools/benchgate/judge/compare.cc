#include "benchgate/judge/compare.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>

#include "benchgate/judge/bootstrap.h"
#include "benchgate/judge/stats.h"
#include "benchgate/write/format.h"

namespace hotpath::benchgate {
namespace {

// Standard error of a median relative to that of a mean, for normal data.
constexpr double kMedianEfficiency = 1.2533;

struct Context {
  const Config& config;
  const NoiseTable* noise;
  CompareMode mode;
  bool alloc_counting_off;
  TimingRole timing;
  // Instruction counts across fingerprints: same compiler, libc, CPU family.
  bool instructions_comparable;
};

bool IsInstructionCount(std::string_view metric) {
  return metric.find("instructions") != std::string_view::npos;
}

double RelativeChange(double old_value, double new_value) {
  if (old_value == new_value) return 0.0;
  if (old_value == 0.0) return new_value > 0.0 ? HUGE_VAL : -HUGE_VAL;
  return (new_value - old_value) / std::fabs(old_value);
}

bool IsWorse(const MetricPolicy& policy, double change) {
  return policy.better == Better::kLower ? change > 0.0 : change < 0.0;
}

double RelativeSpread(const Observations& obs) {
  if (obs.HasReps()) return RobustRelativeSpread(obs.reps);
  return obs.mean != 0.0 ? obs.stddev / std::fabs(obs.mean) : 0.0;
}

// Largest of the floor, the calibrated drift and the run's spread.
// `calibrated` is 0 without an A/A calibration.
void SetMinEffect(const StatsConfig& stats, const MetricPolicy& policy,
                  double calibrated, double spread, MetricComparison& out) {
  out.threshold = policy.min_effect.value_or(stats.min_effect);
  out.threshold_source = "floor";
  if (calibrated > out.threshold) {
    out.threshold = calibrated;
    out.threshold_source = "A/A calibration";
  }
  if (stats.noise_multiplier * spread > out.threshold) {
    out.threshold = stats.noise_multiplier * spread;
    out.threshold_source = "run spread";
  }
}

// Values on a scale where a shift is relative: logs when every value is
// positive, else the raw values over the larger |median| (a counter that
// can be zero), or over the largest |value| when both medians are 0;
// nullopt when every value is 0.
struct Scale {
  bool log = true;
  double unit = 1.0;
  double Apply(double x) const { return log ? std::log(x) : x / unit; }
  // A shift on this scale as a relative change.
  double Relative(double shift) const {
    return log ? std::expm1(shift) : shift;
  }
};

std::optional<Scale> ScaleFor(const Observations& old_obs,
                              const Observations& new_obs) {
  const auto positive = [](const Observations& obs) {
    return std::all_of(obs.reps.begin(), obs.reps.end(),
                       [](double x) { return x > 0.0; });
  };
  if (positive(old_obs) && positive(new_obs)) return Scale{};
  // A counter that can be zero (an uncontended lock's wait): shifts
  // relative to the larger median, or the largest value if both are 0.
  double unit = std::max(std::fabs(old_obs.median), std::fabs(new_obs.median));
  if (unit == 0.0) {
    for (const Observations* obs : {&old_obs, &new_obs}) {
      for (const double x : obs->reps) unit = std::max(unit, std::fabs(x));
    }
  }
  if (unit == 0.0) return std::nullopt;
  return Scale{false, unit};
}

// Every repetition on both sides the same value (a lock wait of 0): no
// test needed, the change is exactly zero.
bool AllEqual(const Observations& old_obs, const Observations& new_obs) {
  if (old_obs.n < 2 || new_obs.n < 2) return false;  // one value tells little
  const double first = old_obs.reps.front();
  const auto same = [&](const Observations& obs) {
    return std::all_of(obs.reps.begin(), obs.reps.end(),
                       [&](double x) { return x == first; });
  };
  return same(old_obs) && same(new_obs);
}

void SetInterval(const Shift& shift, const Scale& scale,
                 MetricComparison& out) {
  out.change = scale.Relative(shift.estimate);
  out.change_low = scale.Relative(shift.low);
  out.change_high = scale.Relative(shift.high);
  out.confidence = shift.confidence;
  out.p = shift.p;
}

// Rounds of an alternating comparison: head/base per round, paired.
bool TestPaired(const Observations& old_obs, const Observations& new_obs,
                const Scale& scale, const StatsConfig& stats,
                MetricComparison& out) {
  const std::map<int, double> old_rounds = old_obs.PerProcess();
  const std::map<int, double> new_rounds = new_obs.PerProcess();
  std::vector<double> d;
  for (const auto& [round, old_value] : old_rounds) {
    const auto it = new_rounds.find(round);
    if (it != new_rounds.end()) {
      d.push_back(scale.Apply(it->second) - scale.Apply(old_value));
    }
  }
  out.n_old = static_cast<int>(old_rounds.size());
  out.n_new = static_cast<int>(new_rounds.size());
  if (static_cast<int>(d.size()) < stats.min_rounds) {
    out.note = std::to_string(d.size()) + " paired rounds, fewer than " +
               std::to_string(stats.min_rounds) + ": not judged";
    return false;
  }
  out.method = Method::kPairedRounds;
  SetInterval(PairedTrimmedShift(d, stats.confidence), scale, out);
  return true;
}

// Processes as the unit: each process's median, Welch's t.
bool TestProcesses(const Observations& old_obs, const Observations& new_obs,
                   const Scale& scale, const StatsConfig& stats,
                   MetricComparison& out) {
  std::vector<double> x;
  std::vector<double> y;
  for (const auto& [id, value] : old_obs.PerProcess()) {
    x.push_back(scale.Apply(value));
  }
  for (const auto& [id, value] : new_obs.PerProcess()) {
    y.push_back(scale.Apply(value));
  }
  out.n_old = static_cast<int>(x.size());
  out.n_new = static_cast<int>(y.size());
  if (x.size() < 2 && y.size() < 2) return false;
  out.method = Method::kProcesses;
  SetInterval(ProcessShift(x, y, stats.confidence), scale, out);
  return true;
}

// One process per side: the repetitions show the spread within a process
// only. Tested as before (U test, or Welch on aggregates) so that a gross
// change is still caught; the verdict needs single_process_min_effect.
void TestWithinProcess(const Observations& old_obs, const Observations& new_obs,
                       const StatsConfig& stats, MetricComparison& out) {
  out.n_old = old_obs.n;
  out.n_new = new_obs.n;
  out.not_judged = true;
  const std::string sizes =
      std::to_string(old_obs.n) + " vs " + std::to_string(new_obs.n);
  if (old_obs.HasReps() && new_obs.HasReps()) {
    if (MannWhitneyMinP(old_obs.n, new_obs.n) > stats.fdr_q) {
      out.note = "too few repetitions to test (" + sizes + ")";
      return;
    }
    out.method = Method::kMannWhitney;
    out.p = MannWhitneyU(old_obs.reps, new_obs.reps).p;
  } else if (old_obs.n >= 2 && new_obs.n >= 2) {
    // Aggregates-only files keep no samples; means and deviations remain.
    out.method = Method::kWelch;
    out.p = WelchTTest(old_obs.mean, old_obs.stddev, old_obs.n, new_obs.mean,
                       new_obs.stddev, new_obs.n);
  } else {
    out.note = "too few repetitions to test (" + sizes + ")";
    return;
  }
  out.note = "one process per side: only a change beyond " +
             FormatPercent(stats.single_process_min_effect) +
             " can be told from the spread between processes";
}

MetricComparison CompareNoisy(const std::string& benchmark,
                              const std::string& metric,
                              const MetricPolicy& policy,
                              const Observations& old_obs,
                              const Observations& new_obs, const Context& ctx) {
  const StatsConfig& stats = ctx.config.stats;
  MetricComparison out;
  out.metric = metric;
  out.policy = policy;
  out.informational = !TimingsDecide(ctx.timing);
  out.old_value = old_obs.median;
  out.new_value = new_obs.median;
  out.change = RelativeChange(out.old_value, out.new_value);
  const double calibrated =
      ctx.noise != nullptr ? ctx.noise->For(benchmark, metric).value_or(0.0)
                           : 0.0;
  if (old_obs.HasReps() && new_obs.HasReps() && AllEqual(old_obs, new_obs)) {
    out.n_old = old_obs.Processes();
    out.n_new = new_obs.Processes();
    out.method = Method::kExact;
    out.p = 1.0;
    out.change_low = out.change_high = 0.0;
    SetMinEffect(stats, policy, 0.0, 0.0, out);
    return out;
  }
  const std::optional<Scale> scale = old_obs.HasReps() && new_obs.HasReps()
                                         ? ScaleFor(old_obs, new_obs)
                                         : std::nullopt;
  if (scale && ctx.timing == TimingRole::kPaired &&
      TestPaired(old_obs, new_obs, *scale, stats, out)) {
    // Drift both sides shared cancels round by round: only the floor.
    SetMinEffect(stats, policy, 0.0, 0.0, out);
    out.threshold_source = "floor (paired rounds)";
    return out;
  }
  if (ctx.timing == TimingRole::kPaired && !out.note.empty()) {
    out.not_judged = true;
    SetMinEffect(stats, policy, 0.0, 0.0, out);
    return out;
  }
  if (scale && TestProcesses(old_obs, new_obs, *scale, stats, out)) {
    // The processes carry the noise between them; the calibration and the
    // suite drift still raise the floor for a run measured minutes apart.
    SetMinEffect(stats, policy, calibrated, 0.0, out);
    return out;
  }
  SetMinEffect(stats, policy, calibrated,
               std::max(RelativeSpread(old_obs), RelativeSpread(new_obs)), out);
  if (stats.single_process_min_effect > out.threshold) {
    out.threshold = stats.single_process_min_effect;
    out.threshold_source = "one process per side";
  }
  TestWithinProcess(old_obs, new_obs, stats, out);
  return out;
}

bool VariesWithinRun(const Observations& obs, double tolerance) {
  if (!obs.HasReps()) return obs.stddev > tolerance;
  const auto [low, high] =
      std::minmax_element(obs.reps.begin(), obs.reps.end());
  return *high - *low > tolerance;
}

MetricComparison CompareExact(const std::string& benchmark,
                              const std::string& metric,
                              const MetricPolicy& policy,
                              const Observations& old_obs,
                              const Observations& new_obs, const Context& ctx) {
  const double tolerance = std::max(
      policy.abs_tolerance, policy.rel_tolerance * std::fabs(old_obs.median));
  if (VariesWithinRun(old_obs, tolerance) ||
      VariesWithinRun(new_obs, tolerance)) {
    // Declared exact but not: comparing single values would turn its
    // wobble into verdicts, so it is treated as the noisy metric it is.
    MetricPolicy noisy = policy;
    noisy.kind = MetricKind::kNoisy;
    if (ctx.mode == CompareMode::kRatio) {
      MetricComparison out;
      out.metric = metric;
      out.policy = noisy;
      out.note =
          "varies across repetitions, so not comparable across "
          "fingerprints";
      return out;
    }
    MetricComparison out =
        CompareNoisy(benchmark, metric, noisy, old_obs, new_obs, ctx);
    out.note =
        "declared exact but varies across repetitions: tested "
        "statistically";
    return out;
  }
  MetricComparison out;
  out.metric = metric;
  out.policy = policy;
  out.method = Method::kExact;
  out.old_value = old_obs.median;
  out.new_value = new_obs.median;
  out.n_old = old_obs.n;
  out.n_new = new_obs.n;
  out.change = RelativeChange(out.old_value, out.new_value);
  out.threshold = tolerance;
  out.threshold_source = "tolerance";
  const double difference = out.new_value - out.old_value;
  if (std::fabs(difference) <= tolerance) {
    out.verdict = Verdict::kUnchanged;
  } else {
    out.verdict =
        IsWorse(policy, difference) ? Verdict::kRegressed : Verdict::kImproved;
  }
  return out;
}

std::vector<std::string> MetricNames(const Benchmark& a, const Benchmark& b) {
  std::vector<std::string> names = {std::string(kRealTime),
                                    std::string(kCpuTime)};
  std::set<std::string> rest;
  for (const auto& [name, obs] : a.metrics) rest.insert(name);
  for (const auto& [name, obs] : b.metrics) rest.insert(name);
  rest.erase(std::string(kRealTime));
  rest.erase(std::string(kCpuTime));
  names.insert(names.end(), rest.begin(), rest.end());
  return names;
}

ItemComparison CompareBenchmark(const Benchmark& old_bm,
                                const Benchmark& new_bm, const Context& ctx) {
  ItemComparison item;
  item.name = new_bm.name;
  if (new_bm.error) {
    item.verdict = Verdict::kError;
    item.note = "error: " + *new_bm.error;
    return item;
  }
  if (old_bm.error) {
    item.note = "errored in the old run (" + *old_bm.error + "): not compared";
    return item;
  }
  for (const std::string& metric : MetricNames(old_bm, new_bm)) {
    const MetricPolicy policy = ctx.config.metrics.Get(metric, new_bm.name);
    const Observations* old_obs = old_bm.Find(metric);
    const Observations* new_obs = new_bm.Find(metric);
    if (ctx.mode == CompareMode::kRatio && policy.kind == MetricKind::kNoisy) {
      continue;  // shown as after/before ratios, for information
    }
    if (ctx.mode == CompareMode::kRatio && IsInstructionCount(metric) &&
        !ctx.instructions_comparable) {
      continue;  // another toolchain, libc or CPU family: see the notes
    }
    if (ctx.config.exact_only && policy.kind == MetricKind::kNoisy) continue;
    if (old_obs == nullptr || new_obs == nullptr) {
      if (old_obs == nullptr && new_obs == nullptr) continue;
      MetricComparison missing;
      missing.metric = metric;
      missing.policy = policy;
      missing.note =
          old_obs == nullptr ? "only in the new run" : "only in the old run";
      item.metrics.push_back(std::move(missing));
      continue;
    }
    if (policy.needs_alloc_counting && ctx.alloc_counting_off) {
      MetricComparison off;
      off.metric = metric;
      off.policy = policy;
      off.note = "allocation counting off";
      item.metrics.push_back(std::move(off));
      continue;
    }
    item.metrics.push_back(
        policy.kind == MetricKind::kExact
            ? CompareExact(new_bm.name, metric, policy, *old_obs, *new_obs, ctx)
            : CompareNoisy(new_bm.name, metric, policy, *old_obs, *new_obs,
                           ctx));
  }
  return item;
}

// Change of the after/before ratio of one noisy metric between two runs.
MetricComparison CompareRatio(const std::string& key, const std::string& metric,
                              const MetricPolicy& policy,
                              const Observations& old_after,
                              const Observations& old_before,
                              const Observations& new_after,
                              const Observations& new_before,
                              const StatsConfig& stats) {
  MetricComparison out;
  out.metric = metric;
  out.policy = policy;
  out.n_old = std::min(old_after.n, old_before.n);
  out.n_new = std::min(new_after.n, new_before.n);
  if (old_before.median <= 0.0 || new_before.median <= 0.0 ||
      old_after.median <= 0.0 || new_after.median <= 0.0) {
    out.note = "a median is zero: no ratio";
    return out;
  }
  out.old_value = old_after.median / old_before.median;
  out.new_value = new_after.median / new_before.median;
  out.change = RelativeChange(out.old_value, out.new_value);
  const double old_spread =
      std::hypot(RelativeSpread(old_after), RelativeSpread(old_before));
  const double new_spread =
      std::hypot(RelativeSpread(new_after), RelativeSpread(new_before));
  SetMinEffect(stats, policy, 0.0, std::max(old_spread, new_spread), out);
  const int fewest = std::min(out.n_old, out.n_new);
  const bool all_reps = old_after.HasReps() && old_before.HasReps() &&
                        new_after.HasReps() && new_before.HasReps();
  if (all_reps && fewest >= stats.min_repetitions) {
    BootstrapOptions options = stats.bootstrap;
    options.seed = SeedFor(options.seed, key + "/" + metric);
    out.method = Method::kBootstrap;
    out.p = BootstrapRatioChange(old_after.reps, old_before.reps,
                                 new_after.reps, new_before.reps, options)
                .p;
  } else if (!all_reps && fewest >= 2) {
    // Delta method on log medians from the aggregates' cv.
    double variance = 0.0;
    for (const Observations* obs :
         {&old_after, &old_before, &new_after, &new_before}) {
      const double cv = kMedianEfficiency * RelativeSpread(*obs);
      variance += cv * cv / obs->n;
    }
    const double shift = std::log(out.new_value / out.old_value);
    out.method = Method::kNormal;
    out.p = variance > 0.0
                ? std::erfc(std::fabs(shift) / std::sqrt(2.0 * variance))
                : (shift == 0.0 ? 1.0 : 0.0);
  } else {
    out.note = "too few repetitions to test (" + std::to_string(fewest) + ")";
  }
  return out;
}

void AddRatioItems(const Run& old_run, const Run& new_run, const Config& config,
                   Comparison& comparison) {
  const std::vector<VariantPair> old_pairs = old_run.Pairs();
  for (const VariantPair& new_pair : new_run.Pairs()) {
    if (new_pair.before == nullptr || new_pair.after == nullptr) continue;
    const auto old_pair = std::find_if(
        old_pairs.begin(), old_pairs.end(),
        [&](const VariantPair& p) { return p.key == new_pair.key; });
    if (old_pair == old_pairs.end() || old_pair->before == nullptr ||
        old_pair->after == nullptr) {
      continue;
    }
    ItemComparison item;
    item.name = new_pair.key;
    item.kind = ItemKind::kRatio;
    const std::array<const Benchmark*, 4> sides = {
        old_pair->after, old_pair->before, new_pair.after, new_pair.before};
    if (std::any_of(sides.begin(), sides.end(),
                    [](const Benchmark* b) { return b->error.has_value(); })) {
      continue;  // reported on the benchmark items
    }
    for (const std::string& metric :
         MetricNames(*new_pair.after, *new_pair.before)) {
      const MetricPolicy policy = config.metrics.GetPair(
          metric, new_pair.before->name, new_pair.after->name);
      if (policy.kind != MetricKind::kNoisy) continue;
      std::array<const Observations*, 4> obs{};
      for (std::size_t i = 0; i < obs.size(); ++i) {
        obs[i] = sides[i]->Find(metric);
      }
      if (std::find(obs.begin(), obs.end(), nullptr) != obs.end()) {
        continue;
      }
      item.metrics.push_back(CompareRatio(new_pair.key, metric, policy, *obs[0],
                                          *obs[1], *obs[2], *obs[3],
                                          config.stats));
      // Ratios of timings are not machine-independent either (a lock
      // costs differently on another CPU): information, never a verdict.
      item.metrics.back().informational = true;
    }
    if (!item.metrics.empty()) comparison.items.push_back(std::move(item));
  }
}

Verdict Overall(const ItemComparison& item) {
  if (item.verdict == Verdict::kError) return Verdict::kError;
  const auto any = [&](Verdict verdict) {
    return std::any_of(item.metrics.begin(), item.metrics.end(),
                       [&](const MetricComparison& m) {
                         return !m.informational && m.verdict == verdict;
                       });
  };
  for (const Verdict verdict : {Verdict::kRegressed, Verdict::kImproved,
                                Verdict::kUnstable, Verdict::kUnchanged}) {
    if (any(verdict)) return verdict;
  }
  return Verdict::kNotCompared;
}

void AddContextNotes(const Run& old_run, const Run& new_run,
                     const Config& config, Comparison& comparison) {
  if (config.exact_only) {
    comparison.notes.emplace_back(
        "exact metrics only (--exact-only): timings and other noisy metrics "
        "are not compared with this baseline");
  }
  if (old_run.info.fingerprint_derived || new_run.info.fingerprint_derived) {
    comparison.notes.emplace_back(
        "no hotpath_fingerprint in the context: fingerprint derived from "
        "Google Benchmark's num_cpus, mhz_per_cpu, caches and "
        "library_build_type (not the executable's name: the same suite built "
        "under another name is the same suite)");
  }
  if (old_run.info.alloc_counting_off || new_run.info.alloc_counting_off) {
    comparison.notes.push_back(
        std::string("allocation counting is off in the ") +
        (new_run.info.alloc_counting_off ? "new" : "old") +
        " run: allocation metrics not compared");
  }
  if (new_run.info.debug_build && !new_run.info.debug_from_library_only) {
    comparison.notes.push_back("the new run is a debug build (" +
                               new_run.info.build_type +
                               "): its timings say little");
  }
}

// False-discovery control in two families. Each benchmark's real time is
// the primary question, one test per benchmark across the suite; CPU time,
// rates and the other clock readings of the same repetitions follow it
// closely (items_per_second is often 1 / real time), so counting them in
// the same family would multiply its size without adding evidence, and a
// single real regression among 271 benchmarks could hardly be significant.
// They, and the noisy counters, form the second family.
void ControlFalseDiscoveries(Comparison& comparison) {
  std::array<std::vector<MetricComparison*>, 2> families;
  for (ItemComparison& item : comparison.items) {
    for (MetricComparison& metric : item.metrics) {
      if (!metric.p) continue;
      const bool primary =
          item.kind == ItemKind::kBenchmark && metric.metric == kRealTime;
      families[primary ? 0 : 1].push_back(&metric);
    }
  }
  for (const std::vector<MetricComparison*>& tested : families) {
    std::vector<double> p_values;
    p_values.reserve(tested.size());
    for (const MetricComparison* metric : tested) {
      p_values.push_back(*metric->p);
    }
    const std::vector<double> q_values = BenjaminiHochberg(p_values);
    for (std::size_t i = 0; i < tested.size(); ++i) tested[i]->q = q_values[i];
  }
}

void Decide(const StatsConfig& stats, Comparison& comparison) {
  for (ItemComparison& item : comparison.items) {
    for (MetricComparison& metric : item.metrics) {
      // Noisy comparisons that got as far as a minimum effect await their
      // q-value; the rest (missing, allocation counting off) stay as they are.
      if (metric.policy.kind != MetricKind::kNoisy ||
          metric.threshold_source.empty()) {
        continue;
      }
      metric.verdict = DecideNoisy(metric, stats);
      if (metric.verdict == Verdict::kUnchanged && metric.change_low &&
          metric.change_high) {
        metric.bound = std::max(std::fabs(*metric.change_low),
                                std::fabs(*metric.change_high));
      }
      if (metric.verdict == Verdict::kUnstable && metric.note.empty()) {
        if (metric.change_low && metric.change_high &&
            (*metric.change_low > 0.0 || *metric.change_high < 0.0)) {
          // The interval excludes no change, yet the suite-wide
          // false-discovery control did not let it through.
          metric.note =
              std::string(*metric.change_low > 0.0 ? "higher" : "lower") +
              " by " + FormatChange(metric.change) + " [" +
              FormatChange(*metric.change_low) + ", " +
              FormatChange(*metric.change_high) +
              "], but not significant among the suite's tests "
              "(q=" +
              FormatP(metric.q.value_or(1.0)) + "): more rounds decide";
        } else {
          metric.note = metric.change_low && metric.change_high
                            ? "interval [" + FormatChange(*metric.change_low) +
                                  ", " + FormatChange(*metric.change_high) +
                                  "] too wide to bound the change by " +
                                  FormatPercent(stats.unstable_above)
                            : "noise (" + FormatPercent(metric.threshold) +
                                  ") hides smaller changes";
        }
      }
    }
    item.verdict = Overall(item);
  }
}

// Repetitions inside one run share the machine's state; two runs minutes
// apart on a shared machine do not (neighbours' load, frequency). When that
// state changes, most of the suite moves together, and tests within each
// run call all of it significant. Assuming most benchmarks did not change,
// the typical shift across the suite measures that drift for this pair of
// runs, like an A/A run would: changes smaller than a multiple of it are
// not counted. Measured on a shared 2-core machine, 15 A/A pairs: real-time
// false alarms 108/945 without it, 5/945 with a multiplier of 2.
// Only timed metrics move with the machine's speed, and only where they are
// not zero: a counter that varies in a few benchmarks (net_heap_growth, or
// the lock wait of the few contended ones) must not lend its spread to the
// same counter in every other one.
void ApplySuiteDrift(const StatsConfig& stats, Comparison& comparison) {
  if (comparison.mode != CompareMode::kAbsolute ||
      comparison.timing == TimingRole::kPaired ||
      stats.suite_drift_multiplier <= 0.0) {
    return;
  }
  constexpr std::size_t kMinBenchmarks = 5;
  std::map<std::string, std::vector<double>, std::less<>> shifts;
  for (const ItemComparison& item : comparison.items) {
    for (const MetricComparison& m : item.metrics) {
      if (m.policy.timed && m.p && m.old_value > 0.0 && m.new_value > 0.0) {
        shifts[m.metric].push_back(
            std::fabs(std::log(m.new_value / m.old_value)));
      }
    }
  }
  std::map<std::string, double, std::less<>> drift;
  for (const auto& [metric, values] : shifts) {
    if (values.size() >= kMinBenchmarks) {
      drift[metric] = std::exp(Median(values)) - 1.0;
    }
  }
  // A counter in too few benchmarks for its own estimate (latency
  // percentiles of one scenario) is timed on the same machine: it takes the
  // real-time drift.
  const auto time = drift.find(kRealTime);
  for (ItemComparison& item : comparison.items) {
    for (MetricComparison& m : item.metrics) {
      // Relative drift means nothing for a zero (an uncontended lock's
      // wait): it would only hide that nothing changed.
      if (!m.policy.timed || !m.p || m.old_value <= 0.0 || m.new_value <= 0.0)
        continue;
      auto it = drift.find(m.metric);
      if (it == drift.end()) it = time;
      if (it == drift.end()) continue;
      const double floor = stats.suite_drift_multiplier * it->second;
      if (floor > m.threshold) {
        m.threshold = floor;
        m.threshold_source = "suite drift";
      }
    }
  }
  if (time != drift.end() &&
      stats.suite_drift_multiplier * time->second > stats.min_effect) {
    comparison.notes.push_back(
        "the suite's real times moved a typical " +
        FormatPercent(time->second) +
        " between the runs: the machine was busier or quieter in one of "
        "them, so changes below " +
        FormatPercent(stats.suite_drift_multiplier * time->second) +
        " are not counted (suite drift; a slowdown of most of the suite at "
        "once would look the same)");
  }
}

// A metric that only one side has (GB's MemoryManager counters appear in
// single-repetition processes only) is one line, not one per benchmark.
void SummariseOneSidedMetrics(Comparison& comparison) {
  std::map<std::string, int> counts;
  for (const ItemComparison& item : comparison.items) {
    for (const MetricComparison& m : item.metrics) {
      if (m.verdict == Verdict::kNotCompared &&
          (m.note == "only in the new run" ||
           m.note == "only in the old run")) {
        ++counts[m.metric + "\t" + m.note];
      }
    }
  }
  for (const auto& [key, count] : counts) {
    const std::size_t tab = key.find('\t');
    comparison.notes.push_back(key.substr(0, tab) + ": " + key.substr(tab + 1) +
                               " in " + std::to_string(count) +
                               " benchmark(s): not compared");
  }
}

void AddRunNotes(const Run& old_run, const Run& new_run,
                 Comparison& comparison) {
  for (const auto& [name, old_fit] : old_run.complexity) {
    const auto new_fit = new_run.complexity.find(name);
    if (new_fit != new_run.complexity.end() &&
        new_fit->second.big_o != old_fit.big_o) {
      comparison.notes.push_back(name + ": complexity fit changed from " +
                                 old_fit.big_o + " to " +
                                 new_fit->second.big_o);
    }
  }
  for (const Run* run : {&old_run, &new_run}) {
    comparison.notes.insert(comparison.notes.end(), run->notes.begin(),
                            run->notes.end());
  }
}

// Days from an ISO 8601 time ("2026-11-22T06:00:35Z", or Google Benchmark's
// "2026-11-22T06:00:35+00:00", offset ignored) until now.
std::optional<double> DaysSince(const std::string& when) {
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(when.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year,
                  &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
                  &consumed) != 6 ||
      consumed < 19) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  const std::time_t then = timegm(&tm);
  if (then == static_cast<std::time_t>(-1)) return std::nullopt;
  const double seconds = std::difftime(std::time(nullptr), then);
  return seconds < 0.0 ? 0.0 : seconds / 86400.0;
}

// "Intel(R) Xeon(R) ..., revision 70b9b1b, 10 days ago": what a stored run
// was recorded on, for the line that says why its timings do not count.
std::string Describe(const RunInfo& info, const nlohmann::json& provenance) {
  std::string text = info.cpu_model.empty() ? "fingerprint " + info.fingerprint
                                            : info.cpu_model;
  if (!info.revision.empty()) text += ", revision " + info.revision;
  std::string when = info.date;
  if (provenance.is_object()) {
    const auto accepted = provenance.find("accepted_at");
    if (accepted != provenance.end() && accepted->is_string()) {
      when = accepted->get<std::string>();
    }
  }
  const std::optional<double> days = DaysSince(when);
  if (days) {
    text += *days < 1.0 ? ", today"
                        : ", " + std::to_string(static_cast<long long>(*days)) +
                              (*days < 2.0 ? " day ago" : " days ago");
  }
  return text;
}

void SetTimingRole(const Run& old_run, const Run& new_run, const Config& config,
                   Comparison& comparison) {
  if (comparison.mode == CompareMode::kRatio) {
    comparison.timing = TimingRole::kOtherMachine;
    comparison.timing_note =
        "timings not comparable: the old run was recorded on " +
        Describe(old_run.info, old_run.provenance) + ", this one on " +
        (new_run.info.cpu_model.empty()
             ? "fingerprint " + new_run.info.fingerprint
             : new_run.info.cpu_model) +
        " (another fingerprint); shown for information, only exact metrics "
        "and the targets decide. A timing verdict needs both sides measured "
        "here, back to back: bench-all --against REF or ci/pr-gate.sh";
    return;
  }
  if (config.stored_baseline) {
    comparison.timing = TimingRole::kStored;
    comparison.timing_note =
        "timings against the stored baseline (" +
        Describe(old_run.info, old_run.provenance) +
        ") are information: not measured back to back, so the machine's "
        "state between the runs is in them; exact metrics and the targets "
        "decide. A timing verdict: bench-all --against REF or ci/pr-gate.sh";
    return;
  }
  if (!old_run.info.pairing.empty() &&
      old_run.info.pairing == new_run.info.pairing) {
    comparison.timing = TimingRole::kPaired;
    comparison.timing_note =
        "timings judged round by round: both runs alternated on this "
        "machine (pairing " +
        new_run.info.pairing + ")";
    return;
  }
  comparison.timing = TimingRole::kDecide;
  comparison.timing_note =
      "timings judged: both runs on one machine (fingerprint " +
      new_run.info.fingerprint + "), each process a replicate";
}

bool InstructionsComparable(const RunInfo& old_info, const RunInfo& new_info,
                            Comparison& comparison) {
  if (comparison.mode == CompareMode::kAbsolute) return true;
  const auto same = [](const std::string& a, const std::string& b) {
    return !a.empty() && a == b;
  };
  if (same(old_info.compiler, new_info.compiler) &&
      same(old_info.libc, new_info.libc) &&
      same(old_info.cpu_family, new_info.cpu_family)) {
    comparison.notes.push_back(
        "instruction counts compared across fingerprints: same compiler, " +
        new_info.libc + " and " + new_info.cpu_family);
    return true;
  }
  const auto show = [](const std::string& value) {
    return value.empty() ? std::string("unknown") : value;
  };
  comparison.notes.push_back(
      "instruction counts not compared: they are exact only for one "
      "compiler, C library and CPU family (glibc picks its string routines "
      "by CPU); old: " +
      show(old_info.compiler) + ", " + show(old_info.libc) + ", " +
      show(old_info.cpu_family) + "; new: " + show(new_info.compiler) + ", " +
      show(new_info.libc) + ", " + show(new_info.cpu_family));
  return false;
}

}  // namespace

const MetricComparison* ItemComparison::Find(std::string_view metric) const {
  for (const MetricComparison& comparison : metrics) {
    if (comparison.metric == metric) return &comparison;
  }
  return nullptr;
}

Verdict DecideNoisy(const MetricComparison& comparison,
                    const StatsConfig& stats) {
  if (!comparison.p) return Verdict::kUnstable;
  const double q = comparison.q.value_or(*comparison.p);
  // On the log scale, so a time and its rate (a -53% time is a +115% rate)
  // get the same verdict; signed or zero values fall back to the plain
  // relative change.
  const bool interval = comparison.change_low && comparison.change_high;
  const bool positive =
      comparison.old_value > 0.0 && comparison.new_value > 0.0;
  const double shift =
      interval && comparison.change > -1.0
          ? std::log1p(comparison.change)
          : (positive ? std::log(comparison.new_value / comparison.old_value)
                      : comparison.change);
  const bool beyond = (interval || positive)
                          ? std::fabs(shift) > std::log1p(comparison.threshold)
                          : std::fabs(comparison.change) > comparison.threshold;
  if (q <= stats.fdr_q && beyond) {
    return IsWorse(comparison.policy, comparison.change) ? Verdict::kRegressed
                                                         : Verdict::kImproved;
  }
  if (comparison.not_judged) return Verdict::kUnstable;
  if (interval) {
    // "Unchanged" is a claim: the whole interval within +-unstable_above.
    const double widest = std::max(std::fabs(*comparison.change_low),
                                   std::fabs(*comparison.change_high));
    return widest > stats.unstable_above ? Verdict::kUnstable
                                         : Verdict::kUnchanged;
  }
  if (comparison.threshold > stats.unstable_above) return Verdict::kUnstable;
  return Verdict::kUnchanged;
}

bool TimingsDecide(TimingRole role) {
  return role == TimingRole::kDecide || role == TimingRole::kPaired;
}

Comparison CompareRuns(const Run& old_run, const Run& new_run,
                       const Config& config, const NoiseTable* noise) {
  Comparison comparison;
  comparison.old_source = old_run.source;
  comparison.new_source = new_run.source;
  comparison.old_fingerprint = old_run.info.fingerprint;
  comparison.new_fingerprint = new_run.info.fingerprint;
  comparison.mode = old_run.info.fingerprint == new_run.info.fingerprint
                        ? CompareMode::kAbsolute
                        : CompareMode::kRatio;
  SetTimingRole(old_run, new_run, config, comparison);
  AddContextNotes(old_run, new_run, config, comparison);
  const bool instructions_comparable =
      InstructionsComparable(old_run.info, new_run.info, comparison);
  const Context ctx{
      config,
      // A calibration is only valid for the machine it was measured on.
      comparison.mode == CompareMode::kAbsolute ? noise : nullptr,
      comparison.mode,
      old_run.info.alloc_counting_off || new_run.info.alloc_counting_off,
      comparison.timing, instructions_comparable};

  for (const Benchmark& new_bm : new_run.benchmarks) {
    const Benchmark* old_bm = old_run.Find(new_bm.name);
    if (old_bm == nullptr) {
      comparison.only_in_new.push_back(new_bm.name);
      continue;
    }
    comparison.items.push_back(CompareBenchmark(*old_bm, new_bm, ctx));
  }
  for (const Benchmark& old_bm : old_run.benchmarks) {
    if (new_run.Find(old_bm.name) == nullptr) {
      comparison.only_in_old.push_back(old_bm.name);
    }
  }
  if (comparison.mode == CompareMode::kRatio && !config.exact_only) {
    AddRatioItems(old_run, new_run, config, comparison);
  }
  ApplySuiteDrift(config.stats, comparison);
  ControlFalseDiscoveries(comparison);
  Decide(config.stats, comparison);
  SummariseOneSidedMetrics(comparison);
  AddRunNotes(old_run, new_run, comparison);
  return comparison;
}

const char* ToString(Verdict verdict) {
  switch (verdict) {
    case Verdict::kUnchanged:
      return "unchanged";
    case Verdict::kImproved:
      return "improved";
    case Verdict::kRegressed:
      return "regressed";
    case Verdict::kUnstable:
      return "unstable";
    case Verdict::kNotCompared:
      return "not compared";
    case Verdict::kError:
      return "error";
  }
  return "?";
}

const char* ToString(Method method) {
  switch (method) {
    case Method::kNone:
      return "none";
    case Method::kExact:
      return "exact";
    case Method::kMannWhitney:
      return "mann-whitney";
    case Method::kWelch:
      return "welch";
    case Method::kBootstrap:
      return "bootstrap";
    case Method::kNormal:
      return "normal";
    case Method::kPairedRounds:
      return "paired rounds";
    case Method::kProcesses:
      return "processes";
  }
  return "?";
}

}  // namespace hotpath::benchgate
