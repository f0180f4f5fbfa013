#include "benchgate/read/gb_reader.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>
#include <string>

#include "benchgate/error.h"
#include "test_support.h"

namespace hotpath::benchgate {
namespace {

using testing::Fixture;

const Benchmark& Get(const ParsedFile& file, const std::string& name) {
  for (const Benchmark& benchmark : file.benchmarks) {
    if (benchmark.name == name) return benchmark;
  }
  ADD_FAILURE() << "no benchmark " << name;
  static const Benchmark kNone;
  return kNone;
}

std::string Minimal(const std::string& rows) {
  return R"({"context": {"num_cpus": 2}, "benchmarks": [)" + rows + "]}";
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The real Google Benchmark files hold a user counter ("ratio") that is NaN
// in every iteration row; the tests below read them without it too.
std::string WithoutNanRatio(const std::string& text) {
  return std::regex_replace(text, std::regex(R"(,\s*"ratio": NaN)"), "");
}

ParsedFile ReadRealWithoutNanRatio(const std::string& name) {
  return ParseBenchmarkJson(WithoutNanRatio(Slurp(Fixture(name))),
                            Fixture(name));
}

// The InputError message of parsing `text` as "in.json" ("" if accepted).
std::string ErrorOf(const std::string& text) {
  try {
    ParseBenchmarkJson(text, "in.json");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

// One iteration row of benchmark "b" with `extra` fields after the times.
std::string Row(const std::string& extra) {
  return Minimal(
      R"({"name": "b", "iterations": 10, "real_time": 1, "cpu_time": 1,
          "time_unit": "ns")" +
      std::string(extra.empty() ? "" : ", ") + extra + "}");
}

TEST(ReplaceNonFiniteLiterals, OnlyOutsideStrings) {
  EXPECT_EQ(
      ReplaceNonFiniteLiterals(R"({"a": NaN, "b": -Infinity, "c": "NaN"})"),
      R"({"a": null, "b": null, "c": "NaN"})");
  EXPECT_EQ(ReplaceNonFiniteLiterals(R"(["say \"NaN\"", Infinity])"),
            R"(["say \"NaN\"", null])");
}

TEST(GbReader, RealFilesKeepAUserCounterThatIsNanOutOfTheRun) {
  // Google Benchmark writes NaN for the user counter "ratio" (0/0) in every
  // iteration row: read, and the counter left out, not the file refused.
  for (const char* name :
       {"real_gb/tiny_repetitions.json", "real_gb/tiny_single.json"}) {
    const ParsedFile file = ReadBenchmarkFile(Fixture(name));
    EXPECT_EQ(Get(file, "BM_nan").Find("ratio"), nullptr) << name;
  }
  EXPECT_EQ(ErrorOf(Row(R"("ratio": NaN)")), "");
}

TEST(GbReader, RealRepetitionsFileWithNanErrorsAndComplexity) {
  const ParsedFile file =
      ReadRealWithoutNanRatio("real_gb/tiny_repetitions.json");
  const Benchmark& fill = Get(file, "tiny/Fill/before/16");
  EXPECT_EQ(fill.parsed.variant, "before");
  EXPECT_EQ(fill.parsed.pair_key, "tiny/Fill/16");
  ASSERT_NE(fill.Find("real_time"), nullptr);
  EXPECT_EQ(fill.Find("real_time")->reps.size(), 3u);
  ASSERT_NE(fill.Find("allocs_per_op"), nullptr);
  EXPECT_DOUBLE_EQ(fill.Find("allocs_per_op")->median, 1.0);
  // The all-zero counter whose cv row is a bare NaN still reads as 0.
  EXPECT_DOUBLE_EQ(fill.Find("zero_counter")->median, 0.0);

  const Benchmark& failed = Get(file, "BM_err");
  ASSERT_TRUE(failed.error.has_value());
  EXPECT_EQ(*failed.error, "result mismatch");

  const Benchmark& threaded = Get(file, "BM_us/real_time/threads:2");
  EXPECT_EQ(threaded.threads, 2);
  // Written in microseconds, held in nanoseconds.
  EXPECT_GT(threaded.Find("real_time")->median, 1.0);

  ASSERT_EQ(file.complexity.count("BM_cplx"), 1u);
  EXPECT_EQ(file.complexity.at("BM_cplx").big_o, "lgN");
  EXPECT_EQ(Get(file, "BM_nan").Find("ratio"), nullptr);
}

TEST(GbReader, RealAggregatesOnlyFile) {
  const ParsedFile file =
      ReadBenchmarkFile(Fixture("real_gb/tiny_aggregates_only.json"));
  const Benchmark& fill = Get(file, "tiny/Fill/after/16");
  const Observations* time = fill.Find("real_time");
  ASSERT_NE(time, nullptr);
  EXPECT_FALSE(time->HasReps());
  EXPECT_EQ(time->n, 3);
  EXPECT_GT(time->median, 0.0);
  EXPECT_GE(time->stddev, 0.0);
}

TEST(GbReader, RealSingleRun) {
  const ParsedFile file = ReadRealWithoutNanRatio("real_gb/tiny_single.json");
  const Observations* time = Get(file, "tiny/Fill/after/16").Find("real_time");
  ASSERT_NE(time, nullptr);
  EXPECT_EQ(time->n, 1);
}

TEST(GbReader, EveryTimeUnitBecomesNanoseconds) {
  const ParsedFile mixed = ReadBenchmarkFile(Fixture("time_units_mixed.json"));
  const ParsedFile ns = ReadBenchmarkFile(Fixture("time_units_ns.json"));
  ASSERT_EQ(mixed.benchmarks.size(), ns.benchmarks.size());
  for (std::size_t i = 0; i < ns.benchmarks.size(); ++i) {
    EXPECT_NEAR(mixed.benchmarks[i].Find("real_time")->median,
                ns.benchmarks[i].Find("real_time")->median,
                1e-9 * ns.benchmarks[i].Find("real_time")->median);
  }
}

TEST(GbReader, OrdersByRegistrationNotByInterleavedRows) {
  const ParsedFile file = ReadBenchmarkFile(Fixture("aa_old.json"));
  EXPECT_EQ(file.benchmarks.front().name, "metrics/Record/before");
  EXPECT_EQ(file.benchmarks.back().name,
            "scenarios/StatusQueries/after/real_time/threads:2");
}

TEST(GbReader, CountersMissingFromSomeRowsAreFine) {
  const ParsedFile file = ParseBenchmarkJson(
      Minimal(R"({"name": "a/B/after", "real_time": 1, "cpu_time": 1,
                  "time_unit": "ns", "x": 5},
                 {"name": "a/B/after", "repetition_index": 1, "real_time": 2,
                  "cpu_time": 2, "time_unit": "ns"})"),
      "inline");
  const Benchmark& b = Get(file, "a/B/after");
  EXPECT_EQ(b.Find("real_time")->n, 2);
  EXPECT_EQ(b.Find("x")->n, 1);
}

// Google Benchmark's memory hook reports bytes in total over its run of
// min(16, iterations per thread) iterations; the reader adds them per
// iteration, beside allocs_per_iter.
TEST(GbReader, MemoryHookBytesBecomeBytesPerIteration) {
  const auto bytes_per_iter = [](const std::string& iterations,
                                 const std::string& threads) {
    const ParsedFile file = ParseBenchmarkJson(
        Minimal(R"({"name": "b", "iterations": )" + iterations +
                R"(, "threads": )" + threads +
                R"(, "real_time": 1, "cpu_time": 1, "time_unit": "ns",
                    "allocs_per_iter": 2.5, "max_bytes_used": 64,
                    "total_allocated_bytes": 800, "net_heap_growth": 0})"),
        "inline");
    const Observations* obs = Get(file, "b").Find("bytes_per_iter");
    return obs == nullptr ? -1.0 : obs->reps.at(0);
  };
  EXPECT_EQ(bytes_per_iter("1000", "1"), 50.0);  // 16 iterations
  EXPECT_EQ(bytes_per_iter("10", "1"), 80.0);    // all 10
  EXPECT_EQ(bytes_per_iter("20", "2"), 80.0);    // 10 per thread
  // A process of several repetitions: Google Benchmark 1.7.1 reads these
  // figures from freed memory; allocs_per_iter alone holds.
  const ParsedFile repeated = ParseBenchmarkJson(
      Minimal(R"({"name": "b", "iterations": 100, "repetitions": 5,
                  "real_time": 1, "cpu_time": 1, "time_unit": "ns",
                  "allocs_per_iter": 64.375, "max_bytes_used": 94442628707648,
                  "total_allocated_bytes": 94442628714128,
                  "net_heap_growth": 94442628707760})"),
      "inline");
  EXPECT_NE(Get(repeated, "b").Find("allocs_per_iter"), nullptr);
  for (const char* dangling : {"max_bytes_used", "total_allocated_bytes",
                               "net_heap_growth", "bytes_per_iter"}) {
    EXPECT_EQ(Get(repeated, "b").Find(dangling), nullptr) << dangling;
  }
  // Merged one-repetition processes keep them.
  const ParsedFile merged = ParseBenchmarkJson(
      Minimal(R"({"name": "b", "iterations": 100, "repetitions": 3,
                  "hotpath_process_repetitions": 1, "hotpath_process": 2,
                  "real_time": 1, "cpu_time": 1, "time_unit": "ns",
                  "allocs_per_iter": 2.5, "total_allocated_bytes": 800})"),
      "inline");
  EXPECT_NE(Get(merged, "b").Find("bytes_per_iter"), nullptr);
  // Without the hook's allocation count there is nothing to pair it with.
  const ParsedFile plain =
      ParseBenchmarkJson(Row(R"("total_allocated_bytes": 800)"), "inline");
  EXPECT_EQ(Get(plain, "b").Find("bytes_per_iter"), nullptr);
}

