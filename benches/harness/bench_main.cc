// The one main of every bench binary: run context, memory manager, run.
#include <benchmark/benchmark.h>

#include "benches/harness/memory_manager.h"
#include "benches/harness/run_context.h"

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  for (const auto& [key, value] : hotpath::harness::CollectRunContext().Fields()) {
    benchmark::AddCustomContext(key, value);
  }
  hotpath::harness::PeakMemoryManager memory_manager;
  benchmark::RegisterMemoryManager(&memory_manager);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::RegisterMemoryManager(nullptr);
  benchmark::Shutdown();
  return 0;
}
