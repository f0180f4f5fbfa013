#include "impl_after/membership/node_state.h"

#include <algorithm>
#include <mutex>
#include <thread>

namespace hotpath::membership::after {

// The seqlock without fences (ThreadSanitizer does not model them): the odd
// version is stored before the values' release stores, so a reader whose
// acquire load sees any new value then sees the version moved; the even
// version is a release store after them.
void SharedNodeState::BeginWrite() {
  const uint64_t version = version_.load(std::memory_order_relaxed);
  version_.store(version + 1, std::memory_order_relaxed);
}

void SharedNodeState::EndWrite() {
  version_.store(version_.load(std::memory_order_relaxed) + 1,
                 std::memory_order_release);
}

template <typename F>
auto SharedNodeState::TryReadStable(F&& read) const
    -> std::optional<decltype(read())> {
  const uint64_t version = version_.load(std::memory_order_acquire);
  if (version % 2 != 0) return std::nullopt;
  auto value = read();
  if (version_.load(std::memory_order_relaxed) != version) return std::nullopt;
  return value;
}

template <typename F>
auto SharedNodeState::ReadStable(F&& read) const {
  // A writer's window is a few stores; past a few retries it was likely
  // preempted inside it, and spinning would only delay it.
  constexpr int kSpinsBeforeYield = 64;
  for (int spins = 0;;) {
    if (auto value = TryReadStable(read)) return *value;
    if (spins < kSpinsBeforeYield) {
      ++spins;
    } else {
      std::this_thread::yield();
    }
  }
}

SharedNodeState::SharedNodeState()
    : peers_(std::make_unique<const PeerList>()) {}

void SharedNodeState::AddPeer(cluster::PeerInfo peer) {
  const std::unique_lock lock(write_mutex_);
  const uint64_t id = peer.id;
  auto shared = std::make_shared<const cluster::PeerInfo>(std::move(peer));
  const PeerList& current = peers_.Current();
  auto next = std::make_unique<PeerList>();
  next->reserve(current.size() + 1);
  const auto at = LowerBound(current, id);
  next->insert(next->end(), current.begin(), at);
  next->push_back({id, std::move(shared)});
  const bool replaces = at != current.end() && at->id == id;
  next->insert(next->end(), replaces ? at + 1 : at, current.end());
  Publish(std::move(next));
}

bool SharedNodeState::RemovePeer(uint64_t id) {
  const std::unique_lock lock(write_mutex_);
  const PeerList& current = peers_.Current();
  const auto at = LowerBound(current, id);
  if (at == current.end() || at->id != id) return false;
  auto next = std::make_unique<PeerList>();
  next->reserve(current.size() - 1);
  next->insert(next->end(), current.begin(), at);
  next->insert(next->end(), at + 1, current.end());
  Publish(std::move(next));
  return true;
}

bool SharedNodeState::MarkPeerSeen(uint64_t id,
                                   std::chrono::system_clock::time_point seen,
                                   const cluster::ConnectionQuality& quality) {
  const std::unique_lock lock(write_mutex_);
  const PeerList& current = peers_.Current();
  const cluster::PeerInfo* old = Find(current, id);
  if (old == nullptr) return false;
  // Readers may hold the old record: update a copy.
  auto updated = std::make_shared<cluster::PeerInfo>(*old);
  updated->last_seen = seen;
  updated->connection_quality = quality;
  updated->is_connected = true;
  auto next = std::make_unique<PeerList>(current);
  for (PeerEntry& entry : *next) {
    if (entry.id == id) entry.peer = std::move(updated);
  }
  Publish(std::move(next));
  return true;
}

std::optional<cluster::PeerInfo> SharedNodeState::GetPeer(uint64_t id) const {
  return peers_.Read(
      [id](const PeerList& peers) -> std::optional<cluster::PeerInfo> {
        const cluster::PeerInfo* peer = Find(peers, id);
        if (peer == nullptr) return std::nullopt;
        return *peer;
      });
}

bool SharedNodeState::HasPeer(uint64_t id) const {
  return peers_.Read(
      [id](const PeerList& peers) { return Find(peers, id) != nullptr; });
}

size_t SharedNodeState::MemberCount() const {
  return ReadStable(
      [this] { return member_count_.load(std::memory_order_acquire); });
}

std::map<uint64_t, cluster::PeerInfo> SharedNodeState::ClusterMembers() const {
  return peers_.Read([](const PeerList& peers) {
    std::map<uint64_t, cluster::PeerInfo> members;
    for (const PeerEntry& entry : peers) {
      members.emplace_hint(members.end(), entry.id, *entry.peer);
    }
    return members;
  });
}

void SharedNodeState::SetLeadership(bool is_leader, uint64_t leader_id,
                                    uint64_t term) {
  const std::unique_lock lock(write_mutex_);
  BeginWrite();
  is_leader_.store(is_leader, std::memory_order_release);
  leader_id_.store(leader_id, std::memory_order_release);
  term_.store(term, std::memory_order_release);
  EndWrite();
}

bool SharedNodeState::IsLeader() const {
  return is_leader_.load(std::memory_order_acquire);
}

uint64_t SharedNodeState::LeaderId() const {
  return leader_id_.load(std::memory_order_acquire);
}

uint64_t SharedNodeState::Term() const {
  return term_.load(std::memory_order_acquire);
}

void SharedNodeState::SetInitialized(bool initialized) {
  is_initialized_.store(initialized, std::memory_order_release);
}

bool SharedNodeState::IsInitialized() const {
  return is_initialized_.load(std::memory_order_acquire);
}

NodeStatus SharedNodeState::Status() const {
  return ToStatus(ReadStable([this] { return LoadLeadership(); }));
}

std::optional<NodeStatus> SharedNodeState::TryStatus() const {
  const auto leadership = TryReadStable([this] { return LoadLeadership(); });
  if (!leadership) return std::nullopt;
  return ToStatus(*leadership);
}

SharedNodeState::Leadership SharedNodeState::LoadLeadership() const {
  return {is_leader_.load(std::memory_order_acquire),
          leader_id_.load(std::memory_order_acquire),
          term_.load(std::memory_order_acquire)};
}

NodeStatus SharedNodeState::ToStatus(const Leadership& leadership) {
  NodeStatus status;
  status.role = leadership.is_leader ? "Leader" : "Follower";
  status.leader_id = leadership.leader_id;
  status.term = leadership.term;
  return status;
}

SharedNodeState::PeerList::const_iterator SharedNodeState::LowerBound(
    const PeerList& peers, uint64_t id) {
  return std::lower_bound(
      peers.begin(), peers.end(), id,
      [](const PeerEntry& e, uint64_t key) { return e.id < key; });
}

const cluster::PeerInfo* SharedNodeState::Find(const PeerList& peers,
                                               uint64_t id) {
  const auto at = LowerBound(peers, id);
  return at != peers.end() && at->id == id ? at->peer.get() : nullptr;
}

void SharedNodeState::Publish(std::unique_ptr<PeerList> next) {
  const size_t count = next->size();
  BeginWrite();
  peers_.Publish(std::move(next));
  member_count_.store(count, std::memory_order_release);
  EndWrite();
  peers_.Reclaim();
}

}  // namespace hotpath::membership::after
