// NOLINTBEGIN(performance-*): slow on purpose, as the orchestrator wrote it.
#include "impl_before/proposals/pending_proposals.h"

#include <mutex>
#include <utility>

namespace hotpath::proposals::before {

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
  HandToRaft(id, wire::OwnedBytes(std::move(entry)), log);
  return waiter;
}

Waiter PendingProposals::ProposeEntry(const proposal::ProposalId& id,
                                      wire::OwnedBytes entry,
                                      proposal::InMemoryRaftLog& log) {
  Waiter waiter = Register(id);
  HandToRaft(id, std::move(entry), log);
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

Waiter PendingProposals::Register(const proposal::ProposalId& id) {
  ResponseChannels::Channel channel = channels_.Open();
  std::unique_lock lock(mu_);
  // HashMap::insert(id.clone(), tx) under the write lock; a replaced sender
  // is dropped before the lock is released.
  Sender replaced;
  pending_.InsertOrAssign(
      std::vector<uint8_t>(id.bytes().begin(), id.bytes().end()),
      std::move(channel.sender), replaced);
  return std::move(channel.waiter);
}

void PendingProposals::HandToRaft(const proposal::ProposalId& id,
                                  wire::OwnedBytes entry,
                                  proposal::InMemoryRaftLog& log) {
  // raft-rs's propose takes the Vec; a refused one is dropped (freed).
  if (log.Append(std::move(entry))) return;
  std::optional<Sender> sender = Remove(id);
  if (sender) sender->Send(ProposalResult::NotLeader());
}

std::optional<Sender> PendingProposals::Remove(const proposal::ProposalId& id) {
  std::unique_lock lock(mu_);
  Sender sender;
  if (!pending_.Erase(id.bytes(), sender)) return std::nullopt;
  return sender;
}

}  // namespace hotpath::proposals::before
// NOLINTEND(performance-*)
