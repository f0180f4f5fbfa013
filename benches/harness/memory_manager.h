// Peak and net heap growth for Google Benchmark's separate memory run.
#ifndef HOTPATH_BENCHES_HARNESS_MEMORY_MANAGER_H_
#define HOTPATH_BENCHES_HARNESS_MEMORY_MANAGER_H_

#include <benchmark/benchmark.h>

namespace hotpath::harness {

class PeakMemoryManager : public benchmark::MemoryManager {
 public:
  void Start() override;
  // Google Benchmark 1.7.1's runner calls the pointer form.
  void Stop(Result* result) override;
  void Stop(Result& result) override { Stop(&result); }
};

}  // namespace hotpath::harness

#endif  // HOTPATH_BENCHES_HARNESS_MEMORY_MANAGER_H_
