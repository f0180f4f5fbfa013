// Sanitizer builds: the sanitizer owns malloc, so nothing is counted and the
// run context says so (hotpath_alloc_counting=off).
#include "benches/harness/alloc_counter.h"

namespace hotpath::harness {

AllocStats ThreadAllocStats() { return {}; }
bool AllocCountingEnabled() { return false; }
void StartPeakTracking() {}
PeakStats StopPeakTracking() { return {}; }

}  // namespace hotpath::harness
