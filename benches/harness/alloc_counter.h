// Allocation counting layer linked into every bench binary.
//
// The binary defines malloc, calloc, realloc, reallocarray, free,
// posix_memalign, aligned_alloc, memalign, valloc, pvalloc,
// malloc_usable_size and every operator new/delete form. Each allocation call
// is counted once, in counters owned by the calling thread, and forwarded with
// dlsym(RTLD_NEXT) to whatever allocator comes next: glibc, or jemalloc /
// mimalloc when they are preloaded. A function the next allocator does not
// define itself (jemalloc has no pvalloc) would resolve to glibc's, whose
// block the preloaded free cannot take; those are built on the allocator's
// own posix_memalign instead, so every block is made, sized and freed by one
// allocator. Thread-local counters cost a few instructions and no shared
// cache line, so multi-threaded benchmarks are not serialised by the
// measurement (harness/CountingLayer in harness_benchmark.cc measures it).
//
// Process-wide counts (every thread) need a shared cache line, so they run
// only while switched on: between StartPeakTracking() and StopPeakTracking(),
// which the MemoryManager uses on its separate run, and for the whole run
// after EnableProcessCounting(), which the smoke test's cross-check uses
// (bench_support.h). Otherwise a hook pays one relaxed load and a branch.
#ifndef HOTPATH_BENCHES_HARNESS_ALLOC_COUNTER_H_
#define HOTPATH_BENCHES_HARNESS_ALLOC_COUNTER_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace hotpath::harness {

// What realloc(p, n) counts: with p null, what malloc(n) counts; with p
// non-null and success, one allocation of n bytes and one free, whether the
// block moved or not; realloc(p, 0) that frees p and returns null, one free;
// a failed realloc, nothing. reallocarray counts as that realloc.
struct AllocStats {
  uint64_t allocs = 0;  // successful allocation calls
  uint64_t frees = 0;   // frees of non-null blocks, and the realloc frees above
  uint64_t bytes = 0;   // bytes requested by the allocation calls

  AllocStats operator-(const AllocStats& o) const {
    return {allocs - o.allocs, frees - o.frees, bytes - o.bytes};
  }
  bool operator==(const AllocStats& o) const {
    return allocs == o.allocs && frees == o.frees && bytes == o.bytes;
  }
};

// Counts of the calling thread since it started.
AllocStats ThreadAllocStats();

// False in sanitizer builds, where the sanitizer owns malloc.
bool AllocCountingEnabled();

// Process-wide counting for the cross-check: from this call on, every
// allocation by any thread also bumps shared relaxed atomics. Not undone.
void EnableProcessCounting();
bool ProcessCountingEnabled();
// Counts of all threads while process counting or peak tracking was on.
AllocStats ProcessAllocStats();

struct PeakStats {
  int64_t peak_bytes = 0;  // highest live bytes above the start point
  int64_t net_bytes = 0;   // live bytes at stop minus live bytes at start
  uint64_t allocs = 0;     // allocations by all threads in the window
  uint64_t bytes = 0;      // bytes requested by all threads in the window
};

// Process-wide live/peak tracking, by usable size. Not reentrant.
void StartPeakTracking();
PeakStats StopPeakTracking();
// True between the two: Google Benchmark's memory run is under way.
bool PeakTrackingActive();

// Which allocator serves malloc in this process ("glibc", "jemalloc",
// "mimalloc"), judged by the symbols the preloaded allocators export.
std::string DetectAllocator();

// The next allocator's malloc and free, uncounted: the baseline the counting
// layer's cost is measured against (harness_benchmark.cc).
void* UncountedMalloc(size_t size);
void UncountedFree(void* p);

}  // namespace hotpath::harness

#endif  // HOTPATH_BENCHES_HARNESS_ALLOC_COUNTER_H_
