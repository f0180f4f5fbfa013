// The HTML report: escaping, the sections a fixture run must produce, no
// external references, and a size bound for a suite of the real size.

#include "benchgate/write/render_html.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "benchgate/commands.h"
#include "benchgate/error.h"
#include "benchgate/read/run_loader.h"
#include "test_support.h"

namespace hotpath::benchgate {
namespace {

using testing::Fixture;
using testing::TempDir;

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// prefix + n, appended: GCC 12 -O3 warns falsely (-Wrestrict) on
// "literal" + std::string temporaries.
std::string Numbered(const char* prefix, int n) {
  std::string text(prefix);
  text += std::to_string(n);
  return text;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

int Count(const std::string& text, const std::string& part) {
  int count = 0;
  for (std::size_t at = text.find(part); at != std::string::npos;
       at = text.find(part, at + part.size())) {
    ++count;
  }
  return count;
}

void ExpectNoExternalReferences(const std::string& html) {
  const std::string lower = [&] {
    std::string copy = html;
    for (char& c : copy) c = static_cast<char>(std::tolower(c));
    return copy;
  }();
  for (const char* banned :
       {"src=\"http", "href=\"http", "src='http", "href='http", "src=\"//",
        "href=\"//", "rel=\"stylesheet\"", "rel=stylesheet", "@import",
        "url(http"}) {
    EXPECT_FALSE(Contains(lower, banned)) << banned;
  }
}

TEST(HtmlEscape, ReplacesEveryMarkupCharacter) {
  EXPECT_EQ(HtmlEscape("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/"
            "script&gt;");
  EXPECT_EQ(HtmlEscape("metrics/Record/after"), "metrics/Record/after");
  EXPECT_EQ(HtmlEscape(""), "");
  EXPECT_EQ(HtmlEscape("\xc2\xb5s &amp;"), "\xc2\xb5s &amp;amp;");
}

TEST(HtmlEscape, ShowsControlCharactersVisibly) {
  EXPECT_EQ(HtmlEscape("a\x1b[2Jb\n\x7f\xc2\x9b\x01<"),
            "a\\x1b[2Jb\\n\\x7f\\u009b\\x01&lt;");
  // Other UTF-8 passes unchanged.
  EXPECT_EQ(HtmlEscape("\xe2\x89\xa4 \xc2\xb7"), "\xe2\x89\xa4 \xc2\xb7");
}

class ReportFixture : public ::testing::Test {
 protected:
  // Accepts the fixture baseline into a fresh store and writes the report
  // of the per-allocator fixture run against it.
  int WriteReport(std::ostringstream& out) {
    AcceptCommand(Fixture("report/baseline"), dir_.Path(), {}, {}, accepted_);
    CommandOptions options;
    options.targets_path = testing::TargetsJson();
    ReportCommandOptions html{dir_.Path(), dir_.Path("out/report.html"), ""};
    std::filesystem::create_directories(dir_.Path("out"));
    const int code = ReportCommand(Fixture("report/run"), html, options, out);
    html_ = Slurp(html.output_path);
    return code;
  }

  TempDir dir_;
  std::ostringstream accepted_;
  std::string html_;
};

TEST_F(ReportFixture, CarriesTheGateVerdictAndWritesTheFile) {
  std::ostringstream out;
  // The fixture baseline is faster in routing/Envelope/after/1024, and one
  // benchmark allocates more (see report/generate.py).
  EXPECT_EQ(WriteReport(out), kExitFail);
  EXPECT_TRUE(std::regex_match(
      out.str(),
      std::regex("benchgate report: wrote .*/out/report\\.html \\([0-9]+ "
                 "KB\\)\n")))
      << out.str();
  ASSERT_FALSE(html_.empty());
  EXPECT_EQ(html_.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_TRUE(Contains(html_, "</html>"));
  EXPECT_TRUE(Contains(html_, "id=\"verdict\">FAIL (exit 1): 1 regressed"));
  EXPECT_TRUE(Contains(html_, "targets: 4 PASS"));
  // The regression is listed with what changed.
  EXPECT_TRUE(Contains(html_,
                       "routing/<wbr>Envelope/<wbr>after/<wbr>1024</a></td>"
                       "<td><span class=\"badge bad\">regressed"));
}

// The first screen tells the story: what was compared with what, what
// could be judged, what failed with its size, the command that gives a
// judgement; the failure precedes the passing targets, folded to a line.
TEST_F(ReportFixture, FirstScreenSaysWhatFailedAndWhatToDo) {
  std::ostringstream out;
  WriteReport(out);
  const std::size_t story = html_.find("<section id=\"story\">");
  const std::size_t failed = html_.find("id=\"failed\"");
  const std::size_t targets = html_.find("id=\"targets\"");
  const std::size_t passing = html_.find("id=\"passing-targets\"");
  ASSERT_NE(story, std::string::npos);
  ASSERT_NE(failed, std::string::npos);
  ASSERT_NE(passing, std::string::npos);
  EXPECT_LT(story, targets);
  EXPECT_LT(failed, passing);
  const std::string first = html_.substr(story, targets - story);
  EXPECT_TRUE(Contains(first, "the stored baseline of this machine"));
  EXPECT_TRUE(Contains(first, "revision 0123456"));
  EXPECT_TRUE(Contains(first, "routing/<wbr>Envelope/<wbr>after/<wbr>1024"));
  EXPECT_TRUE(Contains(first, "<code>allocs_per_op</code> 0 &#8594; 1 per op"));
  EXPECT_TRUE(Contains(first, "benchgate accept "));
  EXPECT_TRUE(Contains(first, "scripts/bench-all --against REF"));
  EXPECT_TRUE(Contains(first, "<b>Not judged:</b> timings"));
  EXPECT_TRUE(Contains(html_,
                       "4 targets pass: allocations, throughput, "
                       "p99-latency, lock-contention</summary>"));
}

// The statistics are explained in plain sentences on the first screen,
// before the dim brackets below: the interval of a change, what the noise
// it is beyond is, what q is, and a target's simultaneous interval.
TEST_F(ReportFixture, FirstScreenExplainsTheStatistics) {
  std::ostringstream out;
  WriteReport(out);
  const std::size_t story = html_.find("<section id=\"story\">");
  ASSERT_NE(story, std::string::npos);
  const std::string first =
      html_.substr(story, html_.find("</section>", story) - story);
  const std::size_t legend = first.find("id=\"stats-legend\"");
  ASSERT_NE(legend, std::string::npos);
  const std::string text = first.substr(legend);
  EXPECT_TRUE(Contains(text,
                       "<b>[low, high]</b>: the interval of the change "
                       "at 95% confidence, from Welch's t"))
      << text.substr(0, 2000);
  EXPECT_TRUE(Contains(text,
                       "<b>Beyond the noise of &#177;X%</b>: larger "
                       "than the smallest change"));
  EXPECT_TRUE(Contains(text, "names which (here: floor, suite drift)"));
  EXPECT_TRUE(Contains(text, "false discovery rate (Benjamini-Hochberg)"));
  EXPECT_TRUE(Contains(text, "<b>Exact counts</b>"));
  EXPECT_TRUE(Contains(text,
                       "<b>A target's interval</b>: a percentile "
                       "bootstrap interval of the after/before ratio "
                       "of medians at 95%"));
  // The dim brackets and the target legend point to it.
  const std::size_t bracket = html_.find("title=\"the test\">(");
  ASSERT_NE(bracket, std::string::npos);
  EXPECT_LT(story + legend, bracket);
  EXPECT_TRUE(Contains(html_, "<a href=\"#stats-legend\">how to read them"));
  EXPECT_TRUE(Contains(html_, "<a href=\"#stats-legend\">How the interval"));
}

// Against another machine's baseline: why timings could not be judged,
// both CPUs, the baseline's revision and age, the environments side by
// side, the busy machine and the debug library flagged, and a ratio shift
// said as speedups with the absolute times of both sides.
TEST_F(ReportFixture, CrossMachineSaysWhatCouldNotBeJudgedAndWhy) {
  AcceptCommand(Fixture("report/baseline_other"), dir_.Path(), {}, {},
                accepted_);
  CommandOptions options;
  options.targets_path = testing::TargetsJson();
  ReportCommandOptions html{dir_.Path(), dir_.Path("cross.html"), ""};
  std::ostringstream out;
  EXPECT_EQ(ReportCommand(Fixture("report/run"), html, options, out),
            kExitPass);
  const std::string page = Slurp(html.output_path);
  const std::size_t story = page.find("<section id=\"story\">");
  ASSERT_NE(story, std::string::npos);
  const std::string first =
      page.substr(story, page.find("</section>", story) - story);
  EXPECT_TRUE(Contains(first, "latest stored baseline of another machine"));
  EXPECT_TRUE(Contains(first,
                       "AMD EPYC 7763 64-Core Processor, revision "
                       "70b9b1b, measured 2024-05-28"));
  EXPECT_TRUE(Contains(first, "14 days before this run"));
  EXPECT_TRUE(Contains(first, "Intel(R) Xeon(R) Platinum 8370C"));
  EXPECT_TRUE(Contains(first,
                       "<b>Not judged:</b> timings: measured on "
                       "another CPU"));
  EXPECT_TRUE(Contains(first, "Nothing failed in what could be judged"));
  // Side by side where they differ; the same fields are not repeated.
  EXPECT_TRUE(Contains(first,
                       "<tr><th>cores</th><td class=\"mono\">4</td>"
                       "<td class=\"mono\">2</td></tr>"));
  EXPECT_FALSE(Contains(first, "<tr><th>compiler</th>"));
  EXPECT_TRUE(Contains(first, "busy: load average 3.0 on 4 CPUs"));
  EXPECT_TRUE(Contains(first, "library says &quot;debug&quot;"));
  // caching/Summary's after was 2.5x faster there: a ratio shift, not a
  // slowdown of 138%.
  EXPECT_TRUE(Contains(first, "speedup 372x &#8594; 156x"));
  EXPECT_TRUE(Contains(first,
                       "baseline before 28.1 us, after 75.7 ns; this "
                       "run before 48.4 us, after 310 ns"));
}

// The pair view: pairs where something changed stay open, the rest fold;
// the baseline's after/before ratio is drawn beside this run's, each bar
// labelled; every variant's repetitions share one labelled axis.
TEST_F(ReportFixture, PairsFoldWhatDidNotChangeAndDrawTheBaselineRatio) {
  std::ostringstream out;
  WriteReport(out);
  const std::size_t routing = html_.find(
      "<summary><h4><span class=\"mono\">routing/<wbr>Envelope/<wbr>1024");
  ASSERT_NE(routing, std::string::npos);
  EXPECT_EQ(html_.compare(routing - 6, 6, " open>"), 0)
      << html_.substr(routing - 40, 60);
  EXPECT_TRUE(Contains(html_,
                       "\"><summary><h4><span class=\"mono\">"
                       "batching/<wbr>Flush</span></h4></summary>"));
  EXPECT_FALSE(Contains(html_,
                        "open><summary><h4><span class=\"mono\">"
                        "batching/<wbr>Flush"));
  EXPECT_TRUE(Contains(html_, "1 pair, 1 to look at, 0 folded"));
  EXPECT_EQ(Count(html_, ">time a/b, this run<"),
            Count(html_, ">time a/b, baseline<"));
  EXPECT_GE(Count(html_, ">time a/b, baseline<"), 9);
  EXPECT_GE(Count(html_, "<svg class=\"chart\""), 9);
  EXPECT_GE(Count(html_, "class=\"tick\">"), 9 * 2);
}

// report --against: a run measured back to back (a PR gate's merge-base)
// decides on timings too; the stored baseline only shows them.
TEST_F(ReportFixture, AgainstABackToBackRunTimingsDecide) {
  CommandOptions options;
  options.targets_path = testing::TargetsJson();
  ReportCommandOptions html{"", dir_.Path("against.html"),
                            Fixture("report/baseline")};
  std::ostringstream out;
  EXPECT_EQ(ReportCommand(Fixture("report/run"), html, options, out),
            kExitFail);
  const std::string page = Slurp(html.output_path);
  EXPECT_TRUE(Contains(page, "timings judged")) << page.substr(0, 2000);
  EXPECT_TRUE(Contains(page, "--against "));
}

TEST_F(ReportFixture, ShowsEveryTargetWithItsPairs) {
  std::ostringstream out;
  WriteReport(out);
  for (const char* target :
       {"allocations", "throughput", "p99-latency", "lock-contention"}) {
    EXPECT_TRUE(Contains(html_, std::string("id=\"target-") + target + "\""))
        << target;
  }
  EXPECT_TRUE(Contains(html_, "scenarios/VmOperations/rate:2000/real_time"));
  EXPECT_TRUE(Contains(html_, "<code>p99_ns</code> after/before &lt;= 0.75"));
  // A ratio bar with its goal line per target pair.
  EXPECT_GE(Count(html_, "class=\"goal\""), 10);
}

TEST_F(ReportFixture, EscapesMarkupFromTheInput) {
  std::ostringstream out;
  WriteReport(out);
  EXPECT_TRUE(Contains(html_, "&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_TRUE(Contains(html_, "&lt;b&gt;x&lt;/b&gt;"));
  EXPECT_TRUE(Contains(html_, "markup/&lt;i&gt;op&amp;co&lt;i&gt;"));
  EXPECT_TRUE(Contains(html_, "&lt;i&gt;context markup&lt;/i&gt;"));
  EXPECT_FALSE(Contains(html_, "<script>alert"));
  EXPECT_FALSE(Contains(html_, "<b>x</b>"));
  EXPECT_FALSE(Contains(html_, "<i>op"));
  EXPECT_FALSE(Contains(html_, "<i>context"));
  // One script element: the page's own.
  EXPECT_EQ(Count(html_, "<script"), 1);
}

TEST_F(ReportFixture, HasTheAllocatorMatrixAndTheCommand) {
  std::ostringstream out;
  WriteReport(out);
  EXPECT_TRUE(Contains(html_, "id=\"allocators\""));
  EXPECT_TRUE(Contains(html_,
                       "<th colspan=\"4\">glibc</th><th "
                       "colspan=\"4\">jemalloc</th>"));
  EXPECT_TRUE(
      Contains(html_,
               "<pre id=\"command\">scripts/bench-all --allocators "
               "glibc,jemalloc --filter &#39;&lt;b&gt;x&lt;/b&gt;&#39;"));
  EXPECT_TRUE(Contains(html_, "hotpath_fingerprint"));
  EXPECT_TRUE(Contains(html_, "fp-dev-2core"));
}

TEST_F(ReportFixture, IsSelfContainedAndCompleteWithoutScript) {
  std::ostringstream out;
  WriteReport(out);
  ExpectNoExternalReferences(html_);
  const benchgate::Run run = LoadRun(Fixture("report/run"));
  // Every benchmark has its row in the full table, before any script runs.
  const std::size_t table = html_.find("<table id=\"all\">");
  ASSERT_NE(table, std::string::npos);
  const std::string all =
      html_.substr(table, html_.find("</table>", table) - table);
  EXPECT_EQ(Count(all, "<tr><td class=\"name\">"),
            static_cast<int>(run.benchmarks.size()));
  // Each pair's repetitions are plotted: one dot per repetition.
  EXPECT_GE(Count(html_, "<circle"), 9 * 20);
  EXPECT_LT(html_.size(), 200u * 1024u);
}

TEST(ReportCommand, BadInputThrowsAndWritesNothing) {
  TempDir dir;
  std::ostringstream out;
  ReportCommandOptions html{"", dir.Path("report.html"), ""};
  EXPECT_THROW(
      ReportCommand(Fixture("no_such_run.json"), html, CommandOptions{}, out),
      InputError);
  EXPECT_FALSE(std::filesystem::exists(html.output_path));
  ReportCommandOptions no_baseline{dir.Path("missing"), dir.Path("r.html"), ""};
  EXPECT_THROW(
      ReportCommand(Fixture("aa_new.json"), no_baseline, CommandOptions{}, out),
      InputError);
}

TEST(ReportCommand, SingleFileWithoutBaselineOrTargetsPasses) {
  TempDir dir;
  std::ostringstream out;
  ReportCommandOptions html{"", dir.Path("report.html"), ""};
  EXPECT_EQ(ReportCommand(Fixture("aa_new.json"), html, CommandOptions{}, out),
            kExitPass);
  const std::string page = Slurp(html.output_path);
  EXPECT_TRUE(Contains(page, "No targets checked"));
  EXPECT_TRUE(Contains(page, "No baseline compared"));
  EXPECT_FALSE(Contains(page, "id=\"allocators\""));
}

// A report built in memory, for the profile section.
class InMemory : public ::testing::Test {
 protected:
  InMemory() : run_(LoadRun(Fixture("aa_new.json"))) {
    report_ = BuildGateReport(run_, "", Config{}, CommandOptions{});
    Finalise(report_);
    input_.report = &report_;
    input_.run = &run_;
  }

  benchgate::Run run_;
  Report report_;
  HtmlReportInput input_;
};

TEST_F(InMemory, RendersAllocationSitesAndAFlameGraph) {
  ProfileSet profiles;
  BenchmarkProfile profile;
  profile.benchmark = "metrics/Record/before";
  profile.source = "profile/metrics_Record_before.heaptrack.zst";
  profile.total_calls = 6000;
  profile.iterations = 1000;
  profile.sites.push_back(AllocationSite{
      5000,
      4096,
      {"operator new(unsigned long)",
       "std::vector<std::pair<std::string, int>>::push_back at a.cc:12",
       "Record()"}});
  profile.sites.push_back(AllocationSite{1000, 64, {"malloc", "SetUp()"}});
  profile.flame.push_back(
      FlameStack{{"main", "Record()",
                  "std::vector<std::pair<std::string, int>>::push_back",
                  "operator new(unsigned long)"},
                 5000});
  profile.flame.push_back(FlameStack{{"main", "SetUp()", "malloc"}, 1000});
  profiles.profiles.push_back(profile);
  profiles.notes.push_back("profile/bad <one>: unreadable");
  input_.profiles = &profiles;
  const std::string html = RenderHtml(input_);
  EXPECT_TRUE(Contains(html, "id=\"sites\""));
  EXPECT_TRUE(Contains(html,
                       "6000 allocation calls over 1000 iterations (6 "
                       "per iteration)"));
  // Calls per iteration of the hot site, its stack escaped in a <details>.
  EXPECT_TRUE(
      Contains(html, "<td class=\"n\">5000</td><td class=\"n\">5</td>"));
  EXPECT_TRUE(
      Contains(html,
               "<li>std::vector&lt;std::pair&lt;std::string, int&gt;&gt;::push_"
               "back at a.cc:12</li>"));
  EXPECT_FALSE(Contains(html, "std::vector<std::pair"));
  EXPECT_TRUE(Contains(html, "profile/bad &lt;one&gt;: unreadable"));
  EXPECT_TRUE(Contains(html, "<svg class=\"flame\""));
  // A tooltip per frame, escaped inside the SVG too.
  // Parameter lists are cut (long C++ names), the runner's frames dropped.
  EXPECT_TRUE(
      Contains(html, "<title>Record(\u2026): 5000 calls (83.3%)</title>"));
  EXPECT_FALSE(Contains(html, "<title>main:"));
  EXPECT_TRUE(
      Contains(html,
               "<title>std::vector&lt;std::pair&lt;std::string, int&gt;&gt;::"
               "push_back: 5000 calls (83.3%)</title>"));
}

// CPU profiles: the two sides of a pair side by side, their top self-time
// functions, and the functions the after no longer spends time in, with
// the same function of both sides on one row.
TEST_F(InMemory, RendersCpuProfilesSideBySideWithTheirDifference) {
  CpuProfileSet set;
  set.present = true;
  set.profiler = "perf version 6.1: cpu-clock at 999 Hz, DWARF unwinding";
  CpuProfile before;
  before.benchmark = "metrics/Record/before";
  before.samples = 1000;
  before.iterations = 5000;
  before.unwound = 0.99;
  before.flame = {
      {{"_start", "main", "BM<x::Before>", "m::before::Record",
        "AttributeSet::AttributeSet"},
       500},
      {{"_start", "main", "BM<x::Before>", "m::before::Record",
        "std::_Hash_bytes"},
       300},
      {{"_start", "main", "BM<x::Before>", "m::before::Record"}, 200}};
  CpuProfile after;
  after.benchmark = "metrics/Record/after";
  after.samples = 1000;
  after.iterations = 40000;
  after.unwound = 1.0;
  after.flame = {
      {{"_start", "main", "BM<x::After>", "m::after::Record"}, 900},
      {{"_start", "main", "BM<x::After>", "<img src=x onerror=alert(2)>"},
       100}};
  set.profiles = {after, before};
  set.notes.push_back("metrics/Bad <b>: not profiled (perf failed)");
  input_.cpu_profiles = &set;
  const std::string html = RenderHtml(input_);
  EXPECT_TRUE(Contains(html, "<h2 id=\"cpu\">CPU profiles</h2>"));
  EXPECT_TRUE(Contains(html, "<a href=\"#cpu\">CPU profiles</a>"));
  EXPECT_TRUE(Contains(html, "perf version 6.1: cpu-clock at 999 Hz"));
  // Before first, then after, each with its samples and a flame graph.
  const std::size_t b = html.find("<h4 class=\"mono\">before</h4>");
  const std::size_t a = html.find("<h4 class=\"mono\">after</h4>");
  ASSERT_NE(b, std::string::npos);
  ASSERT_NE(a, std::string::npos);
  EXPECT_LT(b, a);
  EXPECT_TRUE(
      Contains(html, "1000 samples over 5000 iterations; 99.0% unwound"));
  EXPECT_TRUE(
      Contains(html, "AttributeSet::AttributeSet: 500 samples (50.0%)"));
  // The difference: gone, new, and Record on one row (80 -> 20 points).
  EXPECT_TRUE(Contains(html,
                       "<td class=\"name\">AttributeSet::AttributeSet</td><td "
                       "class=\"n\">50.0% (500)</td><td class=\"n\">0.0% "
                       "(0)</td><td><span class=\"good\">gone</span>"));
  EXPECT_TRUE(Contains(html,
                       "<td class=\"name\">m::[side]::Record</td><td "
                       "class=\"n\">20.0% (200)</td><td "
                       "class=\"n\">90.0% (900)</td><td>+70.0 points"));
  EXPECT_TRUE(Contains(html, "<span class=\"bad\">new</span>"));
  // Names from the profile are text, never markup.
  EXPECT_FALSE(Contains(html, "<img src=x"));
  EXPECT_TRUE(Contains(html, "&lt;img src=x onerror=alert(\u2026)&gt;"));
  EXPECT_TRUE(Contains(html, "metrics/Bad &lt;b&gt;: not profiled"));
}

TEST_F(InMemory, CpuProfilesSayWhyThereAreNone) {
  CpuProfileSet set;
  set.present = true;
  set.unavailable = "perf may not sample here (kernel.perf_event_paranoid=3)";
  input_.cpu_profiles = &set;
  const std::string html = RenderHtml(input_);
  EXPECT_TRUE(Contains(html, "No CPU profiles: perf may not sample here"));
  input_.cpu_profiles = nullptr;
  EXPECT_FALSE(Contains(RenderHtml(input_), "id=\"cpu\""));
}

TEST_F(InMemory, FlameGraphIsCapped) {
  ProfileSet profiles;
  BenchmarkProfile profile;
  profile.benchmark = "metrics/Record/before";
  // 3000 distinct stacks of 4 frames: far more rectangles than the cap.
  for (int i = 0; i < 3000; ++i) {
    profile.flame.push_back(
        FlameStack{{"main", Numbered("f", i % 50), Numbered("g", i % 400),
                    Numbered("h", i)},
                   static_cast<uint64_t>(1 + i % 7)});
    profile.total_calls += static_cast<uint64_t>(1 + i % 7);
  }
  profiles.profiles.push_back(profile);
  input_.profiles = &profiles;
  const std::string html = RenderHtml(input_);
  const std::size_t start = html.find("<svg class=\"flame\"");
  ASSERT_NE(start, std::string::npos);
  const std::string flame =
      html.substr(start, html.find("</svg>", start) - start);
  EXPECT_EQ(Count(flame, "<rect"), kMaxFlameRects);
  EXPECT_TRUE(Contains(html, "are not drawn"));
}

// Each area opens once with its counts, however its benchmarks are
// interleaved in the run (binaries merged) and wherever its peer-only
// groups come; every pair keeps a working link.
TEST(RenderHtml, EachAreaHasOneHeader) {
  benchgate::Run run;
  run.source = "synthetic";
  run.context = nlohmann::json{{"hotpath_fingerprint", "fp"}};
  run.info.fingerprint = "fp";
  for (const char* name :
       {"scenarios/A/before", "scenarios/A/after", "membership/B/before",
        "membership/B/after", "scenarios/C/before", "scenarios/C/after",
        "membership/D/std_promise", "membership/D/folly"}) {
    Benchmark benchmark;
    benchmark.name = name;
    benchmark.parsed = ParseBenchmarkName(benchmark.name);
    Observations obs;
    obs.reps = {100.0, 101.0, 103.0};
    obs.Summarise();
    benchmark.metrics.emplace("real_time", obs);
    run.benchmarks.push_back(benchmark);
  }
  Report report = BuildGateReport(run, "", Config{}, CommandOptions{});
  Finalise(report);
  HtmlReportInput input;
  input.report = &report;
  input.run = &run;
  const std::string html = RenderHtml(input);
  EXPECT_EQ(Count(html, "<details class=\"area\" open><summary>"), 2);
  EXPECT_EQ(Count(html, "<summary>scenarios <span"), 1);
  EXPECT_EQ(Count(html, "<summary>membership <span"), 1);
  EXPECT_TRUE(Contains(html, "scenarios <span class=\"dim small\">2 pairs"));
  EXPECT_TRUE(Contains(html, "membership <span class=\"dim small\">2 pairs"));
  // scenarios first (it came first), its two pairs together.
  const std::size_t scenarios = html.find("<summary>scenarios <span");
  const std::size_t membership = html.find("<summary>membership <span");
  const std::size_t c = html.find("scenarios/<wbr>C</span>");
  ASSERT_NE(c, std::string::npos);
  EXPECT_LT(scenarios, c);
  EXPECT_LT(c, membership);
  EXPECT_GT(html.find("membership/<wbr>D</span>"), membership);
  // Every pair's anchor exists once.
  for (int i = 1; i <= 4; ++i) {
    EXPECT_EQ(Count(html, "id=\"" + Numbered("p", i) + "\""), 1) << i;
  }
}

// A suite the size of the real one (273 benchmarks, 9 repetitions, 125
// pairs with peers) stays well under the 2 MB budget.
TEST(RenderHtml, FullSuiteSizeIsBounded) {
  benchgate::Run run;
  run.source = "synthetic";
  run.context = nlohmann::json{{"hotpath_fingerprint", "fp"}};
  run.info.fingerprint = "fp";
  for (int pair = 0; pair < 125; ++pair) {
    for (const char* variant : {"before", "after", "peer"}) {
      if (std::string(variant) == "peer" && pair % 5 != 0) continue;
      Benchmark benchmark;
      benchmark.name = Numbered("area", pair % 8);
      benchmark.name += Numbered("/Operation", pair);
      benchmark.name += "/";
      benchmark.name += variant;
      benchmark.name += "/real_time/threads:4";
      benchmark.parsed = ParseBenchmarkName(benchmark.name);
      for (const char* metric :
           {"real_time", "cpu_time", "allocs_per_op", "bytes_per_op", "p99_ns",
            "lock_wait_ns_per_op", "items_per_second"}) {
        Observations obs;
        for (int rep = 0; rep < 9; ++rep) {
          obs.reps.push_back(1000.0 + 37.0 * rep + pair);
        }
        obs.Summarise();
        benchmark.metrics.emplace(metric, obs);
      }
      run.benchmarks.push_back(benchmark);
    }
  }
  ASSERT_GE(run.benchmarks.size(), 273u);
  Report report = BuildGateReport(run, "", Config{}, CommandOptions{});
  Finalise(report);
  HtmlReportInput input;
  input.report = &report;
  input.run = &run;
  const std::string html = RenderHtml(input);
  EXPECT_LT(html.size(), 2u * 1024u * 1024u);
  EXPECT_EQ(Count(html, "<details class=\"pair\""), 125);
  ExpectNoExternalReferences(html);
}

}  // namespace
}  // namespace hotpath::benchgate
