// scenarios/StatusQueries/<variant>/members:N/real_time/threads:T: reader
// threads asking the shared node state who leads, the term, the member count,
// whether a peer exists and a peer's address, while thread 0 also writes:
// peers re-joining and heartbeating, leadership changing, 1% of all
// operations (HOTPATHS.md: reads outnumber writes 99 to 1). One node state is
// shared by all threads of a run; clusters of 3, 5 and 50; 1, 2, 4, 8 threads.
//
// Every thread replays a fixed, seeded plan of kOpsPerPass operations per
// iteration, so allocations and lock acquisitions per op are exact. The
// writes keep the membership's size and every peer's shape unchanged (a
// re-join replaces a peer with an equal-sized record), so what a reader
// copies does not depend on when it ran; join/leave churn is measured
// single-threaded (membership/AddRemovePeer) and stressed in the tests.
// Wait and hold times are timing: read them over repetitions.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <string_view>
#include <vector>

#include "benches/harness/bench_support.h"
#include "benches/harness/lock_support.h"
#include "common/cluster/peer_info.h"
#include "impl_after/membership/node_state.h"
#include "impl_before/membership/node_state.h"

namespace hotpath::membership {
namespace {

constexpr size_t kOpsPerPass = 400;
// One write per 100 operations of the whole run, all on thread 0.
constexpr size_t kWritesPerThreadPerPass = kOpsPerPass / 100;
constexpr uint64_t kSelf = 1;

enum class Op : uint8_t {
  kHasPeer,
  kIsLeader,
  kWithPeer,
  kTerm,
  kLeaderId,
  kMemberCount,
  kStatus,
  // Writes.
  kRejoin,
  kMarkSeen,
  kBecomeLeader,
  kBecomeFollower,
};

// The read mix, in percent: peer-exists on every message send, the leader
// check before every proposal, then address lookups, term, leader id,
// member count and the status call.
constexpr std::array<std::pair<Op, int>, 7> kReadMix = {{
    {Op::kHasPeer, 30},
    {Op::kIsLeader, 25},
    {Op::kWithPeer, 15},
    {Op::kTerm, 10},
    {Op::kLeaderId, 10},
    {Op::kMemberCount, 5},
    {Op::kStatus, 5},
}};

struct Step {
  Op op;
  uint64_t peer;  // 1..members
};

// Thread t's pass: seeded reads, and on thread 0 the run's writes spread
// evenly: a re-join, a heartbeat, gaining and losing leadership, in turn.
std::vector<Step> Plan(int thread, int threads, uint64_t members) {
  std::mt19937_64 rng(0x5eed0000ULL + static_cast<uint64_t>(thread));
  std::vector<Op> bag;
  for (const auto& [op, percent] : kReadMix)
    bag.insert(bag.end(), static_cast<size_t>(percent), op);
  std::vector<Step> plan(kOpsPerPass);
  for (auto& step : plan) {
    step.op = bag[rng() % bag.size()];
    step.peer = 1 + rng() % members;
  }
  if (thread == 0) {
    const size_t writes =
        kWritesPerThreadPerPass * static_cast<size_t>(threads);
    for (size_t w = 0; w < writes; ++w) {
      static constexpr std::array<Op, 4> kWrites = {
          Op::kRejoin, Op::kMarkSeen, Op::kBecomeLeader, Op::kBecomeFollower};
      Step& step = plan[(2 * w + 1) * kOpsPerPass / (2 * writes)];
      step.op = kWrites[w % kWrites.size()];
      step.peer = 1 + (w / kWrites.size()) % members;
    }
  }
  return plan;
}

template <typename NodeState>
struct Shared {
  static inline std::unique_ptr<NodeState> node;
  static inline std::vector<cluster::PeerInfo> peers;  // peers[id - 1]
  static inline std::atomic<uint64_t> term{0};