struct BadCase {
  const char* name;
  const char* text;
  const char* message;
};

class GbReaderRejects : public ::testing::TestWithParam<BadCase> {};

TEST_P(GbReaderRejects, WithOneClearMessage) {
  try {
    ParseBenchmarkJson(GetParam().text, "in.json");
    FAIL() << "accepted: " << GetParam().text;
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(GetParam().message), std::string::npos)
        << e.what();
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
  }
}

INSTANTIATE_TEST_SUITE_P(
    BadInputs, GbReaderRejects,
    ::testing::Values(
        BadCase{"Truncated", R"({"context": {}, "benchmarks": [)",
                "not valid JSON"},
        BadCase{"TopLevelArray", "[]", "top level is array"},
        BadCase{"NoBenchmarks", R"({"context": {}})",
                "no \"benchmarks\" array"},
        BadCase{"EmptyBenchmarks", R"({"context": {}, "benchmarks": []})",
                "empty benchmark list"},
        BadCase{"NoContext", R"({"benchmarks": [{"name": "a"}]})",
                "no \"context\" object"},
        BadCase{"RowNotObject", R"({"context": {}, "benchmarks": [3]})",
                "must be an object"},
        BadCase{"NoName",
                R"({"context": {}, "benchmarks": [{"real_time": 1}]})",
                "no \"name\""},
        BadCase{
            "WrongType",
            R"({"context": {}, "benchmarks": [{"name": "a", "real_time": "x", "cpu_time": 1, "time_unit": "ns"}]})",
            "real_time must be a number, not string"},
        BadCase{
            "NanTime",
            R"({"context": {}, "benchmarks": [{"name": "a", "real_time": NaN, "cpu_time": 1, "time_unit": "ns"}]})",
            "real_time is NaN or infinite"},
        BadCase{
            "NegativeTime",
            R"({"context": {}, "benchmarks": [{"name": "a", "real_time": 1, "cpu_time": -1, "time_unit": "ns"}]})",
            "cpu_time is negative"},
        BadCase{
            "UnknownUnit",
            R"({"context": {}, "benchmarks": [{"name": "a", "real_time": 1, "cpu_time": 1, "time_unit": "h"}]})",
            "unknown time_unit \"h\""},
        BadCase{
            "UnknownRunType",
            R"({"context": {}, "benchmarks": [{"name": "a", "run_type": "odd"}]})",
            "unknown run_type"},
        BadCase{"DuplicateRepetition", R"({"context": {}, "benchmarks": [
                  {"name": "a", "repetition_index": 0, "real_time": 1, "cpu_time": 1, "time_unit": "ns"},
                  {"name": "a", "repetition_index": 0, "real_time": 1, "cpu_time": 1, "time_unit": "ns"}]})",
                "duplicate result for \"a\" repetition 0"},
        BadCase{
            "FractionalThreads",
            R"({"context": {}, "benchmarks": [{"name": "a", "real_time": 1, "cpu_time": 1, "threads": 1.5}]})",
            "threads must be a non-negative integer"},
        BadCase{
            "ErrorNotBool",
            R"({"context": {}, "benchmarks": [{"name": "a", "real_time": 1, "cpu_time": 1, "error_occurred": "yes"}]})",
            "error_occurred must be true or false"},
        BadCase{
            "OnlyComplexity",
            R"({"context": {}, "benchmarks": [{"name": "a_BigO", "run_name": "a", "run_type": "aggregate", "aggregate_name": "BigO", "big_o": "N"}]})",
            "no benchmark results"}),
    [](const ::testing::TestParamInfo<BadCase>& param) {
      return param.param.name;
    });

