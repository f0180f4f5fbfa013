// Worker and VM records as the orchestrator stores them (HOTPATHS.md,
// caching): a worker is (name, capabilities) under its 8-byte little-endian
// node id, its status one byte under the same key (0 = online), a VM state a
// record of about 300 bytes under the VM's name. Encoded with the wire codec,
// the stand-in for bincode.
//
// Two decoders per record, with one parser behind them so they accept and
// reject exactly the same bytes: an owned decode into std::strings and
// vectors (what bincode::deserialize does, and what the before uses), and a
// borrowed decode into views of the encoded bytes (no allocation).
#ifndef HOTPATH_COMMON_STORAGE_RESOURCE_RECORDS_H_
#define HOTPATH_COMMON_STORAGE_RESOURCE_RECORDS_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/wire/codec.h"

namespace hotpath::storage {

enum class WorkerStatus : uint8_t { kOnline = 0, kOffline = 1, kFailed = 2 };

enum class VmStatus : uint8_t {
  kCreating = 0,
  kStarting = 1,
  kRunning = 2,
  kStopping = 3,
  kStopped = 4,
  kFailed = 5,
};
inline constexpr uint8_t kVmStatusCount = 6;
// Running and starting VMs hold their node's resources.
inline constexpr bool HoldsResources(VmStatus s) {
  return s == VmStatus::kRunning || s == VmStatus::kStarting;
}
// The orchestrator charges a fixed disk size per VM.
inline constexpr uint64_t kDiskPerVmGb = 5;

struct WorkerCapabilities {
  uint32_t cpu_cores = 0;
  uint64_t memory_mb = 0;
  uint64_t disk_gb = 0;
  std::vector<std::string> features;
  bool operator==(const WorkerCapabilities&) const = default;
};

struct WorkerRecord {
  std::string name;
  WorkerCapabilities capabilities;
  bool operator==(const WorkerRecord&) const = default;
};

struct VmState {
  std::string name;
  std::string config_path;
  uint32_t vcpus = 0;
  uint32_t memory_mb = 0;
  std::string tenant_id;
  std::optional<std::string> ip_address;
  std::vector<std::pair<std::string, std::string>> metadata;
  uint32_t priority = 0;
  bool preemptible = false;
  VmStatus status = VmStatus::kCreating;
  uint64_t node_id = 0;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  bool operator==(const VmState&) const = default;
};

// Borrowed views: valid while the encoded bytes are.
struct WorkerView {
  std::string_view name;
  uint32_t cpu_cores = 0;
  uint64_t memory_mb = 0;
  uint64_t disk_gb = 0;
  uint32_t feature_count = 0;
  std::span<const uint8_t> features;  // feature_count encoded strings
};

struct VmView {
  std::string_view name;
  uint32_t vcpus = 0;
  uint32_t memory_mb = 0;
  VmStatus status = VmStatus::kCreating;
  uint64_t node_id = 0;
};

enum class DecodeError : uint8_t {
  kNone,
  kTruncated,
  kTrailingBytes,
  kBadFlag,
  kBadStatus,
};
// "truncated record", ...
std::string_view DecodeErrorText(DecodeError error);

void EncodeWorker(const WorkerRecord& worker, wire::Bytes& out);
void EncodeVm(const VmState& vm, wire::Bytes& out);

DecodeError DecodeWorker(std::span<const uint8_t> in, WorkerRecord* out);
DecodeError DecodeWorker(std::span<const uint8_t> in, WorkerView* out);
DecodeError DecodeVm(std::span<const uint8_t> in, VmState* out);
DecodeError DecodeVm(std::span<const uint8_t> in, VmView* out);

// Whether a worker lists `feature`, in a decoded record or a view.
bool HasFeature(const WorkerCapabilities& capabilities,
                std::string_view feature);
bool HasFeature(const WorkerView& worker, std::string_view feature);

// The 8-byte little-endian key of a node id.
std::string NodeKey(uint64_t node_id);
// The node id in the first 8 bytes of a key; nullopt if shorter.
std::optional<uint64_t> ParseNodeKey(std::string_view key);

// What the resource summary reports. Eight numbers per node, eight for the
// cluster.
struct NodeSummary {
  uint64_t node_id = 0;
  uint64_t cpu_cores = 0;
  uint64_t memory_mb = 0;
  uint64_t disk_gb = 0;
  uint64_t used_vcpus = 0;
  uint64_t used_memory_mb = 0;
  uint64_t used_disk_gb = 0;
  uint64_t running_vms = 0;
  bool operator==(const NodeSummary&) const = default;
};

struct ClusterResourceSummary {
  uint64_t total_nodes = 0;  // healthy workers
  uint64_t total_vcpus = 0;
  uint64_t used_vcpus = 0;
  uint64_t total_memory_mb = 0;
  uint64_t used_memory_mb = 0;
  uint64_t total_disk_gb = 0;
  uint64_t used_disk_gb = 0;
  uint64_t total_running_vms = 0;
  bool operator==(const ClusterResourceSummary&) const = default;
};

// Over every VM record, on any node: how many, and the vCPUs and memory held
// by running or starting ones.
struct VmTotals {
  uint64_t vms = 0;
  uint64_t vcpus = 0;
  uint64_t memory_mb = 0;
  bool operator==(const VmTotals&) const = default;
};

// What a VM asks of its node: vCPUs, memory and disk free, and every
// feature listed.
struct PlacementRequest {
  uint32_t vcpus = 0;
  uint64_t memory_mb = 0;
  uint64_t disk_gb = 0;
  std::vector<std::string> features;
  bool operator==(const PlacementRequest&) const = default;
};

// Lookups answered from a cache (hits) or by reading the tables (misses);
// misses because the entry outlived its TTL (expirations) or the tables
// changed under it (invalidations).
struct CacheStats {
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t expirations = 0;
  uint64_t invalidations = 0;
  bool operator==(const CacheStats&) const = default;
};

}  // namespace hotpath::storage

#endif  // HOTPATH_COMMON_STORAGE_RESOURCE_RECORDS_H_
