// NOLINTBEGIN(performance-*): slow on purpose, as idiomatic C++ writes it.
#include "benches/peers/std_promise_proposals.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <mutex>
#include <string_view>
#include <utility>

namespace hotpath::proposals::std_promise {

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

PendingProposals::PendingProposals(size_t expected_in_flight)
    : channels_(expected_in_flight) {}

Waiter PendingProposals::Propose(const proposal::ProposalId& id,
                                 const proposal::Command& command,
                                 proposal::InMemoryRaftLog& log) {
  Waiter waiter = Register(id);
  // bincode::serialize: a size pass, then one fresh, exactly sized vector.
  wire::Bytes entry;
  entry.reserve(proposal::SingleEntrySize(id, command));
  proposal::SerializeSingleEntry(id, command, entry);
  HandToRaft(id, entry, log);
  return waiter;
}

Waiter PendingProposals::ProposeEntry(const proposal::ProposalId& id,
                                      wire::Bytes& entry,
                                      proposal::InMemoryRaftLog& log) {
  Waiter waiter = Register(id);
  HandToRaft(id, entry, log);
  return waiter;
}

bool PendingProposals::Apply(const proposal::ProposalId& id,
                             ProposalResult result) {
  std::optional<Sender> sender = Remove(id);
  if (!sender) return false;
  sender->Send(std::move(result));
  return true;
}

size_t PendingProposals::PendingCount() const {
  std::shared_lock lock(mu_);
  return pending_.size();
}

size_t PendingProposals::IdHash::operator()(std::span<const uint8_t> id) const {
  return std::hash<std::string_view>{}(
      {reinterpret_cast<const char*>(id.data()), id.size()});
}

bool PendingProposals::IdEqual::operator()(std::span<const uint8_t> a,
                                           std::span<const uint8_t> b) const {
  return std::ranges::equal(a, b);
}

Waiter PendingProposals::Register(const proposal::ProposalId& id) {
  // The analyzer loses track of the promise's result storage, which its
  // shared state owns (a unique_ptr): not a leak.
  // NOLINTNEXTLINE(clang-analyzer-cplusplus.NewDeleteLeaks)
  ResponseChannels::Channel channel = channels_.Open();
  std::unique_lock lock(mu_);
  // HashMap::insert(id.clone(), tx): a replaced sender is dropped.
  pending_.insert_or_assign(
      std::vector<uint8_t>(id.bytes().begin(), id.bytes().end()),
      std::move(channel.sender));
  return std::move(channel.waiter);
}

void PendingProposals::HandToRaft(const proposal::ProposalId& id,
                                  wire::Bytes& entry,
                                  proposal::InMemoryRaftLog& log) {
  if (log.Append(std::move(entry))) return;
  entry = {};
  std::optional<Sender> sender = Remove(id);
  if (sender) sender->Send(ProposalResult::NotLeader());
}

std::optional<Sender> PendingProposals::Remove(const proposal::ProposalId& id) {
  std::unique_lock lock(mu_);
  const auto it = pending_.find(id.bytes());
  if (it == pending_.end()) return std::nullopt;
  std::optional<Sender> sender(std::move(it->second));
  pending_.erase(it);
  return sender;
}

}  // namespace hotpath::proposals::std_promise
// NOLINTEND(performance-*)