// --- Hostile input -------------------------------------------------------

std::string Nested(char open, char close, std::size_t depth) {
  std::string text;
  text.reserve(depth * 6 + 8);
  for (std::size_t i = 0; i < depth; ++i) {
    text += open == '{' ? "{\"a\":" : "[";
  }
  text += "1";
  text.append(depth, close);
  return text;
}

TEST(GbReaderHostile, DeepValuesAreRefusedBeforeTheyAreBuilt) {
  const std::string row =
      R"({"name": "b", "iterations": 1, "real_time": 1, "cpu_time": 1,
          "time_unit": "ns", "label": )";
  const std::string cases[] = {
      R"({"context": {"deep": )" + Nested('[', ']', 1'000'000) +
          R"(}, "benchmarks": [{"name": "b", "iterations": 1, "real_time": 1,
          "cpu_time": 1, "time_unit": "ns"}]})",
      R"({"context": {"deep": )" + Nested('{', '}', 100'000) +
          R"(}, "benchmarks": [{"name": "b", "iterations": 1, "real_time": 1,
          "cpu_time": 1, "time_unit": "ns"}]})",
      R"({"context": {}, "benchmarks": [)" + row + Nested('[', ']', 1'000'000) +
          "}]}",
      R"({"context": {}, "benchmarks": [)" + row + Nested('{', '}', 100'000) +
          "}]}",
      Nested('[', ']', 1'000'000),
      // Not even valid JSON past the brackets: the depth is said first.
      std::string(100'000, '['),
  };
  for (const std::string& text : cases) {
    EXPECT_EQ(ErrorOf(text), "in.json: nested deeper than 64 levels");
  }
  // Brackets inside strings do not count; 64 levels in all are fine.
  EXPECT_EQ(ErrorOf(Row(R"("label": ")" + std::string(1000, '[') + "\"")), "");
  EXPECT_EQ(ErrorOf(Row(R"("label": )" + Nested('[', ']', 61))), "");
  EXPECT_EQ(ErrorOf(Row(R"("label": )" + Nested('[', ']', 62))),
            "in.json: nested deeper than 64 levels");
}

