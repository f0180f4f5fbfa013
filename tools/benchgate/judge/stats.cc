#include "benchgate/judge/stats.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <map>
#include <mutex>
#include <numeric>
#include <utility>
#include <vector>

#include "benchgate/judge/special_functions.h"

namespace hotpath::benchgate {
namespace {

// Scales the MAD to the standard deviation of a normal distribution.
constexpr double kMadToSigma = 1.4826;

struct Ranked {
  std::vector<int> doubled_ranks;  // 2 x midrank: integers even with ties
  double tie_term = 0.0;           // sum of t^3 - t over tie groups
};

// Ranks x followed by y in one pool; ties share their midrank.
Ranked RankPool(std::span<const double> x, std::span<const double> y) {
  const std::size_t total = x.size() + y.size();
  std::vector<double> values(x.begin(), x.end());
  values.insert(values.end(), y.begin(), y.end());
  std::vector<std::size_t> order(total);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return values[a] < values[b];
  });
  Ranked ranked;
  ranked.doubled_ranks.assign(total, 0);
  std::size_t i = 0;
  while (i < total) {
    std::size_t j = i;
    while (j + 1 < total && values[order[j + 1]] == values[order[i]]) ++j;
    // Positions i..j (0-based) share midrank (i + j + 2) / 2.
    const int doubled = static_cast<int>(i + j + 2);
    for (std::size_t k = i; k <= j; ++k)
      ranked.doubled_ranks[order[k]] = doubled;
    const double t = static_cast<double>(j - i + 1);
    ranked.tie_term += t * t * t - t;
    i = j + 1;
  }
  return ranked;
}

// Exact two-sided p of the rank sum of the first `n1` entries of `ranks`,
// under all C(N, n1) equally likely assignments. Counts subsets by doubled
// rank sum; the permutation distribution is symmetric even with midranks.
// How many subsets of `n1` of `ranks` have each doubled rank sum.
std::vector<double> RankSumCounts(const std::vector<int>& ranks,
                                  std::size_t n1) {
  const std::size_t total = ranks.size();
  const int max_sum = std::accumulate(ranks.begin(), ranks.end(), 0);
  const std::size_t width = static_cast<std::size_t>(max_sum) + 1;
  // counts[k * width + s]: subsets of size k with doubled rank sum s.
  std::vector<double> counts((n1 + 1) * width, 0.0);
  counts[0] = 1.0;
  for (std::size_t item = 0; item < total; ++item) {
    const auto rank = static_cast<std::size_t>(ranks[item]);
    for (std::size_t k = std::min(item + 1, n1); k >= 1; --k) {
      double* row = &counts[k * width];
      const double* below = &counts[(k - 1) * width];
      for (std::size_t s = width - 1; s >= rank; --s) {
        row[s] += below[s - rank];
        if (s == rank) break;
      }
    }
  }
  return std::vector<double>(
      counts.begin() + static_cast<std::ptrdiff_t>(n1 * width), counts.end());
}

// Without ties the ranks are 1..N whatever the values, so the distribution
// depends on (n1, N) only: computed once per pair and kept. A suite of
// 5,000 benchmarks x 20 repetitions spent half of `compare` recomputing it.
const std::vector<double>& UntiedRankSumCounts(std::size_t n1,
                                               std::size_t total) {
  static std::mutex mutex;
  static std::map<std::pair<std::size_t, std::size_t>, std::vector<double>>
      cache;
  const std::lock_guard lock(mutex);
  auto it = cache.find({n1, total});
  if (it == cache.end()) {
    std::vector<int> ranks(total);
    for (std::size_t i = 0; i < total; ++i) {
      ranks[i] = static_cast<int>(2 * (i + 1));
    }
    it = cache.emplace(std::make_pair(n1, total), RankSumCounts(ranks, n1))
             .first;
  }
  return it->second;
}

double ExactRankSumP(const std::vector<int>& ranks, std::size_t n1, bool tied) {
  int observed = 0;
  for (std::size_t i = 0; i < n1; ++i) observed += ranks[i];
  std::vector<double> computed;
  if (tied) computed = RankSumCounts(ranks, n1);
  const std::vector<double>& sums =
      tied ? computed : UntiedRankSumCounts(n1, ranks.size());
  const std::size_t width = sums.size();
  double all = 0.0;
  double at_or_below = 0.0;
  double at_or_above = 0.0;
  for (std::size_t s = 0; s < width; ++s) {
    all += sums[s];
    if (static_cast<int>(s) <= observed) at_or_below += sums[s];
    if (static_cast<int>(s) >= observed) at_or_above += sums[s];
  }
  return std::min(1.0, 2.0 * std::min(at_or_below, at_or_above) / all);
}

