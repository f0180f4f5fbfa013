// The orchestrator's shared node state as it wrote it (HOTPATHS.md,
// membership): the peer map behind a reader/writer lock, and is_leader,
// is_initialized and the leader (id and term) each behind a reader/writer
// lock of their own. cluster_members() copies the whole map, the member count
// is the size of such a copy, and has_peer is a deep copy of the peer tested
// for presence, as get_peer was used on every Raft message send. The
// original has no visitors: WithPeer and WithClusterMembers are the original
// call pattern (copy, then read the copy). TryStatus is Status with
// parking_lot's try_read on both locks, for paths that would rather report
// "busy" than wait (a seed item, not in the original). Every lock is an
// InstrumentedSharedMutex so the harness sees its cost. Each lock sits on
// its own cache line with its value, as each Arc<RwLock<_>> had its own heap
// cell, so no false sharing is added that the original did not have.
//
// Per call on a 5-member cluster (membership_benchmark): HasPeer, GetPeer
// and WithPeer 4.4 allocations (a peer's deep copy), MemberCount,
// ClusterMembers and WithClusterMembers 27 (282 at 50 members), Status and
// TryStatus none ("Leader"/"Follower" fit std::string's inline buffer, where
// Rust's String allocated; not made slower to compensate); one lock per call,
// two for Status, TryStatus and SetLeadership.
#ifndef HOTPATH_IMPL_BEFORE_MEMBERSHIP_NODE_STATE_H_
#define HOTPATH_IMPL_BEFORE_MEMBERSHIP_NODE_STATE_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "common/cluster/peer_info.h"
#include "common/sync/instrumented_shared_mutex.h"

namespace hotpath::membership::before {

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
  // Calls f(const PeerInfo&) when the peer exists; false when it does not.
  template <typename F>
  bool WithPeer(uint64_t id, F&& f) const;
  size_t MemberCount() const;
  // A copy of every peer, by id.
  std::map<uint64_t, cluster::PeerInfo> ClusterMembers() const;
  // Calls f(const PeerInfo&) for every peer in id order.
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
  // Status without waiting: nullopt when a writer holds either lock.
  std::optional<NodeStatus> TryStatus() const;

 private:
  struct Leader {
    uint64_t id = 0;
    uint64_t term = 0;
  };

  // A value and the lock that guards it, on a cache line of their own.
  template <typename T>
  struct alignas(64) Guarded {
    mutable sync::InstrumentedSharedMutex mutex;
    T value{};
  };

  Guarded<std::map<uint64_t, cluster::PeerInfo>> peers_;
  Guarded<bool> is_leader_;
  Guarded<bool> is_initialized_;
  Guarded<Leader> leader_;
};

template <typename F>
bool SharedNodeState::WithPeer(uint64_t id, F&& f) const {
  const std::optional<cluster::PeerInfo> peer = GetPeer(id);
  if (!peer) return false;
  std::forward<F>(f)(*peer);
  return true;
}

template <typename F>
void SharedNodeState::WithClusterMembers(F&& f) const {
  for (const auto& [id, peer] : ClusterMembers()) f(peer);
}

}  // namespace hotpath::membership::before

#endif  // HOTPATH_IMPL_BEFORE_MEMBERSHIP_NODE_STATE_H_
