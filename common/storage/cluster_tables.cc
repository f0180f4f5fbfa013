#include "common/storage/cluster_tables.h"

#include <cstdint>
#include <string>

namespace hotpath::storage {

namespace {

// One write in one transaction, committed.
template <typename Write>
Status Transact(Store& store, Write&& write) {
  WriteTransaction txn(store);
  Status status = txn.Begin();
  if (!status.ok()) return status;
  status = write(txn);
  if (!status.ok()) return status;  // rolled back by txn
  return txn.Commit();
}

}  // namespace

Status ClusterTables::PutWorker(uint64_t node_id, const WorkerRecord& worker) {
  buffer_.clear();
  EncodeWorker(worker, buffer_);
  return PutRaw(TableId::kWorker, NodeKey(node_id), buffer_);
}

Status ClusterTables::SetWorkerStatus(uint64_t node_id, WorkerStatus status) {
  const auto byte = static_cast<uint8_t>(status);
  return PutRaw(TableId::kWorkerStatus, NodeKey(node_id), {&byte, 1});
}

Status ClusterTables::RemoveWorker(uint64_t node_id) {
  const std::string key = NodeKey(node_id);
  return Transact(store_, [&](WriteTransaction& txn) {
    Status status = txn.Remove(TableId::kWorker, key);
    if (!status.ok()) return status;
    return txn.Remove(TableId::kWorkerStatus, key);
  });
}

Status ClusterTables::PutVm(const VmState& vm) {
  buffer_.clear();
  EncodeVm(vm, buffer_);
  return PutRaw(TableId::kVmState, vm.name, buffer_);
}

Status ClusterTables::RemoveVm(std::string_view name) {
  return RemoveRaw(TableId::kVmState, name);
}

Status ClusterTables::PutRaw(TableId table, std::string_view key,
                             std::span<const uint8_t> value) {
  return Transact(store_, [&](WriteTransaction& txn) {
    return txn.Insert(table, key, value);
  });
}

Status ClusterTables::RemoveRaw(TableId table, std::string_view key) {
  return Transact(
      store_, [&](WriteTransaction& txn) { return txn.Remove(table, key); });
}

}  // namespace hotpath::storage
