#include "benchgate/read/callgrind_reader.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <system_error>
#include <utility>

#include "benchgate/error.h"
#include "benchgate/read/input_file.h"

namespace hotpath::benchgate {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kClientRequest = "Client Request: ";
constexpr std::string_view kLoopLabel = "hotpath:";
constexpr std::string_view kEndLabel = "hotpath-end:";
constexpr std::string_view kRetrySuffix = ".retry";
constexpr double kMinOpsPerIteration = 1e-9;

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() &&
         (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

std::optional<uint64_t> ParseUnsigned(std::string_view text) {
  uint64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

std::vector<std::string_view> Words(std::string_view text) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    const std::size_t start = i;
    while (i < text.size() && text[i] != ' ') ++i;
    if (i > start) words.push_back(text.substr(start, i - start));
  }
  return words;
}

std::string Number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.10g", value);
  return buffer;
}

// The sequence number in "callgrind.out.<pid>.<part>"-style names, for a
// dump whose header has no part: line.
uint64_t PartFromName(const std::string& path) {
  const std::string name = fs::path(path).filename().string();
  const std::size_t dot = name.rfind('.');
  if (dot == std::string::npos) return 0;
  return ParseUnsigned(std::string_view(name).substr(dot + 1)).value_or(0);
}

struct LoopLabel {
  uint64_t iterations = 0;
  double ops_per_iteration = 1.0;
  std::string timing_dependent;  // "threads", "clock"; empty: deterministic
};

LoopLabel ParseLoopLabel(std::string_view label, const std::string& path) {
  const std::string_view rest = label.substr(kLoopLabel.size());
  const std::size_t colon = rest.find(':');
  const auto fail = [&](const std::string& what) -> LoopLabel {
    throw InputError(path, "dump label \"" + std::string(label) + "\" " + what +
                               " (expected hotpath:<iterations>:<ops>[:<why "
                               "timing-dependent>])");
  };
  if (colon == std::string_view::npos) return fail("has no ops per iteration");
  std::string_view ops_part = rest.substr(colon + 1);
  std::string timing_dependent;
  if (const std::size_t why = ops_part.find(':');
      why != std::string_view::npos) {
    timing_dependent = std::string(ops_part.substr(why + 1));
    ops_part = ops_part.substr(0, why);
    if (timing_dependent.empty() ||
        !std::all_of(timing_dependent.begin(), timing_dependent.end(),
                     [](char c) { return c >= 'a' && c <= 'z'; })) {
      return fail("names no reason in lower-case letters after the ops");
    }
  }
  const std::optional<uint64_t> iterations =
      ParseUnsigned(rest.substr(0, colon));
  if (!iterations || *iterations == 0) {
    return fail("has no positive iteration count");
  }
  const std::string ops_text(ops_part);
  char* end = nullptr;
  const double ops = std::strtod(ops_text.c_str(), &end);
  // A subnormal or vanishing ops (4e-320) would make instructions per op
  // infinite, written as null into the run: at least kMinOpsPerIteration.
  if (ops_text.empty() || end != ops_text.c_str() + ops_text.size() ||
      !std::isfinite(ops) || ops <= 0) {
    return fail("has no positive ops per iteration");
  }
  if (!std::isnormal(ops) || ops < kMinOpsPerIteration) {
    return fail("has ops per iteration " + ops_text + ", below " +
                Number(kMinOpsPerIteration));
  }
  return {*iterations, ops, timing_dependent};
}

std::string Describe(const std::vector<LoopSample>& samples) {
  std::string text;
  for (const LoopSample& s : samples) {
    text += (text.empty() ? "" : ", ") + std::to_string(s.iterations);
  }
  return text;
}

}  // namespace

