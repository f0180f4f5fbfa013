#include "impl_after/caching/resource_tracker.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

namespace hotpath::caching::after {

using storage::DecodeError;
using storage::Status;

namespace {

bool IsHealthy(const storage::Table& status_table, std::string_view key) {
  const auto it = status_table.find(key);
  return it != status_table.end() && !it->second.empty() &&
         it->second[0] == static_cast<uint8_t>(storage::WorkerStatus::kOnline);
}

[[gnu::cold]] Status WorkerDecodeError(uint64_t node_id, DecodeError error) {
  return Status::Error(fmt::format("deserialize worker {}: {}", node_id,
                                   storage::DecodeErrorText(error)));
}

[[gnu::cold]] Status VmDecodeError(std::string_view name, DecodeError error) {
  return Status::Error(fmt::format("deserialize VM {}: {}", name,
                                   storage::DecodeErrorText(error)));
}

}  // namespace

ResourceTracker::ResourceTracker(const storage::ClusterTables& tables,
                                 const storage::Clock& clock)
    : tables_(tables), clock_(clock) {}

Status ResourceTracker::ClusterSummary(storage::ClusterResourceSummary* out) {
  Lookup();
  switch (outcome_) {
    case Outcome::kOk:
      *out = summary_;
      return {};
    case Outcome::kBadKey:
      return Status::Error("parse node ID: invalid node ID");
    case Outcome::kCapsError: {
      const NodeEntry& node = nodes_[outcome_node_];
      return WorkerDecodeError(node.summary.node_id, node.caps_error);
    }
    case Outcome::kVmError:
      return VmError();
  }
  return {};
}

Status ResourceTracker::NodeUsage(uint64_t node_id, storage::NodeSummary* out) {
  Lookup();
  const auto [first, last] = std::equal_range(
      by_id_.begin(), by_id_.end(), std::pair<uint64_t, size_t>{node_id, 0},
      [](const auto& a, const auto& b) { return a.first < b.first; });
  const auto found = std::find_if(first, last, [this](const auto& e) {
    return nodes_[e.second].exact_key;
  });
  if (found == last) {
    return Status::Error(
        fmt::format("Node {} not found in worker registry", node_id));
  }
  const NodeEntry& node = nodes_[found->second];
  if (!node.online) {
    return Status::Error(fmt::format("Node {} is not healthy", node_id));
  }
  if (node.caps_error != DecodeError::kNone) {
    return WorkerDecodeError(node_id, node.caps_error);
  }
  if (vm_error_ != DecodeError::kNone) return VmError();
  *out = node.summary;
  return {};
}

Status ResourceTracker::Totals(storage::VmTotals* out) {
  Lookup();
  if (vm_error_ != DecodeError::kNone) return VmError();
  *out = totals_;
  return {};
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
  // The workers, in table order, with what the before would decode of each.
  nodes_.clear();
  by_id_.clear();
  for (const auto& [key, value] : tables_.workers()) {
    NodeEntry node;
    const std::optional<uint64_t> node_id = storage::ParseNodeKey(key);
    if (!node_id) {
      node.bad_key = true;
      nodes_.push_back(node);
      continue;
    }
    node.exact_key = key.size() == 8;
    node.summary.node_id = *node_id;
    node.online = IsHealthy(tables_.worker_status(), key);
    if (node.online) {
      storage::WorkerView worker;
      node.caps_error = storage::DecodeWorker(value, &worker);
      if (node.caps_error == DecodeError::kNone) {
        node.summary.cpu_cores = worker.cpu_cores;
        node.summary.memory_mb = worker.memory_mb;
        node.summary.disk_gb = worker.disk_gb;
      }
    }
    by_id_.emplace_back(*node_id, nodes_.size());
    nodes_.push_back(node);
  }
  std::sort(by_id_.begin(), by_id_.end());

  // One pass over the VMs charges each to its node, up to the first record
  // that does not decode (where every before walk over the VMs stops).
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
    auto it = std::lower_bound(by_id_.begin(), by_id_.end(),
                               std::pair<uint64_t, size_t>{vm.node_id, 0});
    for (; it != by_id_.end() && it->first == vm.node_id; ++it) {
      storage::NodeSummary& s = nodes_[it->second].summary;
      s.used_vcpus += vm.vcpus;
      s.used_memory_mb += vm.memory_mb;
      s.used_disk_gb += storage::kDiskPerVmGb;
      ++s.running_vms;
    }
  }

  // The before's cluster walk: the first bad key, undecodable healthy
  // worker, or (at the first healthy worker, whose usage scans the VMs) bad
  // VM record ends it.
  summary_ = {};
  outcome_ = Outcome::kOk;
  bool vms_scanned = false;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    const NodeEntry& node = nodes_[i];
    if (node.bad_key) {
      outcome_ = Outcome::kBadKey;
      break;
    }
    if (!node.online) continue;
    if (node.caps_error != DecodeError::kNone) {
      outcome_ = Outcome::kCapsError;
      outcome_node_ = i;
      break;
    }
    if (!vms_scanned) {
      vms_scanned = true;
      if (vm_error_ != DecodeError::kNone) {
        outcome_ = Outcome::kVmError;
        break;
      }
    }
    const storage::NodeSummary& s = node.summary;
    ++summary_.total_nodes;
    summary_.total_vcpus += s.cpu_cores;
    summary_.used_vcpus += s.used_vcpus;
    summary_.total_memory_mb += s.memory_mb;
    summary_.used_memory_mb += s.used_memory_mb;
    summary_.total_disk_gb += s.disk_gb;
    summary_.used_disk_gb += s.used_disk_gb;
    summary_.total_running_vms += s.running_vms;
  }
}

Status ResourceTracker::VmError() const {
  return VmDecodeError(vm_error_name_, vm_error_);
}

}  // namespace hotpath::caching::after
