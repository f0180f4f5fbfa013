#include "benchgate/read/gb_reader.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <limits>
#include <optional>
#include <set>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "benchgate/error.h"
#include "benchgate/read/input_file.h"

namespace hotpath::benchgate {
namespace {

using nlohmann::json;

// Fields Google Benchmark writes itself; every other numeric field of a row
// is a user counter (including MemoryManager's allocs_per_iter and
// max_bytes_used).
const std::set<std::string, std::less<>>& KnownFields() {
  static const std::set<std::string, std::less<>> fields = {
      "name",
      "family_index",
      "per_family_instance_index",
      "run_name",
      "run_type",
      "repetitions",
      "repetition_index",
      "threads",
      "iterations",
      "real_time",
      "cpu_time",
      "time_unit",
      "aggregate_name",
      "aggregate_unit",
      "error_occurred",
      "error_message",
      "skipped",  // SkipWithMessage, Google Benchmark 1.8 and later
      "skip_message",
      "label",
      "big_o",
      "cpu_coefficient",
      "real_coefficient",
      "rms",
      "complexity_n",
      "hotpath_process",
      "hotpath_process_repetitions"};
  return fields;
}

std::optional<double> NanosecondsPer(std::string_view unit) {
  if (unit == "ns") return 1.0;
  if (unit == "us") return 1e3;
  if (unit == "ms") return 1e6;
  if (unit == "s") return 1e9;
  return std::nullopt;
}

std::string TypeName(const json& value) { return value.type_name(); }

std::string Format(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.10g", value);
  return buffer;
}

// Counters that count something cannot be negative: allocations, bytes,
// lock acquisitions, instructions, iterations. Any other counter may be (a
// heap growth, a delta), so only these names are held to it.
bool IsCount(std::string_view name) {
  for (const std::string_view word :
       {"alloc", "bytes", "lock_acquisitions", "instructions", "iterations"}) {
    if (name.find(word) != std::string_view::npos) return true;
  }
  return false;
}

// The statistic an aggregate row of a release before run_type existed holds,
// known only by the end of its name ("BM_x_mean"), with the name's length
// without it; nullopt when the name ends in none of them.
std::optional<std::pair<std::string, std::size_t>> StatisticFromSuffix(
    std::string_view name) {
  for (const std::string_view statistic :
       {"mean", "median", "stddev", "cv", "BigO", "RMS"}) {
    if (name.size() > statistic.size() + 1 &&
        name.substr(name.size() - statistic.size()) == statistic &&
        name[name.size() - statistic.size() - 1] == '_') {
      return std::make_pair(std::string(statistic),
                            name.size() - statistic.size() - 1);
    }
  }
  return std::nullopt;
}

struct TimeUnit {
  std::string name;
  double scale = 1.0;  // nanoseconds per unit
};

// Reads one row's fields and names the row in every complaint.
class RowReader {
 public:
  RowReader(const json& row, std::string where, const std::string& path)
      : row_(row), where_(std::move(where)), path_(path) {}

  [[noreturn]] void Fail(const std::string& what) const {
    throw InputError(path_, where_ + ": " + what);
  }

  std::optional<std::string> String(std::string_view key) const {
    const auto it = row_.find(key);
    if (it == row_.end()) return std::nullopt;
    if (!it->is_string()) {
      Fail(std::string(key) + " must be a string, not " + TypeName(*it));
    }
    return it->get<std::string>();
  }

  std::string RequireString(std::string_view key) const {
    std::optional<std::string> value = String(key);
    if (!value) Fail("no \"" + std::string(key) + "\"");
    return *value;
  }

  // Numbers; null stands for the NaN/Infinity literals (see
  // ReplaceNonFiniteLiterals), so it reads as NaN.
  std::optional<double> Number(std::string_view key) const {
    const auto it = row_.find(key);
    if (it == row_.end()) return std::nullopt;
    if (it->is_null()) return std::numeric_limits<double>::quiet_NaN();
    if (!it->is_number()) {
      Fail(std::string(key) + " must be a number, not " + TypeName(*it));
    }
    return it->get<double>();
  }

  std::optional<long long> Integer(std::string_view key) const {
    const std::optional<double> value = Number(key);
    if (!value) return std::nullopt;
    if (!std::isfinite(*value) || *value < 0 || std::floor(*value) != *value) {
      Fail(std::string(key) + " must be a non-negative integer");
    }
    return static_cast<long long>(*value);
  }

