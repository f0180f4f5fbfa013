// caching/<Operation>/<variant>/nodes:N: the cluster resource summary over
// N workers and 1000 VMs. ResourceSummary is the realistic mix: 100 lookups
// per iteration with one VM update among them, so exactly one lookup in 100
// misses; ResourceSummaryMiss updates a VM before every lookup, so every
// lookup misses. Items are lookups; the updates are the same on both sides.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

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
};
struct After {
  static constexpr std::string_view kName = "after";
  using Tracker = after::ResourceTracker;
};

constexpr uint64_t kVms = 1000;

struct Cluster {
  storage::Store store;
  storage::ClusterTables tables{store};
  // The real clock, as in production: the sequence refills the cache every
  // pass, so no entry ever gets near its 30 s TTL.
  storage::SystemClock clock;
  storage::VmState updated;  // the VM the sequence keeps updating

  explicit Cluster(uint64_t nodes) {
    if (nodes == 0) std::abort();  // VMs are spread over the nodes: n % nodes
    bool ok = true;
    for (uint64_t id = 1; id <= nodes; ++id) {
      ok = ok && tables.PutWorker(id, storage::MakeWorker(id)).ok();
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
}

const bool kRegistered = [] {
  RegisterVariant<Before>();
  RegisterVariant<After>();
  return true;
}();

}  // namespace
}  // namespace hotpath::caching
