// The proposals contract: the same operations leave the same log entries
// (byte for byte) and the same answers (status, log index, error text, in
// the same order) on the before, the after and the peers, each checked
// against an independent model of the contract (model:: below, a std::map
// and shared result slots) and against hand-written expectations: fixed
// cases, every error path (not leader, a replaced id, an unknown id, a
// dropped waiter), a seeded random sequence of 2 x 10^4 operations, and
// proposers racing an applier on threads. The response channels' blocking
// Wait is stressed apart (ping-pong, many threads), each run under a
// watchdog so that a lost wake-up fails the test instead of hanging it.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/proposal/command.h"
#include "common/proposal/proposal_id.h"
#include "common/proposal/raft_log.h"
#include "common/proposal/result.h"
#include "common/proposal/workload.h"
#include "common/wire/owned_bytes.h"
#include "impl_after/proposals/entry_pool.h"
#include "impl_after/proposals/pending_proposals.h"
#include "impl_before/proposals/pending_proposals.h"
#include "tests/proposal_model.h"

#if HOTPATH_HAVE_STD_PROMISE_PEER
#include "benches/peers/std_promise_proposals.h"
#endif
#if HOTPATH_HAVE_ABSL
#include "benches/peers/absl_proposals.h"
#endif

namespace hotpath::proposals {
namespace {

using proposal::Command;
using proposal::InMemoryRaftLog;
using proposal::ProposalId;
using proposal::ProposalStatus;

struct BeforeSide {
  using Pending = before::PendingProposals;
  using Result = before::ProposalResult;
  using Waiter = before::Waiter;
  using Channels = before::ResponseChannels;
};
struct AfterSide {
  using Pending = after::PendingProposals;
  using Result = after::ProposalResult;
  using Waiter = after::Waiter;
  using Channels = after::ResponseChannels;
};
#if HOTPATH_HAVE_STD_PROMISE_PEER
struct StdPromiseSide {
  using Pending = std_promise::PendingProposals;
  using Result = std_promise::ProposalResult;
  using Waiter = std_promise::Waiter;
  using Channels = std_promise::ResponseChannels;
};
#endif
#if HOTPATH_HAVE_ABSL
struct AbslSide {  // the before's channels, Abseil's map
  using Pending = absl_flat_hash_map::PendingProposals;
  using Result = absl_flat_hash_map::ProposalResult;
  using Waiter = absl_flat_hash_map::Waiter;
};
#endif
using Sides = ::testing::Types<BeforeSide, AfterSide
#if HOTPATH_HAVE_STD_PROMISE_PEER
                               ,
                               StdPromiseSide
#endif
#if HOTPATH_HAVE_ABSL
                               ,
                               AbslSide
#endif
                               >;
// Every side with response channels of its own.
using ChannelSides = ::testing::Types<BeforeSide, AfterSide
#if HOTPATH_HAVE_STD_PROMISE_PEER
                                      ,
                                      StdPromiseSide
#endif
                                      >;

// What a waiter observes, comparable across sides.
struct Outcome {
  ProposalStatus status;
  uint64_t log_index;
  std::string error;
  bool operator==(const Outcome&) const = default;
};

template <typename Result>
Outcome ToOutcome(const Result& r) {
  return {r.status(), r.log_index(), std::string(r.error())};
}

std::string Describe(const Outcome& o) {
  return fmt::format("{} idx={} err='{}'", proposal::StatusName(o.status),
                     o.log_index, o.error);
}

// A waiter's answer, read only if it is there: a broken side must fail the
// trace, not block the test.
template <typename Waiter>
std::string Settle(Waiter& waiter) {
  if (!waiter.Ready()) return "not ready";
  return Describe(ToOutcome(waiter.Wait()));
}

ProposalId IdOf(std::span<const uint8_t> entry) {
  proposal::EntryReader reader(entry);
  EXPECT_TRUE(reader.ok());
  return reader.id();
}

wire::Bytes SingleEntry(const ProposalId& id, const Command& command) {
  wire::Bytes bytes;
  proposal::SerializeSingleEntry(id, command, bytes);
  return bytes;
}

// Hands `entry` over as the side takes it: as an owned buffer (before,
// after, the model) or as a vector the side empties (the peers).
template <typename Pending>
auto ProposeEntry(Pending& pending, const ProposalId& id, wire::Bytes& entry,
                  InMemoryRaftLog& log) {
  if constexpr (requires {
                  pending.ProposeEntry(id, wire::OwnedBytes(), log);
                }) {
    return pending.ProposeEntry(id, wire::OwnedBytes(std::move(entry)), log);
  } else {
    return pending.ProposeEntry(id, entry, log);
  }
}

// --- the model ------------------------------------------------------------

// The contract written down as plainly as possible, sharing no code with
// either side: pending ids in a std::map, each waiter a shared slot the
// answer is written into. Single-threaded; the reference for the traces.
namespace model {

using proposal_model::ProposalResult;
using proposal_model::Slot;
using proposal_model::Waiter;

class PendingProposals {
 public:
  explicit PendingProposals(size_t /*expected_in_flight*/) {}

