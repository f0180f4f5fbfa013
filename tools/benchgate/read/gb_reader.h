// Reads the JSON that Google Benchmark writes with --benchmark_out.
//
// Accepts everything a release of Google Benchmark emits: repetitions with
// or without aggregates, aggregates only, single runs, any time unit,
// errored runs, complexity (BigO/RMS) rows, counters missing from some
// rows, and the bare NaN/Infinity literals its writer prints for undefined
// statistics (a cv over all-zero counters), which strict JSON forbids.
// Everything else that is wrong is an InputError naming the row.

#ifndef HOTPATH_TOOLS_BENCHGATE_READ_GB_READER_H_
#define HOTPATH_TOOLS_BENCHGATE_READ_GB_READER_H_

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "benchgate/model.h"

namespace hotpath::benchgate {

struct ParsedFile {
  nlohmann::json context;
  nlohmann::json rows;        // the "benchmarks" array, NaN written as null
  nlohmann::json provenance;  // "benchgate" object of a stored baseline
  std::vector<Benchmark> benchmarks;
  std::map<std::string, Complexity> complexity;
  std::vector<std::string> notes;
};

// `path` only names the input in errors and in Benchmark::source.
ParsedFile ParseBenchmarkJson(std::string_view text, const std::string& path);
ParsedFile ReadBenchmarkFile(const std::string& path);

// True for the fields Google Benchmark itself writes on a row; every other
// numeric field is a user counter.
bool IsGoogleBenchmarkField(std::string_view key);

// Replaces NaN, Infinity and -Infinity outside strings by null.
std::string ReplaceNonFiniteLiterals(std::string_view text);

}  // namespace hotpath::benchgate

#endif  // HOTPATH_TOOLS_BENCHGATE_READ_GB_READER_H_
