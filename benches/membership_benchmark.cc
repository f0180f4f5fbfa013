// membership/<Accessor>/<variant>/members:N: each accessor of the shared node
// state, single-threaded, on clusters of 3, 5 and 50 peers, with exact
// allocations and lock acquisitions per call. One iteration replays a fixed
// pass (every member once for per-peer calls), so the counts do not depend on
// the iteration count. Variants: before, after, and the peers on the seed's
// own tools as Debian packages them (benches/peers/): absl_mutex, every
// accessor; tbb_concurrent_hash_map, the peer-map accessors it has.
// membership/UncontendedLock/... prices the lock instrumentation itself
// against the bare rwlock it wraps.
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <pthread.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "benches/harness/bench_support.h"
#include "benches/harness/lock_support.h"
#include "common/cluster/peer_info.h"
#include "common/sync/instrumented_shared_mutex.h"
#include "impl_after/membership/node_state.h"
#include "impl_before/membership/node_state.h"
#ifdef HOTPATH_HAVE_MEMBERSHIP_PEERS
#include "benches/peers/absl_membership.h"
#include "benches/peers/tbb_membership.h"
#endif

namespace hotpath::membership {
namespace {

struct Before {
  using NodeState = before::SharedNodeState;
  static constexpr std::string_view kName = "before";
};
struct After {
  using NodeState = after::SharedNodeState;
  static constexpr std::string_view kName = "after";
};
#ifdef HOTPATH_HAVE_MEMBERSHIP_PEERS
struct AbslMutex {
  using NodeState = absl_mutex::SharedNodeState;
  static constexpr std::string_view kName = "absl_mutex";
};
struct TbbConcurrentHashMap {
  using NodeState = tbb_concurrent_hash_map::SharedNodeState;
  static constexpr std::string_view kName = "tbb_concurrent_hash_map";
};
#endif

// What a variant offers beyond the peer map (the TBB peer has neither).
template <typename NodeState>
concept HasLeadership = requires(NodeState& n) {
  n.SetLeadership(true, 1, 1);
  n.SetInitialized(true);
  n.Status();
  n.TryStatus();
};
template <typename NodeState>
concept VisitsAllMembers = requires(const NodeState& n) {
  n.ClusterMembers();
  n.WithClusterMembers([](const cluster::PeerInfo&) {});
};

constexpr uint64_t kSelf = 1;

template <typename NodeState>
std::unique_ptr<NodeState> MakeCluster(size_t members) {
  auto state = std::make_unique<NodeState>();
  for (uint64_t id = 1; id <= members; ++id) {
    state->AddPeer(cluster::MakePeer(id));
  }
  if constexpr (HasLeadership<NodeState>) {
    state->SetInitialized(true);
    state->SetLeadership(true, kSelf, 7);
  }
  return state;
}

// Warms up with one pass, then times passes with exact per-op counters.
// `pass` returns a value that is kept alive and checked against `expected`
// once, outside the loop.
template <typename Variant, typename Pass>
void RunPasses(benchmark::State& state, double ops_per_pass, uint64_t expected,
               Pass&& pass) {
  const auto members = static_cast<size_t>(state.range(0));
  auto node = MakeCluster<typename Variant::NodeState>(members);
  const uint64_t first = pass(*node, members);
  harness::AllocationScope allocations(state, ops_per_pass);
  harness::LockScope locks(state, ops_per_pass);
  for (auto _ : state) {
    uint64_t result = pass(*node, members);
    benchmark::DoNotOptimize(result);
  }
  allocations.Report();  // first: the lock report's counters allocate
  locks.Report();
  if (first != expected) {
    state.SkipWithError(
        fmt::format("got {}, want {}", first, expected).c_str());
  }
}

uint64_t Members(const benchmark::State& state) {
  return static_cast<uint64_t>(state.range(0));
}

template <typename Variant>
void BM_IsLeader(benchmark::State& state) {
  RunPasses<Variant>(state, 1, 1, [](const auto& node, size_t) {
    return static_cast<uint64_t>(node.IsLeader());
  });
}

template <typename Variant>
void BM_LeaderId(benchmark::State& state) {
  RunPasses<Variant>(state, 1, kSelf,
                     [](const auto& node, size_t) { return node.LeaderId(); });
}

template <typename Variant>
void BM_Term(benchmark::State& state) {
  RunPasses<Variant>(state, 1, 7,
                     [](const auto& node, size_t) { return node.Term(); });
}

template <typename Variant>
void BM_IsInitialized(benchmark::State& state) {
  RunPasses<Variant>(state, 1, 1, [](const auto& node, size_t) {
    return static_cast<uint64_t>(node.IsInitialized());
  });
}

template <typename Variant>
void BM_Status(benchmark::State& state) {
  // role length + leader + term: 6 + 1 + 7.
  RunPasses<Variant>(state, 1, 14, [](const auto& node, size_t) {
    const auto status = node.Status();
    return status.role.size() + status.leader_id + status.term;
  });
}

template <typename Variant>
void BM_TryStatus(benchmark::State& state) {
  // As Status; uncontended, so never "busy".
  RunPasses<Variant>(state, 1, 14, [](const auto& node, size_t) {
    const auto status = node.TryStatus();
    return status ? status->role.size() + status->leader_id + status->term : 0;
  });
}

template <typename Variant>
void BM_MemberCount(benchmark::State& state) {
  RunPasses<Variant>(state, 1, Members(state), [](const auto& node, size_t) {
    return static_cast<uint64_t>(node.MemberCount());
  });
}

template <typename Variant>
void BM_HasPeer(benchmark::State& state) {
  RunPasses<Variant>(state, static_cast<double>(Members(state)), Members(state),
                     [](const auto& node, size_t members) {
                       uint64_t found = 0;
                       for (uint64_t id = 1; id <= members; ++id) {
                         found += node.HasPeer(id) ? 1 : 0;
                       }
                       return found;
                     });
}

template <typename Variant>
void BM_GetPeer(benchmark::State& state) {
  RunPasses<Variant>(state, static_cast<double>(Members(state)), Members(state),
                     [](const auto& node, size_t members) {
                       uint64_t found = 0;
                       for (uint64_t id = 1; id <= members; ++id) {
                         const auto peer = node.GetPeer(id);
                         found += peer && peer->id == id ? 1 : 0;
                       }
                       return found;
                     });
}

template <typename Variant>
void BM_WithPeer(benchmark::State& state) {
  // Reads the address, as a sender does; addresses are "127.0.0.1:70NN".
  RunPasses<Variant>(state, static_cast<double>(Members(state)),
                     Members(state) * 14, [](const auto& node, size_t members) {
                       uint64_t bytes = 0;
                       for (uint64_t id = 1; id <= members; ++id) {
                         node.WithPeer(id, [&](const cluster::PeerInfo& p) {
                           bytes += p.address.size();
                         });
                       }
                       return bytes;
                     });
}

template <typename Variant>
void BM_ClusterMembers(benchmark::State& state) {
  RunPasses<Variant>(state, 1, Members(state), [](const auto& node, size_t) {
    return static_cast<uint64_t>(node.ClusterMembers().size());
  });
}

template <typename Variant>
void BM_WithClusterMembers(benchmark::State& state) {
  RunPasses<Variant>(state, 1, Members(state), [](const auto& node, size_t) {
    uint64_t connected = 0;
    node.WithClusterMembers([&](const cluster::PeerInfo& p) {
      connected += p.is_connected ? 1 : 0;
    });
    return connected;
  });
}

template <typename Variant>
void BM_AddRemovePeer(benchmark::State& state) {
  // A node joins and leaves: the caller's PeerInfo is built outside the
  // node state in both variants, so its copy counts the same for both.
  const cluster::PeerInfo joiner = cluster::MakePeer(1000);
  RunPasses<Variant>(state, 2, 1, [&](auto& node, size_t) {
    node.AddPeer(joiner);
    return static_cast<uint64_t>(node.RemovePeer(joiner.id));
  });
}

template <typename Variant>
void BM_MarkPeerSeen(benchmark::State& state) {
  const auto seen = std::chrono::system_clock::time_point(
      std::chrono::seconds(1'800'000'000));
  const cluster::ConnectionQuality quality{2.5, 900, 0.002, 0.97};
  RunPasses<Variant>(state, static_cast<double>(Members(state)), Members(state),
                     [&](auto& node, size_t members) {
                       uint64_t updated = 0;
                       for (uint64_t id = 1; id <= members; ++id) {
                         updated +=
                             node.MarkPeerSeen(id, seen, quality) ? 1 : 0;
                       }
                       return updated;
                     });
}

template <typename Variant>
void BM_SetLeadership(benchmark::State& state) {
  // Loses and regains leadership: two calls per pass.
  auto node = MakeCluster<typename Variant::NodeState>(Members(state));
  const auto pass = [&] {
    node->SetLeadership(false, 2, 8);
    node->SetLeadership(true, kSelf, 9);
  };
  pass();
  harness::AllocationScope allocations(state, 2);
  harness::LockScope locks(state, 2);
  for (auto _ : state) pass();
  allocations.Report();
  locks.Report();
  if (!node->IsLeader() || node->Term() != 9) {
    state.SkipWithError("leadership not recorded");
  }
}

// The instrumentation's own price, uncontended: the same writer-preferring
// pthread rwlock bare, and std::shared_mutex for reference, against the
// instrumented mutex, locking and unlocking in a loop.
class BareRwlock {
 public:
  BareRwlock() = default;
  ~BareRwlock() { pthread_rwlock_destroy(&rwlock_); }
  BareRwlock(const BareRwlock&) = delete;
  BareRwlock& operator=(const BareRwlock&) = delete;
  void lock() { pthread_rwlock_wrlock(&rwlock_); }
  void unlock() { pthread_rwlock_unlock(&rwlock_); }
  void lock_shared() { pthread_rwlock_rdlock(&rwlock_); }
  void unlock_shared() { pthread_rwlock_unlock(&rwlock_); }

 private:
  pthread_rwlock_t rwlock_ = PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP;
};
struct PthreadRwlock {
  static constexpr std::string_view kName = "pthread_rwlock";
  BareRwlock mutex;
};
struct StdSharedMutex {
  static constexpr std::string_view kName = "std_shared_mutex";
  std::shared_mutex mutex;
};
struct Instrumented {
  static constexpr std::string_view kName = "instrumented";
  sync::InstrumentedSharedMutex mutex;
};

template <typename Mutex, bool kShared>
void BM_UncontendedLock(benchmark::State& state) {
  Mutex m;
  uint64_t value = 0;
  const auto once = [&] {
    if constexpr (kShared) {
      const std::shared_lock lock(m.mutex);
      benchmark::DoNotOptimize(value);
    } else {
      const std::unique_lock lock(m.mutex);
      ++value;
      benchmark::DoNotOptimize(value);
    }
  };
  once();
  harness::AllocationScope allocations(state);
  harness::LockScope locks(state);
  for (auto _ : state) once();
  allocations.Report();  // first: the lock report's counters allocate
  locks.Report();
}

template <typename Variant>
void RegisterVariant() {
  const auto reg = [](std::string_view op, void (*fn)(benchmark::State&)) {
    benchmark::RegisterBenchmark(
        fmt::format("membership/{}/{}", op, Variant::kName).c_str(), fn)
        ->ArgName("members")
        ->Arg(3)
        ->Arg(5)
        ->Arg(50);
  };
  using NodeState = typename Variant::NodeState;
  if constexpr (HasLeadership<NodeState>) {
    reg("IsLeader", BM_IsLeader<Variant>);
    reg("LeaderId", BM_LeaderId<Variant>);
    reg("Term", BM_Term<Variant>);
    reg("IsInitialized", BM_IsInitialized<Variant>);
    reg("Status", BM_Status<Variant>);
    reg("TryStatus", BM_TryStatus<Variant>);
  }
  reg("MemberCount", BM_MemberCount<Variant>);
  reg("HasPeer", BM_HasPeer<Variant>);
  reg("GetPeer", BM_GetPeer<Variant>);
  reg("WithPeer", BM_WithPeer<Variant>);
  if constexpr (VisitsAllMembers<NodeState>) {
    reg("ClusterMembers", BM_ClusterMembers<Variant>);
    reg("WithClusterMembers", BM_WithClusterMembers<Variant>);
  }
  reg("AddRemovePeer", BM_AddRemovePeer<Variant>);
  reg("MarkPeerSeen", BM_MarkPeerSeen<Variant>);
  if constexpr (HasLeadership<NodeState>) {
    reg("SetLeadership", BM_SetLeadership<Variant>);
  }
}

template <typename Mutex>
void RegisterMutex() {
  benchmark::RegisterBenchmark(
      fmt::format("membership/UncontendedLock/{}", Mutex::kName).c_str(),
      BM_UncontendedLock<Mutex, false>);
  benchmark::RegisterBenchmark(
      fmt::format("membership/UncontendedSharedLock/{}", Mutex::kName).c_str(),
      BM_UncontendedLock<Mutex, true>);
}

const bool kRegistered = [] {
  RegisterVariant<Before>();
  RegisterVariant<After>();
#ifdef HOTPATH_HAVE_MEMBERSHIP_PEERS
  RegisterVariant<AbslMutex>();
  RegisterVariant<TbbConcurrentHashMap>();
#endif
  RegisterMutex<PthreadRwlock>();
  RegisterMutex<StdSharedMutex>();
  RegisterMutex<Instrumented>();
  return true;
}();

}  // namespace
}  // namespace hotpath::membership
