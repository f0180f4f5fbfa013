// Attribute values, key/value pairs and attribute sets, modelled on the
// OpenTelemetry SDK the orchestrator uses (opentelemetry 0.20).
//
// A value is owned (copying it copies the string, which allocates past the
// small-string buffer) or static (a view of storage that outlives the
// process's instruments: copying it never allocates), as OTel's OtelString is
// Owned or Static. Keys are always static literals, as the orchestrator's are.
// An AttributeSet is what the SDK aggregates by: the pairs copied, sorted by
// key, de-duplicated (last wins) and hashed once.
#ifndef HOTPATH_COMMON_TELEMETRY_ATTRIBUTES_H_
#define HOTPATH_COMMON_TELEMETRY_ATTRIBUTES_H_

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace hotpath::telemetry {

class AttrValue {
 public:
  // Borrows `text`, which must outlive every set and instrument holding it.
  static AttrValue Static(std::string_view text) {
    AttrValue v;
    v.value_ = text;
    return v;
  }

  AttrValue() = default;
  AttrValue(std::string text) : value_(std::move(text)) {}    // NOLINT
  AttrValue(const char* text) : value_(std::string(text)) {}  // NOLINT
  AttrValue(int64_t v) : value_(v) {}                         // NOLINT
  AttrValue(double v) : value_(v) {}                          // NOLINT
  AttrValue(bool v) : value_(v) {}                            // NOLINT

  bool is_string() const {
    return std::holds_alternative<std::string>(value_) ||
           std::holds_alternative<std::string_view>(value_);
  }
  // The text of a string value; empty for other kinds.
  std::string_view str() const;
  size_t Hash() const;
  std::string ToString() const;

  friend bool operator==(const AttrValue& a, const AttrValue& b);

 private:
  std::variant<std::monostate, std::string, std::string_view, int64_t, double,
               bool>
      value_;
};

struct KeyValue {
  std::string_view key;  // static storage
  AttrValue value;
};

class AttributeSet {
 public:
  AttributeSet() = default;
  explicit AttributeSet(std::span<const KeyValue> attributes);
  AttributeSet(std::initializer_list<KeyValue> attributes)
      : AttributeSet(
            std::span<const KeyValue>(attributes.begin(), attributes.size())) {}

  std::span<const KeyValue> attributes() const { return attributes_; }
  size_t hash() const { return hash_; }
  bool empty() const { return attributes_.empty(); }
  // "k1=v1,k2=v2" in key order: the canonical form tests compare.
  std::string ToString() const;

  friend bool operator==(const AttributeSet& a, const AttributeSet& b);

 private:
  std::vector<KeyValue> attributes_;
  size_t hash_ = 0;
};

struct AttributeSetHash {
  size_t operator()(const AttributeSet& set) const { return set.hash(); }
};

}  // namespace hotpath::telemetry

#endif  // HOTPATH_COMMON_TELEMETRY_ATTRIBUTES_H_
