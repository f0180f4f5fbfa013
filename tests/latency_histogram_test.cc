// The latency histogram's buckets, percentiles and merge.
#include "benches/harness/latency_histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace hotpath::harness {
namespace {

TEST(LatencyHistogramTest, BucketsCoverEveryValueWithBoundedError) {
  for (uint64_t v : {0ULL, 1ULL, 31ULL, 32ULL, 33ULL, 1000ULL, 123456789ULL,
                     (1ULL << 40) + 12345, ~0ULL}) {
    const size_t b = LatencyHistogram::BucketOf(v);
    ASSERT_LT(b, LatencyHistogram::kBuckets);
    const uint64_t upper = LatencyHistogram::UpperBound(b);
    EXPECT_GE(upper, v);
    if (b > 0) {
      EXPECT_LT(LatencyHistogram::UpperBound(b - 1), v) << v;
    }
    EXPECT_LE(static_cast<double>(upper - v), static_cast<double>(v) / 32 + 1)
        << v;
  }
}

TEST(LatencyHistogramTest, PercentilesNeverUnderstateAndStayClose) {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> dist(10, 1.5);
  std::vector<uint64_t> values;
  LatencyHistogram h;
  for (int i = 0; i < 100000; ++i) {
    const auto v = static_cast<uint64_t>(dist(rng));
    values.push_back(v);
    h.Record(v);
  }
  std::sort(values.begin(), values.end());
  for (double q : {0.5, 0.9, 0.99, 0.999}) {
    const auto exact =
        values[static_cast<size_t>(q * static_cast<double>(values.size())) - 1];
    const uint64_t got = h.Percentile(q);
    EXPECT_GE(got, exact) << q;
    EXPECT_LE(static_cast<double>(got), static_cast<double>(exact) * 1.04 + 1)
        << q;
  }
  EXPECT_EQ(h.max(), values.back());
  EXPECT_EQ(h.min(), values.front());
  EXPECT_EQ(h.Percentile(1.0), values.back());
}

TEST(LatencyHistogramTest, MergeEqualsRecordingEverything) {
  LatencyHistogram a;
  LatencyHistogram b;
  LatencyHistogram all;
  for (uint64_t v = 1; v < 5000; v += 7) {
    (v % 2 == 0 ? a : b).Record(v * v);
    all.Record(v * v);
  }
  a.Merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.max(), all.max());
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.mean(), all.mean());
  for (double q : {0.1, 0.5, 0.99})
    EXPECT_EQ(a.Percentile(q), all.Percentile(q));
}

TEST(LatencyHistogramTest, EmptyReportsZero) {
  LatencyHistogram h;
  EXPECT_EQ(h.Percentile(0.99), 0U);
  EXPECT_EQ(h.min(), 0U);
  EXPECT_EQ(h.count(), 0U);
}

}  // namespace
}  // namespace hotpath::harness
