#include "benchgate/judge/targets.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>

#include "benchgate/error.h"
#include "benchgate/judge/bootstrap.h"
#include "benchgate/judge/glob.h"
#include "benchgate/judge/special_functions.h"
#include "benchgate/judge/stats.h"

namespace hotpath::benchgate {
namespace {

constexpr double kMedianEfficiency = 1.2533;

bool Matches(const Target& target, const std::string& key) {
  const auto match = [&](const std::string& pattern) {
    return GlobMatch(pattern, key);
  };
  return std::any_of(target.benchmarks.begin(), target.benchmarks.end(),
                     match) &&
         std::none_of(target.exclude.begin(), target.exclude.end(), match);
}

std::string Number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4g", value);
  return buffer;
}

// Where the interval [low, high] lies relative to the goal.
TargetStatus Judge(const Target& target, double low, double high) {
  if (target.goal == Goal::kAtMost) {
    if (high <= target.ratio) return TargetStatus::kPass;
    if (low > target.ratio) return TargetStatus::kFail;
  } else {
    if (low >= target.ratio) return TargetStatus::kPass;
    if (high < target.ratio) return TargetStatus::kFail;
  }
  return TargetStatus::kInconclusive;
}

void JudgeExact(const Target& target, const MetricPolicy& policy,
                const Observations& before, const Observations& after,
                PairResult& out) {
  out.method = "exact";
  const double tolerance = std::max(
      policy.abs_tolerance, policy.rel_tolerance * std::fabs(before.median));
  if (before.median <= tolerance) {
    out.status = TargetStatus::kInconclusive;
    out.note = "before has " + Number(before.median) + " " + target.metric +
               ": nothing to reduce, the ratio says nothing";
    if (after.median > before.median + tolerance) {
      out.status = TargetStatus::kFail;
      out.note = "before has " + Number(before.median) + " " + target.metric +
                 ", after " + Number(after.median);
    }
    return;
  }
  out.ratio = after.median / before.median;
  // The tolerance absorbs amortised dust, as in comparisons.
  const double bound = target.ratio * before.median;
  const bool pass = target.goal == Goal::kAtMost
                        ? after.median <= bound + tolerance
                        : after.median >= bound - tolerance;
  out.status = pass ? TargetStatus::kPass : TargetStatus::kFail;
}

void JudgeNoisy(const Target& target, const StatsConfig& stats,
                double confidence, const std::string& key,
                const Observations& before, const Observations& after,
                PairResult& out) {
  out.confidence = confidence;
  const int fewest = std::min(before.n, after.n);
  if (before.median <= 0.0) {
    out.status = TargetStatus::kInconclusive;
    out.note = "before median is " + Number(before.median) + ": no ratio";
    return;
  }
  out.ratio = after.median / before.median;
  if (fewest < stats.min_repetitions) {
    out.status = TargetStatus::kInconclusive;
    out.note = std::to_string(fewest) + " repetition(s): at least " +
               std::to_string(stats.min_repetitions) +
               " needed for an interval";
    return;
  }
  if (before.HasReps() && after.HasReps()) {
    BootstrapOptions options = stats.bootstrap;
    options.seed = SeedFor(options.seed, key + "/" + target.metric);
    const RatioInterval interval =
        BootstrapRatioOfMedians(after.reps, before.reps, confidence, options);
    out.method = "bootstrap";
    out.low = interval.low;
    out.high = interval.high;
  } else {
    // Aggregates only: normal interval on the log ratio from the cv.
    const auto relative_se = [](const Observations& obs) {
      const double cv =
          obs.mean != 0.0 ? obs.stddev / std::fabs(obs.mean) : 0.0;
      return kMedianEfficiency * cv / std::sqrt(static_cast<double>(obs.n));
    };
    const double se = std::hypot(relative_se(before), relative_se(after));
    const double z = NormalQuantile(1.0 - (1.0 - confidence) / 2.0);
    out.method = "normal";
    out.low = *out.ratio * std::exp(-z * se);
    out.high = *out.ratio * std::exp(z * se);
  }
  out.status = Judge(target, *out.low, *out.high);
}

MetricPolicy PairPolicy(const Config& config, const std::string& metric,
                        const VariantPair& pair) {
  return config.metrics.GetPair(metric, pair.before->name, pair.after->name);
}

PairResult JudgePair(const Target& target, const Config& config, const Run& run,
                     double confidence, const VariantPair& pair) {
  PairResult out;
  out.pair = pair.key;
  for (const Benchmark* side : {pair.before, pair.after}) {
    if (side->error) {
      out.status = TargetStatus::kFail;
      out.note = side->name + " failed: " + *side->error;
      return out;
    }
  }
  const MetricPolicy policy = PairPolicy(config, target.metric, pair);
  const Observations* before = pair.before->Find(target.metric);
  const Observations* after = pair.after->Find(target.metric);
  if (before == nullptr || after == nullptr) {
    out.status = TargetStatus::kMissing;
    out.note = "no " + target.metric + " reported";
    return out;
  }
  out.before = before->median;
  out.after = after->median;
  if (policy.needs_alloc_counting && run.info.alloc_counting_off) {
    out.status = TargetStatus::kInconclusive;
    out.note = "allocation counting off in this run";
    return out;
  }
  if (policy.kind == MetricKind::kExact) {
    JudgeExact(target, policy, *before, *after, out);
  } else {
    JudgeNoisy(target, config.stats, confidence, pair.key, *before, *after,
               out);
  }
  return out;
}

TargetStatus Combine(const std::vector<PairResult>& pairs) {
  if (pairs.empty()) return TargetStatus::kMissing;
  const auto any = [&](TargetStatus status) {
    return std::any_of(pairs.begin(), pairs.end(),
                       [&](const PairResult& p) { return p.status == status; });
  };
  if (any(TargetStatus::kFail)) return TargetStatus::kFail;
  const bool all_missing = std::all_of(
      pairs.begin(), pairs.end(),
      [](const PairResult& p) { return p.status == TargetStatus::kMissing; });
  if (all_missing) return TargetStatus::kMissing;
  if (any(TargetStatus::kInconclusive) || any(TargetStatus::kMissing)) {
    return TargetStatus::kInconclusive;
  }
  return TargetStatus::kPass;
}

// The target's patterns match benchmarks of the run but none of them
// reports the metric at all: a misspelt metric, or one the suite stopped
// reporting. Not MISSING (which passes unless every target is required,
// and is meant for a filtered run): FAIL, naming the metric and the
// benchmarks that lack it.
void ReportMetricNowhere(const Target& target,
                         const std::vector<const VariantPair*>& matched,
                         TargetResult& result) {
  std::vector<std::string> lacking;
  for (const VariantPair* pair : matched) {
    for (const Benchmark* side : {pair->before, pair->after}) {
      if (side->Find(target.metric) != nullptr) return;
      lacking.push_back(side->name);
    }
  }
  if (lacking.empty()) return;
  constexpr std::size_t kNamed = 6;
  result.status = TargetStatus::kFail;
  result.note = "metric \"" + target.metric + "\" is reported by none of the " +
                std::to_string(lacking.size()) +
                " matched benchmarks (misspelt?): ";
  for (std::size_t i = 0; i < lacking.size() && i < kNamed; ++i) {
    result.note += (i == 0 ? "" : ", ") + lacking[i];
  }
  if (lacking.size() > kNamed) {
    result.note += " and " + std::to_string(lacking.size() - kNamed) + " more";
  }
  for (PairResult& pair : result.pairs) {
    if (pair.status == TargetStatus::kMissing) {
      pair.status = TargetStatus::kFail;
    }
  }
}

}  // namespace

