#include "impl_after/batching/proposal_batcher.h"

#include <algorithm>
#include <utility>

namespace hotpath::batching::after {

ProposalBatcher::ProposalBatcher(proposals::after::PendingProposals& pending,
                                 proposal::InMemoryRaftLog& log,
                                 uint64_t node_id, proposal::BatchLimits limits,
                                 size_t expected_in_flight)
    : pending_(pending),
      log_(log),
      node_id_(node_id),
      limits_(limits),
      channels_(expected_in_flight),
      entries_(expected_in_flight) {
  queue_ = TakeQueue();
  const size_t batches =
      expected_in_flight / std::max<size_t>(limits_.max_proposals, 1) + 1;
  in_flight_.reserve(batches);
  spare_queues_.reserve(batches + 1);
}

Waiter ProposalBatcher::Add(const proposal::ProposalId& id,
                            const proposal::Command& command,
                            proposal::TimePoint now) {
  // The estimate computes the command's length instead of serialising it.
  const size_t command_size = proposal::CommandSize(command);
  const size_t estimate = proposal::EstimateProposalSize(command_size, id);
  std::lock_guard lock(mu_);
  if (!queue_.empty() && queued_bytes_ + estimate > limits_.max_bytes) {
    FlushLocked();
  }
  if (queue_.empty()) first_queued_ = now;
  proposals::after::ResponseChannels::Channel channel = channels_.Open();
  queue_.push_back({id, &command, std::move(channel.sender)});
  queued_bytes_ += estimate;
  items_size_ += proposal::BatchItemSize(id, command);
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
  size_t kept = 0;
  for (InFlight& in_flight : in_flight_) {
    if (!in_flight.batch.Ready()) {
      if (&in_flight_[kept] != &in_flight)
        in_flight_[kept] = std::move(in_flight);
      ++kept;
      continue;
    }
    const ProposalResult result = in_flight.batch.Wait();
    for (Queued& queued : in_flight.proposals) {
      queued.sender.Send(result);  // shares the error text
    }
    delivered += in_flight.proposals.size();
    in_flight.proposals.clear();
    spare_queues_.push_back(std::move(in_flight.proposals));
  }
  in_flight_.erase(in_flight_.begin() + static_cast<std::ptrdiff_t>(kept),
                   in_flight_.end());
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
  // Exactly sized, as before, but lent by the pool: the log's applier drops
  // it once applied, which hands it back.
  wire::OwnedBytes entry =
      entries_.Acquire(proposal::BatchHeaderSize(batch_id) + items_size_);
  proposal::WriteBatchHeader(batch_id, static_cast<uint32_t>(queue_.size()),
                             entry.bytes());
  for (const Queued& queued : queue_) {
    proposal::SerializeBatchItem(queued.id, *queued.command, entry.bytes());
  }
  Waiter batch = pending_.ProposeEntry(batch_id, std::move(entry), log_);
  in_flight_.push_back({std::move(batch), std::exchange(queue_, TakeQueue())});
  queued_bytes_ = 0;
  items_size_ = 0;
  return true;
}

std::vector<ProposalBatcher::Queued> ProposalBatcher::TakeQueue() {
  if (spare_queues_.empty()) {
    std::vector<Queued> queue;
    queue.reserve(limits_.max_proposals);
    return queue;
  }
  std::vector<Queued> queue = std::move(spare_queues_.back());
  spare_queues_.pop_back();
  return queue;
}

}  // namespace hotpath::batching::after