double LogBinomial(int n, int k) {
  return std::lgamma(n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0);
}

}  // namespace

double Mean(std::span<const double> values) {
  if (values.empty()) return 0.0;
  return std::accumulate(values.begin(), values.end(), 0.0) /
         static_cast<double>(values.size());
}

double Median(std::span<const double> values) {
  if (values.empty()) return 0.0;
  std::vector<double> sorted(values.begin(), values.end());
  const std::size_t mid = sorted.size() / 2;
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<long>(mid),
                   sorted.end());
  const double upper = sorted[mid];
  if (sorted.size() % 2 == 1) return upper;
  const double lower = *std::max_element(
      sorted.begin(), sorted.begin() + static_cast<long>(mid));
  return (lower + upper) / 2.0;
}

double StdDev(std::span<const double> values) {
  if (values.size() < 2) return 0.0;
  const double mean = Mean(values);
  double sum = 0.0;
  for (const double v : values) sum += (v - mean) * (v - mean);
  return std::sqrt(sum / static_cast<double>(values.size() - 1));
}

double MedianAbsoluteDeviation(std::span<const double> values) {
  const double median = Median(values);
  std::vector<double> deviations;
  deviations.reserve(values.size());
  for (const double v : values) deviations.push_back(std::fabs(v - median));
  return Median(deviations);
}

double RobustRelativeSpread(std::span<const double> values) {
  if (values.size() < 3) return 0.0;
  const double median = Median(values);
  if (median == 0.0) return 0.0;
  return kMadToSigma * MedianAbsoluteDeviation(values) / std::fabs(median);
}

RankTest MannWhitneyU(std::span<const double> x, std::span<const double> y) {
  RankTest result;
  if (x.empty() || y.empty()) return result;
  const Ranked ranked = RankPool(x, y);
  const double n1 = static_cast<double>(x.size());
  const double n2 = static_cast<double>(y.size());
  double doubled_sum = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i)
    doubled_sum += ranked.doubled_ranks[i];
  result.u = doubled_sum / 2.0 - n1 * (n1 + 1.0) / 2.0;
  const std::size_t total = x.size() + y.size();
  if (total <= static_cast<std::size_t>(kMannWhitneyExactLimit)) {
    result.exact = true;
    result.p =
        ExactRankSumP(ranked.doubled_ranks, x.size(), ranked.tie_term > 0.0);
    return result;
  }
  const double n = n1 + n2;
  const double variance =
      n1 * n2 / 12.0 * ((n + 1.0) - ranked.tie_term / (n * (n - 1.0)));
  if (variance <= 0.0) return result;  // every value tied: no evidence
  const double z = std::max(0.0, std::fabs(result.u - n1 * n2 / 2.0) - 0.5) /
                   std::sqrt(variance);
  result.p = std::min(1.0, std::erfc(z / std::sqrt(2.0)));
  return result;
}

double MannWhitneyMinP(int n1, int n2) {
  if (n1 < 1 || n2 < 1) return 1.0;
  // Complete separation is the most extreme outcome; without ties it has
  // probability 1 / C(N, n1) per tail.
  return std::min(1.0, 2.0 * std::exp(-LogBinomial(n1 + n2, n1)));
}

double WelchTTest(double mean1, double sd1, int n1, double mean2, double sd2,
                  int n2) {
  if (n1 < 2 || n2 < 2) return 1.0;
  const double v1 = sd1 * sd1 / n1;
  const double v2 = sd2 * sd2 / n2;
  if (v1 + v2 == 0.0) return mean1 == mean2 ? 1.0 : 0.0;
  const double t = (mean2 - mean1) / std::sqrt(v1 + v2);
  const double df =
      (v1 + v2) * (v1 + v2) / (v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1));
  return std::min(1.0, 2.0 * StudentTCdf(-std::fabs(t), df));
}

double StudentTQuantile(double p, double df) {
  if (p <= 0.0) return -HUGE_VAL;
  if (p >= 1.0) return HUGE_VAL;
  if (p < 0.5) return -StudentTQuantile(1.0 - p, df);
  double low = 0.0;
  double high = 1.0;
  while (StudentTCdf(high, df) < p && high < 1e12) high *= 2.0;
  for (int i = 0; i < 200 && high - low > 1e-12 * high; ++i) {
    const double mid = (low + high) / 2.0;
    (StudentTCdf(mid, df) < p ? low : high) = mid;
  }
  return (low + high) / 2.0;
}

