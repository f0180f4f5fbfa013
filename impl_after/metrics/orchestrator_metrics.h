// The orchestrator's metrics calls with nothing built per call: attribute
// sets are built once and bound to their aggregation cells, so a record is a
// lookup and one relaxed atomic add, with no lock and no allocation.
//  - RecordVmOperation: a handle per (operation, outcome) on the static set
//    operation=<op>.
//  - RecordVmOperationDuration: a per-thread cache of 1024 (VM name, node id)
//    entries, a timer handle per operation in each. The key is both names
//    length-prefixed, so no bytes in a name can make it another pair's key.
//  - UpdateNodeResources: a per-thread cache of 16 node ids, three handles
//    each. RecordSchedulingDecision: a per-thread cache of 16 (target node,
//    confidence) entries; the per-VM loop is one add of the VM count.
//  - RecordRaftLogAppend: the per-entry adds are one add of the entry count.
//  - UpdateGauge: a handle per gauge, on the empty set.
// Handles bind on first use, so an instrument shows a point only once
// something was recorded on it, as on the SDK path.
//
// Allocations per call (metrics_benchmark, exact, at 1, 2 and 4 threads),
// before -> after: RecordVmOperation 1.05 -> 0, RecordVmOperationDuration
// 4 -> 0, RecordRaftLogAppend 3 / 18 / 102 -> 0 at 1 / 16 / 100 entries,
// UpdateNodeResources 9 -> 0, RecordSchedulingDecision 5.5 -> 0,
// UpdateGauge 0 -> 0. Every before allocation is an attribute set's vector
// or a copy of a value longer than std::string's inline 15 characters (the
// 64-character node ids), repeated per instrument and per loop pass; the
// after builds those once per set, or once per cache entry and thread on a
// miss. UpdateGauge allocates on neither side (an empty set has no vector);
// there the after saves the instrument's mutex and the hash per add. The
// VM cache holds the end-to-end VM scenario's 240 VMs (at the plan's 128 an
// evicted entry rebinds, 3 allocations per operation) for ~100 KB per
// recording thread.
#ifndef HOTPATH_IMPL_AFTER_METRICS_ORCHESTRATOR_METRICS_H_
#define HOTPATH_IMPL_AFTER_METRICS_ORCHESTRATOR_METRICS_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "common/telemetry/instruments.h"
#include "common/telemetry/meter.h"
#include "impl_after/metrics/handle_cache.h"

namespace hotpath::metrics::after {

class OrchestratorMetrics {
 public:
  explicit OrchestratorMetrics(telemetry::Meter& meter);

  // vm.<op>.total, and vm.<op>.failed on failure, with operation=<op>.
  // Unknown operations are ignored.
  void RecordVmOperation(std::string_view operation, bool success);
  // vm.<op>.duration with [vm.name, node.id, operation].
  void RecordVmOperationDuration(std::string_view vm_name,
                                 std::string_view node_id,
                                 std::string_view operation,
                                 double duration_ms);
  // storage.writes once per entry with table=raft_log, then one timer
  // sample with [operation=append, table=raft_log].
  void RecordRaftLogAppend(size_t entries, double duration_ms);
  // Three up-down counters with node.id.
  void UpdateNodeResources(std::string_view node_id,
                           const telemetry::ResourceDelta& delta);
  // scheduler.preemptions once per preempted VM, with four attributes.
  void RecordSchedulingDecision(const telemetry::SchedulingDecision& decision);
  // Adds `delta` to a gauge (raft.term, vm.total, ...) with no attributes.
  void UpdateGauge(telemetry::Gauge gauge, int64_t delta);

 private:
  struct VmOperationHandles {
    std::unique_ptr<LazyBound<uint64_t>> total;
    std::unique_ptr<LazyBound<uint64_t>> failed;
  };

  // Index into kVmOperations, or -1.
  static int FindOperation(std::string_view operation);

  telemetry::OrchestratorInstruments instruments_;
  uint64_t cache_owner_;
  std::array<VmOperationHandles, telemetry::kVmOperations.size()>
      vm_operations_;
  LazyBound<uint64_t> raft_log_writes_;
  LazyBoundHistogram raft_log_append_timer_;
  std::array<std::unique_ptr<LazyBound<int64_t>>, telemetry::kGauges.size()>
      gauges_;
};

}  // namespace hotpath::metrics::after

#endif  // HOTPATH_IMPL_AFTER_METRICS_ORCHESTRATOR_METRICS_H_