TargetReport CheckTargets(const Run& run, const Config& config) {
  TargetReport report;
  report.source = run.source;
  const std::vector<VariantPair> pairs = run.Pairs();
  for (const Target& target : config.targets) {
    TargetResult result;
    result.target = target;
    std::vector<const VariantPair*> matched;
    for (const VariantPair& pair : pairs) {
      if (!Matches(target, pair.key)) continue;
      if (pair.before == nullptr || pair.after == nullptr) {
        const Benchmark* present =
            pair.before != nullptr ? pair.before : pair.after;
        throw InputError(run.source,
                         "target \"" + target.name + "\": \"" + present->name +
                             "\" has no " +
                             (pair.before == nullptr ? "before" : "after") +
                             " variant to pair with");
      }
      matched.push_back(&pair);
    }
    if (matched.empty()) {
      result.note = "no before/after pair matches";
      for (const std::string& pattern : target.benchmarks) {
        result.note += " " + pattern;
      }
      report.targets.push_back(std::move(result));
      continue;
    }
    // Every pair must pass, so the intervals hold jointly: Bonferroni.
    const double intervals = std::max<double>(
        1.0, static_cast<double>(std::count_if(
                 matched.begin(), matched.end(), [&](const VariantPair* pair) {
                   return PairPolicy(config, target.metric, *pair).kind ==
                          MetricKind::kNoisy;
                 })));
    const double confidence = 1.0 - (1.0 - config.stats.confidence) / intervals;
    for (const VariantPair* pair : matched) {
      result.pairs.push_back(JudgePair(target, config, run, confidence, *pair));
    }
    result.status = Combine(result.pairs);
    ReportMetricNowhere(target, matched, result);
    report.targets.push_back(std::move(result));
  }
  return report;
}

const char* ToString(TargetStatus status) {
  switch (status) {
    case TargetStatus::kPass:
      return "PASS";
    case TargetStatus::kFail:
      return "FAIL";
    case TargetStatus::kInconclusive:
      return "INCONCLUSIVE";
    case TargetStatus::kMissing:
      return "MISSING";
  }
  return "?";
}

}  // namespace hotpath::benchgate
