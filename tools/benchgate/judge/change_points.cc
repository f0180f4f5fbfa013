#include "benchgate/judge/change_points.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <utility>

#include "benchgate/judge/bootstrap.h"
#include "benchgate/judge/special_functions.h"
#include "benchgate/judge/stats.h"

namespace hotpath::benchgate {
namespace {

double RelativeChange(double before, double after) {
  if (before == 0.0) {
    return after == 0.0 ? 0.0 : std::copysign(HUGE_VAL, after);
  }
  return after / std::abs(before) - (before > 0.0 ? 1.0 : -1.0);
}

double Distance(double a, double b, double exponent) {
  const double d = std::abs(a - b);
  return exponent == 1.0 ? d : std::pow(d, exponent);
}

// The largest scaled energy distance Q(t) over the splits t of `x` that
// leave `min_segment` values on each side, in O(n^2): the within-side sums
// grow (left) and shrink (right) by one row per split, and the cross sum is
// what remains of the total.
std::pair<std::size_t, double> MaxQ(std::span<const double> x,
                                    std::size_t min_segment, double exponent,
                                    std::vector<double>& left,
                                    std::vector<double>& right) {
  const std::size_t n = x.size();
  left.assign(n + 1, 0.0);   // left[t]: sum of |xi - xj| over i < j < t
  right.assign(n + 1, 0.0);  // right[t]: over t <= i < j
  for (std::size_t t = 1; t <= n; ++t) {
    double row = 0.0;
    for (std::size_t i = 0; i + 1 < t; ++i) {
      row += Distance(x[i], x[t - 1], exponent);
    }
    left[t] = left[t - 1] + row;
  }
  for (std::size_t t = n; t-- > 0;) {
    double row = 0.0;
    for (std::size_t j = t + 1; j < n; ++j)
      row += Distance(x[t], x[j], exponent);
    right[t] = right[t + 1] + row;
  }
  const double total = left[n];
  std::size_t best_at = 0;
  double best = -std::numeric_limits<double>::infinity();
  for (std::size_t t = min_segment; t + min_segment <= n; ++t) {
    const auto m = static_cast<double>(t);
    const auto k = static_cast<double>(n - t);
    const double cross = total - left[t] - right[t];
    const double energy = 2.0 * cross / (m * k) -
                          2.0 * left[t] / (m * (m - 1.0)) -
                          2.0 * right[t] / (k * (k - 1.0));
    const double q = m * k / (m + k) * energy;
    if (q > best) {
      best = q;
      best_at = t;
    }
  }
  return {best_at, best};
}

// Log values when all are positive: a step is then the same size at any
// level, as a relative change is.
std::vector<double> Scaled(std::span<const double> values, bool ranks) {
  std::vector<double> scaled(values.begin(), values.end());
  if (ranks) {
    std::vector<std::size_t> order(values.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return values[a] < values[b];
    });
    for (std::size_t i = 0; i < order.size(); ++i) {
      scaled[order[i]] = static_cast<double>(i);
    }
    return scaled;
  }
  if (std::all_of(values.begin(), values.end(),
                  [](double v) { return v > 0.0; })) {
    for (double& v : scaled) v = std::log(v);
  }
  return scaled;
}

double MedianOf(std::span<const double> values, std::size_t begin,
                std::size_t end) {
  return Median(values.subspan(begin, end - begin));
}

// The series three ways: as measured (sizes), ranked (whether a segment
// has a step: a run a neighbour's load spoiled weighs one rank) and as logs
// (where the step is: ranks make the gap at a step one rank wide, so a
// high run just before it would pull the split there as easily).
struct Scales {
  std::span<const double> values;
  std::vector<double> tested;
  std::vector<double> located;
};

void Segment(const Scales& series, std::size_t begin, std::size_t end,
             const ChangePointOptions& options, std::uint64_t seed,
             std::map<std::size_t, double>& found) {
  const auto min_segment =
      static_cast<std::size_t>(std::max(2, options.min_segment));
  if (end - begin < 2 * min_segment) return;
  const Split split = BestSplit(
      std::span<const double>(series.tested).subspan(begin, end - begin),
      options, seed ^ (begin * 0x9E3779B97F4A7C15ULL + end));
  if (split.p > options.alpha) return;
  std::vector<double> left;
  std::vector<double> right;
  const std::size_t at =
      begin +
      MaxQ(std::span<const double>(series.located).subspan(begin, end - begin),
           min_segment, options.exponent, left, right)
          .first;
  std::span<const double> values = series.values;
  const double size =
      RelativeChange(MedianOf(values, begin, at), MedianOf(values, at, end));
  if (!(std::abs(size) >= options.min_step)) return;
  found.emplace(at, split.p);
  Segment(series, begin, at, options, seed, found);
  Segment(series, at, end, options, seed, found);
}

std::vector<Step> NoisySteps(std::span<const double> values,
                             const ChangePointOptions& options,
                             std::uint64_t seed) {
  const Scales series{values, Scaled(values, options.ranks),
                      Scaled(values, false)};
  std::map<std::size_t, double> found;
  Segment(series, 0, values.size(), options, seed, found);
  // Each step's size between its neighbouring segments, now all are known.
  std::vector<Step> steps;
  std::size_t previous = 0;
  for (auto it = found.begin(); it != found.end(); ++it) {
    const auto next = std::next(it);
    const std::size_t end = next == found.end() ? values.size() : next->first;
    Step step;
    step.index = it->first;
    step.before = MedianOf(values, previous, it->first);
    step.after = MedianOf(values, it->first, end);
    step.size = RelativeChange(step.before, step.after);
    step.p = it->second;
    steps.push_back(step);
    previous = it->first;
  }
  return steps;
}

double Tolerance(const MetricPolicy& policy, double old_value) {
  return std::max(policy.abs_tolerance,
                  policy.rel_tolerance * std::abs(old_value));
}

std::vector<Step> ExactSteps(std::span<const double> values,
                             const MetricPolicy& policy) {
  std::vector<Step> steps;
  for (std::size_t i = 1; i < values.size(); ++i) {
    if (std::abs(values[i] - values[i - 1]) >
        Tolerance(policy, values[i - 1])) {
      steps.push_back({i, values[i - 1], values[i],
                       RelativeChange(values[i - 1], values[i]), 0.0});
    }
  }
  return steps;
}

Creep FindCreep(std::span<const double> values, const MetricPolicy& policy,
                const ChangePointOptions& options,
                const std::vector<Step>& steps) {
  Creep creep;
  const std::size_t n = values.size();
  if (policy.kind == MetricKind::kExact) {
    if (n < 2 || !steps.empty()) return creep;
    creep.first = values.front();
    creep.last = values.back();
    creep.drift = RelativeChange(creep.first, creep.last);
    creep.p = 0.0;
    creep.found =
        std::abs(creep.last - creep.first) > Tolerance(policy, creep.first);
    return creep;
  }
  const auto window = static_cast<std::size_t>(std::max(1, options.window));
  if (n < 2 * window) return creep;
  creep.first = MedianOf(values, 0, window);
  creep.last = MedianOf(values, n - window, n);
  creep.drift = RelativeChange(creep.first, creep.last);
  creep.p = MannKendallTest(values).p;
  double largest = 0.0;  // the largest step in the drift's direction
  for (const Step& step : steps) {
    if ((step.size > 0.0) == (creep.drift > 0.0)) {
      largest = std::max(largest, std::abs(step.size));
    }
  }
  // What is left of the drift once the largest step is taken out of it.
  const double residual = (1.0 + std::abs(creep.drift)) / (1.0 + largest) - 1.0;
  creep.found = std::abs(creep.drift) >= options.creep_min &&
                creep.p <= options.creep_alpha && residual >= options.creep_min;
  return creep;
}

}  // namespace

