// Realistic records for tests and benchmarks (HOTPATHS.md sizes): VM states
// of about 300 encoded bytes, workers with a few features, and snapshots of
// the ten tables sized from the VM count.
#ifndef HOTPATH_COMMON_STORAGE_SAMPLE_DATA_H_
#define HOTPATH_COMMON_STORAGE_SAMPLE_DATA_H_

#include <cstddef>
#include <cstdint>

#include "common/storage/resource_records.h"
#include "common/storage/store.h"

namespace hotpath::storage {

// "vm-<n>" on `node_id`, 1-8 vCPUs, 512 MiB-8 GiB, two metadata pairs.
VmState MakeVm(uint64_t n, uint64_t node_id, VmStatus status);
// "worker-<id>", 16-64 cores; every third has a "gpu" feature.
WorkerRecord MakeWorker(uint64_t node_id);

struct SnapshotSizes {
  size_t vms = 1000;
  size_t tasks = 500;
  size_t workers = 50;
  size_t ip_pools = 4;
};
// The usual shape for `vms` VMs: tasks vms/2 (results for half of them),
// workers min(50, vms), an IP allocation and a VM-IP mapping per VM.
SnapshotSizes SizesForVms(size_t vms);

// Every table filled, entries in key order. `seed` varies the values (VM
// status, timestamps), not the keys.
SnapshotData MakeSnapshot(const SnapshotSizes& sizes, uint64_t seed);

}  // namespace hotpath::storage

#endif  // HOTPATH_COMMON_STORAGE_SAMPLE_DATA_H_
