// NOLINTBEGIN(performance-*): slow on purpose, as the orchestrator wrote it.
#include "impl_before/proposals/response.h"

#include <chrono>
#include <utility>

namespace hotpath::proposals::before {

using proposal::ProposalStatus;

ProposalResult::ProposalResult(ProposalStatus status, uint64_t log_index,
                               std::string_view error)
    : status_(status), log_index_(log_index), error_(error) {}

ProposalResult ProposalResult::Applied(uint64_t log_index) {
  return {ProposalStatus::kApplied, log_index, {}};
}

ProposalResult ProposalResult::Rejected(uint64_t log_index,
                                        std::string_view error) {
  return {ProposalStatus::kRejected, log_index, error};
}

ProposalResult ProposalResult::NotLeader() {
  return {ProposalStatus::kNotLeader, 0, proposal::kNotLeaderError};
}

ProposalResult ProposalResult::ChannelClosed() {
  return {ProposalStatus::kChannelClosed, 0, proposal::kChannelClosedError};
}

Waiter::Waiter(std::future<ProposalResult> future)
    : future_(std::move(future)) {}

bool Waiter::Ready() const {
  return future_.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
}

ProposalResult Waiter::Wait() {
  try {
    return future_.get();
  } catch (const std::future_error&) {
    return ProposalResult::ChannelClosed();  // the sender was dropped
  }
}

Sender::Sender(std::promise<ProposalResult> promise)
    : promise_(std::move(promise)), valid_(true) {}

Sender::Sender(Sender&& other) noexcept
    : promise_(std::move(other.promise_)),
      valid_(std::exchange(other.valid_, false)) {}

Sender& Sender::operator=(Sender&& other) noexcept {
  promise_ = std::move(other.promise_);
  valid_ = std::exchange(other.valid_, false);
  return *this;
}

void Sender::Send(ProposalResult result) {
  promise_.set_value(std::move(result));
  valid_ = false;
}

ResponseChannels::ResponseChannels(size_t /*expected_in_flight*/) {}

// A member, not static, to keep the after's shape (whose Open takes a slot
// from its pool).
// NOLINTNEXTLINE(readability-convert-member-functions-to-static)
ResponseChannels::Channel ResponseChannels::Open() {
  std::promise<ProposalResult> promise;
  std::future<ProposalResult> future = promise.get_future();
  return {Sender(std::move(promise)), Waiter(std::move(future))};
}

}  // namespace hotpath::proposals::before
// NOLINTEND(performance-*)
