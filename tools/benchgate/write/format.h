// Number formatting shared by the renderers: three significant digits,
// time in the unit that keeps the number short, rates with SI prefixes.

#ifndef HOTPATH_TOOLS_BENCHGATE_WRITE_FORMAT_H_
#define HOTPATH_TOOLS_BENCHGATE_WRITE_FORMAT_H_

#include <optional>
#include <string>
#include <string_view>

#include "benchgate/judge/compare.h"
#include "benchgate/read/config.h"

namespace hotpath::benchgate {

std::string FormatTime(double nanoseconds);  // "1.23 us"
std::string FormatNumber(double value);      // "4", "4.5", "1.23M"
std::string FormatMetric(std::string_view metric, double value);
std::string FormatChange(double change);              // "+5.7%"
std::string FormatRatio(double ratio);                // "0.482"
std::string FormatInterval(double low, double high);  // "[0.41, 0.52]"
std::string FormatP(double p);                        // "0.0031", "<0.0001"
std::string FormatPercent(double fraction);           // "6.1%"
std::string FormatGoal(const Target& target);         // "<= 0.5"
// "q=0.0012, min effect 6.1% (run spread)" or "exact, tolerance 0.01".
std::string DescribeTest(const MetricComparison& comparison);

// Text from the input files (benchmark names, labels, notes, paths) made
// safe to print: control characters shown visibly instead of acting on a
// terminal or breaking a format. C0 and DEL become "\n", "\r", "\t" or
// "\xNN", C1, bidirectional overrides, U+2028/9 and U+FFFE/F "\uNNNN",
// bytes that are not UTF-8 "\xNN". Everything else, backslash included,
// passes unchanged, so ordinary names print as they are.
std::string Printable(std::string_view text);

}  // namespace hotpath::benchgate

#endif  // HOTPATH_TOOLS_BENCHGATE_WRITE_FORMAT_H_
