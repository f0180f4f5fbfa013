#include "impl_after/proposals/entry_pool.h"

#include <algorithm>
#include <array>
#include <bit>
#include <mutex>
#include <utility>
#include <vector>

#include "common/wire/codec.h"

namespace hotpath::proposals::after {
namespace {

constexpr size_t kClassCount = EntryPool::kMaxClass - EntryPool::kMinClass + 1;

// The class whose buffers hold `size` bytes; kClassCount past the largest.
size_t ClassFor(size_t size) {
  const auto bits =
      static_cast<size_t>(std::bit_width(size > 1 ? size - 1 : size_t{0}));
  const size_t size_class = std::max(bits, EntryPool::kMinClass);
  return size_class > EntryPool::kMaxClass ? kClassCount
                                           : size_class - EntryPool::kMinClass;
}

}  // namespace

// The free lists, apart from the pool object so that a buffer coming back
// after the pool has gone finds something to come back to: the last of the
// pool and its lent buffers deletes it.
class EntryPool::Core final : public wire::Recycler {
 public:
  explicit Core(size_t keep) {
    for (size_t c = 0; c < kClassCount; ++c) {
      keep_[c] = std::max<size_t>(
          1, std::min(keep, kIdleBytesPerClass >> (c + kMinClass)));
    }
  }

  wire::OwnedBytes Acquire(size_t size) {
    const size_t size_class = ClassFor(size);
    wire::Bytes bytes;
    if (size_class == kClassCount) {
      bytes.reserve(size);
      return wire::OwnedBytes(std::move(bytes));
    }
    {
      std::lock_guard lock(mu_);
      ++lent_;
      std::vector<wire::Bytes>& idle = idle_[size_class];
      if (!idle.empty()) {
        bytes = std::move(idle.back());
        idle.pop_back();
      } else {
        ++fresh_;
      }
    }
    if (bytes.capacity() == 0)
      bytes.reserve(size_t{1} << (size_class + kMinClass));
    return wire::OwnedBytes(std::move(bytes), *this);
  }

  void Recycle(wire::Bytes&& bytes) noexcept override {
    // The largest class it still fills (a holder may have grown it).
    const auto bits = static_cast<size_t>(std::bit_width(bytes.capacity()));
    const size_t size_class = bits <= kMinClass
                                  ? kClassCount
                                  : std::min(bits - 1, kMaxClass) - kMinClass;
    wire::Bytes surplus = std::move(bytes);  // freed outside the lock
    surplus.clear();
    bool last = false;
    {
      std::lock_guard lock(mu_);
      --lent_;
      if (closed_) {
        last = lent_ == 0;
      } else if (size_class < kClassCount &&
                 idle_[size_class].size() < keep_[size_class]) {
        try {
          idle_[size_class].push_back(std::move(surplus));
        } catch (...) {  // no room to list it: it is freed instead
        }
      }
    }
    if (last) delete this;
  }

  // The pool is gone: drops the idle buffers, and deletes itself unless
  // buffers are still lent (the last of them does it then).
  void Close() {
    std::array<std::vector<wire::Bytes>, kClassCount> idle;
    bool last = false;
    {
      std::lock_guard lock(mu_);
      closed_ = true;
      idle.swap(idle_);
      last = lent_ == 0;
    }
    if (last) delete this;
  }

  size_t keep(size_t size_class) const { return keep_[size_class]; }
  uint64_t fresh() const {
    std::lock_guard lock(mu_);
    return fresh_;
  }
  size_t idle(size_t size_class) const {
    std::lock_guard lock(mu_);
    return idle_[size_class].size();
  }
  size_t idle() const {
    std::lock_guard lock(mu_);
    size_t total = 0;
    for (const auto& list : idle_) total += list.size();
    return total;
  }
  size_t lent() const {
    std::lock_guard lock(mu_);
    return lent_;
  }

 private:
  ~Core() = default;

  std::array<size_t, kClassCount> keep_{};
  mutable std::mutex mu_;
  std::array<std::vector<wire::Bytes>, kClassCount> idle_;
  size_t lent_ = 0;
  uint64_t fresh_ = 0;
  bool closed_ = false;
};

EntryPool::EntryPool(size_t keep) : core_(new Core(keep)) {}

EntryPool::~EntryPool() { core_->Close(); }

wire::OwnedBytes EntryPool::Acquire(size_t size) {
  return core_->Acquire(size);
}

size_t EntryPool::keep_for(size_t size) const {
  const size_t size_class = ClassFor(size);
  return size_class == kClassCount ? 0 : core_->keep(size_class);
}

uint64_t EntryPool::fresh() const { return core_->fresh(); }

size_t EntryPool::idle(size_t size) const {
  const size_t size_class = ClassFor(size);
  return size_class == kClassCount ? 0 : core_->idle(size_class);
}

size_t EntryPool::idle() const { return core_->idle(); }

size_t EntryPool::lent() const { return core_->lent(); }

}  // namespace hotpath::proposals::after
