#include "impl_after/metrics/orchestrator_metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <initializer_list>
#include <string>

namespace hotpath::metrics::after {

using telemetry::AttributeSet;
using telemetry::AttrValue;

uint64_t NextCacheOwnerId() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

namespace {

struct NodeHandles {
  telemetry::BoundSum<int64_t> vcpus;
  telemetry::BoundSum<int64_t> memory;
  telemetry::BoundSum<int64_t> disk;
};

using VmTimerHandles =
    std::array<telemetry::BoundHistogram, telemetry::kVmOperations.size()>;

// Longest cache key built on the stack; longer keys bypass the caches. A
// part's length fits the one byte before it.
constexpr size_t kMaxKey = 256;

// Writes each part as its length (one byte) and its bytes into `buffer`, so
// two different tuples of parts never make the same key, whatever bytes they
// hold; empty if they do not fit.
std::string_view LengthPrefixedKey(
    std::array<char, kMaxKey>& buffer,
    std::initializer_list<std::string_view> parts) {
  static_assert(kMaxKey <= 256, "a part's length must fit one byte");
  size_t size = 0;
  for (const std::string_view part : parts) {
    if (size + 1 + part.size() > buffer.size()) return {};
    buffer[size++] = static_cast<char>(static_cast<unsigned char>(part.size()));
    std::memcpy(buffer.data() + size, part.data(), part.size());
    size += part.size();
  }
  return {buffer.data(), size};
}

}  // namespace

OrchestratorMetrics::OrchestratorMetrics(telemetry::Meter& meter)
    : instruments_(meter),
      cache_owner_(NextCacheOwnerId()),
      raft_log_writes_(instruments_.storage_writes,
                       {{"table", AttrValue::Static("raft_log")}}),
      raft_log_append_timer_(instruments_.storage_write_duration,
                             {{"operation", AttrValue::Static("append")},
                              {"table", AttrValue::Static("raft_log")}}) {
  for (size_t i = 0; i < vm_operations_.size(); ++i) {
    const AttributeSet set{
        {"operation", AttrValue::Static(telemetry::kVmOperations[i])}};
    vm_operations_[i].total = std::make_unique<LazyBound<uint64_t>>(
        *instruments_.vm_operations[i].total, set);
    vm_operations_[i].failed = std::make_unique<LazyBound<uint64_t>>(
        *instruments_.vm_operations[i].failed, set);
  }
  for (size_t i = 0; i < gauges_.size(); ++i) {
    gauges_[i] = std::make_unique<LazyBound<int64_t>>(*instruments_.gauges[i],
                                                      AttributeSet{});
  }
}

int OrchestratorMetrics::FindOperation(std::string_view operation) {
  for (size_t i = 0; i < telemetry::kVmOperations.size(); ++i) {
    if (telemetry::kVmOperations[i] == operation) return static_cast<int>(i);
  }
  return -1;
}

void OrchestratorMetrics::RecordVmOperation(std::string_view operation,
                                            bool success) {
  const int index = FindOperation(operation);
  if (index < 0) return;
  VmOperationHandles& handles = vm_operations_[static_cast<size_t>(index)];
  handles.total->Add(1);
  if (!success) handles.failed->Add(1);
}

void OrchestratorMetrics::RecordVmOperationDuration(std::string_view vm_name,
                                                    std::string_view node_id,
                                                    std::string_view operation,
                                                    double duration_ms) {
  const int index = FindOperation(operation);
  if (index < 0) return;
  const auto op = static_cast<size_t>(index);
  const auto bind = [&] {
    return instruments_.vm_operations[op].duration->Bind(AttributeSet{
        {"vm.name", std::string(vm_name)},
        {"node.id", std::string(node_id)},
        {"operation", AttrValue::Static(telemetry::kVmOperations[op])}});
  };
  std::array<char, kMaxKey> buffer;
  const std::string_view key = LengthPrefixedKey(buffer, {vm_name, node_id});
  if (key.empty()) {
    bind().Record(duration_ms);
    return;
  }
  // One entry per (VM, node) holds a handle per operation, bound on first use.
  thread_local HandleCache<VmTimerHandles, 1024> cache;
  telemetry::BoundHistogram& handle =
      cache.Get(cache_owner_, key, [] { return VmTimerHandles{}; })[op];
  if (!handle.valid()) handle = bind();
  handle.Record(duration_ms);
}

void OrchestratorMetrics::RecordRaftLogAppend(size_t entries,
                                              double duration_ms) {
  // The per-entry adds of the same set fold into one add of their count.
  if (entries > 0) raft_log_writes_.Add(entries);
  raft_log_append_timer_.Record(duration_ms);
}

void OrchestratorMetrics::UpdateNodeResources(
    std::string_view node_id, const telemetry::ResourceDelta& delta) {
  const auto bind = [&] {
    const AttributeSet set{{"node.id", std::string(node_id)}};
    return NodeHandles{instruments_.node_vcpus_available.Bind(set),
                       instruments_.node_memory_available.Bind(set),
                       instruments_.node_disk_available.Bind(set)};
  };
  thread_local HandleCache<NodeHandles, 16> cache;
  const NodeHandles& handles = cache.Get(cache_owner_, node_id, bind);
  handles.vcpus.Add(delta.vcpus);
  handles.memory.Add(delta.memory_mb);
  handles.disk.Add(delta.disk_gb);
}

void OrchestratorMetrics::RecordSchedulingDecision(
    const telemetry::SchedulingDecision& decision) {
  if (decision.preempted_vms.empty()) return;
  std::array<char, 32> confidence_buffer;
  const auto written =
      fmt::format_to_n(confidence_buffer.data(), confidence_buffer.size(),
                       "{:.2f}", decision.confidence);
  const std::string_view confidence(
      confidence_buffer.data(),
      std::min(written.size, confidence_buffer.size()));
  const auto bind = [&] {
    return instruments_.scheduler_preemptions.Bind(
        AttributeSet{{"target_node", decision.target_node},
                     {"confidence", std::string(confidence)},
                     {"strategy", AttrValue::Static("priority")},
                     {"decision", AttrValue::Static("preempt")}});
  };
  std::array<char, kMaxKey> buffer;
  const std::string_view key =
      LengthPrefixedKey(buffer, {decision.target_node, confidence});
  const uint64_t count = decision.preempted_vms.size();
  if (key.empty()) {
    bind().Add(count);
    return;
  }
  thread_local HandleCache<telemetry::BoundSum<uint64_t>, 16> cache;
  cache.Get(cache_owner_, key, bind).Add(count);
}

void OrchestratorMetrics::UpdateGauge(telemetry::Gauge gauge, int64_t delta) {
  gauges_[telemetry::GaugeIndex(gauge)]->Add(delta);
}

}  // namespace hotpath::metrics::after
