#include "benchgate/read/profiles.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <system_error>
#include <utility>

#include "benchgate/error.h"
#include "benchgate/read/gb_reader.h"
#include "benchgate/read/input_file.h"

namespace hotpath::benchgate {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::string_view kCallsSection = "MOST CALLS TO ALLOCATION FUNCTIONS";
constexpr std::string_view kSiteLabel = " calls to allocation functions with ";
constexpr std::string_view kPathLabel = " calls with ";
constexpr std::string_view kPeakTail = " peak consumption from";
constexpr std::string_view kTotalLabel = "calls to allocation functions: ";
constexpr int kManifestSchema = 1;

std::string LineError(size_t line_number, const std::string& what) {
  return "line " + std::to_string(line_number) + ": " + what;
}

// Splits on '\n', dropping a '\r' before it; the last line needs no '\n'.
std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

std::string_view TrimLeft(std::string_view text) {
  const size_t first = text.find_first_not_of(' ');
  return first == std::string_view::npos ? std::string_view{}
                                         : text.substr(first);
}

std::optional<uint64_t> ParseCount(std::string_view text) {
  uint64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

// heaptrack's byte format: plain "280B" below 1000, else two decimals and
// the first letter of a decimal unit ("4.20K", "1.05M").
std::optional<uint64_t> ParseBytes(std::string_view text) {
  if (text.size() < 2) return std::nullopt;
  static constexpr std::string_view kUnits = "BKMGT";
  const size_t unit = kUnits.find(text.back());
  if (unit == std::string_view::npos) return std::nullopt;
  text.remove_suffix(1);
  if (unit == 0) return ParseCount(text);
  double value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || value < 0) return std::nullopt;
  return static_cast<uint64_t>(
      std::llround(value * std::pow(1000.0, static_cast<double>(unit))));
}

// "<calls><label><bytes> peak consumption from[:]" -> calls and bytes;
// nullopt when `line` does not open with digits and `label`.
std::optional<std::pair<uint64_t, uint64_t>> ParseLabel(std::string_view line,
                                                        std::string_view label,
                                                        size_t line_number) {
  const size_t digits = line.find_first_not_of("0123456789");
  if (digits == 0 || digits == std::string_view::npos ||
      line.substr(digits, label.size()) != label) {
    return std::nullopt;
  }
  std::string_view rest = line.substr(digits + label.size());
  if (!rest.empty() && rest.back() == ':') rest.remove_suffix(1);
  const size_t tail = rest.size() >= kPeakTail.size()
                          ? rest.size() - kPeakTail.size()
                          : std::string_view::npos;
  if (tail == std::string_view::npos || rest.substr(tail) != kPeakTail) {
    throw InputError("", LineError(line_number, "cannot read \"" +
                                                    std::string(line) + "\""));
  }
  const std::optional<uint64_t> calls = ParseCount(line.substr(0, digits));
  const std::optional<uint64_t> bytes = ParseBytes(rest.substr(0, tail));
  if (!calls || !bytes) {
    throw InputError("", LineError(line_number, "bad count or size in \"" +
                                                    std::string(line) + "\""));
  }
  return std::make_pair(*calls, *bytes);
}

// A section header: words of capitals ("PEAK MEMORY CONSUMERS"); the space
// keeps an all-capitals C function name from passing for one.
bool IsSectionHeader(std::string_view line) {
  return !line.empty() && line.front() != ' ' &&
         line.find(' ') != std::string_view::npos &&
         std::all_of(line.begin(), line.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || c == ' '; });
}

std::string BaseName(std::string_view path) {
  const size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path
                                                     : path.substr(slash + 1));
}

// Frames of one site as heaptrack prints them: a function (or address)
// line, then indented "at FILE:LINE" and "in MODULE" lines that belong to
// it. Inlined frames come as further function lines with only an "at".
class FrameCollector {
 public:
  void Add(std::string_view line) {
    const std::string_view trimmed = TrimLeft(line);
    const bool detail =
        trimmed.size() < line.size() && !frames_.empty() &&
        (trimmed.substr(0, 3) == "at " || trimmed.substr(0, 3) == "in ");
    if (!detail) {
      frames_.emplace_back(trimmed);
      return;
    }
    std::string& frame = frames_.back();
    if (trimmed.substr(0, 3) == "at ") {
      frame += " ";
      frame += trimmed;
    } else if (frame.substr(0, 2) == "0x" &&
               frame.find(' ') == std::string::npos) {
      // An address alone says nothing; its library says whose code it is.
      frame += " in " + BaseName(trimmed.substr(3));
    }
  }
  std::vector<std::string> Take() { return std::exchange(frames_, {}); }