  bool Bool(std::string_view key) const {
    const auto it = row_.find(key);
    if (it == row_.end()) return false;
    if (!it->is_boolean()) {
      Fail(std::string(key) + " must be true or false, not " + TypeName(*it));
    }
    return it->get<bool>();
  }

  // A timing in nanoseconds: present, finite and not negative.
  double Time(std::string_view key, const TimeUnit& unit) const {
    const std::optional<double> value = Number(key);
    if (!value) Fail("no \"" + std::string(key) + "\"");
    if (!std::isfinite(*value)) Fail(std::string(key) + " is NaN or infinite");
    if (*value < 0) {
      Fail(std::string(key) + " is negative (" + std::to_string(*value) + ")");
    }
    return Scale(key, *value, unit);
  }

  // `value` in nanoseconds; a finite value must stay finite (1.797e308 us).
  double Scale(std::string_view key, double value, const TimeUnit& unit) const {
    const double scaled = value * unit.scale;
    if (std::isfinite(value) && !std::isfinite(scaled)) {
      Fail(std::string(key) + " " + Format(value) + " " + unit.name +
           " is infinite in nanoseconds");
    }
    return scaled;
  }

  // Google Benchmark writes a time_unit on every row with times; a row
  // without one is not read as nanoseconds by guesswork.
  TimeUnit Unit() const {
    const std::optional<std::string> unit = String("time_unit");
    if (!unit) Fail("real_time and cpu_time without a time_unit");
    const std::optional<double> scale = NanosecondsPer(*unit);
    if (!scale) Fail("unknown time_unit \"" + *unit + "\"");
    return {*unit, *scale};
  }

  // Counter name -> value. Every field Google Benchmark does not write
  // itself is a counter and must be a number: a string, bool, array or
  // object would otherwise drop the counter silently and pass the gate.
  // Null stands for NaN/Infinity (see ReplaceNonFiniteLiterals): kept as NaN
  // in aggregate rows (an undefined statistic, like the cv of all-zero
  // values) and in a user counter of an iteration row (Google Benchmark
  // writes NaN for a ratio over zero; such a counter is left out, as
  // before), refused for a count in an iteration row (allocations, bytes,
  // lock acquisitions, instructions), where a measurement left out would
  // read as "only in the other run" and pass the gate.
  std::vector<std::pair<std::string, double>> Counters(
      bool iteration_row) const {
    std::vector<std::pair<std::string, double>> counters;
    for (const auto& [key, value] : row_.items()) {
      if (KnownFields().count(key) != 0) continue;
      const std::string counter = "counter \"" + key + "\"";
      if (value.is_null()) {
        if (iteration_row && IsCount(key)) {
          Fail(counter + " is NaN, infinite or null in an iteration row");
        }
        if (!iteration_row) {
          counters.emplace_back(key, std::numeric_limits<double>::quiet_NaN());
        }
        continue;
      }
      if (!value.is_number()) {
        Fail(counter + " must be a number, not " + TypeName(value));
      }
      const double number = value.get<double>();
      if (number < 0 && IsCount(key)) {
        Fail(counter + " is negative (" + Format(number) +
             "), which a count cannot be");
      }
      counters.emplace_back(key, number);
    }
    return counters;
  }

