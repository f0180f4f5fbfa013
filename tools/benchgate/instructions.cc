#include "benchgate/instructions.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>
#include <vector>

#include "benchgate/error.h"
#include "benchgate/read/gb_reader.h"
#include "benchgate/read/input_file.h"
#include "benchgate/read/run_loader.h"
#include "benchgate/store/atomic_file.h"

namespace hotpath::benchgate {
namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

// The folder holding the run's JSON: RUN_DIR itself, or its allocator
// subfolder in a matrix run (the layout run_loader reads).
fs::path ResultsFolder(const std::string& run_path,
                       const std::string& allocator) {
  std::error_code ec;
  if (!fs::is_directory(run_path, ec)) {
    throw InputError(run_path, "not a run directory");
  }
  if (!JsonFilesIn(run_path).empty()) return run_path;
  const fs::path chosen =
      fs::path(run_path) / (allocator.empty() ? kDefaultAllocator : allocator);
  if (!fs::is_directory(chosen, ec) || JsonFilesIn(chosen).empty()) {
    throw InputError(run_path, "no *.json files and no " +
                                   chosen.filename().string() +
                                   "/ allocator folder with any");
  }
  return chosen;
}

// What Google Benchmark leaves with --benchmark_out when the filter matches
// none of a binary's benchmarks.
bool Blank(const std::string& text) {
  return text.find_first_not_of(" \t\r\n") == std::string::npos;
}

ordered_json ParseDocument(const std::string& text, const std::string& path) {
  // Written back with dump(), which recurses: no deep value gets that far.
  CheckJsonDepth(text, path);
  ordered_json document =
      ordered_json::parse(ReplaceNonFiniteLiterals(text), nullptr,
                          /*allow_exceptions=*/false);
  if (document.is_discarded()) throw InputError(path, "not valid JSON");
  if (!document.is_object() || !document.contains("benchmarks") ||
      !document["benchmarks"].is_array()) {
    throw InputError(path,
                     "no \"benchmarks\" array: not Google Benchmark "
                     "JSON");
  }
  return document;
}

std::string Number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.10g", value);
  return buffer;
}

// A small relative deviation for the summary: "0.0042%".
std::string Percent(double fraction) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.2g%%", 100.0 * fraction);
  return text;
}

// Two counts, one short of a checked slope; or three whose smallest is a
// single iteration that did not fit the slope (the first iteration warms
// pools and tables): a longer run gives counts past it.
bool WorthARetry(const InstructionCount& count) {
  if (count.instructions_per_op || count.samples.empty()) return false;
  const bool short_of_counts =
      count.samples.size() == 2 && count.skipped.rfind("only ", 0) == 0;
  const bool first_iteration_off = count.samples.size() == 3 &&
                                   count.samples.front().iterations == 1 &&
                                   count.skipped.rfind("not linear", 0) == 0;
  return short_of_counts || first_iteration_off;
}

}  // namespace

InjectionStats InjectInstructions(
    ordered_json& document,
    const std::map<std::string, const InstructionCount*>& counts,
    const std::string& context) {
  InjectionStats stats;
  for (ordered_json& row : document["benchmarks"]) {
    if (!row.is_object()) continue;
    const ordered_json* name = nullptr;
    if (const auto it = row.find("run_name");
        it != row.end() && it->is_string()) {
      name = &*it;
    } else if (const auto it2 = row.find("name");
               it2 != row.end() && it2->is_string()) {
      name = &*it2;
    }
    if (name == nullptr) continue;
    const auto found = counts.find(name->get<std::string>());
    const bool failed =
        row.contains("error_occurred") && row["error_occurred"] == true;
    std::optional<double> value;
    if (found != counts.end() && !failed) {
      value = found->second->instructions_per_op;
    }
    const std::string run_type = row.value("run_type", "iteration");
    const std::string aggregate = row.value("aggregate_name", "");
    const bool takes_value = run_type == "iteration" ||
                             (run_type == "aggregate" &&
                              (aggregate == "mean" || aggregate == "median" ||
                               aggregate == "stddev" || aggregate == "cv"));
    if (!takes_value) continue;
    if (!value) {
      if (row.erase(kInstructionsMetric) > 0) ++stats.cleared;
      if (found != counts.end()) stats.benchmarks.emplace(found->first, false);
      continue;
    }
    // The same value in every repetition: no spread.
    const bool spread = aggregate == "stddev" || aggregate == "cv";
    row[kInstructionsMetric] = spread ? 0.0 : *value;
    ++stats.rows;
    stats.benchmarks[found->first] = true;
  }
  if (!document.contains("context") || !document["context"].is_object()) {
    document["context"] = ordered_json::object();
  }
  document["context"][kInstructionsContextKey] = context;
  return stats;
}

