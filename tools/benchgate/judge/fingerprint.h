// Which runs may be compared in absolute terms.
//
// Our bench binaries put `hotpath_fingerprint` (a hash of compiler, flags,
// build type, allocator, CPU model and core count) in the context. A
// foreign suite has none, so one is derived from what Google Benchmark
// records about the machine and the library: num_cpus, mhz_per_cpu
// (rounded to 100 MHz because some kernels report the current clock),
// the cache hierarchy and library_build_type. host_name is left out on
// purpose: identical CI runners have different names but comparable
// timings. So are the executables' names and paths: the same suite built
// under another name must still be compared.

#ifndef HOTPATH_TOOLS_BENCHGATE_JUDGE_FINGERPRINT_H_
#define HOTPATH_TOOLS_BENCHGATE_JUDGE_FINGERPRINT_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "benchgate/model.h"

namespace hotpath::benchgate {

// The identity of one file's context.
struct ContextIdentity {
  std::string hotpath_fingerprint;  // empty for a foreign suite
  std::string machine_key;          // derived key, executable excluded
  std::string executable;           // basename, not part of fingerprints
};

// Throws InputError if hotpath_fingerprint is not usable as a folder name.
ContextIdentity IdentifyContext(const nlohmann::json& context,
                                const std::string& path);

// Fingerprint of a run made of files with these identities (all checked
// to agree by the caller), plus build type, revision and allocator facts.
RunInfo DescribeRun(const nlohmann::json& context,
                    const std::vector<ContextIdentity>& files);

// A context value as text ("" when absent or null). Context values are
// strings in our suite, but a foreign one may write numbers; either way
// they only feed a hash or a label.
std::string ContextString(const nlohmann::json& context, const char* key);

// Letters, digits, '.', '_' and '-', at most 128: safe as a folder name.
bool IsValidFingerprint(std::string_view fingerprint);

// 64-bit FNV-1a of `text` as 16 lowercase hex digits: stable across
// platforms, for fingerprints derived from text.
std::string Fnv1aHex(std::string_view text);

}  // namespace hotpath::benchgate

#endif  // HOTPATH_TOOLS_BENCHGATE_JUDGE_FINGERPRINT_H_