  Waiter Propose(const ProposalId& id, const Command& command,
                 InMemoryRaftLog& log) {
    wire::Bytes entry;
    proposal::SerializeSingleEntry(id, command, entry);
    return ProposeEntry(id, wire::OwnedBytes(std::move(entry)), log);
  }
  Waiter ProposeEntry(const ProposalId& id, wire::OwnedBytes entry,
                      InMemoryRaftLog& log) {
    auto slot = std::make_shared<std::optional<ProposalResult>>();
    Slot& pending = pending_[id.ToHex()];
    if (pending) *pending = ProposalResult::ChannelClosed();  // replaced
    pending = slot;
    const bool appended = log.Append(std::move(entry));
    if (!appended) Apply(id, ProposalResult::NotLeader());
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

}  // namespace model

struct ModelSide {
  using Pending = model::PendingProposals;
  using Result = model::ProposalResult;
  using Waiter = model::Waiter;
};

const std::string kLongError =
    fmt::format("insufficient resources on node {:064x} for vm-17", 0x5eed);

template <typename T>
class ProposalsEquivalenceTest : public ::testing::Test {};
TYPED_TEST_SUITE(ProposalsEquivalenceTest, Sides);

// --- fixed cases ----------------------------------------------------------

template <typename Side>
std::vector<std::string> RoundTripTrace(InMemoryRaftLog& log) {
  using Result = typename Side::Result;
  typename Side::Pending pending(16);
  const auto commands = proposal::MakeCommands(3, 11);
  const auto ids = proposal::MakeProposalIds(2, 12);
  const ProposalId batch_id = ProposalId::ForBatch(3, 9);
  std::vector<std::string> trace;
  auto w0 = pending.Propose(ids[0], commands[0], log);
  auto w1 = pending.Propose(ids[1], commands[1], log);
  wire::Bytes entry = SingleEntry(batch_id, commands[2]);
  auto w2 = ProposeEntry(pending, batch_id, entry, log);
  trace.push_back(fmt::format("entry left {} bytes", entry.size()));
  trace.push_back(fmt::format("pending {}", pending.PendingCount()));
  trace.push_back(
      fmt::format("ready {} {} {}", w0.Ready(), w1.Ready(), w2.Ready()));
  log.CommitAll();
  log.ApplyCommitted([&](uint64_t index, std::span<const uint8_t> data) {
    const ProposalId id = IdOf(data);
    const bool found =
        index == 2 ? pending.Apply(id, Result::Rejected(index, kLongError))
                   : pending.Apply(id, Result::Applied(index));
    trace.push_back(fmt::format("apply {} {}", index, found));
  });
  trace.push_back(
      fmt::format("again {}", pending.Apply(ids[0], Result::Applied(9))));
  trace.push_back(fmt::format("pending {}", pending.PendingCount()));
  for (auto* w : {&w0, &w1, &w2}) {
    trace.push_back(fmt::format("ready {}", w->Ready()));
    trace.push_back(Settle(*w));
  }
  return trace;
}

TYPED_TEST(ProposalsEquivalenceTest, RoundTrip) {
  InMemoryRaftLog log;
  InMemoryRaftLog reference_log;
  log.RecordHistory(true);
  reference_log.RecordHistory(true);
  const auto got = RoundTripTrace<TypeParam>(log);
  const auto want = RoundTripTrace<ModelSide>(reference_log);
  EXPECT_EQ(got, want);
  EXPECT_EQ(log.history(), reference_log.history());
  // The entries, written out by hand.
  const auto commands = proposal::MakeCommands(3, 11);
  const auto ids = proposal::MakeProposalIds(2, 12);
  const std::vector<wire::Bytes> entries = {
      SingleEntry(ids[0], commands[0]), SingleEntry(ids[1], commands[1]),
      SingleEntry(ProposalId::ForBatch(3, 9), commands[2])};
  EXPECT_EQ(log.history(), entries);
  const std::vector<std::string> expected = {
      "entry left 0 bytes",
      "pending 3",
      "ready false false false",
      "apply 1 true",
      "apply 2 true",
      "apply 3 true",
      "again false",
      "pending 0",
      "ready true",
      "applied idx=1 err=''",
      "ready true",
      "rejected idx=2 err='" + kLongError + "'",
      "ready true",
      "applied idx=3 err=''"};
  EXPECT_EQ(got, expected);
}

template <typename Side>
std::vector<std::string> ErrorPathsTrace() {
  using Result = typename Side::Result;
  InMemoryRaftLog log;
  typename Side::Pending pending(4);
  const auto commands = proposal::MakeCommands(4, 21);
  const auto ids = proposal::MakeProposalIds(4, 22);
  std::vector<std::string> trace;
  // Not leader: answered at once, nothing pending, nothing appended.
  log.SetLeader(false);
  auto w0 = pending.Propose(ids[0], commands[0], log);
  trace.push_back(fmt::format("ready {} pending {} last {}", w0.Ready(),
                              pending.PendingCount(), log.last_index()));
  trace.push_back(Settle(w0));
  trace.push_back(
      fmt::format("apply {}", pending.Apply(ids[0], Result::Applied(1))));
  // A replaced id: the first waiter reads "channel closed".
  log.SetLeader(true);
  auto w1 = pending.Propose(ids[1], commands[1], log);
  auto w2 = pending.Propose(ids[1], commands[2], log);
  trace.push_back(fmt::format("ready {} {} pending {}", w1.Ready(), w2.Ready(),
                              pending.PendingCount()));
  trace.push_back(Settle(w1));
  // Replaced while not leader: the rollback removes the newer one.
  auto w3 = pending.Propose(ids[2], commands[3], log);
  log.SetLeader(false);
  auto w4 = pending.Propose(ids[2], commands[0], log);
  trace.push_back(Settle(w3));
  trace.push_back(Settle(w4));
  trace.push_back(fmt::format("pending {}", pending.PendingCount()));
  // An unknown id.
  trace.push_back(
      fmt::format("unknown {}", pending.Apply(ids[3], Result::Applied(5))));
  // A dropped waiter: the apply still finds its sender.
  log.SetLeader(true);
  { auto dropped = pending.Propose(ids[3], commands[1], log); }
  trace.push_back(fmt::format(
      "dropped {}", pending.Apply(ids[3], Result::Rejected(4, "late"))));
  trace.push_back(
      fmt::format("w2 {}", pending.Apply(ids[1], Result::Applied(2))));
  trace.push_back(Settle(w2));
  trace.push_back(fmt::format("pending {} last {}", pending.PendingCount(),
                              log.last_index()));
  return trace;
}

TYPED_TEST(ProposalsEquivalenceTest, ErrorPaths) {
  const auto got = ErrorPathsTrace<TypeParam>();
  EXPECT_EQ(got, ErrorPathsTrace<ModelSide>());
  const std::vector<std::string> expected = {
      "ready true pending 0 last 0",
      "not_leader idx=0 err='not leader'",
      "apply false",
      "ready true false pending 1",
      "channel_closed idx=0 err='channel closed'",
      "channel_closed idx=0 err='channel closed'",
      "not_leader idx=0 err='not leader'",
      "pending 1",
      "unknown false",
      "dropped true",
      "w2 true",
      "applied idx=2 err=''",
      "pending 0 last 4"};
  EXPECT_EQ(got, expected);
}

TYPED_TEST(ProposalsEquivalenceTest, ManyInFlightPastTheReservation) {
  // 3000 in flight against a reservation of 8: the after's map and pool grow.
  using Result = typename TypeParam::Result;
  InMemoryRaftLog log;
  typename TypeParam::Pending pending(8);
  const auto commands = proposal::MakeCommands(3000, 31);
  const auto ids = proposal::MakeProposalIds(3000, 32);
  std::vector<typename TypeParam::Waiter> waiters;
  for (size_t i = 0; i < ids.size(); ++i) {
    waiters.push_back(pending.Propose(ids[i], commands[i], log));
  }
  EXPECT_EQ(pending.PendingCount(), 3000U);
  log.CommitAll();
  // Applied in reverse, to shuffle the map's clusters while deleting.
  std::vector<std::pair<uint64_t, ProposalId>> entries;
  log.ApplyCommitted([&](uint64_t index, std::span<const uint8_t> data) {
    entries.emplace_back(index, IdOf(data));
  });
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    ASSERT_TRUE(pending.Apply(it->second, Result::Applied(it->first)));
  }
  EXPECT_EQ(pending.PendingCount(), 0U);
  for (size_t i = 0; i < waiters.size(); ++i) {
    ASSERT_TRUE(waiters[i].Ready()) << i;
    const Outcome o = ToOutcome(waiters[i].Wait());
    ASSERT_EQ(o, (Outcome{ProposalStatus::kApplied, i + 1, ""})) << i;
  }
}

// --- seeded random sequence -----------------------------------------------

template <typename Side>
class RandomRun {
 public:
  explicit RandomRun(uint64_t seed)
      : rng_(seed),
        commands_(proposal::MakeCommands(256, seed + 1)),
        pending_(64) {
    log_.RecordHistory(true);
  }