CallgrindDump ParseCallgrindDump(std::string_view text,
                                 const std::string& path) {
  CallgrindDump dump;
  dump.path = path;
  std::optional<std::size_t> ir_column;
  bool have_events = false;
  bool have_part = false;
  std::size_t line_number = 0;
  while (!text.empty()) {
    const std::size_t newline = text.find('\n');
    const std::string_view line = Trim(text.substr(
        0, newline == std::string_view::npos ? text.size() : newline));
    text.remove_prefix(newline == std::string_view::npos ? text.size()
                                                         : newline + 1);
    ++line_number;
    const auto fail = [&](const std::string& what) {
      throw InputError(path,
                       "line " + std::to_string(line_number) + ": " + what);
    };
    if (StartsWith(line, "creator:")) {
      dump.creator = std::string(Trim(line.substr(8)));
    } else if (StartsWith(line, "pid:")) {
      const std::optional<uint64_t> pid = ParseUnsigned(Trim(line.substr(4)));
      if (!pid) fail("pid is not a number");
      dump.pid = *pid;
    } else if (StartsWith(line, "part:")) {
      const std::optional<uint64_t> part = ParseUnsigned(Trim(line.substr(5)));
      if (!part) fail("part is not a number");
      dump.part = *part;
      have_part = true;
    } else if (StartsWith(line, "desc: Trigger:")) {
      dump.trigger = std::string(Trim(line.substr(14)));
    } else if (StartsWith(line, "events:")) {
      const std::vector<std::string_view> events = Words(line.substr(7));
      const auto it = std::find(events.begin(), events.end(), "Ir");
      if (it == events.end())
        fail("no Ir event (counted without --tool=callgrind?)");
      ir_column = static_cast<std::size_t>(it - events.begin());
      have_events = true;
    } else if (StartsWith(line, "totals:")) {
      if (!have_events) fail("totals: before events:");
      const std::vector<std::string_view> values = Words(line.substr(7));
      if (*ir_column >= values.size()) fail("totals: has no Ir column");
      const std::optional<uint64_t> ir = ParseUnsigned(values[*ir_column]);
      if (!ir) fail("totals: Ir is not a whole number");
      dump.instructions = *ir;
    }
  }
  if (!have_events) {
    throw InputError(path, "not a callgrind dump (no events: line)");
  }
  if (!have_part) dump.part = PartFromName(path);
  return dump;
}

CallgrindDump ReadCallgrindDump(const std::string& path) {
  return ParseCallgrindDump(ReadInputFile(path), path);
}

void ComputeSlope(std::vector<LoopSample> samples, const SlopeOptions& options,
                  InstructionCount& count) {
  count.instructions_per_op.reset();
  count.skipped.clear();
  std::sort(samples.begin(), samples.end(),
            [](const LoopSample& a, const LoopSample& b) {
              return a.iterations < b.iterations ||
                     (a.iterations == b.iterations &&
                      a.instructions < b.instructions);
            });
  count.samples.clear();
  for (const LoopSample& s : samples) {
    if (!count.samples.empty() &&
        count.samples.back().iterations == s.iterations) {
      if (count.samples.back().instructions != s.instructions) {
        count.skipped = "two loops of " + std::to_string(s.iterations) +
                        " iterations counted " +
                        std::to_string(count.samples.back().instructions) +
                        " and " + std::to_string(s.instructions) +
                        " instructions: not deterministic";
        return;
      }
      continue;
    }
    count.samples.push_back(s);
  }
  const std::vector<LoopSample>& distinct = count.samples;
  if (distinct.empty()) {
    count.skipped = "no timed-loop dumps (failed, or no AllocationScope)";
    return;
  }
  if (distinct.size() < 3) {
    count.skipped = "only " + std::to_string(distinct.size()) +
                    " iteration count(s) (" + Describe(distinct) +
                    "): need 3 to check linearity (raise the min time)";
    return;
  }
  const LoopSample& c = distinct[distinct.size() - 3];
  const LoopSample& a = distinct[distinct.size() - 2];
  const LoopSample& b = distinct[distinct.size() - 1];
  if (b.instructions < a.instructions || a.instructions < c.instructions) {
    count.skipped = "fewer instructions for more iterations (" +
                    Describe(distinct) + "): not linear";
    return;
  }
  const double slope = static_cast<double>(b.instructions - a.instructions) /
                       static_cast<double>(b.iterations - a.iterations);
  const double before = static_cast<double>(a.instructions - c.instructions) /
                        static_cast<double>(a.iterations - c.iterations);
  // Equal slopes compared as integers: (Ib - Ia)(Na - Nc) = (Ia - Ic)(Nb - Na).
  __extension__ typedef unsigned __int128 Wide;
  count.exactly_linear = static_cast<Wide>(b.instructions - a.instructions) *
                             (a.iterations - c.iterations) ==
                         static_cast<Wide>(a.instructions - c.instructions) *
                             (b.iterations - a.iterations);
  count.linearity = count.exactly_linear
                        ? 0.0
                        : std::abs(slope - before) / std::max(slope, 1.0);
  if (!count.exactly_linear &&
      std::abs(slope - before) >
          options.linearity_tolerance * std::max(slope, 1.0)) {
    count.skipped =
        "not linear: " + Number(slope) + " instructions/iteration " +
        "between " + std::to_string(a.iterations) + " and " +
        std::to_string(b.iterations) + " iterations, " + Number(before) +
        " between " + std::to_string(c.iterations) + " and " +
        std::to_string(a.iterations);
    return;
  }
  if (!std::isfinite(slope / count.ops_per_iteration)) {
    count.skipped = "instructions per op not finite (" + Number(slope) +
                    " instructions per iteration, " +
                    Number(count.ops_per_iteration) + " ops per iteration)";
    return;
  }
  count.instructions_per_iteration = slope;
  count.instructions_per_op = slope / count.ops_per_iteration;
  count.n1 = a.iterations;
  count.n2 = b.iterations;
}

