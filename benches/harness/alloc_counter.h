// Allocation counting layer linked into every bench binary.
//
// The binary defines malloc, calloc, realloc, free, posix_memalign,
// aligned_alloc, memalign, valloc, pvalloc and every operator new/delete form.
// Each call is counted once, in counters owned by the calling thread, and then
// forwarded with dlsym(RTLD_NEXT) to whatever allocator comes next: glibc, or
// jemalloc/mimalloc when they are preloaded. Thread-local counters cost a few
// instructions and no shared cache line, so multi-threaded benchmarks are not
// serialised by the measurement. Peak and live bytes need a process-wide view;
// they are tracked only between StartPeakTracking() and StopPeakTracking(),
// which the MemoryManager uses on its separate run.
#ifndef HOTPATH_BENCHES_HARNESS_ALLOC_COUNTER_H_
#define HOTPATH_BENCHES_HARNESS_ALLOC_COUNTER_H_

#include <cstdint>

namespace hotpath::harness {

struct AllocStats {
  uint64_t allocs = 0;  // successful allocations (realloc counts as one)
  uint64_t frees = 0;   // non-null frees (realloc to a new block counts none)
  uint64_t bytes = 0;   // bytes requested by those allocations

  AllocStats operator-(const AllocStats& o) const {
    return {allocs - o.allocs, frees - o.frees, bytes - o.bytes};
  }
};

// Counts of the calling thread since it started.
AllocStats ThreadAllocStats();

// False in sanitizer builds, where the sanitizer owns malloc.
bool AllocCountingEnabled();

struct PeakStats {
  int64_t peak_bytes = 0;  // highest live bytes above the start point
  int64_t net_bytes = 0;   // live bytes at stop minus live bytes at start
  uint64_t allocs = 0;     // allocations by all threads in the window
  uint64_t bytes = 0;      // bytes requested by all threads in the window
};

// Process-wide live/peak tracking, by usable size. Not reentrant.
void StartPeakTracking();
PeakStats StopPeakTracking();

}  // namespace hotpath::harness

#endif  // HOTPATH_BENCHES_HARNESS_ALLOC_COUNTER_H_
