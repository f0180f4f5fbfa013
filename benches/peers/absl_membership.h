// The membership peer `absl_mutex`: the shared node state as a team would
// write it with the seed's own tool, parking_lot's RwLock, taken from Debian
// as abseil's absl::Mutex (ReaderLock for every read), with the after's
// access pattern instead of copies: HasPeer is a find, WithPeer and
// WithClusterMembers visit under the reader lock, MemberCount is the map's
// size. Leadership (flag, leader id, term) is one struct behind one lock, so
// Status is one acquisition and never pairs one term's leader with another;
// is_initialized has a lock of its own. TryStatus takes ReaderTryLock and
// returns nullopt ("busy") instead of waiting behind a writer.
//
// Per op: reads 1 lock acquisition and no allocation, except GetPeer and
// ClusterMembers, which copy as the caller asked (4-5 allocations a peer);
// AddPeer allocates its map node, MarkPeerSeen nothing. Each lock is counted
// as InstrumentedSharedMutex counts its pthread rwlock (a try, then the
// blocking call), so lock_acquisitions_per_op reads the same on every
// variant. Visitors run under the reader lock: a writer waits for them, and
// a visitor must not call back into the state (absl::Mutex is not
// reentrant), where the after's visitors hold no lock and may.
#ifndef HOTPATH_BENCHES_PEERS_ABSL_MEMBERSHIP_H_
#define HOTPATH_BENCHES_PEERS_ABSL_MEMBERSHIP_H_

#include <absl/synchronization/mutex.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <utility>

#include "common/cluster/peer_info.h"
#include "common/sync/lock_stats.h"

namespace hotpath::membership::absl_mutex {

// absl::Mutex with the standard SharedMutex names and the harness's lock
// counters.
class CountedAbslMutex {
 public:
  CountedAbslMutex() = default;
  CountedAbslMutex(const CountedAbslMutex&) = delete;
  CountedAbslMutex& operator=(const CountedAbslMutex&) = delete;

  void lock() {
    if (!mutex_.TryLock()) [[unlikely]] {
      const uint64_t start = sync::ReadTicks();
      mutex_.Lock();
      sync::detail::CountBlockedWait(start);
    }
    sync::detail::OnAcquired(this);
  }
  bool try_lock() {
    if (!mutex_.TryLock()) return false;
    sync::detail::OnAcquired(this);
    return true;
  }
  void unlock() {
    sync::detail::OnReleasing(this);
    mutex_.Unlock();
  }
  void lock_shared() {
    if (!mutex_.ReaderTryLock()) [[unlikely]] {
      const uint64_t start = sync::ReadTicks();
      mutex_.ReaderLock();
      sync::detail::CountBlockedWait(start);
    }
    sync::detail::OnAcquired(this);
  }
  bool try_lock_shared() {
    if (!mutex_.ReaderTryLock()) return false;
    sync::detail::OnAcquired(this);
    return true;
  }
  void unlock_shared() {
    sync::detail::OnReleasing(this);
    mutex_.ReaderUnlock();
  }

 private:
  absl::Mutex mutex_;
};

struct NodeStatus {
  std::string role;        // "Leader" or "Follower"
  uint64_t leader_id = 0;  // 0: no leader known
  uint64_t term = 0;
  bool operator==(const NodeStatus&) const = default;
};

// Thread-safe; every member may be called from any thread.
class SharedNodeState {
 public:
  SharedNodeState() = default;
  SharedNodeState(const SharedNodeState&) = delete;
  SharedNodeState& operator=(const SharedNodeState&) = delete;

  // Inserts the peer, or replaces the one with the same id (a re-join).
  void AddPeer(cluster::PeerInfo peer);
  // False when no such peer.
  bool RemovePeer(uint64_t id);
  // A heartbeat: last_seen and connection quality, and marks it connected.
  // False when no such peer.
  bool MarkPeerSeen(uint64_t id, std::chrono::system_clock::time_point seen,
                    const cluster::ConnectionQuality& quality);
  // A deep copy of the peer.
  std::optional<cluster::PeerInfo> GetPeer(uint64_t id) const;
  bool HasPeer(uint64_t id) const;
  // Calls f(const PeerInfo&) under the reader lock when the peer exists;
  // false when it does not.
  template <typename F>
  bool WithPeer(uint64_t id, F&& f) const;
  size_t MemberCount() const;
  // A copy of every peer, by id.
  std::map<uint64_t, cluster::PeerInfo> ClusterMembers() const;
  // Calls f(const PeerInfo&) for every peer in id order, under the reader
  // lock.
  template <typename F>
  void WithClusterMembers(F&& f) const;

  void SetLeadership(bool is_leader, uint64_t leader_id, uint64_t term);
  bool IsLeader() const;
  // 0 when no leader is known.
  uint64_t LeaderId() const;
  uint64_t Term() const;
  void SetInitialized(bool initialized);
  bool IsInitialized() const;
  NodeStatus Status() const;
  // Status without waiting: nullopt when a writer holds the lock.
  std::optional<NodeStatus> TryStatus() const;

 private:
  struct Leadership {
    bool is_leader = false;
    uint64_t leader_id = 0;
    uint64_t term = 0;
  };
  static NodeStatus ToStatus(const Leadership& leadership);

  // A value and the lock that guards it, on a cache line of their own.
  template <typename T>
  struct alignas(64) Guarded {
    mutable CountedAbslMutex mutex;
    T value{};
  };

  Guarded<std::map<uint64_t, cluster::PeerInfo>> peers_;
  Guarded<Leadership> leadership_;
  Guarded<bool> is_initialized_;
};

template <typename F>
bool SharedNodeState::WithPeer(uint64_t id, F&& f) const {
  const std::shared_lock lock(peers_.mutex);
  const auto it = peers_.value.find(id);
  if (it == peers_.value.end()) return false;
  std::forward<F>(f)(it->second);
  return true;
}

template <typename F>
void SharedNodeState::WithClusterMembers(F&& f) const {
  const std::shared_lock lock(peers_.mutex);
  for (const auto& [id, peer] : peers_.value) f(peer);
}

}  // namespace hotpath::membership::absl_mutex

#endif  // HOTPATH_BENCHES_PEERS_ABSL_MEMBERSHIP_H_
