// Small caches the optimised metrics use to avoid building attribute sets.
//
// LazyBound binds a pre-built attribute set on first use, so an instrument
// shows a point only once something was recorded on it, as the SDK path does.
// HandleCache is a per-thread open-addressing cache of bound handles keyed by
// text (a node id, or a VM name with its node): a hit costs a hash and a short
// probe, a miss builds the attribute set and binds it.
#ifndef HOTPATH_IMPL_AFTER_METRICS_HANDLE_CACHE_H_
#define HOTPATH_IMPL_AFTER_METRICS_HANDLE_CACHE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/telemetry/meter.h"

namespace hotpath::metrics::after {

template <typename T>
class LazyBound {
 public:
  LazyBound(telemetry::Sum<T>& instrument, telemetry::AttributeSet set)
      : instrument_(&instrument), set_(std::move(set)) {}

  void Add(T value) {
    std::atomic<T>* cell = cell_.load(std::memory_order_acquire);
    if (cell == nullptr) {
      // Racing threads bind the same set and get the same cell.
      cell = instrument_->Bind(set_).cell();
      cell_.store(cell, std::memory_order_release);
    }
    cell->fetch_add(value, std::memory_order_relaxed);
  }

 private:
  telemetry::Sum<T>* instrument_;
  telemetry::AttributeSet set_;
  std::atomic<std::atomic<T>*> cell_{nullptr};
};

class LazyBoundHistogram {
 public:
  LazyBoundHistogram(telemetry::Histogram& instrument,
                     telemetry::AttributeSet set)
      : instrument_(&instrument), set_(std::move(set)) {}

  void Record(double value) {
    telemetry::HistogramCell* cell = cell_.load(std::memory_order_acquire);
    if (cell == nullptr) {
      cell = instrument_->Bind(set_).cell();
      cell_.store(cell, std::memory_order_release);
    }
    cell->Record(value);
  }

 private:
  telemetry::Histogram* instrument_;
  telemetry::AttributeSet set_;
  std::atomic<telemetry::HistogramCell*> cell_{nullptr};
};

// Owner ids keep instances apart in the thread-local caches: an id is never
// reused, so an entry left by a destroyed instance can never match.
uint64_t NextCacheOwnerId();

template <typename Value, size_t kCapacity>
class HandleCache {
  static_assert((kCapacity & (kCapacity - 1)) == 0,
                "capacity must be a power of two");

 public:
  // The cached value for (owner, key); on a miss make() builds it. A full
  // cache is emptied at once: cheaper than tracking recency, and a working
  // set within the capacity never misses after its first pass.
  template <typename Make>
  Value& Get(uint64_t owner, std::string_view key, Make&& make) {
    size_t hash =
        std::hash<std::string_view>{}(key) ^ (owner * 0x9e3779b97f4a7c15ULL);
    if (hash == 0) hash = 1;  // 0 marks an empty slot
    size_t slot = hash & kMask;
    for (; slots_[slot].hash != 0; slot = (slot + 1) & kMask) {
      Entry& e = slots_[slot];
      if (e.hash == hash && e.owner == owner && e.key == key) return e.value;
    }
    if (size_ == kCapacity) {
      for (Entry& e : slots_) e.hash = 0;
      size_ = 0;
      slot = hash & kMask;
    }
    Entry& e = slots_[slot];
    e.owner = owner;
    e.hash = hash;
    e.key.assign(key);  // reuses the evicted key's buffer when it fits
    e.value = std::forward<Make>(make)();
    ++size_;
    return e.value;
  }

 private:
  // Twice the capacity in slots keeps linear probes short.
  static constexpr size_t kSlots = 2 * kCapacity;
  static constexpr size_t kMask = kSlots - 1;
  struct Entry {
    size_t hash = 0;
    uint64_t owner = 0;
    std::string key;
    Value value{};
  };
  // On the heap, allocated once per thread on first use: a thread_local
  // array of 2048 entries would make every thread's static TLS block large.
  std::vector<Entry> slots_ = std::vector<Entry>(kSlots);
  size_t size_ = 0;
};

}  // namespace hotpath::metrics::after

#endif  // HOTPATH_IMPL_AFTER_METRICS_HANDLE_CACHE_H_
