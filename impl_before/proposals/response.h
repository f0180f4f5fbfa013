// The one-shot response channel as the orchestrator had it: a tokio oneshot
// per proposal, one allocation (its Arc'd inner) holding the state word and
// the result slot. Send stores the result and sets the state with one atomic
// read-modify-write; a waiter that finds it set reads the result without a
// lock. Only a waiter that has to block takes the block's mutex and sleeps on
// its condition variable (where tokio parks the task), so the sender locks
// only when someone sleeps. Mutex and condition variable live inside the one
// block: no allocation beyond the channel's, though the block is larger
// (152 bytes here; tokio's Arc'd inner, with two waker slots where this has
// the mutex and condition variable, is about 100). A result owns its error
// string, so every copy of a failed result copies the text. Dropping an unspent
// Sender completes the channel with no result: its Waiter then reads
// kChannelClosed, as a oneshot receiver reads RecvError.
#ifndef HOTPATH_IMPL_BEFORE_PROPOSALS_RESPONSE_H_
#define HOTPATH_IMPL_BEFORE_PROPOSALS_RESPONSE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/proposal/result.h"

namespace hotpath::proposals::before {

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
  std::string_view error() const { return error_; }
  bool ok() const { return status_ == proposal::ProposalStatus::kApplied; }

 private:
  ProposalResult(proposal::ProposalStatus status, uint64_t log_index,
                 std::string_view error);

  proposal::ProposalStatus status_ = proposal::ProposalStatus::kApplied;
  uint64_t log_index_ = 0;
  std::string error_;
};

class ResponseChannels;
// The channel's one heap block (response.cc): state word, owner count,
// result slot, mutex and condition variable.
struct OneshotInner;

class Waiter {
 public:
  Waiter() = default;
  Waiter(Waiter&& other) noexcept;
  Waiter& operator=(Waiter&& other) noexcept;
  ~Waiter();

  bool valid() const { return inner_ != nullptr; }
  // True once the result can be read without blocking.
  bool Ready() const;
  // Blocks until the result arrives; the waiter is spent afterwards.
  ProposalResult Wait();

 private:
  friend class ResponseChannels;
  explicit Waiter(OneshotInner* inner) : inner_(inner) {}
  void Reset();

  OneshotInner* inner_ = nullptr;
};

class Sender {
 public:
  Sender() = default;
  Sender(Sender&& other) noexcept;
  // Drops this sender's channel first, as an assignment in Rust would.
  Sender& operator=(Sender&& other) noexcept;
  // An unspent sender closes its channel: the waiter reads kChannelClosed.
  ~Sender();

  bool valid() const { return inner_ != nullptr; }
  // Completes the waiter; the sender is spent afterwards.
  void Send(ProposalResult result);

 private:
  friend class ResponseChannels;
  explicit Sender(OneshotInner* inner) : inner_(inner) {}
  void Complete(std::optional<ProposalResult> result);

  OneshotInner* inner_ = nullptr;
};

// Opens channels. Channels outlive nothing here; the parameter is the
// number expected in flight, which a pool would preallocate.
class ResponseChannels {
 public:
  struct Channel {
    Sender sender;
    Waiter waiter;
  };

  explicit ResponseChannels(size_t expected_in_flight = 0);

  Channel Open();
};

}  // namespace hotpath::proposals::before

#endif  // HOTPATH_IMPL_BEFORE_PROPOSALS_RESPONSE_H_
