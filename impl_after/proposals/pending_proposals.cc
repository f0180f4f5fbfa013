#include "impl_after/proposals/pending_proposals.h"

#include <utility>

namespace hotpath::proposals::after {

PendingProposals::PendingProposals(size_t expected_in_flight)
    : channels_(expected_in_flight),
      entries_(expected_in_flight),
      pending_(expected_in_flight) {}

Waiter PendingProposals::Propose(const proposal::ProposalId& id,
                                 const proposal::Command& command,
                                 proposal::InMemoryRaftLog& log) {
  Waiter waiter = Register(id);
  // Sized first, as before, but lent by the pool: the log's applier drops
  // it once applied, which hands it back.
  wire::OwnedBytes entry =
      entries_.Acquire(proposal::SingleEntrySize(id, command));
  proposal::SerializeSingleEntry(id, command, entry.bytes());
  HandToRaft(id, std::move(entry), log);
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
  Sender sender = Remove(id);
  if (!sender.valid()) return false;
  sender.Send(std::move(result));
  return true;
}

size_t PendingProposals::PendingCount() const {
  std::lock_guard lock(mu_);
  return pending_.size();
}

Waiter PendingProposals::Register(const proposal::ProposalId& id) {
  ResponseChannels::Channel channel = channels_.Open();
  Sender replaced;
  {
    std::lock_guard lock(mu_);
    pending_.InsertOrAssign(id, std::move(channel.sender), replaced);
  }
  return std::move(channel.waiter);  // `replaced`, if any, closes here
}

void PendingProposals::HandToRaft(const proposal::ProposalId& id,
                                  wire::OwnedBytes entry,
                                  proposal::InMemoryRaftLog& log) {
  // A refused entry is dropped by the log: a lent one goes back at once.
  if (log.Append(std::move(entry))) return;
  Sender sender = Remove(id);
  if (sender.valid()) sender.Send(ProposalResult::NotLeader());
}

Sender PendingProposals::Remove(const proposal::ProposalId& id) {
  Sender sender;
  std::lock_guard lock(mu_);
  pending_.Erase(id, sender);
  return sender;
}

}  // namespace hotpath::proposals::after
