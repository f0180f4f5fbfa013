// The metrics core: attribute sets, aggregation and bound handles; the
// orchestrator's registry of gauges.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "common/telemetry/attributes.h"
#include "common/telemetry/instruments.h"
#include "common/telemetry/meter.h"

namespace hotpath::telemetry {
namespace {

TEST(AttributeSetTest, SortsDeduplicatesAndIgnoresStorage) {
  const AttributeSet a{{"b", std::string("2")},
                       {"a", std::string("1")},
                       {"b", std::string("3")}};
  EXPECT_EQ(a.ToString(), "a=1,b=3");
  const AttributeSet b{{"a", AttrValue::Static("1")},
                       {"b", AttrValue::Static("3")}};
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.hash(), b.hash());
  const AttributeSet c{{"a", int64_t{1}}, {"b", std::string("3")}};
  EXPECT_FALSE(a == c);
}

TEST(MeterTest, AggregatesPerAttributeSet) {
  Meter meter;
  Counter& counter = meter.CreateCounter("requests");
  EXPECT_EQ(&counter, &meter.CreateCounter("requests"));
  counter.Add(2, {{"route", std::string("/a")}});
  counter.Add(3, {{"route", std::string("/a")}});
  counter.Add(1, {{"route", std::string("/b")}});
  BoundSum<uint64_t> bound =
      counter.Bind(AttributeSet{{"route", AttrValue::Static("/a")}});
  bound.Add(10);
  UpDownCounter& gauge = meter.CreateUpDownCounter("in_flight");
  gauge.Add(5, {});
  gauge.Add(-7, {});
  meter.CreateCounter("unused");
  const Snapshot s = meter.Collect();
  EXPECT_EQ(s.at("requests").at("route=/a").value, 15);
  EXPECT_EQ(s.at("requests").at("route=/b").value, 1);
  EXPECT_EQ(s.at("in_flight").at("").value, -2);
  EXPECT_EQ(s.count("unused"), 0U);
}

TEST(MeterTest, HistogramBucketsAreUpperInclusive) {
  Meter meter;
  Histogram& h = meter.CreateHistogram("latency");
  for (double v : {0.0, 5.0, 5.5, 10000.0, 20000.0}) h.Record(v, {});
  const Point p = meter.Collect().at("latency").at("");
  EXPECT_EQ(p.count, 5U);
  EXPECT_EQ(p.value, 30010.5);
  ASSERT_EQ(p.buckets.size(), kDefaultBoundaries.size() + 1);
  EXPECT_EQ(p.buckets[0], 1U);   // <= 0
  EXPECT_EQ(p.buckets[1], 1U);   // (0, 5]
  EXPECT_EQ(p.buckets[2], 1U);   // (5, 10]
  EXPECT_EQ(p.buckets[14], 1U);  // (7500, 10000]
  EXPECT_EQ(p.buckets[15], 1U);  // > 10000
}

TEST(MeterTest, BoundAndUnboundAddsFromManyThreadsSum) {
  Meter meter;
  Counter& counter = meter.CreateCounter("c");
  const AttributeSet set{{"k", AttrValue::Static("v")}};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      BoundSum<uint64_t> bound = counter.Bind(set);
      for (int i = 0; i < 10000; ++i) {
        if ((i + t) % 2 == 0) {
          bound.Add(1);
        } else {
          counter.Add(1, {{"k", std::string("v")}});
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(meter.Collect().at("c").at("k=v").value, 40000);
}

// Gauge indexes name the up-down counter they say: gauges[kRaftTerm] is
// raft.term, and so on for every gauge.
TEST(InstrumentsTest, GaugesAreTheUpDownCountersTheirNamesSay) {
  Meter meter;
  const OrchestratorInstruments instruments(meter);
  ASSERT_EQ(instruments.gauges.size(), kGauges.size());
  for (size_t i = 0; i < kGauges.size(); ++i) {
    ASSERT_NE(instruments.gauges[i], nullptr) << kGauges[i];
    EXPECT_EQ(instruments.gauges[i]->name(), kGauges[i]);
    EXPECT_EQ(instruments.gauges[i], &meter.CreateUpDownCounter(kGauges[i]));
  }
  EXPECT_EQ(instruments.gauges[GaugeIndex(Gauge::kRaftTerm)]->name(),
            "raft.term");
  EXPECT_EQ(instruments.gauges[GaugeIndex(Gauge::kVmTotal)]->name(),
            "vm.total");
  EXPECT_EQ(
      instruments.gauges[GaugeIndex(Gauge::kPeerConnectionsActive)]->name(),
      "peer.connections.active");
}

}  // namespace
}  // namespace hotpath::telemetry
