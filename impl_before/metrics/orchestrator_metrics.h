// The orchestrator's metrics calls as it wrote them (HOTPATHS.md, metrics):
// attribute values copied into fresh strings per call, the attribute copied
// again per instrument, and every add going through the SDK's slice path,
// which copies and hashes the attribute set under the instrument's lock.
// Strings of up to 15 characters fit std::string's inline buffer, so this
// C++ version allocates less than the Rust original did; it is not made
// slower to compensate. Gauges are added to with an empty attribute slice,
// as the orchestrator does: no allocation, but the lock and the hash.
//
// Allocations per call (metrics_benchmark): RecordVmOperation 1.05 (a set's
// vector; a failure, 1 in 20, builds a second set), RecordVmOperationDuration
// 4 (the vector and the node id, then the set's copies of both),
// RecordRaftLogAppend entries + 2, UpdateNodeResources 9 (the node id, two
// copies for the first two adds, and a vector and a node id per set),
// RecordSchedulingDecision 5.5 (the vector and the target node, then a
// vector and a node id per preempted VM), UpdateGauge 0.
#ifndef HOTPATH_IMPL_BEFORE_METRICS_ORCHESTRATOR_METRICS_H_
#define HOTPATH_IMPL_BEFORE_METRICS_ORCHESTRATOR_METRICS_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/telemetry/instruments.h"
#include "common/telemetry/meter.h"

namespace hotpath::metrics::before {

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
  const telemetry::VmOperationInstruments* FindOperation(
      std::string_view operation) const;

  telemetry::OrchestratorInstruments instruments_;
};

}  // namespace hotpath::metrics::before

#endif  // HOTPATH_IMPL_BEFORE_METRICS_ORCHESTRATOR_METRICS_H_
