// A byte buffer handed over by value, as a Rust Vec<u8> is moved into
// raft-rs's propose or into a transport's channel: whoever holds it owns it
// until they pass it on. A plain buffer is freed by its last holder; a buffer
// lent by a pool goes back to that pool (its Recycler) when its last holder
// drops it, from whichever thread that is. The Raft log and the outbox take
// buffers this way on both sides of a pair; only where the buffer came from
// differs, so a side that reuses buffers does it through its own pool and
// the consumer's drop, not through a borrowed span the consumer must copy.
#ifndef HOTPATH_COMMON_WIRE_OWNED_BYTES_H_
#define HOTPATH_COMMON_WIRE_OWNED_BYTES_H_

#include <cstdint>
#include <span>
#include <utility>

#include "common/wire/codec.h"

namespace hotpath::wire {

// Takes back the buffers it lent. Recycle may be called on any thread.
class Recycler {
 public:
  virtual void Recycle(Bytes&& bytes) noexcept = 0;

 protected:
  Recycler() = default;
  Recycler(const Recycler&) = default;
  Recycler& operator=(const Recycler&) = default;
  ~Recycler() = default;
};

// Move-only. A lent buffer must be dropped before the pool that lent it.
class OwnedBytes {
 public:
  OwnedBytes() = default;
  // A plain buffer: freed when dropped.
  explicit OwnedBytes(Bytes bytes) noexcept : bytes_(std::move(bytes)) {}
  // A buffer lent by `home`: handed back to it when dropped.
  OwnedBytes(Bytes bytes, Recycler& home) noexcept
      : bytes_(std::move(bytes)), home_(&home) {}
  OwnedBytes(OwnedBytes&& other) noexcept
      : bytes_(std::move(other.bytes_)),
        home_(std::exchange(other.home_, nullptr)) {}
  OwnedBytes& operator=(OwnedBytes&& other) noexcept {
    if (this != &other) {
      Release();
      bytes_ = std::move(other.bytes_);
      home_ = std::exchange(other.home_, nullptr);
    }
    return *this;
  }
  OwnedBytes(const OwnedBytes&) = delete;
  OwnedBytes& operator=(const OwnedBytes&) = delete;
  ~OwnedBytes() { Release(); }

  Bytes& bytes() { return bytes_; }
  const Bytes& bytes() const { return bytes_; }
  std::span<const uint8_t> view() const { return bytes_; }
  // True if a pool lent it (and gets it back).
  bool lent() const { return home_ != nullptr; }

 private:
  void Release() noexcept {
    if (home_ != nullptr)
      std::exchange(home_, nullptr)->Recycle(std::move(bytes_));
  }

  Bytes bytes_;
  Recycler* home_ = nullptr;
};

}  // namespace hotpath::wire

#endif  // HOTPATH_COMMON_WIRE_OWNED_BYTES_H_
