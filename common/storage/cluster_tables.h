// The worker, worker-status and VM-state tables of a Store, with the typed
// writes the orchestrator's state machine makes (one committed transaction
// each). Reads go straight to the committed tables. Every change, typed or
// raw, bumps the store's commit count, which is what a cache of anything
// derived from these tables checks to stay exact.
#ifndef HOTPATH_COMMON_STORAGE_CLUSTER_TABLES_H_
#define HOTPATH_COMMON_STORAGE_CLUSTER_TABLES_H_

#include <cstdint>
#include <span>
#include <string_view>

#include "common/storage/resource_records.h"
#include "common/storage/status.h"
#include "common/storage/store.h"
#include "common/wire/codec.h"

namespace hotpath::storage {

class ClusterTables {
 public:
  explicit ClusterTables(Store& store) : store_(store) {}

  Status PutWorker(uint64_t node_id, const WorkerRecord& worker);
  Status SetWorkerStatus(uint64_t node_id, WorkerStatus status);
  // Removes the worker and its status.
  Status RemoveWorker(uint64_t node_id);
  Status PutVm(const VmState& vm);
  Status RemoveVm(std::string_view name);
  // Any bytes under any key: how tests plant corrupt records.
  Status PutRaw(TableId table, std::string_view key,
                std::span<const uint8_t> value);
  Status RemoveRaw(TableId table, std::string_view key);

  const Table& workers() const { return store_.table(TableId::kWorker); }
  const Table& worker_status() const {
    return store_.table(TableId::kWorkerStatus);
  }
  const Table& vms() const { return store_.table(TableId::kVmState); }
  // Changes so far; equal counts mean equal contents.
  uint64_t version() const { return store_.commits(); }

 private:
  Store& store_;
  wire::Bytes buffer_;  // reused encoding buffer
};

}  // namespace hotpath::storage

#endif  // HOTPATH_COMMON_STORAGE_CLUSTER_TABLES_H_
