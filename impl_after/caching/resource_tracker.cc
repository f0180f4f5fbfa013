#include "impl_after/caching/resource_tracker.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

namespace hotpath::caching::after {

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

// FNV-1a over the request's fields, to skip unequal keys in one compare.
uint64_t KeyHash(const storage::PlacementRequest& request) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  const auto mix = [&hash](uint64_t value) {
    hash = (hash ^ value) * 0x100000001b3ULL;
  };
  mix(request.vcpus);
  mix(request.memory_mb);
  mix(request.disk_gb);
  for (const std::string& feature : request.features) {
    mix(feature.size());
    for (const char c : feature) mix(static_cast<uint8_t>(c));
  }
  return hash;
}

}  // namespace

ResourceTracker::ResourceTracker(const storage::ClusterTables& tables,
                                 const storage::Clock& clock)
    : tables_(tables), clock_(clock) {}

Status ResourceTracker::ClusterSummary(storage::ClusterResourceSummary* out) {
  Lookup();
  const std::vector<NodeResourceUsage>& node_usage = node_usage_;
  const Status& status = usage_status_;
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
  Lookup();
  const std::string key = storage::NodeKey(node_id);
  const auto worker = tables_.workers().find(key);
  if (worker == tables_.workers().end()) {
    return Status::Error(
        fmt::format("Node {} not found in worker registry", node_id));
  }
  if (!IsHealthy(tables_.worker_status(), key)) {
    return Status::Error(fmt::format("Node {} is not healthy", node_id));
  }
  storage::WorkerView record;
  if (const DecodeError error = storage::DecodeWorker(worker->second, &record);
      error != DecodeError::kNone) {
    return WorkerDecodeError(node_id, error);
  }
  NodeResourceUsage usage;
  usage.node_id = node_id;
  usage.capabilities = record;
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
  Lookup();
  if (vm_error_ != DecodeError::kNone) {
    return VmDecodeError(vm_error_name_, vm_error_);
  }
  *out = totals_;
  return {};
}

Status ResourceTracker::PlaceVm(const storage::PlacementRequest& request,
                                uint64_t* node_id) {
  // The cache key is the request and the tables' commit count, which every
  // write bumps: the cluster-state hash, exact where a hash could collide.
  const storage::Clock::TimePoint now = clock_.Now();
  const uint64_t version = tables_.version();
  const uint64_t hash = KeyHash(request);
  Placement* placement = nullptr;
  for (Placement& p : placements_) {
    if (p.last_used != 0 && p.hash == hash && p.request == request) {
      placement = &p;
      break;
    }
  }
  if (placement == nullptr) {
    // The least recently used entry (an empty one has last_used 0) makes
    // room; its buffers are reused, so a miss allocates nothing once warm.
    placement = &*std::min_element(placements_.begin(), placements_.end(),
                                   [](const Placement& a, const Placement& b) {
                                     return a.last_used < b.last_used;
                                   });
    placement->request = request;
    placement->hash = hash;
  } else if (placement->version != version) {
    ++placement_stats_.invalidations;
  } else if (now < placement->expires) {
    ++placement_stats_.hits;
    placement->last_used = ++placement_clock_;
    if (placement->status.ok()) *node_id = placement->node_id;
    return placement->status;
  } else {
    ++placement_stats_.expirations;
  }
  ++placement_stats_.misses;
  placement->last_used = ++placement_clock_;
  placement->version = version;
  placement->expires = now + kPlacementTtl;

  Lookup();
  const std::vector<NodeResourceUsage>& node_usage = node_usage_;
  placement->status = usage_status_;
  if (!placement->status.ok()) return placement->status;
  placement->status = PickNode(request, node_usage, &placement->node_id);
  if (placement->status.ok()) *node_id = placement->node_id;
  return placement->status;
}

