#include "impl_after/proposals/pending_proposals.h"

#include <utility>

namespace hotpath::proposals::after {

PendingProposals::PendingProposals(size_t expected_in_flight)
    : channels_(expected_in_flight), pending_(expected_in_flight) {}

Waiter PendingProposals::Propose(const proposal::ProposalId& id,
                                 const proposal::Command& command,
                                 proposal::InMemoryRaftLog& log) {
  Waiter waiter = Register(id);
  // One buffer per proposing thread; it keeps the capacity of the largest
  // entry it has held.
  thread_local wire::Bytes entry;
  entry.clear();
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
                                  wire::Bytes& entry,
                                  proposal::InMemoryRaftLog& log) {
  const bool appended = log.Append(std::span<const uint8_t>(entry));
  entry.clear();  // empty as before leaves it, but the capacity stays
  if (appended) return;
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
