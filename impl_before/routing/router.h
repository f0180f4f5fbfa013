// The orchestrator's Raft send path as it wrote it (HOTPATHS.md, routing).
// Per message: the target peer is deep-copied out of the membership map under
// a read lock just to learn that it exists; the message is serialised into a
// fresh vector, wrapped in a request with owned service and method strings,
// and the request is serialised again into a second fresh vector, copying the
// payload; the message type is formatted into a string that keys a count map
// under a mutex. Each serialisation sizes its vector first, as bincode and
// protobuf do (one allocation each, not a growth sequence). "raft",
// "raft.message" and most type names fit std::string's inline buffer, so
// this version allocates less than the Rust original did; it is not made
// slower to compensate.
#ifndef HOTPATH_IMPL_BEFORE_ROUTING_ROUTER_H_
#define HOTPATH_IMPL_BEFORE_ROUTING_ROUTER_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/cluster/peer_info.h"
#include "common/raft/message.h"
#include "common/transport/frame.h"
#include "common/wire/codec.h"

namespace hotpath::routing::before {

// A serialised request on its way to `target`. Owns its bytes.
class Frame {
 public:
  Frame(uint64_t target, transport::Priority priority, wire::Bytes bytes);
  Frame(Frame&&) noexcept = default;
  Frame& operator=(Frame&&) noexcept = default;
  Frame(const Frame&) = delete;
  Frame& operator=(const Frame&) = delete;
  ~Frame() = default;

  uint64_t target() const { return target_; }
  transport::Priority priority() const { return priority_; }
  std::span<const uint8_t> bytes() const { return bytes_; }

 private:
  uint64_t target_;
  transport::Priority priority_;
  wire::Bytes bytes_;
};

// The connection layer. Deliver may keep the frame (an outbound queue) or
// drop it at once; it is called from whichever thread sends.
class FrameSink {
 public:
  virtual ~FrameSink() = default;
  virtual void Deliver(Frame frame) = 0;
};

// Sends requests to known peers through one sink. Thread-safe.
class Router {
 public:
  // Request ids are derived from `node_id` and a per-router sequence.
  Router(uint64_t node_id, FrameSink& sink);

  void AddPeer(cluster::PeerInfo peer);
  void RemovePeer(uint64_t id);

  // Sends `message` to message.to as raft/raft.message at critical priority
  // and counts it by type. Errors: unknown peer, oversize frame; on error
  // nothing is delivered or counted.
  transport::Status SendRaftMessage(const raft::Message& message);
  // Sends any request; the priority follows the service.
  transport::Status Send(uint64_t target, std::string_view service,
                         std::string_view method,
                         std::span<const uint8_t> payload);

  // Raft messages sent, keyed by type name ("MsgAppend"); absent if none.
  std::map<std::string, uint64_t> MessageCounts() const;

 private:
  struct Request {
    std::string service;
    std::string method;
    wire::Bytes payload;
    transport::RequestId id;
    transport::Priority priority;
  };

  std::optional<cluster::PeerInfo> GetPeer(uint64_t id) const;
  Request MakeRequest(std::string service, std::string method,
                      wire::Bytes payload);
  transport::Status SendRequest(uint64_t target, Request request);
  void CountMessage(raft::MessageType type);

  const uint64_t node_id_;
  FrameSink& sink_;
  std::atomic<uint64_t> next_sequence_{0};
  mutable std::shared_mutex peers_mutex_;
  std::map<uint64_t, cluster::PeerInfo> peers_;
  mutable std::mutex counts_mutex_;
  std::unordered_map<std::string, uint64_t> message_counts_;
};

}  // namespace hotpath::routing::before

#endif  // HOTPATH_IMPL_BEFORE_ROUTING_ROUTER_H_
