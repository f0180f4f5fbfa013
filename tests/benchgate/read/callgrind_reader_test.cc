// The callgrind reader and `benchgate instructions` on real dumps of the
// metrics benchmark (tests/data/benchgate/callgrind/run/callgrind/, trimmed
// to their headers and totals) and on malformed input.

#include "benchgate/read/callgrind_reader.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>

#include "benchgate/error.h"
#include "benchgate/instructions.h"
#include "benchgate/read/gb_reader.h"
#include "benchgate/read/run_loader.h"
#include "test_support.h"

namespace hotpath::benchgate {
namespace {

namespace fs = std::filesystem;
using testing::Fixture;
using testing::TempDir;

constexpr const char* kBefore1 =
    "metrics/VmOperation/before/real_time/threads:1";
constexpr const char* kBefore2 =
    "metrics/VmOperation/before/real_time/threads:2";
constexpr const char* kAfter1 = "metrics/VmOperation/after/real_time/threads:1";
constexpr const char* kAfter2 = "metrics/VmOperation/after/real_time/threads:2";
constexpr const char* kPeer =
    "metrics/VmOperation/prometheus_cpp/real_time/threads:1";

std::string Dump(const std::string& trigger, const std::string& totals,
                 int part = 1, const std::string& events = "Ir") {
  return "# callgrind format\nversion: 1\ncreator: callgrind-3.19.0\npid: 7\n"
         "part: " +
         std::to_string(part) + "\ndesc: Trigger: " + trigger +
         "\n\npositions: line\nevents: " + events + "\nsummary: 1\n\n" +
         "fn=(1) f\n0 1\n\n" + (totals.empty() ? "" : "totals: " + totals) +
         "\n";
}

CallgrindDump Loop(uint64_t iterations, uint64_t instructions, int part) {
  return ParseCallgrindDump(
      Dump("Client Request: hotpath:" + std::to_string(iterations) + ":2",
           std::to_string(instructions), part),
      "loop" + std::to_string(part));
}

CallgrindDump End(const std::string& name, int part) {
  return ParseCallgrindDump(
      Dump("Client Request: hotpath-end:" + name, "13", part),
      "end" + std::to_string(part));
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

const InstructionCount& Find(const CallgrindRun& run, const std::string& name) {
  for (const InstructionCount& count : run.benchmarks) {
    if (count.run_name == name) return count;
  }
  throw std::runtime_error("no " + name);
}

TEST(CallgrindReaderTest, ParsesHeaderAndTotals) {
  const CallgrindDump dump =
      ParseCallgrindDump(Dump("Client Request: hotpath:10:20", "5", 3), "x");
  EXPECT_EQ(dump.creator, "callgrind-3.19.0");
  EXPECT_EQ(dump.pid, 7u);
  EXPECT_EQ(dump.part, 3u);
  EXPECT_EQ(dump.trigger, "Client Request: hotpath:10:20");
  ASSERT_TRUE(dump.instructions.has_value());
  EXPECT_EQ(*dump.instructions, 5u);
}

TEST(CallgrindReaderTest, TakesTheIrColumnOfSeveralEvents) {
  const CallgrindDump dump = ParseCallgrindDump(
      Dump("Program termination", "4 99 6", 1, "Dr Ir Dw"), "x");
  ASSERT_TRUE(dump.instructions.has_value());
  EXPECT_EQ(*dump.instructions, 99u);
}

TEST(CallgrindReaderTest, MalformedDumpsAreInputErrors) {
  EXPECT_THROW(ParseCallgrindDump("", "empty"), InputError);
  EXPECT_THROW(ParseCallgrindDump("{\"benchmarks\": []}\n", "json"),
               InputError);
  EXPECT_THROW(ParseCallgrindDump(Dump("x", "12", 1, "Dr Dw"), "no Ir"),
               InputError);
  EXPECT_THROW(ParseCallgrindDump(Dump("x", "12abc"), "bad totals"),
               InputError);
  EXPECT_THROW(ParseCallgrindDump("events: Ir\npid: seven\n", "bad pid"),
               InputError);
  try {
    ParseCallgrindDump(Dump("x", "-3"), "f.out");
    FAIL() << "negative totals accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("f.out: line "), std::string::npos)
        << e.what();
  }
}

TEST(CallgrindReaderTest, RealDumpsGiveExactSlopesForSingleThreadedLoops) {
  const CallgrindRun run = ReadCallgrindDir(Fixture("callgrind/run/callgrind"));
  EXPECT_EQ(run.creator, "callgrind-3.19.0");
  EXPECT_EQ(run.dump_files, 23u);  // 22 client requests + program end
  ASSERT_EQ(run.benchmarks.size(), 4u);

  // 14 -> 85 iterations: (1514990 - 250480) / 71 = 17810, 20 ops each.
  const InstructionCount& before = Find(run, kBefore1);
  ASSERT_TRUE(before.instructions_per_op.has_value()) << before.skipped;
  EXPECT_DOUBLE_EQ(before.instructions_per_iteration, 17810.0);
  EXPECT_DOUBLE_EQ(*before.instructions_per_op, 890.5);
  EXPECT_EQ(before.n1, 14u);
  EXPECT_EQ(before.n2, 85u);
  EXPECT_TRUE(before.exactly_linear);
  EXPECT_EQ(before.source, "metrics_benchmark");

  const InstructionCount& after = Find(run, kAfter1);
  ASSERT_TRUE(after.instructions_per_op.has_value()) << after.skipped;
  EXPECT_DOUBLE_EQ(after.instructions_per_iteration, 904.0);
  EXPECT_DOUBLE_EQ(*after.instructions_per_op, 45.2);

  // Two threads under valgrind's scheduler: iterations do not cost the same.
  for (const char* threaded : {kBefore2, kAfter2}) {
    const InstructionCount& count = Find(run, threaded);
    EXPECT_FALSE(count.instructions_per_op.has_value()) << threaded;
    EXPECT_NE(count.skipped.find("not linear"), std::string::npos)
        << count.skipped;
  }
}

TEST(CallgrindReaderTest, ToleranceAdmitsNearlyLinearLoopsOnlyWhenAsked) {
  // Threaded `after`: 903.9996 vs 904.067 per iteration, 0.007% apart.
  const std::string dir = Fixture("callgrind/run/callgrind");
  EXPECT_FALSE(Find(ReadCallgrindDir(dir), kAfter2).instructions_per_op);
  // Keep the run alive: Find returns a reference into it.
  const CallgrindRun run = ReadCallgrindDir(dir, SlopeOptions{0.01});
  const InstructionCount& loose = Find(run, kAfter2);
  ASSERT_TRUE(loose.instructions_per_op.has_value()) << loose.skipped;
  EXPECT_FALSE(loose.exactly_linear);
  EXPECT_NEAR(loose.instructions_per_iteration, 904.0, 1.0);
}

TEST(CallgrindReaderTest, SlopeNeedsThreeCountsThatAgree) {
  InstructionCount count;
  count.ops_per_iteration = 2;
  ComputeSlope({{1, 150}, {10, 1050}}, {}, count);
  EXPECT_FALSE(count.instructions_per_op);
  EXPECT_NE(count.skipped.find("need 3"), std::string::npos) << count.skipped;

  // Fixed cost 50, 100 per iteration, in any order and with a repeat.
  ComputeSlope({{100, 10050}, {1, 150}, {10, 1050}, {10, 1050}}, {}, count);
  ASSERT_TRUE(count.instructions_per_op.has_value()) << count.skipped;
  EXPECT_DOUBLE_EQ(*count.instructions_per_op, 50.0);
  EXPECT_EQ(count.n1, 10u);
  EXPECT_EQ(count.n2, 100u);

  ComputeSlope({{100, 10050}, {1, 150}, {10, 1050}, {10, 1051}}, {}, count);
  EXPECT_FALSE(count.instructions_per_op);
  EXPECT_NE(count.skipped.find("not deterministic"), std::string::npos)
      << count.skipped;

  ComputeSlope({{1, 150}, {10, 1050}, {100, 10051}}, {}, count);
  EXPECT_FALSE(count.instructions_per_op);
  EXPECT_NE(count.skipped.find("not linear"), std::string::npos);

  ComputeSlope({{1, 150}, {10, 1050}, {100, 1000}}, {}, count);
  EXPECT_FALSE(count.instructions_per_op);
  EXPECT_NE(count.skipped.find("fewer instructions"), std::string::npos);

  ComputeSlope({}, {}, count);
  EXPECT_FALSE(count.instructions_per_op);
}

TEST(CallgrindReaderTest, PairsDumpsWithMarkersInPartOrder) {
  std::vector<std::string> notes;
  // Out of order on purpose: the reader sorts by part.
  const std::vector<CallgrindDump> dumps = {
      End("a", 4), Loop(10, 1050, 2), Loop(1, 150, 1), Loop(100, 10050, 3),
      End("b", 6), Loop(5, 5, 5),     Loop(1, 999, 7)};
  const std::vector<InstructionCount> counts =
      CountInstructions(dumps, "bin", {}, notes);
  ASSERT_EQ(counts.size(), 2u);
  EXPECT_EQ(counts[0].run_name, "a");
  ASSERT_TRUE(counts[0].instructions_per_op.has_value());
  EXPECT_DOUBLE_EQ(*counts[0].instructions_per_op, 50.0);  // 100 / 2 ops
  EXPECT_EQ(counts[1].run_name, "b");
  EXPECT_FALSE(counts[1].instructions_per_op);
  ASSERT_EQ(notes.size(), 1u);  // the loop after b's marker
  EXPECT_NE(notes[0].find("after its last benchmark marker"),
            std::string::npos);
}

TEST(CallgrindReaderTest, TimingDependentLoopsGetTheirReasonNotACount) {
  std::vector<std::string> notes;
  const auto loop = [](uint64_t n, uint64_t ir, int part,
                       const std::string& why) {
    return ParseCallgrindDump(
        Dump("Client Request: hotpath:" + std::to_string(n) + ":2:" + why,
             std::to_string(ir), part),
        "loop" + std::to_string(part));
  };
  // Perfectly linear, yet declared timing-dependent: no count, the reason.
  const std::vector<InstructionCount> counts = CountInstructions(
      {loop(1, 150, 1, "threads"), loop(10, 1050, 2, "threads"),
       loop(100, 10050, 3, "threads"), End("a", 4), Loop(1, 150, 5),
       Loop(10, 1050, 6), Loop(100, 10050, 7), End("b", 8)},
      "bin", SlopeOptions{0.01}, notes);
  ASSERT_EQ(counts.size(), 2u);
  EXPECT_FALSE(counts[0].instructions_per_op);
  EXPECT_NE(counts[0].skipped.find("timing-dependent (threads)"),
            std::string::npos)
      << counts[0].skipped;
  ASSERT_TRUE(counts[1].instructions_per_op.has_value()) << counts[1].skipped;
  EXPECT_DOUBLE_EQ(*counts[1].instructions_per_op, 50.0);

  for (const char* bad : {"hotpath:10:2:", "hotpath:10:2:Threads",
                          "hotpath:10:2:a b", "hotpath:10:2:x:y"}) {
    EXPECT_THROW(
        CountInstructions(
            {ParseCallgrindDump(
                Dump(std::string("Client Request: ") + bad, "9"), "bad.out")},
            "s", {}, notes),
        InputError)
        << bad;
  }
}

TEST(CallgrindReaderTest, ToleranceReportsHowLinearTheLoopWas) {
  InstructionCount count;
  // Slopes 100.0 and 100.1 per iteration: 0.1% apart.
  ComputeSlope({{1, 150}, {11, 1151}, {111, 11151}}, SlopeOptions{0.002},
               count);
  ASSERT_TRUE(count.instructions_per_op.has_value()) << count.skipped;
  EXPECT_FALSE(count.exactly_linear);
  EXPECT_NEAR(count.linearity, 0.001, 1e-9);
  ComputeSlope({{1, 150}, {11, 1151}, {111, 11151}}, SlopeOptions{0.0005},
               count);
  EXPECT_FALSE(count.instructions_per_op);
  ComputeSlope({{1, 150}, {10, 1050}, {100, 10050}}, {}, count);
  EXPECT_TRUE(count.exactly_linear);
  EXPECT_EQ(count.linearity, 0.0);
}

// Writes `dumps` (label, totals) as one process's callgrind.out files.
void WriteProcess(const std::string& folder,
                  const std::vector<std::pair<std::string, uint64_t>>& dumps) {
  fs::create_directories(folder);
  int part = 1;
  for (const auto& [label, totals] : dumps) {
    std::ofstream(folder + "/callgrind.out." + std::to_string(part))
        << Dump("Client Request: " + label, std::to_string(totals), part);
    ++part;
  }
}

TEST(CallgrindReaderTest, ARetryFolderReplacesItsBinarysCounts) {
  TempDir dir;
  // First pass: a has two counts, b three.
  WriteProcess(dir.Path("cg/bin"), {{"hotpath:1:1", 150},
                                    {"hotpath:10:1", 1050},
                                    {"hotpath-end:a", 1},
                                    {"hotpath:1:1", 20},
                                    {"hotpath:10:1", 200},
                                    {"hotpath:100:1", 2000},
                                    {"hotpath-end:b", 1}});
  EXPECT_FALSE(Find(ReadCallgrindDir(dir.Path("cg")), "a").instructions_per_op);
  WriteProcess(dir.Path("cg/bin.retry"), {{"hotpath:1:1", 150},
                                          {"hotpath:10:1", 1050},
                                          {"hotpath:100:1", 10050},
                                          {"hotpath-end:a", 1}});
  const CallgrindRun run = ReadCallgrindDir(dir.Path("cg"));
  ASSERT_EQ(run.benchmarks.size(), 2u);
  const InstructionCount& a = Find(run, "a");
  ASSERT_TRUE(a.instructions_per_op.has_value()) << a.skipped;
  EXPECT_DOUBLE_EQ(*a.instructions_per_op, 100.0);
  EXPECT_EQ(a.source, "bin.retry");
  EXPECT_DOUBLE_EQ(*Find(run, "b").instructions_per_op, 20.0);

  // Any other folder holding the same benchmark is still an error.
  WriteProcess(dir.Path("cg/other"), {{"hotpath:1:1", 150},
                                      {"hotpath:10:1", 1050},
                                      {"hotpath:100:1", 10050},
                                      {"hotpath-end:b", 1}});
  EXPECT_THROW(ReadCallgrindDir(dir.Path("cg")), InputError);
}

TEST(CallgrindReaderTest, BadLabelsAndRepeatedMarkersAreInputErrors) {
  std::vector<std::string> notes;
  const auto with = [](const std::string& label) {
    return std::vector<CallgrindDump>{
        ParseCallgrindDump(Dump("Client Request: " + label, "10"), "bad.out")};
  };
  EXPECT_THROW(CountInstructions(with("hotpath:abc:2"), "s", {}, notes),
               InputError);
  EXPECT_THROW(CountInstructions(with("hotpath:0:2"), "s", {}, notes),
               InputError);
  EXPECT_THROW(CountInstructions(with("hotpath:10"), "s", {}, notes),
               InputError);
  EXPECT_THROW(CountInstructions(with("hotpath:10:-1"), "s", {}, notes),
               InputError);
  EXPECT_THROW(CountInstructions(with("hotpath-end:"), "s", {}, notes),
               InputError);
  // Subnormal, tiny or huge ops per iteration would make the count per op
  // infinite or meaningless (null in the run): refused with the label.
  for (const char* bad :
       {"hotpath:10:4e-320", "hotpath:10:1e-10", "hotpath:10:2.2e-308",
        "hotpath:10:nan", "hotpath:10:inf"}) {
    try {
      CountInstructions(with(bad), "s", {}, notes);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("bad.out: dump label"),
                std::string::npos)
          << e.what();
    }
  }
  EXPECT_THROW(CountInstructions({End("a", 1), End("a", 2)}, "s", {}, notes),
               InputError);
  const std::vector<CallgrindDump> cut = {
      ParseCallgrindDump(Dump("Client Request: hotpath:10:2", ""), "cut.out")};
  EXPECT_THROW(CountInstructions(cut, "s", {}, notes), InputError);
  // Other triggers (program end, a user's own dumps) are not ours.
  EXPECT_TRUE(CountInstructions(
                  {ParseCallgrindDump(Dump("Client Request: mine", "5"), "x")},
                  "s", {}, notes)
                  .empty());
}

TEST(CallgrindReaderTest, MissingOrEmptyFolderIsAnInputError) {
  TempDir dir;
  EXPECT_THROW(ReadCallgrindDir(dir.Path("absent")), InputError);
  fs::create_directories(dir.Path("empty/bin"));
  EXPECT_THROW(ReadCallgrindDir(dir.Path("empty")), InputError);
}

// A writable copy of the fixture run: the command rewrites its JSON.
std::string CopyRun(const TempDir& dir) {
  const std::string run = dir.Path("run");
  fs::copy(Fixture("callgrind/run"), run, fs::copy_options::recursive);
  return run;
}

TEST(InstructionsCommandTest, WritesExactCountsAndClearsStaleOnes) {
  TempDir dir;
  const std::string run = CopyRun(dir);
  const std::string json = run + "/metrics_benchmark.json";
  {
    // A stale value from an earlier pass on a benchmark now without a count.
    // Real Google Benchmark output: NaN where a cv is undefined.
    nlohmann::ordered_json doc =
        nlohmann::ordered_json::parse(ReplaceNonFiniteLiterals(Slurp(json)));
    for (auto& row : doc["benchmarks"]) {
      if (row["run_name"] == kAfter2) row["instructions_per_op"] = 1.0;
    }
    std::ofstream(json) << doc.dump(2);
  }
  std::ostringstream out;
  EXPECT_EQ(InstructionsCommand(run, {}, out), 0);
  EXPECT_NE(out.str().find("2 benchmarks with exact instructions_per_op"),
            std::string::npos)
      << out.str();
  EXPECT_NE(out.str().find("45.2 instructions/op (904/iteration"),
            std::string::npos)
      << out.str();

  const nlohmann::json doc = nlohmann::json::parse(Slurp(json));
  EXPECT_NE(doc["context"]["hotpath_instructions"].get<std::string>().find(
                "callgrind-3.19.0"),
            std::string::npos);
  int counted = 0;
  for (const auto& row : doc["benchmarks"]) {
    const std::string name = row["run_name"];
    const std::string aggregate = row.value("aggregate_name", "");
    if (name == kBefore1 || name == kAfter1) {
      ASSERT_TRUE(row.contains("instructions_per_op")) << name << aggregate;
      const double expected = aggregate == "stddev" || aggregate == "cv"
                                  ? 0.0
                                  : (name == kBefore1 ? 890.5 : 45.2);
      EXPECT_DOUBLE_EQ(row["instructions_per_op"].get<double>(), expected);
      ++counted;
    } else {
      EXPECT_FALSE(row.contains("instructions_per_op")) << name;
    }
  }
  EXPECT_EQ(counted, 12);  // 2 benchmarks x (2 repetitions + 4 aggregates)

  // The loader sees an ordinary metric.
  const benchgate::Run loaded = LoadRun(run);
  for (const Benchmark& benchmark : loaded.benchmarks) {
    const Observations* metric = benchmark.Find("instructions_per_op");
    if (benchmark.name == kBefore1) {
      ASSERT_NE(metric, nullptr);
      EXPECT_DOUBLE_EQ(metric->median, 890.5);
    } else if (benchmark.name == kPeer) {
      EXPECT_EQ(metric, nullptr);
    }
  }

  // Exact means a second run changes nothing.
  const std::string first = Slurp(json);
  std::ostringstream again;
  InstructionsCommand(run, {}, again);
  EXPECT_EQ(Slurp(json), first);
}

// The command writes the document back with dump(), which recurses: a
// label a million arrays deep is refused before it is parsed.
TEST(InstructionsCommandTest, DeepValuesAreOneLineNotACrash) {
  TempDir dir;
  const std::string run = CopyRun(dir);
  const std::string json = run + "/metrics_benchmark.json";
  std::string text = Slurp(json);
  const std::size_t row = text.find('{', text.find("\"benchmarks\""));
  ASSERT_NE(row, std::string::npos);
  text.insert(row + 1, "\"label\": " + std::string(1'000'000, '[') +
                           std::string(1'000'000, ']') + ", ");
  std::ofstream(json) << text;
  std::ostringstream out;
  try {
    InstructionsCommand(run, {}, out);
    ADD_FAILURE() << "accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), json + ": nested deeper than 64 levels");
  }
  EXPECT_EQ(Slurp(json), text);
}

TEST(InstructionsCommandTest, ReadsTheAllocatorFolderOfAMatrixRun) {
  TempDir dir;
  fs::create_directories(dir.Path("run"));
  fs::copy(Fixture("callgrind/run"), dir.Path("run/glibc"),
           fs::copy_options::recursive);
  std::ostringstream out;
  EXPECT_EQ(InstructionsCommand(dir.Path("run"), {}, out), 0);
  EXPECT_NE(Slurp(dir.Path("run/glibc/metrics_benchmark.json"))
                .find("instructions_per_op"),
            std::string::npos);
  InstructionsOptions jemalloc;
  jemalloc.allocator = "jemalloc";
  EXPECT_THROW(InstructionsCommand(dir.Path("run"), jemalloc, out), InputError);
}

TEST(InstructionsCommandTest, BadInputExitsTwoWithOneLine) {
  TempDir dir;
  const std::string run = CopyRun(dir);
  fs::remove_all(run + "/callgrind");
  const std::string command = std::string("'") + BENCHGATE_BINARY +
                              "' instructions '" + run + "' 2>'" +
                              dir.Path("err") + "' >/dev/null";
  const int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2);
  const std::string err = Slurp(dir.Path("err"));
  EXPECT_EQ(err.rfind("benchgate: error: ", 0), 0u) << err;
  EXPECT_NE(err.find("run bench-all --instructions"), std::string::npos) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
}

}  // namespace
TEST(InstructionsCommandTest, RetryListNamesTheBenchmarksOneCountShort) {
  TempDir dir;
  const std::string run = CopyRun(dir);
  WriteProcess(run + "/callgrind/extra_benchmark",
               {{"hotpath:1:1", 150},
                {"hotpath:10:1", 1050},
                {"hotpath-end:two/counts", 1},
                {"hotpath:1:1", 150},
                {"hotpath-end:one/count", 1},
                {"hotpath:1:1", 170},
                {"hotpath:10:1", 1050},
                {"hotpath:100:1", 10050},
                {"hotpath-end:first/off", 1},
                {"hotpath:2:1", 270},
                {"hotpath:10:1", 1050},
                {"hotpath:100:1", 10050},
                {"hotpath-end:second/off", 1}});
  InstructionsOptions options;
  options.retry_list = dir.Path("retry.tsv");
  std::ostringstream out;
  EXPECT_EQ(InstructionsCommand(run, options, out), 0);
  // Not one/count (one iteration outlasts the min time) nor second/off
  // (its smallest count was not the first iteration).
  EXPECT_EQ(Slurp(dir.Path("retry.tsv")),
            "extra_benchmark\tfirst/off\nextra_benchmark\ttwo/counts\n");
}

}  // namespace hotpath::benchgate
