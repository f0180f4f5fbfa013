#include "common/transport/frame.h"

#include <fmt/format.h>

#include <algorithm>

namespace hotpath::transport {

namespace {

uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

void StoreLe(uint64_t value, uint8_t* out) {
  for (size_t i = 0; i < 8; ++i)
    out[i] = static_cast<uint8_t>(value >> (8 * i));
}

}  // namespace

RequestId MakeRequestId(uint64_t node, uint64_t sequence) {
  const uint64_t high = SplitMix64(node);
  RequestId id;
  StoreLe(high, id.data());
  StoreLe(SplitMix64(high ^ sequence), id.data() + 8);
  return id;
}

void AppendPreamble(wire::Bytes& out, const Header& header,
                    std::string_view service, std::string_view method) {
  wire::Writer w(out);
  w.Int(kWireVersion);
  w.Int(static_cast<uint8_t>(header.priority));
  w.Int(uint16_t{0});
  w.Int(header.payload_size);
  w.Raw(header.id);
  w.Int(static_cast<uint16_t>(service.size()));
  w.Raw({reinterpret_cast<const uint8_t*>(service.data()), service.size()});
  w.Int(static_cast<uint16_t>(method.size()));
  w.Raw({reinterpret_cast<const uint8_t*>(method.data()), method.size()});
}

bool ParseFrame(std::span<const uint8_t> bytes, FrameView& frame) {
  wire::Reader r(bytes);
  frame.version = r.Int<uint8_t>();
  const auto priority = r.Int<uint8_t>();
  frame.flags = r.Int<uint16_t>();
  const auto payload_size = r.Int<uint32_t>();
  const auto id = r.Raw(frame.id.size());
  if (!r.ok() || frame.version != kWireVersion ||
      priority > static_cast<uint8_t>(Priority::kCritical)) {
    return false;
  }
  frame.priority = static_cast<Priority>(priority);
  std::copy(id.begin(), id.end(), frame.id.begin());
  const auto name = [&r] {
    const auto text = r.Raw(r.Int<uint16_t>());
    return std::string_view(reinterpret_cast<const char*>(text.data()),
                            text.size());
  };
  frame.service = name();
  frame.method = name();
  frame.payload = r.Raw(payload_size);
  return r.done();
}

Status UnknownPeer(uint64_t peer) {
  return {Status::Code::kUnknownPeer, fmt::format("peer {} not found", peer)};
}

Status CheckFrame(size_t service, size_t method, size_t payload) {
  if (service > kMaxNameSize) {
    return {Status::Code::kOversize,
            fmt::format("service name of {} bytes exceeds {}", service,
                        kMaxNameSize)};
  }
  if (method > kMaxNameSize) {
    return {Status::Code::kOversize,
            fmt::format("method name of {} bytes exceeds {}", method,
                        kMaxNameSize)};
  }
  if (FrameSize(service, method, payload) > kMaxFrameSize) {
    return {Status::Code::kOversize,
            fmt::format("frame of {} bytes exceeds the {}-byte limit",
                        FrameSize(service, method, payload), kMaxFrameSize)};
  }
  return {};
}

}  // namespace hotpath::transport