std::vector<InstructionCount> CountInstructions(
    const std::vector<CallgrindDump>& dumps, const std::string& source,
    const SlopeOptions& options, std::vector<std::string>& notes) {
  std::vector<const CallgrindDump*> ordered;
  ordered.reserve(dumps.size());
  for (const CallgrindDump& dump : dumps) ordered.push_back(&dump);
  std::sort(ordered.begin(), ordered.end(),
            [](const CallgrindDump* a, const CallgrindDump* b) {
              return a->pid != b->pid ? a->pid < b->pid : a->part < b->part;
            });
  std::vector<InstructionCount> counts;
  std::map<std::string, std::string> seen;  // run name -> dump that closed it
  std::vector<LoopSample> pending;
  std::optional<double> pending_ops;
  std::string ops_conflict;
  std::string pending_timing;  // the first timing-dependence reason seen
  uint64_t pid = 0;
  const auto flush_leftovers = [&] {
    if (!pending.empty()) {
      notes.push_back(source + ": " + std::to_string(pending.size()) +
                      " timed-loop dump(s) of process " + std::to_string(pid) +
                      " after its last benchmark marker ignored (the process "
                      "ended early?)");
    }
    pending.clear();
    pending_ops.reset();
    ops_conflict.clear();
    pending_timing.clear();
  };
  for (const CallgrindDump* dump : ordered) {
    if (dump->pid != pid) {
      flush_leftovers();
      pid = dump->pid;
    }
    if (!StartsWith(dump->trigger, kClientRequest)) continue;
    const std::string_view label =
        std::string_view(dump->trigger).substr(kClientRequest.size());
    if (StartsWith(label, kEndLabel)) {
      const std::string name(label.substr(kEndLabel.size()));
      if (name.empty()) {
        throw InputError(dump->path, "benchmark marker without a name");
      }
      if (const auto [it, inserted] = seen.emplace(name, dump->path);
          !inserted) {
        throw InputError(
            dump->path,
            "benchmark \"" + name + "\" was already closed by " + it->second);
      }
      InstructionCount count;
      count.run_name = name;
      count.source = source;
      count.ops_per_iteration = pending_ops.value_or(1.0);
      if (!pending_timing.empty()) {
        count.samples = pending;
        count.skipped =
            "the benchmark declares its instruction count "
            "timing-dependent (" +
            pending_timing + "): it varies from run to run, so none is written";
      } else if (!ops_conflict.empty()) {
        count.skipped = ops_conflict;
      } else {
        ComputeSlope(pending, options, count);
      }
      counts.push_back(std::move(count));
      pending.clear();
      pending_ops.reset();
      ops_conflict.clear();
      pending_timing.clear();
    } else if (StartsWith(label, kLoopLabel)) {
      const LoopLabel parsed = ParseLoopLabel(label, dump->path);
      if (!dump->instructions) {
        throw InputError(dump->path, "no totals: line (cut short?)");
      }
      if (pending_ops && *pending_ops != parsed.ops_per_iteration &&
          ops_conflict.empty()) {
        ops_conflict = "ops per iteration changed between runs (" +
                       Number(*pending_ops) + ", " +
                       Number(parsed.ops_per_iteration) + ")";
      }
      pending_ops = parsed.ops_per_iteration;
      if (pending_timing.empty()) pending_timing = parsed.timing_dependent;
      pending.push_back({parsed.iterations, *dump->instructions});
    }
  }
  flush_leftovers();
  return counts;
}

