#include "common/raft/message.h"

namespace hotpath::raft {

std::string_view MessageTypeName(MessageType type) {
  switch (type) {
    case MessageType::kRequestVote:
      return "MsgRequestVote";
    case MessageType::kRequestVoteResponse:
      return "MsgRequestVoteResponse";
    case MessageType::kHeartbeat:
      return "MsgHeartbeat";
    case MessageType::kHeartbeatResponse:
      return "MsgHeartbeatResponse";
    case MessageType::kAppend:
      return "MsgAppend";
    case MessageType::kAppendResponse:
      return "MsgAppendResponse";
    case MessageType::kSnapshot:
      return "MsgSnapshot";
  }
  return "MsgUnknown";
}

namespace {
// type, reject, 6 x u64, entry count, snapshot length
constexpr size_t kFixedSize = 1 + 1 + 6 * 8 + 4 + 4;
constexpr size_t kEntryFixedSize = 8 + 8 + 4;
}  // namespace

void Serialize(const Message& m, wire::Bytes& out) {
  wire::Writer w(out);
  w.Int(static_cast<uint8_t>(m.type));
  w.Int(static_cast<uint8_t>(m.reject ? 1 : 0));
  w.Int(m.from);
  w.Int(m.to);
  w.Int(m.term);
  w.Int(m.log_term);
  w.Int(m.index);
  w.Int(m.commit);
  w.Int(static_cast<uint32_t>(m.entries.size()));
  for (const Entry& e : m.entries) {
    w.Int(e.index);
    w.Int(e.term);
    w.Blob(e.data);
  }
  w.Blob(m.snapshot);
}

size_t SerializedSize(const Message& m) {
  size_t size = kFixedSize + m.snapshot.size();
  for (const Entry& e : m.entries) size += kEntryFixedSize + e.data.size();
  return size;
}

bool Deserialize(std::span<const uint8_t> bytes, Message& m) {
  wire::Reader r(bytes);
  const auto type = r.Int<uint8_t>();
  if (type >= kMessageTypeCount) return false;
  m.type = static_cast<MessageType>(type);
  // As bincode: a bool is 0 or 1, so every message has one encoding.
  const auto reject = r.Int<uint8_t>();
  if (reject > 1) return false;
  m.reject = reject != 0;
  m.from = r.Int<uint64_t>();
  m.to = r.Int<uint64_t>();
  m.term = r.Int<uint64_t>();
  m.log_term = r.Int<uint64_t>();
  m.index = r.Int<uint64_t>();
  m.commit = r.Int<uint64_t>();
  const auto count = r.Int<uint32_t>();
  if (!r.ok() || count > bytes.size() / kEntryFixedSize) return false;
  m.entries.resize(count);
  for (Entry& e : m.entries) {
    e.index = r.Int<uint64_t>();
    e.term = r.Int<uint64_t>();
    const auto data = r.Blob();
    e.data.assign(data.begin(), data.end());
  }
  const auto snapshot = r.Blob();
  m.snapshot.assign(snapshot.begin(), snapshot.end());
  return r.done();
}

}  // namespace hotpath::raft
