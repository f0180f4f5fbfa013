#include "benchgate/judge/noise.h"

#include <gtest/gtest.h>

#include "benchgate/error.h"
#include "benchgate/read/run_loader.h"
#include "test_support.h"

namespace hotpath::benchgate {
namespace {

using testing::Fixture;

TEST(Noise, CalibrationIsTheLargestDriftOfMedians) {
  const benchgate::Run a = LoadRun(Fixture("aa_old.json"));
  const benchgate::Run b = LoadRun(Fixture("aa_new.json"));
  const benchgate::Run c = LoadRun(Fixture("aa_third.json"));
  const NoiseTable noise =
      NoiseTable::Calibrate({&a, &b, &c}, MetricPolicies{});
  EXPECT_EQ(noise.runs(), 3);
  const char* name = "routing/Envelope/after/1024";
  const double medians[] = {a.Find(name)->Find("real_time")->median,
                            b.Find(name)->Find("real_time")->median,
                            c.Find(name)->Find("real_time")->median};
  const double high = std::max({medians[0], medians[1], medians[2]});
  const double low = std::min({medians[0], medians[1], medians[2]});
  ASSERT_TRUE(noise.For(name, "real_time").has_value());
  EXPECT_NEAR(*noise.For(name, "real_time"), high / low - 1.0, 1e-12);
  // Exact metrics have no drift to calibrate.
  EXPECT_FALSE(noise.For(name, "allocs_per_op").has_value());
  EXPECT_FALSE(noise.For("no/such/benchmark", "real_time").has_value());
}

TEST(Noise, JsonRoundTrip) {
  NoiseTable table;
  table.Set("a/B/after", "real_time", 0.031);
  nlohmann::json document = {{"runs", 3}, {"benchmarks", table.ToJson()}};
  const NoiseTable back = NoiseTable::FromJson(document, "noise.json");
  EXPECT_DOUBLE_EQ(*back.For("a/B/after", "real_time"), 0.031);
  EXPECT_EQ(back.runs(), 3);
  document["benchmarks"]["a/B/after"]["real_time"] = -1;
  EXPECT_THROW(NoiseTable::FromJson(document, "noise.json"), InputError);
}

}  // namespace
}  // namespace hotpath::benchgate
