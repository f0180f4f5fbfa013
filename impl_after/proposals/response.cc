#include "impl_after/proposals/response.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace hotpath::proposals::after {

using proposal::ProposalStatus;

namespace {

// The futex calls on the slot's state word, process-private. A wait returns
// at once if the word no longer holds `expected`, or on a signal or a
// spurious wake-up: the caller loops on the word.
void FutexWait(std::atomic<uint32_t>& word, uint32_t expected) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word), FUTEX_WAIT_PRIVATE,
          expected, nullptr, nullptr, 0);
}

void FutexWake(std::atomic<uint32_t>& word) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word), FUTEX_WAKE_PRIVATE, 1,
          nullptr, nullptr, 0);
}

static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t) &&
              std::atomic<uint32_t>::is_always_lock_free);

}  // namespace

ErrorText ErrorText::Static(std::string_view text) {
  ErrorText error;
  // Aliasing constructor with no owner: no control block, no counting.
  error.data_ = std::shared_ptr<const char[]>(std::shared_ptr<const char[]>(),
                                              text.data());
  error.size_ = text.size();
  return error;
}

ErrorText ErrorText::Copy(std::string_view text) {
  ErrorText error;
  if (text.empty()) return error;
  std::shared_ptr<char[]> data =
      std::make_shared_for_overwrite<char[]>(text.size());
  std::memcpy(data.get(), text.data(), text.size());
  error.data_ = std::move(data);
  error.size_ = text.size();
  return error;
}

ProposalResult::ProposalResult(ProposalStatus status, uint64_t log_index,
                               ErrorText error)
    : status_(status), log_index_(log_index), error_(std::move(error)) {}

ProposalResult ProposalResult::Applied(uint64_t log_index) {
  return {ProposalStatus::kApplied, log_index, {}};
}

ProposalResult ProposalResult::Rejected(uint64_t log_index,
                                        std::string_view error) {
  return {ProposalStatus::kRejected, log_index, ErrorText::Copy(error)};
}

ProposalResult ProposalResult::NotLeader() {
  return {ProposalStatus::kNotLeader, 0,
          ErrorText::Static(proposal::kNotLeaderError)};
}

ProposalResult ProposalResult::ChannelClosed() {
  return {ProposalStatus::kChannelClosed, 0,
          ErrorText::Static(proposal::kChannelClosedError)};
}

Waiter::Waiter(Waiter&& other) noexcept
    : channels_(std::exchange(other.channels_, nullptr)), slot_(other.slot_) {}

Waiter& Waiter::operator=(Waiter&& other) noexcept {
  if (this != &other) {
    Reset();
    channels_ = std::exchange(other.channels_, nullptr);
    slot_ = other.slot_;
  }
  return *this;
}

Waiter::~Waiter() { Reset(); }

void Waiter::Reset() {
  if (channels_ != nullptr) std::exchange(channels_, nullptr)->Release(slot_);
}

bool Waiter::Ready() const {
  return channels_->At(slot_).state.load(std::memory_order_acquire) ==
         ResponseChannels::kReady;
}

// kPending -> kSleeping -> kReady. The waiter announces its sleep and the
// sender publishes the result with read-modify-writes of the one word, so
// one of them sees the other: the sender wakes only a waiter that said it
// sleeps, and the kernel rechecks the word before it puts the waiter to
// sleep, so a result that lands in between is never slept through.
ProposalResult Waiter::Wait() {
  ResponseChannels::Slot& slot = channels_->At(slot_);
  uint32_t state = ResponseChannels::kPending;
  // Fails only on kReady: nobody but this waiter sets kSleeping.
  if (!Ready() &&
      slot.state.compare_exchange_strong(state, ResponseChannels::kSleeping,
                                         std::memory_order_acquire)) {
    do {
      FutexWait(slot.state, ResponseChannels::kSleeping);
    } while (!Ready());
  }
  ProposalResult result = std::move(slot.result);
  Reset();
  return result;
}

Sender::Sender(Sender&& other) noexcept
    : channels_(std::exchange(other.channels_, nullptr)), slot_(other.slot_) {}

Sender& Sender::operator=(Sender&& other) noexcept {
  if (this != &other) {
    if (valid()) Send(ProposalResult::ChannelClosed());
    channels_ = std::exchange(other.channels_, nullptr);
    slot_ = other.slot_;
  }
  return *this;
}

Sender::~Sender() {
  if (valid()) Send(ProposalResult::ChannelClosed());
}

void Sender::Send(ProposalResult result) {
  ResponseChannels::Slot& slot = channels_->At(slot_);
  slot.result = std::move(result);
  // The slot stays ours (owners) until Release, so the wake-up never
  // touches a slot that has gone back to the pool.
  if (slot.state.exchange(ResponseChannels::kReady,
                          std::memory_order_acq_rel) ==
      ResponseChannels::kSleeping) {
    FutexWake(slot.state);
  }
  std::exchange(channels_, nullptr)->Release(slot_);
}

ResponseChannels::ResponseChannels(size_t expected_in_flight) {
  const size_t chunks = (expected_in_flight + kChunk - 1) / kChunk;
  free_.reserve(std::max<size_t>(chunks, 1) * kChunk);
  std::lock_guard lock(mu_);
  for (size_t i = 0; i < chunks; ++i) AddChunkLocked();
}

ResponseChannels::~ResponseChannels() = default;

ResponseChannels::Channel ResponseChannels::Open() {
  uint32_t slot = 0;
  {
    std::lock_guard lock(mu_);
    if (free_.empty()) AddChunkLocked();
    slot = free_.back();
    free_.pop_back();
  }
  Slot& s = At(slot);
  s.state.store(kPending, std::memory_order_relaxed);
  s.owners.store(2, std::memory_order_relaxed);
  return {Sender(this, slot), Waiter(this, slot)};
}

void ResponseChannels::AddChunkLocked() {
  if (chunk_count_ == kMaxChunks) {
    throw std::length_error("too many proposal response channels in flight");
  }
  chunks_[chunk_count_] = std::make_unique<Slot[]>(kChunk);
  // Pushed in reverse so that slots are handed out in ascending order.
  const auto base = static_cast<uint32_t>(chunk_count_ * kChunk);
  for (size_t i = kChunk; i > 0; --i) {
    free_.push_back(base + static_cast<uint32_t>(i - 1));
  }
  ++chunk_count_;
}

void ResponseChannels::Release(uint32_t slot) {
  Slot& s = At(slot);
  if (s.owners.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  s.result = ProposalResult();  // drops a shared error text
  std::lock_guard lock(mu_);
  free_.push_back(slot);
}

}  // namespace hotpath::proposals::after
