// Allocation profiles: where each benchmark's allocations come from.
//
// `bench-all --profile` runs every benchmark under heaptrack and keeps, per
// benchmark, heaptrack_print's text output and its collapsed-stack flame
// graph data under RUN_DIR/profile/, with a manifest (index.json). This
// header is what the readers make of them for the report: the top
// allocation sites with their call stacks, and the stacks for a flame
// graph. Counts cover the whole profiled process (set-up included);
// `iterations` says how many benchmark iterations it ran, so a site's
// calls per iteration tells a hot-loop site from a set-up one. It counts the
// reported run only: Google Benchmark's iteration-estimation runs and the
// memory pass (at most 16 iterations) also allocate, so calls/iterations
// overstates a hot-loop site's per-iteration count: 2751 calls over 100
// iterations for metrics/VmOperation/before's busiest site, whose loop
// makes at most 21 allocations per iteration (1.05 per op, 20 ops).
//
// index.json (schema 1): {"schema": 1, "profiler": ..., "min_time": ...,
// "benchmarks": {run_name: {"binary", "command", "iterations", "status"
// ("ok" or "failed", with "error"), "files": {"data", "print",
// "flamegraph", "json", "log"}}}}, file paths relative to profile/.

#ifndef HOTPATH_TOOLS_BENCHGATE_READ_PROFILES_H_
#define HOTPATH_TOOLS_BENCHGATE_READ_PROFILES_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hotpath::benchgate {

struct AllocationSite {
  uint64_t calls = 0;       // calls to allocation functions from this site
  uint64_t peak_bytes = 0;  // heaptrack's peak consumption of the site
  // Innermost first: the allocating function, then its callers, each as
  // heaptrack prints it ("function" or "function at file:line"; a frame
  // with no symbol is "0x7f... in libfoo.so").
  std::vector<std::string> stack;
  // Calls along `stack`. A site reached by several call paths shows its
  // busiest one, so this can be less than `calls`.
  uint64_t stack_calls = 0;
};

struct FlameStack {
  std::vector<std::string> frames;  // outermost first
  uint64_t value = 0;               // allocation calls along this stack
};

struct BenchmarkProfile {
  std::string benchmark;  // Google Benchmark's run_name
  std::string source;     // the heaptrack data file it was read from
  uint64_t total_calls = 0;
  uint64_t iterations = 0;  // benchmark iterations run; 0 when unknown
  std::vector<AllocationSite> sites;  // by calls, most first
  std::vector<FlameStack> flame;
  std::string binary;  // the bench binary's file name
};

struct ProfileSet {
  std::vector<BenchmarkProfile> profiles;
  std::vector<std::string> notes;  // profiles that could not be read, why

  const BenchmarkProfile* Find(std::string_view benchmark) const;
  bool Empty() const { return profiles.empty(); }
};

// Reads RUN_DIR/profile/ as bench-all --profile writes it. An empty set
// when the run has no profile folder; InputError for a malformed manifest.
ProfileSet LoadProfiles(const std::string& run_dir, size_t max_sites = 10);

// CPU profiles: where each benchmark's time goes.
//
// `bench-all --cpu-profile` runs every benchmark once more under perf
// (cpu-clock samples, DWARF unwinding) and keeps its folded stacks under
// RUN_DIR/cpuprofile/ with a manifest (index.json, schema 1, as profile/'s
// with "kind": "cpu", "profiler", "event", "frequency", "unwinding",
// "unavailable", and per benchmark "samples" and "unwound"; see
// scripts/lib/profile_manifest.py). A sample is one tick of CPU time (1 ms at
// 999 Hz) of the whole process, set-up and Google Benchmark's estimation
// runs included.
struct CpuProfile {
  std::string benchmark;  // Google Benchmark's run_name
  std::string binary;
  std::string source;             // the stacks file it was read from
  uint64_t samples = 0;           // sum over `flame`
  uint64_t iterations = 0;        // benchmark iterations run; 0 when unknown
  double unwound = 0.0;           // share of samples unwound to the entry frame
  std::vector<FlameStack> flame;  // value: samples
};

struct CpuProfileSet {
  // "perf version 6.1.187: cpu-clock at 999 Hz, DWARF unwinding".
  std::string profiler;
  std::string unavailable;     // why no profile was taken; empty when perf ran
  bool kernel_visible = true;  // false when only user space was sampled
  std::vector<CpuProfile> profiles;
  std::vector<std::string> notes;

  const CpuProfile* Find(std::string_view benchmark) const;
  bool Empty() const { return profiles.empty(); }
  // True when the run has a cpuprofile/ folder at all.
  bool present = false;
};

// Reads RUN_DIR/cpuprofile/ as bench-all --cpu-profile writes it; an empty
// set (present false) without the folder; InputError for a bad manifest.
CpuProfileSet LoadCpuProfiles(const std::string& run_dir);

struct SelfTime {
  std::string function;  // the innermost frame
  uint64_t samples = 0;
};

// Samples by innermost frame, most first (ties by name), at most `limit`.
std::vector<SelfTime> SelfTimes(const std::vector<FlameStack>& stacks,
                                size_t limit);

// heaptrack_print's text output: the "MOST CALLS TO ALLOCATION FUNCTIONS"
// section, at most `max_sites` sites.
std::vector<AllocationSite> ParseHeaptrackPrint(std::string_view text,
                                                size_t max_sites);
// Collapsed stacks ("a;b;c 42" per line), as heaptrack_print
// --print-flamegraph writes them.
std::vector<FlameStack> ParseCollapsedStacks(std::string_view text);
// The "calls to allocation functions: N" summary line of heaptrack_print's
// text output; 0 when there is none. Both parsers throw InputError (with no
// path, "line N: ...") on text they cannot read.
uint64_t ParseHeaptrackTotalCalls(std::string_view text);

}  // namespace hotpath::benchgate

#endif  // HOTPATH_TOOLS_BENCHGATE_READ_PROFILES_H_
