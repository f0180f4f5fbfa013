// `benchgate instructions RUN_DIR`: writes the exact instructions per op
// that callgrind_reader computes from RUN_DIR's callgrind/ dumps into the
// run's Google Benchmark JSON, as the user counter `instructions_per_op`.
//
// Once there, compare, gate, accept and report treat it like any other exact
// metric (metric_policy.cc): no further code knows where it came from. Every
// iteration row of a counted benchmark gets the value, its mean and median
// aggregates too (stddev and cv 0: the value is the same in every
// repetition); a benchmark without an exact count loses any stale value, so
// running the command twice or after a new pass leaves no number that the
// dumps do not support. Each file's context records the callgrind version in
// `hotpath_instructions`. Files are replaced atomically.

#ifndef HOTPATH_TOOLS_BENCHGATE_INSTRUCTIONS_H_
#define HOTPATH_TOOLS_BENCHGATE_INSTRUCTIONS_H_

#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "benchgate/read/callgrind_reader.h"

namespace hotpath::benchgate {

inline constexpr const char* kInstructionsMetric = "instructions_per_op";
inline constexpr const char* kInstructionsContextKey = "hotpath_instructions";

struct InjectionStats {
  std::size_t rows = 0;                    // rows that got a value
  std::size_t cleared = 0;                 // stale values removed
  std::map<std::string, bool> benchmarks;  // run name -> got a value
};

// Sets or clears instructions_per_op in the "benchmarks" rows of one Google
// Benchmark document, by run name, and sets the context key to `context`.
InjectionStats InjectInstructions(
    nlohmann::ordered_json& document,
    const std::map<std::string, const InstructionCount*>& counts,
    const std::string& context);

struct InstructionsOptions {
  std::string allocator;  // subfolder of a matrix run (default glibc)
  SlopeOptions slope;
  // When set, the benchmarks worth a retry with a longer min time are
  // written there, one "<binary>\t<run name>" line each, for
  // scripts/lib/instructions.sh to run into callgrind/<binary>.retry/: two
  // iteration counts (one short of a slope that can be checked), or three
  // whose smallest, a single iteration, missed the slope. A benchmark with a
  // single count is not listed: one iteration outlasted the min time under
  // callgrind, and three counts would take minutes.
  std::string retry_list;
};

// Returns 0; throws InputError (exit 2) for a missing or malformed run or
// callgrind folder. Prints every benchmark's count or why it has none.
int InstructionsCommand(const std::string& run_path,
                        const InstructionsOptions& options, std::ostream& out);

}  // namespace hotpath::benchgate

#endif  // HOTPATH_TOOLS_BENCHGATE_INSTRUCTIONS_H_