TEST(GbReaderHostile, CountersOfTheWrongTypeNameFileBenchmarkAndCounter) {
  for (const char* value : {R"("3")", "true", "[1]", R"({"v": 1})"}) {
    const std::string what =
        ErrorOf(Row(std::string("\"allocs_per_op\": ") + value));
    EXPECT_EQ(what.rfind("in.json: benchmarks[0] (b): counter "
                         "\"allocs_per_op\" must be a number, not ",
                         0),
              0u)
        << value << ": " << what;
  }
  // In an aggregate row too.
  EXPECT_NE(
      ErrorOf(
          Minimal(
              R"({"name": "b_mean", "run_name": "b", "run_type": "aggregate",
                      "aggregate_name": "mean", "real_time": 1, "cpu_time": 1,
                      "time_unit": "ns", "allocs_per_op": "3"})"))
          .find("(b_mean): counter \"allocs_per_op\" must be a number, not "
                "string"),
      std::string::npos);
  // Google Benchmark's own non-numeric fields are not counters.
  EXPECT_EQ(ErrorOf(Row(R"("label": "x", "skipped": false,
                          "skip_message": "")")),
            "");
}

TEST(GbReaderHostile, NullNanOrInfiniteCountersInIterationRowsAreRefused) {
  for (const char* value : {"null", "NaN", "Infinity", "-Infinity"}) {
    const std::string what =
        ErrorOf(Row(std::string("\"allocs_per_op\": ") + value));
    EXPECT_EQ(what,
              "in.json: benchmarks[0] (b): counter \"allocs_per_op\" is NaN, "
              "infinite or null in an iteration row")
        << value;
  }
  // Aggregate rows keep Google Benchmark's NaN for undefined statistics.
  const ParsedFile file = ParseBenchmarkJson(
      Minimal(R"({"name": "b", "run_type": "iteration", "repetition_index": 0,
                  "iterations": 1, "real_time": 1, "cpu_time": 1,
                  "time_unit": "ns", "zero": 0},
                 {"name": "b_cv", "run_name": "b", "run_type": "aggregate",
                  "aggregate_name": "cv", "aggregate_unit": "percentage",
                  "real_time": 0, "cpu_time": 0, "time_unit": "ns",
                  "zero": NaN})"),
      "in.json");
  EXPECT_DOUBLE_EQ(Get(file, "b").Find("zero")->median, 0.0);
}

