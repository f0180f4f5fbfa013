#include "benches/peers/tbb_membership.h"

namespace hotpath::membership::tbb_concurrent_hash_map {

void SharedNodeState::AddPeer(cluster::PeerInfo peer) {
  Map::accessor slot;
  peers_.insert(slot, peer.id);
  slot->second = std::move(peer);
}

bool SharedNodeState::RemovePeer(uint64_t id) { return peers_.erase(id); }

bool SharedNodeState::MarkPeerSeen(uint64_t id,
                                   std::chrono::system_clock::time_point seen,
                                   const cluster::ConnectionQuality& quality) {
  Map::accessor peer;
  if (!peers_.find(peer, id)) return false;
  peer->second.last_seen = seen;
  peer->second.connection_quality = quality;
  peer->second.is_connected = true;
  return true;
}

std::optional<cluster::PeerInfo> SharedNodeState::GetPeer(uint64_t id) const {
  Map::const_accessor peer;
  if (!peers_.find(peer, id)) return std::nullopt;
  return peer->second;
}

bool SharedNodeState::HasPeer(uint64_t id) const {
  return peers_.count(id) != 0;
}

size_t SharedNodeState::MemberCount() const { return peers_.size(); }

}  // namespace hotpath::membership::tbb_concurrent_hash_map
