// hotpath's allocation scope for any Google Benchmark suite: exact
// allocations and bytes per operation of a benchmark's timed loop, and an
// optional budget that fails the run when exceeded. Link the target
// hotpath::alloc_counter (it provides the counting allocator) and declare
// the scope right before the loop:
//
//   #include <hotpath/allocation_scope.h>
//
//   void BM_Join(benchmark::State& state) {
//     std::string buffer;
//     buffer.reserve(256);
//     hotpath::AllocationScope allocations(state);  // the one line
//     allocations.ExpectAtMost(0);                  // optional: a budget
//     for (auto _ : state) { ... }
//   }
//
// The JSON row then carries allocs_per_op and bytes_per_op (user counters),
// exact in integers when every iteration does the same work, and a run
// over its budget is reported as failed (error_occurred, with the measured
// value in error_message). See benches/harness/bench_support.h for the
// details: threads, work handed to other threads, the smoke-test
// cross-check.
#ifndef HOTPATH_ALLOCATION_SCOPE_H_
#define HOTPATH_ALLOCATION_SCOPE_H_

#include "benches/harness/bench_support.h"

namespace hotpath {

using harness::AllocationScope;
using harness::AllocStats;
using harness::ThreadAllocStats;

}  // namespace hotpath

#endif  // HOTPATH_ALLOCATION_SCOPE_H_
