#include "benchgate/config.h"

#include <gtest/gtest.h>

#include <string>

#include "benchgate/error.h"
#include "test_support.h"

namespace hotpath::benchgate {
namespace {

using nlohmann::json;

TEST(Config, TheRepositoryTargetsParse) {
  const Config config = LoadConfig(testing::RepositoryTargetsJson());
  ASSERT_EQ(config.targets.size(), 4u);
  EXPECT_EQ(config.targets[0].metric, "allocs_per_op");
  EXPECT_EQ(config.targets[0].goal, Goal::kAtMost);
  EXPECT_DOUBLE_EQ(config.targets[1].ratio, 1.30);
  EXPECT_EQ(config.targets[1].goal, Goal::kAtLeast);
  EXPECT_EQ(config.metrics.Get("allocs_per_op").kind, MetricKind::kExact);
}

TEST(Config, DefaultsWithoutAFile) {
  const MetricPolicies policies;
  EXPECT_EQ(policies.Get("allocs_per_op").kind, MetricKind::kExact);
  EXPECT_EQ(policies.Get("items_per_second").better, Better::kHigher);
  EXPECT_EQ(policies.Get("frobs_per_second").better, Better::kHigher);
  EXPECT_EQ(policies.Get("frobs").better, Better::kLower);
  EXPECT_EQ(policies.Get("frobs").kind, MetricKind::kNoisy);
}

TEST(Config, MetricOverridesMergeWithDefaults) {
  const Config config =
      ParseConfig(json::parse(R"({"metrics": {"p99_ns": {"min_effect": 0.2},
                                  "widgets": {"kind": "exact", "abs_tolerance": 2}}})"),
                  "t.json");
  EXPECT_DOUBLE_EQ(*config.metrics.Get("p99_ns").min_effect, 0.2);
  EXPECT_EQ(config.metrics.Get("p99_ns").kind, MetricKind::kNoisy);
  EXPECT_EQ(config.metrics.Get("widgets").kind, MetricKind::kExact);
  EXPECT_DOUBLE_EQ(config.metrics.Get("widgets").abs_tolerance, 2.0);
}

class ConfigRejects : public ::testing::TestWithParam<const char*> {};

TEST_P(ConfigRejects, WithAnInputError) {
  EXPECT_THROW(ParseConfig(json::parse(GetParam()), "t.json"), InputError);
}

INSTANTIATE_TEST_SUITE_P(
    BadConfigs, ConfigRejects,
    ::testing::Values(
        R"({"targts": []})", R"({"schema": 2})",
        R"({"statistics": {"fdr_q": 0.9}})",
        R"({"statistics": {"bootstrap_resamples": 10.5}})",
        R"({"metrics": {"x": {"kind": "sometimes"}}})",
        R"({"metrics": {"x": {"better": "more"}}})", R"({"targets": {}})",
        R"({"targets": [{"name": "a", "benchmarks": ["x"], "metric": "m"}]})",
        R"({"targets": [{"name": "a", "benchmarks": ["x"], "metric": "m",
                         "max_ratio": 1, "min_ratio": 1}]})",
        R"({"targets": [{"name": "a", "benchmarks": [], "metric": "m", "max_ratio": 1}]})",
        R"({"targets": [{"name": "a", "benchmarks": ["x"], "metric": "m", "max_ratio": -1}]})",
        R"({"targets": [{"name": "a", "benchmarks": ["x"], "metric": "m", "max_ratio": 1},
                        {"name": "a", "benchmarks": ["y"], "metric": "m", "max_ratio": 1}]})"));

TEST(Config, CommentKeysAreAllowed) {
  EXPECT_NO_THROW(
      ParseConfig(json::parse(R"({"$comment": "x", "_note": 1})"), "t.json"));
}

}  // namespace
}  // namespace hotpath::benchgate
