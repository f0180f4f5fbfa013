#include "benchgate/merge.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <system_error>
#include <tuple>
#include <utility>

#include "benchgate/error.h"
#include "benchgate/judge/fingerprint.h"
#include "benchgate/read/gb_reader.h"
#include "benchgate/read/run_loader.h"
#include "benchgate/store/atomic_file.h"
#include "benchgate/store/baseline_store.h"
#include "benchgate/version.h"

namespace hotpath::benchgate {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::array<std::string_view, 4> kStandardAggregates = {
    "mean", "median", "stddev", "cv"};

std::string ContextString(const json& context, const char* key) {
  const auto it = context.find(key);
  if (it == context.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

std::string Join(const std::vector<std::string>& items) {
  std::string joined;
  for (const std::string& item : items) {
    joined += (joined.empty() ? "" : ", ") + item;
  }
  return joined;
}

struct SourceFile {
  std::string path;
  json context;
  json rows;
  std::size_t index = 0;  // over all inputs, for ordering
};

struct Input {
  std::string path;
  Run run;
  std::vector<SourceFile> files;
  // Fingerprints of the machines it ran on: one, or several for an input
  // that is itself a mixed merge.
  std::vector<std::string> machines;
};

// The machines a file's rows ran on, named as gate names fingerprints.
std::vector<std::string> MachinesOf(const json& context,
                                    const ContextIdentity& identity) {
  if (const auto merge = context.find("hotpath_merge");
      merge != context.end() && merge->is_object()) {
    const auto machines = merge->find("machines");
    if (machines != merge->end() && machines->is_array() &&
        !machines->empty()) {
      std::vector<std::string> names;
      for (const json& machine : *machines) {
        if (machine.is_string()) names.push_back(machine.get<std::string>());
      }
      if (!names.empty()) return names;
    }
  }
  if (!identity.hotpath_fingerprint.empty()) {
    return {identity.hotpath_fingerprint};
  }
  // Executables left out: shards of a foreign suite run different binaries
  // on the same machine.
  return {"gb-" + Fnv1aHex(identity.machine_key)};
}

Input LoadInput(const std::string& path, const MergeOptions& options,
                std::size_t& file_index) {
  Input input;
  input.path = path;
  input.run = LoadRun(path, {options.allocator});
  std::set<std::string> machines;
  for (const std::string& file : input.run.files) {
    ParsedFile parsed = ReadBenchmarkFile(file, {KeepRows::kValues});
    const ContextIdentity identity = IdentifyContext(parsed.context, file);
    for (std::string& machine : MachinesOf(parsed.context, identity)) {
      machines.insert(std::move(machine));
    }
    input.files.push_back(SourceFile{file, std::move(parsed.context),
                                     std::move(parsed.rows), file_index++});
  }
  input.machines.assign(machines.begin(), machines.end());
  return input;
}

// One build on one (or, for shards, several) machines: build type,
// revision and allocator must agree; fingerprints unless allowed.
void CheckCompatible(const std::vector<Input>& inputs,
                     const MergeOptions& options) {
  const Input& first = inputs.front();
  std::map<std::string, std::string> file_owner;  // canonical path -> input
  for (const Input& input : inputs) {
    for (const SourceFile& file : input.files) {
      std::error_code ec;
      const fs::path canonical = fs::weakly_canonical(file.path, ec);
      const std::string key = ec ? file.path : canonical.string();
      const auto [it, inserted] = file_owner.emplace(key, input.path);
      if (!inserted) {
        throw InputError(file.path, "given twice (also read from " +
                                        it->second +
                                        "): the same results cannot be "
                                        "merged with themselves");
      }
    }
    if (&input == &first) continue;
    const RunInfo& a = first.run.info;
    const RunInfo& b = input.run.info;
    if (a.build_type != b.build_type) {
      throw InputError(input.path, "build type \"" + b.build_type +
                                       "\" differs from \"" + a.build_type +
                                       "\" of " + first.path +
                                       ": a merged run is one build");
    }
    if (!a.revision.empty() && !b.revision.empty() &&
        a.revision != b.revision) {
      throw InputError(input.path, "revision \"" + b.revision +
                                       "\" differs from \"" + a.revision +
                                       "\" of " + first.path +
                                       ": a merged run is one build");
    }
    if (a.allocator != b.allocator) {
      throw InputError(input.path, "allocator \"" + b.allocator +
                                       "\" differs from \"" + a.allocator +
                                       "\" of " + first.path);
    }
  }
  if (options.allow_mixed_fingerprints) return;
  for (const Input& input : inputs) {
    if (input.machines.size() > 1) {
      throw InputError(input.path,
                       "is a mixed run (" + Join(input.machines) +
                           "): pass --allow-mixed-fingerprints to merge it");
    }
    if (input.machines != first.machines) {
      throw InputError(input.path,
                       "fingerprint \"" + Join(input.machines) +
                           "\" differs from \"" + Join(first.machines) +
                           "\" of " + first.path +
                           ": runs of different machines are not one run "
                           "(shards from several runners: "
                           "--allow-mixed-fingerprints)");
    }
  }
}

// Everything read for one benchmark (run_name) across the inputs.
struct Entry {
  std::string name;
  std::vector<std::size_t> inputs;  // in order, no repeats
  // (input, row) of each repetition and aggregate row
  std::vector<std::pair<std::size_t, const json*>> iterations;
  std::vector<std::pair<std::size_t, const json*>> aggregates;
  std::tuple<std::size_t, long long, long long, std::size_t> order;
};

long long IntegerField(const json& row, const char* key, long long fallback) {
  const auto it = row.find(key);
  return it != row.end() && it->is_number_integer() ? it->get<long long>()
                                                    : fallback;
}

std::optional<double> NanosecondsPer(const std::string& unit) {
  if (unit == "ns") return 1.0;
  if (unit == "us") return 1e3;
  if (unit == "ms") return 1e6;
  if (unit == "s") return 1e9;
  return std::nullopt;
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// Google Benchmark's statistics: arithmetic mean, median (middle two
// averaged), sample standard deviation, and cv = stddev / mean.
double Statistic(std::string_view aggregate, const std::vector<double>& v) {
  const double n = static_cast<double>(v.size());
  double sum = 0.0;
  for (const double x : v) sum += x;
  const double mean = sum / n;
  if (aggregate == "mean") return mean;
  if (aggregate == "median") return Median(v);
  double squares = 0.0;
  for (const double x : v) squares += (x - mean) * (x - mean);
  const double stddev = v.size() > 1 ? std::sqrt(squares / (n - 1.0)) : 0.0;
  if (aggregate == "stddev") return stddev;
  return mean != 0.0 ? stddev / mean : std::numeric_limits<double>::quiet_NaN();
}

// The standard aggregate rows of a pooled benchmark, in the time unit of
// its first repetition.
std::vector<json> RecomputeAggregates(const std::vector<json>& reps,
                                      const std::set<std::string>& wanted) {
  std::vector<const json*> ok;
  for (const json& row : reps) {
    if (!row.value("error_occurred", false)) ok.push_back(&row);
  }
  if (ok.empty()) return {};
  const json& first = *ok.front();
  const std::string unit = first.value("time_unit", "ns");
  const double unit_ns = NanosecondsPer(unit).value_or(1.0);
  std::map<std::string, std::vector<double>> values;
  std::vector<std::string> counters;  // in the first row's order
  for (const json* row : ok) {
    const double scale =
        NanosecondsPer(row->value("time_unit", "ns")).value_or(1.0) / unit_ns;
    for (const char* key : {"real_time", "cpu_time"}) {
      values[key].push_back(row->at(key).get<double>() * scale);
    }
    for (const auto& [key, value] : row->items()) {
      if (IsGoogleBenchmarkField(key) || !value.is_number()) continue;
      if (values.find(key) == values.end()) counters.push_back(key);
      values[key].push_back(value.get<double>());
    }
  }
  std::vector<json> rows;
  for (const std::string_view aggregate : kStandardAggregates) {
    if (wanted.count(std::string(aggregate)) == 0) continue;
    json row = json::object();
    const std::string run_name =
        first.value("run_name", first.value("name", ""));
    row["name"] = run_name + "_" + std::string(aggregate);
    for (const char* key : {"family_index", "per_family_instance_index"}) {
      if (first.contains(key)) row[key] = first[key];
    }
    row["run_name"] = run_name;
    row["run_type"] = "aggregate";
    row["repetitions"] = reps.size();
    row["threads"] = first.value("threads", 1);
    row["aggregate_name"] = aggregate;
    row["aggregate_unit"] = aggregate == "cv" ? "percentage" : "time";
    row["iterations"] = ok.size();
    for (const char* key : {"real_time", "cpu_time"}) {
      row[key] = Statistic(aggregate, values[key]);
    }
    row["time_unit"] = unit;
    for (const std::string& counter : counters) {
      row[counter] = Statistic(aggregate, values[counter]);
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

// The process a repetition ran in: 1 for a file Google Benchmark wrote
// (one process), hotpath_process for one merged before.
long long ProcessOf(const json& row) {
  return std::max(1LL, IntegerField(row, "hotpath_process", 1));
}

bool SameRepetition(const json& a, const json& b) {
  // A failed run measured nothing: every process that fails the same way
  // (an allocation budget) leaves the same row, and each is a failure.
  const auto failed = a.find("error_occurred");
  if (failed != a.end() && *failed == true) return false;
  for (const char* key :
       {"iterations", "real_time", "cpu_time", "time_unit", "error_occurred"}) {
    if (a.value(key, json()) != b.value(key, json())) return false;
  }
  return true;
}

// Pools the repetitions of one benchmark found in several inputs.
std::vector<json> Pool(const Entry& entry, const std::vector<Input>& inputs,
                       const MergeOptions& options,
                       std::vector<std::string>& notes) {
  const Input& first = inputs[entry.inputs.front()];
  if (options.disjoint) {
    throw InputError(inputs[entry.inputs[1]].path,
                     "\"" + entry.name + "\" is also in " + first.path +
                         ": shards must be disjoint (--disjoint)");
  }
  for (const std::size_t i : entry.inputs) {
    const Input& input = inputs[i];
    if (input.machines.size() != 1 || input.machines != first.machines) {
      throw InputError(input.path,
                       "\"" + entry.name + "\" ran on " + Join(input.machines) +
                           " here and on " + Join(first.machines) + " in " +
                           first.path +
                           ": repetitions of different machines cannot be "
                           "pooled");
    }
    const bool has_reps =
        std::any_of(entry.iterations.begin(), entry.iterations.end(),
                    [&](const auto& rep) { return rep.first == i; });
    if (!has_reps) {
      throw InputError(input.path, "\"" + entry.name +
                                       "\" has aggregates only: no "
                                       "repetitions to pool with " +
                                       first.path);
    }
  }
  std::vector<std::pair<std::size_t, const json*>> reps = entry.iterations;
  std::stable_sort(reps.begin(), reps.end(), [](const auto& a, const auto& b) {
    return std::make_pair(a.first,
                          IntegerField(*a.second, "repetition_index", 0)) <
           std::make_pair(b.first,
                          IntegerField(*b.second, "repetition_index", 0));
  });
  const long long threads = IntegerField(*reps.front().second, "threads", 1);
  for (std::size_t a = 0; a < reps.size(); ++a) {
    const auto& [input_a, row_a] = reps[a];
    if (IntegerField(*row_a, "threads", 1) != threads) {
      throw InputError(inputs[input_a].path,
                       "\"" + entry.name + "\" ran with " +
                           std::to_string(IntegerField(*row_a, "threads", 1)) +
                           " threads here and " + std::to_string(threads) +
                           " in " + first.path);
    }
    for (std::size_t b = 0; b < a; ++b) {
      const auto& [input_b, row_b] = reps[b];
      if (input_b != input_a && SameRepetition(*row_a, *row_b)) {
        throw InputError(
            inputs[input_a].path,
            "duplicate result: \"" + entry.name + "\" repetition " +
                std::to_string(IntegerField(*row_a, "repetition_index", 0)) +
                " is identical to repetition " +
                std::to_string(IntegerField(*row_b, "repetition_index", 0)) +
                " in " + inputs[input_b].path +
                " (the same results given twice?)");
      }
    }
  }
  // Each input's processes keep their own numbers, after the processes of
  // the inputs before it: the k-th input holding this benchmark is its k-th
  // process (or, if it was merged itself, its processes follow on).
  std::map<std::size_t, long long> process_offset;
  long long processes = 0;
  for (const std::size_t i : entry.inputs) {
    long long most = 1;
    for (const auto& [input, row] : reps) {
      if (input == i) most = std::max(most, ProcessOf(*row));
    }
    process_offset[i] = processes;
    processes += most;
  }
  std::vector<json> rows;
  rows.reserve(reps.size());
  long long index = 0;
  for (const auto& [input, row] : reps) {
    json copy = *row;
    // How many repetitions its own process ran, which the renumbering
    // below hides (gb_reader trusts memory figures of one-repetition
    // processes only).
    if (!copy.contains("hotpath_process_repetitions")) {
      copy["hotpath_process_repetitions"] =
          IntegerField(*row, "repetitions", 1);
    }
    copy["repetition_index"] = index++;
    copy["repetitions"] = reps.size();
    copy["hotpath_process"] = process_offset.at(input) + ProcessOf(*row);
    rows.push_back(std::move(copy));
  }
  std::set<std::string> wanted;
  std::size_t custom = 0;
  for (const auto& [input, row] : entry.aggregates) {
    const std::string aggregate = row->value("aggregate_name", "");
    if (std::find(kStandardAggregates.begin(), kStandardAggregates.end(),
                  aggregate) != kStandardAggregates.end()) {
      wanted.insert(aggregate);
    } else {
      ++custom;
    }
  }
  std::vector<json> aggregates = RecomputeAggregates(rows, wanted);
  if (custom > 0) {
    notes.push_back(entry.name + ": " + std::to_string(custom) +
                    " user-defined statistics row(s) dropped: they cannot be "
                    "recomputed from the pooled repetitions");
  }
  for (json& row : aggregates) rows.push_back(std::move(row));
  return rows;
}

json InputProvenance(const Input& input) {
  json files = json::array();
  for (const SourceFile& file : input.files) {
    files.push_back(fs::path(file.path).filename().string());
  }
  return json{
      {"path", input.path},
      {"files", files},
      {"benchmarks", input.run.benchmarks.size()},
      {"fingerprints", input.machines},
      {"revision", input.run.info.revision},
      {"date", ContextString(input.files.front().context, "date")},
      {"host_name", ContextString(input.files.front().context, "host_name")}};
}

}  // namespace

MergeResult MergeRuns(const std::vector<std::string>& paths,
                      const MergeOptions& options) {
  if (paths.empty()) throw InputError("", "merge needs at least one input");
  std::vector<Input> inputs;
  std::size_t file_index = 0;
  for (const std::string& path : paths) {
    inputs.push_back(LoadInput(path, options, file_index));
  }
  CheckCompatible(inputs, options);

  MergeResult result;
  std::map<std::string, std::size_t> by_name;
  std::vector<Entry> entries;
  std::vector<json> complexity;
  std::map<std::pair<std::string, std::string>, std::size_t> complexity_from;
  std::set<std::string> machines;
  std::vector<ContextIdentity> identities;
  std::map<std::tuple<std::size_t, long long>, long long> families;
  std::size_t row_order = 0;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    machines.insert(inputs[i].machines.begin(), inputs[i].machines.end());
    for (const SourceFile& file : inputs[i].files) {
      ++result.files;
      identities.push_back(IdentifyContext(file.context, file.path));
      for (const json& row : file.rows) {
        const std::string run_name =
            row.value("run_name", row.value("name", ""));
        const std::string run_type = row.value("run_type", "iteration");
        const std::string aggregate = row.value("aggregate_name", "");
        if (run_type == "aggregate" &&
            (aggregate == "BigO" || aggregate == "RMS")) {
          const auto [it, inserted] =
              complexity_from.emplace(std::make_pair(run_name, aggregate), i);
          if (inserted) {
            complexity.push_back(row);
          } else if (it->second != i) {
            result.notes.push_back(run_name + ": complexity fit (" + aggregate +
                                   ") kept from " + inputs[it->second].path +
                                   " only");
          }
          continue;
        }
        auto [it, inserted] = by_name.emplace(run_name, entries.size());
        if (inserted) {
          Entry entry;
          entry.name = run_name;
          const long long family = IntegerField(row, "family_index", -1);
          families.emplace(std::make_tuple(file.index, family), 0);
          entry.order = {file.index, family,
                         IntegerField(row, "per_family_instance_index", 0),
                         row_order};
          entries.push_back(std::move(entry));
        }
        Entry& entry = entries[it->second];
        if (std::find(entry.inputs.begin(), entry.inputs.end(), i) ==
            entry.inputs.end()) {
          entry.inputs.push_back(i);
        }
        (run_type == "aggregate" ? entry.aggregates : entry.iterations)
            .emplace_back(i, &row);
        ++row_order;
      }
    }
  }

  // Family indices restart in every binary and depend on its filter, so
  // they are renumbered per (file, family): the merged file keeps each
  // binary's benchmarks together, in registration order.
  long long next_family = 0;
  for (auto& [key, family] : families) family = next_family++;
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.order < b.order; });

  json rows = json::array();
  for (const Entry& entry : entries) {
    std::vector<json> entry_rows;
    if (entry.inputs.size() == 1) {
      for (const auto& [input, row] : entry.iterations) {
        entry_rows.push_back(*row);
        entry_rows.back()["hotpath_process"] = ProcessOf(*row);
      }
      for (const auto& [input, row] : entry.aggregates) {
        entry_rows.push_back(*row);
      }
    } else {
      entry_rows = Pool(entry, inputs, options, result.notes);
      ++result.pooled;
    }
    const long long family = std::get<1>(entry.order);
    for (json& row : entry_rows) {
      if (family >= 0) {
        row["family_index"] =
            families.at(std::make_tuple(std::get<0>(entry.order), family));
      }
      rows.push_back(std::move(row));
    }
  }
  for (json& row : complexity) rows.push_back(std::move(row));

  result.machines.assign(machines.begin(), machines.end());
  result.mixed = result.machines.size() > 1;
  result.benchmarks = entries.size();
  json context = inputs.front().files.front().context;
  json provenance;
  if (result.mixed) {
    result.fingerprint = "mixed-" + Fnv1aHex(Join(result.machines));
    context["hotpath_fingerprint"] = result.fingerprint;
  } else {
    const RunInfo info = DescribeRun(context, identities);
    result.fingerprint = info.fingerprint;
    if (info.fingerprint_derived) {
      // Keep the fingerprint of the whole run in the merged file, as a
      // stored baseline does, so it does not depend on re-deriving it.
      provenance = json{{"schema", 1},
                        {"fingerprint", result.fingerprint},
                        {"fingerprint_derived", true},
                        {"merged_at", options.merged_at}};
    }
  }
  json input_list = json::array();
  for (const Input& input : inputs)
    input_list.push_back(InputProvenance(input));
  context["hotpath_merge"] = json{
      {"schema", 1},
      {"merged_at", options.merged_at},
      {"benchgate_version", kVersion},
      {"inputs", input_list},
      {"machines", result.machines},
      {"mixed", result.mixed},
      {"benchmarks", result.benchmarks},
      {"pooled", result.pooled},
  };
  if (!options.pairing.empty()) context["hotpath_pairing"] = options.pairing;
  if (result.mixed) {
    context["hotpath_merge"]["note"] =
        "shards ran on different machines: absolute timings are comparable "
        "only with a run whose every benchmark ran on the same machine; "
        "against a stored baseline only ratios and exact metrics are";
  }
  result.document = json{{"context", context}, {"benchmarks", rows}};
  if (!provenance.is_null()) result.document["benchgate"] = provenance;
  return result;
}

int MergeCommand(const std::string& out_path,
                 const std::vector<std::string>& inputs,
                 const MergeOptions& options, std::ostream& out) {
  // Never onto an input, into an input run directory or onto a stored
  // baseline: only accept writes those.
  RefuseProtectedOutput(out_path, "", inputs, {});
  if (!options.pairing.empty() && !IsValidFingerprint(options.pairing)) {
    throw InputError("--pairing", "\"" + options.pairing +
                                      "\" is not a valid pairing id (letters, "
                                      "digits, '.', '_', '-'; at most 128)");
  }
  MergeOptions stamped = options;
  if (stamped.merged_at.empty()) stamped.merged_at = UtcNow();
  const MergeResult result = MergeRuns(inputs, stamped);
  WriteFileAtomically(out_path, result.document.dump(2) + "\n");
  out << "benchgate merge: wrote " << out_path << ": " << result.benchmarks
      << " benchmarks from " << result.files << " files of " << inputs.size()
      << " inputs, " << result.pooled
      << " with repetitions pooled across inputs; fingerprint "
      << result.fingerprint << '\n';
  if (result.mixed) {
    out << "note: mixed fingerprints (" << Join(result.machines)
        << "): a stored baseline is compared by ratios and exact metrics "
           "only; compare absolute timings only with a run merged from the "
           "same shards on the same machines\n";
  }
  for (const std::string& note : result.notes) out << "note: " << note << '\n';
  return 0;
}

}  // namespace hotpath::benchgate