TEST(GbReaderHostile, NegativeCountsAreRefused) {
  for (const char* counter :
       {"allocs_per_op", "bytes_per_op", "lock_acquisitions_per_op",
        "instructions_per_op", "allocs_per_iter", "max_bytes_used"}) {
    std::string field = "\"";
    field += counter;
    std::string expected = "in.json: benchmarks[0] (b): counter " + field;
    expected += "\" is negative (-1), which a count cannot be";
    field += "\": -1";
    EXPECT_EQ(ErrorOf(Row(field)), expected) << counter;
  }
  EXPECT_NE(ErrorOf(Minimal(
                        R"({"name": "b_median", "run_name": "b",
                            "run_type": "aggregate", "aggregate_name": "median",
                            "real_time": 1, "cpu_time": 1, "time_unit": "ns",
                            "allocs_per_op": -2})"))
                .find("counter \"allocs_per_op\" is negative"),
            std::string::npos);
  // A counter that may go down stays accepted.
  EXPECT_EQ(ErrorOf(Row(R"("net_heap_growth": -5, "delta": -1)")), "");
}

TEST(GbReaderHostile, TimesMustStayFiniteInNanoseconds) {
  EXPECT_EQ(
      ErrorOf(Minimal(R"({"name": "b", "iterations": 1, "real_time": 1.797e308,
                          "cpu_time": 1, "time_unit": "us"})")),
      "in.json: benchmarks[0] (b): real_time 1.797e+308 us is infinite in "
      "nanoseconds");
  EXPECT_NE(ErrorOf(Minimal(R"({"name": "b_mean", "run_name": "b",
                          "run_type": "aggregate", "aggregate_name": "mean",
                          "real_time": 1.797e308, "cpu_time": 1,
                          "time_unit": "s"})"))
                .find("real_time 1.797e+308 s is infinite in nanoseconds"),
            std::string::npos);
}

TEST(GbReaderHostile, TimesWithoutATimeUnitAreRefused) {
  EXPECT_EQ(
      ErrorOf(Minimal(
          R"({"name": "b", "iterations": 1, "real_time": 1, "cpu_time": 1})")),
      "in.json: benchmarks[0] (b): real_time and cpu_time without a "
      "time_unit");
}

TEST(GbReaderHostile, NumbersTooLargeForADoubleNameTheFile) {
  const std::string what = ErrorOf(Row(R"("allocs_per_op": 1e999)"));
  EXPECT_EQ(what.rfind("in.json: not valid JSON (", 0), 0u) << what;
  EXPECT_NE(what.find("1e999"), std::string::npos) << what;
  EXPECT_EQ(what.find('\n'), std::string::npos);
}

TEST(GbReaderHostile, HotpathBuildTypeMustBeAString) {
  for (const char* value :
       {"1", "[\"Debug\"]", R"({"type": "Debug"})", "null", "true"}) {
    const std::string what = ErrorOf(
        std::string(R"({"context": {"hotpath_build_type": )") + value +
        R"(}, "benchmarks": [{"name": "b", "iterations": 1, "real_time": 1,
            "cpu_time": 1, "time_unit": "ns"}]})");
    EXPECT_EQ(what.rfind("in.json: context.hotpath_build_type must be a "
                         "string, not ",
                         0),
              0u)
        << value << ": " << what;
  }
  EXPECT_EQ(ErrorOf(R"({"context": {"hotpath_build_type": "Release"},
      "benchmarks": [{"name": "b", "iterations": 1, "real_time": 1,
      "cpu_time": 1, "time_unit": "ns"}]})"),
            "");
}

