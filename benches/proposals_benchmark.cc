// proposals/<Operation>/<variant>: the pending-proposal map on the before
// and after sides and two peers: std_promise (std::promise/std::future and
// std::unordered_map, benches/peers/std_promise_proposals.h) and
// absl_flat_hash_map (the before with Abseil's SwissTable as the map,
// benches/peers/absl_proposals.h). One iteration replays the same 1000
// proposals (create-VM and status-update commands of 50-500 bytes, 8-byte
// hashed ids), so allocations per op are exact; an op is one proposal.
//   ProposeApply/inflight:N      propose N, commit, apply N, read N waiters
//   ProposeNotLeader             propose, roll back, answer "not leader"
//   ProposeApplyContended        the same round trip, threads sharing one map
//                                (each with its own log), inflight 100
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <type_traits>
#include <vector>

#include "benches/harness/bench_support.h"
#include "benches/peers/std_promise_proposals.h"
#include "common/proposal/command.h"
#include "common/proposal/proposal_id.h"
#include "common/proposal/raft_log.h"
#include "common/proposal/result.h"
#include "common/proposal/workload.h"
#include "impl_after/proposals/pending_proposals.h"
#include "impl_before/proposals/pending_proposals.h"

#if HOTPATH_HAVE_ABSL
#include "benches/peers/absl_proposals.h"
#endif

namespace hotpath::proposals {
namespace {

using proposal::Command;
using proposal::InMemoryRaftLog;
using proposal::ProposalId;

struct Before {
  static constexpr std::string_view kName = "before";
  using Pending = before::PendingProposals;
  using Result = before::ProposalResult;
  using Waiter = before::Waiter;
};
struct After {
  static constexpr std::string_view kName = "after";
  using Pending = after::PendingProposals;
  using Result = after::ProposalResult;
  using Waiter = after::Waiter;
};
struct StdPromise {
  static constexpr std::string_view kName = "std_promise";
  using Pending = std_promise::PendingProposals;
  using Result = std_promise::ProposalResult;
  using Waiter = std_promise::Waiter;
};
#if HOTPATH_HAVE_ABSL
struct AbslFlatHashMap {
  static constexpr std::string_view kName = "absl_flat_hash_map";
  using Pending = absl_flat_hash_map::PendingProposals;
  using Result = absl_flat_hash_map::ProposalResult;
  using Waiter = absl_flat_hash_map::Waiter;
};
#endif

constexpr size_t kProposals = 1000;

const std::vector<Command>& Commands() {
  static const auto commands = proposal::MakeCommands(kProposals, 1);
  return commands;
}

// Per thread, so contended runs never share an id.
std::vector<ProposalId> Ids(int thread) {
  return proposal::MakeProposalIds(kProposals,
                                   2 + static_cast<uint64_t>(thread));
}

struct PassResult {
  size_t ok = 0;
  size_t not_leader = 0;
  uint64_t index_sum = 0;
};

// Proposes every command in windows of `inflight`, committing and applying
// each window and reading its waiters.
template <typename Side>
class Driver {
 public:
  Driver(typename Side::Pending& pending, std::vector<ProposalId> ids,
         size_t inflight)
      : pending_(pending), ids_(std::move(ids)), inflight_(inflight) {
    waiters_.reserve(inflight);
  }

  InMemoryRaftLog& log() { return log_; }

  PassResult Pass() {
    PassResult result;
    const auto& commands = Commands();
    for (size_t start = 0; start < kProposals; start += inflight_) {
      const size_t end = std::min(kProposals, start + inflight_);
      for (size_t i = start; i < end; ++i) {
        waiters_.push_back(pending_.Propose(ids_[i], commands[i], log_));
      }
      log_.CommitAll();
      log_.ApplyCommitted(
          [this](uint64_t index, std::span<const uint8_t> data) {
            pending_.Apply(proposal::EntryReader(data).id(),
                           Side::Result::Applied(index));
          });
      for (auto& waiter : waiters_) {
        const auto r = waiter.Wait();
        result.ok += r.ok() ? 1 : 0;
        result.not_leader +=
            r.status() == proposal::ProposalStatus::kNotLeader ? 1 : 0;
        result.index_sum += r.log_index();
      }
      waiters_.clear();
    }
    return result;
  }

