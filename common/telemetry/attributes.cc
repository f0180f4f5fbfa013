#include "common/telemetry/attributes.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>

namespace hotpath::telemetry {
namespace {

size_t Mix(size_t seed, size_t value) {
  return seed ^ (value + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2));
}

}  // namespace

std::string_view AttrValue::str() const {
  if (const auto* s = std::get_if<std::string>(&value_)) return *s;
  if (const auto* v = std::get_if<std::string_view>(&value_)) return *v;
  return {};
}

size_t AttrValue::Hash() const {
  if (is_string()) return std::hash<std::string_view>{}(str());
  if (const auto* i = std::get_if<int64_t>(&value_)) {
    return std::hash<int64_t>{}(*i);
  }
  if (const auto* d = std::get_if<double>(&value_)) {
    return std::hash<double>{}(*d);
  }
  if (const auto* b = std::get_if<bool>(&value_)) return *b ? 1 : 2;
  return 0;
}

std::string AttrValue::ToString() const {
  if (is_string()) return std::string(str());
  if (const auto* i = std::get_if<int64_t>(&value_))
    return fmt::format("{}", *i);
  if (const auto* d = std::get_if<double>(&value_))
    return fmt::format("{}", *d);
  if (const auto* b = std::get_if<bool>(&value_)) return *b ? "true" : "false";
  return "";
}

bool operator==(const AttrValue& a, const AttrValue& b) {
  // Owned and static strings with the same text are the same value.
  if (a.is_string() || b.is_string()) {
    return a.is_string() && b.is_string() && a.str() == b.str();
  }
  return a.value_ == b.value_;
}

AttributeSet::AttributeSet(std::span<const KeyValue> attributes)
    : attributes_(attributes.begin(), attributes.end()) {
  // Insertion sort: stable (of duplicate keys the last given survives) and,
  // unlike std::stable_sort, free of a temporary buffer. Sets are small.
  for (size_t i = 1; i < attributes_.size(); ++i) {
    for (size_t j = i; j > 0 && attributes_[j].key < attributes_[j - 1].key;
         --j) {
      std::swap(attributes_[j], attributes_[j - 1]);
    }
  }
  size_t kept = 0;
  for (size_t i = 0; i < attributes_.size(); ++i) {
    if (kept > 0 && attributes_[kept - 1].key == attributes_[i].key) {
      attributes_[kept - 1] = std::move(attributes_[i]);
    } else if (kept != i) {
      attributes_[kept] = std::move(attributes_[i]);
      ++kept;
    } else {
      ++kept;
    }
  }
  attributes_.erase(attributes_.begin() + static_cast<std::ptrdiff_t>(kept),
                    attributes_.end());
  size_t hash = attributes_.size();
  for (const KeyValue& kv : attributes_) {
    hash = Mix(hash, std::hash<std::string_view>{}(kv.key));
    hash = Mix(hash, kv.value.Hash());
  }
  hash_ = hash;
}

std::string AttributeSet::ToString() const {
  std::string out;
  for (const KeyValue& kv : attributes_) {
    if (!out.empty()) out += ',';
    out += kv.key;
    out += '=';
    out += kv.value.ToString();
  }
  return out;
}

bool operator==(const AttributeSet& a, const AttributeSet& b) {
  if (a.hash_ != b.hash_ || a.attributes_.size() != b.attributes_.size()) {
    return false;
  }
  for (size_t i = 0; i < a.attributes_.size(); ++i) {
    if (a.attributes_[i].key != b.attributes_[i].key ||
        !(a.attributes_[i].value == b.attributes_[i].value)) {
      return false;
    }
  }
  return true;
}

}  // namespace hotpath::telemetry
