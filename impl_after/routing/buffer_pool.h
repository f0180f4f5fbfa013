// Size-tiered frame buffers (HOTPATHS.md, routing): 100 x 1 KiB,
// 50 x 64 KiB and 10 x 1 MiB. A frame takes a buffer from the smallest tier
// that fits it; when that tier is empty, or the frame is larger than 1 MiB,
// it gets a fresh allocation of its exact size instead, freed with the frame.
// Free slots are bits in atomic words, so taking a buffer is one
// compare-exchange and returning it one fetch_or, from any thread, with no
// ABA hazard. Buffers are reserved on first use and keep their capacity, so
// a warm pool allocates nothing.
#ifndef HOTPATH_IMPL_AFTER_ROUTING_BUFFER_POOL_H_
#define HOTPATH_IMPL_AFTER_ROUTING_BUFFER_POOL_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/wire/codec.h"

namespace hotpath::routing::after {

class BufferPool {
 public:
  struct Tier {
    size_t buffer_size;
    size_t count;
  };
  static constexpr std::array<Tier, 3> kTiers = {
      {{size_t{1} << 10, 100}, {size_t{64} << 10, 50}, {size_t{1} << 20, 10}}};

  // A pooled or freshly allocated buffer; goes back to its pool when
  // destroyed. Move-only.
  class Buffer {
   public:
    Buffer() = default;
    Buffer(Buffer&& other) noexcept;
    Buffer& operator=(Buffer&& other) noexcept;
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;
    ~Buffer() { Release(); }

    wire::Bytes& bytes() { return pooled_ != nullptr ? *pooled_ : fallback_; }
    const wire::Bytes& bytes() const {
      return pooled_ != nullptr ? *pooled_ : fallback_;
    }
    bool pooled() const { return pooled_ != nullptr; }

   private:
    friend class BufferPool;
    void Release();

    BufferPool* pool_ = nullptr;
    wire::Bytes* pooled_ = nullptr;
    uint32_t tier_ = 0;
    uint32_t slot_ = 0;
    wire::Bytes fallback_;
  };

  BufferPool();
  // Every buffer must have been returned (checked in debug builds).
  ~BufferPool();
  BufferPool(const BufferPool&) = delete;
  BufferPool& operator=(const BufferPool&) = delete;

  // An empty buffer with capacity for at least `size` bytes.
  Buffer Acquire(size_t size);

  // Acquire calls that fell back to a fresh allocation.
  uint64_t fallbacks() const {
    return fallbacks_.load(std::memory_order_relaxed);
  }
  // Free buffers in tier `tier` right now.
  size_t available(size_t tier) const;

 private:
  static constexpr size_t kWordBits = 64;
  static constexpr size_t kWords = 2;  // up to 128 buffers per tier
  static_assert(kTiers[0].count <= kWords * kWordBits &&
                kTiers[1].count <= kWords * kWordBits &&
                kTiers[2].count <= kWords * kWordBits);

  struct TierState {
    std::vector<wire::Bytes> buffers;
    std::array<std::atomic<uint64_t>, kWords> free{};  // bit set = free
  };

  void Return(uint32_t tier, uint32_t slot);

  std::array<TierState, kTiers.size()> tiers_;
  std::atomic<uint64_t> fallbacks_{0};
};

}  // namespace hotpath::routing::after

#endif  // HOTPATH_IMPL_AFTER_ROUTING_BUFFER_POOL_H_
