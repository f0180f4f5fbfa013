// NOLINTBEGIN(performance-*): slow on purpose, as the orchestrator wrote it.
#include "impl_before/batching/raft_message_queue.h"

#include <algorithm>
#include <utility>

#include "common/wire/codec.h"
#include "common/wire/owned_bytes.h"

namespace hotpath::batching::before {

RaftMessageQueue::RaftMessageQueue() = default;

void RaftMessageQueue::Enqueue(const raft::Message& message) {
  queues_[static_cast<size_t>(proposal::Classify(message.type))].push_back(
      &message);
}

size_t RaftMessageQueue::DrainRound(proposal::Outbox& outbox) {
  size_t sent = 0;
  for (size_t c = 0; c < queues_.size(); ++c) {
    auto& queue = queues_[c];
    if (queue.empty()) continue;
    const auto take = static_cast<std::ptrdiff_t>(
        std::min(proposal::kDrainBatch[c], queue.size()));
    const std::vector<const raft::Message*> batch(queue.begin(),
                                                  queue.begin() + take);
    queue.erase(queue.begin(), queue.begin() + take);
    for (const raft::Message* message : batch) {
      Send(*message, outbox);
      ++sent;
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
  for (const auto& queue : queues_) count += queue.size();
  return count;
}

// A member, not static, to keep the after's shape (whose Send uses its
// pool). NOLINTNEXTLINE(readability-convert-member-functions-to-static)
void RaftMessageQueue::Send(const raft::Message& message,
                            proposal::Outbox& outbox) {
  // prost's encode_to_vec: Vec::with_capacity(encoded_len()), then one pass.
  wire::Bytes buffer;
  buffer.reserve(raft::SerializedSize(message));
  raft::Serialize(message, buffer);
  outbox.Send(message.to, wire::OwnedBytes(std::move(buffer)));
}

}  // namespace hotpath::batching::before
// NOLINTEND(performance-*)
