// The batching contract. Proposal batching: the same adds, polls and
// flushes cut the same batches (same ids, same entry bytes) and fan out the
// same answers, in the same order, on both sides as in an independent model
// (model:: below, written from HOTPATHS.md and batch_policy.h with no code
// of either side): the three limits, error fan-out, "not leader", a seeded
// random sequence of 2 x 10^4 operations, and proposers racing a
// flusher/applier on threads; the applier (the log's consumer) reads every
// entry as it was appended, and the after's batch entries go back to its
// pool once applied. Raft message processing: the same messages leave in
// the same order with the same bytes as the model's, as the transport
// writes them (it holds the buffers until then), for fixed rounds and a
// seeded random sequence of 2 x 10^4 operations; the after's buffer pool
// lends by tier and takes buffers back from another thread; with the
// counting allocator, the before allocates one exact buffer per message and
// the warm after nothing.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <future>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/proposal/batch_policy.h"
#include "common/proposal/command.h"
#include "common/proposal/message_priority.h"
#include "common/proposal/outbox.h"
#include "common/proposal/raft_log.h"
#include "common/proposal/result.h"
#include "common/proposal/workload.h"
#include "common/raft/message.h"
#include "common/wire/owned_bytes.h"
#include "impl_after/batching/buffer_pool.h"
#include "impl_after/batching/proposal_batcher.h"
#include "impl_after/batching/raft_message_queue.h"
#include "impl_before/batching/proposal_batcher.h"
#include "impl_before/batching/raft_message_queue.h"
#if HOTPATH_HAVE_ALLOC_COUNTER
#include "benches/harness/alloc_counter.h"
#include "tests/proposal_model.h"
#endif

namespace hotpath::batching {
namespace {

using proposal::Command;
using proposal::InMemoryRaftLog;
using proposal::ProposalId;
using proposal::ProposalStatus;
using proposal::TimePoint;
using std::chrono::milliseconds;

struct BeforeSide {
  using Pending = proposals::before::PendingProposals;
  using Batcher = before::ProposalBatcher;
  using Result = proposals::before::ProposalResult;
  using Waiter = proposals::before::Waiter;
  using Queue = before::RaftMessageQueue;
};
struct AfterSide {
  using Pending = proposals::after::PendingProposals;
  using Batcher = after::ProposalBatcher;
  using Result = proposals::after::ProposalResult;
  using Waiter = proposals::after::Waiter;
  using Queue = after::RaftMessageQueue;
};
using Sides = ::testing::Types<BeforeSide, AfterSide>;

// --- the model ------------------------------------------------------------

// The contract written down as plainly as possible from HOTPATHS.md and
// common/proposal/batch_policy.h, sharing no code with either side: pending
// ids in a std::map, each waiter a shared slot the answer is written into,
// a batch serialised from its proposals when it is cut, queues of messages
// in std::deques. Single-threaded; the reference for the traces.
namespace model {

using proposal_model::ProposalResult;
using proposal_model::Slot;
using proposal_model::Waiter;

class PendingProposals {
 public:
  explicit PendingProposals(size_t /*expected_in_flight*/) {}

  Waiter ProposeEntry(const ProposalId& id, wire::OwnedBytes entry,
                      InMemoryRaftLog& log) {
    auto slot = std::make_shared<std::optional<ProposalResult>>();
    pending_[id.ToHex()] = slot;  // batch ids are never reused
    if (!log.Append(std::move(entry))) Apply(id, ProposalResult::NotLeader());
    return Waiter(slot);
  }
  bool Apply(const ProposalId& id, ProposalResult result) {
    const auto it = pending_.find(id.ToHex());
    if (it == pending_.end()) return false;
    *it->second = std::move(result);
    pending_.erase(it);
    return true;
  }
  size_t PendingCount() const { return pending_.size(); }

 private:
  std::map<std::string, Slot> pending_;
};

class ProposalBatcher {
 public:
  ProposalBatcher(PendingProposals& pending, InMemoryRaftLog& log,
                  uint64_t node_id, proposal::BatchLimits limits,
                  size_t /*expected_in_flight*/)
      : pending_(pending), log_(log), node_id_(node_id), limits_(limits) {}

  Waiter Add(const ProposalId& id, const Command& command, TimePoint now) {
    const size_t estimate =
        proposal::SerializeCommandToVector(command).size() + id.size() + 64;
    if (!queue_.empty() && bytes_ + estimate > limits_.max_bytes) Flush();
    if (queue_.empty()) first_ = now;
    auto slot = std::make_shared<std::optional<ProposalResult>>();
    queue_.push_back({id, &command, slot});
    bytes_ += estimate;
    if (queue_.size() >= limits_.max_proposals || bytes_ >= limits_.max_bytes)
      Flush();
    return Waiter(slot);
  }
  bool Poll(TimePoint now) {
    if (queue_.empty() || now - first_ < limits_.max_delay) return false;
    return Flush();
  }
  bool Flush() {
    if (queue_.empty()) return false;
    const ProposalId batch_id = ProposalId::ForBatch(node_id_, sequence_++);
    wire::Bytes entry;
    proposal::WriteBatchHeader(batch_id, static_cast<uint32_t>(queue_.size()),
                               entry);
    for (const Queued& q : queue_)
      proposal::SerializeBatchItem(q.id, *q.command, entry);
    Waiter batch = pending_.ProposeEntry(
        batch_id, wire::OwnedBytes(std::move(entry)), log_);
    in_flight_.push_back({std::move(batch), std::move(queue_)});
    queue_.clear();
    bytes_ = 0;
    return true;
  }
  size_t DeliverResults() {
    size_t delivered = 0;
    for (auto it = in_flight_.begin(); it != in_flight_.end();) {
      if (!it->first.Ready()) {
        ++it;
        continue;
      }
      const ProposalResult result = it->first.Wait();
      for (Queued& q : it->second) *q.slot = result;
      delivered += it->second.size();
      it = in_flight_.erase(it);
    }
    return delivered;
  }
  size_t QueuedCount() const { return queue_.size(); }
  size_t InFlightBatches() const { return in_flight_.size(); }

