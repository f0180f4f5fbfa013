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
//
// Per-thread counts see only the run's own threads: a thread the benchmark
// starts itself must add its counts by hand (AddOtherThreads). The smoke test
// checks that nothing was missed (HOTPATH_ALLOC_CROSSCHECK=1, see
// bench_main.cc): the scope then also reads the process-wide count at the
// region's two edges and fails the run (SkipWithError) when the reported
// total differs from it. The edges are barriers of the run's threads: the
// last thread to arrive reads the process count while every other one waits
// without allocating, after it took its own per-thread snapshot. So both
// counts cover the same window: the timed loop, Google Benchmark's start and
// stop barriers around it, and whatever the body does between the scope's
// construction and Report(); never the runner's bookkeeping between runs,
// thread start-up, nor the memory manager's separate run (no check there:
// it runs thread 0 alone, so the barrier would never fill).
//
// A benchmark may state its allocation budget in one line after creating the
// scope, `allocations.ExpectAtMost(0)`: at most that many allocations per op
// in the region (steady state: the warm-up before the scope is not counted).
// A run over it fails through SkipWithError ("allocation budget: 0 per op,
// measured 1.25"), so the JSON shows error_occurred with that message
// (Google Benchmark drops a failed run's counters: the message carries the
// measured value) and benchgate fails the gate.
// The budget is checked only where counts exist: not in a sanitizer build
// (no counting; the budget then says nothing) nor in Google Benchmark's
// memory run (another iteration count). In a multi-threaded run every thread
// runs the same body and so states the same budget; the thread that reports
// checks the run's total.
#ifndef HOTPATH_BENCHES_HARNESS_BENCH_SUPPORT_H_
#define HOTPATH_BENCHES_HARNESS_BENCH_SUPPORT_H_

#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <string>
#include <thread>

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

// A barrier of the run's threads at one edge of the counted region; the
// last thread to arrive reads the process-wide count before releasing the
// others, which wait by yielding (no allocation). Self-resetting, so one
// instance serves every edge of every run.
class RegionEdge {
 public:
  AllocStats Cross(int threads) {
    if (threads == 1) return ProcessAllocStats();
    const uint64_t generation = generation_.load(std::memory_order_acquire);
    if (arrived_.fetch_add(1, std::memory_order_acq_rel) + 1 == threads) {
      at_ = ProcessAllocStats();
      arrived_.store(0, std::memory_order_relaxed);
      generation_.store(generation + 1, std::memory_order_release);
    } else {
      while (generation_.load(std::memory_order_acquire) == generation) {
        std::this_thread::yield();
      }
    }
    return at_;
  }

 private:
  std::atomic<int> arrived_{0};
  std::atomic<uint64_t> generation_{0};
  AllocStats at_;
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
        cross_check_(ProcessCountingEnabled() && !PeakTrackingActive()),
        start_(ThreadAllocStats()) {
    Totals().Reset(state);
    if (cross_check_) process_start_ = Edge().Cross(state.threads());
    // Last, so the dump holds the loop and hardly anything else.
    if (state.thread_index() == 0) CallgrindLoopStart();
  }

  // Reports, if Report() was not called: the region then ends with the
  // benchmark function, so a foreign suite's benchmark needs one line, the
  // scope's declaration before its loop (its teardown after the loop is
  // counted too; call Report() right after the loop to leave it out).
  ~AllocationScope() {
    if (!reported_) Report();
  }

  AllocationScope(const AllocationScope&) = delete;
  AllocationScope& operator=(const AllocationScope&) = delete;

  // Allocations in the region by threads the benchmark started itself
  // (counted there with ThreadAllocStats), added to this thread's. Before
  // Report().
  void AddOtherThreads(uint64_t allocs, uint64_t bytes) {
    others_allocs_ += allocs;
    others_bytes_ += bytes;
  }

  // Fails the run when its allocations per op exceed `allocs_per_op` (see
  // the top of this file). Before Report().
  AllocationScope& ExpectAtMost(double allocs_per_op) {
    budget_ = allocs_per_op;
    return *this;
  }

  // Call once, after the loop, on every thread (or let the destructor).
  void Report() {
    if (reported_) return;
    reported_ = true;
    const AllocStats delta = ThreadAllocStats() - start_;
    const uint64_t mine[RunTotals::kSlots] = {
        delta.allocs + others_allocs_, delta.bytes + others_bytes_, 0, 0};
    uint64_t all[RunTotals::kSlots];
    uint64_t iterations = 0;
    const bool last = Totals().Gather(state_, mine, all, iterations);
    // After every thread's Gather: the last one to gather may not be the
    // last to cross, and it reads the totals only once all have crossed.
    AllocStats process{};
    if (cross_check_) process = Edge().Cross(state_.threads()) - process_start_;
    // After the region: Google Benchmark keeps it in the counters map, whose
    // first insertion allocates. A rate the benchmark set itself stays.
    if (state_.counters.find("items_per_second") == state_.counters.end()) {
      state_.SetItemsProcessed(static_cast<int64_t>(
          static_cast<double>(state_.iterations()) * ops_per_iteration_));
    }
    if (!last) return;
    if (cross_check_ && (process.allocs != all[0] || process.bytes != all[1])) {
      const std::string message =
          "allocation cross-check: the run counted " + std::to_string(all[0]) +
          " allocations (" + std::to_string(all[1]) +
          " bytes) on its threads, the process made " +
          std::to_string(process.allocs) + " (" +
          std::to_string(process.bytes) +
          " bytes) in the same region: a thread the benchmark did not count "
          "allocated (add it with AllocationScope::AddOtherThreads)";
      state_.SkipWithError(message.c_str());
      return;
    }
    CallgrindLoopEnd(iterations, ops_per_iteration_, timing_dependent_);
    const double allocs_per_op = PerOp(all[0], iterations, ops_per_iteration_);
    state_.counters["allocs_per_op"] = allocs_per_op;
    state_.counters["bytes_per_op"] =
        PerOp(all[1], iterations, ops_per_iteration_);
    if (budget_ >= 0 && AllocCountingEnabled() && !PeakTrackingActive() &&
        allocs_per_op > budget_) {
      const std::string message = "allocation budget: " + Number(budget_) +
                                  " per op, measured " + Number(allocs_per_op);
      state_.SkipWithError(message.c_str());
    }
  }

 private:
  static RunTotals& Totals() {
    static RunTotals totals;
    return totals;
  }
  static RegionEdge& Edge() {
    static RegionEdge edge;
    return edge;
  }
  // Shortest form up to 6 significant digits: 0, 1.25, 0.0625.
  static std::string Number(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.6g", value);
    return text;
  }

  benchmark::State& state_;
  double ops_per_iteration_;
  const char* timing_dependent_;
  bool cross_check_;
  AllocStats start_;
  AllocStats process_start_;  // the same on every thread of the run
  uint64_t others_allocs_ = 0;
  uint64_t others_bytes_ = 0;
  double budget_ = -1;  // allocations per op; negative: none stated
  bool reported_ = false;
};

}  // namespace hotpath::harness

#endif  // HOTPATH_BENCHES_HARNESS_BENCH_SUPPORT_H_