  void Step() {
    const uint64_t op = rng_() % 100;
    if (op < 40) {
      Propose(NewId());
    } else if (op < 44 && !ids_.empty()) {
      Propose(ids_[rng_() % ids_.size()]);  // an id proposed before
    } else if (op < 49) {
      log_.SetLeader(rng_() % 4 != 0);
      trace_.push_back(fmt::format("leader {}", log_.is_leader()));
    } else if (op < 64) {
      ApplyAll();
    } else if (op < 68) {
      trace_.push_back(fmt::format(
          "unknown {}", pending_.Apply(NewId(), Result::Applied(1))));
    } else if (op < 85 && !waiters_.empty()) {
      const size_t k = rng_() % waiters_.size();
      auto& [number, waiter] = waiters_[k];
      const bool ready = waiter.Ready();
      trace_.push_back(fmt::format("ready #{} {}", number, ready));
      if (ready) {
        trace_.push_back(
            fmt::format("#{} {}", number, Describe(ToOutcome(waiter.Wait()))));
        waiters_.erase(waiters_.begin() + static_cast<std::ptrdiff_t>(k));
      }
    } else if (op < 92 && !waiters_.empty()) {
      const size_t k = rng_() % waiters_.size();
      trace_.push_back(fmt::format("drop #{}", waiters_[k].first));
      waiters_.erase(waiters_.begin() + static_cast<std::ptrdiff_t>(k));
    } else {
      trace_.push_back(fmt::format("pending {}", pending_.PendingCount()));
    }
  }

