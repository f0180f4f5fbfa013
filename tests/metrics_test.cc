// The metrics contract: every variant (before, after, and the prometheus-cpp
// peer) leaves the values an independent model says (Model below: plain maps
// written from HOTPATHS.md, not from either side) for fixed cases, a seeded
// random sequence, and threads recording concurrently; and each variant's
// gauges and separator-holding names against values written out here.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "common/telemetry/instruments.h"
#include "common/telemetry/meter.h"
#include "impl_after/metrics/orchestrator_metrics.h"
#include "impl_before/metrics/orchestrator_metrics.h"
#ifdef HOTPATH_HAVE_PROMETHEUS
#include "benches/peers/prometheus_metrics.h"
#endif

namespace hotpath::metrics {
namespace {

using telemetry::Snapshot;

std::string PromName(std::string name) {
  std::replace(name.begin(), name.end(), '.', '_');
  return name;
}

// Spells a snapshot the Prometheus way, so every variant can be compared.
Snapshot Normalise(const Snapshot& in) {
  Snapshot out;
  for (const auto& [name, points] : in) {
    auto& target = out[PromName(name)];
    for (const auto& [attributes, point] : points) {
      std::vector<std::string> pairs;
      size_t start = 0;
      while (start < attributes.size()) {
        size_t end = attributes.find(',', start);
        if (end == std::string::npos) end = attributes.size();
        std::string pair = attributes.substr(start, end - start);
        const size_t eq = pair.find('=');
        std::replace(pair.begin(),
                     pair.begin() + static_cast<std::ptrdiff_t>(eq), '.', '_');
        pairs.push_back(pair);
        start = end + 1;
      }
      std::sort(pairs.begin(), pairs.end());
      target[fmt::format("{}", fmt::join(pairs, ","))] = point;
    }
  }
  return out;
}

template <typename Metrics>
struct OtelVariant {
  telemetry::Meter meter;
  Metrics metrics{meter};
  Snapshot Collect() const { return Normalise(meter.Collect()); }
};
using Before = OtelVariant<before::OrchestratorMetrics>;
using After = OtelVariant<after::OrchestratorMetrics>;
#ifdef HOTPATH_HAVE_PROMETHEUS
struct Prometheus {
  prometheus::Registry registry;
  prometheus_cpp::OrchestratorMetrics metrics{registry};
  Snapshot Collect() const { return prometheus_cpp::Collect(registry); }
};
using Variants = ::testing::Types<Before, After, Prometheus>;
#else
using Variants = ::testing::Types<Before, After>;
#endif

// What the orchestrator's metrics calls mean (HOTPATHS.md, metrics), kept as
// a Prometheus-spelled snapshot with plain maps: one point per instrument and
// distinct attribute set, counters summing, histograms counting into OTel's
// default upper-inclusive buckets. It shares no code with either side; the
// event methods have the sides' names so EventStream can drive it.
class Model {
 public:
  void RecordVmOperation(std::string_view operation, bool success) {
    if (!Known(operation)) return;
    const std::string op(operation);
    Add("vm_" + op + "_total", {{"operation", op}}, 1);
    if (!success) Add("vm_" + op + "_failed", {{"operation", op}}, 1);
  }
  void RecordVmOperationDuration(std::string_view vm_name,
                                 std::string_view node_id,
                                 std::string_view operation,
                                 double duration_ms) {
    if (!Known(operation)) return;
    const std::string op(operation);
    Record("vm_" + op + "_duration",
           {{"vm_name", std::string(vm_name)},
            {"node_id", std::string(node_id)},
            {"operation", op}},
           duration_ms);
  }
  void RecordRaftLogAppend(size_t entries, double duration_ms) {
    for (size_t i = 0; i < entries; ++i) {
      Add("storage_writes", {{"table", "raft_log"}}, 1);
    }
    Record("storage_write_duration",
           {{"operation", "append"}, {"table", "raft_log"}}, duration_ms);
  }
  void UpdateNodeResources(std::string_view node_id,
                           const telemetry::ResourceDelta& delta) {
    const Pairs node = {{"node_id", std::string(node_id)}};
    Add("node_vcpus_available", node, static_cast<double>(delta.vcpus));
    Add("node_memory_available_mb", node, static_cast<double>(delta.memory_mb));
    Add("node_disk_available_gb", node, static_cast<double>(delta.disk_gb));
  }
  void RecordSchedulingDecision(const telemetry::SchedulingDecision& d) {
    // Confidence as text with two decimals, written without fmt.
    std::array<char, 32> confidence{};
    const int n = std::snprintf(confidence.data(), confidence.size(), "%.2f",
                                d.confidence);
    const Pairs set = {
        {"target_node", d.target_node},
        {"confidence", std::string(confidence.data(), static_cast<size_t>(n))},
        {"strategy", "priority"},
        {"decision", "preempt"}};
    for (size_t i = 0; i < d.preempted_vms.size(); ++i) {
      Add("scheduler_preemptions", set, 1);
    }
  }
  void UpdateGauge(telemetry::Gauge gauge, int64_t delta) {
    Add(PromName(std::string(telemetry::kGauges[static_cast<size_t>(gauge)])),
        {}, static_cast<double>(delta));
  }

