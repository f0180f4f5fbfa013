// Sanitizer builds: the sanitizer owns malloc, so nothing is counted and the
// run context says so (hotpath_alloc_counting=off).
#include <cstdlib>

#include "benches/harness/alloc_counter.h"

namespace hotpath::harness {

AllocStats ThreadAllocStats() { return {}; }
bool AllocCountingEnabled() { return false; }
void EnableProcessCounting() {}
bool ProcessCountingEnabled() { return false; }
AllocStats ProcessAllocStats() { return {}; }
void StartPeakTracking() {}
PeakStats StopPeakTracking() { return {}; }
bool PeakTrackingActive() { return false; }
// NOLINTNEXTLINE(cppcoreguidelines-no-malloc): the uncounted baseline
void* UncountedMalloc(size_t size) { return std::malloc(size); }
// NOLINTNEXTLINE(cppcoreguidelines-no-malloc)
void UncountedFree(void* p) { std::free(p); }

}  // namespace hotpath::harness