 private:
  struct Queued {
    ProposalId id;
    const Command* command;
    Slot slot;
  };

  PendingProposals& pending_;
  InMemoryRaftLog& log_;
  uint64_t node_id_;
  proposal::BatchLimits limits_;
  std::vector<Queued> queue_;
  size_t bytes_ = 0;
  TimePoint first_{};
  uint64_t sequence_ = 0;
  std::list<std::pair<Waiter, std::vector<Queued>>> in_flight_;
};

// Election, heartbeat, normal, snapshot; FIFO within a class; a round
// takes up to 32/64/16/4 of each, in that order; each message is sent as
// its own buffer.
class RaftMessageQueue {
 public:
  void Enqueue(const raft::Message& message) {
    queues_[ClassOf(message.type)].push_back(&message);
  }
  size_t DrainRound(proposal::Outbox& outbox) {
    static constexpr std::array<size_t, 4> kRound = {32, 64, 16, 4};
    size_t sent = 0;
    for (size_t c = 0; c < queues_.size(); ++c) {
      for (size_t n = 0; n < kRound[c] && !queues_[c].empty(); ++n) {
        const raft::Message& m = *queues_[c].front();
        queues_[c].pop_front();
        wire::Bytes bytes;
        raft::Serialize(m, bytes);
        outbox.Send(m.to, wire::OwnedBytes(std::move(bytes)));
        ++sent;
      }
    }
    return sent;
  }
  size_t DrainAll(proposal::Outbox& outbox) {
    size_t sent = 0;
    while (QueuedCount() > 0) sent += DrainRound(outbox);
    return sent;
  }
  size_t QueuedCount() const {
    size_t count = 0;
    for (const auto& queue : queues_) count += queue.size();
    return count;
  }

 private:
  static size_t ClassOf(raft::MessageType type) {
    switch (type) {
      case raft::MessageType::kRequestVote:
      case raft::MessageType::kRequestVoteResponse:
        return 0;
      case raft::MessageType::kHeartbeat:
      case raft::MessageType::kHeartbeatResponse:
        return 1;
      case raft::MessageType::kSnapshot:
        return 3;
      default:
        return 2;
    }
  }

  std::array<std::deque<const raft::Message*>, 4> queues_;
};

}  // namespace model

struct ModelSide {
  using Pending = model::PendingProposals;
  using Batcher = model::ProposalBatcher;
  using Result = model::ProposalResult;
  using Waiter = model::Waiter;
  using Queue = model::RaftMessageQueue;
};

constexpr uint64_t kNode = 0xfeed;
const TimePoint kT0 = TimePoint{} + std::chrono::hours(1);

template <typename Result>
std::string Describe(const Result& r) {
  return fmt::format("{} idx={} err='{}'", proposal::StatusName(r.status()),
                     r.log_index(), r.error());
}

// A waiter's result, or "NOT DELIVERED": the traces read waiters only after
// DeliverResults, so a side that never delivers fails the comparison
// instead of hanging in Wait().
template <typename Waiter>
std::string Delivered(Waiter& waiter) {
  return waiter.Ready() ? Describe(waiter.Wait()) : "NOT DELIVERED";
}

// A pipeline on one side: pending map, log, batcher.
template <typename Side>
struct Pipeline {
  explicit Pipeline(proposal::BatchLimits limits = {})
      : pending(64), batcher(pending, log, kNode, limits, 256) {
    log.RecordHistory(true);
  }
  // Commits and applies every entry; `result(index)` answers each batch.
  template <typename MakeResult>
  std::vector<std::string> ApplyAll(MakeResult&& result) {
    std::vector<std::string> trace;
    log.CommitAll();
    log.ApplyCommitted([&](uint64_t index, std::span<const uint8_t> data) {
      applied.emplace_back(data.begin(), data.end());
      proposal::EntryReader reader(data);
      EXPECT_TRUE(reader.ok());
      const bool found = pending.Apply(reader.id(), result(index));
      trace.push_back(
          fmt::format("apply {} {} {}", index, reader.count(), found));
    });
    return trace;
  }
  std::vector<std::string> ApplyAllOk() {
    return ApplyAll(
        [](uint64_t index) { return Side::Result::Applied(index); });
  }