  const Snapshot& snapshot() const { return snapshot_; }

 private:
  using Pairs = std::vector<std::pair<std::string, std::string>>;

  static bool Known(std::string_view operation) {
    return operation == "create" || operation == "start" ||
           operation == "stop" || operation == "delete";
  }
  // "k1=v1,k2=v2" sorted, as the snapshots spell a set.
  static std::string Key(Pairs pairs) {
    std::sort(pairs.begin(), pairs.end());
    std::string key;
    for (const auto& [k, v] : pairs) {
      if (!key.empty()) key += ',';
      key += k + "=" + v;
    }
    return key;
  }
  void Add(const std::string& name, const Pairs& pairs, double value) {
    snapshot_[name][Key(pairs)].value += value;
  }
  void Record(const std::string& name, const Pairs& pairs, double value) {
    static constexpr double kBounds[] = {0,    5,    10,   25,   50,
                                         75,   100,  250,  500,  750,
                                         1000, 2500, 5000, 7500, 10000};
    telemetry::Point& p = snapshot_[name][Key(pairs)];
    p.buckets.resize(std::size(kBounds) + 1);
    size_t bucket = 0;
    while (bucket < std::size(kBounds) && value > kBounds[bucket]) ++bucket;
    ++p.buckets[bucket];
    ++p.count;
    p.value += value;
  }

  Snapshot snapshot_;
};

std::string NodeId(uint64_t n) {
  return fmt::format("{:064x}", n * 0x9e3779b97f4a7c15ULL);
}

// Applies event `i` of a seeded random stream to any variant's metrics.
class EventStream {
 public:
  explicit EventStream(uint64_t seed) : rng_(seed) {}

  template <typename Metrics>
  void Apply(Metrics& m) {
    const auto pick = [this](uint64_t n) { return rng_() % n; };
    // Some unknown operations, which every variant must ignore.
    static constexpr std::string_view kOps[] = {"create", "start", "stop",
                                                "delete", "migrate"};
    switch (pick(6)) {
      case 0:
        m.RecordVmOperation(kOps[pick(5)], pick(20) != 0);
        break;
      case 1:
        m.RecordVmOperationDuration(fmt::format("vm-{}", pick(300)),
                                    NodeId(pick(50)), kOps[pick(5)],
                                    static_cast<double>(pick(20000)));
        break;
      case 2:
        m.RecordRaftLogAppend(pick(101), static_cast<double>(pick(3000)));
        break;
      case 3: {
        const auto sign = pick(2) == 0 ? 1 : -1;
        m.UpdateNodeResources(NodeId(pick(40)),
                              {sign * static_cast<int64_t>(pick(16)),
                               sign * static_cast<int64_t>(pick(65536)),
                               sign * static_cast<int64_t>(pick(500))});
        break;
      }
      case 4: {
        const auto gauge =
            static_cast<telemetry::Gauge>(pick(telemetry::kGauges.size()));
        m.UpdateGauge(gauge, static_cast<int64_t>(pick(21)) - 10);
        break;
      }
      default: {
        telemetry::SchedulingDecision d;
        d.target_node = NodeId(pick(30));
        d.confidence = static_cast<double>(pick(101)) / 100.0;
        for (uint64_t v = pick(4); v > 0; --v) {
          d.preempted_vms.push_back(fmt::format("vm-{}", pick(1000)));
        }
        m.RecordSchedulingDecision(d);
      }
    }
  }

