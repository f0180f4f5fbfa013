// Span names and attribute text as the orchestrator's tracing helpers build
// them (HOTPATHS.md, formatting): `raft_span` formats "raft.<op>" into a
// fresh string per span, and `add_attributes` reserves 20 bytes per pair,
// then formats each pair into a fresh "key=value" string and appends it,
// ", "-separated. A pair or name of up to 15 characters fits std::string's
// inline buffer and does not allocate here, as it would in Rust.
#ifndef HOTPATH_IMPL_BEFORE_FORMATTING_TRACE_ATTRIBUTES_H_
#define HOTPATH_IMPL_BEFORE_FORMATTING_TRACE_ATTRIBUTES_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace hotpath::formatting::before {

// Alias of standard types, so both sides take the very same attributes.
using TraceValue =
    std::variant<std::string_view, int64_t, uint64_t, double, bool>;
using TraceAttribute = std::pair<std::string_view, TraceValue>;

class TraceFormatter {
 public:
  // "raft.<operation>"; valid until the next call on this object.
  std::string_view RaftSpanName(std::string_view operation);
  // "k1=v1, k2=v2" with each value as fmt's "{}" spells it; valid until the
  // next call on this object.
  std::string_view Attributes(std::span<const TraceAttribute> attributes);

 private:
  std::string span_name_;
  std::string attributes_;
};

}  // namespace hotpath::formatting::before

#endif  // HOTPATH_IMPL_BEFORE_FORMATTING_TRACE_ATTRIBUTES_H_
