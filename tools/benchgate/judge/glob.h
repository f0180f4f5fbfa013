// Benchmark patterns in targets.json: `*` matches within one `/`-separated
// segment, `**` across segments, `?` one character other than `/`.
// A trailing `/**` also matches nothing, so `scenarios/VmOperations/**`
// covers `scenarios/VmOperations` itself.

#ifndef HOTPATH_TOOLS_BENCHGATE_JUDGE_GLOB_H_
#define HOTPATH_TOOLS_BENCHGATE_JUDGE_GLOB_H_

#include <string_view>

namespace hotpath::benchgate {

bool GlobMatch(std::string_view pattern, std::string_view text);

}  // namespace hotpath::benchgate

#endif  // HOTPATH_TOOLS_BENCHGATE_JUDGE_GLOB_H_
