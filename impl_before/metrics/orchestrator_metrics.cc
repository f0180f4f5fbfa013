// NOLINTBEGIN(performance-*): slow on purpose, as the orchestrator wrote it.
#include "impl_before/metrics/orchestrator_metrics.h"

#include <fmt/format.h>

#include <string>
#include <utility>
#include <vector>

namespace hotpath::metrics::before {

using telemetry::KeyValue;

OrchestratorMetrics::OrchestratorMetrics(telemetry::Meter& meter)
    : instruments_(meter) {}

const telemetry::VmOperationInstruments* OrchestratorMetrics::FindOperation(
    std::string_view operation) const {
  for (size_t i = 0; i < telemetry::kVmOperations.size(); ++i) {
    if (telemetry::kVmOperations[i] == operation) {
      return &instruments_.vm_operations[i];
    }
  }
  return nullptr;
}

void OrchestratorMetrics::RecordVmOperation(std::string_view operation,
                                            bool success) {
  const auto* instruments = FindOperation(operation);
  if (instruments == nullptr) return;
  KeyValue attribute{"operation", std::string(operation)};
  instruments->total->Add(1, {attribute});
  if (!success) instruments->failed->Add(1, {std::move(attribute)});
}

void OrchestratorMetrics::RecordVmOperationDuration(std::string_view vm_name,
                                                    std::string_view node_id,
                                                    std::string_view operation,
                                                    double duration_ms) {
  const auto* instruments = FindOperation(operation);
  if (instruments == nullptr) return;
  std::vector<KeyValue> attributes;
  attributes.reserve(3);
  attributes.push_back({"vm.name", std::string(vm_name)});
  attributes.push_back({"node.id", std::string(node_id)});
  attributes.push_back({"operation", std::string(operation)});
  instruments->duration->Record(duration_ms, attributes);
}

void OrchestratorMetrics::RecordRaftLogAppend(size_t entries,
                                              double duration_ms) {
  for (size_t i = 0; i < entries; ++i) {
    instruments_.storage_writes.Add(1, {{"table", std::string("raft_log")}});
  }
  std::vector<KeyValue> timer_attributes;
  timer_attributes.reserve(2);
  timer_attributes.push_back({"operation", std::string("append")});
  timer_attributes.push_back({"table", std::string("raft_log")});
  instruments_.storage_write_duration.Record(duration_ms, timer_attributes);
}

void OrchestratorMetrics::UpdateNodeResources(
    std::string_view node_id, const telemetry::ResourceDelta& delta) {
  KeyValue attribute{"node.id", std::string(node_id)};
  instruments_.node_vcpus_available.Add(delta.vcpus, {attribute});
  instruments_.node_memory_available.Add(delta.memory_mb, {attribute});
  instruments_.node_disk_available.Add(delta.disk_gb, {std::move(attribute)});
}

void OrchestratorMetrics::RecordSchedulingDecision(
    const telemetry::SchedulingDecision& decision) {
  std::vector<KeyValue> attributes;
  attributes.reserve(4);
  attributes.push_back({"target_node", decision.target_node});
  attributes.push_back(
      {"confidence", fmt::format("{:.2f}", decision.confidence)});
  attributes.push_back({"strategy", std::string("priority")});
  attributes.push_back({"decision", std::string("preempt")});
  for (size_t i = 0; i < decision.preempted_vms.size(); ++i) {
    instruments_.scheduler_preemptions.Add(1, attributes);
  }
}

void OrchestratorMetrics::UpdateGauge(telemetry::Gauge gauge, int64_t delta) {
  instruments_.gauges[telemetry::GaugeIndex(gauge)]->Add(delta, {});
}

}  // namespace hotpath::metrics::before
// NOLINTEND(performance-*)
