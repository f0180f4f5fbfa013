// Reads the JSON that Google Benchmark writes with --benchmark_out.
//
// Accepts everything a release of Google Benchmark emits: repetitions with
// or without aggregates, aggregates only, single runs, any time unit,
// errored runs, complexity (BigO/RMS) rows, counters missing from some
// rows, and the bare NaN/Infinity literals its writer prints for undefined
// statistics (a cv over all-zero counters), which strict JSON forbids;
// also the style of releases before run_type existed, whose aggregate rows
// are known only by a _mean, _median, _stddev or _cv suffix (as in
// compare.py's own test inputs).
// Everything else that is wrong is an InputError naming the row: a counter
// that is not a number, a NaN, infinite or null counter in an iteration row
// (aggregate rows may hold NaN for undefined statistics), a negative count,
// a time without a time_unit or one that overflows in nanoseconds, JSON
// nested deeper than kMaxJsonDepth, a non-string hotpath_build_type.

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
  // The "benchmarks" array, NaN written as null, as ReadOptions::rows says:
  // as values (KeepRows::kValues) or as text, each row one line of compact
  // JSON, joined by kRowSeparator (KeepRows::kText); else empty.
  nlohmann::json rows;
  std::string row_text;
  nlohmann::json provenance;  // "benchgate" object of a stored baseline
  std::vector<Benchmark> benchmarks;
  std::map<std::string, Complexity> complexity;
  std::vector<std::string> notes;
};

// Whether to keep every row as read. Commands that judge need only what
// the verdicts use, and a file is never held as a tree: rows are read one
// at a time as the text is parsed. accept stores the rows (as text: a
// row as a tree costs ten times its text), merge rewrites them (values).
enum class KeepRows { kNo, kText, kValues };

// Between two rows of ParsedFile::row_text: the rows of a stored baseline
// are indented by four spaces.
inline constexpr std::string_view kRowSeparator = ",\n    ";

struct ReadOptions {
  KeepRows rows = KeepRows::kNo;
};

// `path` only names the input in errors and in Benchmark::source.
ParsedFile ParseBenchmarkJson(std::string_view text, const std::string& path,
                              const ReadOptions& options = {});
ParsedFile ReadBenchmarkFile(const std::string& path,
                             const ReadOptions& options = {});

// True for the fields Google Benchmark itself writes on a row; every other
// numeric field is a user counter.
bool IsGoogleBenchmarkField(std::string_view key);

// Replaces NaN, Infinity and -Infinity outside strings by null.
std::string ReplaceNonFiniteLiterals(std::string_view text);

// The deepest nesting of arrays and objects any JSON input may have. Google
// Benchmark's own files need 4; nlohmann::json copies, compares and prints
// values recursively, so a value a million levels deep would overflow the
// stack in whatever touches it next.
inline constexpr int kMaxJsonDepth = 64;

// Throws InputError(path, "nested deeper than 64 levels") when `text` opens
// more than kMaxJsonDepth arrays or objects (brackets in strings do not
// count). Cheap; run it before parsing, so no deep value is ever built.
void CheckJsonDepth(std::string_view text, const std::string& path);

// nlohmann::json::parse for an input file: the depth checked first, and any
// error of the parser (also a number too large for a double, which is not a
// parse_error) as one InputError line naming `path`.
nlohmann::json ParseJsonInput(std::string_view text, const std::string& path);

}  // namespace hotpath::benchgate

#endif  // HOTPATH_TOOLS_BENCHGATE_READ_GB_READER_H_