 private:
  const json& row_;
  std::string where_;
  const std::string& path_;
};

// Everything read for one run_name before it becomes a Benchmark.
struct Accumulator {
  // Registration order: with random interleaving the rows are shuffled.
  long long family = std::numeric_limits<long long>::max();
  long long instance = 0;
  std::size_t order = 0;
  int threads = 1;
  std::optional<std::string> error;
  std::set<long long> repetitions_seen;
  long long next_repetition = 0;
  std::map<std::string, std::vector<double>> reps;
  // hotpath_process of each value in reps, parallel to it.
  std::map<std::string, std::vector<int>> processes;
  bool any_process = false;
  std::set<std::string> aggregates_seen;
  int aggregate_repetitions = 0;
  // aggregate name ("mean", "median", "stddev", "cv") -> metric -> value
  std::map<std::string, std::map<std::string, double>> aggregates;
  // User-defined statistics seen, which carry nothing benchgate compares.
  std::vector<std::string> custom_aggregates;
};

// Google Benchmark's memory hook gives allocations per iteration
// (allocs_per_iter) but bytes only in total (total_allocated_bytes), over
// its separate run of min(16, iterations per thread) iterations (1.5 to
// 1.9 alike). The bytes per iteration follow, named like the allocations.
template <typename Add>
void AddBytesPerIteration(
    const RowReader& row,
    const std::vector<std::pair<std::string, double>>& counters, Add& add) {
  const auto find = [&](std::string_view name) -> const double* {
    for (const auto& [key, value] : counters) {
      if (key == name) return &value;
    }
    return nullptr;
  };
  const double* total = find("total_allocated_bytes");
  if (find("allocs_per_iter") == nullptr || total == nullptr ||
      find("bytes_per_iter") != nullptr) {
    return;
  }
  const long long threads = std::max(1LL, row.Integer("threads").value_or(1));
  const long long per_thread = row.Integer("iterations").value_or(0) / threads;
  if (per_thread < 1) return;
  add("bytes_per_iter",
      *total / static_cast<double>(std::min(16LL, per_thread)));
}

void ReadIterationRow(const RowReader& row, const std::string& run_name,
                      Accumulator& acc) {
  const std::optional<long long> index = row.Integer("repetition_index");
  // Files from before repetition_index existed number repetitions by order.
  const long long repetition = index ? *index : acc.next_repetition;
  acc.next_repetition = repetition + 1;
  if (!acc.repetitions_seen.insert(repetition).second) {
    row.Fail("duplicate result for \"" + run_name + "\" repetition " +
             std::to_string(repetition));
  }
  if (row.Bool("error_occurred")) {
    if (!acc.error) {
      acc.error = row.String("error_message").value_or("error_occurred");
    }
    return;
  }
  row.Integer("iterations");  // validates the type only
  const std::optional<long long> process = row.Integer("hotpath_process");
  if (process && (*process < 1 || *process > 1'000'000)) {
    row.Fail("hotpath_process must be between 1 and 1000000");
  }
  const int process_id = process ? static_cast<int>(*process) : 1;
  acc.any_process = acc.any_process || process.has_value();
  const auto add = [&](const std::string& name, double value) {
    acc.reps[name].push_back(value);
    acc.processes[name].push_back(process_id);
  };
  const TimeUnit unit = row.Unit();
  add(std::string(kRealTime), row.Time(kRealTime, unit));
  add(std::string(kCpuTime), row.Time(kCpuTime, unit));
  auto counters = row.Counters(/*iteration_row=*/true);
  // Google Benchmark 1.7.1 reports the memory hook's figures of a process
  // that ran several repetitions through pointers into a vector that grew
  // since (max_bytes_used 94442628707648 seen in repetition 0 of 5): only
  // allocs_per_iter, computed at once, holds (the hook writes it with the
  // others). A one-repetition process (bench-all's, or merged ones:
  // hotpath_process_repetitions) keeps all.
  const long long own_repetitions =
      row.Integer("hotpath_process_repetitions")
          .value_or(row.Integer("repetitions").value_or(1));
  const bool memory_hook = std::any_of(
      counters.begin(), counters.end(),
      [](const auto& counter) { return counter.first == "allocs_per_iter"; });
  if (own_repetitions > 1 && memory_hook) {
    std::erase_if(counters, [](const auto& counter) {
      return counter.first == "max_bytes_used" ||
             counter.first == "total_allocated_bytes" ||
             counter.first == "net_heap_growth";
    });
  }
  for (const auto& [name, value] : counters) add(name, value);
  AddBytesPerIteration(row, counters, add);
}

void ReadAggregateRow(const RowReader& row, const std::string& run_name,
                      const std::string& aggregate, Accumulator& acc) {
  if (!acc.aggregates_seen.insert(aggregate).second) {
    row.Fail("duplicate \"" + aggregate + "\" aggregate for \"" + run_name +
             "\"");
  }
  if (row.Bool("error_occurred")) return;
  if (aggregate != "mean" && aggregate != "median" && aggregate != "stddev" &&
      aggregate != "cv") {
    // User-defined statistics carry nothing we compare.
    acc.custom_aggregates.push_back(aggregate);
    return;
  }
  const std::optional<long long> repetitions = row.Integer("repetitions");
  if (repetitions) acc.aggregate_repetitions = static_cast<int>(*repetitions);
  // A cv row holds fractions, whatever its time_unit says.
  const bool fraction =
      aggregate == "cv" ||
      row.String("aggregate_unit").value_or("time") == "percentage";
  const TimeUnit unit = fraction ? TimeUnit{"", 1.0} : row.Unit();
  auto& values = acc.aggregates[aggregate];
  for (const std::string_view key : {kRealTime, kCpuTime}) {
    const std::optional<double> value = row.Number(key);
    if (!value) row.Fail("no \"" + std::string(key) + "\"");
    // Undefined statistics (NaN) are legitimate here; a negative time never.
    if (*value < 0 && aggregate != "cv") {
      row.Fail(std::string(key) + " is negative");
    }
    values[std::string(key)] = row.Scale(key, *value, unit);
  }
  for (const auto& [name, value] : row.Counters(/*iteration_row=*/false)) {
    values[name] = value;
  }
}

void ReadComplexityRow(const RowReader& row, const std::string& run_name,
                       const std::string& aggregate,
                       std::map<std::string, Complexity>& complexity) {
  Complexity& entry = complexity[run_name];
  if (aggregate == "BigO") {
    entry.big_o = row.String("big_o").value_or("");
  } else {
    entry.rms = row.Number("rms").value_or(0.0);
  }
}

// Builds observations from aggregate rows when a file has no repetitions.
std::map<std::string, Observations, std::less<>> FromAggregates(
    const Accumulator& acc) {
  std::map<std::string, Observations, std::less<>> metrics;
  const auto lookup = [&](const char* aggregate,
                          const std::string& metric) -> std::optional<double> {
    const auto row = acc.aggregates.find(aggregate);
    if (row == acc.aggregates.end()) return std::nullopt;
    const auto value = row->second.find(metric);
    if (value == row->second.end() || !std::isfinite(value->second)) {
      return std::nullopt;
    }
    return value->second;
  };
  std::set<std::string> names;
  for (const auto& [aggregate, values] : acc.aggregates) {
    for (const auto& [metric, value] : values) names.insert(metric);
  }
  for (const std::string& metric : names) {
    const std::optional<double> median = lookup("median", metric);
    const std::optional<double> mean = lookup("mean", metric);
    if (!median && !mean) continue;
    Observations obs;
    obs.median = median.value_or(mean.value_or(0.0));
    obs.mean = mean.value_or(obs.median);
    if (const std::optional<double> stddev = lookup("stddev", metric)) {
      obs.stddev = *stddev;
    } else if (const std::optional<double> cv = lookup("cv", metric)) {
      obs.stddev = *cv * obs.mean;
    }
    obs.n = std::max(acc.aggregate_repetitions, 1);
    metrics.emplace(metric, obs);
  }
  return metrics;
}

// Everything read from the rows of one file.
struct FileState {
  std::map<std::string, Accumulator> accumulators;
  std::map<std::string, Complexity> complexity;
};

// A build type that is not a string cannot be judged debug or not, and
// accept's refusal of debug builds must not be sidestepped by writing
// 1, ["Debug"] or {"type": "Debug"}: refused, like any malformed input.
void CheckContext(const json& context, const std::string& path) {
  if (!context.is_object()) return;  // Finish says there is none
  if (const auto build = context.find("hotpath_build_type");
      build != context.end() && !build->is_string()) {
    throw InputError(path, "context.hotpath_build_type must be a string, not " +
                               TypeName(*build));
  }
}

// Reads row `index` of the "benchmarks" array into its accumulator.
void ReadRow(const json& row, std::size_t index, const std::string& path,
             FileState& state) {
  const std::string where = "benchmarks[" + std::to_string(index) + "]";
  const RowReader early(row, where, path);
  const std::string name = early.RequireString("name");
  const RowReader reader(row, where + " (" + name + ")", path);
  const std::optional<std::string> run_type_field = reader.String("run_type");
  const std::optional<std::string> aggregate_field =
      reader.String("aggregate_name");
  std::string run_name = reader.String("run_name").value_or(name);
  std::string run_type = run_type_field.value_or("iteration");
  std::string aggregate = aggregate_field.value_or("");
  // Releases before run_type (compare.py's own test inputs) name an
  // aggregate row "<run name>_<statistic>" and say nothing else.
  if (!aggregate_field && (!run_type_field || run_type == "aggregate")) {
    if (const auto statistic = StatisticFromSuffix(name)) {
      run_type = "aggregate";
      aggregate = statistic->first;
      if (!row.contains("run_name")) {
        run_name = name.substr(0, statistic->second);
      }
    } else if (run_type == "aggregate") {
      reader.Fail(
          "aggregate row with no \"aggregate_name\" and no _mean, _median, "
          "_stddev or _cv at the end of its name");
    }
  }
  const std::optional<long long> family = reader.Integer("family_index");
  const std::optional<long long> instance =
      reader.Integer("per_family_instance_index");
  if (run_type != "aggregate" && run_type != "iteration") {
    reader.Fail("unknown run_type \"" + run_type + "\"");
  }
  if (run_type == "aggregate" && (aggregate == "BigO" || aggregate == "RMS")) {
    ReadComplexityRow(reader, run_name, aggregate, state.complexity);
    return;
  }
  auto [it, inserted] = state.accumulators.try_emplace(run_name);
  if (inserted) {
    it->second.order = state.accumulators.size();
    it->second.family = family.value_or(it->second.family);
    it->second.instance = instance.value_or(0);
  }
  it->second.threads = static_cast<int>(reader.Integer("threads").value_or(1));
  if (run_type == "aggregate") {
    ReadAggregateRow(reader, run_name, aggregate, it->second);
  } else {
    ReadIterationRow(reader, run_name, it->second);
  }
}

// The benchmarks of `state` in registration order, into `parsed`.
ParsedFile FinishParsedFile(ParsedFile parsed, FileState& state,
                            const std::string& path) {
  parsed.complexity = std::move(state.complexity);
  std::map<std::string, Accumulator>& accumulators = state.accumulators;
  std::vector<std::string> custom;  // "zz" of "whocares"
  std::vector<const std::string*> order;
  for (const auto& [run_name, acc] : accumulators) order.push_back(&run_name);
  std::sort(order.begin(), order.end(),
            [&](const std::string* a, const std::string* b) {
              const Accumulator& x = accumulators.at(*a);
              const Accumulator& y = accumulators.at(*b);
              return std::tie(x.family, x.instance, x.order) <
                     std::tie(y.family, y.instance, y.order);
            });
  for (const std::string* run_name : order) {
    Accumulator& acc = accumulators.at(*run_name);
    Benchmark benchmark;
    benchmark.name = *run_name;
    benchmark.parsed = ParseBenchmarkName(*run_name);
    benchmark.source = path;
    benchmark.threads = acc.threads;
    benchmark.error = acc.error;
    if (!acc.reps.empty()) {
      for (auto& [metric, values] : acc.reps) {
        Observations obs;
        obs.reps = std::move(values);
        if (acc.any_process) obs.process = std::move(acc.processes.at(metric));
        obs.Summarise();
        benchmark.metrics.emplace(metric, std::move(obs));
      }
    } else if (!acc.error) {
      benchmark.metrics = FromAggregates(acc);
      if (benchmark.metrics.empty()) {  // only custom statistics
        for (const std::string& aggregate : acc.custom_aggregates) {
          custom.push_back("\"" + aggregate + "\" of \"" + *run_name + "\"");
        }
        continue;
      }
    }
    parsed.benchmarks.push_back(std::move(benchmark));
  }
  if (parsed.benchmarks.empty() && !custom.empty()) {
    std::string list;
    for (std::size_t i = 0; i < custom.size() && i < 3; ++i) {
      list += (i == 0 ? "" : ", ") + custom[i];
    }
    if (custom.size() > 3) list += ", ...";
    throw InputError(
        path, "no benchmark results: only user-defined statistics (" + list +
                  "), which benchgate does not compare");
  }
  if (parsed.benchmarks.empty()) {
    throw InputError(path, "no benchmark results (only complexity rows)");
  }
  return parsed;
}

InputError NotValidJson(const json::exception& e, const std::string& path) {
  std::string what = e.what();
  const std::size_t bracket = what.find("] ");
  if (bracket != std::string::npos) what = what.substr(bracket + 2);
  std::replace(what.begin(), what.end(), '\n', ' ');
  return InputError(path, "not valid JSON (" + what + ")");
}

InputError TooDeep(const std::string& path) {
  return InputError(
      path, "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
}

// The text as the JSON parser reads it: NaN, -NaN, Infinity and -Infinity
// outside strings read as null (Google Benchmark writes them for undefined
// statistics; strict JSON has no such words). Read from a string or from a
// file in 64 KiB pieces, so no file is ever held whole.
class FiniteText {
 public:
  explicit FiniteText(std::string_view text)
      : at_(text.data()), end_(text.data() + text.size()) {
    LookForWord();
  }
  explicit FiniteText(InputFile& file) : file_(&file), buffer_(1 << 16) {
    at_ = end_ = buffer_.data();
    LookForWord();
  }

  bool AtEnd() { return at_ == end_ && !Refill(); }

  const char& Current() const {
    return null_ < kNotReplacing ? kNull[null_] : *at_;
  }

  void Advance() {
    if (null_ < kNotReplacing) {
      if (++null_ == kNotReplacing) {
        at_ += word_size_;
        LookForWord();
      }
      return;
    }
    const char c = *at_++;
    if (in_string_) {
      if (escaped_) {
        escaped_ = false;
      } else if (c == '\\') {
        escaped_ = true;
      } else if (c == '"') {
        in_string_ = false;
      }
    } else if (c == '"') {
      in_string_ = true;
    }
    LookForWord();
  }

  // The input iterator nlohmann's parser reads through; a default one is
  // the end.
  class Iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = char;
    using difference_type = std::ptrdiff_t;
    using pointer = const char*;
    using reference = const char&;

    Iterator() = default;
    explicit Iterator(FiniteText* text) : text_(text) {}
    const char& operator*() const { return text_->Current(); }
    Iterator& operator++() {
      text_->Advance();
      return *this;
    }
    bool operator==(const Iterator& other) const {
      return Ended() == other.Ended();  // only ever compared with the end
    }
    bool operator!=(const Iterator& other) const { return !(*this == other); }

   private:
    bool Ended() const { return text_ == nullptr || text_->AtEnd(); }
    FiniteText* text_ = nullptr;
  };

 private:
  static constexpr char kNull[] = "null";
  static constexpr int kNotReplacing = 4;
  static constexpr std::size_t kLongestWord = 9;  // -Infinity

  // Moves what is left to the front of the buffer and reads more after it;
  // false when nothing more came.
  bool Refill() {
    if (file_ == nullptr) return false;
    const std::size_t left = static_cast<std::size_t>(end_ - at_);
    std::memmove(buffer_.data(), at_, left);
    const std::size_t got =
        file_->Read(buffer_.data() + left, buffer_.size() - left);
    at_ = buffer_.data();
    end_ = at_ + left + got;
    return got > 0;
  }

  // Outside strings, valid JSON has no letters but true/false/null, so
  // these words can only be Google Benchmark's non-finite numbers.
  void LookForWord() {
    if (in_string_) return;
    if (static_cast<std::size_t>(end_ - at_) < kLongestWord) {
      while (Refill() && static_cast<std::size_t>(end_ - at_) < kLongestWord) {
      }
    }
    if (at_ == end_) return;
    const char c = *at_;
    if (c != 'N' && c != 'I' && c != '-') return;
    const std::string_view rest(at_, static_cast<std::size_t>(end_ - at_));
    for (const std::string_view word :
         {"-Infinity", "Infinity", "-NaN", "NaN"}) {
      if (rest.substr(0, word.size()) == word) {
        null_ = 0;
        word_size_ = word.size();
        return;
      }
    }
  }

  InputFile* file_ = nullptr;
  std::vector<char> buffer_;
  const char* at_ = nullptr;
  const char* end_ = nullptr;
  std::size_t word_size_ = 0;  // of the word being read as null
  int null_ = kNotReplacing;   // index into "null" while replacing a word
  bool in_string_ = false;
  bool escaped_ = false;
};

// Builds one JSON value (the context, or one row) from parser events.
class ValueBuilder {
 public:
  bool Building() const { return !stack_.empty(); }

