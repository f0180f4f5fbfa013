// The caching contract: the after's cached summaries, node usage, VM totals
// and placement decisions equal the before's freshly computed ones at every
// step (after writes, raw corrupt records, removals and clock moves), errors
// included with their text; both sides match an independent model of the
// cluster written here; and the after's caches hit, expire after 30 s
// (summaries) and 10 s (placements) of the injected clock, and are
// invalidated by any write.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "common/storage/clock.h"
#include "common/storage/cluster_tables.h"
#include "common/storage/resource_records.h"
#include "common/storage/sample_data.h"
#include "common/storage/store.h"
#include "impl_after/caching/resource_tracker.h"
#include "impl_before/caching/resource_tracker.h"

namespace hotpath::caching {
namespace {

using std::chrono::seconds;
using storage::ClusterResourceSummary;
using storage::NodeSummary;
using storage::PlacementRequest;
using storage::Status;
using storage::TableId;
using storage::VmStatus;
using storage::VmTotals;
using storage::WorkerStatus;

using Variants =
    ::testing::Types<before::ResourceTracker, after::ResourceTracker>;

// Each side is checked against the other, never against itself.
template <typename Tracker>
struct OtherSide;
template <>
struct OtherSide<before::ResourceTracker> {
  using type = after::ResourceTracker;
};
template <>
struct OtherSide<after::ResourceTracker> {
  using type = before::ResourceTracker;
};

// A cluster both trackers read, and a clock only the after looks at.
struct Cluster {
  storage::Store store;
  storage::ClusterTables tables{store};
  storage::ManualClock clock;

