// benchgate export: each format checked against the shape its publisher
// documents, and the values against what the fixture was written with
// (tests/data/benchgate/export/repetitions.json: three repetitions plus
// Google Benchmark's aggregates, a time in microseconds, a counter missing
// from a benchmark, a NaN counter, control characters in a name and a
// failed benchmark).

#include "benchgate/write/export_formats.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "benchgate/error.h"
#include "benchgate/read/run_loader.h"
#include "test_support.h"

namespace hotpath::benchgate {
namespace {

using nlohmann::json;
using testing::Fixture;

const char* const kOddName = "odd/\"name\"\\with\ttab\nnewline\x01";

json Export(const Run& run, ExportFormat format) {
  const ExportResult result = RenderExport(run, format);
  EXPECT_FALSE(result.text.empty());
  EXPECT_EQ(result.text.back(), '\n');
  return json::parse(result.text);
}

json Export(const std::string& fixture, ExportFormat format) {
  return Export(LoadRun(Fixture(fixture)), format);
}

// https://bencher.dev/bmf.json: an object of benchmarks, each an object of
// measures, each {"value": number, "lower_value"?: number,
// "upper_value"?: number}. Nothing else is written.
void ExpectBencherShape(const json& bmf) {
  ASSERT_TRUE(bmf.is_object());
  for (const auto& [benchmark, measures] : bmf.items()) {
    EXPECT_FALSE(benchmark.empty());
    ASSERT_TRUE(measures.is_object()) << benchmark;
    EXPECT_FALSE(measures.empty()) << benchmark;
    for (const auto& [slug, metric] : measures.items()) {
      EXPECT_LE(slug.size(), 64U) << "Bencher's slug limit";
      ASSERT_TRUE(metric.is_object()) << benchmark << " " << slug;
      ASSERT_TRUE(metric.contains("value")) << benchmark << " " << slug;
      for (const auto& [key, value] : metric.items()) {
        EXPECT_TRUE(key == "value" || key == "lower_value" ||
                    key == "upper_value")
            << key;
        EXPECT_TRUE(value.is_number())
            << benchmark << " " << slug << " " << key;
      }
      // Bounds come in pairs around the value.
      EXPECT_EQ(metric.contains("lower_value"), metric.contains("upper_value"));
      if (metric.contains("lower_value")) {
        EXPECT_LE(metric["lower_value"].get<double>(),
                  metric["value"].get<double>());
        EXPECT_GE(metric["upper_value"].get<double>(),
                  metric["value"].get<double>());
      }
    }
  }
}

// github-action-benchmark's custom tools read an array of {"name": string,
// "unit": string, "value": number, "range"?: string, "extra"?: string}.
void ExpectGithubActionBenchmarkShape(const json& entries) {
  ASSERT_TRUE(entries.is_array());
  for (const json& entry : entries) {
    ASSERT_TRUE(entry.is_object());
    EXPECT_TRUE(entry.contains("name") && entry["name"].is_string());
    EXPECT_TRUE(entry.contains("unit") && entry["unit"].is_string());
    EXPECT_TRUE(entry.contains("value") && entry["value"].is_number());
    for (const auto& [key, value] : entry.items()) {
      EXPECT_TRUE(key == "name" || key == "unit" || key == "value" ||
                  key == "range" || key == "extra")
          << key;
      if (key == "range" || key == "extra") {
        EXPECT_TRUE(value.is_string()) << key;
      }
    }
  }
}

const json* EntryNamed(const json& entries, const std::string& name) {
  for (const json& entry : entries) {
    if (entry["name"] == name) return &entry;
  }
  return nullptr;
}

TEST(ExportBencher, MatchesTheFormatAndTheFixture) {
  const json bmf = Export("export/repetitions.json", ExportFormat::kBencher);
  ExpectBencherShape(bmf);
  // Every benchmark that did not fail, by its run name.
  EXPECT_EQ(bmf.size(), 3U);
  EXPECT_FALSE(bmf.contains("queue/Pop/after"));

  // Repetitions 130, 100, 110 ns: median 110, the range of the three.
  const json& before = bmf["queue/Push/before"];
  EXPECT_EQ(before.size(), 4U);
  EXPECT_DOUBLE_EQ(before["latency"]["value"].get<double>(), 110.0);
  EXPECT_DOUBLE_EQ(before["latency"]["lower_value"].get<double>(), 100.0);
  EXPECT_DOUBLE_EQ(before["latency"]["upper_value"].get<double>(), 130.0);
  EXPECT_DOUBLE_EQ(before["throughput"]["value"].get<double>(), 9.0e6);
  EXPECT_DOUBLE_EQ(before["throughput"]["lower_value"].get<double>(), 7.0e6);
  EXPECT_DOUBLE_EQ(before["throughput"]["upper_value"].get<double>(), 1.0e7);
  // Counts are exact: a value, no bounds.
  EXPECT_EQ(before["allocations"], json({{"value", 2.0}}));
  EXPECT_EQ(before["bytes"], json({{"value", 64.0}}));

  // Microseconds written as nanoseconds; no bytes_per_op in its rows; its
  // items_per_second NaN in every row: left out, never null.
  const json& after = bmf["queue/Push/after"];
  EXPECT_DOUBLE_EQ(after["latency"]["value"].get<double>(), 50.0);
  EXPECT_DOUBLE_EQ(after["latency"]["lower_value"].get<double>(), 40.0);
  EXPECT_DOUBLE_EQ(after["latency"]["upper_value"].get<double>(), 60.0);
  EXPECT_EQ(after["allocations"], json({{"value", 0.0}}));
  EXPECT_FALSE(after.contains("bytes"));
  EXPECT_FALSE(after.contains("throughput"));

  // One repetition: no spread to give.
  ASSERT_TRUE(bmf.contains(kOddName));
  EXPECT_EQ(bmf[kOddName], json({{"latency", {{"value", 42.0}}}}));
}

TEST(ExportBencher, AggregatesOnlyGiveTheMedianWithoutBounds) {
  const benchgate::Run run = LoadRun(Fixture("aggregates_new.json"));
  const json bmf = Export(run, ExportFormat::kBencher);
  ExpectBencherShape(bmf);
  EXPECT_EQ(bmf.size(), run.benchmarks.size());
  for (const Benchmark& benchmark : run.benchmarks) {
    const json& latency = bmf[benchmark.name]["latency"];
    EXPECT_DOUBLE_EQ(latency["value"].get<double>(),
                     benchmark.Find(kRealTime)->median);
    EXPECT_FALSE(latency.contains("lower_value")) << benchmark.name;
  }
}

TEST(ExportGithubActionBenchmark, SmallerIsBetterHoldsTimesAndCounts) {
  const json entries =
      Export("export/repetitions.json", ExportFormat::kGithubActionBenchmark);
  ExpectGithubActionBenchmarkShape(entries);
  std::set<std::string> names;
  for (const json& entry : entries) names.insert(entry["name"]);
  const std::string odd_latency = std::string(kOddName) + " - latency";
  EXPECT_EQ(
      names,
      (std::set<std::string>{
          "queue/Push/before - latency", "queue/Push/before - allocations",
          "queue/Push/before - bytes", "queue/Push/after - latency",
          "queue/Push/after - allocations", odd_latency}));

  const json* latency = EntryNamed(entries, "queue/Push/before - latency");
  ASSERT_NE(latency, nullptr);
  EXPECT_EQ((*latency)["unit"], "ns/iter");
  EXPECT_DOUBLE_EQ((*latency)["value"].get<double>(), 110.0);
  // 130 is 20 above the median, 100 is 10 below: "± 20" covers both.
  EXPECT_EQ((*latency)["range"], "± 20");
  const json* allocations =
      EntryNamed(entries, "queue/Push/after - allocations");
  ASSERT_NE(allocations, nullptr);
  EXPECT_EQ((*allocations)["unit"], "allocs/op");
  EXPECT_DOUBLE_EQ((*allocations)["value"].get<double>(), 0.0);
  EXPECT_FALSE(allocations->contains("range"));
  const json* bytes = EntryNamed(entries, "queue/Push/before - bytes");
  ASSERT_NE(bytes, nullptr);
  EXPECT_EQ((*bytes)["unit"], "bytes/op");
  EXPECT_DOUBLE_EQ((*bytes)["value"].get<double>(), 64.0);
}

TEST(ExportGithubActionBenchmark, BiggerIsBetterHoldsThroughputOnly) {
  const json entries = Export("export/repetitions.json",
                              ExportFormat::kGithubActionBenchmarkBigger);
  ExpectGithubActionBenchmarkShape(entries);
  ASSERT_EQ(entries.size(), 1U);  // the after side's is NaN
  EXPECT_EQ(entries[0]["name"], "queue/Push/before - throughput");
  EXPECT_EQ(entries[0]["unit"], "items/s");
  EXPECT_DOUBLE_EQ(entries[0]["value"].get<double>(), 9.0e6);
}

TEST(Export, ControlCharactersInNamesAreEscapedAsJsonRequires) {
  for (const ExportFormat format :
       {ExportFormat::kBencher, ExportFormat::kGithubActionBenchmark}) {
    const std::string text =
        RenderExport(LoadRun(Fixture("export/repetitions.json")), format).text;
    // RFC 8259: U+0000 to U+001F escaped inside strings. The only raw
    // control character left is the pretty-printer's line break.
    for (const char c : text) {
      const auto byte = static_cast<unsigned char>(c);
      EXPECT_TRUE(byte >= 0x20 || c == '\n') << static_cast<int>(byte);
    }
    EXPECT_NE(text.find(R"(odd/\"name\"\\with\ttab\nnewline\u0001)"),
              std::string::npos);
  }
}

TEST(Export, NonFiniteValuesAreLeftOut) {
  // The reader already drops NaN counters of iteration rows; a Run built
  // otherwise (or an aggregate statistic) must not become null either.
  benchgate::Run run;
  Benchmark benchmark;
  benchmark.name = "nan/Case";
  Observations nan_time;
  nan_time.reps = {std::numeric_limits<double>::quiet_NaN(), 1.0};
  nan_time.Summarise();
  nan_time.median = std::numeric_limits<double>::quiet_NaN();
  benchmark.metrics.emplace(std::string(kRealTime), nan_time);
  Observations allocs;
  allocs.median = std::numeric_limits<double>::infinity();
  benchmark.metrics.emplace("allocs_per_op", allocs);
  Observations bytes;
  bytes.median = 8.0;
  benchmark.metrics.emplace("bytes_per_op", bytes);
  run.benchmarks.push_back(benchmark);

  const ExportResult bmf = RenderExport(run, ExportFormat::kBencher);
  EXPECT_EQ(json::parse(bmf.text),
            json({{"nan/Case", {{"bytes", {{"value", 8.0}}}}}}));
  EXPECT_EQ(bmf.text.find("null"), std::string::npos);
  const json entries = Export(run, ExportFormat::kGithubActionBenchmark);
  ASSERT_EQ(entries.size(), 1U);
  EXPECT_EQ(entries[0]["name"], "nan/Case - bytes");
}

TEST(Export, UnknownFormatIsABadInput) {
  EXPECT_EQ(ParseExportFormat("bencher"), ExportFormat::kBencher);
  EXPECT_EQ(ParseExportFormat("github-action-benchmark-bigger"),
            ExportFormat::kGithubActionBenchmarkBigger);
  EXPECT_THROW(ParseExportFormat("Bencher"), InputError);
  EXPECT_THROW(ParseExportFormat(""), InputError);
}

}  // namespace
}  // namespace hotpath::benchgate
