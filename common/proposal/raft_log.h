// An in-memory Raft log standing in for raft-rs: the place both sides "hand
// to Raft". Append fails when this node is not the leader. An entry given as
// an owned vector is moved in, as raft-rs takes the Vec<u8> (and freed once
// applied); an entry given as a borrowed span is copied into a recycled
// buffer from a power-of-two size-classed pool, so a caller that reuses its
// serialisation buffer appends with no allocation in steady state.
//
// Thread-safe: any number of proposers, one applier at a time. The applier's
// callback runs without the log's lock held, so it may take other locks.
#ifndef HOTPATH_COMMON_PROPOSAL_RAFT_LOG_H_
#define HOTPATH_COMMON_PROPOSAL_RAFT_LOG_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>
#include <vector>

#include "common/wire/codec.h"

namespace hotpath::proposal {

class InMemoryRaftLog {
 public:
  InMemoryRaftLog() = default;
  InMemoryRaftLog(const InMemoryRaftLog&) = delete;
  InMemoryRaftLog& operator=(const InMemoryRaftLog&) = delete;

  void SetLeader(bool leader) {
    leader_.store(leader, std::memory_order_release);
  }
  bool is_leader() const { return leader_.load(std::memory_order_acquire); }

  // Appends at last_index() + 1; false (and nothing appended) if not leader.
  bool Append(wire::Bytes&& data);
  bool Append(std::span<const uint8_t> data);

  // Marks every appended entry committed, as a quorum would.
  void CommitAll();

  uint64_t last_index() const;
  uint64_t committed_index() const;
  uint64_t applied_index() const;

  // Calls f(index, data) for each committed, unapplied entry in log order,
  // then recycles them. Returns how many were applied.
  template <typename F>
  size_t ApplyCommitted(F&& f) {
    TakeCommitted();
    for (const Entry& entry : applying_) {
      f(entry.index, std::span<const uint8_t>(entry.data));
    }
    return Recycle();
  }

  // Keeps a copy of every appended entry (tests compare the bytes).
  void RecordHistory(bool on);
  const std::vector<wire::Bytes>& history() const { return history_; }

 private:
  struct Entry {
    uint64_t index = 0;
    wire::Bytes data;
    bool pooled = false;  // from pool_, goes back there once applied
  };
  static constexpr size_t kMinClass = 10;  // 1 KiB
  static constexpr size_t kMaxClass = 21;  // 2 MiB

  bool AppendLocked(Entry&& entry);
  void TakeCommitted();
  size_t Recycle();

  std::atomic<bool> leader_{true};
  mutable std::mutex mu_;
  uint64_t last_index_ = 0;
  uint64_t committed_index_ = 0;
  uint64_t applied_index_ = 0;
  std::vector<Entry> entries_;   // appended, not yet applied, in order
  std::vector<Entry> applying_;  // owned by the single applier
  std::array<std::vector<wire::Bytes>, kMaxClass - kMinClass + 1> pool_;
  bool record_history_ = false;
  std::vector<wire::Bytes> history_;
};

}  // namespace hotpath::proposal

#endif  // HOTPATH_COMMON_PROPOSAL_RAFT_LOG_H_
