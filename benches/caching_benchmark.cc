// caching/<Operation>/<variant>/nodes:N: the cluster resource summary and
// the placement decision over N workers and 1000 VMs. ResourceSummary is the
// realistic mix: 100 lookups per iteration with one VM update among them, so
// exactly one lookup in 100 misses; ResourceSummaryMiss updates a VM before
// every lookup, so every lookup misses. PlacementDecision is 100 placements
// per iteration, 99 of them one of four recent requests and one a request
// not seen before, so one in 100 misses (HOTPATHS.md: about 1%);
// PlacementDecisionMiss updates a VM before every placement, so every one
// misses and refills the summaries. Items are lookups; the updates are the
// same on both sides.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "benches/harness/bench_support.h"
#include "common/storage/clock.h"
#include "common/storage/cluster_tables.h"
#include "common/storage/resource_records.h"
#include "common/storage/sample_data.h"
#include "common/storage/store.h"
#include "impl_after/caching/resource_tracker.h"
#include "impl_before/caching/resource_tracker.h"

namespace hotpath::caching {
namespace {

struct Before {
  static constexpr std::string_view kName = "before";
  using Tracker = before::ResourceTracker;
  static constexpr int kPlacementWarmupPasses = 2;
};
struct After {
  static constexpr std::string_view kName = "after";
  using Tracker = after::ResourceTracker;
  // Every placement entry filled once (each new one allocates its copy of a
  // request's feature list), then reused.
  static constexpr int kPlacementWarmupPasses = after::kPlacementEntries + 2;
};

constexpr uint64_t kVms = 1000;

struct Cluster {
  storage::Store store;
  storage::ClusterTables tables{store};
  // The real clock, as in production: the sequence refills the cache every
  // pass, so no entry ever gets near its 30 s TTL.
  storage::SystemClock clock;
  storage::VmState updated;  // the VM the sequence keeps updating

  // Workers `scale` times MakeWorker's size: placement needs room, which
  // 1000 VMs on a few of MakeWorker's nodes leave none of.
  explicit Cluster(uint64_t nodes, uint64_t scale = 1) {
    if (nodes == 0) std::abort();  // VMs are spread over the nodes: n % nodes
    bool ok = true;
    for (uint64_t id = 1; id <= nodes; ++id) {
      storage::WorkerRecord worker = storage::MakeWorker(id);
      worker.capabilities.cpu_cores *= static_cast<uint32_t>(scale);
      worker.capabilities.memory_mb *= scale;
      worker.capabilities.disk_gb *= scale;
      ok = ok && tables.PutWorker(id, worker).ok();
      ok =
          ok && tables.SetWorkerStatus(id, storage::WorkerStatus::kOnline).ok();
    }
    for (uint64_t n = 0; n < kVms; ++n) {
      const auto status = n % 10 < 7 ? storage::VmStatus::kRunning
                                     : storage::VmStatus::kStopped;
      ok = ok && tables.PutVm(storage::MakeVm(n, 1 + n % nodes, status)).ok();
    }
    updated = storage::MakeVm(7, 1, storage::VmStatus::kRunning);
    if (!ok) std::abort();
  }

