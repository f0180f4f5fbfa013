// metrics/<Operation>/<variant>: the orchestrator's metrics calls on the
// before, after and prometheus-cpp variants, at 1, 2 and 4 threads sharing
// one registry. One iteration replays a fixed event sequence, so allocations
// per op are exact; items are events (calls), not iterations.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "benches/harness/bench_support.h"
#include "common/telemetry/instruments.h"
#include "common/telemetry/meter.h"
#include "impl_after/metrics/orchestrator_metrics.h"
#include "impl_before/metrics/orchestrator_metrics.h"
#ifdef HOTPATH_HAVE_PROMETHEUS
#include "benches/peers/prometheus_metrics.h"
#endif

namespace hotpath::metrics {
namespace {

template <typename Metrics>
struct OtelVariant {
  telemetry::Meter meter;
  Metrics metrics{meter};
  size_t Points() const { return meter.Collect().size(); }
};

struct Before : OtelVariant<before::OrchestratorMetrics> {
  static constexpr std::string_view kName = "before";
};
struct After : OtelVariant<after::OrchestratorMetrics> {
  static constexpr std::string_view kName = "after";
};
#ifdef HOTPATH_HAVE_PROMETHEUS
struct Prometheus {
  static constexpr std::string_view kName = "prometheus_cpp";
  prometheus::Registry registry;
  prometheus_cpp::OrchestratorMetrics metrics{registry};
  size_t Points() const { return prometheus_cpp::Collect(registry).size(); }
};
#endif

// One registry per variant for the whole process, shared by all threads.
template <typename Variant>
Variant& Shared() {
  static Variant variant;
  return variant;
}

std::string NodeId(uint64_t n) {
  return fmt::format("{:016x}{:016x}{:016x}{:016x}", n * 0x9e3779b97f4a7c15ULL,
                     n + 1, n * 31 + 7, ~n);
}

struct VmOperationEvent {
  std::string_view operation;
  bool success;
};

// 20 events, 1 failure: the 5% failure rate, exactly, every iteration.
std::vector<VmOperationEvent> VmOperationEvents() {
  std::vector<VmOperationEvent> events;
  events.reserve(20);
  for (int i = 0; i < 20; ++i) {
    events.push_back(
        {telemetry::kVmOperations[static_cast<size_t>(i) % 4], i != 13});
  }
  return events;
}

struct VmTimerEvent {
  std::string vm_name;
  std::string node_id;
  std::string_view operation;
  double duration_ms;
};

// 64 busy VMs on 5 nodes, each going through all four operations, shuffled.
std::vector<VmTimerEvent> VmTimerEvents() {
  std::vector<VmTimerEvent> events;
  for (uint64_t vm = 0; vm < 64; ++vm) {
    for (size_t op = 0; op < 4; ++op) {
      events.push_back({fmt::format("vm-{}", vm), NodeId(vm % 5),
                        telemetry::kVmOperations[op],
                        static_cast<double>((vm * 37 + op * 11) % 900 + 3)});
    }
  }
  std::shuffle(events.begin(), events.end(), std::mt19937_64(42));
  return events;
}

std::vector<telemetry::SchedulingDecision> SchedulingDecisions() {
  std::vector<telemetry::SchedulingDecision> decisions;
  const std::array<double, 2> confidences = {0.9, 0.95};
  for (uint64_t i = 0; i < 4; ++i) {
    telemetry::SchedulingDecision d;
    d.target_node = NodeId(i % 5);
    d.confidence = confidences[i % 2];
    for (uint64_t vm = 0; vm < 1 + i % 3; ++vm) {
      d.preempted_vms.push_back(fmt::format("vm-{}", 100 + i * 3 + vm));
    }
    decisions.push_back(std::move(d));
  }
  return decisions;
}

// Runs `one_pass` once to warm caches and registries, then times it, and
// checks afterwards that the registry saw the work.
template <typename Variant, typename Pass>
void RunPasses(benchmark::State& state, double events_per_pass,
               Pass&& one_pass) {
  auto& variant = Shared<Variant>();
  one_pass(variant.metrics);
  harness::AllocationScope allocations(state, events_per_pass);
  if (std::is_same_v<Variant, After> && state.threads() == 1) {
    allocations.ExpectAtMost(0);
  }
  for (auto _ : state) {
    one_pass(variant.metrics);
  }
  allocations.Report();
  if (state.thread_index() == 0 && variant.Points() == 0) {
    state.SkipWithError("nothing was recorded");
  }
}

template <typename Variant>
void BM_VmOperation(benchmark::State& state) {
  static const auto events = VmOperationEvents();
  RunPasses<Variant>(state, static_cast<double>(events.size()),
                     [&](auto& metrics) {
                       for (const auto& e : events) {
                         metrics.RecordVmOperation(e.operation, e.success);
                       }
                     });
}

template <typename Variant>
void BM_VmOperationDuration(benchmark::State& state) {
  static const auto events = VmTimerEvents();
  RunPasses<Variant>(state, static_cast<double>(events.size()),
                     [&](auto& metrics) {
                       for (const auto& e : events) {
                         metrics.RecordVmOperationDuration(
                             e.vm_name, e.node_id, e.operation, e.duration_ms);
                       }
                     });
}

template <typename Variant>
void BM_RaftLogAppend(benchmark::State& state) {
  const auto entries = static_cast<size_t>(state.range(0));
  RunPasses<Variant>(state, 1.0, [&](auto& metrics) {
    metrics.RecordRaftLogAppend(entries, static_cast<double>(entries % 7 + 1));
  });
}

template <typename Variant>
void BM_NodeResourceUpdate(benchmark::State& state) {
  static const std::vector<std::string> nodes = [] {
    std::vector<std::string> ids;
    for (uint64_t n = 0; n < 5; ++n) ids.push_back(NodeId(n));
    return ids;
  }();
  // Each node is taken down and back up: two updates per node.
  RunPasses<Variant>(state, 2.0 * static_cast<double>(nodes.size()),
                     [&](auto& metrics) {
                       for (const auto& node : nodes) {
                         metrics.UpdateNodeResources(node, {-2, -4096, -20});
                         metrics.UpdateNodeResources(node, {2, 4096, 20});
                       }
                     });
}

template <typename Variant>
void BM_SchedulingDecision(benchmark::State& state) {
  static const auto decisions = SchedulingDecisions();
  RunPasses<Variant>(state, static_cast<double>(decisions.size()),
                     [&](auto& metrics) {
                       for (const auto& d : decisions) {
                         metrics.RecordSchedulingDecision(d);
                       }
                     });
}

// A VM's life (created, started, stopped, deleted) with its capacity, a
// term change and a peer connecting and leaving: 16 gauge updates, each
// with no attributes, that leave every gauge but raft.term and
// raft.commit_index where they were.
template <typename Variant>
void BM_GaugeUpdate(benchmark::State& state) {
  using telemetry::Gauge;
  static constexpr std::array<std::pair<Gauge, int64_t>, 16> kUpdates = {{
      {Gauge::kVmTotal, 1},
      {Gauge::kVmStopped, 1},
      {Gauge::kClusterVcpusAllocated, 2},
      {Gauge::kClusterMemoryAllocated, 4096},
      {Gauge::kVmRunning, 1},
      {Gauge::kVmStopped, -1},
      {Gauge::kRaftTerm, 1},
      {Gauge::kRaftCommitIndex, 1},
      {Gauge::kPeerConnectionsActive, 1},
      {Gauge::kPeerConnectionsActive, -1},
      {Gauge::kVmRunning, -1},
      {Gauge::kVmStopped, 1},
      {Gauge::kClusterVcpusAllocated, -2},
      {Gauge::kClusterMemoryAllocated, -4096},
      {Gauge::kVmStopped, -1},
      {Gauge::kVmTotal, -1},
  }};
  RunPasses<Variant>(state, static_cast<double>(kUpdates.size()),
                     [&](auto& metrics) {
                       for (const auto& [gauge, delta] : kUpdates) {
                         metrics.UpdateGauge(gauge, delta);
                       }
                     });
}

template <typename Variant>
void RegisterVariant() {
  const auto name = [](std::string_view operation) {
    return fmt::format("metrics/{}/{}", operation, Variant::kName);
  };
  benchmark::RegisterBenchmark(name("VmOperation").c_str(),
                               BM_VmOperation<Variant>)
      ->ThreadRange(1, 4)
      ->UseRealTime();
  benchmark::RegisterBenchmark(name("VmOperationDuration").c_str(),
                               BM_VmOperationDuration<Variant>)
      ->ThreadRange(1, 4)
      ->UseRealTime();
  benchmark::RegisterBenchmark(name("RaftLogAppend").c_str(),
                               BM_RaftLogAppend<Variant>)
      ->ArgName("entries")
      ->Arg(1)
      ->Arg(16)
      ->Arg(100)
      ->ThreadRange(1, 4)
      ->UseRealTime();
  benchmark::RegisterBenchmark(name("NodeResourceUpdate").c_str(),
                               BM_NodeResourceUpdate<Variant>)
      ->ThreadRange(1, 4)
      ->UseRealTime();
  benchmark::RegisterBenchmark(name("SchedulingDecision").c_str(),
                               BM_SchedulingDecision<Variant>)
      ->ThreadRange(1, 4)
      ->UseRealTime();
  benchmark::RegisterBenchmark(name("GaugeUpdate").c_str(),
                               BM_GaugeUpdate<Variant>)
      ->ThreadRange(1, 4)
      ->UseRealTime();
}

const bool kRegistered = [] {
  RegisterVariant<Before>();
  RegisterVariant<After>();
#ifdef HOTPATH_HAVE_PROMETHEUS
  RegisterVariant<Prometheus>();
#endif
  return true;
}();

}  // namespace
}  // namespace hotpath::metrics
