// Exports of one run for the dashboards teams already use, so that
// hotpath's exact counts (allocations and bytes per op) travel with the
// timings, which is all those tools' own Google Benchmark adapters keep.
//
// Bencher Metric Format: one object keyed by benchmark name, each holding
// one metric per measure slug. github-action-benchmark's custom tools: an
// array of {name, unit, value, range?, extra?}, one file per direction
// (customSmallerIsBetter or customBiggerIsBetter), one entry per benchmark
// and metric. Values are medians over repetitions; a value that is not
// finite is left out, never written as null (JSON has no NaN).

#ifndef HOTPATH_TOOLS_BENCHGATE_WRITE_EXPORT_FORMATS_H_
#define HOTPATH_TOOLS_BENCHGATE_WRITE_EXPORT_FORMATS_H_

#include <string>

#include "benchgate/model.h"

namespace hotpath::benchgate {

enum class ExportFormat {
  kBencher,                      // "bencher"
  kGithubActionBenchmark,        // "github-action-benchmark": smaller is better
  kGithubActionBenchmarkBigger,  // "github-action-benchmark-bigger"
};

// The command-line names, in the order --help lists them.
inline constexpr const char* kExportFormatNames[] = {
    "bencher", "github-action-benchmark", "github-action-benchmark-bigger"};

// Throws InputError naming the accepted formats for any other name.
ExportFormat ParseExportFormat(const std::string& name);

struct ExportResult {
  std::string text;        // the file's contents, ending in a newline
  int benchmarks = 0;      // benchmarks with at least one metric written
  int entries = 0;         // metrics written
  int skipped_failed = 0;  // benchmarks left out: a repetition failed
};

ExportResult RenderExport(const Run& run, ExportFormat format);

}  // namespace hotpath::benchgate

#endif  // HOTPATH_TOOLS_BENCHGATE_WRITE_EXPORT_FORMATS_H_
