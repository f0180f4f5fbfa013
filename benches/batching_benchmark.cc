// batching/<Operation>/<variant>: proposal batching and Raft message
// processing on the before and after sides. Every iteration replays the same
// inputs, so allocations per op are exact.
//   ProposalBatch/batch:B       1600 proposals (50-500 byte commands) in
//                               batches of B (cut by count at 100, by the
//                               10 ms deadline below that), proposed through
//                               the pending map, committed, applied, fanned
//                               out and read; 400 in flight. Op: a proposal.
//   ProposalBatchError/batch:B  the same, every batch rejected by the state
//                               machine with a 70-character error that is
//                               fanned out to each waiter.
//   RaftMessageDrain/snapshots:S  the message mix (20 votes, 100 heartbeats,
//                               20 appends of 5 x 1-5 KiB, S snapshots of
//                               256 KiB) queued, drained by priority into the
//                               transport, which holds every buffer until it
//                               writes them all and drops them. Op: a
//                               message.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "benches/harness/bench_support.h"
#include "common/proposal/batch_policy.h"
#include "common/proposal/command.h"
#include "common/proposal/outbox.h"
#include "common/proposal/proposal_id.h"
#include "common/proposal/raft_log.h"
#include "common/proposal/result.h"
#include "common/proposal/workload.h"
#include "common/raft/message.h"
#include "impl_after/batching/proposal_batcher.h"
#include "impl_after/batching/raft_message_queue.h"
#include "impl_before/batching/proposal_batcher.h"
#include "impl_before/batching/raft_message_queue.h"

namespace hotpath::batching {
namespace {

using proposal::Command;
using proposal::InMemoryRaftLog;
using proposal::ProposalId;

struct Before {
  static constexpr std::string_view kName = "before";
  using Pending = proposals::before::PendingProposals;
  using Batcher = before::ProposalBatcher;
  using Result = proposals::before::ProposalResult;
  using Waiter = proposals::before::Waiter;
  using Queue = before::RaftMessageQueue;
};
struct After {
  static constexpr std::string_view kName = "after";
  using Pending = proposals::after::PendingProposals;
  using Batcher = after::ProposalBatcher;
  using Result = proposals::after::ProposalResult;
  using Waiter = proposals::after::Waiter;
  using Queue = after::RaftMessageQueue;
};

constexpr size_t kProposals = 1600;
constexpr size_t kWindow = 400;  // divisible by 1, 16 and 100
constexpr uint64_t kNode = 0xfeed;

const std::vector<Command>& Commands() {
  static const auto commands = proposal::MakeCommands(kProposals, 11);
  return commands;
}
const std::vector<ProposalId>& Ids() {
  static const auto ids = proposal::MakeProposalIds(kProposals, 12);
  return ids;
}
const std::string& Error() {
  static const std::string error = fmt::format(
      "create vm-4711 failed: node {:016x} has 2 vCPUs left", 0xfeedULL);
  return error;
}

struct PassResult {
  size_t ok = 0;
  size_t error_bytes = 0;
  uint64_t index_sum = 0;
};

template <typename Side>
class BatchDriver {
 public:
  BatchDriver(size_t batch, bool reject)
      : batch_(batch),
        reject_(reject),
        pending_(1024),
        batcher_(pending_, log_, kNode, proposal::BatchLimits{}, 1024) {
    waiters_.reserve(kWindow);
  }

  PassResult Pass() {
    PassResult result;
    const auto& commands = Commands();
    const auto& ids = Ids();
    for (size_t start = 0; start < kProposals; start += kWindow) {
      for (size_t i = start; i < start + kWindow; ++i) {
        waiters_.push_back(batcher_.Add(ids[i], commands[i], now_));
        if ((i + 1) % batch_ == 0) {
          now_ += std::chrono::milliseconds(10);
          batcher_.Poll(now_);  // the deadline cuts batches under 100
        }
      }
      log_.CommitAll();
      log_.ApplyCommitted(
          [this](uint64_t index, std::span<const uint8_t> data) {
            const ProposalId id = proposal::EntryReader(data).id();
            pending_.Apply(id, reject_ ? Side::Result::Rejected(index, Error())
                                       : Side::Result::Applied(index));
          });
      batcher_.DeliverResults();
      for (auto& waiter : waiters_) {
        const auto r = waiter.Wait();
        result.ok += r.ok() ? 1 : 0;
        result.error_bytes += r.error().size();
        result.index_sum += r.log_index();
      }
      waiters_.clear();
    }
    return result;
  }

