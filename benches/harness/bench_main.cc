// The one main of every bench binary: run context, memory manager, run.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "benches/harness/alloc_counter.h"
#include "benches/harness/callgrind_support.h"
#include "benches/harness/memory_manager.h"
#include "benches/harness/run_context.h"

namespace {

// Google Benchmark 1.7.1 keeps each repetition's memory result in a vector
// and reports through pointers into it, which dangle once it grows: with
// more than one repetition the peak and net figures are garbage. So the
// memory manager runs only in single-repetition runs (bench-all does one).
bool SingleRepetition(int argc, char** argv) {
  constexpr std::string_view kFlag = "--benchmark_repetitions=";
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg(argv[i]);
    if (arg.substr(0, kFlag.size()) == kFlag) {
      return arg.substr(kFlag.size()) == "1";
    }
  }
  return true;
}

// Under valgrind: closes each benchmark's callgrind dumps with a marker
// naming it (callgrind_support.h), since a body cannot know its own name.
class CallgrindMarkingReporter : public benchmark::ConsoleReporter {
 public:
  CallgrindMarkingReporter() : ConsoleReporter(OO_None) {}
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    if (!runs.empty())
      hotpath::harness::CallgrindMarkEnd(runs.front().run_name.str());
  }
};

}  // namespace

int main(int argc, char** argv) {
  // The memory run would add a dump of other code (peak tracking) under
  // callgrind, and valgrind runs are for instruction counts only.
  const bool under_valgrind = hotpath::harness::UnderValgrind();
  const bool memory_run = SingleRepetition(argc, argv) && !under_valgrind;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  for (const auto& [key, value] :
       hotpath::harness::CollectRunContext().Fields()) {
    benchmark::AddCustomContext(key, value);
  }
  benchmark::AddCustomContext("hotpath_memory_manager",
                              memory_run ? "on" : "off");
  // The smoke test's cross-check of per-thread against process-wide counts
  // (bench_support.h); off in timed runs, where it would add a shared atomic
  // to every allocation.
  // NOLINTNEXTLINE(concurrency-mt-unsafe): main, before any benchmark thread
  const char* cross_check = std::getenv("HOTPATH_ALLOC_CROSSCHECK");
  if (cross_check != nullptr && std::string_view(cross_check) == "1" &&
      hotpath::harness::AllocCountingEnabled()) {
    hotpath::harness::EnableProcessCounting();
  }
  benchmark::AddCustomContext(
      "hotpath_alloc_crosscheck",
      hotpath::harness::ProcessCountingEnabled() ? "on" : "off");
  hotpath::harness::PeakMemoryManager memory_manager;
  if (memory_run) benchmark::RegisterMemoryManager(&memory_manager);
  if (under_valgrind) {
    CallgrindMarkingReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
  } else {
    benchmark::RunSpecifiedBenchmarks();
  }
  benchmark::RegisterMemoryManager(nullptr);
  benchmark::Shutdown();
  return 0;
}
