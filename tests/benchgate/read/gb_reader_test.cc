#include "benchgate/read/gb_reader.h"

#include <gtest/gtest.h>

#include <cmath>
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

TEST(ReplaceNonFiniteLiterals, OnlyOutsideStrings) {
  EXPECT_EQ(
      ReplaceNonFiniteLiterals(R"({"a": NaN, "b": -Infinity, "c": "NaN"})"),
      R"({"a": null, "b": null, "c": "NaN"})");
  EXPECT_EQ(ReplaceNonFiniteLiterals(R"(["say \"NaN\"", Infinity])"),
            R"(["say \"NaN\"", null])");
}

TEST(GbReader, RealRepetitionsFileWithNanErrorsAndComplexity) {
  const ParsedFile file =
      ReadBenchmarkFile(Fixture("real_gb/tiny_repetitions.json"));
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
  // A counter that is NaN in every repetition is left out, and said so.
  EXPECT_EQ(Get(file, "BM_nan").Find("ratio"), nullptr);
  EXPECT_FALSE(file.notes.empty());
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
  const ParsedFile file =
      ReadBenchmarkFile(Fixture("real_gb/tiny_single.json"));
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
      Minimal(R"({"name": "a/B/after", "real_time": 1, "cpu_time": 1, "x": 5},
                 {"name": "a/B/after", "repetition_index": 1, "real_time": 2,
                  "cpu_time": 2})"),
      "inline");
  const Benchmark& b = Get(file, "a/B/after");
  EXPECT_EQ(b.Find("real_time")->n, 2);
  EXPECT_EQ(b.Find("x")->n, 1);
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
            R"({"context": {}, "benchmarks": [{"name": "a", "real_time": "x", "cpu_time": 1}]})",
            "real_time must be a number, not string"},
        BadCase{
            "NanTime",
            R"({"context": {}, "benchmarks": [{"name": "a", "real_time": NaN, "cpu_time": 1}]})",
            "real_time is NaN or infinite"},
        BadCase{
            "NegativeTime",
            R"({"context": {}, "benchmarks": [{"name": "a", "real_time": 1, "cpu_time": -1}]})",
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
                  {"name": "a", "repetition_index": 0, "real_time": 1, "cpu_time": 1},
                  {"name": "a", "repetition_index": 0, "real_time": 1, "cpu_time": 1}]})",
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

}  // namespace
}  // namespace hotpath::benchgate