// compare.py's own inputs (tools/gbench/Inputs) in the style of Google
// Benchmark before run_type existed: aggregates known by their suffix.
TEST(GbReaderForeign, OldStyleAggregatesAreKnownByTheirSuffix) {
  const ParsedFile file = ParseBenchmarkJson(
      R"({"context": {"num_cpus": 4, "library_build_type": "release"},
          "benchmarks": [
        {"name": "BM_One", "iterations": 1000, "real_time": 10,
         "cpu_time": 100, "time_unit": "ns"},
        {"name": "BM_Two_mean", "iterations": 1000, "real_time": 9,
         "cpu_time": 90, "time_unit": "ns"},
        {"name": "BM_Two_median", "iterations": 1000, "real_time": 8,
         "cpu_time": 80, "time_unit": "ns"},
        {"name": "BM_Two_stddev", "iterations": 1000, "real_time": 1,
         "cpu_time": 10, "time_unit": "ns"},
        {"name": "BM_Two_cv", "iterations": 1000, "real_time": 0.1,
         "cpu_time": 0.1, "time_unit": "ns"},
        {"name": "BM_Three_mean", "run_type": "aggregate", "iterations": 3,
         "real_time": 7, "cpu_time": 70, "time_unit": "ns"}]})",
      "test3.json");
  ASSERT_EQ(file.benchmarks.size(), 3u);
  EXPECT_EQ(file.benchmarks[0].name, "BM_One");
  const Benchmark& two = Get(file, "BM_Two");
  ASSERT_NE(two.Find("real_time"), nullptr);
  EXPECT_FALSE(two.Find("real_time")->HasReps());
  EXPECT_DOUBLE_EQ(two.Find("real_time")->median, 8.0);
  EXPECT_DOUBLE_EQ(two.Find("real_time")->mean, 9.0);
  EXPECT_DOUBLE_EQ(two.Find("cpu_time")->stddev, 10.0);
  EXPECT_DOUBLE_EQ(Get(file, "BM_Three").Find("cpu_time")->median, 70.0);
  // An aggregate row whose name says nothing about its statistic.
  EXPECT_EQ(ErrorOf(Minimal(R"({"name": "b", "run_type": "aggregate",
                                "real_time": 1, "cpu_time": 1,
                                "time_unit": "ns"})")),
            "in.json: benchmarks[0] (b): aggregate row with no "
            "\"aggregate_name\" and no _mean, _median, _stddev or _cv at the "
            "end of its name");
}

TEST(GbReaderForeign, OnlyUserDefinedStatisticsSaySo) {
  // Like tools/gbench/Inputs/test4_run0.json.
  const std::string what = ErrorOf(
      R"({"context": {"num_cpus": 4}, "benchmarks": [
        {"name": "whocares", "run_type": "aggregate", "aggregate_name": "zz",
         "aggregate_unit": "percentage", "iterations": 1000,
         "real_time": 0.01, "cpu_time": 0.10, "time_unit": "ns"}]})");
  EXPECT_EQ(what,
            "in.json: no benchmark results: only user-defined statistics "
            "(\"zz\" of \"whocares\"), which benchgate does not compare");
}

// Rows with NaN and Infinity in varied places and lengths, so that across
// a few hundred KB the words and escaped quotes fall on every side of the
// 64 KiB pieces a file is read in; `expected` gets the rows as read (null
// for each non-finite word).
std::string StreamingSuite(nlohmann::json& expected) {
  std::string text = R"({"context": {"num_cpus": 2, "note": "NaN \" -Infinity"},
  "benchmarks": [)";
  expected = nlohmann::json::array();
  for (int i = 0; i < 1500; ++i) {
    const std::string pad(static_cast<std::size_t>(i % 61), 'x');
    std::string name = "b";
    name += std::to_string(i % 700);
    name += "/";
    name += pad;
    const bool aggregate = i % 3 == 0;
    std::string row = R"({"name": ")" + name + (aggregate ? "_cv" : "") +
                      R"(", "run_name": ")" + name +
                      R"(", "label": "say \"NaN\" \\",)" + R"( "run_type": ")" +
                      (aggregate ? "aggregate" : "iteration") + R"(", )";
    nlohmann::json want = {{"name", name + (aggregate ? "_cv" : "")},
                           {"run_name", name},
                           {"label", "say \"NaN\" \\"},
                           {"run_type", aggregate ? "aggregate" : "iteration"},
                           {"time_unit", "ns"}};
    if (aggregate) {
      row += R"("aggregate_name": "cv", "real_time": NaN, "cpu_time": )" +
             std::string(i % 2 == 0 ? "Infinity" : "-Infinity") +
             R"(, "ratio": -NaN, )";
      want["aggregate_name"] = "cv";
      want["real_time"] = nullptr;
      want["cpu_time"] = nullptr;
      want["ratio"] = nullptr;
      // Dense words, so that some straddle each piece boundary.
      for (int k = 0; k < 24; ++k) {
        std::string key = "k";
        key += std::to_string(k);
        row += "\"";
        row += key;
        row += "\": ";
        row += k % 3 == 0 ? "NaN" : k % 3 == 1 ? "-Infinity" : "Infinity";
        row += ", ";
        want[key] = nullptr;
      }
    } else {
      row += R"("repetition_index": )" + std::to_string(i / 700) +
             R"(, "iterations": 5, "real_time": 1.5, "cpu_time": 2, )";
      want["repetition_index"] = i / 700;
      want["iterations"] = 5;
      want["real_time"] = 1.5;
      want["cpu_time"] = 2;
    }
    row += R"("time_unit": "ns"})";
    if (i > 0) text += ",\n";
    text += row;
    expected.push_back(want);
  }
  return text + "]}";
}