 private:
  std::vector<std::string> frames_;
};

const json& Member(const json& object, const char* key, json::value_t type,
                   const std::string& where, const std::string& path) {
  const auto it = object.find(key);
  const bool number_ok = type == json::value_t::number_unsigned &&
                         it != object.end() && it->is_number_integer() &&
                         it->get<int64_t>() >= 0;
  if (it == object.end() || (it->type() != type && !number_ok)) {
    throw InputError(
        path, where + ": \"" + key + "\" must be " +
                  (type == json::value_t::string   ? "a string"
                   : type == json::value_t::object ? "an object"
                                                   : "a non-negative integer"));
  }
  return *it;
}

// A manifest path stays inside the profile folder.
fs::path Inside(const fs::path& dir, const std::string& relative,
                const std::string& where, const std::string& manifest) {
  const fs::path path(relative);
  if (relative.empty() || path.is_absolute() ||
      std::any_of(path.begin(), path.end(),
                  [](const fs::path& part) { return part == ".."; })) {
    throw InputError(manifest, where + ": file \"" + relative +
                                   "\" is not a path inside " +
                                   dir.filename().string() + "/");
  }
  return dir / path;
}

}  // namespace

const CpuProfile* CpuProfileSet::Find(std::string_view benchmark) const {
  for (const CpuProfile& profile : profiles) {
    if (profile.benchmark == benchmark) return &profile;
  }
  return nullptr;
}

const BenchmarkProfile* ProfileSet::Find(std::string_view benchmark) const {
  for (const BenchmarkProfile& profile : profiles) {
    if (profile.benchmark == benchmark) return &profile;
  }
  return nullptr;
}

std::vector<AllocationSite> ParseHeaptrackPrint(std::string_view text,
                                                size_t max_sites) {
  const std::vector<std::string_view> lines = Lines(text);
  size_t i = 0;
  while (i < lines.size() && lines[i] != kCallsSection) ++i;
  if (i == lines.size()) {
    throw InputError("", "no \"" + std::string(kCallsSection) +
                             "\" section (heaptrack_print output?)");
  }
  std::vector<AllocationSite> sites;
  FrameCollector frames;
  // Frames before the first path line are the site's own (merged output);
  // the first path's frames are its callers. Unmerged output has no paths.
  enum class Part { kNone, kSite, kFirstPath, kOtherPath } part = Part::kNone;
  auto finish_site = [&] {
    if (part == Part::kNone) return;
    AllocationSite& site = sites.back();
    std::vector<std::string> rest = frames.Take();
    site.stack.insert(site.stack.end(), rest.begin(), rest.end());
    if (site.stack_calls == 0) site.stack_calls = site.calls;
    part = Part::kNone;
  };
  for (++i; i < lines.size(); ++i) {
    const std::string_view line = lines[i];
    const size_t line_number = i + 1;
    if (IsSectionHeader(line) || line.substr(0, 14) == "total runtime:") {
      break;
    }
    if (TrimLeft(line).empty()) {
      finish_site();
      continue;
    }
    if (const auto site = ParseLabel(line, kSiteLabel, line_number)) {
      finish_site();
      if (sites.size() == max_sites) return sites;
      sites.push_back(AllocationSite{site->first, site->second, {}, 0});
      part = Part::kSite;
      continue;
    }
    if (part == Part::kNone) {
      throw InputError(
          "", LineError(line_number,
                        "expected a site, got \"" + std::string(line) + "\""));
    }
    if (const auto path = ParseLabel(line, kPathLabel, line_number)) {
      if (part == Part::kSite) {
        std::vector<std::string> own = frames.Take();
        sites.back().stack = std::move(own);
        sites.back().stack_calls = path->first;
        part = Part::kFirstPath;
      } else {
        part = Part::kOtherPath;
      }
      continue;
    }
    if (TrimLeft(line).substr(0, 4) == "and ") continue;  // "and N from M"
    if (part != Part::kOtherPath) frames.Add(line);
  }
  finish_site();
  return sites;
}

std::vector<FlameStack> ParseCollapsedStacks(std::string_view text) {
  std::vector<FlameStack> stacks;
  const std::vector<std::string_view> lines = Lines(text);
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string_view line = lines[i];
    if (line.empty()) continue;
    const size_t space = line.rfind(' ');
    const std::optional<uint64_t> value =
        space == std::string_view::npos ? std::nullopt
                                        : ParseCount(line.substr(space + 1));
    if (!value) {
      throw InputError("", LineError(i + 1, "no count after the last space"));
    }
    FlameStack stack;
    stack.value = *value;
    std::string_view frames = line.substr(0, space);
    while (!frames.empty()) {
      const size_t semicolon = frames.find(';');
      const std::string_view frame = frames.substr(0, semicolon);
      if (!frame.empty()) stack.frames.emplace_back(frame);
      if (semicolon == std::string_view::npos) break;
      frames.remove_prefix(semicolon + 1);
    }
    if (stack.frames.empty()) {
      throw InputError("", LineError(i + 1, "a count with no frames"));
    }
    stacks.push_back(std::move(stack));
  }
  return stacks;
}

