#include "benchgate/write/render.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>

#include "benchgate/read/config.h"
#include "benchgate/read/run_loader.h"
#include "test_support.h"

namespace hotpath::benchgate {
namespace {

using testing::Fixture;

Report SlowdownReport() {
  const Config config = LoadConfig(testing::TargetsJson());
  const benchgate::Run old_run = LoadRun(Fixture("aa_old.json"));
  const benchgate::Run new_run = LoadRun(Fixture("slowdown_new.json"));
  Report report;
  report.command = "gate";
  report.run_source = new_run.source;
  report.comparison = CompareRuns(old_run, new_run, config);
  report.targets = CheckTargets(new_run, config);
  Finalise(report);
  return report;
}

TEST(Render, PlainTableHasNoEscapesAndAResultLine) {
  const Report report = SlowdownReport();
  std::ostringstream out;
  RenderTable(report, TableOptions{false, false}, out);
  const std::string text = out.str();
  EXPECT_EQ(text.find('\033'), std::string::npos);
  EXPECT_NE(text.find("Time old"), std::string::npos);
  EXPECT_NE(text.find("routing/Envelope/after/1024"), std::string::npos);
  EXPECT_NE(text.find("0 -> 1"), std::string::npos);
  EXPECT_NE(text.find("benchgate gate: FAIL (exit 1)"), std::string::npos);
  EXPECT_NE(text.find("Targets (after/before"), std::string::npos);
}

TEST(Render, ColouredTableMarksRegressionsRed) {
  const Report report = SlowdownReport();
  std::ostringstream out;
  RenderTable(report, TableOptions{true, false}, out);
  EXPECT_NE(out.str().find("\033[31mregressed"), std::string::npos);
}

TEST(Render, MarkdownLeadsWithTheVerdict) {
  const std::string markdown = RenderMarkdown(SlowdownReport());
  EXPECT_EQ(markdown.rfind("### benchgate gate: ❌ FAIL", 0), 0u);
  EXPECT_NE(markdown.find("| `routing/Envelope/after/1024` |"),
            std::string::npos);
  EXPECT_NE(markdown.find("<details>"), std::string::npos);
}

TEST(Render, JunitHasOneFailurePerRegression) {
  const std::string xml = RenderJunit(SlowdownReport());
  EXPECT_EQ(xml.rfind("<?xml", 0), 0u);
  std::size_t failures = 0;
  for (std::size_t at = xml.find("<failure"); at != std::string::npos;
       at = xml.find("<failure", at + 1)) {
    ++failures;
  }
  EXPECT_EQ(failures, 3u);
  EXPECT_NE(xml.find("benchgate.targets.allocations"), std::string::npos);
}

TEST(Render, JsonCarriesVerdictsAndExitCode) {
  const nlohmann::json json = RenderJson(SlowdownReport());
  EXPECT_EQ(json["exit_code"], 1);
  EXPECT_EQ(json["result"], "fail");
  EXPECT_EQ(json["summary"]["regressed"], 3);
  bool found = false;
  for (const auto& item : json["comparison"]["items"]) {
    if (item["name"] == "routing/Envelope/after/1024") {
      found = true;
      EXPECT_EQ(item["verdict"], "regressed");
    }
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(json["targets"]["targets"].size(), 4u);
  // What a PR gate re-runs: the benchmarks whose timing regressed or could
  // not be bounded, the slower one among them; never one for its exact
  // metrics alone.
  const auto& confirm = json["to_confirm"];
  EXPECT_NE(
      std::find(confirm.begin(), confirm.end(), "routing/Envelope/after/1024"),
      confirm.end());
  for (const auto& item : json["comparison"]["items"]) {
    if (std::find(confirm.begin(), confirm.end(), item["name"]) ==
        confirm.end()) {
      continue;
    }
    bool doubtful_timing = false;
    for (const auto& metric : item["metrics"]) {
      const std::string name = metric["metric"];
      // Counts and heap sizes are not clock readings.
      const bool clock = name.find("allocs") == std::string::npos &&
                         name.find("bytes") == std::string::npos &&
                         name != "net_heap_growth" &&
                         name != "lock_acquisitions_per_op";
      doubtful_timing =
          doubtful_timing || (clock && (metric["verdict"] == "regressed" ||
                                        metric["verdict"] == "unstable"));
    }
    EXPECT_TRUE(doubtful_timing) << item["name"];
  }
}

}  // namespace
}  // namespace hotpath::benchgate
