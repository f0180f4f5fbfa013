#include "common/proposal/message_priority.h"

namespace hotpath::proposal {

PriorityClass Classify(raft::MessageType type) {
  switch (type) {
    case raft::MessageType::kRequestVote:
    case raft::MessageType::kRequestVoteResponse:
      return PriorityClass::kElection;
    case raft::MessageType::kHeartbeat:
    case raft::MessageType::kHeartbeatResponse:
      return PriorityClass::kHeartbeat;
    case raft::MessageType::kSnapshot:
      return PriorityClass::kSnapshot;
    case raft::MessageType::kAppend:
    case raft::MessageType::kAppendResponse:
      break;
  }
  return PriorityClass::kNormal;
}

size_t BufferTier(size_t size) {
  for (size_t i = 0; i < kBufferTiers.size(); ++i) {
    if (size <= kBufferTiers[i]) return i;
  }
  return kBufferTiers.size();
}

}  // namespace hotpath::proposal