void ResourceTracker::Lookup() {
  const storage::Clock::TimePoint now = clock_.Now();
  if (filled_) {
    if (version_ == tables_.version()) {
      if (now < expires_) {
        ++stats_.hits;
        return;
      }
      ++stats_.expirations;
    } else {
      ++stats_.invalidations;
    }
  }
  ++stats_.misses;
  Refill();
  filled_ = true;
  version_ = tables_.version();
  expires_ = now + kSummaryTtl;
}

void ResourceTracker::Refill() {
  // What the VMs hold per node id, for every id in the worker table: one
  // pass over the VMs, up to the first record that does not decode (where
  // every before walk over the VMs stops).
  by_id_.clear();
  for (const auto& [key, value] : tables_.workers()) {
    if (const std::optional<uint64_t> node_id = storage::ParseNodeKey(key)) {
      by_id_.emplace_back().node_id = *node_id;
    }
  }
  std::sort(by_id_.begin(), by_id_.end(),
            [](const NodeResourceUsage& a, const NodeResourceUsage& b) {
              return a.node_id < b.node_id;
            });
  by_id_.erase(
      std::unique(by_id_.begin(), by_id_.end(),
                  [](const NodeResourceUsage& a, const NodeResourceUsage& b) {
                    return a.node_id == b.node_id;
                  }),
      by_id_.end());

  vm_error_ = DecodeError::kNone;
  totals_ = {};
  for (const auto& [name, bytes] : tables_.vms()) {
    storage::VmView vm;
    vm_error_ = storage::DecodeVm(bytes, &vm);
    if (vm_error_ != DecodeError::kNone) {
      vm_error_name_ = name;
      break;
    }
    ++totals_.vms;
    if (!storage::HoldsResources(vm.status)) continue;
    totals_.vcpus += vm.vcpus;
    totals_.memory_mb += vm.memory_mb;
    if (NodeResourceUsage* used = UsageOf(vm.node_id)) {
      used->used_vcpus += vm.vcpus;
      used->used_memory_mb += vm.memory_mb;
      used->used_disk_gb += storage::kDiskPerVmGb;
      ++used->running_vms;
    }
  }

  // The before's cluster walk, now over cached usage.
  node_usage_.clear();
  usage_status_ = ClusterResourceUsage(&node_usage_);
}

Status ResourceTracker::ClusterResourceUsage(
    std::vector<NodeResourceUsage>* out) {
  for (const auto& [key, value] : tables_.workers()) {
    const std::optional<uint64_t> node_id = storage::ParseNodeKey(key);
    if (!node_id) return Status::Error("parse node ID: invalid node ID");
    if (!IsHealthy(tables_.worker_status(), key)) continue;

    storage::WorkerView record;
    if (const DecodeError error = storage::DecodeWorker(value, &record);
        error != DecodeError::kNone) {
      return WorkerDecodeError(*node_id, error);
    }
    NodeResourceUsage usage;
    usage.node_id = *node_id;
    usage.capabilities = record;
    Status status = CalculateNodeUsage(&usage);
    if (!status.ok()) return status;
    out->push_back(usage);
  }
  return {};
}

Status ResourceTracker::CalculateNodeUsage(NodeResourceUsage* usage) {
  if (vm_error_ != DecodeError::kNone) {
    return VmDecodeError(vm_error_name_, vm_error_);
  }
  if (const NodeResourceUsage* used = UsageOf(usage->node_id)) {
    usage->used_vcpus = used->used_vcpus;
    usage->used_memory_mb = used->used_memory_mb;
    usage->used_disk_gb = used->used_disk_gb;
    usage->running_vms = used->running_vms;
  }
  return {};
}

ResourceTracker::NodeResourceUsage* ResourceTracker::UsageOf(uint64_t node_id) {
  // by_id_ holds each id once: duplicate keys (a 9-byte key parses as its
  // first 8) share one node's VMs, as the before's scan charges them.
  const auto it = std::lower_bound(
      by_id_.begin(), by_id_.end(), node_id,
      [](const NodeResourceUsage& a, uint64_t id) { return a.node_id < id; });
  return it != by_id_.end() && it->node_id == node_id ? &*it : nullptr;
}

}  // namespace hotpath::caching::after
