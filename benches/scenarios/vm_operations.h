// scenarios/VmOperations: create, start, stop and delete of VMs end to end,
// on one side's own components (sides.h), issued open loop at a fixed rate.
//
// Per operation: the membership check (is this node the leader, is the
// target node a member), the VM name formatted by the simulator, the command
// built (create-VM, or a status update for start/stop/delete), a trace span
// name and attribute list formatted, the proposal through the side's
// batcher, pending map and the Raft log (RaftNode in proposal_pipeline.h),
// applied to the VM table, the answer read, and vm.<op>.total (failed) and
// vm.<op>.duration [vm.name, node.id, operation] recorded. About 5% of the
// operations name a node that has left the cluster: they fail at the
// membership check, are counted as failures and are never proposed.
//
// Open loop: operation i is due at t0 + i / rate whatever happened before
// it. The loop issues every operation that is due (up to one batch of 100
// per turn), runs a Raft turn, reads the answers, and waits only when
// nothing is due. Latency runs from the intended start to the answer, so a
// stall is charged to every operation queued behind it, and past saturation
// the backlog shows in the percentiles (no coordinated omission). Rate 0
// makes every operation due at t0: the loop runs flat out, which measures
// the saturation throughput. Time is the caller's clock (now, WaitUntil):
// SteadyClock or DedicatedCoreClock in the benchmark, VirtualClock in the
// tests, where both sides then see the very same times.
//
// The workload: a seeded interleaving of whole VM lifecycles (create, start,
// stop, delete), 32 VMs in flight at a time, on a 5-node cluster; replaying
// it leaves the VM table as it found it (every VM deleted), so every pass
// does the same work.
#ifndef HOTPATH_BENCHES_SCENARIOS_VM_OPERATIONS_H_
#define HOTPATH_BENCHES_SCENARIOS_VM_OPERATIONS_H_

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "benches/scenarios/proposal_pipeline.h"
#include "common/cluster/peer_info.h"
#include "common/proposal/command.h"
#include "common/proposal/proposal_id.h"
#include "common/proposal/workload.h"
#include "common/telemetry/instruments.h"
#include "common/telemetry/meter.h"
#include "common/vm/vm_table.h"

namespace hotpath::scenarios {

enum class VmOpKind : uint8_t { kCreate, kStart, kStop, kDelete };

constexpr std::string_view OperationName(VmOpKind kind) {
  return telemetry::kVmOperations[static_cast<size_t>(kind)];
}

struct VmOp {
  VmOpKind kind = VmOpKind::kCreate;
  uint32_t vm = 0;    // index into VmWorkload::vms
  uint64_t peer = 0;  // the target node's member id
};

struct VmSpec {
  uint64_t number = 0;  // named vm-<number>
  uint64_t peer = 0;    // where it runs
  // Image, shape, networks and user data of its create command; name and
  // node id are filled in per operation.
  proposal::CreateVmCommand shape;
};

struct VmWorkload {
  static constexpr uint64_t kSelf = 1;      // this node, the leader
  static constexpr uint64_t kMembers = 5;   // member ids 1..5
  static constexpr uint64_t kDeparted = 6;  // left the cluster
  static constexpr size_t kActive = 32;     // VMs mid-lifecycle at a time

