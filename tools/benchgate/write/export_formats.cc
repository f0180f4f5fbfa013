#include "benchgate/write/export_formats.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "benchgate/error.h"
#include "benchgate/write/format.h"

namespace hotpath::benchgate {
namespace {

// In the order the formats' documentation writes the keys, benchmarks in
// the run's order.
using json = nlohmann::ordered_json;

// What is exported of a run, and under which names.
struct ExportedMetric {
  std::string_view metric;  // benchgate's (Google Benchmark's) name
  std::string_view slug;    // Bencher measure slug, also the entry suffix
  std::string_view unit;    // github-action-benchmark's unit
  bool bigger_is_better;
  bool exact;  // a count: value only, no spread
};

// latency and throughput are the slugs of Bencher's built-in measures
// (nanoseconds, operations per second); the counts are custom measures,
// which Bencher creates on first use.
constexpr ExportedMetric kExported[] = {
    {"real_time", "latency", "ns/iter", false, false},
    {"items_per_second", "throughput", "items/s", true, false},
    {"allocs_per_op", "allocations", "allocs/op", false, true},
    {"bytes_per_op", "bytes", "bytes/op", false, true},
    // Google Benchmark's MemoryManager (a foreign suite without hotpath's
    // per-op scope): per iteration, so a measure of its own.
    {"allocs_per_iter", "allocations-per-iteration", "allocs/iter", false,
     true},
    {"bytes_per_iter", "bytes-per-iteration", "bytes/iter", false, true},
};

struct Value {
  double median = 0.0;
  std::optional<double> low;  // the smallest and largest repetition
  std::optional<double> high;
  int repetitions = 0;
};

// The median over repetitions (or the aggregate's median), with the range
// of the repetitions when there were several; nullopt when not finite.
std::optional<Value> ValueOf(const Observations& obs) {
  Value value;
  value.median = obs.median;
  value.repetitions = obs.HasReps() ? static_cast<int>(obs.reps.size()) : obs.n;
  if (!std::isfinite(value.median)) return std::nullopt;
  if (obs.reps.size() > 1) {
    const auto [low, high] =
        std::minmax_element(obs.reps.begin(), obs.reps.end());
    if (std::isfinite(*low) && std::isfinite(*high)) {
      value.low = *low;
      value.high = *high;
    }
  }
  return value;
}

// Benchmark name -> measure slug -> {value, lower_value, upper_value}.
// Format: https://bencher.dev/docs/reference/bencher-metric-format/
// (schema https://bencher.dev/bmf.json: "value" required, both bounds
// optional numbers). Counts carry "value" only: they are exact.
json RenderBencher(const Run& run, ExportResult& result) {
  json out = json::object();
  for (const Benchmark& benchmark : run.benchmarks) {
    if (benchmark.error) {
      ++result.skipped_failed;
      continue;
    }
    json measures = json::object();
    for (const ExportedMetric& exported : kExported) {
      const Observations* obs = benchmark.Find(exported.metric);
      if (obs == nullptr) continue;
      const std::optional<Value> value = ValueOf(*obs);
      if (!value) continue;
      json metric = {{"value", value->median}};
      if (!exported.exact && value->low) {
        metric["lower_value"] = *value->low;
        metric["upper_value"] = *value->high;
      }
      measures[std::string(exported.slug)] = std::move(metric);
      ++result.entries;
    }
    if (measures.empty()) continue;
    out[benchmark.name] = std::move(measures);
    ++result.benchmarks;
  }
  return out;
}

// [{"name", "unit", "value", "range"?, "extra"?}], as the action's
// customSmallerIsBetter and customBiggerIsBetter tools read it:
// https://github.com/benchmark-action/github-action-benchmark#examples
// ("Examples of Custom Smaller/Bigger Is Better"). "range" is free text
// the action shows beside the value: here "± d", d the larger distance
// from the median to the slowest or fastest repetition, so it covers them
// all.
json RenderGithubActionBenchmark(const Run& run, bool bigger,
                                 ExportResult& result) {
  json out = json::array();
  for (const Benchmark& benchmark : run.benchmarks) {
    if (benchmark.error) {
      ++result.skipped_failed;
      continue;
    }
    bool any = false;
    for (const ExportedMetric& exported : kExported) {
      if (exported.bigger_is_better != bigger) continue;
      const Observations* obs = benchmark.Find(exported.metric);
      if (obs == nullptr) continue;
      const std::optional<Value> value = ValueOf(*obs);
      if (!value) continue;
      json entry = {
          {"name", benchmark.name + " - " + std::string(exported.slug)},
          {"unit", std::string(exported.unit)},
          {"value", value->median}};
      if (!exported.exact && value->low) {
        const double spread =
            std::max(value->median - *value->low, *value->high - value->median);
        // Built left to right: GCC 12 -O3 warns falsely (-Wrestrict) on
        // "literal" + std::string temporaries.
        std::string range = "± ";
        range += FormatNumber(spread);
        entry["range"] = std::move(range);
      }
      std::string extra = exported.exact ? "exact count" : "median";
      if (value->repetitions > 1) {
        extra += exported.exact ? ", median of " : " of ";
        extra += std::to_string(value->repetitions);
        extra += " repetitions";
      }
      if (!exported.exact && value->low) {
        extra += "\nmin: ";
        extra += FormatNumber(*value->low);
        extra += "\nmax: ";
        extra += FormatNumber(*value->high);
      }
      entry["extra"] = std::move(extra);
      out.push_back(std::move(entry));
      ++result.entries;
      any = true;
    }
    if (any) ++result.benchmarks;
  }
  return out;
}

}  // namespace

ExportFormat ParseExportFormat(const std::string& name) {
  if (name == kExportFormatNames[0]) return ExportFormat::kBencher;
  if (name == kExportFormatNames[1])
    return ExportFormat::kGithubActionBenchmark;
  if (name == kExportFormatNames[2]) {
    return ExportFormat::kGithubActionBenchmarkBigger;
  }
  throw InputError("", "unknown export format \"" + name +
                           "\" (bencher, github-action-benchmark or "
                           "github-action-benchmark-bigger)");
}

ExportResult RenderExport(const Run& run, ExportFormat format) {
  ExportResult result;
  const json out =
      format == ExportFormat::kBencher
          ? RenderBencher(run, result)
          : RenderGithubActionBenchmark(
                run, format == ExportFormat::kGithubActionBenchmarkBigger,
                result);
  // Control characters in names are escaped (\n, \u0001); bytes that are
  // not UTF-8 (the reader refuses them, but a Run may be built otherwise)
  // become U+FFFD instead of an exception.
  result.text = out.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
  return result;
}

}  // namespace hotpath::benchgate
