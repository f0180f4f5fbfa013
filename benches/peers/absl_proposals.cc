// NOLINTBEGIN(performance-*): the before's code, slow where it is.
#include "benches/peers/absl_proposals.h"

#include <absl/hash/hash.h>
#include <absl/strings/string_view.h>

#include <algorithm>
#include <mutex>
#include <utility>

namespace hotpath::proposals::absl_flat_hash_map {

PendingProposals::PendingProposals(size_t expected_in_flight)
    : channels_(expected_in_flight) {}

Waiter PendingProposals::Propose(const proposal::ProposalId& id,
                                 const proposal::Command& command,
                                 proposal::InMemoryRaftLog& log) {
  Waiter waiter = Register(id);
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
  return absl::Hash<absl::string_view>{}(
      {reinterpret_cast<const char*>(id.data()), id.size()});
}

bool PendingProposals::IdEqual::operator()(std::span<const uint8_t> a,
                                           std::span<const uint8_t> b) const {
  return std::ranges::equal(a, b);
}

Waiter PendingProposals::Register(const proposal::ProposalId& id) {
  ResponseChannels::Channel channel = channels_.Open();
  std::unique_lock lock(mu_);
  // A replaced sender is dropped (closed) under the lock, as in the before.
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

}  // namespace hotpath::proposals::absl_flat_hash_map
// NOLINTEND(performance-*)