 private:
  std::mt19937_64 rng_;
};

template <typename T>
class MetricsEquivalenceTest : public ::testing::Test {};
TYPED_TEST_SUITE(MetricsEquivalenceTest, Variants);

TYPED_TEST(MetricsEquivalenceTest, FixedCases) {
  TypeParam variant;
  Model model;
  const auto record = [](auto& m) {
    m.RecordVmOperation("create", true);
    m.RecordVmOperation("create", false);
    m.RecordVmOperation("stop", true);
    m.RecordVmOperation("reboot", false);  // unknown: ignored
    m.RecordVmOperationDuration("vm-1", NodeId(1), "start", 12);
    m.RecordVmOperationDuration("vm-1", NodeId(1), "start", 7000);
    m.RecordVmOperationDuration("vm-2", NodeId(2), "delete", 0);
    m.RecordRaftLogAppend(16, 3);
    m.RecordRaftLogAppend(0, 1);
    m.UpdateNodeResources(NodeId(3), {4, 8192, 100});
    m.UpdateNodeResources(NodeId(3), {-4, -8192, -100});
    m.RecordSchedulingDecision({NodeId(4), 0.947, {"vm-7", "vm-8"}});
    m.RecordSchedulingDecision({NodeId(4), 0.5, {}});
    m.UpdateGauge(telemetry::Gauge::kRaftTerm, 1);
    m.UpdateGauge(telemetry::Gauge::kRaftTerm, 1);
    m.UpdateGauge(telemetry::Gauge::kVmTotal, 3);
    m.UpdateGauge(telemetry::Gauge::kVmTotal, -1);
  };
  record(variant.metrics);
  record(model);
  const Snapshot got = variant.Collect();
  EXPECT_EQ(got, model.snapshot());
  // Spot checks that the model itself is right.
  EXPECT_EQ(got.at("vm_create_total").at("operation=create").value, 2);
  EXPECT_EQ(got.at("vm_create_failed").at("operation=create").value, 1);
  EXPECT_EQ(got.count("vm_stop_failed"), 0U);
  EXPECT_EQ(got.at("storage_writes").at("table=raft_log").value, 16);
  EXPECT_EQ(got.at("storage_write_duration")
                .at("operation=append,table=raft_log")
                .count,
            2U);
  EXPECT_EQ(got.at("node_vcpus_available").at("node_id=" + NodeId(3)).value, 0);
  EXPECT_EQ(got.at("scheduler_preemptions")
                .at(fmt::format("confidence=0.95,decision=preempt,strategy="
                                "priority,target_node={}",
                                NodeId(4)))
                .value,
            2);
  EXPECT_EQ(
      got.at("vm_start_duration")
          .at(fmt::format("node_id={},operation=start,vm_name=vm-1", NodeId(1)))
          .count,
      2U);
  EXPECT_EQ(got.at("raft_term").at("").value, 2);
  EXPECT_EQ(got.at("vm_total").at("").value, 2);
  EXPECT_EQ(got.count("vm_running"), 0U);
}

// Gauges are added to with no attributes: one point each, under the empty
// set, and none for a gauge never touched.
TYPED_TEST(MetricsEquivalenceTest, GaugesHaveOnePointWithNoAttributes) {
  TypeParam variant;
  int64_t expected = 0;
  for (int64_t delta : {1, 1, 1, -2, 40, -7}) {
    variant.metrics.UpdateGauge(telemetry::Gauge::kPeerConnectionsActive,
                                delta);
    expected += delta;
  }
  variant.metrics.UpdateGauge(telemetry::Gauge::kClusterDiskAllocated, 0);
  const Snapshot got = variant.Collect();
  ASSERT_EQ(got.at("peer_connections_active").size(), 1U);
  EXPECT_EQ(got.at("peer_connections_active").at("").value,
            static_cast<double>(expected));
  ASSERT_EQ(got.at("cluster_disk_allocated").size(), 1U);
  EXPECT_EQ(got.at("cluster_disk_allocated").at("").value, 0);
  for (const std::string_view name : telemetry::kGauges) {
    const std::string prom = PromName(std::string(name));
    if (prom != "peer_connections_active" && prom != "cluster_disk_allocated") {
      EXPECT_EQ(got.count(prom), 0U) << prom;
    }
  }
}

// A VM name or node id may hold any byte, including the unit separator
// '\x1f' a joined cache key would use: (a\x1fb, c) and (a, b\x1fc) are two
// attribute sets, not one.
TYPED_TEST(MetricsEquivalenceTest, NamesHoldingSeparatorBytesKeepTheirOwnSets) {
  TypeParam variant;
  const std::string unit_separator(1, '\x1f');
  const std::string first_vm = "a" + unit_separator + "b";
  const std::string second_node = "b" + unit_separator + "c";
  variant.metrics.RecordVmOperationDuration(first_vm, "c", "start", 10);
  variant.metrics.RecordVmOperationDuration("a", second_node, "start", 20);
  variant.metrics.RecordVmOperationDuration("a", second_node, "start", 30);
  const Snapshot got = variant.Collect();
  const auto& points = got.at("vm_start_duration");
  ASSERT_EQ(points.size(), 2U);
  const auto first = points.find(
      fmt::format("node_id=c,operation=start,vm_name={}", first_vm));
  ASSERT_NE(first, points.end());
  EXPECT_EQ(first->second.count, 1U);
  EXPECT_EQ(first->second.value, 10);
  const auto second = points.find(
      fmt::format("node_id={},operation=start,vm_name=a", second_node));
  ASSERT_NE(second, points.end());
  EXPECT_EQ(second->second.count, 2U);
  EXPECT_EQ(second->second.value, 50);
}

TYPED_TEST(MetricsEquivalenceTest, SeededRandomSequence) {
  constexpr uint64_t kSeed = 20261122;
  constexpr int kEvents = 20000;
  TypeParam variant;
  Model model;
  EventStream a(kSeed);
  EventStream b(kSeed);
  for (int i = 0; i < kEvents; ++i) {
    a.Apply(variant.metrics);
    b.Apply(model);
  }
  const Snapshot got = variant.Collect();
  EXPECT_GT(got.size(), 10U);
  EXPECT_EQ(got, model.snapshot()) << "seed " << kSeed;
}

TYPED_TEST(MetricsEquivalenceTest, ThreadsRecordingConcurrently) {
  constexpr int kThreads = 4;
  constexpr int kEventsPerThread = 5000;
  TypeParam variant;
  Model model;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&variant, t] {
      EventStream stream(static_cast<uint64_t>(t) + 1);
      for (int i = 0; i < kEventsPerThread; ++i) stream.Apply(variant.metrics);
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    EventStream stream(static_cast<uint64_t>(t) + 1);
    for (int i = 0; i < kEventsPerThread; ++i) stream.Apply(model);
  }
  EXPECT_EQ(variant.Collect(), model.snapshot());
}

}  // namespace
}  // namespace hotpath::metrics