  // Returns true when `value` completed the value being built.
  bool Scalar(json value) {
    Insert(std::move(value));
    return stack_.empty();
  }
  void Open(json container) { stack_.push_back(Insert(std::move(container))); }
  void Key(std::string& key) { key_ = std::move(key); }
  // Returns true when the closed container was the whole value.
  bool Close() {
    stack_.pop_back();
    return stack_.empty();
  }
  json Take() { return std::move(value_); }

 private:
  json* Insert(json value) {
    if (stack_.empty()) {
      value_ = std::move(value);
      return &value_;
    }
    json& parent = *stack_.back();
    if (parent.is_array()) {
      parent.push_back(std::move(value));
      return &parent.back();
    }
    json& slot = parent[key_];  // a repeated key keeps its last value
    slot = std::move(value);
    return &slot;
  }

  json value_;
  std::vector<json*> stack_;
  std::string key_;
};

// Reads Google Benchmark JSON as a stream of parser events: the context
// and each row are built as small values and each row is read into its
// benchmark's accumulator at once, so a file is never held as a tree
// (rows are kept only when the caller asks for them: as text for accept,
// as values for merge).
class BenchmarkJsonReader {
 public:
  BenchmarkJsonReader(const std::string& path, const ReadOptions& options)
      : path_(path), options_(options) {
    if (options_.rows == KeepRows::kValues) parsed_.rows = json::array();
  }