  void Finish() {
    log_.SetLeader(true);
    ApplyAll();
    for (auto& [number, waiter] : waiters_) {
      trace_.push_back(fmt::format("#{} {}", number, Settle(waiter)));
    }
    waiters_.clear();
    trace_.push_back(fmt::format("pending {}", pending_.PendingCount()));
  }

  const std::vector<std::string>& trace() const { return trace_; }
  const std::vector<wire::Bytes>& log() const { return log_.history(); }

 private:
  using Result = typename Side::Result;

  ProposalId NewId() {
    // Sometimes 16-byte (batch-sized) ids, sometimes odd lengths.
    const uint64_t kind = rng_() % 10;
    if (kind == 0) return ProposalId::ForBatch(rng_() % 3, rng_());
    if (kind == 1) {
      std::vector<uint8_t> bytes(1 + rng_() % 16);
      for (auto& b : bytes) b = static_cast<uint8_t>(rng_());
      return *ProposalId::FromBytes(bytes);
    }
    return ProposalId::FromU64(rng_());
  }

  void Propose(ProposalId id) {  // by value: it may come from ids_
    ids_.push_back(id);
    const Command& command = commands_[rng_() % commands_.size()];
    const int number = next_waiter_++;
    waiters_.emplace_back(number, pending_.Propose(id, command, log_));
    trace_.push_back(fmt::format("propose #{} {}", number, id.ToHex()));
  }

  void ApplyAll() {
    log_.CommitAll();
    log_.ApplyCommitted([&](uint64_t index, std::span<const uint8_t> data) {
      const ProposalId id = IdOf(data);
      const bool reject = rng_() % 10 == 0;
      const std::string error =
          reject ? std::string(rng_() % 80, 'e') + kLongError : "";
      const bool found =
          reject ? pending_.Apply(id, Result::Rejected(index, error))
                 : pending_.Apply(id, Result::Applied(index));
      trace_.push_back(fmt::format("apply {} {}", index, found));
    });
  }

