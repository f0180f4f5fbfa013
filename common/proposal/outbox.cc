#include "common/proposal/outbox.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace hotpath::proposal {
namespace {

uint64_t Load8(const uint8_t* bytes, size_t size) {
  uint64_t value = 0;
  std::memcpy(&value, bytes, std::min<size_t>(size, sizeof(value)));
  return value;
}

}  // namespace

void Outbox::Send(uint64_t to, wire::OwnedBytes bytes) {
  queue_.push_back({to, std::move(bytes)});
}

size_t Outbox::Flush() {
  for (const Queued& queued : queue_) Write(queued.to, queued.bytes.view());
  const size_t written = queue_.size();
  queue_.clear();  // the buffers go: freed, or back to their pools
  return written;
}

void Outbox::Clear() {
  queue_.clear();
  messages_ = 0;
  bytes_ = 0;
  digest_ = 0;
  sent_.clear();
}

void Outbox::Write(uint64_t to, std::span<const uint8_t> bytes) {
  ++messages_;
  bytes_ += bytes.size();
  const size_t tail = bytes.size() > 8 ? bytes.size() - 8 : 0;
  const uint64_t mixed = to ^ (uint64_t{bytes.size()} << 32) ^
                         Load8(bytes.data(), bytes.size()) ^
                         (Load8(bytes.data() + tail, bytes.size() - tail) << 1);
  digest_ = (digest_ ^ mixed) * 0x100000001b3ULL;
  if (record_) sent_.push_back({to, wire::Bytes(bytes.begin(), bytes.end())});
}

}  // namespace hotpath::proposal
