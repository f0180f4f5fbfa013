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

size_t EstimateMessageSize(const raft::Message& message) {
  constexpr size_t kBase = 64;
  switch (message.type) {
    case raft::MessageType::kAppend:
      return kBase + 256 * message.entries.size();
    case raft::MessageType::kSnapshot:
      return kBase + (size_t{1} << 20);
    case raft::MessageType::kRequestVote:
    case raft::MessageType::kRequestVoteResponse:
      return kBase + 32;
    case raft::MessageType::kHeartbeat:
    case raft::MessageType::kHeartbeatResponse:
      return kBase + 16;
    case raft::MessageType::kAppendResponse:
      break;
  }
  return kBase + 128;
}

size_t BufferTier(size_t estimate) {
  for (size_t i = 0; i < kBufferTiers.size(); ++i) {
    if (estimate <= kBufferTiers[i]) return i;
  }
  return kBufferTiers.size();
}

size_t TierCapacity(size_t estimate) {
  const size_t tier = BufferTier(estimate);
  return tier < kBufferTiers.size() ? kBufferTiers[tier] : estimate;
}

}  // namespace hotpath::proposal
