// The transport's wire form of a request, shared by both routing sides so
// that they put the same bytes on the wire (HOTPATHS.md, routing):
//
//   offset  size  field
//        0     1  version (kWireVersion)
//        1     1  priority (Priority)
//        2     2  flags (0; reserved)
//        4     4  payload length
//        8    16  request id
//       24     2  service length, then the service name
//        .     2  method length, then the method name
//        .     .  payload
//
// All integers little-endian. The header carries the payload length so a
// reader can bound the frame before it parses the names. Request ids are
// deterministic (node id and a per-router sequence number through
// SplitMix64), so frames from two implementations compare byte for byte.
#ifndef HOTPATH_COMMON_TRANSPORT_FRAME_H_
#define HOTPATH_COMMON_TRANSPORT_FRAME_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "common/wire/codec.h"

namespace hotpath::transport {

inline constexpr uint8_t kWireVersion = 1;
inline constexpr size_t kHeaderSize = 24;
inline constexpr size_t kMaxNameSize = 0xFFFF;
// gRPC's default receive limit; larger frames are refused, not truncated.
inline constexpr size_t kMaxFrameSize = size_t{4} << 20;

inline constexpr std::string_view kRaftService = "raft";
inline constexpr std::string_view kRaftMethod = "raft.message";

enum class Priority : uint8_t { kLow, kNormal, kHigh, kCritical };

// raft critical, health high, vm and status normal, anything else low.
constexpr Priority PriorityFor(std::string_view service) {
  if (service == "raft") return Priority::kCritical;
  if (service == "health") return Priority::kHigh;
  if (service == "vm" || service == "status") return Priority::kNormal;
  return Priority::kLow;
}

using RequestId = std::array<uint8_t, 16>;
// Unique per (node, sequence): SplitMix64 is a bijection.
RequestId MakeRequestId(uint64_t node, uint64_t sequence);

// The frame's size for names and payload of these sizes.
constexpr size_t FrameSize(size_t service, size_t method, size_t payload) {
  return kHeaderSize + 2 + service + 2 + method + payload;
}

struct Header {
  Priority priority = Priority::kLow;
  uint32_t payload_size = 0;
  RequestId id{};
};

// Appends the header and both names: everything but the payload. The caller
// has checked the sizes with CheckFrame.
void AppendPreamble(wire::Bytes& out, const Header& header,
                    std::string_view service, std::string_view method);

// A parsed frame; the views point into the parsed bytes.
struct FrameView {
  uint8_t version = 0;
  Priority priority = Priority::kLow;
  uint16_t flags = 0;
  RequestId id{};
  std::string_view service;
  std::string_view method;
  std::span<const uint8_t> payload;
};

// False on truncated or malformed frames (bad version or priority, payload
// length not matching the frame).
bool ParseFrame(std::span<const uint8_t> bytes, FrameView& frame);

// The outcome of a send. Success carries no message, so it costs nothing.
class Status {
 public:
  enum class Code : uint8_t { kOk, kUnknownPeer, kOversize };

  Status() = default;
  Status(Code code, std::string message)
      : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  bool operator==(const Status&) const = default;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

// "peer <id> not found".
Status UnknownPeer(uint64_t peer);
// Ok if the names fit their u16 lengths and the frame fits kMaxFrameSize.
Status CheckFrame(size_t service, size_t method, size_t payload);

}  // namespace hotpath::transport

#endif  // HOTPATH_COMMON_TRANSPORT_FRAME_H_
