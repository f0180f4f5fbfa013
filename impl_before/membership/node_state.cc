// NOLINTBEGIN(performance-*): slow on purpose, as the orchestrator wrote it.
#include "impl_before/membership/node_state.h"

#include <mutex>
#include <shared_mutex>

namespace hotpath::membership::before {

void SharedNodeState::AddPeer(cluster::PeerInfo peer) {
  const std::unique_lock lock(peers_.mutex);
  const uint64_t id = peer.id;
  peers_.value.insert_or_assign(id, std::move(peer));
}

bool SharedNodeState::RemovePeer(uint64_t id) {
  const std::unique_lock lock(peers_.mutex);
  return peers_.value.erase(id) != 0;
}

bool SharedNodeState::MarkPeerSeen(uint64_t id,
                                   std::chrono::system_clock::time_point seen,
                                   const cluster::ConnectionQuality& quality) {
  const std::unique_lock lock(peers_.mutex);
  const auto it = peers_.value.find(id);
  if (it == peers_.value.end()) return false;
  it->second.last_seen = seen;
  it->second.connection_quality = quality;
  it->second.is_connected = true;
  return true;
}

std::optional<cluster::PeerInfo> SharedNodeState::GetPeer(uint64_t id) const {
  const std::shared_lock lock(peers_.mutex);
  const auto it = peers_.value.find(id);
  if (it == peers_.value.end()) return std::nullopt;
  return it->second;
}

bool SharedNodeState::HasPeer(uint64_t id) const {
  return GetPeer(id).has_value();
}

size_t SharedNodeState::MemberCount() const { return ClusterMembers().size(); }

std::map<uint64_t, cluster::PeerInfo> SharedNodeState::ClusterMembers() const {
  const std::shared_lock lock(peers_.mutex);
  return peers_.value;
}

void SharedNodeState::SetLeadership(bool is_leader, uint64_t leader_id,
                                    uint64_t term) {
  {
    const std::unique_lock lock(is_leader_.mutex);
    is_leader_.value = is_leader;
  }
  const std::unique_lock lock(leader_.mutex);
  leader_.value = {leader_id, term};
}

bool SharedNodeState::IsLeader() const {
  const std::shared_lock lock(is_leader_.mutex);
  return is_leader_.value;
}

uint64_t SharedNodeState::LeaderId() const {
  const std::shared_lock lock(leader_.mutex);
  return leader_.value.id;
}

uint64_t SharedNodeState::Term() const {
  const std::shared_lock lock(leader_.mutex);
  return leader_.value.term;
}

void SharedNodeState::SetInitialized(bool initialized) {
  const std::unique_lock lock(is_initialized_.mutex);
  is_initialized_.value = initialized;
}

bool SharedNodeState::IsInitialized() const {
  const std::shared_lock lock(is_initialized_.mutex);
  return is_initialized_.value;
}

NodeStatus SharedNodeState::Status() const {
  NodeStatus status;
  {
    const std::shared_lock lock(is_leader_.mutex);
    status.role =
        is_leader_.value ? std::string("Leader") : std::string("Follower");
  }
  const std::shared_lock lock(leader_.mutex);
  status.leader_id = leader_.value.id;
  status.term = leader_.value.term;
  return status;
}

std::optional<NodeStatus> SharedNodeState::TryStatus() const {
  NodeStatus status;
  {
    const std::shared_lock lock(is_leader_.mutex, std::try_to_lock);
    if (!lock.owns_lock()) return std::nullopt;
    status.role =
        is_leader_.value ? std::string("Leader") : std::string("Follower");
  }
  const std::shared_lock lock(leader_.mutex, std::try_to_lock);
  if (!lock.owns_lock()) return std::nullopt;
  status.leader_id = leader_.value.id;
  status.term = leader_.value.term;
  return status;
}

}  // namespace hotpath::membership::before
// NOLINTEND(performance-*)
