#include "benchgate/judge/fingerprint.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>

#include "benchgate/error.h"

namespace hotpath::benchgate {
namespace {

using nlohmann::json;

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) {
    return static_cast<char>(std::tolower(c));
  });
  return text;
}

std::string MachineKey(const json& context) {
  std::string key = "num_cpus=" + ContextString(context, "num_cpus");
  if (const auto mhz = context.find("mhz_per_cpu");
      mhz != context.end() && mhz->is_number()) {
    key +=
        ";mhz=" + std::to_string(std::lround(mhz->get<double>() / 100.0) * 100);
  }
  key += ";caches=";
  if (const auto caches = context.find("caches");
      caches != context.end() && caches->is_array()) {
    for (const json& cache : *caches) {
      if (!cache.is_object()) continue;
      key += ContextString(cache, "type") + ContextString(cache, "level") +
             ":" + ContextString(cache, "size") + "/" +
             ContextString(cache, "num_sharing") + ",";
    }
  }
  key += ";build=" + ContextString(context, "library_build_type");
  return key;
}

}  // namespace

std::string Fnv1aHex(std::string_view text) {
  std::uint64_t hash = 1469598103934665603ULL;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  std::array<char, 17> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%016llx",
                static_cast<unsigned long long>(hash));
  return buffer.data();
}

bool IsValidFingerprint(std::string_view fingerprint) {
  if (fingerprint.empty() || fingerprint.size() > 128) return false;
  if (fingerprint.front() == '.') return false;
  return std::all_of(fingerprint.begin(), fingerprint.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' ||
           c == '_' || c == '-';
  });
}

ContextIdentity IdentifyContext(const json& context, const std::string& path) {
  ContextIdentity identity;
  identity.hotpath_fingerprint = ContextString(context, "hotpath_fingerprint");
  if (context.contains("hotpath_fingerprint") &&
      !IsValidFingerprint(identity.hotpath_fingerprint)) {
    throw InputError(path, "hotpath_fingerprint \"" +
                               identity.hotpath_fingerprint +
                               "\" is not a valid folder name");
  }
  identity.machine_key = MachineKey(context);
  const std::string executable = ContextString(context, "executable");
  identity.executable = executable.substr(executable.find_last_of('/') + 1);
  return identity;
}

std::string ContextString(const json& context, const char* key) {
  const auto it = context.find(key);
  if (it == context.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

RunInfo DescribeRun(const json& context,
                    const std::vector<ContextIdentity>& files) {
  RunInfo info;
  if (!files.empty() && !files.front().hotpath_fingerprint.empty()) {
    info.fingerprint = files.front().hotpath_fingerprint;
  } else {
    // The machine and library only: the executables' names say nothing
    // about comparability, and with them the same suite built under
    // another name was "not compared" (so a slowdown passed).
    info.fingerprint =
        "gb-" + Fnv1aHex(files.empty() ? "" : files.front().machine_key);
    info.fingerprint_derived = true;
  }
  const std::string hotpath_build =
      ContextString(context, "hotpath_build_type");
  const std::string library_build =
      ContextString(context, "library_build_type");
  if (!hotpath_build.empty()) {
    // Our own build type describes the code under test; GB's library type
    // only the harness (Debian's libbenchmark reports "debug" regardless).
    info.build_type = hotpath_build;
    info.debug_build = Lower(hotpath_build) == "debug";
  } else {
    info.build_type = library_build;
    info.debug_build = Lower(library_build) == "debug";
    info.debug_from_library_only = info.debug_build;
  }
  info.revision = ContextString(context, "hotpath_git_revision");
  info.allocator = ContextString(context, "hotpath_allocator");
  info.alloc_counting_off =
      Lower(ContextString(context, "hotpath_alloc_counting")) == "off";
  info.pairing = ContextString(context, "hotpath_pairing");
  info.compiler = ContextString(context, "hotpath_compiler");
  info.libc = ContextString(context, "hotpath_libc");
  info.cpu_family = ContextString(context, "hotpath_cpu_family");
  info.cpu_model = ContextString(context, "hotpath_cpu_model");
  info.date = ContextString(context, "date");
  return info;
}

}  // namespace hotpath::benchgate