  bool null() { return Scalar(json(nullptr)); }
  bool boolean(bool value) { return Scalar(json(value)); }
  bool number_integer(json::number_integer_t value) {
    return Scalar(json(value));
  }
  bool number_unsigned(json::number_unsigned_t value) {
    return Scalar(json(value));
  }
  bool number_float(json::number_float_t value, const std::string& /*text*/) {
    return Scalar(json(value));
  }
  bool string(std::string& value) { return Scalar(json(std::move(value))); }
  bool binary(json::binary_t& /*value*/) { return Scalar(json()); }
  bool start_object(std::size_t /*elements*/) {
    return Open(json::value_t::object);
  }
  bool start_array(std::size_t /*elements*/) {
    return Open(json::value_t::array);
  }
  bool end_object() { return Close(); }
  bool end_array() { return Close(); }

  bool key(std::string& key) {
    if (builder_.Building()) {
      builder_.Key(key);
    } else if (depth_ == 1) {
      section_ = SectionOf(key);
      if (section_ != Section::kOther && !seen_.insert(key).second) {
        throw InputError(path_, "\"" + key + "\" appears twice at the top");
      }
    }
    return true;
  }

  bool parse_error(std::size_t /*position*/, const std::string& /*token*/,
                   const nlohmann::detail::exception& error) {
    throw NotValidJson(error, path_);
  }