uint64_t ParseHeaptrackTotalCalls(std::string_view text) {
  const std::vector<std::string_view> lines = Lines(text);
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].substr(0, kTotalLabel.size()) != kTotalLabel) continue;
    std::string_view rest = lines[i].substr(kTotalLabel.size());
    rest = rest.substr(0, rest.find(' '));  // "7221 (3039/s)"
    const std::optional<uint64_t> calls = ParseCount(rest);
    if (!calls) {
      throw InputError("", LineError(i + 1, "bad total of calls"));
    }
    return *calls;
  }
  return 0;
}

namespace {

// RUN_DIR/<folder>/index.json, parsed and its schema checked; nullopt when
// the run has no such folder, or (with a note) no manifest.
std::optional<json> ReadManifest(const fs::path& dir,
                                 std::vector<std::string>& notes) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return std::nullopt;
  const fs::path manifest_path = dir / "index.json";
  const std::string manifest = manifest_path.string();
  if (!fs::exists(manifest_path, ec)) {
    notes.push_back(manifest + ": missing (the profiling pass did not finish)");
    return std::nullopt;
  }
  json index;
  try {
    const std::string text = ReadInputFile(manifest_path.string());
    CheckJsonDepth(text, manifest);
    index = json::parse(text);
  } catch (const json::exception& error) {
    throw InputError(manifest, std::string("not JSON: ") + error.what());
  }
  if (!index.is_object()) throw InputError(manifest, "not a JSON object");
  const json& schema =
      Member(index, "schema", json::value_t::number_unsigned, "top", manifest);
  if (schema.get<int64_t>() != kManifestSchema) {
    throw InputError(manifest, "schema " + schema.dump() + ", expected " +
                                   std::to_string(kManifestSchema));
  }
  Member(index, "benchmarks", json::value_t::object, "top", manifest);
  return index;
}

// A benchmark the manifest says was profiled: what both kinds of profile
// record for it.
struct ProfiledEntry {
  const fs::path& dir;
  const std::string& manifest;
  std::string name;
  const json& entry;
  std::string where;
  std::string binary;
  uint64_t iterations = 0;
  const json& files;

  // files.<key>, a path inside the profile folder.
  fs::path File(const char* key) const {
    return Inside(dir,
                  Member(files, key, json::value_t::string, where, manifest)
                      .get<std::string>(),
                  where, manifest);
  }
};

// Calls each(entry) for every benchmark the manifest says was profiled;
// the others become notes.
void ForEachProfiled(const json& index, const fs::path& dir,
                     const std::string& manifest,
                     std::vector<std::string>& notes,
                     const std::function<void(const ProfiledEntry&)>& each) {
  for (const auto& [name, entry] : index.at("benchmarks").items()) {
    const std::string where = "benchmark \"" + name + "\"";
    if (!entry.is_object()) {
      throw InputError(manifest, where + ": must be an object");
    }
    const std::string status =
        Member(entry, "status", json::value_t::string, where, manifest)
            .get<std::string>();
    if (status != "ok") {
      const auto error = entry.find("error");
      notes.push_back(name + ": not profiled (" +
                      (error != entry.end() && error->is_string()
                           ? error->get<std::string>()
                           : status) +
                      ")");
      continue;
    }
    const json& files =
        Member(entry, "files", json::value_t::object, where, manifest);
    const std::string binary =
        Member(entry, "binary", json::value_t::string, where, manifest)
            .get<std::string>();
    const uint64_t iterations =
        Member(entry, "iterations", json::value_t::number_unsigned, where,
               manifest)
            .get<uint64_t>();
    each(ProfiledEntry{dir, manifest, name, entry, where, binary, iterations,
                       files});
  }
}

// "name: what", with the file named when the parser gave a line only.
std::string ProfileNote(const std::string& name, const fs::path& file,
                        const InputError& error) {
  const std::string what = error.what();
  return name + ": " +
         (what.rfind("line ", 0) == 0 ? file.string() + ": " + what : what);
}

}  // namespace

