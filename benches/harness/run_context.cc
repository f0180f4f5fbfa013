#include "benches/harness/run_context.h"

#include <fmt/format.h>
#include <gnu/libc-version.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "benches/harness/alloc_counter.h"

#ifndef HOTPATH_BUILD_TYPE
#define HOTPATH_BUILD_TYPE "unknown"
#endif
#ifndef HOTPATH_CXX_FLAGS
#define HOTPATH_CXX_FLAGS "unknown"
#endif
#ifndef HOTPATH_GIT_REVISION
#define HOTPATH_GIT_REVISION "unknown"
#endif

namespace hotpath::harness {
namespace {

// The first "KEY : value" line of /proc/cpuinfo for KEY, or "unknown".
std::string CpuInfo(const std::string& key) {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0 && line.size() > key.size() &&
        (line[key.size()] == ' ' || line[key.size()] == '\t')) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) {
        auto begin = line.find_first_not_of(' ', colon + 1);
        return begin == std::string::npos ? "" : line.substr(begin);
      }
    }
  }
  return "unknown";
}

uint64_t Fnv1a(const std::string& text) {
  uint64_t hash = 1469598103934665603ULL;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return hash;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> RunContext::Fields() const {
  return {{"hotpath_compiler", compiler},
          {"hotpath_flags", flags},
          {"hotpath_build_type", build_type},
          {"hotpath_allocator", allocator},
          {"hotpath_git_revision", git_revision},
          {"hotpath_cpu_model", cpu_model},
          {"hotpath_cores", cores},
          {"hotpath_alloc_counting", alloc_counting},
          {"hotpath_fingerprint", fingerprint},
          {"hotpath_libc", libc},
          {"hotpath_cpu_family", cpu_family}};
}

std::string Fingerprint(const RunContext& c) {
  const std::string key =
      fmt::format("{}|{}|{}|{}|{}|{}|{}", c.compiler, c.flags, c.build_type,
                  c.allocator, c.cpu_model, c.cores, c.alloc_counting);
  return fmt::format("{:016x}", Fnv1a(key));
}

RunContext CollectRunContext() {
  RunContext c;
#if defined(__clang__)
  c.compiler = fmt::format("clang {}", __clang_version__);
#elif defined(__GNUC__)
  c.compiler = fmt::format("gcc {}", __VERSION__);
#else
  c.compiler = "unknown";
#endif
  c.flags = HOTPATH_CXX_FLAGS;
  c.build_type = HOTPATH_BUILD_TYPE;
  c.allocator = DetectAllocator();
  // Read once from main, before any benchmark thread exists.
  // NOLINTNEXTLINE(concurrency-mt-unsafe)
  const char* revision = std::getenv("HOTPATH_GIT_REVISION");
  c.git_revision = revision != nullptr && *revision != '\0'
                       ? revision
                       : HOTPATH_GIT_REVISION;
  c.cpu_model = CpuInfo("model name");
  c.cores = std::to_string(std::thread::hardware_concurrency());
  c.alloc_counting = AllocCountingEnabled() ? "on" : "off";
  c.fingerprint = Fingerprint(c);
  c.libc = fmt::format("glibc {}", gnu_get_libc_version());
  c.cpu_family =
      fmt::format("{} family {}", CpuInfo("vendor_id"), CpuInfo("cpu family"));
  return c;
}

}  // namespace hotpath::harness
