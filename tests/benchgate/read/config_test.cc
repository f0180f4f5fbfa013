#include "benchgate/read/config.h"

#include <gtest/gtest.h>

#include <fstream>
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

TEST(Config, OnlyClockReadingsAreTimed) {
  const MetricPolicies policies;
  EXPECT_TRUE(policies.Get("real_time").timed);
  EXPECT_TRUE(policies.Get("p99_ns").timed);
  EXPECT_TRUE(policies.Get("lock_wait_ns_per_op").timed);
  EXPECT_TRUE(policies.Get("frobs_per_second").timed);
  EXPECT_FALSE(policies.Get("allocs_per_op").timed);
  EXPECT_FALSE(policies.Get("instructions_per_op").timed);
  EXPECT_FALSE(policies.Get("net_heap_growth").timed);
  EXPECT_FALSE(policies.Get("peak_bytes").timed);
  EXPECT_EQ(policies.Get("net_heap_growth").kind, MetricKind::kNoisy);
}

TEST(Config, OverridesNarrowAPolicyToMatchingBenchmarks) {
  const Config config = ParseConfig(json::parse(R"({
      "metrics": {"allocs_per_op": {"abs_tolerance": 0.02}},
      "overrides": [
        {"benchmarks": ["scenarios/Open*/**"],
         "exclude": ["scenarios/Open*/after/**"],
         "metrics": {"allocs_per_op": {"kind": "noisy", "min_effect": 0.03}}},
        {"benchmarks": ["scenarios/OpenLoop/before/rate:9"],
         "metrics": {"allocs_per_op": {"min_effect": 0.5}}}]})"),
                                    "t.json");
  const MetricPolicies& policies = config.metrics;
  const MetricPolicy open =
      policies.Get("allocs_per_op", "scenarios/OpenLoop/before/rate:1");
  EXPECT_EQ(open.kind, MetricKind::kNoisy);
  EXPECT_DOUBLE_EQ(*open.min_effect, 0.03);
  // Merged over the suite-wide policy, which "metrics" set first.
  EXPECT_DOUBLE_EQ(open.abs_tolerance, 0.02);
  EXPECT_TRUE(open.needs_alloc_counting);
  EXPECT_FALSE(open.timed);
  // The last matching override wins; each merges over the suite-wide one.
  const MetricPolicy last =
      policies.Get("allocs_per_op", "scenarios/OpenLoop/before/rate:9");
  EXPECT_EQ(last.kind, MetricKind::kExact);
  EXPECT_DOUBLE_EQ(*last.min_effect, 0.5);
  EXPECT_EQ(
      policies.Get("allocs_per_op", "scenarios/OpenLoop/after/rate:1").kind,
      MetricKind::kExact);
  EXPECT_EQ(policies.Get("allocs_per_op", "metrics/Record/before").kind,
            MetricKind::kExact);
  EXPECT_EQ(
      policies.Get("bytes_per_op", "scenarios/OpenLoop/before/rate:1").kind,
      MetricKind::kExact);
}

TEST(Config, TheRepositoryGatesOpenLoopAllocationsStatistically) {
  const Config config = LoadConfig(testing::RepositoryTargetsJson());
  for (const char* name :
       {"scenarios/VmOperations/before/rate:300000/real_time",
        "scenarios/VmOperationsWallClock/after/rate:5000/"
        "iterations:3/real_time"}) {
    EXPECT_EQ(config.metrics.Get("allocs_per_op", name).kind,
              MetricKind::kNoisy)
        << name;
    EXPECT_EQ(config.metrics.Get("bytes_per_op", name).kind, MetricKind::kNoisy)
        << name;
  }
  EXPECT_EQ(config.metrics
                .Get("allocs_per_op",
                     "scenarios/ProposalPipeline/before/inflight:100/real_time")
                .kind,
            MetricKind::kExact);
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
        R"({"metrics": {"x": {"timed": 1}}})", R"({"overrides": {}})",
        R"({"overrides": [{"benchmarks": [], "metrics": {"x": {}}}]})",
        R"({"overrides": [{"benchmarks": ["a"]}]})",
        R"({"overrides": [{"benchmarks": ["a"], "metrics": {}}]})",
        R"({"overrides": [{"benchmarks": ["a"], "metric": {"x": {}}}]})",
        R"({"overrides": [{"benchmarks": ["a"],
                           "metrics": {"x": {"kind": "often"}}}]})",
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

TEST(Config, HostileFilesAreOneLineNamingTheFile) {
  testing::TempDir dir;
  const auto error_of = [&](const std::string& text) -> std::string {
    const std::string path = dir.Path("targets.json");
    std::ofstream(path) << text;
    try {
      LoadConfig(path);
    } catch (const InputError& e) {
      return std::string(e.what()).substr(path.size());
    }
    return "accepted";
  };
  EXPECT_EQ(error_of(R"({"$deep": )" + std::string(1'000'000, '[') +
                     std::string(1'000'000, ']') + "}"),
            ": nested deeper than 64 levels");
  const std::string huge = error_of(R"({"statistics": {"fdr_q": 1e999}})");
  EXPECT_EQ(huge.rfind(": not valid JSON (", 0), 0u) << huge;
  EXPECT_EQ(huge.find('\n'), std::string::npos);
}

}  // namespace
}  // namespace hotpath::benchgate
