#include "benchgate/read/benchmark_name.h"

#include <cstddef>

namespace hotpath::benchgate {

BenchmarkName ParseBenchmarkName(std::string_view name) {
  BenchmarkName parsed;
  const std::size_t first = name.find('/');
  parsed.area = std::string(name.substr(0, first));
  if (first == std::string_view::npos) return parsed;
  const std::size_t second = name.find('/', first + 1);
  if (second == std::string_view::npos) return parsed;
  const std::size_t third = name.find('/', second + 1);
  parsed.variant = std::string(name.substr(second + 1, third - second - 1));
  if (parsed.variant.empty()) return parsed;
  parsed.pair_key = std::string(name.substr(0, second));
  if (third != std::string_view::npos) {
    parsed.pair_key += name.substr(third);
  }
  return parsed;
}

}  // namespace hotpath::benchgate