  void AddWorker(uint64_t id, WorkerStatus status = WorkerStatus::kOnline) {
    ASSERT_TRUE(tables.PutWorker(id, storage::MakeWorker(id)).ok());
    ASSERT_TRUE(tables.SetWorkerStatus(id, status).ok());
  }
  void AddVm(uint64_t n, uint64_t node, VmStatus status) {
    ASSERT_TRUE(tables.PutVm(storage::MakeVm(n, node, status)).ok());
  }
};

// Everything a tracker answers, for comparing two trackers in one go.
struct Answers {
  Status summary_status;
  ClusterResourceSummary summary;
  std::vector<std::pair<Status, NodeSummary>> nodes;
  Status totals_status;
  VmTotals totals;
  Status place_status;
  uint64_t placed = 0;
  bool operator==(const Answers&) const = default;
};

void PrintTo(const Answers& a, std::ostream* os) {
  *os << "summary "
      << (a.summary_status.ok() ? "ok" : a.summary_status.message())
      << " nodes=" << a.summary.total_nodes << " vcpus=" << a.summary.used_vcpus
      << "/" << a.summary.total_vcpus
      << " running=" << a.summary.total_running_vms << "; totals "
      << (a.totals_status.ok() ? "ok" : a.totals_status.message())
      << " vms=" << a.totals.vms << "; placed "
      << (a.place_status.ok() ? "ok" : a.place_status.message()) << " on "
      << a.placed;
  for (const auto& [status, node] : a.nodes) {
    *os << "; node " << node.node_id << " "
        << (status.ok() ? "ok" : status.message());
  }
}

// The summary, the usage of each of `node_ids`, the totals and where
// `request` goes.
template <typename Tracker>
Answers Ask(Tracker& tracker, std::span<const uint64_t> node_ids,
            const PlacementRequest& request = {2, 1024, 10, {"kvm"}}) {
  Answers a;
  a.summary_status = tracker.ClusterSummary(&a.summary);
  for (const uint64_t id : node_ids) {
    NodeSummary node;
    Status status = tracker.NodeUsage(id, &node);
    a.nodes.emplace_back(std::move(status), node);
  }
  a.totals_status = tracker.Totals(&a.totals);
  a.place_status = tracker.PlaceVm(request, &a.placed);
  return a;
}

// `n` requests of up to 48 vCPUs, 96 GiB and 1400 GiB, with or without a
// feature or two.
std::vector<PlacementRequest> RequestPool(std::mt19937_64& rng, size_t n) {
  const std::array<std::vector<std::string>, 4> feature_sets = {
      {{}, {"kvm"}, {"gpu"}, {"virtio", "gpu"}}};
  std::vector<PlacementRequest> pool;
  pool.reserve(n + 1);
  for (size_t i = 0; i < n; ++i) {
    pool.push_back({static_cast<uint32_t>(1 + rng() % 48),
                    1024 * (1 + rng() % 96), 100 * (1 + rng() % 14),
                    feature_sets[rng() % feature_sets.size()]});
  }
  return pool;
}

// A cache that hit, expired and was invalidated.
void ExpectEveryPath(const storage::CacheStats& stats) {
  EXPECT_GT(stats.hits, 0U);
  EXPECT_GT(stats.expirations, 0U);
  EXPECT_GT(stats.invalidations, 0U);
}

template <typename T>
class CachingEquivalenceTest : public ::testing::Test {};
TYPED_TEST_SUITE(CachingEquivalenceTest, Variants);

TYPED_TEST(CachingEquivalenceTest, FixedCluster) {
  Cluster c;
  c.AddWorker(1);                          // 32 cores, 65536 MiB, 1000 GiB
  c.AddWorker(2);                          // 48 cores, 98304 MiB, 1500 GiB
  c.AddWorker(3, WorkerStatus::kOffline);  // not counted
  c.AddVm(1, 1, VmStatus::kRunning);       // 2 vCPU, 1024 MiB
  c.AddVm(2, 1, VmStatus::kStarting);      // 3 vCPU, 1536 MiB
  c.AddVm(3, 1, VmStatus::kStopped);       // not counted
  c.AddVm(4, 2, VmStatus::kRunning);       // 5 vCPU, 2560 MiB
  c.AddVm(5, 3, VmStatus::kRunning);       // 6 vCPU, 3072 MiB, offline node
  TypeParam tracker(c.tables, c.clock);

  ClusterResourceSummary summary;
  ASSERT_TRUE(tracker.ClusterSummary(&summary).ok());
  EXPECT_EQ(summary,
            (ClusterResourceSummary{2, 80, 10, 163840, 5120, 2500, 15, 3}));

  NodeSummary node;
  ASSERT_TRUE(tracker.NodeUsage(1, &node).ok());
  EXPECT_EQ(node, (NodeSummary{1, 32, 65536, 1000, 5, 2560, 10, 2}));
  EXPECT_EQ(tracker.NodeUsage(3, &node).message(), "Node 3 is not healthy");
  EXPECT_EQ(tracker.NodeUsage(9, &node).message(),
            "Node 9 not found in worker registry");

  VmTotals totals;
  ASSERT_TRUE(tracker.Totals(&totals).ok());
  EXPECT_EQ(totals, (VmTotals{5, 16, 8192}));

  // Free: node 1 27 vCPUs, 62976 MiB; node 2 43 vCPUs, 95744 MiB. Only the
  // offline node 3 has a GPU.
  uint64_t placed = 0;
  ASSERT_TRUE(tracker.PlaceVm({1, 1024, 10, {}}, &placed).ok());
  EXPECT_EQ(placed, 2U);
  ASSERT_TRUE(tracker.PlaceVm({43, 95744, 1495, {"virtio"}}, &placed).ok());
  EXPECT_EQ(placed, 2U);
  EXPECT_EQ(tracker.PlaceVm({44, 1024, 10, {}}, &placed).message(),
            "no healthy worker fits 44 vCPUs, 1024 MB, 10 GB");
  EXPECT_EQ(tracker.PlaceVm({1, 1024, 10, {"gpu"}}, &placed).message(),
            "no healthy worker fits 1 vCPUs, 1024 MB, 10 GB");

  // A write is seen by the next lookup, cache or no cache.
  c.AddVm(3, 2, VmStatus::kRunning);  // 4 vCPU, 2048 MiB
  ASSERT_TRUE(tracker.ClusterSummary(&summary).ok());
  EXPECT_EQ(summary.used_vcpus, 14U);
  EXPECT_EQ(summary.total_running_vms, 4U);
  ASSERT_TRUE(c.tables.SetWorkerStatus(2, WorkerStatus::kFailed).ok());
  ASSERT_TRUE(tracker.ClusterSummary(&summary).ok());
  EXPECT_EQ(summary.total_nodes, 1U);
  EXPECT_EQ(tracker.NodeUsage(2, &node).message(), "Node 2 is not healthy");
  ASSERT_TRUE(c.tables.RemoveWorker(1).ok());
  EXPECT_EQ(tracker.NodeUsage(1, &node).message(),
            "Node 1 not found in worker registry");
  ASSERT_TRUE(tracker.ClusterSummary(&summary).ok());
  EXPECT_EQ(summary, ClusterResourceSummary{});
}

// Each decode failure, and which one wins when several are present: the
// order in which the before's walk meets them.
TYPED_TEST(CachingEquivalenceTest, ErrorPaths) {
  const auto bytes = [](std::initializer_list<uint8_t> b) {
    return wire::Bytes(b);
  };
  wire::Bytes vm_bytes;
  storage::EncodeVm(storage::MakeVm(50, 1, VmStatus::kRunning), vm_bytes);
  wire::Bytes worker_bytes;
  storage::EncodeWorker(storage::MakeWorker(2), worker_bytes);

  Cluster c;
  c.AddWorker(1, WorkerStatus::kOffline);
  c.AddWorker(2);
  c.AddWorker(3);
  c.AddVm(1, 2, VmStatus::kRunning);
  TypeParam tracker(c.tables, c.clock);
  typename OtherSide<TypeParam>::type reference(c.tables, c.clock);
  const std::vector<uint64_t> node_ids = {0, 1, 2, 3, 4};
  const auto check = [&](std::string_view summary_error,
                         std::string_view totals_error) {
    Answers got = Ask(tracker, node_ids);
    EXPECT_EQ(got, Ask(reference, node_ids));
    EXPECT_EQ(got.summary_status.message(), summary_error);
    EXPECT_EQ(got.totals_status.message(), totals_error);
    return got;
  };
  check("", "");

  // A corrupt VM: truncated, a bad flag, a bad status, trailing bytes.
  wire::Bytes truncated(vm_bytes.begin(), vm_bytes.end() - 1);
  ASSERT_TRUE(c.tables.PutRaw(TableId::kVmState, "vm-bad", truncated).ok());
  Answers got = check("deserialize VM vm-bad: truncated record",
                      "deserialize VM vm-bad: truncated record");
  EXPECT_EQ(got.nodes[2].first.message(),
            "deserialize VM vm-bad: truncated record");
  EXPECT_EQ(got.nodes[1].first.message(), "Node 1 is not healthy");
  wire::Bytes trailing = vm_bytes;
  trailing.push_back(0);
  ASSERT_TRUE(c.tables.PutRaw(TableId::kVmState, "vm-bad", trailing).ok());
  check("deserialize VM vm-bad: trailing bytes",
        "deserialize VM vm-bad: trailing bytes");
  wire::Bytes bad_status = vm_bytes;
  bad_status[bad_status.size() - 25] = 9;  // status byte, before 3 x 8 bytes
  ASSERT_TRUE(c.tables.PutRaw(TableId::kVmState, "vm-bad", bad_status).ok());
  check("deserialize VM vm-bad: invalid VM status",
        "deserialize VM vm-bad: invalid VM status");
  wire::Bytes bad_flag = vm_bytes;
  bad_flag[bad_flag.size() - 26] = 2;  // preemptible flag
  ASSERT_TRUE(c.tables.PutRaw(TableId::kVmState, "vm-bad", bad_flag).ok());
  check("deserialize VM vm-bad: invalid flag byte",
        "deserialize VM vm-bad: invalid flag byte");

  // A worker that does not decode after the first healthy one: the VM error
  // is met first (the first healthy worker's usage scans the VMs).
  ASSERT_TRUE(
      c.tables.PutRaw(TableId::kWorker, storage::NodeKey(3), bytes({1, 2, 3}))
          .ok());
  got = check("deserialize VM vm-bad: invalid flag byte",
              "deserialize VM vm-bad: invalid flag byte");
  EXPECT_EQ(got.nodes[3].first.message(),
            "deserialize worker 3: truncated record");
  // With the VM fixed, the worker's error shows.
  ASSERT_TRUE(c.tables.RemoveVm("vm-bad").ok());
  got = check("deserialize worker 3: truncated record", "");
  EXPECT_TRUE(got.nodes[2].first.ok());
  // An undecodable first healthy worker comes before any VM error.
  ASSERT_TRUE(c.tables.PutRaw(TableId::kVmState, "vm-bad", truncated).ok());
  wire::Bytes worker_trailing = worker_bytes;
  worker_trailing.push_back(7);
  ASSERT_TRUE(
      c.tables.PutRaw(TableId::kWorker, storage::NodeKey(2), worker_trailing)
          .ok());
  check("deserialize worker 2: trailing bytes",
        "deserialize VM vm-bad: truncated record");
  // An offline worker is never decoded.
  ASSERT_TRUE(c.tables.SetWorkerStatus(2, WorkerStatus::kOffline).ok());
  ASSERT_TRUE(c.tables.SetWorkerStatus(3, WorkerStatus::kOffline).ok());
  got = check("", "deserialize VM vm-bad: truncated record");
  EXPECT_EQ(got.summary, ClusterResourceSummary{});
  // An empty status record is not online.
  ASSERT_TRUE(
      c.tables
          .PutRaw(TableId::kWorkerStatus, storage::NodeKey(1), wire::Bytes{})
          .ok());
  check("", "deserialize VM vm-bad: truncated record");

  // A worker key shorter than 8 bytes ends the walk where it sorts.
  ASSERT_TRUE(
      c.tables.PutRaw(TableId::kWorker, std::string(3, '\xff'), worker_bytes)
          .ok());
  check("parse node ID: invalid node ID",
        "deserialize VM vm-bad: truncated record");
  ASSERT_TRUE(c.tables.SetWorkerStatus(1, WorkerStatus::kOnline).ok());
  ASSERT_TRUE(c.tables.RemoveVm("vm-bad").ok());
  got = check("parse node ID: invalid node ID", "");
  EXPECT_TRUE(got.nodes[1].first.ok());
  // A 9-byte key counts as node 1 in the summary, but NodeUsage(1) reads
  // the exact 8-byte key.
  ASSERT_TRUE(
      c.tables.RemoveRaw(TableId::kWorker, std::string(3, '\xff')).ok());
  const std::string long_key = storage::NodeKey(1) + "x";
  ASSERT_TRUE(c.tables.PutRaw(TableId::kWorker, long_key, worker_bytes).ok());
  ASSERT_TRUE(
      c.tables.PutRaw(TableId::kWorkerStatus, long_key, bytes({0})).ok());
  got = check("", "");
  EXPECT_EQ(got.summary.total_nodes, 2U);
}

TYPED_TEST(CachingEquivalenceTest, SeededRandomOperations) {
  constexpr uint64_t kSeed = 0xcac4e;
  constexpr int kOps = 20000;
  constexpr uint64_t kMaxNode = 14;
  constexpr uint64_t kVms = 100;
  std::mt19937_64 rng(kSeed);
  Cluster c;
  TypeParam tracker(c.tables, c.clock);
  typename OtherSide<TypeParam>::type reference(c.tables, c.clock);
  // A few requests, so placements repeat between writes.
  const std::vector<PlacementRequest> requests = RequestPool(rng, 6);
  int lookups = 0;
  int errors = 0;
  for (int i = 0; i < kOps; ++i) {
    const uint64_t node = 1 + rng() % (kMaxNode - 2);
    switch (rng() % 16) {
      case 0:
        c.AddWorker(node);
        break;
      case 1:
        ASSERT_TRUE(
            c.tables.SetWorkerStatus(node, static_cast<WorkerStatus>(rng() % 3))
                .ok());
        break;
      case 2:
        if (rng() % 4 == 0) {
          ASSERT_TRUE(c.tables.RemoveWorker(node).ok());
        }
        break;
      case 3:
      case 4:
      case 8:
      case 9:
      case 10:
        c.AddVm(rng() % kVms, node,
                static_cast<VmStatus>(rng() % storage::kVmStatusCount));
        break;
      case 5:
        ASSERT_TRUE(c.tables.RemoveVm(fmt::format("vm-{}", rng() % kVms)).ok());
        break;
      case 6: {
        // Now and then a corrupt record under one of a few keys; more often
        // one of those keys removed again.
        const bool vm = rng() % 2 == 0;
        const std::string key = vm ? fmt::format("vm-{}", 1000 + rng() % 3)
                                   : storage::NodeKey(node);
        const TableId table = vm ? TableId::kVmState : TableId::kWorker;
        if (rng() % 16 == 0) {
          wire::Bytes junk(rng() % 40);
          for (auto& b : junk) b = static_cast<uint8_t>(rng());
          ASSERT_TRUE(c.tables.PutRaw(table, key, junk).ok());
        } else {
          ASSERT_TRUE(c.tables.RemoveRaw(table, key).ok());
        }
        break;
      }
      case 7:
        c.clock.Advance(seconds(rng() % 45));
        break;
      default: {
        ++lookups;
        const std::array<uint64_t, 3> node_ids = {rng() % (kMaxNode + 1),
                                                  rng() % (kMaxNode + 1),
                                                  rng() % (kMaxNode + 1)};
        const PlacementRequest& request = requests[rng() % requests.size()];
        const Answers got = Ask(tracker, node_ids, request);
        const Answers want = Ask(reference, node_ids, request);
        errors += got.summary_status.ok() ? 0 : 1;
        ASSERT_EQ(got, want) << "seed " << kSeed << ", op " << i;
      }
    }
  }
  EXPECT_GT(lookups, kOps / 5);
  EXPECT_GT(errors, 0) << "seed " << kSeed;
  EXPECT_LT(errors, lookups / 2) << "seed " << kSeed;
  if constexpr (std::is_same_v<TypeParam, after::ResourceTracker>) {
    // The sequence took both caches down every path.
    ExpectEveryPath(tracker.stats());
    ExpectEveryPath(tracker.placement_stats());
  }
}

// What both trackers answer, worked out from the documented rules over plain
// records that the test's own writes keep (no decoding, no table walk, no
// code of either side): per node, what its running and starting VMs hold;
// placement, the online worker with the request's vCPUs, memory and disk
// free and all its features, most free memory first, ties to the lowest id.
struct Model {
  std::map<uint64_t, storage::WorkerRecord> workers;
  std::map<uint64_t, WorkerStatus> status;
  std::map<std::string, storage::VmState> vms;

