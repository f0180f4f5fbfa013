// An in-memory Raft log standing in for raft-rs: the place both sides "hand
// to Raft". Append fails when this node is not the leader. An entry is
// handed over as an owned buffer, as raft-rs's propose takes the Vec<u8>:
// the log keeps it until the entry is applied, then drops it, which frees a
// plain buffer and hands a pooled one back to the pool that lent it (the
// applier is the consumer that returns it). Nothing here reuses a caller's
// buffer for it.
//
// Append(span) is the exception, kept for impl_after/proposals, which hands
// over a borrowed span: the log copies it into a buffer from its own
// power-of-two size-classed pool, so that caller appends with no allocation
// in steady state though raft-rs offers no such thing. Callers that can
// should hand over an OwnedBytes from a pool of their own instead.
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
  // Copies `data` into the log's own pool (see above).
  bool Append(std::span<const uint8_t> data);

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

  // Append(span)'s buffers, one free list per power-of-two size class.
  class SpanPool final : public wire::Recycler {
   public:
    wire::OwnedBytes Copy(std::span<const uint8_t> data);
    void Recycle(wire::Bytes&& bytes) noexcept override;

   private:
    static constexpr size_t kMinClass = 10;  // 1 KiB
    static constexpr size_t kMaxClass = 21;  // 2 MiB
    std::mutex mu_;
    std::array<std::vector<wire::Bytes>, kMaxClass - kMinClass + 1> free_;
  };

  void TakeCommitted();
  size_t DropApplied();

  std::atomic<bool> leader_{true};
  // Declared before the entries: the log's own buffers go back to it when
  // the entries are destroyed.
  SpanPool span_pool_;
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