  std::mt19937_64 rng_;
  std::vector<Command> commands_;
  InMemoryRaftLog log_;
  typename Side::Pending pending_;
  std::vector<ProposalId> ids_;
  std::vector<std::pair<int, typename Side::Waiter>> waiters_;
  int next_waiter_ = 0;
  std::vector<std::string> trace_;
};

TYPED_TEST(ProposalsEquivalenceTest, SeededRandomSequence) {
  constexpr uint64_t kSeed = 20261123;
  constexpr int kOperations = 20000;
  RandomRun<TypeParam> run(kSeed);
  RandomRun<ModelSide> reference(kSeed);
  for (int i = 0; i < kOperations; ++i) {
    run.Step();
    reference.Step();
  }
  run.Finish();
  reference.Finish();
  ASSERT_GT(run.log().size(), 5000U) << "seed " << kSeed;
  EXPECT_EQ(run.log(), reference.log()) << "seed " << kSeed;
  ASSERT_EQ(run.trace().size(), reference.trace().size()) << "seed " << kSeed;
  for (size_t i = 0; i < run.trace().size(); ++i) {
    ASSERT_EQ(run.trace()[i], reference.trace()[i])
        << "seed " << kSeed << " at " << i;
  }
  // The sequence reached every error path.
  const auto count = [&](std::string_view needle) {
    return std::count_if(run.trace().begin(), run.trace().end(),
                         [&](const std::string& line) {
                           return line.find(needle) != std::string::npos;
                         });
  };
  EXPECT_GT(count("not_leader"), 0);
  EXPECT_GT(count("channel_closed"), 0);
  EXPECT_GT(count("rejected"), 0);
  EXPECT_GT(count("unknown false"), 0);
  EXPECT_GT(count("drop #"), 0);
}

// --- watchdogs -------------------------------------------------------------

// Joins `threads` once `progress` reaches `target`, and fails if it stops
// moving for kStall: a lost wake-up leaves a waiter asleep for good, which
// must fail the test, not hang it. On a stall the threads are left behind
// (detached) with the state they share, which they own through a
// shared_ptr.
constexpr auto kStall = std::chrono::seconds(10);

void RunWithWatchdog(const std::atomic<uint64_t>& progress, uint64_t target,
                     std::vector<std::thread> threads, const char* what) {
  uint64_t last = progress.load();
  auto last_move = std::chrono::steady_clock::now();
  while (last < target) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const uint64_t now = progress.load();
    if (now != last) {
      last = now;
      last_move = std::chrono::steady_clock::now();
    } else if (std::chrono::steady_clock::now() - last_move > kStall) {
      for (auto& t : threads) t.detach();
      FAIL() << what << ": no progress for " << kStall.count() << " s at "
             << last << " of " << target << " (a lost wake-up)";
    }
  }
  for (auto& t : threads) t.join();
}

// Runs `body` on a thread of its own and fails if it has not returned
// within `limit` (a bound far above its normal run time, sanitizers
// included). A body that never returns keeps its own locals alive, so the
// thread is left behind (detached).
void RunBounded(std::chrono::seconds limit, const char* what,
                std::function<void()> body) {
  auto done = std::make_shared<std::atomic<bool>>(false);
  std::thread runner([body = std::move(body), done] {
    body();
    done->store(true);
  });
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done->load()) {
    if (std::chrono::steady_clock::now() > deadline) {
      runner.detach();
      FAIL() << what << ": not done after " << limit.count()
             << " s (a waiter never woke?)";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  runner.join();
}

// --- threads --------------------------------------------------------------

// Proposers keep a window of waiters in flight while an applier commits and
// applies; leadership flaps when `flap` is set. Every waiter must read
// either the index of the entry holding its id, or "not leader".
template <typename Side>
void RunThreaded(bool flap) {
  using Result = typename Side::Result;
  constexpr size_t kThreads = 4;
  constexpr size_t kPerThread = 2000;
  constexpr size_t kWindow = 16;
  InMemoryRaftLog log;
  typename Side::Pending pending(64);
  const auto commands = proposal::MakeCommands(64, 41);
  const auto ids =
      proposal::MakeProposalIds(kThreads * kPerThread, 42, kThreads);
  std::mutex applied_mu;
  std::map<std::string, uint64_t> applied_at;  // id (hex) -> index
  std::atomic<size_t> finished{0};
  std::atomic<size_t> not_leader{0};
  std::atomic<bool> failed{false};

  std::thread applier([&] {
    uint64_t flips = 0;
    while (finished.load() < kThreads) {
      if (flap) log.SetLeader(++flips % 7 != 0);
      log.CommitAll();
      log.ApplyCommitted([&](uint64_t index, std::span<const uint8_t> data) {
        const ProposalId id = IdOf(data);
        {
          std::lock_guard lock(applied_mu);
          applied_at[id.ToHex()] = index;
        }
        pending.Apply(id, Result::Applied(index));
      });
      std::this_thread::yield();
    }
  });
  std::vector<std::thread> proposers;
  for (size_t t = 0; t < kThreads; ++t) {
    proposers.emplace_back([&, t] {
      std::vector<std::pair<ProposalId, typename Side::Waiter>> window;
      const auto settle =
          [&](std::pair<ProposalId, typename Side::Waiter>& item) {
            const Result r = item.second.Wait();
            if (r.status() == ProposalStatus::kNotLeader) {
              not_leader.fetch_add(1);
              return;
            }
            std::lock_guard lock(applied_mu);
            const auto it = applied_at.find(item.first.ToHex());
            if (!r.ok() || it == applied_at.end() ||
                it->second != r.log_index())
              failed = true;
          };
      for (size_t i = 0; i < kPerThread; ++i) {
        const ProposalId& id = ids[t * kPerThread + i];
        window.emplace_back(
            id, pending.Propose(id, commands[i % commands.size()], log));
        if (window.size() == kWindow) {
          for (auto& item : window) settle(item);
          window.clear();
        }
      }
      for (auto& item : window) settle(item);
      finished.fetch_add(1);
    });
  }
  for (auto& p : proposers) p.join();
  applier.join();
  EXPECT_FALSE(failed.load());
  EXPECT_EQ(pending.PendingCount(), 0U);
  EXPECT_EQ(log.last_index() + not_leader.load(), kThreads * kPerThread);
  if (!flap) {
    EXPECT_EQ(not_leader.load(), 0U);
  }
}

TYPED_TEST(ProposalsEquivalenceTest, ThreadsProposeWhileApplying) {
  RunBounded(std::chrono::seconds(60), "threads",
             [] { RunThreaded<TypeParam>(false); });
}

TYPED_TEST(ProposalsEquivalenceTest, ThreadsWithFlappingLeadership) {
  RunBounded(std::chrono::seconds(60), "threads, flapping leadership",
             [] { RunThreaded<TypeParam>(true); });
}

// --- the blocking Wait under stress ---------------------------------------

template <typename T>
class ResponseChannelStressTest : public ::testing::Test {};
TYPED_TEST_SUITE(ResponseChannelStressTest, ChannelSides);

// Two threads hand results back and forth, each waiting for the other's
// Send on every round trip, so most waits find nothing there yet and sleep.
constexpr uint64_t kRoundTrips = 100'000;

template <typename Side>
struct PingPongState {
  using Channel = typename Side::Channels::Channel;
  typename Side::Channels channels{2 * kRoundTrips};
  std::vector<Channel> ping;
  std::vector<Channel> pong;
  std::atomic<uint64_t> done{0};
  std::atomic<uint64_t> wrong{0};
};

TYPED_TEST(ResponseChannelStressTest, PingPong) {
  using Result = typename TypeParam::Result;
  auto shared = std::make_shared<PingPongState<TypeParam>>();
  for (uint64_t i = 0; i < kRoundTrips; ++i) {
    shared->ping.push_back(shared->channels.Open());
    shared->pong.push_back(shared->channels.Open());
  }
  std::vector<std::thread> threads;
  threads.emplace_back([shared] {
    for (uint64_t i = 0; i < kRoundTrips; ++i) {
      shared->ping[i].sender.Send(Result::Applied(i));
      const Result r = shared->pong[i].waiter.Wait();
      if (r.log_index() != i + 1) shared->wrong.fetch_add(1);
      shared->done.store(i + 1);
    }
  });
  threads.emplace_back([shared] {
    for (uint64_t i = 0; i < kRoundTrips; ++i) {
      const Result r = shared->ping[i].waiter.Wait();
      if (r.log_index() != i) shared->wrong.fetch_add(1);
      shared->pong[i].sender.Send(Result::Applied(i + 1));
    }
  });
  RunWithWatchdog(shared->done, kRoundTrips, std::move(threads), "ping-pong");
  EXPECT_EQ(shared->wrong.load(), 0U);
}

// Eight waiter threads open channels and wait on each while eight completer
// threads answer them in whatever order they come; one in seven senders is
// dropped instead, which must wake its waiter with "channel closed".
constexpr uint64_t kWaiterThreads = 8;
constexpr uint64_t kCompleterThreads = 8;
constexpr uint64_t kPerWaiter = 10'000;
constexpr uint64_t kManyTotal = kWaiterThreads * kPerWaiter;

template <typename Side>
struct ManyState {
  using Sender =
      decltype(std::declval<typename Side::Channels::Channel>().sender);
  typename Side::Channels channels{kWaiterThreads};
  // The test's own queue: its condition variable is rechecked every
  // millisecond, so only the channels' Wait can stall the run.
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::pair<uint64_t, Sender>> queue;
  std::atomic<uint64_t> taken{0};
  std::atomic<uint64_t> done{0};
  std::atomic<uint64_t> wrong{0};
  std::atomic<uint64_t> closed{0};
};

// Waiter thread `w`: opens a channel, queues its sender, waits.
template <typename Side>
void WaitEach(ManyState<Side>& shared, uint64_t w) {
  for (uint64_t i = 0; i < kPerWaiter; ++i) {
    const uint64_t tag = w * kPerWaiter + i;
    auto channel = shared.channels.Open();
    {
      std::lock_guard lock(shared.mu);
      shared.queue.emplace_back(tag, std::move(channel.sender));
    }
    shared.cv.notify_one();
    const typename Side::Result r = channel.waiter.Wait();
    const bool dropped = tag % 7 == 0;
    const bool right = dropped ? r.status() == ProposalStatus::kChannelClosed
                               : r.ok() && r.log_index() == tag;
    if (!right) shared.wrong.fetch_add(1);
    if (dropped) shared.closed.fetch_add(1);
    shared.done.fetch_add(1);
  }
}

// Completer thread: answers queued senders until all have been taken.
template <typename Side>
void CompleteQueued(ManyState<Side>& shared) {
  while (shared.taken.load() < kManyTotal) {
    std::optional<std::pair<uint64_t, typename ManyState<Side>::Sender>> item;
    {
      std::unique_lock lock(shared.mu);
      if (!shared.cv.wait_for(lock, std::chrono::milliseconds(1),
                              [&] { return !shared.queue.empty(); })) {
        continue;
      }
      item.emplace(std::move(shared.queue.front()));
      shared.queue.pop_front();
    }
    shared.taken.fetch_add(1);
    auto& [tag, sender] = *item;
    if (tag % 7 != 0) sender.Send(Side::Result::Applied(tag));
    // else: dropped unspent at the end of this pass, closing the channel
  }
}

TYPED_TEST(ResponseChannelStressTest, ManyWaitersAndCompleters) {
  auto shared = std::make_shared<ManyState<TypeParam>>();
  std::vector<std::thread> threads;
  for (uint64_t w = 0; w < kWaiterThreads; ++w) {
    threads.emplace_back([shared, w] { WaitEach<TypeParam>(*shared, w); });
  }
  for (uint64_t c = 0; c < kCompleterThreads; ++c) {
    threads.emplace_back([shared] { CompleteQueued<TypeParam>(*shared); });
  }
  RunWithWatchdog(shared->done, kManyTotal, std::move(threads),
                  "many waiters and completers");
  EXPECT_EQ(shared->wrong.load(), 0U);
  EXPECT_EQ(shared->closed.load(), (kManyTotal + 6) / 7);
}

// --- shared vocabulary ----------------------------------------------------

// --- the after's entry pool -------------------------------------------------

// The after's zero allocations come from the log handing each entry buffer
// back once applied (or refused), not from the log copying: every buffer
// lent to the log comes back, and the next rounds reserve nothing anew.
TEST(ProposalsEntryPool, EntriesHandedToTheLogComeBackWhenApplied) {
  constexpr size_t kCount = 200;
  after::PendingProposals pending(1024);
  const after::EntryPool& pool = pending.entry_pool();
  InMemoryRaftLog log;
  log.RecordHistory(true);
  const auto commands = proposal::MakeCommands(kCount, 31);
  const auto ids = proposal::MakeProposalIds(kCount, 32);
  std::vector<after::Waiter> waiters;
  uint64_t fresh_after_first_round = 0;
  for (int round = 0; round < 3; ++round) {
    for (size_t i = 0; i < kCount; ++i) {
      waiters.push_back(pending.Propose(ids[i], commands[i], log));
    }
    EXPECT_EQ(pool.lent(), kCount) << "round " << round;  // the log holds them
    log.CommitAll();
    size_t applied = 0;
    log.ApplyCommitted([&](uint64_t index, std::span<const uint8_t> data) {
      EXPECT_EQ(wire::Bytes(data.begin(), data.end()),
                SingleEntry(ids[applied], commands[applied]));
      pending.Apply(IdOf(data), after::ProposalResult::Applied(index));
      ++applied;
    });
    EXPECT_EQ(applied, kCount);
    EXPECT_EQ(pool.lent(), 0U) << "round " << round;  // all handed back
    EXPECT_EQ(pool.idle(), kCount) << "round " << round;
    for (auto& waiter : waiters) EXPECT_TRUE(waiter.Wait().ok());
    waiters.clear();
    if (round == 0) fresh_after_first_round = pool.fresh();
  }
  EXPECT_EQ(fresh_after_first_round, kCount);
  EXPECT_EQ(pool.fresh(), kCount);  // rounds 2 and 3 reused them all
  // A refused entry comes back at once.
  log.SetLeader(false);
  auto refused = pending.Propose(ids[0], commands[0], log);
  EXPECT_EQ(refused.Wait().status(), ProposalStatus::kNotLeader);
  EXPECT_EQ(pool.lent(), 0U);
  EXPECT_EQ(pool.idle(), kCount);
  EXPECT_EQ(pool.fresh(), kCount);
  EXPECT_EQ(log.history().size(), 3 * kCount);
}

TEST(ProposalsEntryPool, KeepsABoundedNumberIdle) {
  after::EntryPool pool(8);
  EXPECT_EQ(pool.keep_for(300), 8U);
  EXPECT_EQ(pool.keep_for(size_t{1} << 20), 4U);  // 4 MiB of 1 MiB buffers
  EXPECT_EQ(pool.keep_for(size_t{2} << 20), 2U);
  EXPECT_EQ(pool.keep_for((size_t{2} << 20) + 1), 0U);  // never pooled
  {
    std::vector<wire::OwnedBytes> held;
    for (size_t i = 0; i < 20; ++i) held.push_back(pool.Acquire(300));
    for (size_t i = 0; i < 6; ++i) held.push_back(pool.Acquire(1000 * 1000));
    EXPECT_TRUE(held[0].lent());
    EXPECT_TRUE(held[0].bytes().empty());
    EXPECT_EQ(held[0].bytes().capacity(), 512U);  // its size class
    EXPECT_EQ(held[20].bytes().capacity(), size_t{1} << 20);
    wire::OwnedBytes huge = pool.Acquire((size_t{2} << 20) + 1);
    EXPECT_FALSE(huge.lent());  // past every class: a plain buffer
    EXPECT_EQ(pool.lent(), 26U);
    EXPECT_EQ(pool.fresh(), 26U);
  }
  EXPECT_EQ(pool.lent(), 0U);
  EXPECT_EQ(pool.idle(300), 8U);
  EXPECT_EQ(pool.idle(1000 * 1000), 4U);
  EXPECT_EQ(pool.idle(), 12U);
  // A buffer a holder grew goes back to the class it now fills.
  {
    wire::OwnedBytes grown = pool.Acquire(300);
    grown.bytes().resize(5000);
    EXPECT_EQ(pool.idle(300), 7U);
  }
  EXPECT_EQ(pool.idle(300), 7U);
  // 5000 bytes of capacity fill the 4 KiB class, not the 8 KiB one.
  EXPECT_EQ(pool.idle(4096), 1U);
  EXPECT_EQ(pool.idle(5000), 0U);
  EXPECT_GE(pool.Acquire(4096).bytes().capacity(), 4096U);
  EXPECT_EQ(pool.idle(4096), 1U);
}

// The log may outlive the pending map that lent its entries (and a pool
// the buffers it lent): such a buffer is freed by its last holder.
TEST(ProposalsEntryPool, BuffersMayOutliveThePool) {
  InMemoryRaftLog log;
  const auto commands = proposal::MakeCommands(10, 41);
  const auto ids = proposal::MakeProposalIds(10, 42);
  {
    after::PendingProposals pending(16);
    for (size_t i = 0; i < 10; ++i) {
      auto waiter = pending.Propose(ids[i], commands[i], log);
      EXPECT_FALSE(waiter.Ready());
    }
    EXPECT_EQ(pending.entry_pool().lent(), 10U);
  }
  wire::OwnedBytes kept;
  {
    after::EntryPool pool(4);
    kept = pool.Acquire(100);
    kept.bytes().assign(100, 7);
  }
  EXPECT_TRUE(kept.lent());
  EXPECT_EQ(kept.bytes().size(), 100U);
  kept = wire::OwnedBytes();
  log.CommitAll();
  EXPECT_EQ(log.ApplyCommitted([](uint64_t, std::span<const uint8_t>) {}), 10U);
}

// The applier hands buffers back from its own thread while proposers take
// them, as in the pipeline.
TEST(ProposalsEntryPool, TakesBackFromTheApplierThread) {
  constexpr size_t kCount = 20000;
  after::PendingProposals pending(64);
  InMemoryRaftLog log;
  const auto commands = proposal::MakeCommands(64, 51);
  const auto ids = proposal::MakeProposalIds(kCount, 52);
  std::atomic<bool> done{false};
  std::atomic<size_t> applied{0};
  auto applier = std::async(std::launch::async, [&] {
    while (!done.load() || applied.load() < kCount) {
      log.CommitAll();
      applied += log.ApplyCommitted(
          [&](uint64_t index, std::span<const uint8_t> data) {
            pending.Apply(IdOf(data), after::ProposalResult::Applied(index));
          });
      std::this_thread::yield();
    }
  });
  for (size_t i = 0; i < kCount; ++i) {
    auto waiter = pending.Propose(ids[i], commands[i % commands.size()], log);
    (void)waiter;  // dropped unread: the applier's answer goes nowhere
  }
  done = true;
  ASSERT_EQ(applier.wait_for(std::chrono::seconds(20)),
            std::future_status::ready);
  EXPECT_EQ(applied.load(), kCount);
  EXPECT_EQ(pending.entry_pool().lent(), 0U);
  EXPECT_LE(
      pending.entry_pool().idle(),
      (after::EntryPool::kMaxClass - after::EntryPool::kMinClass + 1) * 64);
}

TEST(ProposalVocabulary, EntriesRoundTripAndSizesAreExact) {
  const auto commands = proposal::MakeCommands(500, 51);
  const auto ids = proposal::MakeProposalIds(500, 52);
  for (size_t i = 0; i < commands.size(); ++i) {
    const size_t size = proposal::CommandSize(commands[i]);
    EXPECT_GE(size, 50U);
    EXPECT_LE(size, 500U);
    EXPECT_EQ(proposal::SerializeCommandToVector(commands[i]).size(), size);
    const wire::Bytes entry = SingleEntry(ids[i], commands[i]);
    EXPECT_EQ(entry.size(), proposal::SingleEntrySize(ids[i], commands[i]));
    proposal::EntryReader reader(entry);
    ProposalId id;
    Command command;
    ASSERT_TRUE(reader.Next(id, command));
    EXPECT_EQ(id, ids[i]);
    EXPECT_EQ(command, commands[i]);
    EXPECT_FALSE(reader.Next(id, command));
    EXPECT_TRUE(reader.ok());
  }
  // Truncations are rejected, not misread.
  const wire::Bytes entry = SingleEntry(ids[0], commands[0]);
  for (size_t cut = 0; cut < entry.size(); ++cut) {
    proposal::EntryReader reader(std::span<const uint8_t>(entry).first(cut));
    ProposalId id;
    proposal::CommandView view;
    EXPECT_FALSE(reader.ok() && reader.Next(id, view)) << cut;
  }
}

TEST(ProposalVocabulary, IdsAreInlineAndBounded) {
  EXPECT_EQ(ProposalId::FromU64(1).size(), 8U);
  EXPECT_EQ(ProposalId::ForBatch(1, 2).size(), 16U);
  EXPECT_NE(ProposalId::ForBatch(1, 2), ProposalId::ForBatch(1, 3));
  EXPECT_FALSE(ProposalId::FromBytes({}).has_value());
  const std::vector<uint8_t> seventeen(17, 1);
  EXPECT_FALSE(ProposalId::FromBytes(seventeen).has_value());
  const auto ids = proposal::MakeProposalIds(10000, 7);
  std::set<std::string> distinct;
  for (const auto& id : ids) distinct.insert(id.ToHex());
  EXPECT_EQ(distinct.size(), ids.size());
}

}  // namespace
}  // namespace hotpath::proposals