  static void SetUp(const benchmark::State& state) {
    const auto members = static_cast<uint64_t>(state.range(0));
    node = std::make_unique<NodeState>();
    peers.clear();
    for (uint64_t id = 1; id <= members; ++id) {
      peers.push_back(cluster::MakePeer(id));
      node->AddPeer(peers.back());
    }
    node->SetInitialized(true);
    term = 1;
    node->SetLeadership(true, kSelf, term);
  }
  static void TearDown(const benchmark::State& /*state*/) {
    node.reset();
    peers.clear();
  }
};

template <typename NodeState>
uint64_t RunStep(NodeState& node, const Step& step) {
  using S = Shared<NodeState>;
  switch (step.op) {
    case Op::kHasPeer:
      return node.HasPeer(step.peer) ? 1 : 0;
    case Op::kIsLeader:
      return node.IsLeader() ? 1 : 0;
    case Op::kWithPeer: {
      uint64_t bytes = 0;
      node.WithPeer(step.peer, [&](const cluster::PeerInfo& p) {
        bytes = p.address.size();
      });
      return bytes;
    }
    case Op::kTerm:
      return node.Term();
    case Op::kLeaderId:
      return node.LeaderId();
    case Op::kMemberCount:
      return node.MemberCount();
    case Op::kStatus:
      return node.Status().term;
    case Op::kRejoin:
      node.AddPeer(S::peers[step.peer - 1]);
      return 0;
    case Op::kMarkSeen: {
      const uint64_t beat = S::term.load(std::memory_order_relaxed);
      const auto seen = std::chrono::system_clock::time_point(
          std::chrono::seconds(1'800'000'000 + beat));
      return node.MarkPeerSeen(
                 step.peer, seen,
                 {1.0 + static_cast<double>(beat % 5), 1000, 0.001, 0.99})
                 ? 1
                 : 0;
    }
    case Op::kBecomeLeader:
      node.SetLeadership(true, kSelf, ++S::term);
      return 0;
    case Op::kBecomeFollower:
      node.SetLeadership(false, 2, ++S::term);
      return 0;
  }
  return 0;
}

template <typename NodeState>
void BM_StatusQueries(benchmark::State& state) {
  const auto members = static_cast<uint64_t>(state.range(0));
  const std::vector<Step> plan =
      Plan(state.thread_index(), state.threads(), members);
  NodeState& node = *Shared<NodeState>::node;
  uint64_t sink = 0;
  for (const Step& step : plan) sink += RunStep(node, step);  // warm-up
  harness::AllocationScope allocations(state, kOpsPerPass);
  harness::LockScope locks(state, kOpsPerPass);
  for (auto _ : state) {
    for (const Step& step : plan) sink += RunStep(node, step);
    benchmark::DoNotOptimize(sink);
  }
  allocations.Report();  // first: the lock report's counters allocate
  locks.Report();
  if (state.thread_index() != 0) return;
  uint64_t present = 0;
  for (uint64_t id = 1; id <= members; ++id) present += node.HasPeer(id);
  if (node.MemberCount() != members || present != members) {
    state.SkipWithError(fmt::format("membership changed: {} members, {} found",
                                    node.MemberCount(), present)
                            .c_str());
  }
}

template <typename NodeState>
void Register(std::string_view variant) {
  benchmark::RegisterBenchmark(
      fmt::format("scenarios/StatusQueries/{}", variant).c_str(),
      BM_StatusQueries<NodeState>)
      ->ArgName("members")
      ->Arg(3)
      ->Arg(5)
      ->Arg(50)
      ->Threads(1)
      ->Threads(2)
      ->Threads(4)
      ->Threads(8)
      ->UseRealTime()
      ->Setup(Shared<NodeState>::SetUp)
      ->Teardown(Shared<NodeState>::TearDown);
}

const bool kRegistered = [] {
  Register<before::SharedNodeState>("before");
  Register<after::SharedNodeState>("after");
  return true;
}();

}  // namespace
}  // namespace hotpath::membership