 private:
  typename Side::Pending& pending_;
  std::vector<ProposalId> ids_;
  size_t inflight_;
  InMemoryRaftLog log_;
  std::vector<typename Side::Waiter> waiters_;
};

template <typename Side>
void BM_ProposeApply(benchmark::State& state) {
  const auto inflight = static_cast<size_t>(state.range(0));
  typename Side::Pending pending(1024);
  Driver<Side> driver(pending, Ids(0), inflight);
  driver.Pass();  // warm-up: pools, buffers and maps reach their size
  harness::AllocationScope allocations(state, static_cast<double>(kProposals));
  if (std::is_same_v<Side, After>) allocations.ExpectAtMost(0);
  for (auto _ : state) {
    PassResult r = driver.Pass();
    benchmark::DoNotOptimize(r);
  }
  allocations.Report();
  // Pass n applies entries (n-1)*1000+1 .. n*1000.
  const uint64_t last = driver.log().last_index();
  const uint64_t first = last + 1;
  const PassResult check = driver.Pass();
  const uint64_t want = kProposals * first + kProposals * (kProposals - 1) / 2;
  if (check.ok != kProposals || check.index_sum != want) {
    state.SkipWithError("a proposal was not applied at its index");
  }
}

template <typename Side>
void BM_ProposeNotLeader(benchmark::State& state) {
  typename Side::Pending pending(1024);
  Driver<Side> driver(pending, Ids(0), 100);
  driver.log().SetLeader(false);
  driver.Pass();
  harness::AllocationScope allocations(state, static_cast<double>(kProposals));
  if (std::is_same_v<Side, After>) allocations.ExpectAtMost(0);
  for (auto _ : state) {
    PassResult r = driver.Pass();
    benchmark::DoNotOptimize(r);
  }
  allocations.Report();
  const PassResult check = driver.Pass();
  if (check.not_leader != kProposals || pending.PendingCount() != 0 ||
      driver.log().last_index() != 0) {
    state.SkipWithError("not every proposal was rolled back");
  }
}

// One map per variant for the whole process, shared by all threads (each
// thread has its own log: the map's lock is what is contended).
// Warmed once with every command twice in flight (2000, more than two
// threads' 2 x 100 of any two windows), so no run grows it: the flat maps
// keep their slots, std::unordered_map (std_promise) its buckets, the
// after's entry pool a buffer of each size class for every entry two
// windows can hold at once, and concurrent warm-ups need not reach the peak
// on their own.
template <typename Side>
typename Side::Pending& SharedPending() {
  static typename Side::Pending pending(1024);
  static const bool warmed = [] {
    InMemoryRaftLog log;
    const auto ids = proposal::MakeProposalIds(2 * kProposals, 99);
    std::vector<typename Side::Waiter> waiters;
    waiters.reserve(ids.size());
    for (size_t i = 0; i < ids.size(); ++i) {
      waiters.push_back(
          pending.Propose(ids[i], Commands()[i % kProposals], log));
    }
    for (const ProposalId& id : ids)
      pending.Apply(id, Side::Result::Applied(1));
    return true;
  }();
  (void)warmed;
  return pending;
}

template <typename Side>
void BM_ProposeApplyContended(benchmark::State& state) {
  Driver<Side> driver(SharedPending<Side>(), Ids(state.thread_index()), 100);
  driver.Pass();
  harness::AllocationScope allocations(state, static_cast<double>(kProposals));
  PassResult last;
  for (auto _ : state) {
    last = driver.Pass();
    benchmark::DoNotOptimize(last);
  }
  allocations.Report();
  if (last.ok != kProposals) state.SkipWithError("a proposal was not applied");
}

template <typename Side>
void RegisterVariant() {
  const auto name = [](std::string_view operation) {
    return fmt::format("proposals/{}/{}", operation, Side::kName);
  };
  benchmark::RegisterBenchmark(name("ProposeApply").c_str(),
                               BM_ProposeApply<Side>)
      ->ArgName("inflight")
      ->Arg(1)
      ->Arg(10)
      ->Arg(100)
      ->Arg(1000);
  benchmark::RegisterBenchmark(name("ProposeNotLeader").c_str(),
                               BM_ProposeNotLeader<Side>);
  benchmark::RegisterBenchmark(name("ProposeApplyContended").c_str(),
                               BM_ProposeApplyContended<Side>)
      ->ThreadRange(1, 2)
      ->UseRealTime();
}

const bool kRegistered = [] {
  RegisterVariant<Before>();
  RegisterVariant<After>();
  RegisterVariant<StdPromise>();
#if HOTPATH_HAVE_ABSL
  RegisterVariant<AbslFlatHashMap>();
#endif
  return true;
}();

}  // namespace
}  // namespace hotpath::proposals
