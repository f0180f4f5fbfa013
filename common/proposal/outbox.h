// The transport end of Raft message processing: where both sides hand each
// serialised message. The outbox takes the buffer itself, as the original's
// Vec<u8> went into the transport's channel, and queues it until Flush, the
// connection's writer, writes it and drops it: a plain buffer is freed then,
// a pooled one goes back to its pool. Until then the sender must not touch
// it, so a side that reuses buffers needs a pool deep enough for what is in
// flight. Every write folds (to, size, first and last 8 bytes) into a
// digest, so a benchmark can check the work cheaply; in recording mode each
// message is also copied as written, for tests to compare byte for byte.
// Not thread-safe; flush or destroy it before the pools its buffers came
// from.
#ifndef HOTPATH_COMMON_PROPOSAL_OUTBOX_H_
#define HOTPATH_COMMON_PROPOSAL_OUTBOX_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "common/wire/codec.h"
#include "common/wire/owned_bytes.h"

namespace hotpath::proposal {

class Outbox {
 public:
  struct Sent {
    uint64_t to = 0;
    wire::Bytes bytes;
    bool operator==(const Sent&) const = default;
  };

  explicit Outbox(bool record = false) : record_(record) {}

  // Queues `bytes` for `to`; the outbox owns them until Flush.
  void Send(uint64_t to, wire::OwnedBytes bytes);
  // Writes every queued message in order, then drops the buffers. Returns
  // how many it wrote.
  size_t Flush();

  size_t queued() const { return queue_.size(); }
  // Written so far (queued messages are not counted until flushed).
  size_t messages() const { return messages_; }
  size_t bytes() const { return bytes_; }
  uint64_t digest() const { return digest_; }
  const std::vector<Sent>& sent() const { return sent_; }
  // Drops what is queued, unwritten, and forgets what was written.
  void Clear();

 private:
  struct Queued {
    uint64_t to;
    wire::OwnedBytes bytes;
  };

  void Write(uint64_t to, std::span<const uint8_t> bytes);

  bool record_;
  std::vector<Queued> queue_;
  size_t messages_ = 0;
  size_t bytes_ = 0;
  uint64_t digest_ = 0;
  std::vector<Sent> sent_;
};

}  // namespace hotpath::proposal

#endif  // HOTPATH_COMMON_PROPOSAL_OUTBOX_H_
