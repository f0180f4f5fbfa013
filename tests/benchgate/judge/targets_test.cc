#include "benchgate/judge/targets.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "benchgate/error.h"
#include "benchgate/read/run_loader.h"
#include "test_support.h"

namespace hotpath::benchgate {
namespace {

using testing::Fixture;

const TargetResult& Find(const TargetReport& report, const std::string& name) {
  const auto it = std::find_if(
      report.targets.begin(), report.targets.end(),
      [&](const TargetResult& t) { return t.target.name == name; });
  if (it == report.targets.end()) {
    ADD_FAILURE() << "no target " << name;
    static const TargetResult kNone;
    return kNone;
  }
  return *it;
}

const PairResult& Pair(const TargetResult& target, const std::string& key) {
  const auto it =
      std::find_if(target.pairs.begin(), target.pairs.end(),
                   [&](const PairResult& p) { return p.pair == key; });
  if (it == target.pairs.end()) {
    ADD_FAILURE() << "no pair " << key;
    static const PairResult kNone;
    return kNone;
  }
  return *it;
}

TEST(Targets, TheOptimisedSuitePassesAllFour) {
  const TargetReport report = CheckTargets(LoadRun(Fixture("aa_old.json")),
                                           LoadConfig(testing::TargetsJson()));
  ASSERT_EQ(report.targets.size(), 4u);
  for (const TargetResult& target : report.targets) {
    EXPECT_EQ(target.status, TargetStatus::kPass) << target.target.name;
  }
  const TargetResult& allocations = Find(report, "allocations");
  EXPECT_EQ(allocations.pairs.size(), 7u);  // the peer is no pair
  EXPECT_EQ(Pair(allocations, "metrics/Record").method, "exact");
  const PairResult& throughput = Find(report, "throughput").pairs.front();
  EXPECT_EQ(throughput.method, "bootstrap");
  ASSERT_TRUE(throughput.low && throughput.high);
  EXPECT_GE(*throughput.low, 1.30);
  EXPECT_LE(*throughput.low, *throughput.ratio);
  EXPECT_GE(*throughput.high, *throughput.ratio);
}

TEST(Targets, FailInconclusiveAndUnjudgeableAreTold) {
  const TargetReport report =
      CheckTargets(LoadRun(Fixture("targets_mixed.json")),
                   LoadConfig(testing::TargetsJson()));
  const TargetResult& allocations = Find(report, "allocations");
  EXPECT_EQ(allocations.status, TargetStatus::kFail);
  const PairResult& routing = Pair(allocations, "routing/Envelope/1024");
  EXPECT_EQ(routing.status, TargetStatus::kFail);
  EXPECT_DOUBLE_EQ(*routing.ratio, 0.6);
  // Before allocates nothing: not passed silently.
  const PairResult& caching = Pair(allocations, "caching/Summary");
  EXPECT_EQ(caching.status, TargetStatus::kInconclusive);
  EXPECT_NE(caching.note.find("nothing to reduce"), std::string::npos);
  EXPECT_EQ(Pair(allocations, "metrics/Record").status, TargetStatus::kPass);
  // About 1.3x against a 1.3x goal: the interval straddles it.
  const TargetResult& throughput = Find(report, "throughput");
  EXPECT_EQ(throughput.status, TargetStatus::kInconclusive);
  const PairResult& pipeline = throughput.pairs.front();
  EXPECT_LT(*pipeline.low, 1.30);
  EXPECT_GT(*pipeline.high, 1.30);
}

TEST(Targets, MissingBenchmarksAreReportedNotPassed) {
  Config config = LoadConfig(testing::TargetsJson());
  config.targets.push_back(Target{
      "future", "", {"mempool/**"}, {}, "allocs_per_op", Goal::kAtMost, 0.5});
  const TargetReport report =
      CheckTargets(LoadRun(Fixture("aa_old.json")), config);
  const TargetResult& future = Find(report, "future");
  EXPECT_EQ(future.status, TargetStatus::kMissing);
  EXPECT_TRUE(future.pairs.empty());
  EXPECT_NE(future.note.find("mempool/**"), std::string::npos);
}

// A misspelt metric: the benchmarks are there, the metric in none of them.
TEST(Targets, AMetricNoMatchedBenchmarkHasFails) {
  Config config = LoadConfig(testing::TargetsJson());
  config.targets.push_back(Target{
      "typo", "", {"routing/**"}, {}, "no_such_metric", Goal::kAtMost, 0.5});
  const TargetReport report =
      CheckTargets(LoadRun(Fixture("aa_old.json")), config);
  const TargetResult& typo = Find(report, "typo");
  EXPECT_EQ(typo.status, TargetStatus::kFail);
  EXPECT_NE(typo.note.find("no_such_metric"), std::string::npos) << typo.note;
  EXPECT_NE(typo.note.find("routing/Envelope/before/1024"), std::string::npos)
      << typo.note;
  ASSERT_FALSE(typo.pairs.empty());
  for (const PairResult& pair : typo.pairs) {
    EXPECT_EQ(pair.status, TargetStatus::kFail) << pair.pair;
  }
  // The other targets are unaffected.
  EXPECT_EQ(Find(report, "allocations").status, TargetStatus::kPass);
}

TEST(Targets, ExcludePatternsDropPairs) {
  Config config = LoadConfig(testing::TargetsJson());
  config.targets.front().exclude = {"caching/**", "metrics/*"};
  const TargetReport report =
      CheckTargets(LoadRun(Fixture("aa_old.json")), config);
  EXPECT_EQ(Find(report, "allocations").pairs.size(), 5u);
}

TEST(Targets, NoisyPairsGetASimultaneousInterval) {
  Config config = LoadConfig(testing::TargetsJson());
  config.targets.push_back(
      Target{"all-time", "", {"**"}, {}, "real_time", Goal::kAtMost, 10.0});
  const TargetReport report =
      CheckTargets(LoadRun(Fixture("aa_old.json")), config);
  const TargetResult& all = Find(report, "all-time");
  ASSERT_EQ(all.pairs.size(), 10u);
  EXPECT_NEAR(all.pairs.front().confidence, 1.0 - 0.05 / 10.0, 1e-12);
}

TEST(Targets, BeforeWithoutAfterIsBadInput) {
  EXPECT_THROW(CheckTargets(LoadRun(Fixture("bad/before_without_after.json")),
                            LoadConfig(testing::TargetsJson())),
               InputError);
}

TEST(Targets, SingleRunsAreInconclusiveForNoisyMetrics) {
  const TargetReport report = CheckTargets(LoadRun(Fixture("single_run.json")),
                                           LoadConfig(testing::TargetsJson()));
  EXPECT_EQ(Find(report, "allocations").status, TargetStatus::kPass);
  EXPECT_EQ(Find(report, "throughput").status, TargetStatus::kInconclusive);
}

}  // namespace
}  // namespace hotpath::benchgate