  InMemoryRaftLog log;
  typename Side::Pending pending;
  typename Side::Batcher batcher;
  // Every entry as the applier (the log's consumer) read it, in log order.
  std::vector<wire::Bytes> applied;
};

wire::Bytes ExpectedBatch(uint64_t sequence, const std::vector<ProposalId>& ids,
                          const std::vector<Command>& commands, size_t from,
                          size_t count) {
  wire::Bytes bytes;
  proposal::WriteBatchHeader(ProposalId::ForBatch(kNode, sequence),
                             static_cast<uint32_t>(count), bytes);
  for (size_t i = from; i < from + count; ++i) {
    proposal::SerializeBatchItem(ids[i], commands[i], bytes);
  }
  return bytes;
}

template <typename T>
class BatchingEquivalenceTest : public ::testing::Test {};
TYPED_TEST_SUITE(BatchingEquivalenceTest, Sides);

// --- proposal batching: fixed cases ---------------------------------------

template <typename Side>
std::vector<std::string> CountLimitTrace(std::vector<wire::Bytes>& log_out) {
  Pipeline<Side> p;
  const auto commands = proposal::MakeCommands(250, 61);
  const auto ids = proposal::MakeProposalIds(250, 62);
  std::vector<std::string> trace;
  std::vector<typename Side::Waiter> waiters;
  for (size_t i = 0; i < 250; ++i) {
    waiters.push_back(
        p.batcher.Add(ids[i], commands[i], kT0 + milliseconds(i % 3)));
    if (i == 98 || i == 99 || i == 199) {
      trace.push_back(fmt::format("after {}: queued {} in flight {} log {}",
                                  i + 1, p.batcher.QueuedCount(),
                                  p.batcher.InFlightBatches(),
                                  p.log.last_index()));
    }
  }
  trace.push_back(fmt::format("flush {}", p.batcher.Flush()));
  trace.push_back(fmt::format("flush again {}", p.batcher.Flush()));
  trace.push_back(fmt::format("deliver early {}", p.batcher.DeliverResults()));
  for (auto& line : p.ApplyAllOk()) trace.push_back(line);
  const size_t delivered = p.batcher.DeliverResults();
  trace.push_back(fmt::format("deliver {} in flight {}", delivered,
                              p.batcher.InFlightBatches()));
  for (size_t i : {size_t{0}, size_t{99}, size_t{100}, size_t{249}}) {
    trace.push_back(fmt::format("#{} {}", i, Delivered(waiters[i])));
  }
  log_out = p.log.history();
  EXPECT_EQ(p.applied, log_out);  // the consumer read what was appended
  return trace;
}

TYPED_TEST(BatchingEquivalenceTest, CountLimit) {
  std::vector<wire::Bytes> got_log;
  std::vector<wire::Bytes> want_log;
  const auto got = CountLimitTrace<TypeParam>(got_log);
  EXPECT_EQ(got, CountLimitTrace<ModelSide>(want_log));
  EXPECT_EQ(got_log, want_log);
  const std::vector<std::string> expected = {
      "after 99: queued 99 in flight 0 log 0",
      "after 100: queued 0 in flight 1 log 1",
      "after 200: queued 0 in flight 2 log 2",
      "flush true",
      "flush again false",
      "deliver early 0",
      "apply 1 100 true",
      "apply 2 100 true",
      "apply 3 50 true",
      "deliver 250 in flight 0",
      "#0 applied idx=1 err=''",
      "#99 applied idx=1 err=''",
      "#100 applied idx=2 err=''",
      "#249 applied idx=3 err=''"};
  EXPECT_EQ(got, expected);
  const auto commands = proposal::MakeCommands(250, 61);
  const auto ids = proposal::MakeProposalIds(250, 62);
  ASSERT_EQ(got_log.size(), 3U);
  EXPECT_EQ(got_log[0], ExpectedBatch(0, ids, commands, 0, 100));
  EXPECT_EQ(got_log[2], ExpectedBatch(2, ids, commands, 200, 50));
}

template <typename Side>
std::vector<std::string> DeadlineTrace() {
  Pipeline<Side> p;
  const auto commands = proposal::MakeCommands(3, 71);
  const auto ids = proposal::MakeProposalIds(3, 72);
  std::vector<std::string> trace;
  trace.push_back(fmt::format("poll empty {}", p.batcher.Poll(kT0)));
  auto w0 = p.batcher.Add(ids[0], commands[0], kT0);
  auto w1 = p.batcher.Add(ids[1], commands[1], kT0 + milliseconds(9));
  trace.push_back(
      fmt::format("poll 9ms {}", p.batcher.Poll(kT0 + milliseconds(9))));
  trace.push_back(
      fmt::format("poll 10ms {}", p.batcher.Poll(kT0 + milliseconds(10))));
  // The clock restarts with the next batch's first proposal.
  auto w2 = p.batcher.Add(ids[2], commands[2], kT0 + milliseconds(15));
  trace.push_back(
      fmt::format("poll 20ms {}", p.batcher.Poll(kT0 + milliseconds(20))));
  trace.push_back(
      fmt::format("poll 25ms {}", p.batcher.Poll(kT0 + milliseconds(25))));
  for (auto& line : p.ApplyAllOk()) trace.push_back(line);
  trace.push_back(fmt::format("deliver {}", p.batcher.DeliverResults()));
  trace.push_back(Delivered(w0));
  trace.push_back(Delivered(w1));
  trace.push_back(Delivered(w2));
  EXPECT_EQ(p.applied, p.log.history());
  return trace;
}

TYPED_TEST(BatchingEquivalenceTest, Deadline) {
  const auto got = DeadlineTrace<TypeParam>();
  EXPECT_EQ(got, DeadlineTrace<ModelSide>());
  const std::vector<std::string> expected = {
      "poll empty false",     "poll 9ms false",      "poll 10ms true",
      "poll 20ms false",      "poll 25ms true",      "apply 1 2 true",
      "apply 2 1 true",       "deliver 3",           "applied idx=1 err=''",
      "applied idx=1 err=''", "applied idx=2 err=''"};
  EXPECT_EQ(got, expected);
}

template <typename Side>
std::vector<std::string> SizeLimitTrace(std::vector<wire::Bytes>& log_out) {
  Pipeline<Side> p;
  const auto ids = proposal::MakeProposalIds(6, 82);
  // 300 KiB commands: the fourth would pass 1 MiB, so three go first. A
  // 1.5 MiB one then flushes what is queued and goes alone.
  std::vector<Command> commands;
  for (size_t i = 0; i < 4; ++i) {
    commands.push_back(proposal::MakeCommand(83 + i, true, 300 * 1024));
  }
  commands.push_back(proposal::MakeCommand(90, true, 1536 * 1024));
  commands.push_back(proposal::MakeCommand(91, false, 100));
  std::vector<std::string> trace;
  std::vector<typename Side::Waiter> waiters;
  for (size_t i = 0; i < commands.size(); ++i) {
    waiters.push_back(p.batcher.Add(ids[i], commands[i], kT0));
    trace.push_back(fmt::format("add {}: queued {} log {}", i,
                                p.batcher.QueuedCount(), p.log.last_index()));
  }
  p.batcher.Flush();
  for (auto& line : p.ApplyAllOk()) trace.push_back(line);
  trace.push_back(fmt::format("deliver {}", p.batcher.DeliverResults()));
  for (auto& w : waiters) trace.push_back(Delivered(w));
  log_out = p.log.history();
  EXPECT_EQ(p.applied, log_out);  // the consumer read what was appended
  return trace;
}

TYPED_TEST(BatchingEquivalenceTest, SizeLimit) {
  std::vector<wire::Bytes> got_log;
  std::vector<wire::Bytes> want_log;
  const auto got = SizeLimitTrace<TypeParam>(got_log);
  EXPECT_EQ(got, SizeLimitTrace<ModelSide>(want_log));
  EXPECT_EQ(got_log, want_log);
  const std::vector<std::string> expected = {"add 0: queued 1 log 0",
                                             "add 1: queued 2 log 0",
                                             "add 2: queued 3 log 0",
                                             "add 3: queued 1 log 1",
                                             "add 4: queued 0 log 3",
                                             "add 5: queued 1 log 3",
                                             "apply 1 3 true",
                                             "apply 2 1 true",
                                             "apply 3 1 true",
                                             "apply 4 1 true",
                                             "deliver 6",
                                             "applied idx=1 err=''",
                                             "applied idx=1 err=''",
                                             "applied idx=1 err=''",
                                             "applied idx=2 err=''",
                                             "applied idx=3 err=''",
                                             "applied idx=4 err=''"};
  EXPECT_EQ(got, expected);
}

template <typename Side>
std::vector<std::string> ErrorFanOutTrace() {
  using Result = typename Side::Result;
  Pipeline<Side> p;
  const auto commands = proposal::MakeCommands(40, 91);
  const auto ids = proposal::MakeProposalIds(40, 92);
  const std::string error =
      fmt::format("apply failed: node {:064x} is draining", 7);
  std::vector<std::string> trace;
  std::vector<typename Side::Waiter> waiters;
  for (size_t i = 0; i < 10; ++i)
    waiters.push_back(p.batcher.Add(ids[i], commands[i], kT0));
  p.batcher.Flush();
  for (size_t i = 10; i < 20; ++i)
    waiters.push_back(p.batcher.Add(ids[i], commands[i], kT0));
  p.batcher.Flush();
  // Not leader: the batch is answered at once, each waiter in turn.
  p.log.SetLeader(false);
  for (size_t i = 20; i < 30; ++i)
    waiters.push_back(p.batcher.Add(ids[i], commands[i], kT0));
  p.batcher.Flush();
  p.log.SetLeader(true);
  const size_t not_leader = p.batcher.DeliverResults();
  trace.push_back(fmt::format("deliver not-leader {} in flight {}", not_leader,
                              p.batcher.InFlightBatches()));
  // Results out of log order: only the answered batch is fanned out.
  trace.push_back(fmt::format("apply second {}",
                              p.pending.Apply(ProposalId::ForBatch(kNode, 1),
                                              Result::Rejected(2, error))));
  trace.push_back(fmt::format("deliver {}", p.batcher.DeliverResults()));
  trace.push_back(
      fmt::format("ready {} {}", waiters[0].Ready(), waiters[10].Ready()));
  // A dropped waiter still gets its share delivered (to nobody).
  { auto dropped = std::move(waiters[5]); }
  for (auto& line : p.ApplyAll(
           [&](uint64_t index) { return Result::Rejected(index, error); })) {
    trace.push_back(line);
  }
  trace.push_back(fmt::format("deliver {}", p.batcher.DeliverResults()));
  for (size_t i = 0; i < waiters.size(); ++i) {
    if (i == 5) continue;
    trace.push_back(fmt::format("#{} {}", i, Delivered(waiters[i])));
  }
  return trace;
}

TYPED_TEST(BatchingEquivalenceTest, ErrorFanOutAndNotLeader) {
  const auto got = ErrorFanOutTrace<TypeParam>();
  EXPECT_EQ(got, ErrorFanOutTrace<ModelSide>());
  const std::string error =
      fmt::format("apply failed: node {:064x} is draining", 7);
  EXPECT_EQ(got[0], "deliver not-leader 10 in flight 2");
  EXPECT_EQ(got[2], "deliver 10");
  EXPECT_EQ(got[3], "ready false true");
  EXPECT_EQ(got[4], "apply 1 10 true");
  EXPECT_EQ(got[5], "apply 2 10 false");  // already answered
  EXPECT_EQ(got[6], "deliver 10");
  EXPECT_EQ(got[7], "#0 rejected idx=1 err='" + error + "'");
  EXPECT_EQ(got[16], "#10 rejected idx=2 err='" + error + "'");
  EXPECT_EQ(got.back(), "#29 not_leader idx=0 err='not leader'");
}

// --- proposal batching: seeded random sequence ----------------------------

template <typename Side>
class RandomBatching {
 public:
  explicit RandomBatching(uint64_t seed)
      : rng_(seed),
        commands_(MakeCommands(seed)),
        ids_(proposal::MakeProposalIds(30000, seed + 2)),
        p_(proposal::BatchLimits{1 + seed % 100, size_t{1} << 20,
                                 milliseconds(10)}) {}

