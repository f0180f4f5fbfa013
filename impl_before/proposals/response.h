// The one-shot response channel as the orchestrator had it: a tokio oneshot
// per proposal, here a std::promise/std::future pair. libstdc++ allocates
// twice per channel (the shared state and the promise's result storage)
// where the oneshot's Arc'd inner is one allocation. A result
// owns its error string, so every copy of a failed result copies the text.
// Dropping an unspent Sender breaks the promise: its Waiter then reads
// kChannelClosed, as a oneshot receiver reads RecvError.
#ifndef HOTPATH_IMPL_BEFORE_PROPOSALS_RESPONSE_H_
#define HOTPATH_IMPL_BEFORE_PROPOSALS_RESPONSE_H_

#include <cstddef>
#include <cstdint>
#include <future>
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

class Waiter {
 public:
  Waiter() = default;

  bool valid() const { return future_.valid(); }
  // True once the result can be read without blocking.
  bool Ready() const;
  // Blocks until the result arrives; the waiter is spent afterwards.
  ProposalResult Wait();

 private:
  friend class ResponseChannels;
  explicit Waiter(std::future<ProposalResult> future);

  std::future<ProposalResult> future_;
};

class Sender {
 public:
  Sender() = default;
  Sender(Sender&& other) noexcept;
  // Drops this sender's channel first, as an assignment in Rust would.
  Sender& operator=(Sender&& other) noexcept;

  bool valid() const { return valid_; }
  // Completes the waiter; the sender is spent afterwards.
  void Send(ProposalResult result);

 private:
  friend class ResponseChannels;
  explicit Sender(std::promise<ProposalResult> promise);

  std::promise<ProposalResult> promise_;
  bool valid_ = false;
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
