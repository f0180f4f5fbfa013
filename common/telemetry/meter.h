// A metrics SDK core in the shape of OpenTelemetry's (0.20): instruments that
// aggregate per distinct attribute set, collected into a snapshot.
//
// Add(value, attributes) is the SDK's own path and costs what OTel's does:
// the attributes are copied into an AttributeSet (one vector, plus each owned
// string), hashed, and looked up under the instrument's mutex. Bind(set)
// resolves the aggregation cell once; a Bound handle then adds with one
// relaxed atomic and no lock. Both sides of every pair use this core, so the
// difference between them is what they ask of it.
#ifndef HOTPATH_COMMON_TELEMETRY_METER_H_
#define HOTPATH_COMMON_TELEMETRY_METER_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/telemetry/attributes.h"

namespace hotpath::telemetry {

// One aggregated point: a sum, or a histogram's count, sum and buckets.
struct Point {
  double value = 0;  // sum of a counter, up-down counter or histogram
  uint64_t count = 0;
  std::vector<uint64_t> buckets;  // histograms only, non-cumulative
  bool operator==(const Point&) const = default;
};

// instrument name -> canonical attribute set -> point
using Snapshot = std::map<std::string, std::map<std::string, Point>>;

// OTel's default explicit bucket boundaries.
inline constexpr std::array<double, 15> kDefaultBoundaries = {
    0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000};

// Index of the bucket `value` falls in: (b[i-1], b[i]], last one open.
size_t BucketIndex(double value);

template <typename T>
class BoundSum {
 public:
  BoundSum() = default;
  explicit BoundSum(std::atomic<T>* cell) : cell_(cell) {}
  void Add(T value) const {
    cell_->fetch_add(value, std::memory_order_relaxed);
  }
  std::atomic<T>* cell() const { return cell_; }
  bool valid() const { return cell_ != nullptr; }

 private:
  std::atomic<T>* cell_ = nullptr;
};

// A counter (monotonic, T = uint64_t) or up-down counter (T = int64_t).
template <typename T>
class Sum {
 public:
  explicit Sum(std::string name) : name_(std::move(name)) {}
  Sum(const Sum&) = delete;
  Sum& operator=(const Sum&) = delete;

  void Add(T value, std::span<const KeyValue> attributes) {
    AttributeSet set(attributes);
    std::lock_guard lock(mu_);
    auto [it, inserted] = cells_.try_emplace(std::move(set), T{});
    it->second.fetch_add(value, std::memory_order_relaxed);
  }
  void Add(T value, std::initializer_list<KeyValue> attributes) {
    Add(value,
        std::span<const KeyValue>(attributes.begin(), attributes.size()));
  }

  BoundSum<T> Bind(const AttributeSet& set) {
    std::lock_guard lock(mu_);
    auto [it, inserted] = cells_.try_emplace(set, T{});
    return BoundSum<T>(&it->second);
  }

  const std::string& name() const { return name_; }
  void CollectInto(Snapshot& snapshot) const;

 private:
  std::string name_;
  mutable std::mutex mu_;
  // Node-based: a cell's address is stable for bound handles across rehash.
  std::unordered_map<AttributeSet, std::atomic<T>, AttributeSetHash> cells_;
};

struct HistogramCell {
  std::atomic<uint64_t> count{0};
  std::atomic<double> sum{0};
  std::array<std::atomic<uint64_t>, kDefaultBoundaries.size() + 1> buckets{};

  void Record(double value) {
    count.fetch_add(1, std::memory_order_relaxed);
    sum.fetch_add(value, std::memory_order_relaxed);
    buckets[BucketIndex(value)].fetch_add(1, std::memory_order_relaxed);
  }
};

class BoundHistogram {
 public:
  BoundHistogram() = default;
  explicit BoundHistogram(HistogramCell* cell) : cell_(cell) {}
  void Record(double value) const { cell_->Record(value); }
  HistogramCell* cell() const { return cell_; }
  bool valid() const { return cell_ != nullptr; }

 private:
  HistogramCell* cell_ = nullptr;
};

class Histogram {
 public:
  explicit Histogram(std::string name) : name_(std::move(name)) {}
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  void Record(double value, std::span<const KeyValue> attributes);
  void Record(double value, std::initializer_list<KeyValue> attributes) {
    Record(value,
           std::span<const KeyValue>(attributes.begin(), attributes.size()));
  }
  BoundHistogram Bind(const AttributeSet& set);

  const std::string& name() const { return name_; }
  void CollectInto(Snapshot& snapshot) const;

 private:
  std::string name_;
  mutable std::mutex mu_;
  std::unordered_map<AttributeSet, HistogramCell, AttributeSetHash> cells_;
};

using Counter = Sum<uint64_t>;
using UpDownCounter = Sum<int64_t>;

// Creates and owns instruments; asking twice for a name gives the same one.
class Meter {
 public:
  Counter& CreateCounter(std::string_view name);
  UpDownCounter& CreateUpDownCounter(std::string_view name);
  Histogram& CreateHistogram(std::string_view name);

  Snapshot Collect() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Counter>, std::less<>> counters_;
  std::map<std::string, std::unique_ptr<UpDownCounter>, std::less<>>
      up_down_counters_;
  std::map<std::string, std::unique_ptr<Histogram>, std::less<>> histograms_;
};

extern template class Sum<uint64_t>;
extern template class Sum<int64_t>;

}  // namespace hotpath::telemetry

#endif  // HOTPATH_COMMON_TELEMETRY_METER_H_
