// Benchmark names follow `<area>/<Operation>/<variant>[/args...]`; Google
// Benchmark appends arguments such as `/16`, `/threads:4` or `/real_time`.
// The variant (`before`, `after` or a named peer) is the third segment, and
// removing it gives the pair key that joins the variants of one operation.

#ifndef HOTPATH_TOOLS_BENCHGATE_READ_BENCHMARK_NAME_H_
#define HOTPATH_TOOLS_BENCHGATE_READ_BENCHMARK_NAME_H_

#include <string>
#include <string_view>

namespace hotpath::benchgate {

inline constexpr std::string_view kBefore = "before";
inline constexpr std::string_view kAfter = "after";

struct BenchmarkName {
  std::string area;      // first segment
  std::string variant;   // third segment; empty for names with fewer
  std::string pair_key;  // name without the variant; empty without variant
};

BenchmarkName ParseBenchmarkName(std::string_view name);

}  // namespace hotpath::benchgate

#endif  // HOTPATH_TOOLS_BENCHGATE_READ_BENCHMARK_NAME_H_
