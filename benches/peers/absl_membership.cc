#include "benches/peers/absl_membership.h"

#include <mutex>

namespace hotpath::membership::absl_mutex {

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
  const std::shared_lock lock(peers_.mutex);
  return peers_.value.contains(id);
}

size_t SharedNodeState::MemberCount() const {
  const std::shared_lock lock(peers_.mutex);
  return peers_.value.size();
}

std::map<uint64_t, cluster::PeerInfo> SharedNodeState::ClusterMembers() const {
  const std::shared_lock lock(peers_.mutex);
  return peers_.value;
}

void SharedNodeState::SetLeadership(bool is_leader, uint64_t leader_id,
                                    uint64_t term) {
  const std::unique_lock lock(leadership_.mutex);
  leadership_.value = {is_leader, leader_id, term};
}

bool SharedNodeState::IsLeader() const {
  const std::shared_lock lock(leadership_.mutex);
  return leadership_.value.is_leader;
}

uint64_t SharedNodeState::LeaderId() const {
  const std::shared_lock lock(leadership_.mutex);
  return leadership_.value.leader_id;
}

uint64_t SharedNodeState::Term() const {
  const std::shared_lock lock(leadership_.mutex);
  return leadership_.value.term;
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
  Leadership leadership;
  {
    const std::shared_lock lock(leadership_.mutex);
    leadership = leadership_.value;
  }
  return ToStatus(leadership);
}

std::optional<NodeStatus> SharedNodeState::TryStatus() const {
  Leadership leadership;
  {
    const std::shared_lock lock(leadership_.mutex, std::try_to_lock);
    if (!lock.owns_lock()) return std::nullopt;
    leadership = leadership_.value;
  }
  return ToStatus(leadership);
}

NodeStatus SharedNodeState::ToStatus(const Leadership& leadership) {
  NodeStatus status;
  status.role = leadership.is_leader ? "Leader" : "Follower";
  status.leader_id = leadership.leader_id;
  status.term = leadership.term;
  return status;
}

}  // namespace hotpath::membership::absl_mutex
