#include "impl_after/batching/buffer_pool.h"

#include <cassert>
#include <utility>

namespace hotpath::batching::after {

BufferPool::BufferPool() {
  // Reserved up front, so taking a buffer back never allocates.
  for (size_t t = 0; t < kTierCount; ++t) idle_[t].reserve(kKeep[t]);
}

BufferPool::~BufferPool() {
  assert(lent_ == 0 && "a lent buffer outlived its pool");
}

wire::OwnedBytes BufferPool::Acquire(size_t size) {
  const size_t tier = proposal::BufferTier(size);
  wire::Bytes bytes;
  if (tier == kTierCount) {
    bytes.reserve(size);
    return wire::OwnedBytes(std::move(bytes));
  }
  {
    std::lock_guard lock(mu_);
    ++lent_;
    std::vector<wire::Bytes>& idle = idle_[tier];
    if (!idle.empty()) {
      bytes = std::move(idle.back());
      idle.pop_back();
    } else {
      ++fresh_;
    }
  }
  if (bytes.capacity() == 0) bytes.reserve(proposal::kBufferTiers[tier]);
  return wire::OwnedBytes(std::move(bytes), *this);
}

void BufferPool::Recycle(wire::Bytes&& bytes) noexcept {
  // The largest tier it still holds (a holder may have grown it).
  size_t tier = kTierCount - 1;
  while (tier > 0 && bytes.capacity() < proposal::kBufferTiers[tier]) --tier;
  wire::Bytes surplus;  // freed outside the lock
  bytes.clear();
  {
    std::lock_guard lock(mu_);
    --lent_;
    std::vector<wire::Bytes>& idle = idle_[tier];
    if (idle.size() < kKeep[tier]) {
      idle.push_back(std::move(bytes));
    } else {
      surplus = std::move(bytes);
    }
  }
}

uint64_t BufferPool::fresh() const {
  std::lock_guard lock(mu_);
  return fresh_;
}

size_t BufferPool::idle(size_t tier) const {
  std::lock_guard lock(mu_);
  return idle_[tier].size();
}

size_t BufferPool::lent() const {
  std::lock_guard lock(mu_);
  return lent_;
}

}  // namespace hotpath::batching::after
