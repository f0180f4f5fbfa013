// The metrics pair's peer: the same events recorded through prometheus-cpp,
// the library C++ services reach for, used as its documentation shows:
// label sets known up front are resolved once (here on first use, so that
// unused series stay absent, as on the other variants), dynamic ones go
// through Family::Add on each call. Metric and label names use '_' where the
// OTel names use '.', as Prometheus requires.
#ifndef HOTPATH_BENCHES_PEERS_PROMETHEUS_METRICS_H_
#define HOTPATH_BENCHES_PEERS_PROMETHEUS_METRICS_H_

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/telemetry/instruments.h"
#include "common/telemetry/meter.h"

namespace hotpath::metrics::prometheus_cpp {

class OrchestratorMetrics {
 public:
  explicit OrchestratorMetrics(prometheus::Registry& registry);

  void RecordVmOperation(std::string_view operation, bool success);
  void RecordVmOperationDuration(std::string_view vm_name,
                                 std::string_view node_id,
                                 std::string_view operation,
                                 double duration_ms);
  void RecordRaftLogAppend(size_t entries, double duration_ms);
  void UpdateNodeResources(std::string_view node_id,
                           const telemetry::ResourceDelta& delta);
  void RecordSchedulingDecision(const telemetry::SchedulingDecision& decision);
  void UpdateGauge(telemetry::Gauge gauge, int64_t delta);

 private:
  template <typename T>
  struct LazySeries {
    prometheus::Family<T>* family = nullptr;
    prometheus::Labels labels;
    std::atomic<T*> series{nullptr};
    T& Get();
  };
  struct VmOperationSeries {
    LazySeries<prometheus::Counter> total;
    LazySeries<prometheus::Counter> failed;
    prometheus::Family<prometheus::Histogram>* duration = nullptr;
  };

  std::array<VmOperationSeries, telemetry::kVmOperations.size()> vm_operations_;
  LazySeries<prometheus::Counter> raft_log_writes_;
  prometheus::Family<prometheus::Histogram>* storage_write_duration_;
  LazySeries<prometheus::Histogram> raft_log_append_timer_;
  prometheus::Family<prometheus::Gauge>* node_vcpus_;
  prometheus::Family<prometheus::Gauge>* node_memory_;
  prometheus::Family<prometheus::Gauge>* node_disk_;
  prometheus::Family<prometheus::Counter>* preemptions_;
  // Unlabelled, indexed like kGauges.
  std::array<LazySeries<prometheus::Gauge>, telemetry::kGauges.size()> gauges_;
};

// The registry's state in the telemetry snapshot form, Prometheus names.
telemetry::Snapshot Collect(const prometheus::Registry& registry);

}  // namespace hotpath::metrics::prometheus_cpp

#endif  // HOTPATH_BENCHES_PEERS_PROMETHEUS_METRICS_H_