  void Step() {
    using Result = typename Side::Result;
    const uint64_t op = rng_() % 100;
    if (op < 55) {
      const size_t c = rng_() % commands_.size();
      now_ += milliseconds(rng_() % 2);
      const int number = next_++;
      waiters_.emplace_back(number, p_.batcher.Add(ids_[number % ids_.size()],
                                                   commands_[c], now_));
      trace_.push_back(fmt::format("add #{} queued {} log {}", number,
                                   p_.batcher.QueuedCount(),
                                   p_.log.last_index()));
    } else if (op < 65) {
      now_ += milliseconds(rng_() % 12);
      trace_.push_back(fmt::format("poll {}", p_.batcher.Poll(now_)));
    } else if (op < 68) {
      trace_.push_back(fmt::format("flush {}", p_.batcher.Flush()));
    } else if (op < 71) {
      p_.log.SetLeader(rng_() % 3 != 0);
    } else if (op < 78) {
      for (auto& line : p_.ApplyAll([&](uint64_t index) {
             if (rng_() % 8 != 0) return Result::Applied(index);
             return Result::Rejected(index, std::string(1 + rng_() % 90, 'x'));
           })) {
        trace_.push_back(line);
      }
    } else if (op < 86) {
      const size_t delivered = p_.batcher.DeliverResults();
      trace_.push_back(fmt::format("deliver {} in flight {}", delivered,
                                   p_.batcher.InFlightBatches()));
    } else if (op < 97 && !waiters_.empty()) {
      const size_t k = rng_() % waiters_.size();
      auto& [number, waiter] = waiters_[k];
      if (waiter.Ready()) {
        trace_.push_back(
            fmt::format("#{} {}", number, Describe(waiter.Wait())));
        waiters_.erase(waiters_.begin() + static_cast<std::ptrdiff_t>(k));
      }
    } else if (!waiters_.empty()) {
      waiters_.erase(waiters_.begin() +
                     static_cast<std::ptrdiff_t>(rng_() % waiters_.size()));
    }
  }

