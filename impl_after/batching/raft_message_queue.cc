#include "impl_after/batching/raft_message_queue.h"

#include <algorithm>
#include <utility>

#include "common/wire/owned_bytes.h"

namespace hotpath::batching::after {

RaftMessageQueue::RaftMessageQueue() {
  for (size_t c = 0; c < queues_.size(); ++c) {
    queues_[c].items.reserve(4 * proposal::kDrainBatch[c]);
  }
}

void RaftMessageQueue::Enqueue(const raft::Message& message) {
  queues_[static_cast<size_t>(proposal::Classify(message.type))]
      .items.push_back(&message);
}

size_t RaftMessageQueue::DrainRound(proposal::Outbox& outbox) {
  size_t sent = 0;
  for (size_t c = 0; c < queues_.size(); ++c) {
    Queue& queue = queues_[c];
    const size_t take = std::min(proposal::kDrainBatch[c], queue.size());
    for (size_t i = 0; i < take; ++i) {
      Send(*queue.items[queue.head + i], outbox);
    }
    queue.head += take;
    sent += take;
    if (queue.head == queue.items.size()) {
      queue.items.clear();
      queue.head = 0;
    } else if (queue.head > queue.items.size() / 2) {
      queue.items.erase(
          queue.items.begin(),
          queue.items.begin() + static_cast<std::ptrdiff_t>(queue.head));
      queue.head = 0;
    }
  }
  return sent;
}

size_t RaftMessageQueue::DrainAll(proposal::Outbox& outbox) {
  size_t sent = 0;
  while (QueuedCount() > 0) sent += DrainRound(outbox);
  return sent;
}

size_t RaftMessageQueue::QueuedCount() const {
  size_t count = 0;
  for (const Queue& queue : queues_) count += queue.size();
  return count;
}

void RaftMessageQueue::Send(const raft::Message& message,
                            proposal::Outbox& outbox) {
  // Lent by the pool; the transport drops it once written, which returns it.
  wire::OwnedBytes buffer = pool_.Acquire(raft::SerializedSize(message));
  raft::Serialize(message, buffer.bytes());
  outbox.Send(message.to, std::move(buffer));
}

}  // namespace hotpath::batching::after
