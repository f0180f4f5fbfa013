// NOLINTBEGIN(performance-*): slow on purpose, as the orchestrator wrote it.
#include "impl_before/batching/proposal_batcher.h"

#include <utility>

namespace hotpath::batching::before {

ProposalBatcher::ProposalBatcher(proposals::before::PendingProposals& pending,
                                 proposal::InMemoryRaftLog& log,
                                 uint64_t node_id, proposal::BatchLimits limits,
                                 size_t expected_in_flight)
    : pending_(pending),
      log_(log),
      node_id_(node_id),
      limits_(limits),
      channels_(expected_in_flight) {}

Waiter ProposalBatcher::Add(const proposal::ProposalId& id,
                            const proposal::Command& command,
                            proposal::TimePoint now) {
  // The estimate serialises the command, only to take its length.
  const wire::Bytes scratch = proposal::SerializeCommandToVector(command);
  const size_t estimate = proposal::EstimateProposalSize(scratch.size(), id);
  std::lock_guard lock(mu_);
  if (!queue_.empty() && queued_bytes_ + estimate > limits_.max_bytes) {
    FlushLocked();
  }
  if (queue_.empty()) first_queued_ = now;
  proposals::before::ResponseChannels::Channel channel = channels_.Open();
  queue_.push_back({id, &command, std::move(channel.sender)});
  queued_bytes_ += estimate;
  if (queue_.size() >= limits_.max_proposals ||
      queued_bytes_ >= limits_.max_bytes) {
    FlushLocked();
  }
  return std::move(channel.waiter);
}

bool ProposalBatcher::Poll(proposal::TimePoint now) {
  std::lock_guard lock(mu_);
  if (queue_.empty() || now - first_queued_ < limits_.max_delay) return false;
  return FlushLocked();
}

bool ProposalBatcher::Flush() {
  std::lock_guard lock(mu_);
  return FlushLocked();
}

size_t ProposalBatcher::DeliverResults() {
  std::lock_guard lock(mu_);
  size_t delivered = 0;
  for (auto it = in_flight_.begin(); it != in_flight_.end();) {
    if (!it->batch.Ready()) {
      ++it;
      continue;
    }
    const ProposalResult result = it->batch.Wait();
    for (Queued& queued : it->proposals) {
      queued.sender.Send(result);  // result.clone(), error string and all
      ++delivered;
    }
    it = in_flight_.erase(it);
  }
  return delivered;
}

size_t ProposalBatcher::QueuedCount() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

size_t ProposalBatcher::InFlightBatches() const {
  std::lock_guard lock(mu_);
  return in_flight_.size();
}

bool ProposalBatcher::FlushLocked() {
  if (queue_.empty()) return false;
  const auto batch_id =
      proposal::ProposalId::ForBatch(node_id_, next_sequence_++);
  // bincode::serialize of the batch: a size pass, then one fresh vector.
  size_t size = proposal::BatchHeaderSize(batch_id);
  for (const Queued& queued : queue_) {
    size += proposal::BatchItemSize(queued.id, *queued.command);
  }
  wire::Bytes entry;
  entry.reserve(size);
  proposal::WriteBatchHeader(batch_id, static_cast<uint32_t>(queue_.size()),
                             entry);
  for (const Queued& queued : queue_) {
    proposal::SerializeBatchItem(queued.id, *queued.command, entry);
  }
  // Handed over as raft-rs takes the Vec; freed once applied.
  Waiter batch =
      pending_.ProposeEntry(batch_id, wire::OwnedBytes(std::move(entry)), log_);
  // std::mem::take: the next batch starts from an empty vector again.
  in_flight_.push_back({std::move(batch), std::exchange(queue_, {})});
  queued_bytes_ = 0;
  return true;
}

}  // namespace hotpath::batching::before
// NOLINTEND(performance-*)
