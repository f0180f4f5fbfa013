// Statistics behind the verdicts.
//
// Timings on a shared machine are skewed and carry outliers, so everything
// here is rank- or median-based: Mann-Whitney U for "did it move", the
// median absolute deviation for "how much does it wobble". The U test is
// exact (conditional on ties) for the sample sizes benchmarks use, which
// matters at n = 9 where the normal approximation is coarse.

#ifndef HOTPATH_TOOLS_BENCHGATE_JUDGE_STATS_H_
#define HOTPATH_TOOLS_BENCHGATE_JUDGE_STATS_H_

#include <cstddef>
#include <span>
#include <vector>

namespace hotpath::benchgate {

double Mean(std::span<const double> values);
double Median(std::span<const double> values);
// Sample standard deviation (n - 1); 0 for fewer than two values.
double StdDev(std::span<const double> values);
double MedianAbsoluteDeviation(std::span<const double> values);
// 1.4826 * MAD / |median|: a relative standard deviation that one outlier
// cannot inflate. 0 when the median is 0 or there are fewer than 3 values.
double RobustRelativeSpread(std::span<const double> values);

struct RankTest {
  double u = 0.0;  // U statistic of x
  double p = 1.0;  // two-sided
  bool exact = false;
};

// Two-sided Mann-Whitney U test of x against y. Exact permutation
// distribution (ties handled by midranks) up to kExactLimit values in all,
// normal approximation with tie and continuity correction beyond.
inline constexpr int kMannWhitneyExactLimit = 60;
RankTest MannWhitneyU(std::span<const double> x, std::span<const double> y);

// The smallest two-sided p-value the U test can give for these sizes: if
// even that is above the significance level, no verdict is possible.
double MannWhitneyMinP(int n1, int n2);

// Two-sided Welch t test from summaries, for aggregates-only inputs.
double WelchTTest(double mean1, double sd1, int n1, double mean2, double sd2,
                  int n2);

// The p-quantile of Student's t with df degrees of freedom.
double StudentTQuantile(double p, double df);

// A shift between two sides with its interval, on whatever scale the
// values are given (benchgate passes log times, so exp() of these is a
// ratio).
struct Shift {
  double estimate = 0.0;
  double low = 0.0;
  double high = 0.0;
  double p = 1.0;           // two-sided, for "no shift"
  double confidence = 0.0;  // of [low, high]; below the asked one if n is small
  int n = 0;                // pairs, or processes in all
};

// Paired differences d: Yuen's trimmed-mean t (the `trim` share cut from
// each end, the winsorized variance, df = kept - 1). Robust to a round a
// neighbour's load spoiled, like a rank test, but its p is continuous: with
// 10 rounds the signed-rank test cannot go below 2/1024, which no
// suite-wide false-discovery control of hundreds of tests lets through.
Shift PairedTrimmedShift(std::span<const double> d, double confidence,
                         double trim = 0.2);

// Two independent groups of per-process values, the shift y - x. With at
// least kRankShiftMinimum processes a side: the Hodges-Lehmann estimate,
// the Mann-Whitney test and its distribution-free interval (normal
// approximation for the order statistic). With fewer: the difference of
// means with Welch's t interval; when one group has a single process, the
// other group's spread stands for both (df = its size - 1). Needs at least
// two values in one group and one in the other.
inline constexpr std::size_t kRankShiftMinimum = 4;
Shift ProcessShift(std::span<const double> x, std::span<const double> y,
                   double confidence);

// Benjamini-Hochberg adjusted p-values (q-values), in input order.
std::vector<double> BenjaminiHochberg(std::span<const double> p_values);

}  // namespace hotpath::benchgate

#endif  // HOTPATH_TOOLS_BENCHGATE_JUDGE_STATS_H_
