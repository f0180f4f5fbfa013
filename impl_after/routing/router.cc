#include "impl_after/routing/router.h"

#include <cassert>
#include <mutex>
#include <utility>

namespace hotpath::routing::after {

Frame::Frame(uint64_t target, transport::Priority priority,
             BufferPool::Buffer buffer)
    : target_(target), priority_(priority), buffer_(std::move(buffer)) {}

Router::Router(uint64_t node_id, FrameSink& sink)
    : node_id_(node_id), sink_(sink) {}

void Router::AddPeer(cluster::PeerInfo peer) {
  std::unique_lock lock(peers_mutex_);
  const uint64_t id = peer.id;
  peers_.insert_or_assign(id, std::move(peer));
}

void Router::RemovePeer(uint64_t id) {
  std::unique_lock lock(peers_mutex_);
  peers_.erase(id);
}

transport::Status Router::SendRaftMessage(const raft::Message& message) {
  if (!HasPeer(message.to)) return transport::UnknownPeer(message.to);
  // Known at compile time: no string compare per send.
  constexpr transport::Priority kRaftPriority =
      transport::PriorityFor(transport::kRaftService);
  transport::Status status = SendEnvelope({message.to,
                                           transport::kRaftService,
                                           transport::kRaftMethod,
                                           {},
                                           &message,
                                           kRaftPriority});
  if (status.ok()) CountMessage(message.type);
  return status;
}

transport::Status Router::Send(uint64_t target, std::string_view service,
                               std::string_view method,
                               std::span<const uint8_t> payload) {
  if (!HasPeer(target)) return transport::UnknownPeer(target);
  return SendEnvelope({target, service, method, payload, nullptr,
                       transport::PriorityFor(service)});
}

std::map<std::string, uint64_t> Router::MessageCounts() const {
  std::map<std::string, uint64_t> counts;
  for (size_t i = 0; i < message_counts_.size(); ++i) {
    const uint64_t count = message_counts_[i].load(std::memory_order_relaxed);
    if (count == 0) continue;
    // The last slot holds every value outside the enum, all named alike.
    counts.emplace(raft::MessageTypeName(static_cast<raft::MessageType>(i)),
                   count);
  }
  return counts;
}

bool Router::HasPeer(uint64_t id) const {
  std::shared_lock lock(peers_mutex_);
  return peers_.contains(id);
}

transport::Status Router::SendEnvelope(const Envelope& envelope) {
  const size_t payload_size = envelope.message != nullptr
                                  ? raft::SerializedSize(*envelope.message)
                                  : envelope.payload.size();
  // Taken even when the frame is refused, as the before's request does.
  const transport::RequestId id = transport::MakeRequestId(
      node_id_, next_sequence_.fetch_add(1, std::memory_order_relaxed));
  transport::Status status = transport::CheckFrame(
      envelope.service.size(), envelope.method.size(), payload_size);
  if (!status.ok()) return status;
  const size_t frame_size = transport::FrameSize(
      envelope.service.size(), envelope.method.size(), payload_size);
  BufferPool::Buffer buffer = pool_.Acquire(frame_size);
  wire::Bytes& out = buffer.bytes();
  transport::AppendPreamble(
      out, {envelope.priority, static_cast<uint32_t>(payload_size), id},
      envelope.service, envelope.method);
  if (envelope.message != nullptr) {
    raft::Serialize(*envelope.message, out);
  } else {
    wire::Writer(out).Raw(envelope.payload);
  }
  assert(out.size() == frame_size);
  sink_.Deliver(Frame(envelope.target, envelope.priority, std::move(buffer)));
  return status;
}

void Router::CountMessage(raft::MessageType type) {
  const size_t slot = static_cast<size_t>(type) < raft::kMessageTypeCount
                          ? static_cast<size_t>(type)
                          : raft::kMessageTypeCount;
  message_counts_[slot].fetch_add(1, std::memory_order_relaxed);
}

}  // namespace hotpath::routing::after
