// Raft message processing as the orchestrator had it (HOTPATHS.md,
// batching): messages wait in one queue per priority class; a drain round
// takes up to 32/64/16/4 of them per class, in class order, collecting each
// class's share into a fresh vector (Vec::drain(..n).collect()). Each message
// is serialised into a fresh buffer of exactly its size, computed first
// (raft::SerializedSize), as prost's encode_to_vec sizes its Vec, and the
// buffer itself is handed to the transport, which frees it once written.
// Allocations: 1 per message, plus one vector per class per round (the
// HOTPATHS mix of 140 messages: 145, 1.04 per message, and 2.3 KB per
// message, the message's own bytes and the pointer vectors). The policy is
// common/proposal/message_priority.h.
#ifndef HOTPATH_IMPL_BEFORE_BATCHING_RAFT_MESSAGE_QUEUE_H_
#define HOTPATH_IMPL_BEFORE_BATCHING_RAFT_MESSAGE_QUEUE_H_

#include <array>
#include <cstddef>
#include <vector>

#include "common/proposal/message_priority.h"
#include "common/proposal/outbox.h"
#include "common/raft/message.h"

namespace hotpath::batching::before {

// Not thread-safe: the Raft loop owns it.
class RaftMessageQueue {
 public:
  RaftMessageQueue();

  // Queues `message` under its class. It is borrowed, as a Ready's messages
  // are, and must stay alive until it has been drained.
  void Enqueue(const raft::Message& message);
  // One round: up to kDrainBatch[c] messages of each class c, in class
  // order, serialised and sent to `outbox`. Returns how many were sent.
  size_t DrainRound(proposal::Outbox& outbox);
  // Rounds until nothing is queued. Returns how many were sent.
  size_t DrainAll(proposal::Outbox& outbox);
  size_t QueuedCount() const;

 private:
  void Send(const raft::Message& message, proposal::Outbox& outbox);

  std::array<std::vector<const raft::Message*>, proposal::kPriorityClassCount>
      queues_;
};

}  // namespace hotpath::batching::before

#endif  // HOTPATH_IMPL_BEFORE_BATCHING_RAFT_MESSAGE_QUEUE_H_
