// Raft message processing as the orchestrator had it (HOTPATHS.md,
// batching): messages wait in one queue per priority class; a drain round
// takes up to 32/64/16/4 of them per class, in class order, collecting each
// class's share into a fresh vector (Vec::drain(..n).collect()). Each message
// is serialised into a fresh buffer reserved at its size estimate's tier
// (4 KiB, 64 KiB, 1 MiB), which grows when the estimate falls short (an
// append of 5 entries of 1-5 KiB is estimated at 1.3 KiB), and the buffer is
// handed to the transport, which frees it once written. The policy is
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
