#include "common/telemetry/meter.h"

#include <algorithm>

namespace hotpath::telemetry {

size_t BucketIndex(double value) {
  const auto* it = std::lower_bound(kDefaultBoundaries.begin(),
                                    kDefaultBoundaries.end(), value);
  return static_cast<size_t>(it - kDefaultBoundaries.begin());
}

template <typename T>
void Sum<T>::CollectInto(Snapshot& snapshot) const {
  auto& points = snapshot[name_];
  std::lock_guard lock(mu_);
  for (const auto& [set, cell] : cells_) {
    Point& p = points[set.ToString()];
    p.value += static_cast<double>(cell.load(std::memory_order_relaxed));
  }
}

template class Sum<uint64_t>;
template class Sum<int64_t>;

void Histogram::Record(double value, std::span<const KeyValue> attributes) {
  AttributeSet set(attributes);
  std::lock_guard lock(mu_);
  auto [it, inserted] = cells_.try_emplace(std::move(set));
  it->second.Record(value);
}

BoundHistogram Histogram::Bind(const AttributeSet& set) {
  std::lock_guard lock(mu_);
  auto [it, inserted] = cells_.try_emplace(set);
  return BoundHistogram(&it->second);
}

void Histogram::CollectInto(Snapshot& snapshot) const {
  auto& points = snapshot[name_];
  std::lock_guard lock(mu_);
  for (const auto& [set, cell] : cells_) {
    Point& p = points[set.ToString()];
    p.count += cell.count.load(std::memory_order_relaxed);
    p.value += cell.sum.load(std::memory_order_relaxed);
    p.buckets.resize(cell.buckets.size());
    for (size_t i = 0; i < cell.buckets.size(); ++i) {
      p.buckets[i] += cell.buckets[i].load(std::memory_order_relaxed);
    }
  }
}

namespace {

template <typename Instrument>
Instrument& GetOrCreate(
    std::map<std::string, std::unique_ptr<Instrument>, std::less<>>& map,
    std::string_view name) {
  auto it = map.find(name);
  if (it == map.end()) {
    it = map.emplace(std::string(name),
                     std::make_unique<Instrument>(std::string(name)))
             .first;
  }
  return *it->second;
}

}  // namespace

Counter& Meter::CreateCounter(std::string_view name) {
  std::lock_guard lock(mu_);
  return GetOrCreate(counters_, name);
}

UpDownCounter& Meter::CreateUpDownCounter(std::string_view name) {
  std::lock_guard lock(mu_);
  return GetOrCreate(up_down_counters_, name);
}

Histogram& Meter::CreateHistogram(std::string_view name) {
  std::lock_guard lock(mu_);
  return GetOrCreate(histograms_, name);
}

Snapshot Meter::Collect() const {
  Snapshot snapshot;
  std::lock_guard lock(mu_);
  for (const auto& [name, c] : counters_) c->CollectInto(snapshot);
  for (const auto& [name, c] : up_down_counters_) c->CollectInto(snapshot);
  for (const auto& [name, h] : histograms_) h->CollectInto(snapshot);
  // Instruments nobody recorded on are not part of the observable state.
  std::erase_if(snapshot, [](const auto& kv) { return kv.second.empty(); });
  return snapshot;
}

}  // namespace hotpath::telemetry
