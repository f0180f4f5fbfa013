#include "benchgate/judge/stats.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace hotpath::benchgate {
namespace {

// Reference values from SciPy 1.10 (scipy.stats.mannwhitneyu, two-sided;
// permutation_test with n_resamples=inf for ties).

TEST(MannWhitneyU, CompleteSeparationOfFiveIsTwoOver252) {
  const std::vector<double> x = {1.1, 2.2, 3.3, 4.4, 5.5};
  const std::vector<double> y = {6.1, 7.2, 8.3, 9.4, 10.5};
  const RankTest result = MannWhitneyU(x, y);
  EXPECT_TRUE(result.exact);
  EXPECT_DOUBLE_EQ(result.u, 0.0);
  EXPECT_NEAR(result.p, 0.007936507936507936, 1e-15);
}

TEST(MannWhitneyU, NineRepetitionsMatchScipyExact) {
  const std::vector<double> a = {10.2, 11.5, 9.8,  10.9, 12.1,
                                 10.4, 11.0, 10.7, 9.9};
  const std::vector<double> b = {11.8, 12.5, 11.1, 13.0, 12.2,
                                 11.6, 12.9, 12.0, 11.4};
  const RankTest result = MannWhitneyU(a, b);
  EXPECT_DOUBLE_EQ(result.u, 7.0);
  EXPECT_NEAR(result.p, 0.0018510900863842037, 1e-12);
  // The test is symmetric in its arguments.
  EXPECT_NEAR(MannWhitneyU(b, a).p, result.p, 1e-12);
}

TEST(MannWhitneyU, TiesUseTheExactConditionalDistribution) {
  const std::vector<double> c = {1, 2, 2, 3, 3, 3, 4};
  const std::vector<double> d = {2, 3, 4, 4, 5, 5};
  const RankTest result = MannWhitneyU(c, d);
  EXPECT_TRUE(result.exact);
  EXPECT_DOUBLE_EQ(result.u, 8.5);
  EXPECT_NEAR(result.p, 0.10023310023310024, 1e-12);
}

TEST(MannWhitneyU, LargeSamplesUseTheNormalApproximation) {
  const std::vector<double> e = {
      101.728, 104.108, 101.652, 93.484,  104.527, 102.232, 97.315,  102.906,
      101.823, 101.471, 100.142, 102.734, 96.318,  99.185,  97.589,  102.994,
      100.199, 98.538,  96.09,   98.714,  100.041, 98.622,  106.47,  105.034,
      86.444,  90.555,  99.126,  97.889,  101.068, 101.087, 110.589, 94.44,
      98.112,  110.214, 103.234, 103.315, 97.43,   91.76,   100.837, 100.545};
  const std::vector<double> f = {
      96.863,  99.584,  102.64,  98.276,  102.509, 103.477, 103.178,
      100.469, 105.969, 107.456, 104.604, 98.909,  106.658, 100.493,
      107.396, 97.641,  107.572, 102.9,   96.756,  101.431, 103.271,
      104.364, 98.089,  97.463,  103.998, 100.666, 104.178, 106.798,
      94.756,  104.272, 109.123, 101.512, 98.946,  106.761, 104.267};
  const RankTest result = MannWhitneyU(e, f);
  EXPECT_FALSE(result.exact);
  EXPECT_DOUBLE_EQ(result.u, 482.0);
  EXPECT_NEAR(result.p, 0.02089784675588585, 1e-10);
}

TEST(MannWhitneyU, LargeSamplesWithTiesCorrectTheVariance) {
  std::vector<double> g(10, 5.0);
  g.insert(g.end(), 10, 6.0);
  g.insert(g.end(), 15, 7.0);
  std::vector<double> h(12, 6.0);
  h.insert(h.end(), 10, 7.0);
  h.insert(h.end(), 14, 8.0);
  const RankTest result = MannWhitneyU(g, h);
  EXPECT_DOUBLE_EQ(result.u, 315.0);
  EXPECT_NEAR(result.p, 0.00015767649440822444, 1e-12);
}

TEST(MannWhitneyU, IdenticalSamplesGiveOne) {
  const std::vector<double> same = {3, 3, 3, 3, 3};
  EXPECT_DOUBLE_EQ(MannWhitneyU(same, same).p, 1.0);
}

TEST(MannWhitneyMinP, TellsWhenNoVerdictIsPossible) {
  EXPECT_NEAR(MannWhitneyMinP(3, 3), 0.1, 1e-12);  // 2 / C(6, 3)
  EXPECT_NEAR(MannWhitneyMinP(5, 5), 2.0 / 252.0, 1e-12);
  EXPECT_LT(MannWhitneyMinP(9, 9), 1e-4);
  EXPECT_DOUBLE_EQ(MannWhitneyMinP(1, 1), 1.0);
}

TEST(WelchTTest, MatchesScipyFromSummaries) {
  EXPECT_NEAR(WelchTTest(10.0, 1.5, 9, 11.2, 2.0, 9), 0.170634116623939, 1e-9);
  EXPECT_NEAR(WelchTTest(100.0, 3.0, 5, 101.0, 9.0, 12), 0.737176438753725,
              1e-9);
  EXPECT_DOUBLE_EQ(WelchTTest(1.0, 0.0, 5, 1.0, 0.0, 5), 1.0);
  EXPECT_DOUBLE_EQ(WelchTTest(1.0, 0.0, 5, 2.0, 0.0, 5), 0.0);
}

TEST(BenjaminiHochberg, MatchesRsPAdjust) {
  const std::vector<double> p = {0.01, 0.04, 0.03, 0.005, 0.5, 0.2};
  const std::vector<double> q = BenjaminiHochberg(p);
  const std::vector<double> expected = {0.03, 0.06, 0.06, 0.03, 0.5, 0.24};
  ASSERT_EQ(q.size(), expected.size());
  for (std::size_t i = 0; i < q.size(); ++i)
    EXPECT_NEAR(q[i], expected[i], 1e-12);
}

TEST(BenjaminiHochberg, NeverBelowPAndNeverAboveOne) {
  const std::vector<double> p = {0.9, 0.95, 0.99, 0.001};
  const std::vector<double> q = BenjaminiHochberg(p);
  for (std::size_t i = 0; i < p.size(); ++i) {
    EXPECT_GE(q[i], p[i]);
    EXPECT_LE(q[i], 1.0);
  }
  EXPECT_TRUE(BenjaminiHochberg(std::vector<double>{}).empty());
}

TEST(Descriptive, MedianMeanStdDev) {
  const std::vector<double> odd = {5, 1, 3};
  const std::vector<double> even = {4, 1, 3, 2};
  EXPECT_DOUBLE_EQ(Median(odd), 3.0);
  EXPECT_DOUBLE_EQ(Median(even), 2.5);
  EXPECT_DOUBLE_EQ(Mean(even), 2.5);
  EXPECT_NEAR(StdDev(even), 1.2909944487358056, 1e-12);
  EXPECT_DOUBLE_EQ(StdDev(std::vector<double>{7}), 0.0);
}

TEST(Descriptive, RobustSpreadIgnoresOneOutlier) {
  const std::vector<double> clean = {100, 101, 99, 102, 98, 100, 101, 99, 100};
  std::vector<double> outlier = clean;
  outlier[4] = 150;  // a neighbour stole the core once
  EXPECT_NEAR(RobustRelativeSpread(clean), 1.4826 * 1.0 / 100.0, 1e-12);
  EXPECT_NEAR(RobustRelativeSpread(outlier), RobustRelativeSpread(clean),
              1e-12);
  EXPECT_GT(StdDev(outlier), 5 * StdDev(clean));
}

TEST(StudentTQuantile, MatchesTables) {
  EXPECT_NEAR(StudentTQuantile(0.975, 10), 2.2281388519649385, 1e-9);
  EXPECT_NEAR(StudentTQuantile(0.975, 2), 4.302652729911275, 1e-9);
  EXPECT_NEAR(StudentTQuantile(0.025, 4), -2.7764451051977987, 1e-9);
}

TEST(ProcessShift, FewProcessesUseWelch) {
  const std::vector<double> x = {1.0, 1.1, 0.9};
  const std::vector<double> y = {2.0, 2.1, 1.9};
  const Shift shift = ProcessShift(x, y, 0.95);
  EXPECT_DOUBLE_EQ(shift.estimate, 1.0);
  // se = sqrt(0.01/3 * 2), df = 4
  const double half = StudentTQuantile(0.975, 4.0) * std::sqrt(0.02 / 3.0);
  EXPECT_NEAR(shift.low, 1.0 - half, 1e-9);
  EXPECT_NEAR(shift.high, 1.0 + half, 1e-9);
  EXPECT_LT(shift.p, 0.001);
  // One process on a side borrows the other side's spread.
  const Shift one = ProcessShift(std::vector<double>{1.0}, y, 0.95);
  EXPECT_DOUBLE_EQ(one.estimate, 1.0);
  EXPECT_GT(one.high - one.low, 0.0);
  EXPECT_EQ(
      ProcessShift(std::vector<double>{1.0}, std::vector<double>{2.0}, 0.95).p,
      1.0);
}

// Enough processes for ranks: one slow process does not drag the shift.
TEST(ProcessShift, ManyProcessesAreRobustToOneSlowProcess) {
  const std::vector<double> x = {1.00, 1.01, 0.99, 1.02, 0.98, 1.00, 1.01, 1.6};
  const std::vector<double> y = {1.10, 1.11, 1.09, 1.12, 1.08, 1.10, 1.11, 1.1};
  const Shift shift = ProcessShift(x, y, 0.95);
  EXPECT_NEAR(shift.estimate, 0.10, 0.011);
  EXPECT_GT(shift.low, 0.0);
  EXPECT_LT(shift.p, 0.01);
}

// Yuen's trimmed paired t: 20% cut from each end of 10 rounds (2 each),
// winsorized standard deviation 0.0084984 (Python statistics.stdev of
// [.09 .09 .09 .095 .1 .1 .105 .11 .11 .11]), se = sqrt(9 sw^2 / (6 * 5)).
TEST(PairedTrimmedShift, TrimsTwoOfTenFromEachEnd) {
  const std::vector<double> d = {0.08, 0.11, 0.09, 0.12,  0.10,
                                 0.07, 0.13, 0.10, 0.095, 0.105};
  const Shift shift = PairedTrimmedShift(d, 0.95);
  EXPECT_NEAR(shift.estimate, 0.1, 1e-12);
  const double se = std::sqrt(9.0 * 0.008498366 * 0.008498366 / 30.0);
  EXPECT_NEAR(shift.high - shift.estimate, StudentTQuantile(0.975, 5) * se,
              1e-6);
  EXPECT_LT(shift.p, 1e-4);
  // One round a neighbour's load spoiled moves a mean, not this.
  std::vector<double> spoiled = d;
  spoiled[3] = 0.9;
  EXPECT_NEAR(PairedTrimmedShift(spoiled, 0.95).estimate, 0.1, 0.002);
  // Nothing changed: centred on zero, p large.
  const std::vector<double> aa = {0.01,  -0.02, 0.015,  -0.005, 0.0,
                                  -0.01, 0.02,  -0.015, 0.005,  -0.01};
  const Shift none = PairedTrimmedShift(aa, 0.95);
  EXPECT_LT(none.low, 0.0);
  EXPECT_GT(none.high, 0.0);
  EXPECT_GT(none.p, 0.5);
}

}  // namespace
}  // namespace hotpath::benchgate
