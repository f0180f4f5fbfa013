#include "benchgate/read/profiles.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "benchgate/error.h"
#include "test_support.h"

namespace hotpath::benchgate {
namespace {

using testing::Fixture;

std::string Read(const std::string& name) {
  std::ifstream in(Fixture("heaptrack/" + name), std::ios::binary);
  EXPECT_TRUE(in) << name;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The message of the InputError `call` throws, or "" when it throws none.
template <typename Call>
std::string ErrorOf(Call call) {
  try {
    call();
  } catch (const InputError& error) {
    return error.what();
  }
  return "";
}

void Write(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

constexpr const char* kBinary = "/work/main/build/release/benches/";
constexpr const char* kBenchmarkLibrary = "libbenchmark.so.1debian";

TEST(ParseHeaptrackPrint, MergedSitesTakeTheirBusiestPath) {
  const std::vector<AllocationSite> sites =
      ParseHeaptrackPrint(Read("merged.txt"), 10);
  ASSERT_EQ(sites.size(), 3u);
  const AllocationSite& top = sites[0];
  EXPECT_EQ(top.calls, 2751u);
  EXPECT_EQ(top.peak_bytes, 280u);
  EXPECT_EQ(top.stack_calls, 2220u);
  ASSERT_EQ(top.stack.size(), 10u);
  EXPECT_EQ(top.stack[0],
            "hotpath::telemetry::AttributeSet::AttributeSet(std::span<>)");
  EXPECT_EQ(top.stack[1],
            "hotpath::metrics::before::OrchestratorMetrics::RecordVmOperation("
            "std::basic_string_view<>, bool)");
  EXPECT_EQ(top.stack[3],
            std::string("0x7fc31d4f61dd in ") + kBenchmarkLibrary);
  EXPECT_EQ(top.stack.back(), "main");
  // "4.20K" is heaptrack's decimal kilobytes.
  EXPECT_EQ(sites[1].calls, 649u);
  EXPECT_EQ(sites[1].peak_bytes, 4200u);
  EXPECT_EQ(sites[1].stack.front(),
            std::string("0x7fc31d505e49 in ") + kBenchmarkLibrary);
  EXPECT_EQ(sites[1].stack_calls, 63u);
  EXPECT_EQ(sites[2].calls, 408u);
  EXPECT_EQ(sites[2].peak_bytes, 7530u);
  EXPECT_EQ(sites[2].stack[1],
            "hotpath::telemetry::Sum<>::CollectInto(std::map<>&) const");
  for (const AllocationSite& site : sites) {
    for (const std::string& frame : site.stack) {
      EXPECT_EQ(frame.find(kBinary), std::string::npos) << frame;
      EXPECT_NE(frame.rfind("in ", 0), 0u) << frame;
    }
  }
}

TEST(ParseHeaptrackPrint, StopsAtMaxSites) {
  const std::vector<AllocationSite> sites =
      ParseHeaptrackPrint(Read("merged.txt"), 2);
  ASSERT_EQ(sites.size(), 2u);
  EXPECT_EQ(sites[1].calls, 649u);
  EXPECT_TRUE(ParseHeaptrackPrint(Read("merged.txt"), 0).empty());
}

TEST(ParseHeaptrackPrint, UnmergedSitesAreWholeBacktraces) {
  const std::vector<AllocationSite> sites =
      ParseHeaptrackPrint(Read("unmerged.txt"), 10);
  ASSERT_EQ(sites.size(), 2u);
  EXPECT_EQ(sites[0].calls, 2220u);
  EXPECT_EQ(sites[0].stack_calls, 2220u);
  EXPECT_EQ(sites[0].stack.front(),
            "hotpath::telemetry::AttributeSet::AttributeSet(std::span<>)");
  EXPECT_EQ(sites[0].stack.back(), "main");
  EXPECT_EQ(sites[1].calls, 320u);
  EXPECT_EQ(sites[1].stack.size(), 9u);
}

TEST(ParseHeaptrackPrint, KeepsFileAndLineAndInlinedFrames) {
  // As heaptrack prints a binary built with -g: "at" lines, and inlined
  // frames with an "at" but no "in".
  const std::string text =
      "MOST CALLS TO ALLOCATION FUNCTIONS\n"
      "7 calls to allocation functions with 1.05M peak consumption from\n"
      "Make()\n"
      "  at src/make.cc:12\n"
      "  in /bin/app\n"
      "Inner()\n"
      "  at src/make.h:3\n"
      "7 calls with 1.05M peak consumption from:\n"
      "    Caller()\n"
      "      at src/caller.cc:40\n"
      "      in /bin/app\n"
      "    main\n"
      "      in /bin/app\n"
      "\n"
      "\n"
      "total runtime: 0.10s.\n"
      "calls to allocation functions: 9 (90/s)\n";
  const std::vector<AllocationSite> sites = ParseHeaptrackPrint(text, 10);
  ASSERT_EQ(sites.size(), 1u);
  EXPECT_EQ(sites[0].peak_bytes, 1050000u);
  const std::vector<std::string> expected = {
      "Make() at src/make.cc:12", "Inner() at src/make.h:3",
      "Caller() at src/caller.cc:40", "main"};
  EXPECT_EQ(sites[0].stack, expected);
  EXPECT_EQ(ParseHeaptrackTotalCalls(text), 9u);
}

TEST(ParseHeaptrackPrint, ReadsARealDebugInfoProfile) {
  // The same benchmark built with -g. The counting allocator's inlined
  // CountedMalloc becomes the one merged site of every allocation, which is
  // why bench-all profiles the release build as it is (see README).
  const std::vector<AllocationSite> sites =
      ParseHeaptrackPrint(Read("with_debug_info.txt"), 10);
  ASSERT_EQ(sites.size(), 1u);
  EXPECT_EQ(sites[0].calls, 2033u);
  EXPECT_EQ(sites[0].peak_bytes, 109150u);
  EXPECT_EQ(sites[0].stack_calls, 220u);
  ASSERT_GT(sites[0].stack.size(), 10u);
  EXPECT_EQ(sites[0].stack[0],
            "CountedMalloc at /work/main/benches/harness/alloc_counter.cc:143");
  EXPECT_EQ(sites[0].stack[1],
            "malloc at /work/main/benches/harness/alloc_counter.cc:207");
  EXPECT_NE(
      std::find(sites[0].stack.begin(), sites[0].stack.end(),
                "hotpath::telemetry::AttributeSet::AttributeSet(std::"
                "span<>) at /work/main/common/telemetry/attributes.cc:54"),
      sites[0].stack.end());
  EXPECT_EQ(sites[0].stack.back(),
            "main at /work/main/benches/harness/bench_main.cc:62");
  EXPECT_EQ(ParseHeaptrackTotalCalls(Read("with_debug_info.txt")), 2053u);
}

TEST(ParseHeaptrackPrint, StopsAtTheNextSection) {
  const std::string text =
      "MOST CALLS TO ALLOCATION FUNCTIONS\n"
      "3 calls to allocation functions with 12B peak consumption from\n"
      "f()\n"
      "  in /bin/app\n"
      "\n"
      "MOST TEMPORARY ALLOCATIONS\n"
      "2 temporary allocations of 3 allocations in total (66.67%) from\n"
      "g()\n";
  const std::vector<AllocationSite> sites = ParseHeaptrackPrint(text, 10);
  ASSERT_EQ(sites.size(), 1u);
  EXPECT_EQ(sites[0].stack, std::vector<std::string>{"f()"});
}

TEST(ParseHeaptrackPrint, NoAllocationsIsAnEmptyList) {
  EXPECT_TRUE(ParseHeaptrackPrint("MOST CALLS TO ALLOCATION FUNCTIONS\n\n\n"
                                  "total runtime: 0.01s.\n",
                                  10)
                  .empty());
}

TEST(ParseHeaptrackPrint, MalformedTextSaysWhere) {
  EXPECT_NE(ErrorOf([] {
              ParseHeaptrackPrint(Read("no_section.txt"), 10);
            }).find("no \"MOST CALLS TO ALLOCATION FUNCTIONS\" section"),
            std::string::npos);
  EXPECT_NE(ErrorOf([] {
              ParseHeaptrackPrint(Read("bad_site_label.txt"), 10);
            }).find("line 2: cannot read"),
            std::string::npos);
  EXPECT_NE(ErrorOf([] {
              ParseHeaptrackPrint(Read("frames_before_site.txt"), 10);
            }).find("line 2: expected a site"),
            std::string::npos);
  EXPECT_NE(ErrorOf([] {
              ParseHeaptrackPrint(
                  "MOST CALLS TO ALLOCATION FUNCTIONS\n"
                  "5 calls to allocation functions with 2Q peak consumption "
                  "from\n",
                  10);
            }).find("line 2: bad count or size"),
            std::string::npos);
}

TEST(ParseCollapsedStacks, ReadsHeaptrackFlameGraphLines) {
  const std::vector<FlameStack> stacks =
      ParseCollapsedStacks(Read("stacks.txt"));
  ASSERT_EQ(stacks.size(), 8u);
  EXPECT_EQ(stacks[0].value, 1u);
  // Frames carry spaces ("(rtld.c)"); the trailing ';' adds no frame.
  EXPECT_EQ(stacks[0].frames.front(), "0x7fc31d55ab9f (rtld.c)");
  EXPECT_EQ(stacks[0].frames.back(), "malloc");
  EXPECT_EQ(stacks[0].frames.size(), 6u);
  uint64_t attribute_set = 0;
  for (const FlameStack& stack : stacks) {
    EXPECT_EQ(stack.frames.front() == "main", &stack >= &stacks[3]);
    if (stack.frames.back() ==
        "hotpath::telemetry::AttributeSet::AttributeSet(std::span<>)") {
      attribute_set += stack.value;
    }
  }
  EXPECT_GT(attribute_set, 0u);
  EXPECT_TRUE(ParseCollapsedStacks("").empty());
  EXPECT_EQ(ParseCollapsedStacks("a;b 2\r\n")[0].frames,
            (std::vector<std::string>{"a", "b"}));
}

TEST(ParseCollapsedStacks, MalformedLinesSayWhere) {
  EXPECT_NE(ErrorOf([] {
              ParseCollapsedStacks(Read("stacks_no_count.txt"));
            }).find("line 2: no count"),
            std::string::npos);
  EXPECT_NE(ErrorOf([] {
              ParseCollapsedStacks("a;b -3\n");
            }).find("line 1: no count"),
            std::string::npos);
  EXPECT_NE(ErrorOf([] {
              ParseCollapsedStacks(";; 3\n");
            }).find("line 1: a count with no frames"),
            std::string::npos);
}

TEST(ParseHeaptrackTotalCalls, ReadsTheSummaryLine) {
  EXPECT_EQ(ParseHeaptrackTotalCalls(Read("merged.txt")), 4575u);
  EXPECT_EQ(ParseHeaptrackTotalCalls("no summary\n"), 0u);
  EXPECT_NE(ErrorOf([] {
              ParseHeaptrackTotalCalls("calls to allocation functions: x\n");
            }).find("line 1: bad total"),
            std::string::npos);
}

TEST(LoadProfiles, ReadsTheManifestAndItsFiles) {
  const ProfileSet set = LoadProfiles(Fixture("heaptrack/run"), 2);
  ASSERT_EQ(set.profiles.size(), 2u);
  const BenchmarkProfile* before =
      set.Find("metrics/VmOperation/before/real_time/threads:1");
  ASSERT_NE(before, nullptr);
  EXPECT_EQ(before->binary, "metrics_benchmark");
  EXPECT_EQ(before->iterations, 100u);
  EXPECT_EQ(before->total_calls, 4575u);
  ASSERT_EQ(before->sites.size(), 2u);
  EXPECT_EQ(before->sites[0].calls, 2751u);
  EXPECT_EQ(before->flame.size(), 8u);
  EXPECT_EQ(before->source,
            (std::filesystem::path(Fixture("heaptrack/run")) / "profile" /
             "metrics_benchmark" / "001_before_1.zst")
                .string());
  const BenchmarkProfile* after =
      set.Find("metrics/VmOperation/after/real_time/threads:1");
  ASSERT_NE(after, nullptr);
  EXPECT_EQ(after->iterations, 72210u);
  EXPECT_EQ(after->total_calls, 2219u);
  // The after's busiest site is set-up: far below one call per iteration,
  // where the before's is many per iteration.
  EXPECT_LT(after->sites[0].calls, after->iterations / 10);
  EXPECT_GT(before->sites[0].calls, before->iterations * 10);
  EXPECT_EQ(set.Find("metrics/VmOperation/after"), nullptr);
}

TEST(LoadProfiles, UnreadableProfilesBecomeNotes) {
  const ProfileSet set = LoadProfiles(Fixture("heaptrack/run"));
  ASSERT_EQ(set.notes.size(), 3u);
  // Notes follow the manifest's (sorted) order.
  EXPECT_NE(set.notes[0].find("after/real_time/threads:2: "),
            std::string::npos);
  EXPECT_NE(set.notes[0].find("005_after_2.stacks: line 2: no count"),
            std::string::npos);
  EXPECT_NE(set.notes[1].find("006_after_4.txt: no such file"),
            std::string::npos);
  EXPECT_NE(set.notes[2].find("before/real_time/threads:2: not profiled "
                              "(heaptrack or the benchmark failed"),
            std::string::npos);
}

TEST(LoadProfiles, NoProfileFolderIsAnEmptySet) {
  testing::TempDir dir;
  const ProfileSet set = LoadProfiles(dir.Path());
  EXPECT_TRUE(set.Empty());
  EXPECT_TRUE(set.notes.empty());
  EXPECT_EQ(set.Find("anything"), nullptr);
}

TEST(LoadProfiles, AFolderWithoutManifestIsANote) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir.Path("profile/metrics_benchmark"));
  const ProfileSet set = LoadProfiles(dir.Path());
  EXPECT_TRUE(set.Empty());
  ASSERT_EQ(set.notes.size(), 1u);
  EXPECT_NE(set.notes[0].find("index.json: missing"), std::string::npos);
}

TEST(LoadProfiles, MalformedManifestsAreInputErrors) {
  const std::string entry =
      R"({"binary": "b", "command": "c", "iterations": 3, "status": "ok",
          "files": {"data": "b/1.zst", "print": "b/1.txt",
                    "flamegraph": "b/1.stacks"}})";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{", "not JSON"},
      {"[]", "not a JSON object"},
      {R"({"benchmarks": {}})", "\"schema\" must be a non-negative integer"},
      {R"({"schema": 2, "benchmarks": {}})", "schema 2, expected 1"},
      {R"({"schema": 1})", "\"benchmarks\" must be an object"},
      {R"({"schema": 1, "benchmarks": {"x": 3}})",
       "benchmark \"x\": must be an object"},
      {R"({"schema": 1, "benchmarks": {"x": {"status": 1}}})",
       "benchmark \"x\": \"status\" must be a string"},
      {R"({"schema": 1, "benchmarks": {"x": {"status": "ok", "files": {}}}})",
       "\"binary\" must be a string"},
      {R"({"schema": 1, "benchmarks": {"x": )" +
           std::string(R"({"binary": "b", "status": "ok", "iterations": -1,
                           "files": {}}}})"),
       "\"iterations\" must be a non-negative integer"},
      {R"({"schema": 1, "benchmarks": {"x": )" +
           std::string(R"({"binary": "b", "status": "ok", "iterations": 1,
                           "files": {"data": "../1.zst"}}}})"),
       "file \"../1.zst\" is not a path inside profile/"},
      {R"({"schema": 1, "benchmarks": {"x": )" +
           std::string(R"({"binary": "b", "status": "ok", "iterations": 1,
                           "files": {"data": "/tmp/1.zst"}}}})"),
       "is not a path inside profile/"},
      // Deep nesting: one line, not a stack overflow in the parser's copy.
      {R"({"schema": 1, "benchmarks": {"x": )" + std::string(100000, '[') +
           std::string(100000, ']') + "}}",
       "nested deeper than 64 levels"},
      {R"({"schema": 1e999, "benchmarks": {}})", "number overflow"},
  };
  for (const auto& [manifest, expected] : cases) {
    testing::TempDir dir;
    Write(dir.Path("profile/index.json"), manifest);
    const std::string error = ErrorOf([&] { LoadProfiles(dir.Path()); });
    EXPECT_NE(error.find("index.json: "), std::string::npos) << manifest;
    EXPECT_NE(error.find(expected), std::string::npos)
        << manifest << " -> " << error;
  }
  // The well-formed entry reads, and its missing files become a note.
  testing::TempDir dir;
  Write(dir.Path("profile/index.json"),
        R"({"schema": 1, "benchmarks": {"x": )" + entry + "}}");
  const ProfileSet set = LoadProfiles(dir.Path());
  EXPECT_TRUE(set.Empty());
  ASSERT_EQ(set.notes.size(), 1u);
  EXPECT_NE(set.notes[0].find("x: "), std::string::npos);
}

