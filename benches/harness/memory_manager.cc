#include "benches/harness/memory_manager.h"

#include "benches/harness/alloc_counter.h"

namespace hotpath::harness {

void PeakMemoryManager::Start() { StartPeakTracking(); }

void PeakMemoryManager::Stop(Result* result) {
  const PeakStats stats = StopPeakTracking();
  if (!AllocCountingEnabled()) return;  // leave the tombstones: unknown
  result->num_allocs = static_cast<int64_t>(stats.allocs);
  result->max_bytes_used = stats.peak_bytes;
  result->total_allocated_bytes = static_cast<int64_t>(stats.bytes);
  result->net_heap_growth = stats.net_bytes;
}

}  // namespace hotpath::harness