  uint64_t last_index() const { return log_.last_index(); }

 private:
  size_t batch_;
  bool reject_;
  InMemoryRaftLog log_;
  typename Side::Pending pending_;
  typename Side::Batcher batcher_;
  proposal::TimePoint now_{};
  std::vector<typename Side::Waiter> waiters_;
};

template <typename Side>
void RunBatches(benchmark::State& state, bool reject) {
  const auto batch = static_cast<size_t>(state.range(0));
  BatchDriver<Side> driver(batch, reject);
  driver.Pass();
  harness::AllocationScope allocations(state, static_cast<double>(kProposals));
  if (std::is_same_v<Side, After> && !reject) allocations.ExpectAtMost(0);
  for (auto _ : state) {
    PassResult r = driver.Pass();
    benchmark::DoNotOptimize(r);
  }
  allocations.Report();
  // Batch k of a pass holds proposals k*B .. k*B+B-1 at log index first+k.
  const uint64_t first = driver.last_index() + 1;
  const PassResult check = driver.Pass();
  uint64_t want_index_sum = 0;
  for (size_t i = 0; i < kProposals; ++i) want_index_sum += first + i / batch;
  const bool ok =
      reject ? check.ok == 0 && check.error_bytes == kProposals * Error().size()
             : check.ok == kProposals && check.error_bytes == 0;
  if (!ok || check.index_sum != want_index_sum) {
    state.SkipWithError("a waiter read the wrong answer");
  }
}

template <typename Side>
void BM_ProposalBatch(benchmark::State& state) {
  RunBatches<Side>(state, false);
}

template <typename Side>
void BM_ProposalBatchError(benchmark::State& state) {
  RunBatches<Side>(state, true);
}

template <typename Side>
void BM_RaftMessageDrain(benchmark::State& state) {
  const auto messages =
      proposal::MakeRaftMessageMix(21, static_cast<size_t>(state.range(0)));
  typename Side::Queue queue;
  proposal::Outbox outbox;
  const auto pass = [&] {
    for (const raft::Message& m : messages) queue.Enqueue(m);
    const size_t sent = queue.DrainAll(outbox);
    return sent + outbox.Flush();
  };
  pass();
  harness::AllocationScope allocations(state,
                                       static_cast<double>(messages.size()));
  if (std::is_same_v<Side, After>) allocations.ExpectAtMost(0);
  for (auto _ : state) {
    size_t sent = pass();
    benchmark::DoNotOptimize(sent);
  }
  allocations.Report();
  // The same bytes in the same order as the reference (before) queue.
  proposal::Outbox got;
  proposal::Outbox want;
  for (const raft::Message& m : messages) queue.Enqueue(m);
  queue.DrainAll(got);
  got.Flush();
  Before::Queue reference;
  for (const raft::Message& m : messages) reference.Enqueue(m);
  reference.DrainAll(want);
  want.Flush();
  size_t total = 0;
  for (const raft::Message& m : messages) total += raft::SerializedSize(m);
  if (got.digest() != want.digest() || got.bytes() != total ||
      got.messages() != messages.size()) {
    state.SkipWithError("the transport saw different messages");
  }
}

template <typename Side>
void RegisterVariant() {
  const auto name = [](std::string_view operation) {
    return fmt::format("batching/{}/{}", operation, Side::kName);
  };
  benchmark::RegisterBenchmark(name("ProposalBatch").c_str(),
                               BM_ProposalBatch<Side>)
      ->ArgName("batch")
      ->Arg(1)
      ->Arg(16)
      ->Arg(100);
  benchmark::RegisterBenchmark(name("ProposalBatchError").c_str(),
                               BM_ProposalBatchError<Side>)
      ->ArgName("batch")
      ->Arg(16)
      ->Arg(100);
  benchmark::RegisterBenchmark(name("RaftMessageDrain").c_str(),
                               BM_RaftMessageDrain<Side>)
      ->ArgName("snapshots")
      ->Arg(0)
      ->Arg(1);
}

const bool kRegistered = [] {
  RegisterVariant<Before>();
  RegisterVariant<After>();
  return true;
}();

}  // namespace
}  // namespace hotpath::batching
