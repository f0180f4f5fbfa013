#include "impl_after/batching/proposal_batcher.h"

#include <algorithm>
#include <cstring>
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
      header_size_(proposal::BatchHeaderSize(
          proposal::ProposalId::ForBatch(node_id, 0))),
      channels_(expected_in_flight) {
  header_.reserve(header_size_);
  queue_ = TakeSenderList();
  const size_t batches =
      expected_in_flight / std::max<size_t>(limits_.max_proposals, 1) + 1;
  in_flight_.reserve(batches);
  spare_lists_.reserve(batches + 1);
}

Waiter ProposalBatcher::Add(const proposal::ProposalId& id,
                            const proposal::Command& command,
                            proposal::TimePoint now) {
  const size_t estimate =
      proposal::EstimateProposalSize(proposal::CommandSize(command), id);
  std::lock_guard lock(mu_);
  if (!queue_.empty() && queued_bytes_ + estimate > limits_.max_bytes) {
    FlushLocked();
  }
  if (queue_.empty()) {
    first_queued_ = now;
    entry_.resize(header_size_);  // filled in by FlushLocked
  }
  proposal::SerializeBatchItem(id, command, entry_);
  proposals::after::ResponseChannels::Channel channel = channels_.Open();
  queue_.push_back(std::move(channel.sender));
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
  size_t kept = 0;
  for (InFlight& in_flight : in_flight_) {
    if (!in_flight.batch.Ready()) {
      if (&in_flight_[kept] != &in_flight)
        in_flight_[kept] = std::move(in_flight);
      ++kept;
      continue;
    }
    const ProposalResult result = in_flight.batch.Wait();
    for (proposals::after::Sender& sender : in_flight.senders) {
      sender.Send(result);  // shares the error text
    }
    delivered += in_flight.senders.size();
    in_flight.senders.clear();
    spare_lists_.push_back(std::move(in_flight.senders));
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
  header_.clear();
  proposal::WriteBatchHeader(batch_id, static_cast<uint32_t>(queue_.size()),
                             header_);
  std::memcpy(entry_.data(), header_.data(), header_size_);
  Waiter batch = pending_.ProposeEntry(batch_id, entry_, log_);
  in_flight_.push_back(
      {std::move(batch), std::exchange(queue_, TakeSenderList())});
  queued_bytes_ = 0;
  return true;
}

std::vector<proposals::after::Sender> ProposalBatcher::TakeSenderList() {
  if (spare_lists_.empty()) {
    std::vector<proposals::after::Sender> list;
    list.reserve(limits_.max_proposals);
    return list;
  }
  std::vector<proposals::after::Sender> list = std::move(spare_lists_.back());
  spare_lists_.pop_back();
  return list;
}

}  // namespace hotpath::batching::after
