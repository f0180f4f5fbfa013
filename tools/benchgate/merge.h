// Joins several runs of one suite into one Google Benchmark JSON file.
//
// Two uses meet here. Shards (`bench-all --shard K/N` on N runners) hold
// disjoint benchmark sets: their rows are unioned. Halves of one side of an
// alternating A B B A run hold the same benchmarks: their repetitions are
// concatenated, repetition_index renumbered, and the standard aggregates
// (mean, median, stddev, cv) recomputed from the pooled repetitions, since
// the reader refuses two "mean" rows for one benchmark and would otherwise
// be handed statistics of half the samples.
//
// Every repetition row keeps the process it ran in (hotpath_process): the
// k-th input that holds a benchmark is its k-th process, so the statistics
// can treat the process, not the repetition, as the unit of replication.
//
// Pooling is only done where it is honest: the same build (revision, build
// type, allocator) on the same machine. Different fingerprints are refused
// unless explicitly allowed for shards; then the merged run records every
// fingerprint, calls itself mixed (a fingerprint of its own, "mixed-<hash
// of the machines>", which matches no single machine's stored baseline, so
// `gate` compares it with ratios and exact metrics only) and still refuses
// to pool one benchmark's repetitions across machines. Identical repetition
// rows in two inputs (the same run given twice) are refused too.

#ifndef HOTPATH_TOOLS_BENCHGATE_MERGE_H_
#define HOTPATH_TOOLS_BENCHGATE_MERGE_H_

#include <cstddef>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

namespace hotpath::benchgate {

struct MergeOptions {
  std::string allocator;  // subfolder of run directories, as for LoadRun
  // Shards from different runners: record every fingerprint, mark mixed.
  bool allow_mixed_fingerprints = false;
  // Shards only: a benchmark found in two inputs is an error, not pooled.
  bool disjoint = false;
  std::string merged_at;  // UTC, ISO 8601; recorded as provenance
  // Both sides of one alternating comparison carry the same id (context
  // hotpath_pairing): `compare` then pairs their processes by number.
  std::string pairing;
};

struct MergeResult {
  nlohmann::json document;  // Google Benchmark JSON: context + benchmarks
  std::string fingerprint;  // of the merged run
  std::vector<std::string> machines;  // distinct fingerprints of the inputs
  bool mixed = false;
  std::size_t files = 0;
  std::size_t benchmarks = 0;
  std::size_t pooled = 0;  // benchmarks whose repetitions were concatenated
  std::vector<std::string> notes;
};

// Throws InputError for unreadable input, mixed fingerprints (unless
// allowed), mismatched build types, revisions or allocators, a benchmark
// pooled across machines or found in two shards with `disjoint`, and
// duplicate repetition rows.
MergeResult MergeRuns(const std::vector<std::string>& inputs,
                      const MergeOptions& options);

// `benchgate merge OUT IN...`: writes OUT atomically, prints one summary
// line (and notes). Returns 0; bad input throws InputError.
int MergeCommand(const std::string& out_path,
                 const std::vector<std::string>& inputs,
                 const MergeOptions& options, std::ostream& out);

}  // namespace hotpath::benchgate

#endif  // HOTPATH_TOOLS_BENCHGATE_MERGE_H_
