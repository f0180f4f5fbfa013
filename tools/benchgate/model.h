// What benchgate knows about one run of a Google Benchmark suite.
//
// A run is read from one JSON file or merged from a directory of them. Each
// benchmark (keyed by Google Benchmark's `run_name`) carries its metrics as
// per-repetition observations: real and CPU time normalised to nanoseconds,
// and every user counter as written. Files written with
// `--benchmark_report_aggregates_only` have no repetitions, only a summary,
// and the statistics fall back to methods that need no raw samples.

#ifndef HOTPATH_TOOLS_BENCHGATE_MODEL_H_
#define HOTPATH_TOOLS_BENCHGATE_MODEL_H_

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "benchgate/read/benchmark_name.h"

namespace hotpath::benchgate {

inline constexpr std::string_view kRealTime = "real_time";
inline constexpr std::string_view kCpuTime = "cpu_time";

struct Observations {
  std::vector<double> reps;  // one value per repetition; empty if aggregates
  // The process each repetition ran in (hotpath_process, 1-based), parallel
  // to reps; empty when every repetition came from one process.
  std::vector<int> process;
  double median = 0.0;
  double mean = 0.0;
  double stddev = 0.0;
  int n = 0;  // repetitions behind the summary

  bool HasReps() const { return !reps.empty(); }
  // Fills median, mean, stddev and n from reps.
  void Summarise();
  // How many processes the repetitions came from (0 without repetitions).
  int Processes() const;
  // The median of each process's repetitions, by process number: the unit
  // of replication for timings (repetitions inside one process share its
  // code and heap layout and the machine's state of that moment).
  std::map<int, double> PerProcess() const;
};

struct Complexity {
  std::string big_o;  // e.g. "N", "lgN"
  double rms = 0.0;
};

struct Benchmark {
  std::string name;  // Google Benchmark's run_name
  BenchmarkName parsed;
  std::string source;  // file it was read from
  int threads = 1;
  std::map<std::string, Observations, std::less<>> metrics;
  std::optional<std::string> error;  // error_message of a failed repetition

  const Observations* Find(std::string_view metric) const;
};

// The parts of the context that decide what may be compared.
struct RunInfo {
  std::string fingerprint;
  bool fingerprint_derived = false;  // no hotpath_fingerprint in the context
  std::string build_type;
  bool debug_build = false;
  bool debug_from_library_only = false;  // only GB's library_build_type
  std::string revision;
  std::string allocator;
  bool alloc_counting_off = false;
  // Set by `merge --pairing ID` on both sides of one alternating
  // comparison: their processes with the same number ran seconds apart.
  std::string pairing;
  // What decides whether instruction counts of two machines compare:
  // the toolchain, the C library (glibc picks string routines by CPU) and
  // the CPU family. Empty when the context does not say.
  std::string compiler;
  std::string libc;
  std::string cpu_family;
  std::string cpu_model;  // for labels
  std::string date;       // Google Benchmark's context date, for labels
};

// The before and after variants of one operation, joined by pair key.
struct VariantPair {
  std::string key;
  const Benchmark* before = nullptr;
  const Benchmark* after = nullptr;
};

struct Run {
  std::string source;  // the path as given on the command line
  std::vector<std::string> files;
  RunInfo info;
  nlohmann::json context;  // the first file's context, verbatim
  // Every row of every file, each as one line of compact JSON, joined by
  // ",\n    ", when loaded with LoadOptions::keep_rows (accept stores them).
  std::optional<std::string> rows;
  nlohmann::json provenance;          // set when read from a stored baseline
  std::vector<Benchmark> benchmarks;  // in file order
  std::map<std::string, Complexity> complexity;  // by run_name
  std::vector<std::string> notes;

  const Benchmark* Find(std::string_view name) const;
  // Pairs in order of first appearance; either side may be missing.
  std::vector<VariantPair> Pairs() const;
};

}  // namespace hotpath::benchgate

#endif  // HOTPATH_TOOLS_BENCHGATE_MODEL_H_
