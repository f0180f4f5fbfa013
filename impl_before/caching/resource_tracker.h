// The scheduler's resource summary and placement decision as the
// orchestrator computes them (HOTPATHS.md, caching): every call walks the
// worker table, and for each healthy worker decodes its capabilities and then
// decodes the whole VM table to add up what runs there: O(nodes x VMs) owned
// decodes per call, each VM record copying its strings and metadata out.
// Nothing is cached, so every lookup counts as a miss; a placement decision
// is that walk and then the placement rule. The original also cloned the
// per-node list into its result; this summary carries the eight totals only,
// so the before builds the per-node list (as the decode does) but does not
// clone it.
// Allocations per call, summary or placement alike: 4 per VM decoded (config
// path, metadata list, two long metadata values; the short strings fit in
// place) for nodes x VMs decodes, 1 per healthy worker (its feature list) and
// the per-node list's growth: 12,006 at 3 nodes, 20,009 at 5 and 200,057 at
// 50 with 1000 VMs (caching/*/before, exact counts).
#ifndef HOTPATH_IMPL_BEFORE_CACHING_RESOURCE_TRACKER_H_
#define HOTPATH_IMPL_BEFORE_CACHING_RESOURCE_TRACKER_H_

#include <cstdint>
#include <vector>

#include "common/storage/clock.h"
#include "common/storage/cluster_tables.h"
#include "common/storage/resource_records.h"
#include "common/storage/status.h"

namespace hotpath::caching::before {

class ResourceTracker {
 public:
  // The before has no cache and never reads the clock.
  ResourceTracker(const storage::ClusterTables& tables,
                  const storage::Clock& clock);

  // Totals over the healthy workers. Fails on the first record that does
  // not decode, in the order the walk meets it.
  storage::Status ClusterSummary(storage::ClusterResourceSummary* out);
  // One worker's capacity and use; fails if it is unknown or not healthy.
  storage::Status NodeUsage(uint64_t node_id, storage::NodeSummary* out);
  // Every VM, on any node.
  storage::Status Totals(storage::VmTotals* out);
  // The healthy worker for `request`: among those with at least its vCPUs,
  // memory and disk free (capacity less what running and starting VMs hold,
  // none when overcommitted) and all of its features, the one with the most
  // free memory, ties to the lowest node id. Fails as ClusterSummary does,
  // or if no worker fits.
  storage::Status PlaceVm(const storage::PlacementRequest& request,
                          uint64_t* node_id);
  storage::CacheStats stats() const { return stats_; }
  storage::CacheStats placement_stats() const { return placement_stats_; }

 private:
  struct NodeResourceUsage {
    uint64_t node_id = 0;
    storage::WorkerCapabilities capabilities;
    uint64_t used_vcpus = 0;
    uint64_t used_memory_mb = 0;
    uint64_t used_disk_gb = 0;
    uint64_t running_vms = 0;
  };

  storage::Status ClusterResourceUsage(std::vector<NodeResourceUsage>* out);
  storage::Status CalculateNodeUsage(NodeResourceUsage* usage);

  const storage::ClusterTables& tables_;
  storage::CacheStats stats_;
  storage::CacheStats placement_stats_;
};

}  // namespace hotpath::caching::before

#endif  // HOTPATH_IMPL_BEFORE_CACHING_RESOURCE_TRACKER_H_