// cpuprofile/ as scripts/lib/profile_manifest.py writes it.
TEST(LoadCpuProfiles, ReadsTheManifestAndItsStacks) {
  testing::TempDir dir;
  Write(dir.Path("cpuprofile/index.json"),
        R"({"schema": 1, "kind": "cpu", "profiler": "perf version 6.1.187",
            "event": "cpu-clock:u", "frequency": 999, "unwinding": "dwarf",
            "min_time": 0.3, "unavailable": "",
            "benchmarks": {
              "m/Op/before": {"binary": "m_benchmark", "command": "perf ...",
                "iterations": 1000, "samples": 7, "unwound": 0.5,
                "status": "ok", "files": {"flamegraph": "m/001.stacks",
                "json": "m/001.json", "log": "m/001.log"}},
              "m/Op/after": {"binary": "m_benchmark", "status": "failed",
                "error": "perf or the benchmark failed"}}})");
  Write(dir.Path("cpuprofile/m/001.stacks"),
        "_start;main;Op;memcpy 5\n_start;main;Op 2\n");
  const CpuProfileSet set = LoadCpuProfiles(dir.Path());
  EXPECT_TRUE(set.present);
  EXPECT_EQ(set.profiler,
            "perf version 6.1.187: cpu-clock:u at 999 Hz, DWARF unwinding");
  EXPECT_FALSE(set.kernel_visible);
  ASSERT_EQ(set.profiles.size(), 1u);
  const CpuProfile* profile = set.Find("m/Op/before");
  ASSERT_NE(profile, nullptr);
  EXPECT_EQ(profile->samples, 7u);  // from the stacks, not the manifest
  EXPECT_EQ(profile->iterations, 1000u);
  EXPECT_EQ(profile->unwound, 0.5);
  const std::vector<SelfTime> self = SelfTimes(profile->flame, 10);
  ASSERT_EQ(self.size(), 2u);
  EXPECT_EQ(self[0].function, "memcpy");
  EXPECT_EQ(self[0].samples, 5u);
  EXPECT_EQ(self[1].function, "Op");
  ASSERT_EQ(set.notes.size(), 1u);
  EXPECT_EQ(set.notes[0],
            "m/Op/after: not profiled (perf or the benchmark failed)");
}

TEST(LoadCpuProfiles, NoFolderIsNotPresentAndBadManifestsAreInputErrors) {
  testing::TempDir dir;
  EXPECT_FALSE(LoadCpuProfiles(dir.Path()).present);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"schema": 1, "benchmarks": {"x": {"binary": "b", "status": "ok",
           "iterations": 1, "unwound": 2, "files": {}}}})",
       "\"unwound\" must be a share from 0 to 1"},
      {R"({"schema": 1, "benchmarks": {"x": {"binary": "b", "status": "ok",
           "iterations": 1, "files": {"flamegraph": "../x.stacks"}}}})",
       "is not a path inside cpuprofile/"},
  };
  for (const auto& [manifest, expected] : cases) {
    testing::TempDir bad;
    Write(bad.Path("cpuprofile/index.json"), manifest);
    const std::string error = ErrorOf([&] { LoadCpuProfiles(bad.Path()); });
    EXPECT_NE(error.find(expected), std::string::npos) << error;
  }
}

}  // namespace
}  // namespace hotpath::benchgate