ProfileSet LoadProfiles(const std::string& run_dir, size_t max_sites) {
  ProfileSet set;
  const fs::path dir = fs::path(run_dir) / "profile";
  const std::optional<json> index = ReadManifest(dir, set.notes);
  if (!index) return set;
  const std::string manifest = (dir / "index.json").string();
  ForEachProfiled(
      *index, dir, manifest, set.notes, [&](const ProfiledEntry& entry) {
        BenchmarkProfile profile;
        profile.benchmark = entry.name;
        profile.binary = entry.binary;
        profile.iterations = entry.iterations;
        const fs::path data = entry.File("data");
        const fs::path print = entry.File("print");
        const fs::path flame = entry.File("flamegraph");
        profile.source = data.string();
        // One unreadable profile should not hide the others.
        fs::path reading = print;
        try {
          const std::string text = ReadInputFile(print.string());
          profile.sites = ParseHeaptrackPrint(text, max_sites);
          profile.total_calls = ParseHeaptrackTotalCalls(text);
          reading = flame;
          profile.flame = ParseCollapsedStacks(ReadInputFile(flame.string()));
        } catch (const InputError& error) {
          set.notes.push_back(ProfileNote(entry.name, reading, error));
          return;
        }
        if (profile.total_calls == 0) {
          for (const FlameStack& stack : profile.flame) {
            profile.total_calls += stack.value;
          }
        }
        set.profiles.push_back(std::move(profile));
      });
  std::sort(set.profiles.begin(), set.profiles.end(),
            [](const BenchmarkProfile& a, const BenchmarkProfile& b) {
              return a.benchmark < b.benchmark;
            });
  return set;
}

CpuProfileSet LoadCpuProfiles(const std::string& run_dir) {
  CpuProfileSet set;
  const fs::path dir = fs::path(run_dir) / "cpuprofile";
  std::error_code ec;
  set.present = fs::is_directory(dir, ec);
  const std::optional<json> index = ReadManifest(dir, set.notes);
  if (!index) return set;
  const std::string manifest = (dir / "index.json").string();
  const auto text = [&](const char* key) {
    const auto it = index->find(key);
    return it != index->end() && it->is_string() ? it->get<std::string>()
                                                 : std::string();
  };
  const std::string event = text("event");
  const auto frequency = index->find("frequency");
  set.profiler = text("profiler");
  if (!event.empty()) {
    set.profiler += ": " + event;
    if (frequency != index->end() && frequency->is_number_unsigned()) {
      set.profiler +=
          " at " + std::to_string(frequency->get<uint64_t>()) + " Hz";
    }
    if (text("unwinding") == "dwarf") set.profiler += ", DWARF unwinding";
  }
  set.kernel_visible =
      event.size() < 2 || event.substr(event.size() - 2) != ":u";
  set.unavailable = text("unavailable");
  ForEachProfiled(
      *index, dir, manifest, set.notes, [&](const ProfiledEntry& entry) {
        CpuProfile profile;
        profile.benchmark = entry.name;
        profile.binary = entry.binary;
        profile.iterations = entry.iterations;
        const auto unwound = entry.entry.find("unwound");
        if (unwound != entry.entry.end()) {
          if (!unwound->is_number() || !(unwound->get<double>() >= 0.0) ||
              unwound->get<double>() > 1.0) {
            throw InputError(manifest, entry.where +
                                           ": \"unwound\" must be a share "
                                           "from 0 to 1");
          }
          profile.unwound = unwound->get<double>();
        }
        const fs::path flame = entry.File("flamegraph");
        profile.source = flame.string();
        try {
          profile.flame = ParseCollapsedStacks(ReadInputFile(flame.string()));
        } catch (const InputError& error) {
          set.notes.push_back(ProfileNote(entry.name, flame, error));
          return;
        }
        for (const FlameStack& stack : profile.flame) {
          profile.samples += stack.value;
        }
        set.profiles.push_back(std::move(profile));
      });
  std::sort(set.profiles.begin(), set.profiles.end(),
            [](const CpuProfile& a, const CpuProfile& b) {
              return a.benchmark < b.benchmark;
            });
  return set;
}

std::vector<SelfTime> SelfTimes(const std::vector<FlameStack>& stacks,
                                size_t limit) {
  std::map<std::string, uint64_t> by_function;
  for (const FlameStack& stack : stacks) {
    if (!stack.frames.empty()) by_function[stack.frames.back()] += stack.value;
  }
  std::vector<SelfTime> out;
  out.reserve(by_function.size());
  for (const auto& [function, samples] : by_function) {
    out.push_back({function, samples});
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const SelfTime& a, const SelfTime& b) {
                     return a.samples > b.samples;
                   });
  if (out.size() > limit) out.resize(limit);
  return out;
}

}  // namespace hotpath::benchgate
