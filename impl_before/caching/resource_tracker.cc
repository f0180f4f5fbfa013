// NOLINTBEGIN(performance-*): slow on purpose, as the orchestrator wrote it.
#include "impl_before/caching/resource_tracker.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

namespace hotpath::caching::before {

using storage::DecodeError;
using storage::Status;

namespace {

bool IsHealthy(const storage::Table& status_table, std::string_view key) {
  const auto it = status_table.find(key);
  return it != status_table.end() && !it->second.empty() &&
         it->second[0] == static_cast<uint8_t>(storage::WorkerStatus::kOnline);
}

Status WorkerDecodeError(uint64_t node_id, DecodeError error) {
  return Status::Error(fmt::format("deserialize worker {}: {}", node_id,
                                   storage::DecodeErrorText(error)));
}

Status VmDecodeError(std::string_view name, DecodeError error) {
  return Status::Error(fmt::format("deserialize VM {}: {}", name,
                                   storage::DecodeErrorText(error)));
}

uint64_t Free(uint64_t total, uint64_t used) {
  return total > used ? total - used : 0;
}

// The placement rule: among the healthy workers, those with at least the
// request's free vCPUs, memory and disk (capacity less use; none when
// overcommitted) and every requested feature; the most free memory wins, ties
// go to the lowest node id.
template <typename NodeResourceUsage>
Status PickNode(const storage::PlacementRequest& request,
                const std::vector<NodeResourceUsage>& node_usage,
                uint64_t* node_id) {
  const NodeResourceUsage* best = nullptr;
  uint64_t best_free_memory = 0;
  for (const NodeResourceUsage& usage : node_usage) {
    const uint64_t free_memory =
        Free(usage.capabilities.memory_mb, usage.used_memory_mb);
    if (Free(usage.capabilities.cpu_cores, usage.used_vcpus) < request.vcpus ||
        free_memory < request.memory_mb ||
        Free(usage.capabilities.disk_gb, usage.used_disk_gb) <
            request.disk_gb ||
        !std::all_of(request.features.begin(), request.features.end(),
                     [&](const std::string& feature) {
                       return storage::HasFeature(usage.capabilities, feature);
                     })) {
      continue;
    }
    if (best == nullptr || free_memory > best_free_memory ||
        (free_memory == best_free_memory && usage.node_id < best->node_id)) {
      best = &usage;
      best_free_memory = free_memory;
    }
  }
  if (best == nullptr) {
    return Status::Error(
        fmt::format("no healthy worker fits {} vCPUs, {} MB, {} GB",
                    request.vcpus, request.memory_mb, request.disk_gb));
  }
  *node_id = best->node_id;
  return {};
}

}  // namespace

ResourceTracker::ResourceTracker(const storage::ClusterTables& tables,
                                 const storage::Clock& /*clock*/)
    : tables_(tables) {}

Status ResourceTracker::ClusterSummary(storage::ClusterResourceSummary* out) {
  ++stats_.misses;
  std::vector<NodeResourceUsage> node_usage;
  Status status = ClusterResourceUsage(&node_usage);
  if (!status.ok()) return status;

  storage::ClusterResourceSummary summary;
  summary.total_nodes = node_usage.size();
  for (const NodeResourceUsage& usage : node_usage) {
    summary.total_vcpus += usage.capabilities.cpu_cores;
    summary.used_vcpus += usage.used_vcpus;
    summary.total_memory_mb += usage.capabilities.memory_mb;
    summary.used_memory_mb += usage.used_memory_mb;
    summary.total_disk_gb += usage.capabilities.disk_gb;
    summary.used_disk_gb += usage.used_disk_gb;
    summary.total_running_vms += usage.running_vms;
  }
  *out = summary;
  return status;
}

Status ResourceTracker::NodeUsage(uint64_t node_id, storage::NodeSummary* out) {
  ++stats_.misses;
  const std::string key = storage::NodeKey(node_id);
  const auto worker = tables_.workers().find(key);
  if (worker == tables_.workers().end()) {
    return Status::Error(
        fmt::format("Node {} not found in worker registry", node_id));
  }
  if (!IsHealthy(tables_.worker_status(), key)) {
    return Status::Error(fmt::format("Node {} is not healthy", node_id));
  }
  storage::WorkerRecord record;
  if (const DecodeError error = storage::DecodeWorker(worker->second, &record);
      error != DecodeError::kNone) {
    return WorkerDecodeError(node_id, error);
  }
  NodeResourceUsage usage;
  usage.node_id = node_id;
  usage.capabilities = std::move(record.capabilities);
  Status status = CalculateNodeUsage(&usage);
  if (!status.ok()) return status;
  *out = {usage.node_id,
          usage.capabilities.cpu_cores,
          usage.capabilities.memory_mb,
          usage.capabilities.disk_gb,
          usage.used_vcpus,
          usage.used_memory_mb,
          usage.used_disk_gb,
          usage.running_vms};
  return status;
}

Status ResourceTracker::Totals(storage::VmTotals* out) {
  ++stats_.misses;
  storage::VmTotals totals;
  for (const auto& [name, bytes] : tables_.vms()) {
    storage::VmState vm;
    if (const DecodeError error = storage::DecodeVm(bytes, &vm);
        error != DecodeError::kNone) {
      return VmDecodeError(name, error);
    }
    ++totals.vms;
    if (storage::HoldsResources(vm.status)) {
      totals.vcpus += vm.vcpus;
      totals.memory_mb += vm.memory_mb;
    }
  }
  *out = totals;
  return {};
}

Status ResourceTracker::PlaceVm(const storage::PlacementRequest& request,
                                uint64_t* node_id) {
  ++placement_stats_.misses;
  std::vector<NodeResourceUsage> node_usage;
  Status status = ClusterResourceUsage(&node_usage);
  if (!status.ok()) return status;
  return PickNode(request, node_usage, node_id);
}

Status ResourceTracker::ClusterResourceUsage(
    std::vector<NodeResourceUsage>* out) {
  for (const auto& [key, value] : tables_.workers()) {
    const std::optional<uint64_t> node_id = storage::ParseNodeKey(key);
    if (!node_id) return Status::Error("parse node ID: invalid node ID");
    if (!IsHealthy(tables_.worker_status(), key)) continue;

    storage::WorkerRecord record;
    if (const DecodeError error = storage::DecodeWorker(value, &record);
        error != DecodeError::kNone) {
      return WorkerDecodeError(*node_id, error);
    }
    NodeResourceUsage usage;
    usage.node_id = *node_id;
    usage.capabilities = std::move(record.capabilities);
    Status status = CalculateNodeUsage(&usage);
    if (!status.ok()) return status;
    out->push_back(std::move(usage));
  }
  return {};
}

Status ResourceTracker::CalculateNodeUsage(NodeResourceUsage* usage) {
  for (const auto& [name, bytes] : tables_.vms()) {
    storage::VmState vm;
    if (const DecodeError error = storage::DecodeVm(bytes, &vm);
        error != DecodeError::kNone) {
      return VmDecodeError(name, error);
    }
    if (vm.node_id == usage->node_id && storage::HoldsResources(vm.status)) {
      usage->used_vcpus += vm.vcpus;
      usage->used_memory_mb += vm.memory_mb;
      usage->used_disk_gb += storage::kDiskPerVmGb;
      ++usage->running_vms;
    }
  }
  return {};
}

}  // namespace hotpath::caching::before
// NOLINTEND(performance-*)
