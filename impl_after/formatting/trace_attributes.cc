#include "impl_after/formatting/trace_attributes.h"

#include <iterator>

namespace hotpath::formatting::after {

std::string_view TraceFormatter::RaftSpanName(std::string_view operation) {
  span_name_.clear();
  fmt::format_to(std::back_inserter(span_name_), "raft.{}", operation);
  return {span_name_.data(), span_name_.size()};
}

std::string_view TraceFormatter::Attributes(
    std::span<const TraceAttribute> attributes) {
  attributes_.clear();
  auto out = std::back_inserter(attributes_);
  for (size_t i = 0; i < attributes.size(); ++i) {
    if (i > 0) attributes_.append(std::string_view(", "));
    const auto& [key, value] = attributes[i];
    std::visit([key = key,
                out](const auto& v) { fmt::format_to(out, "{}={}", key, v); },
               value);
  }
  return {attributes_.data(), attributes_.size()};
}

}  // namespace hotpath::formatting::after