  ParsedFile Finish() {
    if (!top_level_.empty()) {
      throw InputError(path_,
                       "not a Google Benchmark JSON file (top level is " +
                           top_level_ + ", not an object)");
    }
    if (!saw_benchmarks_array_) {
      throw InputError(path_,
                       "not a Google Benchmark JSON file (no \"benchmarks\" "
                       "array)");
    }
    if (rows_ == 0) throw InputError(path_, "empty benchmark list");
    if (!parsed_.context.is_object()) {
      throw InputError(path_,
                       "not a Google Benchmark JSON file (no \"context\" "
                       "object)");
    }
    if (first_row_error_) throw *first_row_error_;
    return FinishParsedFile(std::move(parsed_), state_, path_);
  }

 private:
  enum class Section { kContext, kBenchmarks, kProvenance, kOther };

  static Section SectionOf(std::string_view key) {
    if (key == "context") return Section::kContext;
    if (key == "benchmarks") return Section::kBenchmarks;
    if (key == "benchgate") return Section::kProvenance;
    return Section::kOther;
  }

  // Where the next value goes: what the builder makes of it, or nothing.
  enum class Target { kNone, kBuild, kSkip };

  Target TargetOfValue(const json& value) {
    if (depth_ == 0) {
      if (value.is_object()) return Target::kNone;
      // Said once the whole text is known to be valid JSON, as before.
      top_level_ = value.type_name();
      return Target::kSkip;
    }
    if (depth_ == 1) {
      if (section_ == Section::kBenchmarks) {
        if (value.is_array()) {
          saw_benchmarks_array_ = true;
          return Target::kNone;
        }
        return Target::kSkip;  // Finish() says there is no array
      }
      return section_ == Section::kOther ? Target::kSkip : Target::kBuild;
    }
    if (depth_ == 2 && section_ == Section::kBenchmarks) {
      if (!value.is_object()) {
        throw InputError(path_, "benchmarks[" + std::to_string(rows_) +
                                    "]: must be an object, not " +
                                    value.type_name());
      }
      return Target::kBuild;
    }
    return Target::kSkip;  // inside a section read as a whole or skipped
  }

