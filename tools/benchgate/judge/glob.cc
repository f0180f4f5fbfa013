#include "benchgate/judge/glob.h"

#include <cstddef>

namespace hotpath::benchgate {

bool GlobMatch(std::string_view pattern, std::string_view text) {
  if (pattern.empty()) return text.empty();
  // "/**" at the end or before "/" may stand for zero segments.
  if (pattern.substr(0, 3) == "/**" &&
      (pattern.size() == 3 || pattern[3] == '/') &&
      GlobMatch(pattern.substr(3), text)) {
    return true;
  }
  if (pattern.substr(0, 2) == "**") {
    const std::string_view rest = pattern.substr(2);
    for (std::size_t i = 0; i <= text.size(); ++i) {
      if (GlobMatch(rest, text.substr(i))) return true;
    }
    return false;
  }
  if (pattern.front() == '*') {
    const std::string_view rest = pattern.substr(1);
    for (std::size_t i = 0; i <= text.size(); ++i) {
      if (GlobMatch(rest, text.substr(i))) return true;
      if (i < text.size() && text[i] == '/') break;
    }
    return false;
  }
  if (text.empty()) return false;
  if (pattern.front() == '?' ? text.front() == '/'
                             : pattern.front() != text.front()) {
    return false;
  }
  return GlobMatch(pattern.substr(1), text.substr(1));
}

}  // namespace hotpath::benchgate
