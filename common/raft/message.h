// Raft messages as raft-rs 0.7 carries them, and their wire form. Shared by
// both sides: routing, batching and the scenarios send the same messages.
#ifndef HOTPATH_COMMON_RAFT_MESSAGE_H_
#define HOTPATH_COMMON_RAFT_MESSAGE_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "common/wire/codec.h"

namespace hotpath::raft {

enum class MessageType : uint8_t {
  kRequestVote,
  kRequestVoteResponse,
  kHeartbeat,
  kHeartbeatResponse,
  kAppend,
  kAppendResponse,
  kSnapshot,
};
inline constexpr size_t kMessageTypeCount = 7;

// raft-rs's names ("MsgAppend", ...), as the orchestrator formats them.
std::string_view MessageTypeName(MessageType type);

struct Entry {
  uint64_t index = 0;
  uint64_t term = 0;
  wire::Bytes data;
  bool operator==(const Entry&) const = default;
};

struct Message {
  MessageType type = MessageType::kHeartbeat;
  uint64_t from = 0;
  uint64_t to = 0;
  uint64_t term = 0;
  uint64_t log_term = 0;
  uint64_t index = 0;
  uint64_t commit = 0;
  bool reject = false;
  std::vector<Entry> entries;
  wire::Bytes snapshot;
  bool operator==(const Message&) const = default;
};

// Appends the wire form of `message` to `out`.
void Serialize(const Message& message, wire::Bytes& out);
// Exact size Serialize appends, computed without serialising.
size_t SerializedSize(const Message& message);
// False on truncated or malformed input (and `message` is unspecified).
bool Deserialize(std::span<const uint8_t> bytes, Message& message);

}  // namespace hotpath::raft

#endif  // HOTPATH_COMMON_RAFT_MESSAGE_H_