TEST(GbReaderStream, AFileReadInPiecesReadsAsTheWholeText) {
  nlohmann::json expected;
  const std::string suite = StreamingSuite(expected);
  ASSERT_GT(suite.size(), 3u * 65536);
  const testing::TempDir dir;
  const std::string path = dir.Path("suite.json");
  const ParsedFile whole = ParseBenchmarkJson(suite, path, {KeepRows::kText});
  // Shifted by up to 11 bytes, every alignment of the dense words meets
  // each boundary.
  for (std::size_t shift = 0; shift < 12; ++shift) {
    SCOPED_TRACE("shift " + std::to_string(shift));
    std::ofstream(path) << std::string(shift, ' ') << suite;
    const ParsedFile pieces = ReadBenchmarkFile(path, {KeepRows::kText});
    EXPECT_EQ(pieces.row_text, whole.row_text);
    EXPECT_EQ(pieces.context["note"], "NaN \" -Infinity");
    ASSERT_EQ(pieces.benchmarks.size(), whole.benchmarks.size());
    for (std::size_t i = 0; i < whole.benchmarks.size(); ++i) {
      EXPECT_EQ(pieces.benchmarks[i].name, whole.benchmarks[i].name);
      EXPECT_EQ(pieces.benchmarks[i].metrics.size(),
                whole.benchmarks[i].metrics.size());
    }
  }
  EXPECT_EQ(nlohmann::json::parse("[" + whole.row_text + "]"), expected);
  // Values as a tree (merge) hold the same rows.
  EXPECT_EQ(ReadBenchmarkFile(path, {KeepRows::kValues}).rows, expected);
  // Commands that only judge keep no row at all.
  const ParsedFile judged = ReadBenchmarkFile(path);
  EXPECT_TRUE(judged.row_text.empty());
  EXPECT_TRUE(judged.rows.is_null());
}

TEST(GbReaderStream, RowsBeforeTheContextAsJqSortsThem) {
  const ParsedFile file = ParseBenchmarkJson(
      R"({"benchmarks": [{"name": "a", "iterations": 1, "real_time": 3,
          "cpu_time": 3, "time_unit": "us"}], "context": {"num_cpus": 2}})",
      "in.json");
  ASSERT_EQ(file.benchmarks.size(), 1u);
  EXPECT_DOUBLE_EQ(file.benchmarks[0].Find("real_time")->median, 3000.0);
  // A bad row before a good context is still named.
  EXPECT_EQ(ErrorOf(R"({"benchmarks": [{"name": "a"}], "context": {}})"),
            "in.json: benchmarks[0] (a): real_time and cpu_time without a "
            "time_unit");
}

TEST(GbReaderStream, ASectionTwiceIsRefused) {
  EXPECT_EQ(ErrorOf(R"({"context": {}, "benchmarks": [], "benchmarks": []})"),
            "in.json: \"benchmarks\" appears twice at the top");
  EXPECT_EQ(ErrorOf(R"({"context": {}, "context": {}, "benchmarks": []})"),
            "in.json: \"context\" appears twice at the top");
}

}  // namespace
}  // namespace hotpath::benchgate
