// Helpers a benchmark body uses to report exact per-op counters.
//
// An AllocationScope is created right before the timed loop, after warm-up,
// and reported right after it; under callgrind it also brackets the loop's
// instruction count (callgrind_support.h). Every thread of a run adds its own
// counts to the run's totals, and the last one reports total / iterations /
// ops_per_iteration once. When every iteration does the same work the division
// by iterations is exact in integers, so the reported value is the same double
// whatever iteration count the runner picked: allocs_per_op is identical from
// run to run. (Letting Google Benchmark average per-thread doubles over a
// varying iteration count leaves rounding dust in the last digit.)
#ifndef HOTPATH_BENCHES_HARNESS_BENCH_SUPPORT_H_
#define HOTPATH_BENCHES_HARNESS_BENCH_SUPPORT_H_

#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdint>

#include "benches/harness/alloc_counter.h"
#include "benches/harness/callgrind_support.h"

namespace hotpath::harness {

// Per-op value of `total` events over `iterations` iterations of
// `ops_per_iteration` ops; exact whenever total is a multiple of iterations.
inline double PerOp(uint64_t total, uint64_t iterations,
                    double ops_per_iteration) {
  if (iterations == 0) return 0;
  if (total % iterations == 0) {
    return static_cast<double>(total / iterations) / ops_per_iteration;
  }
  return static_cast<double>(total) / static_cast<double>(iterations) /
         ops_per_iteration;
}

// Totals of one benchmark run across its threads. Thread 0 resets them
// before the timed loop (every thread's Report comes after the loop's end
// barrier, and the previous run has ended); the last thread to add its values
// reads the totals. Google Benchmark's separate memory run runs only thread 0
// whatever state.threads() says, so nobody reads there, which is right: its
// iteration count is not the timed one.
class RunTotals {
 public:
  static constexpr int kSlots = 4;

  void Reset(const benchmark::State& state) {
    if (state.thread_index() != 0) return;
    for (auto& v : values_) v.store(0, std::memory_order_relaxed);
    iterations_.store(0, std::memory_order_relaxed);
    arrived_.store(0, std::memory_order_release);
  }

  // Adds this thread's values; returns true on the last thread to arrive,
  // with the run's totals in `out`.
  bool Gather(const benchmark::State& state, const uint64_t (&values)[kSlots],
              uint64_t (&out)[kSlots], uint64_t& iterations) {
    for (int i = 0; i < kSlots; ++i) {
      values_[i].fetch_add(values[i], std::memory_order_relaxed);
    }
    iterations_.fetch_add(static_cast<uint64_t>(state.iterations()),
                          std::memory_order_relaxed);
    if (arrived_.fetch_add(1, std::memory_order_acq_rel) + 1 !=
        state.threads()) {
      return false;
    }
    for (int i = 0; i < kSlots; ++i) {
      out[i] = values_[i].load(std::memory_order_relaxed);
    }
    iterations = iterations_.load(std::memory_order_relaxed);
    return true;
  }

 private:
  std::atomic<uint64_t> values_[kSlots] = {};
  std::atomic<uint64_t> iterations_{0};
  std::atomic<int> arrived_{0};
};

class AllocationScope {
 public:
  // ops_per_iteration: how many logical operations one loop iteration does;
  // counters and items_per_second are per operation. timing_dependent: why
  // the loop's instruction count depends on timing, for a loop whose work
  // follows the clock or threads the benchmark starts itself ("clock",
  // "threads"); runs with state.threads() > 1 are "threads" without asking.
  // Such a loop gets no instructions_per_op (callgrind_support.h).
  explicit AllocationScope(benchmark::State& state,
                           double ops_per_iteration = 1.0,
                           const char* timing_dependent = nullptr)
      : state_(state),
        ops_per_iteration_(ops_per_iteration),
        timing_dependent_(state.threads() > 1 && timing_dependent == nullptr
                              ? "threads"
                              : timing_dependent),
        start_(ThreadAllocStats()) {
    Totals().Reset(state);
    // Last, so the dump holds the loop and hardly anything else.
    if (state.thread_index() == 0) CallgrindLoopStart();
  }

  AllocationScope(const AllocationScope&) = delete;
  AllocationScope& operator=(const AllocationScope&) = delete;

  // Call once, after the loop, on every thread.
  void Report() {
    const AllocStats delta = ThreadAllocStats() - start_;
    state_.SetItemsProcessed(static_cast<int64_t>(
        static_cast<double>(state_.iterations()) * ops_per_iteration_));
    const uint64_t mine[RunTotals::kSlots] = {delta.allocs, delta.bytes, 0, 0};
    uint64_t all[RunTotals::kSlots];
    uint64_t iterations = 0;
    if (!Totals().Gather(state_, mine, all, iterations)) return;
    CallgrindLoopEnd(iterations, ops_per_iteration_, timing_dependent_);
    state_.counters["allocs_per_op"] =
        PerOp(all[0], iterations, ops_per_iteration_);
    state_.counters["bytes_per_op"] =
        PerOp(all[1], iterations, ops_per_iteration_);
  }

 private:
  static RunTotals& Totals() {
    static RunTotals totals;
    return totals;
  }

  benchmark::State& state_;
  double ops_per_iteration_;
  const char* timing_dependent_;
  AllocStats start_;
};

}  // namespace hotpath::harness

#endif  // HOTPATH_BENCHES_HARNESS_BENCH_SUPPORT_H_
