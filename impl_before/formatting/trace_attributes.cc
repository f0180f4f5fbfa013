// NOLINTBEGIN(performance-*): slow on purpose, as the orchestrator wrote it.
#include "impl_before/formatting/trace_attributes.h"

#include <fmt/format.h>

namespace hotpath::formatting::before {

std::string_view TraceFormatter::RaftSpanName(std::string_view operation) {
  span_name_ = fmt::format("raft.{}", operation);
  return span_name_;
}

std::string_view TraceFormatter::Attributes(
    std::span<const TraceAttribute> attributes) {
  std::string attrs;
  attrs.reserve(attributes.size() * 20);
  for (size_t i = 0; i < attributes.size(); ++i) {
    if (i > 0) attrs += ", ";
    const auto& [key, value] = attributes[i];
    attrs += std::visit(
        [key = key](const auto& v) { return fmt::format("{}={}", key, v); },
        value);
  }
  attributes_ = std::move(attrs);
  return attributes_;
}

}  // namespace hotpath::formatting::before
// NOLINTEND(performance-*)
