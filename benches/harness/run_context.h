// The run context: what a result was measured with, and the fingerprint of
// the fields that make timings comparable across runs.
#ifndef HOTPATH_BENCHES_HARNESS_RUN_CONTEXT_H_
#define HOTPATH_BENCHES_HARNESS_RUN_CONTEXT_H_

#include <string>
#include <utility>
#include <vector>

namespace hotpath::harness {

struct RunContext {
  std::string compiler;
  std::string flags;
  std::string build_type;
  std::string allocator;  // glibc, jemalloc or mimalloc: what serves malloc
  std::string git_revision;
  std::string cpu_model;
  std::string cores;
  std::string alloc_counting;  // on, or off under sanitizers
  std::string fingerprint;     // hash of every field above but the revision
  // Outside the fingerprint: what decides whether instruction counts of two
  // machines compare (glibc picks its string routines by CPU).
  std::string libc;        // "glibc 2.36"
  std::string cpu_family;  // "GenuineIntel family 6", "AuthenticAMD family 25"

  // Fields as hotpath_* key/value pairs, in a fixed order.
  std::vector<std::pair<std::string, std::string>> Fields() const;
};

// Reads the machine, the build and the environment (HOTPATH_GIT_REVISION).
RunContext CollectRunContext();

std::string Fingerprint(const RunContext& context);

}  // namespace hotpath::harness

#endif  // HOTPATH_BENCHES_HARNESS_RUN_CONTEXT_H_
