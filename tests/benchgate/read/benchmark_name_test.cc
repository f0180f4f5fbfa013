#include "benchgate/read/benchmark_name.h"

#include <gtest/gtest.h>

namespace hotpath::benchgate {
namespace {

TEST(BenchmarkName, VariantIsTheThirdSegment) {
  const BenchmarkName name = ParseBenchmarkName("metrics/Record/after");
  EXPECT_EQ(name.area, "metrics");
  EXPECT_EQ(name.variant, "after");
  EXPECT_EQ(name.pair_key, "metrics/Record");
}

TEST(BenchmarkName, ArgumentsStayInThePairKey) {
  const BenchmarkName name = ParseBenchmarkName(
      "scenarios/ProposalPipeline/before/inflight:100/min_time:0.050/"
      "real_time");
  EXPECT_EQ(name.variant, "before");
  EXPECT_EQ(name.pair_key,
            "scenarios/ProposalPipeline/inflight:100/min_time:0.050/real_time");
  EXPECT_EQ(
      ParseBenchmarkName("routing/Envelope/after/1024/threads:4").pair_key,
      "routing/Envelope/1024/threads:4");
}

TEST(BenchmarkName, PeersAreVariantsToo) {
  EXPECT_EQ(ParseBenchmarkName("metrics/Record/prometheus_cpp").variant,
            "prometheus_cpp");
}

TEST(BenchmarkName, ShortForeignNamesHaveNoVariant) {
  EXPECT_TRUE(ParseBenchmarkName("BM_Vector").variant.empty());
  EXPECT_TRUE(ParseBenchmarkName("BM_Vector/8").pair_key.empty());
}

}  // namespace
}  // namespace hotpath::benchgate