  std::vector<VmOp> ops;
  std::vector<VmSpec> vms;
  std::vector<proposal::ProposalId> ids;  // one per op
  size_t misdirected = 0;                 // ops aimed at kDeparted
};

// `vms` whole lifecycles plus one misdirected op per 20 lifecycle ops
// (4.8% of all), seeded.
inline VmWorkload MakeVmWorkload(size_t vms, uint64_t seed) {
  std::mt19937_64 rng(seed);
  VmWorkload w;
  for (size_t v = 0; v < vms; ++v) {
    VmSpec spec;
    spec.number = 1000 + v;
    spec.peer = 1 + rng() % VmWorkload::kMembers;
    spec.shape = std::get<proposal::CreateVmCommand>(
        proposal::MakeCommand(rng(), true, 150 + rng() % 351));
    spec.shape.name.clear();
    spec.shape.node_id.clear();
    w.vms.push_back(std::move(spec));
  }
  struct Active {
    uint32_t vm;
    uint8_t stage;
  };
  std::vector<Active> active;
  size_t next_vm = 0;
  while (next_vm < vms || !active.empty()) {
    while (active.size() < VmWorkload::kActive && next_vm < vms) {
      active.push_back({static_cast<uint32_t>(next_vm++), 0});
    }
    const size_t j = rng() % active.size();
    Active& a = active[j];
    w.ops.push_back({static_cast<VmOpKind>(a.stage), a.vm, w.vms[a.vm].peer});
    if (++a.stage == 4) {
      a = active.back();
      active.pop_back();
    }
  }
  w.misdirected = w.ops.size() / 20;
  for (size_t m = 0; m < w.misdirected; ++m) {
    const auto vm = static_cast<uint32_t>(rng() % vms);
    const auto kind = static_cast<VmOpKind>(rng() % 4);
    const auto at = static_cast<std::ptrdiff_t>(rng() % (w.ops.size() + 1));
    w.ops.insert(w.ops.begin() + at, VmOp{kind, vm, VmWorkload::kDeparted});
  }
  w.ids = proposal::MakeProposalIds(w.ops.size(), seed ^ 0x0b5eedULL);
  return w;
}

struct VmPassStats {
  size_t completed = 0;  // answered or failed at the membership check
  size_t ok = 0;
  size_t failed = 0;
  size_t not_ready = 0;  // waiters a turn left unanswered (a bug)
  size_t turns = 0;
  uint64_t trace_bytes = 0;
};

template <typename Side>
class VmOperations {
 public:
  static constexpr size_t kMaxPerTurn = 100;  // one full batch
  static constexpr uint64_t kEpochMs = 1'700'000'000'000;
  using Result = typename Side::Result;

  // `workload` must outlive this.
  explicit VmOperations(const VmWorkload& workload)
      : workload_(workload), node_(metrics_, table_, VmWorkload::kSelf) {
    for (uint64_t id = 1; id <= VmWorkload::kMembers; ++id) {
      node_state_.AddPeer(cluster::MakePeer(id));
    }
    node_state_.SetInitialized(true);
    node_state_.SetLeadership(true, VmWorkload::kSelf, 1);
    for (uint64_t id = 0; id <= VmWorkload::kDeparted; ++id) {
      node_ids_.push_back(cluster::MakePeer(id).node_id);
    }
    slots_.resize(kMaxPerTurn);
  }

