#ifndef HOTPATH_TOOLS_BENCHGATE_VERSION_H_
#define HOTPATH_TOOLS_BENCHGATE_VERSION_H_

namespace hotpath::benchgate {

inline constexpr const char* kVersion = "0.1.0";

}  // namespace hotpath::benchgate

#endif  // HOTPATH_TOOLS_BENCHGATE_VERSION_H_
