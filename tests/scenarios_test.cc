// The end-to-end scenarios' contract (benches/scenarios/): for the same seed,
// the before and after pipelines end in the same state: the same VM table,
// the same committed log entries byte for byte, the same metric snapshot,
// the same number of completed proposals and the same answer (status, log
// index, error) for every proposal and VM operation, with the same latency
// on a virtual clock. Both sides are also checked against what the workload
// implies (a model of the VM table, the batch layout, the metric totals), each
// side on its own so a failure names the side, and the VM table's rules on
// their own. The threaded pipeline is run on both sides too, where only
// order-free results can be compared.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <variant>
#include <vector>

#include "benches/scenarios/proposal_pipeline.h"
#include "benches/scenarios/sides.h"
#include "benches/scenarios/vm_operations.h"
#include "common/proposal/command.h"
#include "common/proposal/result.h"
#include "common/telemetry/meter.h"
#include "common/vm/vm_table.h"

namespace hotpath::scenarios {
namespace {

using proposal::ProposalStatus;
using proposal::VmState;
using std::chrono::nanoseconds;

constexpr auto kTick = nanoseconds(700);  // virtual time per clock read

// How a proposal or operation ended, as its client saw it.
struct Answer {
  size_t index = 0;
  ProposalStatus status = ProposalStatus::kApplied;
  uint64_t log_index = 0;
  std::string error;
  bool operator==(const Answer&) const = default;
};

// Everything a run leaves behind that both sides must agree on.
struct EndState {
  std::map<std::string, vm::VmRecord, std::less<>> vms;
  uint64_t applied = 0;
  uint64_t rejected = 0;
  std::vector<wire::Bytes> entries;
  telemetry::Snapshot metrics;
  std::vector<Answer> answers;
  std::vector<uint64_t> latencies;
  size_t completed = 0;
  size_t ok = 0;
  size_t failed = 0;
  size_t not_ready = 0;
  size_t malformed = 0;
};

template <typename Scenario>
void CaptureShared(Scenario& scenario, EndState& out) {
  out.vms = scenario.table().Sorted();
  out.applied = scenario.table().applied();
  out.rejected = scenario.table().rejected();
  out.entries = scenario.node().log().history();
  out.metrics = scenario.meter().Collect();
  out.malformed = scenario.node().malformed();
}

// Field-by-field, so a failure says what differs.
void ExpectSameState(const EndState& a, const EndState& b) {
  EXPECT_EQ(a.completed, b.completed);
  EXPECT_EQ(a.ok, b.ok);
  EXPECT_EQ(a.failed, b.failed);
  EXPECT_EQ(a.not_ready, b.not_ready);
  EXPECT_EQ(a.malformed, b.malformed);
  EXPECT_EQ(a.applied, b.applied);
  EXPECT_EQ(a.rejected, b.rejected);
  EXPECT_TRUE(a.vms == b.vms) << "VM tables differ";
  ASSERT_EQ(a.entries.size(), b.entries.size());
  for (size_t i = 0; i < a.entries.size(); ++i) {
    ASSERT_TRUE(a.entries[i] == b.entries[i]) << "log entry " << i + 1;
  }
  for (const auto& [name, points] : a.metrics) {
    const auto it = b.metrics.find(name);
    ASSERT_NE(it, b.metrics.end()) << name;
    EXPECT_TRUE(points == it->second) << "metric " << name;
  }
  EXPECT_EQ(a.metrics.size(), b.metrics.size());
  ASSERT_EQ(a.answers.size(), b.answers.size());
  for (size_t i = 0; i < a.answers.size(); ++i) {
    ASSERT_TRUE(a.answers[i] == b.answers[i]) << "answer " << i;
  }
  EXPECT_TRUE(a.latencies == b.latencies) << "latencies differ";
}

// --- The VM table's rules -------------------------------------------------

proposal::CommandView View(const proposal::Command& command,
                           wire::Bytes& storage) {
  storage.clear();
  proposal::SerializeSingleEntry(proposal::ProposalId::FromU64(1), command,
                                 storage);
  proposal::EntryReader reader(storage);
  proposal::ProposalId id;
  proposal::CommandView view;
  EXPECT_TRUE(reader.Next(id, view));
  return view;
}

TEST(VmTable, CreateStatusDeleteAndRejections) {
  vm::VmTable table;
  wire::Bytes a;
  wire::Bytes b;
  proposal::CreateVmCommand create{"vm-1", "debian-12", "node-a",   2, 2048,
                                   20,     {"default"}, "user-data"};
  const auto status = [](VmState state, uint64_t ms) {
    return proposal::Command(
        proposal::StatusUpdateCommand{"vm-1", state, ms, "message"});
  };
  EXPECT_EQ(table.Apply(View(status(VmState::kRunning, 1), a), 1),
            vm::ApplyOutcome::kNotFound);
  EXPECT_EQ(table.Apply(View(create, a), 2), vm::ApplyOutcome::kApplied);
  EXPECT_EQ(table.Apply(View(create, b), 3), vm::ApplyOutcome::kAlreadyExists);
  EXPECT_EQ(table.live(), 1u);
  EXPECT_EQ(table.Apply(View(status(VmState::kRunning, 7), a), 4),
            vm::ApplyOutcome::kApplied);
  const vm::VmRecord* record = table.Find("vm-1");
  ASSERT_NE(record, nullptr);
  EXPECT_EQ(record->state, VmState::kRunning);
  EXPECT_EQ(record->node_id, "node-a");
  EXPECT_EQ(record->networks, 1u);
  EXPECT_EQ(record->updated_ms, 7u);
  EXPECT_EQ(record->log_index, 4u);
  EXPECT_EQ(table.Apply(View(status(VmState::kDeleted, 8), a), 5),
            vm::ApplyOutcome::kApplied);
  EXPECT_EQ(table.live(), 0u);
  EXPECT_EQ(table.Apply(View(status(VmState::kStopped, 9), a), 6),
            vm::ApplyOutcome::kNotFound);
  // A deleted name can be created again; its record is reused.
  create.node_id = "node-b";
  EXPECT_EQ(table.Apply(View(create, a), 7), vm::ApplyOutcome::kApplied);
  EXPECT_EQ(table.size(), 1u);
  EXPECT_EQ(table.live(), 1u);
  EXPECT_EQ(table.Find("vm-1")->node_id, "node-b");
  EXPECT_EQ(table.Find("vm-1")->state, VmState::kCreating);
  EXPECT_EQ(table.applied(), 4u);
  EXPECT_EQ(table.rejected(), 3u);
  EXPECT_EQ(table.Find("vm-2"), nullptr);
}

// --- Proposal pipeline ----------------------------------------------------

template <typename Side>
EndState RunPipeline(const PipelineInputs& inputs, size_t in_flight,
                     int passes) {
  ProposalPipeline<Side> pipeline(inputs, in_flight);
  pipeline.node().log().RecordHistory(true);
  VirtualClock clock(kTick);
  EndState out;
  for (int pass = 0; pass < passes; ++pass) {
    const PipelineStats stats =
        pipeline.RunPass(clock, [&](size_t i, const typename Side::Result& r) {
          out.answers.push_back(
              {i, r.status(), r.log_index(), std::string(r.error())});
        });
    out.completed += stats.completed;
    out.ok += stats.ok;
    out.not_ready += stats.not_ready;
  }
  CaptureShared(pipeline, out);
  return out;
}

// What the inputs imply, independently of either side: every proposal
// applied in batches of at most 100 per window, one log entry each, the VM
// table as the commands replayed in order leave it, and the metric totals.
void ExpectPipelineModel(const PipelineInputs& inputs, size_t in_flight,
                         int passes, const EndState& got) {
  const size_t n = inputs.commands.size();
  EXPECT_EQ(got.completed, n * static_cast<size_t>(passes));
  EXPECT_EQ(got.ok, got.completed);
  EXPECT_EQ(got.not_ready, 0u);
  EXPECT_EQ(got.malformed, 0u);
  uint64_t entries = 0;
  size_t answer = 0;
  for (int pass = 0; pass < passes; ++pass) {
    for (size_t start = 0; start < n; start += in_flight) {
      const size_t window = std::min(in_flight, n - start);
      for (size_t k = 0; k < window; ++k, ++answer) {
        ASSERT_LT(answer, got.answers.size());
        const Answer& a = got.answers[answer];
        EXPECT_EQ(a.index, start + k);
        EXPECT_EQ(a.status, ProposalStatus::kApplied);
        EXPECT_EQ(a.log_index, entries + 1 + k / 100);
        EXPECT_EQ(a.error, "");
      }
      entries += (window + 99) / 100;
    }
  }
  EXPECT_EQ(got.entries.size(), entries);

  // The model VM table: name -> (live, state).
  std::map<std::string, std::pair<bool, VmState>, std::less<>> model;
  uint64_t applied = 0;
  uint64_t rejected = 0;
  std::map<std::string_view, uint64_t> per_operation;
  for (int pass = 0; pass < passes; ++pass) {
    for (size_t i = 0; i < n; ++i) {
      const auto& command = inputs.commands[i];
      if (!inputs.operations[i].empty()) ++per_operation[inputs.operations[i]];
      if (const auto* c = std::get_if<proposal::CreateVmCommand>(&command)) {
        auto& [live, state] = model[c->name];
        if (live) {
          ++rejected;
          continue;
        }
        live = true;
        state = VmState::kCreating;
        ++applied;
        continue;
      }
      const auto& s = std::get<proposal::StatusUpdateCommand>(command);
      const auto it = model.find(s.vm_name);
      if (it == model.end() || !it->second.first) {
        ++rejected;
        continue;
      }
      it->second = {s.state != VmState::kDeleted, s.state};
      ++applied;
    }
  }
  EXPECT_EQ(got.applied, applied);
  EXPECT_EQ(got.rejected, rejected);
  ASSERT_EQ(got.vms.size(), model.size());
  for (const auto& [name, record] : got.vms) {
    const auto it = model.find(name);
    ASSERT_NE(it, model.end()) << name;
    EXPECT_EQ(record.state, it->second.second) << name;
  }
  for (const auto& [operation, count] : per_operation) {
    const auto total = got.metrics.find(fmt::format("vm.{}.total", operation));
    ASSERT_NE(total, got.metrics.end()) << operation;
    EXPECT_EQ(total->second.begin()->second.value, static_cast<double>(count))
        << operation;
  }
  const auto writes = got.metrics.find("storage.writes");
  ASSERT_NE(writes, got.metrics.end());
  EXPECT_EQ(writes->second.begin()->second.value, static_cast<double>(entries));
}

class PipelineEquivalence
    : public ::testing::TestWithParam<std::tuple<uint64_t, size_t>> {};

TEST_P(PipelineEquivalence, SidesEndInTheSameState) {
  const auto [seed, in_flight] = GetParam();
  SCOPED_TRACE(fmt::format("seed {} in flight {}", seed, in_flight));
  const PipelineInputs inputs = MakePipelineInputs(700, seed);
  const EndState before = RunPipeline<BeforeSide>(inputs, in_flight, 2);
  const EndState after = RunPipeline<AfterSide>(inputs, in_flight, 2);
  ExpectPipelineModel(inputs, in_flight, 2, before);
  ExpectPipelineModel(inputs, in_flight, 2, after);
  ExpectSameState(before, after);
}

INSTANTIATE_TEST_SUITE_P(
    Seeds, PipelineEquivalence,
    ::testing::Combine(::testing::Values(uint64_t{1}, uint64_t{2},
                                         uint64_t{20240611}),
                       ::testing::Values(size_t{1}, size_t{7}, size_t{100},
                                         size_t{250}, size_t{1000})));

// A long seeded sequence: 10^4 proposals, windows of random size.
TEST(PipelineEquivalence, LongRandomisedRun) {
  const uint64_t seed = 0xabcdef;
  SCOPED_TRACE(fmt::format("seed {}", seed));
  const PipelineInputs inputs = MakePipelineInputs(10'000, seed);
  for (const size_t in_flight : {size_t{37}, size_t{163}}) {
    const EndState before = RunPipeline<BeforeSide>(inputs, in_flight, 1);
    const EndState after = RunPipeline<AfterSide>(inputs, in_flight, 1);
    ExpectPipelineModel(inputs, in_flight, 1, before);
    ExpectPipelineModel(inputs, in_flight, 1, after);
    ExpectSameState(before, after);
  }
}

// Client threads and a Raft thread: which proposal lands in which batch
// depends on the interleaving, so compare what does not: every answer
// applied, the number of log entries, the metric totals (durations come
// from a virtual clock per thread, the same for both sides).
template <typename Side>
EndState RunThreaded(const PipelineInputs& inputs, size_t in_flight,
                     size_t clients, int passes) {
  ThreadedPipeline<Side, VirtualClock> pipeline(inputs, in_flight, clients);
  EndState out;
  for (int pass = 0; pass < passes; ++pass) {
    const PipelineStats stats = pipeline.RunPass();
    out.completed += stats.completed;
    out.ok += stats.ok;
    out.not_ready += stats.not_ready;
  }
  out.applied = pipeline.table().applied() + pipeline.table().rejected();
  out.entries.resize(pipeline.node().log().last_index());
  out.metrics = pipeline.meter().Collect();
  out.malformed = pipeline.node().malformed();
  return out;
}

TEST(PipelineEquivalence, ThreadedClientsAgreeOnTotals) {
  const PipelineInputs inputs = MakePipelineInputs(1000, 5);
  for (const size_t clients : {size_t{1}, size_t{2}, size_t{3}}) {
    for (const size_t in_flight : {size_t{1}, size_t{30}, size_t{1000}}) {
      SCOPED_TRACE(fmt::format("clients {} in flight {}", clients, in_flight));
      const EndState before =
          RunThreaded<BeforeSide>(inputs, in_flight, clients, 3);
      const EndState after =
          RunThreaded<AfterSide>(inputs, in_flight, clients, 3);
      EXPECT_EQ(before.completed, 3000u);
      EXPECT_EQ(before.ok, 3000u);
      EXPECT_EQ(before.not_ready, 0u);
      EXPECT_EQ(before.malformed, 0u);
      EXPECT_EQ(before.applied, 3000u);
      uint64_t entries = 0;
      for (size_t start = 0; start < 1000; start += in_flight) {
        entries += (std::min(in_flight, 1000 - start) + 99) / 100;
      }
      EXPECT_EQ(before.entries.size(), 3 * entries);
      ExpectSameState(before, after);
    }
  }
}

// --- VM operations --------------------------------------------------------

struct RecordingSink {
  std::vector<uint64_t> ns;
  void Record(uint64_t v) { ns.push_back(v); }
};

template <typename Side>
EndState RunVmOperations(const VmWorkload& w, uint64_t rate, int passes,
                         VmPassStats* last = nullptr) {
  VmOperations<Side> ops(w);
  ops.node().log().RecordHistory(true);
  VirtualClock clock(kTick);
  RecordingSink sink;
  EndState out;
  for (int pass = 0; pass < passes; ++pass) {
    const VmPassStats stats =
        ops.RunPass(clock, clock, rate, sink, [&](size_t i, bool ok, uint64_t) {
          out.answers.push_back(
              {i, ok ? ProposalStatus::kApplied : ProposalStatus::kRejected, 0,
               ""});
        });
    out.completed += stats.completed;
    out.ok += stats.ok;
    out.failed += stats.failed;
    out.not_ready += stats.not_ready;
    if (last != nullptr) *last = stats;
  }
  out.latencies = std::move(sink.ns);
  CaptureShared(ops, out);
  return out;
}

// What the workload implies: every lifecycle applied in order, every
// misdirected operation refused, every VM deleted at the end of a pass.
void ExpectVmModel(const VmWorkload& w, int passes, const EndState& got) {
  const auto p = static_cast<size_t>(passes);
  EXPECT_EQ(got.completed, w.ops.size() * p);
  EXPECT_EQ(got.failed, w.misdirected * p);
  EXPECT_EQ(got.ok, (w.ops.size() - w.misdirected) * p);
  EXPECT_EQ(got.not_ready, 0u);
  EXPECT_EQ(got.malformed, 0u);
  EXPECT_EQ(got.rejected, 0u);
  EXPECT_EQ(got.applied, (w.ops.size() - w.misdirected) * p);
  ASSERT_EQ(got.vms.size(), w.vms.size());
  for (const VmSpec& spec : w.vms) {
    const auto it = got.vms.find(fmt::format("vm-{}", spec.number));
    ASSERT_NE(it, got.vms.end()) << spec.number;
    EXPECT_EQ(it->second.state, VmState::kDeleted);
    EXPECT_EQ(it->second.node_id, cluster::MakePeer(spec.peer).node_id);
    EXPECT_EQ(it->second.vcpus, spec.shape.vcpus);
  }
  // Each answer in the order issued, and each lifecycle in order.
  std::vector<int> stage(w.vms.size(), 0);
  ASSERT_EQ(got.answers.size(), w.ops.size() * p);
  for (size_t k = 0; k < got.answers.size(); ++k) {
    const Answer& a = got.answers[k];
    const VmOp& op = w.ops[a.index];
    const bool misdirected = op.peer == VmWorkload::kDeparted;
    EXPECT_EQ(a.status, misdirected ? ProposalStatus::kRejected
                                    : ProposalStatus::kApplied);
    if (misdirected) continue;
    EXPECT_EQ(static_cast<int>(op.kind), stage[op.vm] % 4) << a.index;
    ++stage[op.vm];
  }
  std::map<std::string_view, std::pair<uint64_t, uint64_t>> expected;
  for (const VmOp& op : w.ops) {
    auto& [total, failed] = expected[OperationName(op.kind)];
    total += p;
    if (op.peer == VmWorkload::kDeparted) failed += p;
  }
  for (const auto& [operation, counts] : expected) {
    const auto total = got.metrics.find(fmt::format("vm.{}.total", operation));
    ASSERT_NE(total, got.metrics.end());
    EXPECT_EQ(total->second.begin()->second.value,
              static_cast<double>(counts.first));
    const auto failed =
        got.metrics.find(fmt::format("vm.{}.failed", operation));
    double failures = 0;
    if (failed != got.metrics.end()) {
      for (const auto& [set, point] : failed->second) failures += point.value;
    }
    EXPECT_EQ(failures, static_cast<double>(counts.second));
    const auto duration =
        got.metrics.find(fmt::format("vm.{}.duration", operation));
    ASSERT_NE(duration, got.metrics.end());
    uint64_t samples = 0;
    for (const auto& [set, point] : duration->second) samples += point.count;
    EXPECT_EQ(samples, counts.first);
  }
}

class VmOperationsEquivalence
    : public ::testing::TestWithParam<std::tuple<uint64_t, uint64_t>> {};

TEST_P(VmOperationsEquivalence, SidesEndInTheSameState) {
  const auto [seed, rate] = GetParam();
  SCOPED_TRACE(fmt::format("seed {} rate {}", seed, rate));
  const VmWorkload w = MakeVmWorkload(150, seed);
  const EndState before = RunVmOperations<BeforeSide>(w, rate, 2);
  const EndState after = RunVmOperations<AfterSide>(w, rate, 2);
  ExpectVmModel(w, 2, before);
  ExpectVmModel(w, 2, after);
  ExpectSameState(before, after);
}

// 1000/s: every operation alone; 2M/s: a few operations fall due per turn
// (three clock reads, 2.1 us) and are batched; 0: all due at once, full
// batches.
INSTANTIATE_TEST_SUITE_P(
    Seeds, VmOperationsEquivalence,
    ::testing::Combine(
        ::testing::Values(uint64_t{1}, uint64_t{2}, uint64_t{0x5eed}),
        ::testing::Values(uint64_t{1000}, uint64_t{2'000'000}, uint64_t{0})));

TEST(VmOperationsEquivalence, OpenLoopChargesTheBacklog) {
  const VmWorkload w = MakeVmWorkload(100, 3);
  VmPassStats slow;
  VmPassStats fast;
  const EndState light = RunVmOperations<AfterSide>(w, 1000, 1, &slow);
  const EndState flat = RunVmOperations<AfterSide>(w, 0, 1, &fast);
  // At 1000/s there is time for a turn per operation, and each waits only
  // for its own turn; all due at once, they share few turns and the last
  // ones wait for all before them.
  EXPECT_EQ(slow.turns, w.ops.size() - w.misdirected);
  EXPECT_LT(fast.turns, slow.turns / 10);
  const uint64_t light_max =
      *std::max_element(light.latencies.begin(), light.latencies.end());
  const uint64_t flat_max =
      *std::max_element(flat.latencies.begin(), flat.latencies.end());
  // Answered at the next clock read after its turn's two.
  EXPECT_EQ(light_max, 2 * static_cast<uint64_t>(kTick.count()));
  EXPECT_GT(flat_max, 3 * light_max);
  // Latencies grow along the backlog.
  EXPECT_TRUE(std::is_sorted(flat.latencies.begin(), flat.latencies.end()));
  EXPECT_LT(flat.latencies.front(), flat.latencies.back());
}

// A long seeded sequence: 2400 lifecycles, about 10^4 operations.
TEST(VmOperationsEquivalence, LongRandomisedRun) {
  const uint64_t seed = 0xfeedbeef;
  SCOPED_TRACE(fmt::format("seed {}", seed));
  const VmWorkload w = MakeVmWorkload(2400, seed);
  ASSERT_GE(w.ops.size(), 10'000u);
  const EndState before = RunVmOperations<BeforeSide>(w, 250'000, 1);
  const EndState after = RunVmOperations<AfterSide>(w, 250'000, 1);
  ExpectVmModel(w, 1, before);
  ExpectVmModel(w, 1, after);
  ExpectSameState(before, after);
}

TEST(VmWorkload, SeededAndWellFormed) {
  const VmWorkload a = MakeVmWorkload(64, 9);
  const VmWorkload b = MakeVmWorkload(64, 9);
  const VmWorkload c = MakeVmWorkload(64, 10);
  ASSERT_EQ(a.ops.size(), size_t{64} * 4 + a.misdirected);
  EXPECT_EQ(a.misdirected, size_t{64} * 4 / 20);
  EXPECT_EQ(a.ids.size(), a.ops.size());
  bool same = true;
  bool differs = false;
  for (size_t i = 0; i < a.ops.size(); ++i) {
    same = same && a.ops[i].kind == b.ops[i].kind && a.ops[i].vm == b.ops[i].vm;
    differs = differs || a.ops[i].vm != c.ops[i].vm;
  }
  EXPECT_TRUE(same);
  EXPECT_TRUE(differs);
  std::vector<proposal::ProposalId> ids = a.ids;
  std::sort(ids.begin(), ids.end(), [](const auto& x, const auto& y) {
    return std::lexicographical_compare(x.bytes().begin(), x.bytes().end(),
                                        y.bytes().begin(), y.bytes().end());
  });
  EXPECT_EQ(std::adjacent_find(ids.begin(), ids.end()), ids.end());
}

}  // namespace
}  // namespace hotpath::scenarios