  void Finish() {
    p_.log.SetLeader(true);
    p_.batcher.Flush();
    for (auto& line : p_.ApplyAllOk()) trace_.push_back(line);
    trace_.push_back(fmt::format("deliver {}", p_.batcher.DeliverResults()));
    for (auto& [number, waiter] : waiters_) {
      trace_.push_back(fmt::format("#{} {}", number, Delivered(waiter)));
    }
  }

  const std::vector<std::string>& trace() const { return trace_; }
  const std::vector<wire::Bytes>& log() const { return p_.log.history(); }
  const std::vector<wire::Bytes>& applied() const { return p_.applied; }

 private:
  // Realistic commands, and a few of 100-700 KiB to reach the size limit.
  static std::vector<Command> MakeCommands(uint64_t seed) {
    auto commands = proposal::MakeCommands(200, seed + 1);
    for (uint64_t i = 0; i < 4; ++i) {
      commands.push_back(
          proposal::MakeCommand(seed + i, true, (100 + 200 * i) * 1024));
    }
    return commands;
  }

  std::mt19937_64 rng_;
  std::vector<Command> commands_;  // outlive every batch: declared first
  std::vector<ProposalId> ids_;
  Pipeline<Side> p_;
  TimePoint now_ = kT0;
  int next_ = 0;
  std::vector<std::pair<int, typename Side::Waiter>> waiters_;
  std::vector<std::string> trace_;
};

TYPED_TEST(BatchingEquivalenceTest, SeededRandomSequence) {
  for (const uint64_t seed : {uint64_t{20261124}, uint64_t{99}}) {
    constexpr int kOperations = 20000;
    RandomBatching<TypeParam> run(seed);
    RandomBatching<ModelSide> reference(seed);
    for (int i = 0; i < kOperations; ++i) {
      run.Step();
      reference.Step();
    }
    run.Finish();
    reference.Finish();
    ASSERT_GT(run.log().size(), 100U) << "seed " << seed;
    ASSERT_EQ(run.log().size(), reference.log().size()) << "seed " << seed;
    for (size_t i = 0; i < run.log().size(); ++i) {
      ASSERT_EQ(run.log()[i], reference.log()[i])
          << "seed " << seed << " entry " << i;
    }
    // The applier read every entry as it was appended.
    ASSERT_EQ(run.applied().size(), run.log().size()) << "seed " << seed;
    for (size_t i = 0; i < run.log().size(); ++i) {
      ASSERT_EQ(run.applied()[i], run.log()[i])
          << "seed " << seed << " entry " << i;
    }
    ASSERT_EQ(run.trace().size(), reference.trace().size()) << "seed " << seed;
    for (size_t i = 0; i < run.trace().size(); ++i) {
      ASSERT_EQ(run.trace()[i], reference.trace()[i])
          << "seed " << seed << " at " << i;
    }
    // The sequence reached every path it is meant to cover.
    const auto count = [&](std::string_view needle) {
      return std::count_if(run.trace().begin(), run.trace().end(),
                           [&](const std::string& line) {
                             return line.find(needle) != std::string::npos;
                           });
    };
    EXPECT_GT(count("not_leader"), 0) << "seed " << seed;
    EXPECT_GT(count("rejected"), 0) << "seed " << seed;
    EXPECT_GT(count("poll true"), 0) << "seed " << seed;
    EXPECT_GT(count(" false"), 0) << "seed " << seed;  // batch answered already
  }
}

// --- proposal batching: threads -------------------------------------------

// Proposers add and wait; one thread polls (with the real clock), applies and
// delivers. Every waiter must read the index of the batch holding its id.
template <typename Side>
void RunThreadedBatching() {
  using Result = typename Side::Result;
  constexpr size_t kThreads = 4;
  constexpr size_t kPerThread = 1500;
  constexpr size_t kWindow = 40;
  InMemoryRaftLog log;
  typename Side::Pending pending(64);
  typename Side::Batcher batcher(
      pending, log, kNode,
      proposal::BatchLimits{100, size_t{1} << 20, milliseconds(1)});
  const auto commands = proposal::MakeCommands(64, 101);
  const auto ids =
      proposal::MakeProposalIds(kThreads * kPerThread, 102, kThreads);
  std::mutex mu;
  std::map<std::string, uint64_t> batch_of;  // proposal id (hex) -> entry index
  std::atomic<size_t> finished{0};
  std::atomic<bool> failed{false};
  std::thread worker([&] {
    while (finished.load() < kThreads) {
      batcher.Poll(proposal::Clock::now());
      log.CommitAll();
      log.ApplyCommitted([&](uint64_t index, std::span<const uint8_t> data) {
        proposal::EntryReader reader(data);
        ProposalId id;
        proposal::CommandView view;
        {
          std::lock_guard lock(mu);
          while (reader.Next(id, view)) batch_of[id.ToHex()] = index;
        }
        if (!reader.ok()) failed = true;
        pending.Apply(reader.id(), Result::Applied(index));
      });
      batcher.DeliverResults();
      std::this_thread::yield();
    }
  });
  std::vector<std::thread> proposers;
  for (size_t t = 0; t < kThreads; ++t) {
    proposers.emplace_back([&, t] {
      std::vector<std::pair<size_t, typename Side::Waiter>> window;
      const auto settle = [&] {
        for (auto& [i, waiter] : window) {
          const Result r = waiter.Wait();
          std::lock_guard lock(mu);
          const auto it = batch_of.find(ids[i].ToHex());
          if (!r.ok() || it == batch_of.end() || it->second != r.log_index())
            failed = true;
        }
        window.clear();
      };
      for (size_t k = 0; k < kPerThread; ++k) {
        const size_t i = t * kPerThread + k;
        window.emplace_back(i,
                            batcher.Add(ids[i], commands[i % commands.size()],
                                        proposal::Clock::now()));
        if (window.size() == kWindow) settle();
      }
      settle();
      finished.fetch_add(1);
    });
  }
  for (auto& p : proposers) p.join();
  worker.join();
  EXPECT_FALSE(failed.load());
  EXPECT_EQ(batch_of.size(), kThreads * kPerThread);
  EXPECT_EQ(batcher.InFlightBatches(), 0U);
  EXPECT_EQ(pending.PendingCount(), 0U);
}

TYPED_TEST(BatchingEquivalenceTest, ThreadsAddWhileFlushing) {
  RunThreadedBatching<TypeParam>();
}

// --- Raft message processing ----------------------------------------------

TYPED_TEST(BatchingEquivalenceTest, DrainRoundsByPriority) {
  // 40 votes, 70 heartbeats, 20 appends, 6 snapshots, interleaved.
  std::vector<raft::Message> messages;
  std::mt19937_64 rng(111);
  const auto make = [&](raft::MessageType type, size_t count) {
    for (size_t i = 0; i < count; ++i) {
      messages.push_back(proposal::MakeRaftMessage(rng(), type));
    }
  };
  make(raft::MessageType::kRequestVote, 25);
  make(raft::MessageType::kRequestVoteResponse, 15);
  make(raft::MessageType::kHeartbeat, 40);
  make(raft::MessageType::kHeartbeatResponse, 30);
  make(raft::MessageType::kAppend, 12);
  make(raft::MessageType::kAppendResponse, 8);
  make(raft::MessageType::kSnapshot, 6);
  std::shuffle(messages.begin(), messages.end(), rng);

  typename TypeParam::Queue queue;
  proposal::Outbox outbox(true);
  for (const auto& m : messages) queue.Enqueue(m);
  EXPECT_EQ(queue.QueuedCount(), 136U);
  EXPECT_EQ(queue.DrainRound(outbox), 32U + 64 + 16 + 4);
  EXPECT_EQ(queue.QueuedCount(), 20U);
  EXPECT_EQ(queue.DrainRound(outbox), 8U + 6 + 4 + 2);
  EXPECT_EQ(queue.DrainRound(outbox), 0U);
  // The transport holds every buffer until its writer runs.
  EXPECT_EQ(outbox.queued(), 136U);
  EXPECT_EQ(outbox.messages(), 0U);
  EXPECT_EQ(outbox.Flush(), 136U);
  EXPECT_EQ(outbox.queued(), 0U);

  // Expected: per round, each class in order, FIFO within a class.
  std::vector<proposal::Outbox::Sent> expected;
  std::array<std::deque<const raft::Message*>, proposal::kPriorityClassCount>
      classes;
  for (const auto& m : messages)
    classes[static_cast<size_t>(proposal::Classify(m.type))].push_back(&m);
  for (int round = 0; round < 2; ++round) {
    for (size_t c = 0; c < classes.size(); ++c) {
      for (size_t n = 0; n < proposal::kDrainBatch[c] && !classes[c].empty();
           ++n) {
        wire::Bytes bytes;
        raft::Serialize(*classes[c].front(), bytes);
        expected.push_back({classes[c].front()->to, std::move(bytes)});
        classes[c].pop_front();
      }
    }
  }
  ASSERT_EQ(outbox.sent().size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    ASSERT_EQ(outbox.sent()[i], expected[i]) << i;
  }
  raft::Message decoded;
  ASSERT_TRUE(raft::Deserialize(outbox.sent()[0].bytes, decoded));
  EXPECT_EQ(proposal::Classify(decoded.type),
            proposal::PriorityClass::kElection);
}

// The transport writes (and drops the buffers) only now and then, so at
// times it holds more buffers than the after's pool keeps; what it writes
// is recorded then, so a buffer reused while still queued would show.
template <typename Side>
proposal::Outbox RandomDrain(uint64_t seed,
                             const std::vector<raft::Message>& pool,
                             size_t* most_queued) {
  std::mt19937_64 rng(seed);
  typename Side::Queue queue;
  proposal::Outbox outbox(true);
  for (int i = 0; i < 20000; ++i) {
    const uint64_t op = rng() % 100;
    if (op < 85) {
      // The last message (past the 1 MiB tier) is sent rarely, to keep the
      // recording small.
      const size_t k = rng() % (pool.size() * 50);
      queue.Enqueue(pool[k < 50 ? pool.size() - 1 : k % (pool.size() - 1)]);
    } else if (op < 95) {
      queue.DrainRound(outbox);
    } else if (op < 98) {
      *most_queued = std::max(*most_queued, outbox.queued());
      outbox.Flush();
    } else {
      queue.DrainAll(outbox);
    }
  }
  queue.DrainAll(outbox);
  outbox.Flush();
  return outbox;
}

TYPED_TEST(BatchingEquivalenceTest, SeededRandomDrains) {
  constexpr uint64_t kSeed = 20261125;
  std::vector<raft::Message> pool;
  for (uint64_t i = 0; pool.size() < 300; ++i) {
    raft::Message m = proposal::MakeRaftMessage(kSeed + i);
    if (m.snapshot.size() <= 70000) pool.push_back(std::move(m));
  }
  raft::Message big;
  big.type = raft::MessageType::kSnapshot;
  big.to = 3;
  big.snapshot.assign((size_t{1} << 20) + 100, 0x5a);
  pool.push_back(std::move(big));
  size_t most_queued = 0;
  size_t most_queued_before = 0;
  const proposal::Outbox got =
      RandomDrain<TypeParam>(kSeed, pool, &most_queued);
  const proposal::Outbox want =
      RandomDrain<ModelSide>(kSeed, pool, &most_queued_before);
  EXPECT_GT(got.messages(), 10000U);
  // The transport held more than the after's pool keeps idle.
  EXPECT_GT(most_queued, after::BufferPool::kKeep[0]) << "seed " << kSeed;
  EXPECT_EQ(got.digest(), want.digest()) << "seed " << kSeed;
  ASSERT_EQ(got.sent().size(), want.sent().size()) << "seed " << kSeed;
  for (size_t i = 0; i < got.sent().size(); ++i) {
    ASSERT_EQ(got.sent()[i], want.sent()[i])
        << "seed " << kSeed << " message " << i;
  }
}

// --- the after's entry pool -----------------------------------------------

// Each batch entry the after's batcher hands the log is lent by its pool
// and comes back once the applier has applied it; warm rounds reserve
// nothing anew.
TEST(BatchingEntryPool, BatchEntriesComeBackWhenApplied) {
  proposals::after::PendingProposals pending(64);
  InMemoryRaftLog log;
  after::ProposalBatcher batcher(pending, log, kNode, {}, 256);
  const proposals::after::EntryPool& pool = batcher.entry_pool();
  const auto commands = proposal::MakeCommands(250, 131);
  const auto ids = proposal::MakeProposalIds(250, 132);
  std::vector<proposals::after::Waiter> waiters;
  uint64_t fresh_after_first_round = 0;
  for (int round = 0; round < 3; ++round) {
    for (size_t i = 0; i < 250; ++i) {
      waiters.push_back(batcher.Add(ids[i], commands[i], kT0));
    }
    batcher.Flush();
    EXPECT_EQ(pool.lent(), 3U) << "round " << round;  // the log holds them
    log.CommitAll();
    log.ApplyCommitted([&](uint64_t index, std::span<const uint8_t> data) {
      pending.Apply(proposal::EntryReader(data).id(),
                    proposals::after::ProposalResult::Applied(index));
    });
    EXPECT_EQ(pool.lent(), 0U) << "round " << round;  // handed back
    EXPECT_EQ(pool.idle(), 3U) << "round " << round;
    EXPECT_EQ(batcher.DeliverResults(), 250U);
    for (auto& waiter : waiters) {
      ASSERT_TRUE(waiter.Ready());  // delivered above, or the test would hang
      EXPECT_TRUE(waiter.Wait().ok());
    }
    waiters.clear();
    if (round == 0) fresh_after_first_round = pool.fresh();
  }
  EXPECT_GE(fresh_after_first_round, 2U);
  EXPECT_EQ(pool.fresh(), fresh_after_first_round);  // reused every round
  EXPECT_EQ(pending.entry_pool().lent(), 0U);        // the batcher's own pool
  EXPECT_EQ(pending.entry_pool().fresh(), 0U);
}

// --- the after's buffer pool ----------------------------------------------

TEST(BatchingBufferPool, LendsByTierAndTakesBack) {
  after::BufferPool pool;
  {
    wire::OwnedBytes small = pool.Acquire(100);
    wire::OwnedBytes medium = pool.Acquire(4097);
    wire::OwnedBytes large = pool.Acquire(size_t{1} << 20);
    wire::OwnedBytes huge = pool.Acquire((size_t{1} << 20) + 1);
    EXPECT_TRUE(small.lent());
    EXPECT_TRUE(medium.lent());
    EXPECT_TRUE(large.lent());
    EXPECT_FALSE(huge.lent());  // past every tier: a plain buffer
    EXPECT_EQ(small.bytes().capacity(), proposal::kBufferTiers[0]);
    EXPECT_EQ(medium.bytes().capacity(), proposal::kBufferTiers[1]);
    EXPECT_EQ(large.bytes().capacity(), proposal::kBufferTiers[2]);
    EXPECT_GE(huge.bytes().capacity(), (size_t{1} << 20) + 1);
    EXPECT_EQ(pool.lent(), 3U);
    EXPECT_EQ(pool.fresh(), 3U);
    // Moving a lent buffer moves the duty to return it, once.
    wire::OwnedBytes moved = std::move(small);
    moved = std::move(medium);  // the small one goes back here
    EXPECT_EQ(pool.idle(0), 1U);
    EXPECT_EQ(pool.lent(), 2U);
  }
  EXPECT_EQ(pool.lent(), 0U);
  for (size_t t = 0; t < after::BufferPool::kTierCount; ++t) {
    EXPECT_EQ(pool.idle(t), 1U) << t;
  }
  // Warm: lent again, nothing reserved anew, and handed out empty.
  wire::OwnedBytes again = pool.Acquire(3000);
  EXPECT_TRUE(again.bytes().empty());
  EXPECT_EQ(pool.fresh(), 3U);
}

TEST(BatchingBufferPool, KeepsAtMostKKeepIdle) {
  after::BufferPool pool;
  const size_t keep = after::BufferPool::kKeep[0];
  {
    std::vector<wire::OwnedBytes> held;
    for (size_t i = 0; i < keep + 5; ++i) held.push_back(pool.Acquire(64));
    EXPECT_EQ(pool.fresh(), keep + 5);
  }
  EXPECT_EQ(pool.idle(0), keep);
  EXPECT_EQ(pool.lent(), 0U);
}

// A producer lends and fills buffers, a consumer thread checks and drops
// them, as the Raft loop and a connection's writer would.
TEST(BatchingBufferPool, TakesBackFromAnotherThread) {
  constexpr size_t kBuffers = 20000;
  after::BufferPool pool;
  std::mutex mu;
  std::deque<wire::OwnedBytes> queue;
  std::atomic<size_t> bad{0};
  auto consumer = std::async(std::launch::async, [&] {
    size_t seen = 0;
    while (seen < kBuffers) {
      wire::OwnedBytes buffer;
      {
        std::lock_guard lock(mu);
        if (!queue.empty()) {
          buffer = std::move(queue.front());
          queue.pop_front();
        }
      }
      if (!buffer.lent()) {
        std::this_thread::yield();
        continue;
      }
      const wire::Bytes& bytes = buffer.bytes();
      if (bytes.size() != 1 + seen % 5000 ||
          bytes.back() != static_cast<uint8_t>(seen)) {
        ++bad;
      }
      ++seen;
    }
  });
  for (size_t i = 0; i < kBuffers; ++i) {
    wire::OwnedBytes buffer = pool.Acquire(1 + i % 5000);
    buffer.bytes().assign(1 + i % 5000, static_cast<uint8_t>(i));
    std::lock_guard lock(mu);
    queue.push_back(std::move(buffer));
  }
  ASSERT_EQ(consumer.wait_for(std::chrono::seconds(20)),
            std::future_status::ready);
  EXPECT_EQ(bad.load(), 0U);
  EXPECT_EQ(pool.lent(), 0U);
}

#if HOTPATH_HAVE_ALLOC_COUNTER
// The before allocates one buffer of exactly each message's size, plus one
// vector per class per round; the warm after allocates nothing.
TYPED_TEST(BatchingEquivalenceTest, DrainAllocations) {
  if (!harness::AllocCountingEnabled()) GTEST_SKIP() << "counting off";
  const auto messages = proposal::MakeRaftMessageMix(21, 1);
  typename TypeParam::Queue queue;
  proposal::Outbox outbox;
  const auto pass = [&] {
    for (const raft::Message& m : messages) queue.Enqueue(m);
    queue.DrainAll(outbox);
    return outbox.Flush();
  };
  ASSERT_EQ(pass(), messages.size());  // warm-up
  const harness::AllocStats start = harness::ThreadAllocStats();
  ASSERT_EQ(pass(), messages.size());
  const harness::AllocStats used = harness::ThreadAllocStats() - start;
  if constexpr (std::is_same_v<TypeParam, AfterSide>) {
    EXPECT_EQ(used.allocs, 0U);
    EXPECT_EQ(used.bytes, 0U);
  } else {
    uint64_t allocs = messages.size();
    uint64_t bytes = 0;
    for (const raft::Message& m : messages) bytes += raft::SerializedSize(m);
    std::array<size_t, proposal::kPriorityClassCount> left{};
    for (const raft::Message& m : messages) {
      ++left[static_cast<size_t>(proposal::Classify(m.type))];
    }
    while (std::any_of(left.begin(), left.end(), [](size_t n) { return n; })) {
      for (size_t c = 0; c < left.size(); ++c) {
        const size_t take = std::min(left[c], proposal::kDrainBatch[c]);
        if (take == 0) continue;
        ++allocs;  // the round's share of this class, collected
        bytes += take * sizeof(const raft::Message*);
        left[c] -= take;
      }
    }
    EXPECT_EQ(used.allocs, allocs);
    EXPECT_EQ(used.bytes, bytes);
  }
}
#endif

TEST(MessagePriority, Tiers) {
  EXPECT_EQ(proposal::BufferTier(0), 0U);
  EXPECT_EQ(proposal::BufferTier(4096), 0U);
  EXPECT_EQ(proposal::BufferTier(4097), 1U);
  EXPECT_EQ(proposal::BufferTier(65536), 1U);
  EXPECT_EQ(proposal::BufferTier(65537), 2U);
  EXPECT_EQ(proposal::BufferTier(size_t{1} << 20), 2U);
  EXPECT_EQ(proposal::BufferTier((size_t{1} << 20) + 1), 3U);
}

TEST(BatchPolicy, EstimateMatchesSerialisingTheCommand) {
  const auto commands = proposal::MakeCommands(300, 121);
  const auto ids = proposal::MakeProposalIds(300, 122);
  for (size_t i = 0; i < commands.size(); ++i) {
    const size_t by_serialising =
        proposal::SerializeCommandToVector(commands[i]).size();
    EXPECT_EQ(proposal::EstimateProposalSize(by_serialising, ids[i]),
              proposal::EstimateProposalSize(proposal::CommandSize(commands[i]),
                                             ids[i]));
    EXPECT_EQ(proposal::EstimateProposalSize(by_serialising, ids[i]),
              by_serialising + 8 + 64);
  }
}

}  // namespace
}  // namespace hotpath::batching
