// The membership peer `tbb_concurrent_hash_map`: the peer map as a team
// would write it with the seed's other tool, dashmap, taken from Debian as
// oneTBB's concurrent_hash_map. HasPeer is count() (the bucket's read lock),
// GetPeer and WithPeer a find with a const_accessor (the bucket's read lock,
// then the element's read lock, held while the visitor runs), MemberCount
// size() (one atomic load, no lock), AddPeer an insert with a write
// accessor, MarkPeerSeen a find for writing, RemovePeer erase.
//
// It covers the peer operations only. Leadership is three fields, not a
// map; and concurrent_hash_map may not be iterated while others insert or
// erase (its documentation), so there is no ClusterMembers or
// WithClusterMembers (dashmap's iter locks shard by shard instead).
//
// Per op, measured by membership_benchmark: HasPeer 1 lock acquisition,
// GetPeer and WithPeer 2, MemberCount 0 (more, once, on a bucket's first
// access after the table grew: it is rehashed then); no allocation on reads
// except GetPeer's copy. Nodes come from std::allocator, so the harness counts
// them (TBB's default tbb_allocator would take them from its own scalable
// allocator when installed). Locks are TBB's own spin_rw_mutex, counted as
// InstrumentedSharedMutex counts (a try, then the blocking call) through
// concurrent_hash_map's MutexType parameter, a preview extension of oneTBB
// 2021 (TBB_PREVIEW_CONCURRENT_HASH_MAP_EXTENSIONS, set by the target).
// An upgrade of a held reader lock is not a new acquisition.
#ifndef HOTPATH_BENCHES_PEERS_TBB_MEMBERSHIP_H_
#define HOTPATH_BENCHES_PEERS_TBB_MEMBERSHIP_H_

#include <oneapi/tbb/concurrent_hash_map.h>
#include <oneapi/tbb/spin_rw_mutex.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>

#include "common/cluster/peer_info.h"
#include "common/sync/lock_stats.h"

#if !TBB_PREVIEW_CONCURRENT_HASH_MAP_EXTENSIONS
#error "tbb_membership.h needs TBB_PREVIEW_CONCURRENT_HASH_MAP_EXTENSIONS"
#endif

namespace hotpath::membership::tbb_concurrent_hash_map {

// tbb::spin_rw_mutex with the harness's lock counters, in the shape
// concurrent_hash_map asks of its MutexType.
class CountedSpinRwMutex {
 public:
  static constexpr bool is_rw_mutex = true;
  static constexpr bool is_recursive_mutex = false;
  static constexpr bool is_fair_mutex = false;

  class scoped_lock {  // NOLINT(readability-identifier-naming): TBB's name
   public:
    scoped_lock() = default;
    explicit scoped_lock(CountedSpinRwMutex& m, bool write = true) {
      acquire(m, write);
    }
    ~scoped_lock() {
      if (mutex_ != nullptr) release();
    }
    scoped_lock(const scoped_lock&) = delete;
    scoped_lock& operator=(const scoped_lock&) = delete;

    void acquire(CountedSpinRwMutex& m, bool write = true) {
      if (!lock_.try_acquire(m.mutex_, write)) [[unlikely]] {
        const uint64_t start = sync::ReadTicks();
        lock_.acquire(m.mutex_, write);
        sync::detail::CountBlockedWait(start);
      }
      mutex_ = &m;
      sync::detail::OnAcquired(mutex_);
    }
    bool try_acquire(CountedSpinRwMutex& m, bool write = true) {
      if (!lock_.try_acquire(m.mutex_, write)) return false;
      mutex_ = &m;
      sync::detail::OnAcquired(mutex_);
      return true;
    }
    void release() {
      sync::detail::OnReleasing(mutex_);
      mutex_ = nullptr;
      lock_.release();
    }
    bool upgrade_to_writer() { return lock_.upgrade_to_writer(); }
    bool downgrade_to_reader() { return lock_.downgrade_to_reader(); }
    bool is_writer() const { return lock_.is_writer(); }

   private:
    tbb::spin_rw_mutex::scoped_lock lock_;
    CountedSpinRwMutex* mutex_ = nullptr;
  };

 private:
  tbb::spin_rw_mutex mutex_;
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
  // Calls f(const PeerInfo&) under the element's read lock when the peer
  // exists; false when it does not.
  template <typename F>
  bool WithPeer(uint64_t id, F&& f) const;
  size_t MemberCount() const;

 private:
  using Map = tbb::concurrent_hash_map<
      uint64_t, cluster::PeerInfo, tbb::tbb_hash_compare<uint64_t>,
      std::allocator<std::pair<const uint64_t, cluster::PeerInfo>>,
      CountedSpinRwMutex>;

  Map peers_;
};

template <typename F>
bool SharedNodeState::WithPeer(uint64_t id, F&& f) const {
  Map::const_accessor peer;
  if (!peers_.find(peer, id)) return false;
  std::forward<F>(f)(peer->second);
  return true;
}

}  // namespace hotpath::membership::tbb_concurrent_hash_map

#endif  // HOTPATH_BENCHES_PEERS_TBB_MEMBERSHIP_H_
