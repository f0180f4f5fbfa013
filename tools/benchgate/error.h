// Errors that end a benchgate command with exit code 2.
//
// Every bad input (unreadable, malformed or inconsistent files, unusable
// directories) is reported as one line naming the file and what is wrong,
// so a CI log shows the cause without a stack of context.

#ifndef HOTPATH_TOOLS_BENCHGATE_ERROR_H_
#define HOTPATH_TOOLS_BENCHGATE_ERROR_H_

#include <stdexcept>
#include <string>

namespace hotpath::benchgate {

class InputError : public std::runtime_error {
 public:
  InputError(const std::string& path, const std::string& what)
      : std::runtime_error(path.empty() ? what : path + ": " + what) {}
};

}  // namespace hotpath::benchgate

#endif  // HOTPATH_TOOLS_BENCHGATE_ERROR_H_
