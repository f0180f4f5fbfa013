// An in-memory Raft log standing in for raft-rs: the place both sides "hand
// to Raft". Append fails when this node is not the leader. An entry is
// handed over as an owned buffer, as raft-rs's propose takes the Vec<u8>:
// the log keeps it until the entry is applied, then drops it, which frees a
// plain buffer and hands a pooled one back to the pool that lent it (the
// applier is the consumer that returns it). The log never copies an entry
// and keeps no buffers of its own: a side that reuses buffers does it
// through its own pool and this drop.
//
// Thread-safe: any number of proposers, one applier at a time. The applier's
// callback runs without the log's lock held, so it may take other locks.
#ifndef HOTPATH_COMMON_PROPOSAL_RAFT_LOG_H_
#define HOTPATH_COMMON_PROPOSAL_RAFT_LOG_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>
#include <vector>

#include "common/wire/codec.h"
#include "common/wire/owned_bytes.h"

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
  // The log takes `data` either way, as raft-rs drops a refused proposal.
  bool Append(wire::OwnedBytes data);
  bool Append(wire::Bytes&& data) {
    return Append(wire::OwnedBytes(std::move(data)));
  }

  // Marks every appended entry committed, as a quorum would.
  void CommitAll();

  uint64_t last_index() const;
  uint64_t committed_index() const;
  uint64_t applied_index() const;

  // Calls f(index, data) for each committed, unapplied entry in log order,
  // then drops them (their buffers go back where they came from). Returns
  // how many were applied.
  template <typename F>
  size_t ApplyCommitted(F&& f) {
    TakeCommitted();
    for (const Entry& entry : applying_) {
      f(entry.index, entry.data.view());
    }
    return DropApplied();
  }

  // Keeps a copy of every appended entry (tests compare the bytes).
  void RecordHistory(bool on);
  const std::vector<wire::Bytes>& history() const { return history_; }

 private:
  struct Entry {
    uint64_t index = 0;
    wire::OwnedBytes data;
  };

  void TakeCommitted();
  size_t DropApplied();

  std::atomic<bool> leader_{true};
  mutable std::mutex mu_;
  uint64_t last_index_ = 0;
  uint64_t committed_index_ = 0;
  uint64_t applied_index_ = 0;
  std::vector<Entry> entries_;   // appended, not yet applied, in order
  std::vector<Entry> applying_;  // owned by the single applier
  bool record_history_ = false;
  std::vector<wire::Bytes> history_;
};

}  // namespace hotpath::proposal

#endif  // HOTPATH_COMMON_PROPOSAL_RAFT_LOG_H_
