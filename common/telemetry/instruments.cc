#include "common/telemetry/instruments.h"

namespace hotpath::telemetry {
namespace {

constexpr std::array<std::string_view, 16> kOtherCounters = {
    "raft.proposals.total",
    "raft.proposals.failed",
    "raft.committed_entries.total",
    "raft.messages.sent",
    "raft.messages.received",
    "raft.elections.total",
    "raft.snapshots.sent",
    "raft.snapshots.received",
    "storage.reads",
    "storage.deletes",
    "p2p.bytes.sent",
    "p2p.bytes.received",
    "vm.migrate.total",
    "vm.migrate.failed",
    "vm.status_update.total",
    "scheduler.decisions.total"};

constexpr std::array<std::string_view, 11> kOtherHistograms = {
    "raft.proposal.duration",
    "raft.batch.size",
    "raft.commit.latency",
    "raft.apply.duration",
    "raft.snapshot.duration",
    "p2p.message.size",
    "p2p.rtt",
    "vm.migrate.duration",
    "scheduler.decision.duration",
    "storage.read.duration",
    "storage.transaction.duration"};

VmOperationInstruments MakeVmOperation(Meter& meter, std::string_view op) {
  const std::string prefix = "vm." + std::string(op);
  return {&meter.CreateCounter(prefix + ".total"),
          &meter.CreateCounter(prefix + ".failed"),
          &meter.CreateHistogram(prefix + ".duration")};
}

}  // namespace

OrchestratorInstruments::OrchestratorInstruments(Meter& meter)
    : vm_operations{MakeVmOperation(meter, kVmOperations[0]),
                    MakeVmOperation(meter, kVmOperations[1]),
                    MakeVmOperation(meter, kVmOperations[2]),
                    MakeVmOperation(meter, kVmOperations[3])},
      storage_writes(meter.CreateCounter("storage.writes")),
      storage_write_duration(meter.CreateHistogram("storage.write.duration")),
      node_vcpus_available(meter.CreateUpDownCounter("node.vcpus.available")),
      node_memory_available(
          meter.CreateUpDownCounter("node.memory.available_mb")),
      node_disk_available(meter.CreateUpDownCounter("node.disk.available_gb")),
      scheduler_preemptions(meter.CreateCounter("scheduler.preemptions")) {
  for (size_t i = 0; i < kGauges.size(); ++i) {
    gauges[i] = &meter.CreateUpDownCounter(kGauges[i]);
  }
  for (auto name : kOtherCounters) meter.CreateCounter(name);
  for (auto name : kOtherHistograms) meter.CreateHistogram(name);
  other_names.insert(other_names.end(), kOtherCounters.begin(),
                     kOtherCounters.end());
  other_names.insert(other_names.end(), kOtherHistograms.begin(),
                     kOtherHistograms.end());
}

}  // namespace hotpath::telemetry
