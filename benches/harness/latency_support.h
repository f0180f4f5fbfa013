// Latency percentiles as benchmark counters, and the clock's own floor.
//
// Each thread records into its own LatencyHistogram (no heap, no sharing);
// after the loop every thread merges into the run's histogram under a mutex
// and the last one to arrive reports p50_ns, p90_ns, p99_ns, p999_ns, max_ns
// and timer_floor_ns. As with AllocationScope, thread 0 resets the run's
// state before the loop and Google Benchmark's single-thread memory run
// reports nothing.
#ifndef HOTPATH_BENCHES_HARNESS_LATENCY_SUPPORT_H_
#define HOTPATH_BENCHES_HARNESS_LATENCY_SUPPORT_H_

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <mutex>

#include "benches/harness/latency_histogram.h"

namespace hotpath::harness {

using Clock = std::chrono::steady_clock;

inline uint64_t Nanos(Clock::duration d) {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(d).count());
}

// The median of back-to-back clock reads: no latency below it means much.
uint64_t TimerFloorNs();

class LatencyScope {
 public:
  explicit LatencyScope(benchmark::State& state);
  LatencyScope(const LatencyScope&) = delete;
  LatencyScope& operator=(const LatencyScope&) = delete;

  void Record(uint64_t ns) { local_.Record(ns); }
  void Record(Clock::duration d) { local_.Record(Nanos(d)); }
  const LatencyHistogram& local() const { return local_; }

  // Call once after the loop, on every thread.
  void Report();

 private:
  benchmark::State& state_;
  LatencyHistogram local_;
};

}  // namespace hotpath::harness

#endif  // HOTPATH_BENCHES_HARNESS_LATENCY_SUPPORT_H_
