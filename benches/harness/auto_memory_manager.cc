// Google Benchmark's memory hook for a suite hotpath does not own: linked
// into the binary with the counting layer (the installed
// hotpath::alloc_counter target), it registers a PeakMemoryManager before
// main runs, so every benchmark's JSON row gets allocs_per_iter,
// max_bytes_used, total_allocated_bytes and net_heap_growth with no change
// to the suite's main or benchmarks. A main that registers its own manager
// replaces this one (the last registration wins).
//
// What Google Benchmark's hook measures: one extra run of the benchmark
// function, single-threaded, of min(16, iterations) iterations, including
// whatever the function does before and after its loop (1.7.1 counts that
// set-up; only its unreleased main leaves it out). Exact steady-state
// figures per operation need one line in the benchmark: an AllocationScope
// (bench_support.h) around the timed loop.
//
// Google Benchmark 1.7.1 keeps each repetition's memory result in a vector
// and reports through pointers into it, which dangle once the vector grows:
// with more than one repetition, every figure but allocs_per_iter
// (computed at once) is read from freed memory. So the hook stays off when
// the command line or BENCHMARK_REPETITIONS asks for more than one
// repetition, as the project's own main does, and the context says why.
// A repetition count set in code (->Repetitions(n)) cannot be seen from
// here: such benchmarks' memory figures are as unreliable as Google
// Benchmark makes them.
#include <benchmark/benchmark.h>

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

#include "benches/harness/alloc_counter.h"
#include "benches/harness/memory_manager.h"

namespace hotpath::harness {
namespace {

constexpr std::string_view kRepetitionsFlag = "--benchmark_repetitions=";

// A repetition count as Google Benchmark parses it, or -1 when it is not a
// whole number.
int ParseRepetitions(std::string_view text) {
  int value = 0;
  const auto [end, error] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return -1;
  return value;
}

// What the run will ask for: the last --benchmark_repetitions= on the
// command line (read from /proc, since main has not run yet), else the
// BENCHMARK_REPETITIONS environment variable, else 1.
int RequestedRepetitions() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  const std::string cmdline((std::istreambuf_iterator<char>(in)),
                            std::istreambuf_iterator<char>());
  int repetitions = 0;  // 0: not given
  std::string_view rest(cmdline);
  while (!rest.empty()) {
    const auto end = rest.find('\0');
    const std::string_view arg = rest.substr(0, end);
    if (arg.substr(0, kRepetitionsFlag.size()) == kRepetitionsFlag) {
      repetitions = ParseRepetitions(arg.substr(kRepetitionsFlag.size()));
    }
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  if (repetitions != 0) return repetitions;
  // NOLINTNEXTLINE(concurrency-mt-unsafe): static initialisation, one thread
  const char* env = std::getenv("BENCHMARK_REPETITIONS");
  if (env != nullptr && *env != '\0') return ParseRepetitions(env);
  return 1;
}

class AutoRegistration {
 public:
  AutoRegistration() {
    benchmark::AddCustomContext("hotpath_alloc_counting",
                                AllocCountingEnabled() ? "on" : "off");
    benchmark::AddCustomContext("hotpath_allocator", DetectAllocator());
    // NOLINTNEXTLINE(concurrency-mt-unsafe): static initialisation
    const char* switch_off = std::getenv("HOTPATH_MEMORY_MANAGER");
    const int repetitions = RequestedRepetitions();
    std::string state = "on";
    if (switch_off != nullptr && std::string_view(switch_off) == "0") {
      state = "off (HOTPATH_MEMORY_MANAGER=0)";
    } else if (repetitions != 1) {
      state = "off (" + std::to_string(repetitions) +
              " repetitions: Google Benchmark 1.7 reports the memory results "
              "of repeated runs from freed memory; run one repetition per "
              "process for them)";
    } else {
      benchmark::RegisterMemoryManager(&manager_);
      registered_ = true;
    }
    benchmark::AddCustomContext("hotpath_memory_manager", state);
  }
  ~AutoRegistration() {
    if (registered_) benchmark::RegisterMemoryManager(nullptr);
  }
  AutoRegistration(const AutoRegistration&) = delete;
  AutoRegistration& operator=(const AutoRegistration&) = delete;

 private:
  PeakMemoryManager manager_;
  bool registered_ = false;
};

// Constructed before main, so before benchmark::Initialize and
// RunSpecifiedBenchmarks; destroyed after main returns.
const AutoRegistration registration;

}  // namespace
}  // namespace hotpath::harness