Split BestSplit(std::span<const double> values,
                const ChangePointOptions& options, std::uint64_t seed) {
  Split split;
  const auto min_segment =
      static_cast<std::size_t>(std::max(2, options.min_segment));
  if (values.size() < 2 * min_segment) return split;
  std::vector<double> left;
  std::vector<double> right;
  const auto [at, q] = MaxQ(values, min_segment, options.exponent, left, right);
  split.index = at;
  split.q = q;
  // Permutation test: how often a shuffled series (no change anywhere)
  // splits at least as well. Stops once p cannot reach alpha any more.
  std::mt19937_64 engine(seed);
  std::vector<double> shuffled(values.begin(), values.end());
  const int permutations = std::max(1, options.permutations);
  const double allowed = options.alpha * (permutations + 1.0) - 1.0;
  int at_least = 0;
  int done = 0;
  while (done < permutations) {
    for (std::size_t i = shuffled.size() - 1; i > 0; --i) {
      std::swap(shuffled[i], shuffled[UniformIndex(engine, i + 1)]);
    }
    ++done;
    // A relative tolerance: the same split found again by the shuffle must
    // count as "at least as large" despite rounding.
    if (MaxQ(shuffled, min_segment, options.exponent, left, right).second >=
        q * (1.0 - 1e-12)) {
      ++at_least;
      if (at_least > allowed) break;
    }
  }
  split.p = (at_least + 1.0) / (done + 1.0);
  return split;
}

MannKendall MannKendallTest(std::span<const double> values) {
  MannKendall result;
  const std::size_t n = values.size();
  if (n < 3) return result;
  double s = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) {
      s += (values[j] > values[i]) - (values[j] < values[i]);
    }
  }
  std::vector<double> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  const auto nd = static_cast<double>(n);
  double variance = nd * (nd - 1.0) * (2.0 * nd + 5.0);
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    while (j < n && sorted[j] == sorted[i]) ++j;
    const auto t = static_cast<double>(j - i);
    variance -= t * (t - 1.0) * (2.0 * t + 5.0);
    i = j;
  }
  variance /= 18.0;
  result.s = s;
  if (variance <= 0.0) return result;
  // Continuity correction: S moves in steps of 2.
  const double corrected = s > 0.0 ? s - 1.0 : s < 0.0 ? s + 1.0 : 0.0;
  result.z = corrected / std::sqrt(variance);
  result.p = std::min(1.0, 2.0 * (1.0 - NormalCdf(std::abs(result.z))));
  return result;
}

SeriesChanges FindChanges(std::span<const double> values,
                          const MetricPolicy& policy,
                          const ChangePointOptions& options,
                          std::uint64_t seed) {
  SeriesChanges changes;
  changes.steps = policy.kind == MetricKind::kExact
                      ? ExactSteps(values, policy)
                      : NoisySteps(values, options, seed);
  changes.creep = FindCreep(values, policy, options, changes.steps);
  return changes;
}

}  // namespace hotpath::benchgate
