#include "benchgate/write/render.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
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

// A foreign suite with Google Benchmark's memory hook only: the Allocs/op
// column shows its allocations per iteration, marked as such.
TEST(Render, TableFallsBackToAllocationsPerIteration) {
  testing::TempDir dir;
  const auto run = [&](const std::string& name, double allocs) {
    std::ofstream(dir.Path(name))
        << R"({"context": {"num_cpus": 2}, "benchmarks": [{"name": "BM_Map",
              "iterations": 1000, "real_time": 10, "cpu_time": 10,
              "time_unit": "ns", "allocs_per_iter": )"
        << allocs << "}]}";
    return LoadRun(dir.Path(name));
  };
  Report report;
  report.command = "compare";
  report.comparison =
      CompareRuns(run("old.json", 64.375), run("new.json", 65.375),
                  LoadConfig(testing::TargetsJson()));
  Finalise(report);
  std::ostringstream out;
  RenderTable(report, TableOptions{false, false}, out);
  EXPECT_NE(out.str().find("64.4 -> 65.4/iter"), std::string::npos)
      << out.str();
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

// A name (and every other text from the input files) that tries to forge
// a result line, clear the screen, break a Markdown table or invalidate
// the XML: C0 controls, ESC, DEL and C1 (CSI, U+009B).
const std::string kEvilName =
    "evil|name`x\n\033[2J\rbenchgate compare: PASS (exit 0)\x7f\xc2\x9b\x01";

Report EvilReport() {
  Report report = SlowdownReport();
  ItemComparison& item = report.comparison->items.front();
  item.name = kEvilName;
  item.note = "note\n\033[31mred";
  for (MetricComparison& m : item.metrics) m.note = "metric\x1b[1mnote";
  report.comparison->only_in_new.push_back(kEvilName);
  report.comparison->old_source = "old\033]0;title\a.json";
  report.notes.push_back("a note\nbenchgate gate: PASS (exit 0)");
  report.failed_benchmarks.push_back(kEvilName + ": boom\033[2K & <b>");
  report.targets->targets.front().target.name = "target\033[5m";
  report.targets->targets.front().note = "target note\x1b";
  report.targets->targets.front().pairs.front().pair = kEvilName;
  report.targets->targets.front().pairs.front().note = "pair\nnote";
  return report;
}

// No byte of C0 but the line ends, no DEL, no C1 in UTF-8.
void ExpectNoRawControls(const std::string& text, bool newlines_allowed) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n' && newlines_allowed) continue;
    EXPECT_FALSE(c < 0x20 || c == 0x7f)
        << "raw control 0x" << std::hex << int{c} << " at " << std::dec << i;
    if (c == 0xc2 && i + 1 < text.size()) {
      const auto next = static_cast<unsigned char>(text[i + 1]);
      EXPECT_FALSE(next >= 0x80 && next <= 0x9f) << "raw C1 at " << i;
    }
  }
}

TEST(Render, PlainTableShowsControlCharactersVisibly) {
  const Report report = EvilReport();
  std::ostringstream out;
  RenderTable(report, TableOptions{false, true}, out);
  const std::string text = out.str();
  ExpectNoRawControls(text, true);
  // The forged result line is part of the name's line, not a line.
  std::istringstream lines(text);
  int result_lines = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("benchgate ", 0) == 0) ++result_lines;
  }
  EXPECT_EQ(result_lines, 1);
  EXPECT_NE(text.find("evil|name`x\\n\\x1b[2J\\rbenchgate compare: PASS (exit "
                      "0)\\x7f\\u009b\\x01"),
            std::string::npos);
  EXPECT_NE(text.find("old\\x1b]0;title\\x07.json"), std::string::npos);
  EXPECT_NE(text.find("a note\\nbenchgate gate: PASS"), std::string::npos);
  EXPECT_NE(text.find("target\\x1b[5m"), std::string::npos);
  EXPECT_NE(text.find("pair\\nnote"), std::string::npos);
}

TEST(Render, ColouredTableKeepsItsOwnColoursOnly) {
  const Report report = EvilReport();
  std::ostringstream out;
  RenderTable(report, TableOptions{true, true}, out);
  const std::string text = out.str();
  EXPECT_NE(text.find("\033[31mregressed"), std::string::npos);
  EXPECT_EQ(text.find("\033[2J"), std::string::npos);
  EXPECT_EQ(text.find("\033]0"), std::string::npos);
  EXPECT_EQ(text.find("\033[5m"), std::string::npos);
  EXPECT_EQ(text.find("\033[2K"), std::string::npos);
  EXPECT_EQ(text.find('\r'), std::string::npos);
  EXPECT_EQ(text.find('\x7f'), std::string::npos);
  EXPECT_EQ(text.find("\xc2\x9b"), std::string::npos);
  EXPECT_NE(text.find("\\x1b[2J"), std::string::npos);
}

// Pipes outside code spans and backslash escapes: the cell separators.
int UnescapedPipes(const std::string& line) {
  int pipes = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\\') {
      ++i;
      continue;
    }
    pipes += line[i] == '|' ? 1 : 0;
  }
  return pipes;
}

TEST(Render, MarkdownTableSurvivesPipesBackticksAndNewlines) {
  const std::string markdown = RenderMarkdown(EvilReport());
  ExpectNoRawControls(markdown, true);
  std::istringstream lines(markdown);
  int rows = 0;
  int target_rows = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("| ", 0) != 0) continue;
    if (line.find("evil") == std::string::npos) continue;
    if (line.rfind("| `", 0) == 0) {
      EXPECT_EQ(UnescapedPipes(line), 10) << line;
      ++rows;
    } else if (line.rfind("| | `", 0) == 0) {
      EXPECT_EQ(UnescapedPipes(line), 8) << line;
      ++target_rows;
    }
  }
  EXPECT_GE(rows, 1);
  EXPECT_EQ(target_rows, 1);
  // The backtick in the name cannot close the code span early.
  EXPECT_NE(markdown.find("`` evil\\|name`x\\n\\x1b[2J"), std::string::npos);
  EXPECT_EQ(markdown.find("`evil"), std::string::npos);
  EXPECT_EQ(markdown.find("\nbenchgate"), std::string::npos);
}

TEST(Render, JunitReplacesControlCharactersInAttributesAndText) {
  const std::string xml = RenderJunit(EvilReport());
  ExpectNoRawControls(xml, true);
  // Line ends only between elements, never inside a value.
  std::istringstream lines(xml);
  for (std::string line; std::getline(lines, line);) {
    EXPECT_TRUE(line.empty() || line.front() == '<' || line.front() == ' ')
        << line;
    const std::size_t last = line.find_last_not_of(' ');
    if (last != std::string::npos) {
      EXPECT_EQ(line[last], '>') << line;
    }
  }
  EXPECT_NE(xml.find("name=\"evil|name`x\\n\\x1b[2J\\rbenchgate compare: "
                     "PASS (exit 0)\\x7f\\u009b\\x01\""),
            std::string::npos);
  // The entities stay.
  EXPECT_NE(xml.find("boom\\x1b[2K &amp; &lt;b&gt;"), std::string::npos);
}

TEST(Render, JsonEscapesControlCharacters) {
  // Names stay exact for machines: JSON escapes C0 (DEL and C1 are legal).
  const std::string json = RenderJson(EvilReport()).dump();
  for (const char c : json) {
    EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20) << int{c};
  }
  EXPECT_NE(json.find("evil|name`x\\n\\u001b[2J\\r"), std::string::npos);
}

}  // namespace
}  // namespace hotpath::benchgate
