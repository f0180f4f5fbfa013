#include "impl_after/routing/buffer_pool.h"

#include <bit>
#include <cassert>
#include <utility>

namespace hotpath::routing::after {

BufferPool::Buffer::Buffer(Buffer&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)),
      pooled_(std::exchange(other.pooled_, nullptr)),
      tier_(other.tier_),
      slot_(other.slot_),
      fallback_(std::move(other.fallback_)) {}

BufferPool::Buffer& BufferPool::Buffer::operator=(Buffer&& other) noexcept {
  if (this != &other) {
    Release();
    pool_ = std::exchange(other.pool_, nullptr);
    pooled_ = std::exchange(other.pooled_, nullptr);
    tier_ = other.tier_;
    slot_ = other.slot_;
    fallback_ = std::move(other.fallback_);
  }
  return *this;
}

void BufferPool::Buffer::Release() {
  if (pooled_ != nullptr) {
    pool_->Return(tier_, slot_);
    pool_ = nullptr;
    pooled_ = nullptr;
  }
}

BufferPool::BufferPool() {
  for (size_t t = 0; t < kTiers.size(); ++t) {
    // Empty vectors: each buffer reserves its capacity on first use.
    tiers_[t].buffers.resize(kTiers[t].count);
    for (size_t slot = 0; slot < kTiers[t].count; ++slot) {
      tiers_[t].free[slot / kWordBits].fetch_or(uint64_t{1}
                                                << (slot % kWordBits));
    }
  }
}

BufferPool::~BufferPool() {
  for (size_t t = 0; t < kTiers.size(); ++t) {
    assert(available(t) == kTiers[t].count && "a frame outlived its router");
  }
}

BufferPool::Buffer BufferPool::Acquire(size_t size) {
  Buffer buffer;
  for (uint32_t t = 0; t < kTiers.size(); ++t) {
    if (size > kTiers[t].buffer_size) continue;
    TierState& tier = tiers_[t];
    for (uint32_t w = 0; w < kWords; ++w) {
      uint64_t bits = tier.free[w].load(std::memory_order_relaxed);
      while (bits != 0) {
        const auto bit = static_cast<uint32_t>(std::countr_zero(bits));
        // Acquire pairs with Return's release: the last user is done.
        if (tier.free[w].compare_exchange_weak(
                bits, bits & ~(uint64_t{1} << bit), std::memory_order_acquire,
                std::memory_order_relaxed)) {
          buffer.pool_ = this;
          buffer.tier_ = t;
          buffer.slot_ = w * static_cast<uint32_t>(kWordBits) + bit;
          buffer.pooled_ = &tier.buffers[buffer.slot_];
          buffer.pooled_->clear();
          if (buffer.pooled_->capacity() < kTiers[t].buffer_size) {
            buffer.pooled_->reserve(kTiers[t].buffer_size);
          }
          return buffer;
        }
      }
    }
    break;  // the fitting tier is empty: fall back, as the plan says
  }
  fallbacks_.fetch_add(1, std::memory_order_relaxed);
  buffer.fallback_.reserve(size);
  return buffer;
}

size_t BufferPool::available(size_t tier) const {
  size_t count = 0;
  for (const auto& word : tiers_[tier].free) {
    count += static_cast<size_t>(
        std::popcount(word.load(std::memory_order_relaxed)));
  }
  return count;
}

void BufferPool::Return(uint32_t tier, uint32_t slot) {
  tiers_[tier].free[slot / kWordBits].fetch_or(
      uint64_t{1} << (slot % kWordBits), std::memory_order_release);
}

}  // namespace hotpath::routing::after
