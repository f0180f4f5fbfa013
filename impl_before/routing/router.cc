// NOLINTBEGIN(performance-*): slow on purpose, as the orchestrator wrote it.
#include "impl_before/routing/router.h"

#include <fmt/format.h>

#include <utility>

namespace hotpath::routing::before {

Frame::Frame(uint64_t target, transport::Priority priority, wire::Bytes bytes)
    : target_(target), priority_(priority), bytes_(std::move(bytes)) {}

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
  // A deep copy of the peer, only to learn that it exists.
  const std::optional<cluster::PeerInfo> peer = GetPeer(message.to);
  if (!peer) return transport::UnknownPeer(message.to);
  wire::Bytes payload;
  payload.reserve(raft::SerializedSize(message));
  raft::Serialize(message, payload);
  transport::Status status =
      SendRequest(message.to, MakeRequest(std::string(transport::kRaftService),
                                          std::string(transport::kRaftMethod),
                                          std::move(payload)));
  if (status.ok()) CountMessage(message.type);
  return status;
}

transport::Status Router::Send(uint64_t target, std::string_view service,
                               std::string_view method,
                               std::span<const uint8_t> payload) {
  const std::optional<cluster::PeerInfo> peer = GetPeer(target);
  if (!peer) return transport::UnknownPeer(target);
  return SendRequest(target,
                     MakeRequest(std::string(service), std::string(method),
                                 wire::Bytes(payload.begin(), payload.end())));
}

std::map<std::string, uint64_t> Router::MessageCounts() const {
  std::lock_guard lock(counts_mutex_);
  return {message_counts_.begin(), message_counts_.end()};
}

std::optional<cluster::PeerInfo> Router::GetPeer(uint64_t id) const {
  std::shared_lock lock(peers_mutex_);
  const auto it = peers_.find(id);
  if (it == peers_.end()) return std::nullopt;
  return it->second;
}

Router::Request Router::MakeRequest(std::string service, std::string method,
                                    wire::Bytes payload) {
  Request request{
      std::move(service), std::move(method), std::move(payload),
      transport::MakeRequestId(
          node_id_, next_sequence_.fetch_add(1, std::memory_order_relaxed)),
      transport::Priority::kLow};
  request.priority = transport::PriorityFor(request.service);
  return request;
}

transport::Status Router::SendRequest(uint64_t target, Request request) {
  transport::Status status = transport::CheckFrame(
      request.service.size(), request.method.size(), request.payload.size());
  if (!status.ok()) return status;
  // The second serialisation: the payload is copied into the request's form.
  wire::Bytes bytes;
  bytes.reserve(transport::FrameSize(
      request.service.size(), request.method.size(), request.payload.size()));
  transport::AppendPreamble(
      bytes,
      {request.priority, static_cast<uint32_t>(request.payload.size()),
       request.id},
      request.service, request.method);
  wire::Writer(bytes).Raw(request.payload);
  sink_.Deliver(Frame(target, request.priority, std::move(bytes)));
  return status;
}

void Router::CountMessage(raft::MessageType type) {
  std::string key = fmt::format("{}", raft::MessageTypeName(type));
  std::lock_guard lock(counts_mutex_);
  ++message_counts_[std::move(key)];
}

}  // namespace hotpath::routing::before
// NOLINTEND(performance-*)
