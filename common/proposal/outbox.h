// The transport end of Raft message processing: where both sides hand each
// serialised message. An owned buffer is taken and freed once "written", as
// the original's Vec<u8> went into the transport channel; a borrowed span is
// written from the caller's buffer, which the caller then reuses. Every send
// folds (to, size, first and last 8 bytes) into a digest, so a benchmark can
// check the work cheaply; in recording mode each message is also copied for
// tests to compare byte for byte. Not thread-safe.
#ifndef HOTPATH_COMMON_PROPOSAL_OUTBOX_H_
#define HOTPATH_COMMON_PROPOSAL_OUTBOX_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "common/wire/codec.h"

namespace hotpath::proposal {

class Outbox {
 public:
  struct Sent {
    uint64_t to = 0;
    wire::Bytes bytes;
    bool operator==(const Sent&) const = default;
  };

  explicit Outbox(bool record = false) : record_(record) {}

  void Send(uint64_t to, wire::Bytes&& bytes);
  void Send(uint64_t to, std::span<const uint8_t> bytes);

  size_t messages() const { return messages_; }
  size_t bytes() const { return bytes_; }
  uint64_t digest() const { return digest_; }
  const std::vector<Sent>& sent() const { return sent_; }
  void Clear();

 private:
  bool record_;
  size_t messages_ = 0;
  size_t bytes_ = 0;
  uint64_t digest_ = 0;
  std::vector<Sent> sent_;
};

}  // namespace hotpath::proposal

#endif  // HOTPATH_COMMON_PROPOSAL_OUTBOX_H_