  bool Online(uint64_t id) const {
    const auto it = status.find(id);
    return it != status.end() && it->second == WorkerStatus::kOnline;
  }
  NodeSummary Usage(uint64_t id) const {
    const storage::WorkerCapabilities& caps = workers.at(id).capabilities;
    NodeSummary s{id, caps.cpu_cores, caps.memory_mb, caps.disk_gb};
    for (const auto& [name, vm] : vms) {
      if (vm.node_id != id || (vm.status != VmStatus::kRunning &&
                               vm.status != VmStatus::kStarting)) {
        continue;
      }
      s.used_vcpus += vm.vcpus;
      s.used_memory_mb += vm.memory_mb;
      s.used_disk_gb += 5;
      ++s.running_vms;
    }
    return s;
  }
  ClusterResourceSummary Summary() const {
    ClusterResourceSummary sum;
    for (const auto& [id, worker] : workers) {
      if (!Online(id)) continue;
      const NodeSummary s = Usage(id);
      ++sum.total_nodes;
      sum.total_vcpus += s.cpu_cores;
      sum.used_vcpus += s.used_vcpus;
      sum.total_memory_mb += s.memory_mb;
      sum.used_memory_mb += s.used_memory_mb;
      sum.total_disk_gb += s.disk_gb;
      sum.used_disk_gb += s.used_disk_gb;
      sum.total_running_vms += s.running_vms;
    }
    return sum;
  }
  std::optional<uint64_t> Place(const PlacementRequest& request) const {
    const auto free = [](uint64_t total, uint64_t used) {
      return used >= total ? 0 : total - used;
    };
    std::optional<uint64_t> best;
    uint64_t best_memory = 0;
    for (const auto& [id, worker] : workers) {  // ascending id
      if (!Online(id)) continue;
      const NodeSummary s = Usage(id);
      const std::vector<std::string>& has = worker.capabilities.features;
      const uint64_t memory = free(s.memory_mb, s.used_memory_mb);
      if (free(s.cpu_cores, s.used_vcpus) < request.vcpus ||
          memory < request.memory_mb ||
          free(s.disk_gb, s.used_disk_gb) < request.disk_gb) {
        continue;
      }
      if (!std::all_of(request.features.begin(), request.features.end(),
                       [&](const std::string& f) {
                         return std::find(has.begin(), has.end(), f) !=
                                has.end();
                       })) {
        continue;
      }
      if (!best || memory > best_memory) {
        best = id;
        best_memory = memory;
      }
    }
    return best;
  }
};

// Placements over >= 10^4 requests with writes (workers added, failed,
// removed; VMs placed, moved, stopped, deleted) and clock moves past both
// TTLs interleaved; requests come from a small pool, so the after's cache
// hits between writes. Each answer is the model's; so are the summary, node
// usage and totals.
TYPED_TEST(CachingEquivalenceTest, PlacementMatchesModel) {
  constexpr uint64_t kSeed = 0x91ace;
  constexpr int kSteps = 14000;
  constexpr uint64_t kNodes = 8;
  constexpr uint64_t kVms = 60;
  std::mt19937_64 rng(kSeed);
  Cluster c;
  Model model;
  TypeParam tracker(c.tables, c.clock);
  std::vector<PlacementRequest> pool = RequestPool(rng, 12);
  pool.push_back({1, 512, 10, {"sriov"}});  // no worker has it
  int requests = 0;
  int placed = 0;
  int unplaced = 0;
  for (int step = 0; step < kSteps; ++step) {
    const uint64_t node = 1 + rng() % kNodes;
    switch (rng() % 10) {
      case 0: {
        c.AddWorker(node);
        model.workers[node] = storage::MakeWorker(node);
        model.status[node] = WorkerStatus::kOnline;
        break;
      }
      case 1: {
        const auto status = static_cast<WorkerStatus>(rng() % 3);
        ASSERT_TRUE(c.tables.SetWorkerStatus(node, status).ok());
        model.status[node] = status;
        break;
      }
      case 2:
        if (rng() % 4 == 0) {
          ASSERT_TRUE(c.tables.RemoveWorker(node).ok());
          model.workers.erase(node);
          model.status.erase(node);
        }
        break;
      case 3:
      case 4: {
        const storage::VmState vm = storage::MakeVm(
            rng() % kVms, node,
            static_cast<VmStatus>(rng() % storage::kVmStatusCount));
        ASSERT_TRUE(c.tables.PutVm(vm).ok());
        model.vms[vm.name] = vm;
        break;
      }
      case 5: {
        const std::string name = fmt::format("vm-{}", rng() % kVms);
        ASSERT_TRUE(c.tables.RemoveVm(name).ok());
        model.vms.erase(name);
        break;
      }
      case 6:
        c.clock.Advance(seconds(rng() % 16));
        break;
      default: {
        for (int i = 0; i < 3; ++i) {
          ++requests;
          const PlacementRequest& request = pool[rng() % pool.size()];
          uint64_t got = 0;
          const Status status = tracker.PlaceVm(request, &got);
          const std::optional<uint64_t> want = model.Place(request);
          ASSERT_EQ(status.ok(), want.has_value())
              << "step " << step << ": " << status.message();
          if (want) {
            ++placed;
            ASSERT_EQ(got, *want) << "step " << step;
          } else {
            ++unplaced;
            EXPECT_EQ(
                status.message(),
                fmt::format("no healthy worker fits {} vCPUs, {} MB, "
                            "{} GB",
                            request.vcpus, request.memory_mb, request.disk_gb));
          }
        }
        ClusterResourceSummary summary;
        ASSERT_TRUE(tracker.ClusterSummary(&summary).ok());
        ASSERT_EQ(summary, model.Summary()) << "step " << step;
        NodeSummary usage;
        if (model.workers.contains(node) && model.Online(node)) {
          ASSERT_TRUE(tracker.NodeUsage(node, &usage).ok());
          ASSERT_EQ(usage, model.Usage(node)) << "step " << step;
        }
        VmTotals totals;
        ASSERT_TRUE(tracker.Totals(&totals).ok());
        ASSERT_EQ(totals.vms, model.vms.size());
      }
    }
  }
  EXPECT_GE(requests, 10000);
  EXPECT_GT(placed, requests / 4) << "seed " << kSeed;
  EXPECT_GT(unplaced, requests / 20) << "seed " << kSeed;
  if constexpr (std::is_same_v<TypeParam, after::ResourceTracker>) {
    ExpectEveryPath(tracker.placement_stats());
  }
}

// The same request twice around a write: the answer follows the write when
// it should, and stays when it need not change.
TYPED_TEST(CachingEquivalenceTest, PlacementFollowsWrites) {
  Cluster c;
  c.AddWorker(1);  // 32 cores, 65536 MiB
  c.AddWorker(2);  // 48 cores, 98304 MiB
  TypeParam tracker(c.tables, c.clock);
  const PlacementRequest request{2, 1024, 10, {}};
  uint64_t placed = 0;
  ASSERT_TRUE(tracker.PlaceVm(request, &placed).ok());
  EXPECT_EQ(placed, 2U);
  ASSERT_TRUE(tracker.PlaceVm(request, &placed).ok());
  EXPECT_EQ(placed, 2U);
  // A stopped VM holds nothing: still node 2.
  c.AddVm(15, 2, VmStatus::kStopped);
  ASSERT_TRUE(tracker.PlaceVm(request, &placed).ok());
  EXPECT_EQ(placed, 2U);
  // Five running 8 GiB VMs leave node 2 57344 MiB free, less than node 1.
  for (const unsigned n : {15U, 31U, 47U, 63U, 79U}) {
    c.AddVm(n, 2, VmStatus::kRunning);
  }
  ASSERT_TRUE(tracker.PlaceVm(request, &placed).ok());
  EXPECT_EQ(placed, 1U);
  // Node 1 fails: back to node 2; then no healthy worker at all.
  ASSERT_TRUE(c.tables.SetWorkerStatus(1, WorkerStatus::kFailed).ok());
  ASSERT_TRUE(tracker.PlaceVm(request, &placed).ok());
  EXPECT_EQ(placed, 2U);
  ASSERT_TRUE(c.tables.RemoveWorker(2).ok());
  EXPECT_FALSE(tracker.PlaceVm(request, &placed).ok());
  c.AddWorker(1);
  ASSERT_TRUE(tracker.PlaceVm(request, &placed).ok());
  EXPECT_EQ(placed, 1U);
}

TEST(CachingAfterTest, PlacementHitsExpiresAndEvicts) {
  Cluster c;
  for (uint64_t id = 1; id <= 3; ++id) c.AddWorker(id);
  after::ResourceTracker tracker(c.tables, c.clock);
  const auto request = [](uint64_t n) {
    return PlacementRequest{1, 512 + n, 10, {"kvm"}};
  };
  uint64_t placed = 0;
  ASSERT_TRUE(tracker.PlaceVm(request(0), &placed).ok());
  EXPECT_EQ(tracker.placement_stats(), (storage::CacheStats{0, 1, 0, 0}));
  ASSERT_TRUE(tracker.PlaceVm(request(0), &placed).ok());
  EXPECT_EQ(tracker.placement_stats(), (storage::CacheStats{1, 1, 0, 0}));

  // Fresh one tick before 10 s; expired at 10 s.
  c.clock.Advance(after::kPlacementTtl - std::chrono::nanoseconds(1));
  ASSERT_TRUE(tracker.PlaceVm(request(0), &placed).ok());
  EXPECT_EQ(tracker.placement_stats(), (storage::CacheStats{2, 1, 0, 0}));
  c.clock.Advance(std::chrono::nanoseconds(1));
  ASSERT_TRUE(tracker.PlaceVm(request(0), &placed).ok());
  EXPECT_EQ(tracker.placement_stats(), (storage::CacheStats{2, 2, 1, 0}));

  // Any write invalidates.
  c.AddVm(1, 3, VmStatus::kStopped);
  ASSERT_TRUE(tracker.PlaceVm(request(0), &placed).ok());
  EXPECT_EQ(tracker.placement_stats(), (storage::CacheStats{2, 3, 1, 1}));

  // The cache keeps the most recently used entries: with request 0 used
  // again after requests 1..63 filled the rest, request 64 evicts 1.
  for (uint64_t n = 1; n < after::kPlacementEntries; ++n) {
    ASSERT_TRUE(tracker.PlaceVm(request(n), &placed).ok());
  }
  ASSERT_TRUE(tracker.PlaceVm(request(0), &placed).ok());
  ASSERT_TRUE(tracker.PlaceVm(request(after::kPlacementEntries), &placed).ok());
  const storage::CacheStats before_reuse = tracker.placement_stats();
  ASSERT_TRUE(tracker.PlaceVm(request(0), &placed).ok());
  ASSERT_TRUE(tracker.PlaceVm(request(2), &placed).ok());
  ASSERT_TRUE(tracker.PlaceVm(request(1), &placed).ok());
  EXPECT_EQ(tracker.placement_stats().hits, before_reuse.hits + 2);
  EXPECT_EQ(tracker.placement_stats().misses, before_reuse.misses + 1);
}

TEST(CachingAfterTest, HitsExpiresAndInvalidates) {
  Cluster c;
  for (uint64_t id = 1; id <= 3; ++id) c.AddWorker(id);
  for (uint64_t n = 0; n < 1000; ++n) c.AddVm(n, 1 + n % 3, VmStatus::kRunning);
  after::ResourceTracker tracker(c.tables, c.clock);
  ClusterResourceSummary summary;
  NodeSummary node;
  VmTotals totals;

  ASSERT_TRUE(tracker.ClusterSummary(&summary).ok());
  EXPECT_EQ(tracker.stats(), (storage::CacheStats{0, 1, 0, 0}));
  for (int i = 0; i < 99; ++i) ASSERT_TRUE(tracker.NodeUsage(2, &node).ok());
  ASSERT_TRUE(tracker.Totals(&totals).ok());
  EXPECT_EQ(tracker.stats(), (storage::CacheStats{100, 1, 0, 0}));

  // Still fresh one tick before 30 s; expired at 30 s.
  c.clock.Advance(after::kSummaryTtl - std::chrono::nanoseconds(1));
  ASSERT_TRUE(tracker.ClusterSummary(&summary).ok());
  EXPECT_EQ(tracker.stats(), (storage::CacheStats{101, 1, 0, 0}));
  c.clock.Advance(std::chrono::nanoseconds(1));
  ASSERT_TRUE(tracker.ClusterSummary(&summary).ok());
  EXPECT_EQ(tracker.stats(), (storage::CacheStats{101, 2, 1, 0}));

  // Any write invalidates; the TTL restarts from the refill.
  c.AddVm(5000, 3, VmStatus::kStopped);
  ASSERT_TRUE(tracker.NodeUsage(3, &node).ok());
  EXPECT_EQ(tracker.stats(), (storage::CacheStats{101, 3, 1, 1}));
  c.clock.Advance(seconds(29));
  ASSERT_TRUE(tracker.NodeUsage(3, &node).ok());
  EXPECT_EQ(tracker.stats(), (storage::CacheStats{102, 3, 1, 1}));

  // A failed restore (rolled back) changes nothing and invalidates nothing.
  storage::WriteTransaction txn(c.store);
  ASSERT_TRUE(txn.Begin().ok());
  ASSERT_TRUE(txn.Remove(TableId::kVmState, "vm-1").ok());
  txn.Rollback();
  ASSERT_TRUE(tracker.Totals(&totals).ok());
  EXPECT_EQ(totals.vms, 1001U);
  EXPECT_EQ(tracker.stats(), (storage::CacheStats{103, 3, 1, 1}));
}

TEST(CachingBeforeTest, EveryLookupIsAMiss) {
  Cluster c;
  c.AddWorker(1);
  before::ResourceTracker tracker(c.tables, c.clock);
  ClusterResourceSummary summary;
  NodeSummary node;
  VmTotals totals;
  ASSERT_TRUE(tracker.ClusterSummary(&summary).ok());
  ASSERT_TRUE(tracker.NodeUsage(1, &node).ok());
  ASSERT_TRUE(tracker.Totals(&totals).ok());
  EXPECT_EQ(tracker.stats(), (storage::CacheStats{0, 3, 0, 0}));
  uint64_t placed = 0;
  ASSERT_TRUE(tracker.PlaceVm({1, 512, 10, {}}, &placed).ok());
  ASSERT_TRUE(tracker.PlaceVm({1, 512, 10, {}}, &placed).ok());
  EXPECT_EQ(tracker.placement_stats(), (storage::CacheStats{0, 2, 0, 0}));
}

}  // namespace
}  // namespace hotpath::caching