  // Runs every operation once at `rate` per second (0: all due at once).
  // `clock` is the scenario's time, latencies included; `timer` times the
  // Raft log append for its metric. sink.Record(ns) gets each latency, and
  // on_complete(i, ok, latency_ns) each outcome.
  template <typename Clock, typename Timer, typename Sink, typename OnComplete>
  VmPassStats RunPass(Clock& clock, Timer& timer, uint64_t rate, Sink& sink,
                      OnComplete&& on_complete) {
    VmPassStats stats;
    const size_t total = workload_.ops.size();
    const TimePoint t0 = clock.now();
    const auto due = [&](size_t i) {
      return rate == 0 ? t0
                       : t0 + std::chrono::nanoseconds(static_cast<int64_t>(
                                  i * 1'000'000'000 / rate));
    };
    size_t next = 0;
    size_t answered = 0;  // slots the last turn answered, not yet read
    // One clock read per turn (plus one per wait): the read at the top of
    // the loop is when the last turn's answers were out, and the time the
    // next operations are issued at. What happens in between (reading the
    // answers, recording metrics) shows in the next read, charged to the
    // operations still waiting.
    for (;;) {
      TimePoint now = clock.now();
      for (size_t s = 0; s < answered; ++s) {
        Slot& slot = slots_[s];
        if (!slot.waiter.Ready()) {
          ++stats.not_ready;
          continue;
        }
        const Result result = slot.waiter.Wait();
        Finish(slot.op, slot.due, slot.name(), now, result.ok(), sink,
               on_complete, stats);
      }
      answered = 0;
      if (next == total) break;
      if (due(next) > now) {
        clock.WaitUntil(due(next));
        now = due(next);
      }
      for (; next < total && answered < kMaxPerTurn && due(next) <= now;
           ++next) {
        if (Issue(next, due(next), now, slots_[answered], stats) == kProposed) {
          ++answered;
          continue;
        }
        // Refused at the membership check: answered on the spot.
        const VmSpec& vm = workload_.vms[workload_.ops[next].vm];
        Finish(next, due(next), names_.VmName(vm.number), now, false, sink,
               on_complete, stats);
      }
      if (answered == 0) continue;
      node_.Turn(timer);
      ++stats.turns;
    }
    return stats;
  }

  template <typename Clock, typename Sink>
  VmPassStats RunPass(Clock& clock, uint64_t rate, Sink& sink) {
    return RunPass(clock, clock, rate, sink, [](size_t, bool, uint64_t) {});
  }

  const telemetry::Meter& meter() const { return meter_; }
  const vm::VmTable& table() const { return table_; }
  RaftNode<Side>& node() { return node_; }

 private:
  enum Outcome { kProposed, kRefused };

  // Commands are built in place, in slots that keep their strings'
  // capacity: the same (allocation-free, once warm) work on both sides.
  struct Slot {
    size_t op = 0;
    TimePoint due{};
    proposal::Command create{proposal::CreateVmCommand{}};
    proposal::Command status{proposal::StatusUpdateCommand{}};
    typename Side::Waiter waiter;

    std::string_view name() const {
      const auto* c = std::get_if<proposal::CreateVmCommand>(proposed);
      return c != nullptr
                 ? std::string_view(c->name)
                 : std::get<proposal::StatusUpdateCommand>(*proposed).vm_name;
    }
    const proposal::Command* proposed = nullptr;
  };

  static constexpr std::array<std::string_view, 4> kMessages = {
      "", "start requested", "stop requested", "delete requested"};
  static constexpr std::array<proposal::VmState, 4> kTargetState = {
      proposal::VmState::kCreating, proposal::VmState::kRunning,
      proposal::VmState::kStopped, proposal::VmState::kDeleted};

  Outcome Issue(size_t i, TimePoint due, TimePoint now, Slot& slot,
                VmPassStats& stats) {
    const VmOp& op = workload_.ops[i];
    const VmSpec& vm = workload_.vms[op.vm];
    const std::string_view operation = OperationName(op.kind);
    const std::string& node_id = node_ids_[op.peer];
    if (!node_state_.IsLeader() || !node_state_.HasPeer(op.peer)) {
      return kRefused;
    }
    const std::string_view name = names_.VmName(vm.number);
    const proposal::Command* command = nullptr;
    if (op.kind == VmOpKind::kCreate) {
      auto& c = std::get<proposal::CreateVmCommand>(slot.create);
      c.name.assign(name);
      c.image.assign(vm.shape.image);
      c.node_id.assign(node_id);
      c.vcpus = vm.shape.vcpus;
      c.memory_mb = vm.shape.memory_mb;
      c.disk_gb = vm.shape.disk_gb;
      c.networks = vm.shape.networks;
      c.user_data.assign(vm.shape.user_data);
      command = &slot.create;
    } else {
      auto& s = std::get<proposal::StatusUpdateCommand>(slot.status);
      s.vm_name.assign(name);
      s.state = kTargetState[static_cast<size_t>(op.kind)];
      s.timestamp_ms = kEpochMs + i;
      s.message.assign(kMessages[static_cast<size_t>(op.kind)]);
      command = &slot.status;
    }
    const std::array<typename Side::TraceAttribute, 3> attributes = {{
        {"vm.name", name},
        {"node.id", std::string_view(node_id)},
        {"operation", operation},
    }};
    stats.trace_bytes += tracer_.RaftSpanName("propose").size();
    stats.trace_bytes += tracer_.Attributes(attributes).size();
    slot.op = i;
    slot.due = due;
    slot.proposed = command;
    slot.waiter = node_.Propose(workload_.ids[i], *command, now);
    return kProposed;
  }

  // Records the outcome of operation i, answered at `done`.
  template <typename Sink, typename OnComplete>
  void Finish(size_t i, TimePoint due, std::string_view name, TimePoint done,
              bool ok, Sink& sink, OnComplete& on_complete,
              VmPassStats& stats) {
    const VmOp& op = workload_.ops[i];
    const std::string_view operation = OperationName(op.kind);
    const uint64_t latency = Nanos(done - due);
    metrics_.RecordVmOperation(operation, ok);
    metrics_.RecordVmOperationDuration(name, node_ids_[op.peer], operation,
                                       Millis(done - due));
    sink.Record(latency);
    ++stats.completed;
    (ok ? stats.ok : stats.failed) += 1;
    on_complete(i, ok, latency);
  }

  const VmWorkload& workload_;
  telemetry::Meter meter_;
  typename Side::Metrics metrics_{meter_};
  vm::VmTable table_;
  RaftNode<Side> node_;
  typename Side::NodeState node_state_;
  typename Side::Names names_;
  typename Side::Tracer tracer_;
  std::vector<std::string> node_ids_;  // by member id, 0..kDeparted
  std::vector<Slot> slots_;
};

}  // namespace hotpath::scenarios

#endif  // HOTPATH_BENCHES_SCENARIOS_VM_OPERATIONS_H_
