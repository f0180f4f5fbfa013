#include "benchgate/judge/bootstrap.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace hotpath::benchgate {
namespace {

const std::vector<double> kBefore = {1010, 1032, 998,  1005, 1120,
                                     990,  1015, 1003, 1027};
const std::vector<double> kAfter = {502, 497, 515, 489, 601,
                                    505, 498, 510, 493};

TEST(Bootstrap, SameSeedSameInterval) {
  const BootstrapOptions options{10000, 42};
  const RatioInterval first =
      BootstrapRatioOfMedians(kAfter, kBefore, 0.95, options);
  const RatioInterval second =
      BootstrapRatioOfMedians(kAfter, kBefore, 0.95, options);
  EXPECT_EQ(first.low, second.low);
  EXPECT_EQ(first.high, second.high);
  EXPECT_DOUBLE_EQ(first.ratio, 502.0 / 1010.0);
}

TEST(Bootstrap, PinnedValuesDoNotDriftAcrossPlatformsOrVersions) {
  // std::mt19937_64 is specified by the standard and the index reduction is
  // ours, so these numbers must stay put; a change means verdicts changed.
  const RatioInterval interval = BootstrapRatioOfMedians(
      kAfter, kBefore, 0.95, BootstrapOptions{10000, 42});
  EXPECT_DOUBLE_EQ(interval.low, 0.48393378773125606);
  EXPECT_DOUBLE_EQ(interval.high, 0.50847457627118642);
  EXPECT_LE(interval.low, interval.ratio);
  EXPECT_GE(interval.high, interval.ratio);
}

// A before that is mostly 0 (no lock wait in most repetitions) leaves many
// resamples without a ratio: the upper bound is unbounded, never NaN.
TEST(Bootstrap, ZeroMedianResamplesGiveAnUnboundedNotANanBound) {
  const std::vector<double> before = {0, 0, 0, 0, 0, 12, 0, 30, 0};
  const std::vector<double> after = {0, 0, 0, 0, 0, 0, 0, 0, 0};
  const RatioInterval interval =
      BootstrapRatioOfMedians(after, before, 0.99, BootstrapOptions{2000, 7});
  EXPECT_FALSE(std::isnan(interval.high));
  EXPECT_TRUE(std::isinf(interval.high));
  EXPECT_FALSE(std::isnan(interval.low));
}

TEST(Bootstrap, DifferentSeedsDifferALittle) {
  const RatioInterval a = BootstrapRatioOfMedians(kAfter, kBefore, 0.95,
                                                  BootstrapOptions{10000, 1});
  const RatioInterval b = BootstrapRatioOfMedians(kAfter, kBefore, 0.95,
                                                  BootstrapOptions{10000, 2});
  EXPECT_NEAR(a.low, b.low, 0.01);
  EXPECT_NEAR(a.high, b.high, 0.01);
}

TEST(Bootstrap, HigherConfidenceIsWider) {
  const BootstrapOptions options{10000, 7};
  const RatioInterval narrow =
      BootstrapRatioOfMedians(kAfter, kBefore, 0.80, options);
  const RatioInterval wide =
      BootstrapRatioOfMedians(kAfter, kBefore, 0.99, options);
  EXPECT_LE(wide.low, narrow.low);
  EXPECT_GE(wide.high, narrow.high);
}

TEST(Bootstrap, RatioChangeOfAnUnchangedPairIsNotSignificant) {
  const BootstrapOptions options{10000, 3};
  const RatioChange same =
      BootstrapRatioChange(kAfter, kBefore, kAfter, kBefore, options);
  EXPECT_DOUBLE_EQ(same.change, 0.0);
  EXPECT_GT(same.p, 0.5);
  std::vector<double> slower = kAfter;
  for (double& v : slower) v *= 1.4;
  const RatioChange worse =
      BootstrapRatioChange(kAfter, kBefore, slower, kBefore, options);
  EXPECT_NEAR(worse.change, 0.4, 1e-12);
  EXPECT_LT(worse.p, 0.01);
}

TEST(Bootstrap, SeedForIsStableAndNameDependent) {
  EXPECT_EQ(SeedFor(1, "a/b"), SeedFor(1, "a/b"));
  EXPECT_NE(SeedFor(1, "a/b"), SeedFor(1, "a/c"));
}

}  // namespace
}  // namespace hotpath::benchgate