namespace {

// Sets the t interval and the two-sided p of `out.estimate` from its
// standard error and degrees of freedom.
Shift WithTInterval(Shift out, double se, double df, double confidence) {
  if (se == 0.0) {
    out.low = out.high = out.estimate;
    out.p = out.estimate == 0.0 ? 1.0 : 0.0;
    return out;
  }
  const double t = StudentTQuantile(1.0 - (1.0 - confidence) / 2.0, df);
  out.low = out.estimate - t * se;
  out.high = out.estimate + t * se;
  out.p = std::min(1.0, 2.0 * StudentTCdf(-std::fabs(out.estimate / se), df));
  return out;
}

}  // namespace

Shift PairedTrimmedShift(std::span<const double> d, double confidence,
                         double trim) {
  Shift out;
  out.n = static_cast<int>(d.size());
  out.confidence = confidence;
  if (d.size() < 2) return out;
  std::vector<double> sorted(d.begin(), d.end());
  std::sort(sorted.begin(), sorted.end());
  const std::size_t n = sorted.size();
  const auto g =
      static_cast<std::size_t>(std::floor(trim * static_cast<double>(n)));
  const std::size_t kept = n - 2 * g;
  double sum = 0.0;
  for (std::size_t i = g; i < n - g; ++i) sum += sorted[i];
  out.estimate = sum / static_cast<double>(kept);
  std::vector<double> winsorized = sorted;
  for (std::size_t i = 0; i < g; ++i) {
    winsorized[i] = sorted[g];
    winsorized[n - 1 - i] = sorted[n - 1 - g];
  }
  const double sw = StdDev(winsorized);
  if (kept < 2) return out;
  const double se =
      std::sqrt(static_cast<double>(n - 1) * sw * sw /
                (static_cast<double>(kept) * static_cast<double>(kept - 1)));
  const double df = static_cast<double>(kept - 1);
  return WithTInterval(out, se, df, confidence);
}

Shift ProcessShift(std::span<const double> x, std::span<const double> y,
                   double confidence) {
  Shift out;
  out.n = static_cast<int>(x.size() + y.size());
  out.confidence = confidence;
  if (x.empty() || y.empty() || (x.size() < 2 && y.size() < 2)) return out;
  if (x.size() >= kRankShiftMinimum && y.size() >= kRankShiftMinimum) {
    // Enough processes for ranks: the Hodges-Lehmann shift (median of all
    // differences y - x) with the Mann-Whitney interval, which one slow
    // process cannot drag as it drags a mean.
    std::vector<double> differences;
    differences.reserve(x.size() * y.size());
    for (const double a : x) {
      for (const double b : y) differences.push_back(b - a);
    }
    std::sort(differences.begin(), differences.end());
    out.estimate = Median(differences);
    out.p = MannWhitneyU(x, y).p;
    const double m = static_cast<double>(x.size());
    const double n = static_cast<double>(y.size());
    const double z = NormalQuantile(1.0 - (1.0 - confidence) / 2.0);
    const double k =
        std::floor(m * n / 2.0 - z * std::sqrt(m * n * (m + n + 1.0) / 12.0));
    const std::size_t index = static_cast<std::size_t>(
        std::clamp(k, 0.0, static_cast<double>((differences.size() - 1) / 2)));
    out.low = differences[index];
    out.high = differences[differences.size() - 1 - index];
    return out;
  }
  const double mx = Mean(x);
  const double my = Mean(y);
  out.estimate = my - mx;
  double se = 0.0;
  double df = 0.0;
  if (x.size() >= 2 && y.size() >= 2) {
    const double vx = StdDev(x) * StdDev(x) / static_cast<double>(x.size());
    const double vy = StdDev(y) * StdDev(y) / static_cast<double>(y.size());
    se = std::sqrt(vx + vy);
    df = (vx + vy) * (vx + vy) /
         (vx * vx / static_cast<double>(x.size() - 1) +
          vy * vy / static_cast<double>(y.size() - 1));
    if (!std::isfinite(df)) df = static_cast<double>(x.size() + y.size() - 2);
  } else {
    const std::span<const double> many = x.size() >= 2 ? x : y;
    const double s = StdDev(many);
    se = s * std::sqrt(1.0 / static_cast<double>(x.size()) +
                       1.0 / static_cast<double>(y.size()));
    df = static_cast<double>(many.size() - 1);
  }
  return WithTInterval(out, se, df, confidence);
}

std::vector<double> BenjaminiHochberg(std::span<const double> p_values) {
  const std::size_t m = p_values.size();
  std::vector<std::size_t> order(m);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return p_values[a] < p_values[b];
  });
  std::vector<double> q(m, 1.0);
  double running_min = 1.0;
  for (std::size_t rank = m; rank >= 1; --rank) {
    const std::size_t index = order[rank - 1];
    const double adjusted =
        p_values[index] * static_cast<double>(m) / static_cast<double>(rank);
    running_min = std::min(running_min, adjusted);
    q[index] = running_min;
  }
  return q;
}

}  // namespace hotpath::benchgate