CallgrindRun ReadCallgrindDir(const std::string& dir,
                              const SlopeOptions& options) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw InputError(dir, "no such directory");
  }
  // Dumps directly in DIR and in each subfolder (one per bench binary).
  std::vector<fs::path> folders = {fs::path(dir)};
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_directory()) folders.push_back(entry.path());
  }
  if (ec) throw InputError(dir, "cannot list: " + ec.message());
  std::sort(folders.begin() + 1, folders.end());

  CallgrindRun run;
  run.dir = dir;
  std::map<std::string, std::string> where;  // run name -> source
  for (const fs::path& folder : folders) {
    std::vector<std::string> files;
    for (const fs::directory_entry& entry :
         fs::directory_iterator(folder, ec)) {
      const std::string name = entry.path().filename().string();
      if (entry.is_regular_file() && StartsWith(name, "callgrind.out")) {
        files.push_back(entry.path().string());
      }
    }
    if (ec) throw InputError(folder.string(), "cannot list: " + ec.message());
    if (files.empty()) continue;
    std::sort(files.begin(), files.end());
    std::vector<CallgrindDump> dumps;
    dumps.reserve(files.size());
    for (const std::string& file : files) {
      dumps.push_back(ReadCallgrindDump(file));
      const std::string& creator = dumps.back().creator;
      if (run.creator.empty()) {
        run.creator = creator;
      } else if (creator != run.creator) {
        throw InputError(file, "written by " + creator + ", other dumps by " +
                                   run.creator + ": one run, one valgrind");
      }
    }
    run.dump_files += files.size();
    const std::string source =
        folder == fs::path(dir) ? std::string(".") : folder.filename().string();
    for (InstructionCount& count :
         CountInstructions(dumps, source, options, run.notes)) {
      const auto [it, inserted] = where.emplace(count.run_name, source);
      if (inserted) {
        run.benchmarks.push_back(std::move(count));
        continue;
      }
      // A retry of the same binary with a longer min time (folders sort
      // "<binary>" before "<binary>.retry") replaces the first count.
      if (source != it->second + std::string(kRetrySuffix)) {
        throw InputError(dir, "benchmark \"" + count.run_name +
                                  "\" has dumps in both " + it->second +
                                  " and " + source);
      }
      it->second = source;
      for (InstructionCount& earlier : run.benchmarks) {
        if (earlier.run_name == count.run_name) earlier = std::move(count);
      }
    }
  }
  if (run.dump_files == 0) {
    throw InputError(dir,
                     "no callgrind.out files (run bench-all "
                     "--instructions)");
  }
  std::sort(run.benchmarks.begin(), run.benchmarks.end(),
            [](const InstructionCount& a, const InstructionCount& b) {
              return a.run_name < b.run_name;
            });
  return run;
}

}  // namespace hotpath::benchgate