  // A status heartbeat rewrites the VM's record: same size, new timestamp.
  bool UpdateVm() {
    ++updated.updated_at;
    return tables.PutVm(updated).ok();
  }
};

// `lookups` summaries per pass, with a VM update before every
// `lookups_per_update`th one.
template <typename Variant>
void RunSummaries(benchmark::State& state, int lookups,
                  int lookups_per_update) {
  const auto nodes = static_cast<uint64_t>(state.range(0));
  Cluster cluster(nodes);
  typename Variant::Tracker tracker(cluster.tables, cluster.clock);
  storage::ClusterResourceSummary summary;
  bool ok = true;
  const auto pass = [&] {
    for (int i = 0; i < lookups; ++i) {
      if (i % lookups_per_update == lookups_per_update / 2) {
        ok = cluster.UpdateVm() && ok;
      }
      ok = tracker.ClusterSummary(&summary).ok() && ok;
      benchmark::DoNotOptimize(summary);
    }
  };
  // Twice: the store's free lists and the tracker's vectors reach size.
  pass();
  pass();
  harness::AllocationScope allocations(state, static_cast<double>(lookups));
  for (auto _ : state) pass();
  allocations.Report();

  before::ResourceTracker reference(cluster.tables, cluster.clock);
  storage::ClusterResourceSummary want;
  if (!ok || !reference.ClusterSummary(&want).ok() || !(summary == want) ||
      summary.total_nodes != nodes) {
    state.SkipWithError("summary differs from the before's");
  }
}

template <typename Variant>
void BM_ResourceSummary(benchmark::State& state) {
  RunSummaries<Variant>(state, 100, 100);
}

template <typename Variant>
void BM_ResourceSummaryMiss(benchmark::State& state) {
  RunSummaries<Variant>(state, 10, 1);
}

// Four requests a scheduler sees again and again, features included.
const std::array<storage::PlacementRequest, 4> kRecentRequests = {{
    {2, 2048, 20, {}},
    {4, 8192, 40, {"kvm"}},
    {8, 16384, 80, {"gpu"}},
    {1, 512, 10, {"kvm", "virtio"}},
}};

// `placements` per pass: with `update_each`, a VM update before each and the
// recent requests in turn; without, the recent requests in turn except the
// middle one, a request the cache has not seen (memory differs from pass to
// pass, over 4096 values, far more than the cache keeps).
template <typename Variant>
void RunPlacements(benchmark::State& state, int placements, bool update_each) {
  const auto nodes = static_cast<uint64_t>(state.range(0));
  // Room for all 1000 VMs about four times over, whatever the node count.
  Cluster cluster(nodes, 1 + kVms / (4 * nodes));
  typename Variant::Tracker tracker(cluster.tables, cluster.clock);
  storage::PlacementRequest fresh{2, 0, 20, {"virtio"}};
  uint64_t passes = 0;
  uint64_t node_id = 0;
  bool ok = true;
  const auto pass = [&] {
    fresh.memory_mb = 1024 + passes++ % 4096;
    for (int i = 0; i < placements; ++i) {
      if (update_each) ok = cluster.UpdateVm() && ok;
      const storage::PlacementRequest& request =
          !update_each && i == placements / 2
              ? fresh
              : kRecentRequests[static_cast<size_t>(i) %
                                kRecentRequests.size()];
      ok = tracker.PlaceVm(request, &node_id).ok() && ok;
      benchmark::DoNotOptimize(node_id);
    }
  };
  // The store's free lists and the tracker's caches reach size.
  for (int i = 0; i < Variant::kPlacementWarmupPasses; ++i) pass();
  harness::AllocationScope allocations(state, static_cast<double>(placements));
  for (auto _ : state) pass();
  allocations.Report();

  before::ResourceTracker reference(cluster.tables, cluster.clock);
  for (const storage::PlacementRequest& request : kRecentRequests) {
    uint64_t got = 0;
    uint64_t want = 0;
    ok = ok && tracker.PlaceVm(request, &got).ok() &&
         reference.PlaceVm(request, &want).ok() && got == want;
  }
  if (!ok) state.SkipWithError("placement differs from the before's");
}

template <typename Variant>
void BM_PlacementDecision(benchmark::State& state) {
  RunPlacements<Variant>(state, 100, false);
}

template <typename Variant>
void BM_PlacementDecisionMiss(benchmark::State& state) {
  RunPlacements<Variant>(state, 10, true);
}

template <typename Variant>
void RegisterVariant() {
  const auto name = [](std::string_view operation) {
    return fmt::format("caching/{}/{}", operation, Variant::kName);
  };
  benchmark::RegisterBenchmark(name("ResourceSummary").c_str(),
                               BM_ResourceSummary<Variant>)
      ->ArgName("nodes")
      ->Arg(3)
      ->Arg(5)
      // 50 nodes only in the miss case: one hit-mix pass of the before
      // decodes 5M records (1.6 s here), too slow to repeat 9 times.
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark(name("ResourceSummaryMiss").c_str(),
                               BM_ResourceSummaryMiss<Variant>)
      ->ArgName("nodes")
      ->Arg(3)
      ->Arg(50)
      ->Unit(benchmark::kMicrosecond);
  // The same node counts, for the same reason.
  benchmark::RegisterBenchmark(name("PlacementDecision").c_str(),
                               BM_PlacementDecision<Variant>)
      ->ArgName("nodes")
      ->Arg(3)
      ->Arg(5)
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark(name("PlacementDecisionMiss").c_str(),
                               BM_PlacementDecisionMiss<Variant>)
      ->ArgName("nodes")
      ->Arg(3)
      ->Arg(50)
      ->Unit(benchmark::kMicrosecond);
}

const bool kRegistered = [] {
  RegisterVariant<Before>();
  RegisterVariant<After>();
  return true;
}();

}  // namespace
}  // namespace hotpath::caching