  bool Scalar(json value) {
    if (builder_.Building()) {
      if (builder_.Scalar(std::move(value))) Complete();
      return true;
    }
    if (skipping_ > 0) return true;
    if (TargetOfValue(value) == Target::kBuild &&
        builder_.Scalar(std::move(value))) {
      Complete();
    }
    return true;
  }

  bool Open(json container) {
    if (depth_ + 1 > kMaxJsonDepth) throw TooDeep(path_);
    if (builder_.Building()) {
      builder_.Open(std::move(container));
    } else if (skipping_ > 0) {
      ++skipping_;
    } else {
      const Target target = TargetOfValue(container);
      if (target == Target::kBuild) builder_.Open(std::move(container));
      if (target == Target::kSkip) skipping_ = 1;
    }
    ++depth_;
    return true;
  }

  bool Close() {
    --depth_;
    if (builder_.Building()) {
      if (builder_.Close()) Complete();
    } else if (skipping_ > 0) {
      --skipping_;
    }
    return true;
  }

  // A value the builder finished: the context, the provenance or a row.
  void Complete() {
    json value = builder_.Take();
    if (depth_ == 1 && section_ == Section::kContext) {
      parsed_.context = std::move(value);
      CheckContext(parsed_.context, path_);
    } else if (depth_ == 1 && section_ == Section::kProvenance) {
      if (value.is_object()) parsed_.provenance = std::move(value);
    } else if (seen_.count("context") != 0) {
      ReadRow(value, rows_++, path_, state_);
      Keep(std::move(value));
    } else {
      // Rows before the context (Google Benchmark writes the context
      // first; `jq -S` sorts it after): a file without a context says so
      // rather than what is wrong with its first row.
      try {
        if (!first_row_error_) ReadRow(value, rows_, path_, state_);
      } catch (const InputError& error) {
        first_row_error_ = error;
      }
      ++rows_;
      Keep(std::move(value));
    }
  }

