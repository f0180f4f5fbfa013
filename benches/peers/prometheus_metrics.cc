#include "benches/peers/prometheus_metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

namespace hotpath::metrics::prometheus_cpp {
namespace {

const prometheus::Histogram::BucketBoundaries& Boundaries() {
  static const prometheus::Histogram::BucketBoundaries kBoundaries(
      telemetry::kDefaultBoundaries.begin(),
      telemetry::kDefaultBoundaries.end());
  return kBoundaries;
}

std::string PromName(std::string_view otel_name) {
  std::string name(otel_name);
  std::replace(name.begin(), name.end(), '.', '_');
  return name;
}

prometheus::Family<prometheus::Counter>& CounterFamily(
    prometheus::Registry& registry, std::string_view name) {
  return prometheus::BuildCounter().Name(PromName(name)).Register(registry);
}

prometheus::Family<prometheus::Gauge>& GaugeFamily(
    prometheus::Registry& registry, std::string_view name) {
  return prometheus::BuildGauge().Name(PromName(name)).Register(registry);
}

prometheus::Family<prometheus::Histogram>& HistogramFamily(
    prometheus::Registry& registry, std::string_view name) {
  return prometheus::BuildHistogram().Name(PromName(name)).Register(registry);
}

int FindOperation(std::string_view operation) {
  for (size_t i = 0; i < telemetry::kVmOperations.size(); ++i) {
    if (telemetry::kVmOperations[i] == operation) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

template <typename T>
T& OrchestratorMetrics::LazySeries<T>::Get() {
  T* s = series.load(std::memory_order_acquire);
  if (s == nullptr) {
    if constexpr (std::is_same_v<T, prometheus::Histogram>) {
      s = &family->Add(labels, Boundaries());
    } else {
      s = &family->Add(labels);
    }
    series.store(s, std::memory_order_release);
  }
  return *s;
}

OrchestratorMetrics::OrchestratorMetrics(prometheus::Registry& registry)
    : storage_write_duration_(
          &HistogramFamily(registry, "storage.write.duration")),
      node_vcpus_(&GaugeFamily(registry, "node.vcpus.available")),
      node_memory_(&GaugeFamily(registry, "node.memory.available_mb")),
      node_disk_(&GaugeFamily(registry, "node.disk.available_gb")),
      preemptions_(&CounterFamily(registry, "scheduler.preemptions")) {
  for (size_t i = 0; i < vm_operations_.size(); ++i) {
    const std::string op(telemetry::kVmOperations[i]);
    VmOperationSeries& series = vm_operations_[i];
    series.total.family = &CounterFamily(registry, "vm." + op + ".total");
    series.total.labels = {{"operation", op}};
    series.failed.family = &CounterFamily(registry, "vm." + op + ".failed");
    series.failed.labels = {{"operation", op}};
    series.duration = &HistogramFamily(registry, "vm." + op + ".duration");
  }
  raft_log_writes_.family = &CounterFamily(registry, "storage.writes");
  raft_log_writes_.labels = {{"table", "raft_log"}};
  raft_log_append_timer_.family = storage_write_duration_;
  raft_log_append_timer_.labels = {{"operation", "append"},
                                   {"table", "raft_log"}};
  for (size_t i = 0; i < gauges_.size(); ++i) {
    gauges_[i].family = &GaugeFamily(registry, telemetry::kGauges[i]);
  }
}

void OrchestratorMetrics::RecordVmOperation(std::string_view operation,
                                            bool success) {
  const int index = FindOperation(operation);
  if (index < 0) return;
  VmOperationSeries& series = vm_operations_[static_cast<size_t>(index)];
  series.total.Get().Increment();
  if (!success) series.failed.Get().Increment();
}

void OrchestratorMetrics::RecordVmOperationDuration(std::string_view vm_name,
                                                    std::string_view node_id,
                                                    std::string_view operation,
                                                    double duration_ms) {
  const int index = FindOperation(operation);
  if (index < 0) return;
  vm_operations_[static_cast<size_t>(index)]
      .duration
      ->Add({{"vm_name", std::string(vm_name)},
             {"node_id", std::string(node_id)},
             {"operation", std::string(operation)}},
            Boundaries())
      .Observe(duration_ms);
}

void OrchestratorMetrics::RecordRaftLogAppend(size_t entries,
                                              double duration_ms) {
  if (entries > 0)
    raft_log_writes_.Get().Increment(static_cast<double>(entries));
  raft_log_append_timer_.Get().Observe(duration_ms);
}

void OrchestratorMetrics::UpdateNodeResources(
    std::string_view node_id, const telemetry::ResourceDelta& delta) {
  const prometheus::Labels labels{{"node_id", std::string(node_id)}};
  node_vcpus_->Add(labels).Increment(static_cast<double>(delta.vcpus));
  node_memory_->Add(labels).Increment(static_cast<double>(delta.memory_mb));
  node_disk_->Add(labels).Increment(static_cast<double>(delta.disk_gb));
}

void OrchestratorMetrics::RecordSchedulingDecision(
    const telemetry::SchedulingDecision& decision) {
  if (decision.preempted_vms.empty()) return;
  preemptions_
      ->Add({{"target_node", decision.target_node},
             {"confidence", fmt::format("{:.2f}", decision.confidence)},
             {"strategy", "priority"},
             {"decision", "preempt"}})
      .Increment(static_cast<double>(decision.preempted_vms.size()));
}

void OrchestratorMetrics::UpdateGauge(telemetry::Gauge gauge, int64_t delta) {
  gauges_[telemetry::GaugeIndex(gauge)].Get().Increment(
      static_cast<double>(delta));
}

telemetry::Snapshot Collect(const prometheus::Registry& registry) {
  telemetry::Snapshot snapshot;
  for (const prometheus::MetricFamily& family : registry.Collect()) {
    if (family.metric.empty()) continue;
    auto& points = snapshot[family.name];
    for (const prometheus::ClientMetric& metric : family.metric) {
      std::vector<std::string> labels;
      labels.reserve(metric.label.size());
      for (const auto& label : metric.label) {
        labels.push_back(label.name + "=" + label.value);
      }
      std::sort(labels.begin(), labels.end());
      telemetry::Point& point =
          points[fmt::format("{}", fmt::join(labels, ","))];
      switch (family.type) {
        case prometheus::MetricType::Counter:
          point.value = metric.counter.value;
          break;
        case prometheus::MetricType::Gauge:
          point.value = metric.gauge.value;
          break;
        case prometheus::MetricType::Histogram: {
          point.count = metric.histogram.sample_count;
          point.value = metric.histogram.sample_sum;
          uint64_t previous = 0;
          for (const auto& bucket : metric.histogram.bucket) {
            point.buckets.push_back(bucket.cumulative_count - previous);
            previous = bucket.cumulative_count;
          }
          break;
        }
        default:
          break;
      }
    }
  }
  return snapshot;
}

}  // namespace hotpath::metrics::prometheus_cpp
