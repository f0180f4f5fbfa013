// Exact instructions per op from the callgrind dumps of `bench-all
// --instructions`.
//
// Under callgrind the bench harness dumps the instruction count of each timed
// loop as "hotpath:<iterations>:<ops per iteration>" and closes every
// benchmark's dumps with a marker "hotpath-end:<run name>"
// (benches/harness/callgrind_support.h). Google Benchmark runs a body once per
// iteration count it tries, so one benchmark leaves dumps for several counts
// N. The cost of one iteration is the slope between the two largest counts,
// (I(N2) - I(N1)) / (N2 - N1): the fixed cost around the loop (scope set-up,
// Google Benchmark's start and stop) cancels. The slope is trusted only when
// a third, smaller count gives the same slope (exactly, or within
// SlopeOptions::linearity_tolerance) and two dumps of one count agree. A loop
// whose count follows timing says so in its label
// ("hotpath:<iterations>:<ops>:threads", ":clock": threaded runs, the
// pipeline's own threads, the open-loop scenarios) and gets no number, only
// the reason, whatever its slopes. Never an estimate; but a loop that
// allocates can cost a few instructions more or less in another process,
// whose earlier runs left the heap in another state (two passes of the suite:
// 60 of 62 identical, two 0.015% and 0.13% apart).
//
// A folder "<binary>.retry" (the same binary again, with a longer min time,
// for the benchmarks that got two counts) replaces "<binary>"'s counts for
// the benchmarks it holds; any other benchmark seen in two folders is an
// error.

#ifndef HOTPATH_TOOLS_BENCHGATE_READ_CALLGRIND_READER_H_
#define HOTPATH_TOOLS_BENCHGATE_READ_CALLGRIND_READER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hotpath::benchgate {

// The parts of one callgrind.out file the reader needs.
struct CallgrindDump {
  std::string path;
  std::string creator;  // "callgrind-3.19.0"
  uint64_t pid = 0;
  uint64_t part = 0;    // dump sequence number within the process
  std::string trigger;  // "Client Request: hotpath:...", "Program termination"
  std::optional<uint64_t> instructions;  // Ir of the `totals:` line
};

// `path` names the input in errors. Throws InputError for a file that is not
// a callgrind dump or is cut short.
CallgrindDump ParseCallgrindDump(std::string_view text,
                                 const std::string& path);
CallgrindDump ReadCallgrindDump(const std::string& path);

// One timed loop: `instructions` for `iterations` (summed over threads).
struct LoopSample {
  uint64_t iterations = 0;
  uint64_t instructions = 0;
};

struct SlopeOptions {
  // Largest relative difference between the slope of the two largest counts
  // and that of the next pair. 0: the slopes must be equal, which they are
  // for a loop whose every iteration executes the same instructions (72 of
  // the suite's 177 single-threaded closed loops). Most others differ by
  // less than 0.05% (the first iteration warms pools and tables); bench-all
  // passes 0.0005 (scripts/lib/instructions.sh). Threaded runs differ by up
  // to 5%, which is why the harness labels them timing-dependent.
  double linearity_tolerance = 0.0;
};

struct InstructionCount {
  std::string run_name;
  std::string source;  // folder the dumps came from
  double ops_per_iteration = 1.0;
  std::vector<LoopSample> samples;  // distinct counts, ascending
  // Set only when exact; per op = per_iteration / ops_per_iteration.
  std::optional<double> instructions_per_op;
  double instructions_per_iteration = 0.0;
  uint64_t n1 = 0;  // the two counts of the slope
  uint64_t n2 = 0;
  // The slopes were equal, not just within the tolerance.
  bool exactly_linear = false;
  // |slope - previous slope| / slope: 0 when exactly linear.
  double linearity = 0.0;
  std::string skipped;  // why there is no number (empty when there is one)
};

// Pairs one process's dumps (in `part` order) with their benchmarks and
// computes each benchmark's count. Throws InputError for malformed labels
// or a benchmark seen twice.
std::vector<InstructionCount> CountInstructions(
    const std::vector<CallgrindDump>& dumps, const std::string& source,
    const SlopeOptions& options, std::vector<std::string>& notes);

// Slope, linearity and agreement checks on one benchmark's samples (any
// order, repeats allowed); fills the result fields of `count`.
void ComputeSlope(std::vector<LoopSample> samples, const SlopeOptions& options,
                  InstructionCount& count);

struct CallgrindRun {
  std::string dir;
  std::string creator;  // one version for the whole folder
  std::size_t dump_files = 0;
  std::vector<InstructionCount> benchmarks;  // sorted by run_name
  std::vector<std::string> notes;
};

// Reads DIR/<binary>/callgrind.out.* (any file whose name starts with
// "callgrind.out"). Throws InputError for a missing or empty folder.
CallgrindRun ReadCallgrindDir(const std::string& dir,
                              const SlopeOptions& options = {});

}  // namespace hotpath::benchgate

#endif  // HOTPATH_TOOLS_BENCHGATE_READ_CALLGRIND_READER_H_