  void Keep(json row) {
    if (options_.rows == KeepRows::kValues) {
      parsed_.rows.push_back(std::move(row));
    } else if (options_.rows == KeepRows::kText) {
      if (!parsed_.row_text.empty()) parsed_.row_text += kRowSeparator;
      parsed_.row_text += row.dump();
    }
  }

  const std::string& path_;
  const ReadOptions& options_;
  ParsedFile parsed_;
  FileState state_;
  ValueBuilder builder_;
  std::set<std::string> seen_;
  Section section_ = Section::kOther;
  int depth_ = 0;     // open arrays and objects
  int skipping_ = 0;  // open containers of a value being skipped
  bool saw_benchmarks_array_ = false;
  std::string top_level_;  // the type of a top level that is no object
  std::optional<InputError> first_row_error_;
  std::size_t rows_ = 0;
};

ParsedFile ParseFiniteText(FiniteText& text, const std::string& path,
                           const ReadOptions& options) {
  BenchmarkJsonReader reader(path, options);
  json::sax_parse(FiniteText::Iterator(&text), FiniteText::Iterator(), &reader);
  return reader.Finish();
}

}  // namespace

bool IsGoogleBenchmarkField(std::string_view key) {
  return KnownFields().count(key) != 0;
}

std::string ReplaceNonFiniteLiterals(std::string_view text) {
  FiniteText finite(text);
  return std::string(FiniteText::Iterator(&finite), FiniteText::Iterator());
}

void CheckJsonDepth(std::string_view text, const std::string& path) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) throw TooDeep(path);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
}

json ParseJsonInput(std::string_view text, const std::string& path) {
  CheckJsonDepth(text, path);
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    // parse_error, and out_of_range for a number too large for a double.
    throw NotValidJson(e, path);
  }
}

ParsedFile ParseBenchmarkJson(std::string_view text, const std::string& path,
                              const ReadOptions& options) {
  FiniteText finite(text);
  return ParseFiniteText(finite, path, options);
}

ParsedFile ReadBenchmarkFile(const std::string& path,
                             const ReadOptions& options) {
  InputFile file(path);
  FiniteText finite(file);
  return ParseFiniteText(finite, path, options);
}

}  // namespace hotpath::benchgate
