// One-shot response channels from a preallocated slot pool: Open takes a
// slot (a free-list pop under a short lock), Send writes the result into it
// and publishes it with one atomic exchange of the slot's state word, and
// the last of sender and waiter to let go returns the slot. A waiter that
// must block sleeps in a futex on that word (Linux), and the sender makes
// the wake-up call only if it did (one word, one order: see Wait). Not C++20
// atomic wait/notify: libstdc++ 12's notify wakes only if a waiter count it
// keeps in a side table is non-zero, and nothing orders that load after the
// caller's release store (x86 lets a load pass an earlier store), so both
// can miss each other; a plain wait/notify ping-pong was seen to stall for
// good on this machine (benches/scenarios/proposal_pipeline.h).
// No allocation per channel once the pool has grown to the number in flight
// (before: one oneshot block per proposal). A failed result
// shares its error text: copies of it bump a reference count instead of
// copying the string, and the fixed texts ("not leader", "channel closed")
// point at static storage, so they cost nothing at all. The floor: a result
// made with Rejected() copies its text once (one allocation), because it
// must outlive the state machine's own string.
#ifndef HOTPATH_IMPL_AFTER_PROPOSALS_RESPONSE_H_
#define HOTPATH_IMPL_AFTER_PROPOSALS_RESPONSE_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "common/proposal/result.h"

namespace hotpath::proposals::after {

// Immutable error text shared by every copy of a result.
class ErrorText {
 public:
  ErrorText() = default;
  // Points at `text`, which must outlive every copy (a literal).
  static ErrorText Static(std::string_view text);
  // One allocation, whatever the number of copies.
  static ErrorText Copy(std::string_view text);

  std::string_view view() const { return {data_.get(), size_}; }

 private:
  std::shared_ptr<const char[]> data_;
  size_t size_ = 0;
};

class ProposalResult {
 public:
  ProposalResult() = default;

  static ProposalResult Applied(uint64_t log_index);
  // Applied, but the state machine answered `error`.
  static ProposalResult Rejected(uint64_t log_index, std::string_view error);
  static ProposalResult NotLeader();
  static ProposalResult ChannelClosed();

  proposal::ProposalStatus status() const { return status_; }
  uint64_t log_index() const { return log_index_; }
  std::string_view error() const { return error_.view(); }
  bool ok() const { return status_ == proposal::ProposalStatus::kApplied; }

 private:
  ProposalResult(proposal::ProposalStatus status, uint64_t log_index,
                 ErrorText error);

  proposal::ProposalStatus status_ = proposal::ProposalStatus::kApplied;
  uint64_t log_index_ = 0;
  ErrorText error_;
};

class ResponseChannels;

class Waiter {
 public:
  Waiter() = default;
  Waiter(Waiter&& other) noexcept;
  Waiter& operator=(Waiter&& other) noexcept;
  ~Waiter();

  bool valid() const { return channels_ != nullptr; }
  // True once the result can be read without blocking.
  bool Ready() const;
  // Blocks until the result arrives; the waiter is spent afterwards.
  ProposalResult Wait();

 private:
  friend class ResponseChannels;
  Waiter(ResponseChannels* channels, uint32_t slot)
      : channels_(channels), slot_(slot) {}
  void Reset();

  ResponseChannels* channels_ = nullptr;
  uint32_t slot_ = 0;
};

class Sender {
 public:
  Sender() = default;
  Sender(Sender&& other) noexcept;
  // Drops this sender's channel first, as an assignment in Rust would.
  Sender& operator=(Sender&& other) noexcept;
  // An unspent sender closes its channel: the waiter reads kChannelClosed.
  ~Sender();

  bool valid() const { return channels_ != nullptr; }
  // Completes the waiter; the sender is spent afterwards.
  void Send(ProposalResult result);

 private:
  friend class ResponseChannels;
  Sender(ResponseChannels* channels, uint32_t slot)
      : channels_(channels), slot_(slot) {}

  ResponseChannels* channels_ = nullptr;
  uint32_t slot_ = 0;
};

// The slot pool. Senders and waiters must not outlive it.
class ResponseChannels {
 public:
  struct Channel {
    Sender sender;
    Waiter waiter;
  };

  // Preallocates slots for `expected_in_flight` open channels; grows by
  // chunks past that (up to kMaxChunks * kChunk, then throws length_error).
  explicit ResponseChannels(size_t expected_in_flight = 1024);
  ResponseChannels(const ResponseChannels&) = delete;
  ResponseChannels& operator=(const ResponseChannels&) = delete;
  ~ResponseChannels();

  Channel Open();

 private:
  friend class Sender;
  friend class Waiter;

  static constexpr size_t kChunk = 256;
  static constexpr size_t kMaxChunks = 4096;
  static constexpr uint32_t kPending = 0;
  static constexpr uint32_t kReady = 1;
  static constexpr uint32_t kSleeping = 2;  // pending, the waiter in a futex

  struct Slot {
    std::atomic<uint32_t> state{kPending};
    std::atomic<uint32_t> owners{0};  // sender + waiter still holding it
    ProposalResult result;
  };

  Slot& At(uint32_t slot) { return chunks_[slot / kChunk][slot % kChunk]; }
  void AddChunkLocked();
  void Release(uint32_t slot);

  std::mutex mu_;
  size_t chunk_count_ = 0;
  // Fixed directory: a chunk never moves once published, so slots are
  // reached without the lock.
  std::array<std::unique_ptr<Slot[]>, kMaxChunks> chunks_;
  std::vector<uint32_t> free_;
};

}  // namespace hotpath::proposals::after

#endif  // HOTPATH_IMPL_AFTER_PROPOSALS_RESPONSE_H_
