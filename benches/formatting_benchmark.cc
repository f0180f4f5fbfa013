// formatting/<Operation>/<variant>: snapshot restore (per entry restored),
// span names and attribute text (per span), simulator names (per name), on
// the before and after variants. One iteration replays a fixed sequence, so
// allocations per op are exact.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "benches/harness/bench_support.h"
#include "common/storage/sample_data.h"
#include "common/storage/store.h"
#include "impl_after/formatting/simulator_names.h"
#include "impl_after/formatting/snapshot_restore.h"
#include "impl_after/formatting/trace_attributes.h"
#include "impl_before/formatting/simulator_names.h"
#include "impl_before/formatting/snapshot_restore.h"
#include "impl_before/formatting/trace_attributes.h"

namespace hotpath::formatting {
namespace {

struct Before {
  static constexpr std::string_view kName = "before";
  using SnapshotManager = before::SnapshotManager;
  using TraceFormatter = before::TraceFormatter;
  using SimulatorNames = before::SimulatorNames;
};
struct After {
  static constexpr std::string_view kName = "after";
  using SnapshotManager = after::SnapshotManager;
  using TraceFormatter = after::TraceFormatter;
  using SimulatorNames = after::SimulatorNames;
};

using TraceAttribute = before::TraceAttribute;

// Restores a snapshot of `vms` VM states (and the other nine tables sized
// from it) over the same contents, again and again: the steady state of a
// follower catching up. Items are entries restored.
template <typename Variant>
void BM_SnapshotRestore(benchmark::State& state) {
  const auto vms = static_cast<size_t>(state.range(0));
  const storage::SnapshotData snapshot =
      storage::MakeSnapshot(storage::SizesForVms(vms), 1);
  storage::Store store;
  typename Variant::SnapshotManager manager(store);
  // The first restore fills the tables, the second fills the store's free
  // lists; from then on a restore is in its steady state.
  for (int i = 0; i < 3; ++i) {
    if (manager.ApplySnapshotToStateMachine(snapshot)) {
      state.SkipWithError("warm-up restore failed");
      return;
    }
  }
  std::optional<storage::StorageError> error;
  harness::AllocationScope allocations(
      state, static_cast<double>(snapshot.EntryCount()));
  for (auto _ : state) {
    error = manager.ApplySnapshotToStateMachine(snapshot);
    benchmark::DoNotOptimize(error);
  }
  allocations.Report();
  if (error) state.SkipWithError(error->ToString().c_str());
  for (size_t i = 0; i < storage::kTableCount; ++i) {
    if (store.table(storage::TableAt(i)).size() != snapshot.tables[i].size()) {
      state.SkipWithError("restored tables differ from the snapshot");
    }
  }
}

constexpr std::array<std::string_view, 8> kRaftOperations = {
    "propose",       "tick",           "process_ready", "apply_committed",
    "send_messages", "append_entries", "campaign",      "conf_change"};

// Span names for one pass over the Raft loop's operations. Items are names.
template <typename Variant>
void BM_SpanName(benchmark::State& state) {
  typename Variant::TraceFormatter formatter;
  size_t bytes = 0;
  for (const auto op : kRaftOperations)
    bytes += formatter.RaftSpanName(op).size();
  harness::AllocationScope allocations(
      state, static_cast<double>(kRaftOperations.size()));
  for (auto _ : state) {
    for (const auto op : kRaftOperations) {
      const std::string_view name = formatter.RaftSpanName(op);
      benchmark::DoNotOptimize(name.data());
      benchmark::DoNotOptimize(name.size());
    }
  }
  allocations.Report();
  if (formatter.RaftSpanName("tick") != "raft.tick" || bytes == 0) {
    state.SkipWithError("wrong span name");
  }
}

// Attribute lists a Raft loop records: 3 to 6 pairs of strings, ids,
// indexes, ratios and flags. One op is one list.
std::vector<std::vector<TraceAttribute>> SpanAttributes() {
  std::vector<std::vector<TraceAttribute>> spans;
  for (uint64_t i = 0; i < 16; ++i) {
    std::vector<TraceAttribute> span = {
        {"raft.operation", kRaftOperations[i % kRaftOperations.size()]},
        {"node.id", uint64_t{1 + i % 5}},
        {"raft.term", static_cast<int64_t>(40 + i / 4)}};
    if (i % 2 == 0) span.emplace_back("raft.commit_index", 100000 + i * 37);
    if (i % 3 == 0)
      span.emplace_back("batch.fill", 0.125 * static_cast<double>(i % 8));
    if (i % 4 == 0) span.emplace_back("raft.is_leader", i % 8 == 0);
    spans.push_back(std::move(span));
  }
  return spans;
}

template <typename Variant>
void BM_TraceAttributes(benchmark::State& state) {
  static const auto spans = SpanAttributes();
  typename Variant::TraceFormatter formatter;
  for (const auto& span : spans) formatter.Attributes(span);
  harness::AllocationScope allocations(state,
                                       static_cast<double>(spans.size()));
  for (auto _ : state) {
    for (const auto& span : spans) {
      const std::string_view text = formatter.Attributes(span);
      benchmark::DoNotOptimize(text.data());
      benchmark::DoNotOptimize(text.size());
    }
  }
  allocations.Report();
  before::TraceFormatter reference;
  for (const auto& span : spans) {
    if (formatter.Attributes(span) != reference.Attributes(span)) {
      state.SkipWithError("attribute text differs from the before's");
    }
  }
}

// A simulated run names 1000 VMs and their 1000 tasks. Items are names.
template <typename Variant>
void BM_SimulatorNames(benchmark::State& state) {
  constexpr uint64_t kVms = 1000;
  typename Variant::SimulatorNames names;
  harness::AllocationScope allocations(state, 2.0 * kVms);
  for (auto _ : state) {
    for (uint64_t n = 0; n < kVms; ++n) {
      const std::string_view vm = names.VmName(n);
      benchmark::DoNotOptimize(vm.data());
      benchmark::DoNotOptimize(vm.size());
      const std::string_view task = names.TaskName(n);
      benchmark::DoNotOptimize(task.data());
      benchmark::DoNotOptimize(task.size());
    }
  }
  allocations.Report();
  if (names.VmName(kVms - 1) != "vm-999" || names.TaskName(12) != "task-12") {
    state.SkipWithError("wrong simulator name");
  }
}

template <typename Variant>
void RegisterVariant() {
  const auto name = [](std::string_view operation) {
    return fmt::format("formatting/{}/{}", operation, Variant::kName);
  };
  benchmark::RegisterBenchmark(name("SnapshotRestore").c_str(),
                               BM_SnapshotRestore<Variant>)
      ->ArgName("vms")
      ->Arg(1000)
      ->Arg(10000)
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark(name("SpanName").c_str(), BM_SpanName<Variant>);
  benchmark::RegisterBenchmark(name("TraceAttributes").c_str(),
                               BM_TraceAttributes<Variant>);
  benchmark::RegisterBenchmark(name("SimulatorNames").c_str(),
                               BM_SimulatorNames<Variant>);
}

const bool kRegistered = [] {
  RegisterVariant<Before>();
  RegisterVariant<After>();
  return true;
}();

}  // namespace
}  // namespace hotpath::formatting
