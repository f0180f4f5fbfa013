// Per-op lock counters for a benchmark body, the lock twin of AllocationScope.
//
// A LockScope is created right before the timed loop, after warm-up, and
// reported right after it, on every thread. Each thread reads its own lock
// statistics (common/sync/lock_stats.h); the run's totals are gathered the
// way AllocationScope gathers allocations (RunTotals), and the last thread to
// report sets:
//   lock_acquisitions_per_op  exact: every iteration takes the same locks
//   lock_contended_pct        contended / acquisitions, all threads
//   lock_wait_ns_per_op       time blocked in contended acquisitions
//   lock_hold_ns_per_op       time held (estimated from ~1/64 sampled holds)
// Wait and hold times are noisy: run with repetitions and read the spread.
// Report an AllocationScope first: this report adds counters, which allocate.
#ifndef HOTPATH_BENCHES_HARNESS_LOCK_SUPPORT_H_
#define HOTPATH_BENCHES_HARNESS_LOCK_SUPPORT_H_

#include <benchmark/benchmark.h>

#include <cstdint>

#include "benches/harness/bench_support.h"
#include "common/sync/lock_stats.h"

namespace hotpath::harness {

class LockScope {
 public:
  // ops_per_iteration: how many logical operations one loop iteration does.
  explicit LockScope(benchmark::State& state, double ops_per_iteration = 1.0)
      : state_(state),
        ops_per_iteration_(ops_per_iteration),
        start_(sync::ThreadLockStats()) {
    Totals().Reset(state);
  }

  LockScope(const LockScope&) = delete;
  LockScope& operator=(const LockScope&) = delete;

  // Call once, after the loop, on every thread.
  void Report() {
    const sync::LockStats delta = sync::ThreadLockStats() - start_;
    const uint64_t mine[RunTotals::kSlots] = {
        delta.acquisitions, delta.contended, delta.wait_ticks,
        static_cast<uint64_t>(delta.EstimatedHoldTicks())};
    uint64_t all[RunTotals::kSlots];
    uint64_t iterations = 0;
    if (!Totals().Gather(state_, mine, all, iterations)) return;
    const auto ns_per_op = [&](uint64_t ticks) {
      return sync::TicksToNs(static_cast<double>(ticks)) /
             static_cast<double>(iterations) / ops_per_iteration_;
    };
    state_.counters["lock_acquisitions_per_op"] =
        PerOp(all[0], iterations, ops_per_iteration_);
    state_.counters["lock_contended_pct"] =
        all[0] == 0
            ? 0.0
            : 100.0 * static_cast<double>(all[1]) / static_cast<double>(all[0]);
    state_.counters["lock_wait_ns_per_op"] =
        iterations == 0 ? 0.0 : ns_per_op(all[2]);
    state_.counters["lock_hold_ns_per_op"] =
        iterations == 0 ? 0.0 : ns_per_op(all[3]);
  }

 private:
  static RunTotals& Totals() {
    static RunTotals totals;
    return totals;
  }

  benchmark::State& state_;
  double ops_per_iteration_;
  sync::LockStats start_;
};

}  // namespace hotpath::harness

#endif  // HOTPATH_BENCHES_HARNESS_LOCK_SUPPORT_H_
