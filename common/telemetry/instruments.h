// The orchestrator's instrument registry (about 80 instruments) and the event
// types its metrics calls take. Both sides of the metrics pair register the
// same instruments, so their snapshots can be compared name for name.
#ifndef HOTPATH_COMMON_TELEMETRY_INSTRUMENTS_H_
#define HOTPATH_COMMON_TELEMETRY_INSTRUMENTS_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/telemetry/meter.h"

namespace hotpath::telemetry {

// The VM operations record_vm_operation is called with.
inline constexpr std::array<std::string_view, 4> kVmOperations = {
    "create", "start", "stop", "delete"};

// The up-down counters the orchestrator keeps as gauges and adds to with an
// empty attribute slice (HOTPATHS.md, metrics), indexed by Gauge.
inline constexpr std::array<std::string_view, 14> kGauges = {
    "raft.term",
    "raft.commit_index",
    "vm.total",
    "vm.running",
    "vm.stopped",
    "peer.connections.active",
    "cluster.nodes.total",
    "cluster.nodes.healthy",
    "cluster.vcpus.total",
    "cluster.vcpus.allocated",
    "cluster.memory.total",
    "cluster.memory.allocated",
    "cluster.disk.total",
    "cluster.disk.allocated"};

enum class Gauge : uint8_t {
  kRaftTerm,
  kRaftCommitIndex,
  kVmTotal,
  kVmRunning,
  kVmStopped,
  kPeerConnectionsActive,
  kClusterNodesTotal,
  kClusterNodesHealthy,
  kClusterVcpusTotal,
  kClusterVcpusAllocated,
  kClusterMemoryTotal,
  kClusterMemoryAllocated,
  kClusterDiskTotal,
  kClusterDiskAllocated,
};
static_assert(static_cast<size_t>(Gauge::kClusterDiskAllocated) + 1 ==
              kGauges.size());

constexpr size_t GaugeIndex(Gauge gauge) { return static_cast<size_t>(gauge); }

struct VmOperationInstruments {
  Counter* total;
  Counter* failed;
  Histogram* duration;
};

struct OrchestratorInstruments {
  explicit OrchestratorInstruments(Meter& meter);

  // Indexed like kVmOperations.
  std::array<VmOperationInstruments, kVmOperations.size()> vm_operations;
  Counter& storage_writes;
  Histogram& storage_write_duration;
  UpDownCounter& node_vcpus_available;
  UpDownCounter& node_memory_available;
  UpDownCounter& node_disk_available;
  Counter& scheduler_preemptions;
  // Indexed like kGauges.
  std::array<UpDownCounter*, kGauges.size()> gauges{};
  // Everything else the registry holds, registered but idle on these paths.
  std::vector<std::string_view> other_names;
};

// A change to one node's free resources.
struct ResourceDelta {
  int64_t vcpus = 0;
  int64_t memory_mb = 0;
  int64_t disk_gb = 0;
};

struct SchedulingDecision {
  std::string target_node;  // 64-hex node id
  double confidence = 0;    // recorded as text with two decimals
  std::vector<std::string> preempted_vms;
};

}  // namespace hotpath::telemetry

#endif  // HOTPATH_COMMON_TELEMETRY_INSTRUMENTS_H_
