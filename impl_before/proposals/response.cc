// NOLINTBEGIN(performance-*): slow on purpose, as the orchestrator wrote it.
#include "impl_before/proposals/response.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <utility>

namespace hotpath::proposals::before {

using proposal::ProposalStatus;

// tokio's oneshot Inner: the state word, the value slot and the receiver's
// wake-up, in the one allocation both ends share (the Arc's count is
// `owners`). A sleeping waiter sets kSleeping under `mu` before it sleeps;
// the sender's fetch_or then sees it and takes `mu` to wake it, so the
// wake-up cannot fall between the waiter's check and its sleep.
struct OneshotInner {
  static constexpr uint32_t kComplete = 1;  // result stored, or sender gone
  static constexpr uint32_t kSleeping = 2;  // the waiter sleeps on `wake`

  std::atomic<uint32_t> state{0};
  std::atomic<uint32_t> owners{2};       // sender + waiter
  std::optional<ProposalResult> result;  // still empty once complete: closed
  std::mutex mu;
  std::condition_variable wake;

  void Release() {
    if (owners.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }
};

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

Waiter::Waiter(Waiter&& other) noexcept
    : inner_(std::exchange(other.inner_, nullptr)) {}

Waiter& Waiter::operator=(Waiter&& other) noexcept {
  if (this != &other) {
    Reset();
    inner_ = std::exchange(other.inner_, nullptr);
  }
  return *this;
}

Waiter::~Waiter() { Reset(); }

void Waiter::Reset() {
  if (inner_ != nullptr) std::exchange(inner_, nullptr)->Release();
}

bool Waiter::Ready() const {
  return (inner_->state.load(std::memory_order_acquire) &
          OneshotInner::kComplete) != 0;
}

ProposalResult Waiter::Wait() {
  OneshotInner& inner = *inner_;
  if (!Ready()) {
    std::unique_lock lock(inner.mu);
    const uint32_t seen = inner.state.fetch_or(OneshotInner::kSleeping,
                                               std::memory_order_acq_rel);
    if ((seen & OneshotInner::kComplete) == 0) {
      inner.wake.wait(lock, [this] { return Ready(); });
    }
  }
  ProposalResult result =
      inner.result ? std::move(*inner.result) : ProposalResult::ChannelClosed();
  Reset();
  return result;
}

Sender::Sender(Sender&& other) noexcept
    : inner_(std::exchange(other.inner_, nullptr)) {}

Sender& Sender::operator=(Sender&& other) noexcept {
  if (this != &other) {
    if (valid()) Complete(std::nullopt);
    inner_ = std::exchange(other.inner_, nullptr);
  }
  return *this;
}

Sender::~Sender() {
  if (valid()) Complete(std::nullopt);
}

void Sender::Send(ProposalResult result) { Complete(std::move(result)); }

void Sender::Complete(std::optional<ProposalResult> result) {
  OneshotInner& inner = *std::exchange(inner_, nullptr);
  inner.result = std::move(result);
  const uint32_t seen =
      inner.state.fetch_or(OneshotInner::kComplete, std::memory_order_acq_rel);
  if ((seen & OneshotInner::kSleeping) != 0) {
    std::lock_guard lock(inner.mu);
    inner.wake.notify_one();
  }
  inner.Release();
}

ResponseChannels::ResponseChannels(size_t /*expected_in_flight*/) {}

// A member, not static, to keep the after's shape (whose Open takes a slot
// from its pool).
// NOLINTNEXTLINE(readability-convert-member-functions-to-static)
ResponseChannels::Channel ResponseChannels::Open() {
  auto* inner = new OneshotInner;  // the one allocation: oneshot::channel()
  return {Sender(inner), Waiter(inner)};
}

}  // namespace hotpath::proposals::before
// NOLINTEND(performance-*)