int InstructionsCommand(const std::string& run_path,
                        const InstructionsOptions& options, std::ostream& out) {
  const fs::path folder = ResultsFolder(run_path, options.allocator);
  const fs::path callgrind_dir = folder / "callgrind";
  std::error_code ec;
  if (!fs::is_directory(callgrind_dir, ec)) {
    throw InputError(callgrind_dir.string(),
                     "no such directory (run bench-all --instructions)");
  }
  const CallgrindRun run =
      ReadCallgrindDir(callgrind_dir.string(), options.slope);

  std::map<std::string, const InstructionCount*> by_name;
  std::size_t exact = 0;
  for (const InstructionCount& count : run.benchmarks) {
    by_name.emplace(count.run_name, &count);
    if (count.instructions_per_op) ++exact;
  }
  const std::string context =
      run.creator + ", slope between the two largest of 3+ iteration counts " +
      "of each timed loop; " + std::to_string(exact) + " of " +
      std::to_string(run.benchmarks.size()) + " benchmarks exact";

  // Read and check every file before replacing any.
  std::vector<std::string> files;
  std::size_t blank = 0;
  std::vector<ordered_json> documents;
  for (const std::string& file : JsonFilesIn(folder)) {
    const std::string text = ReadInputFile(file);
    if (Blank(text)) {
      ++blank;
      continue;
    }
    files.push_back(file);
    documents.push_back(ParseDocument(text, file));
    const ordered_json& doc_context = documents.back()["context"];
    if (!options.allocator.empty() && doc_context.is_object() &&
        doc_context.contains("hotpath_allocator") &&
        doc_context["hotpath_allocator"] != options.allocator) {
      throw InputError(file, "run is for allocator " +
                                 doc_context["hotpath_allocator"].dump() +
                                 ", not \"" + options.allocator + "\"");
    }
  }
  std::map<std::string, bool> in_run;
  std::size_t rows = 0;
  std::size_t cleared = 0;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const InjectionStats stats =
        InjectInstructions(documents[i], by_name, context);
    rows += stats.rows;
    cleared += stats.cleared;
    in_run.insert(stats.benchmarks.begin(), stats.benchmarks.end());
    WriteFileAtomically(files[i], documents[i].dump(2) + "\n");
  }

  out << "benchgate instructions: " << callgrind_dir.string() << ": "
      << run.creator << ", " << run.dump_files << " dumps\n";
  std::size_t width = 0;
  for (const InstructionCount& count : run.benchmarks) {
    width = std::max(width, count.run_name.size());
  }
  std::size_t written = 0;
  std::size_t skipped = 0;
  std::vector<std::string> absent;
  for (const InstructionCount& count : run.benchmarks) {
    std::string line = "  " + count.run_name;
    line.append(width + 2 - count.run_name.size(), ' ');
    if (count.instructions_per_op) {
      line +=
          Number(*count.instructions_per_op) + " instructions/op (" +
          Number(count.instructions_per_iteration) + "/iteration, " +
          std::to_string(count.n1) + " -> " + std::to_string(count.n2) +
          " iterations" +
          (count.exactly_linear ? ""
                                : ", linear to " + Percent(count.linearity)) +
          ")";
    } else {
      line += "skipped: " + count.skipped;
      ++skipped;
    }
    const auto it = in_run.find(count.run_name);
    if (it == in_run.end()) {
      line += " [not in the run's JSON]";
      absent.push_back(count.run_name);
    } else if (it->second) {
      ++written;
    }
    out << line << '\n';
  }
  for (const std::string& note : run.notes) out << "  note: " << note << '\n';
  if (!options.retry_list.empty()) {
    std::string retry;
    for (const InstructionCount& count : run.benchmarks) {
      if (WorthARetry(count)) {
        retry += count.source + "\t" + count.run_name + "\n";
      }
    }
    WriteFileAtomically(options.retry_list, retry);
  }
  if (blank > 0) {
    out << "  note: " << blank
        << " empty JSON file(s) left alone (a filter matched none of the "
           "binary's benchmarks)\n";
  }
  out << "benchgate instructions: " << written
      << " benchmarks with exact instructions_per_op (" << rows << " rows in "
      << files.size() << " files), " << skipped << " without";
  if (cleared > 0) out << ", " << cleared << " stale values removed";
  if (!absent.empty()) {
    out << ", " << absent.size() << " counted but not in the run";
  }
  out << '\n';
  return 0;
}

}  // namespace hotpath::benchgate
