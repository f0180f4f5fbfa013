#include "benchgate/write/format.h"

#include <cmath>
#include <cstddef>
#include <cstdio>

namespace hotpath::benchgate {
namespace {

std::string Printf(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

std::string ThreeDigits(double value) {
  const double magnitude = std::fabs(value);
  if (magnitude >= 100.0) return Printf("%.0f", value);
  if (magnitude >= 10.0) return Printf("%.1f", value);
  return Printf("%.2f", value);
}

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         text.substr(text.size() - suffix.size()) == suffix;
}

bool IsTimeMetric(std::string_view metric) {
  return metric == "real_time" || metric == "cpu_time" ||
         EndsWith(metric, "_ns") ||
         metric.find("_ns_") != std::string_view::npos;
}

void AppendHex(std::string& out, const char* prefix, unsigned value,
               int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += prefix;
  for (int shift = 4 * (digits - 1); shift >= 0; shift -= 4) {
    out += kHex[(value >> shift) & 0xfu];
  }
}

// Length of the well-formed UTF-8 sequence at text[at] and its code point,
// or 0 when the bytes there are not one (RFC 3629: no overlongs, no
// surrogates, nothing past U+10FFFF).
std::size_t DecodeUtf8(std::string_view text, std::size_t at,
                       unsigned& code_point) {
  const auto byte = [&](std::size_t i) {
    return static_cast<unsigned char>(text[i]);
  };
  const unsigned lead = byte(at);
  std::size_t length = 0;
  unsigned low = 0x80;
  unsigned high = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
    code_point = lead & 0x1fu;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    code_point = lead & 0x0fu;
    if (lead == 0xe0) low = 0xa0;
    if (lead == 0xed) high = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    code_point = lead & 0x07u;
    if (lead == 0xf0) low = 0x90;
    if (lead == 0xf4) high = 0x8f;
  } else {
    return 0;
  }
  if (at + length > text.size()) return 0;
  for (std::size_t i = 1; i < length; ++i) {
    const unsigned next = byte(at + i);
    if (next < (i == 1 ? low : 0x80u) || next > (i == 1 ? high : 0xbfu)) {
      return 0;
    }
    code_point = (code_point << 6) | (next & 0x3fu);
  }
  return length;
}

bool ShownAsCodePoint(unsigned code_point) {
  return (code_point >= 0x80 && code_point <= 0x9f) ||  // C1
         (code_point >= 0x202a && code_point <= 0x202e) ||
         (code_point >= 0x2066 && code_point <= 0x2069) ||
         code_point == 0x200e || code_point == 0x200f || code_point == 0x2028 ||
         code_point == 0x2029 || code_point == 0xfffe || code_point == 0xffff;
}

}  // namespace

std::string Printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t at = 0; at < text.size();) {
    const auto c = static_cast<unsigned char>(text[at]);
    if (c < 0x20 || c == 0x7f) {
      switch (c) {
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        default:
          AppendHex(out, "\\x", c, 2);
      }
      ++at;
      continue;
    }
    if (c < 0x80) {
      out += static_cast<char>(c);
      ++at;
      continue;
    }
    unsigned code_point = 0;
    const std::size_t length = DecodeUtf8(text, at, code_point);
    if (length == 0) {
      AppendHex(out, "\\x", c, 2);
      ++at;
    } else if (ShownAsCodePoint(code_point)) {
      AppendHex(out, "\\u", code_point, 4);
      at += length;
    } else {
      out.append(text.substr(at, length));
      at += length;
    }
  }
  return out;
}

std::string FormatTime(double nanoseconds) {
  if (!std::isfinite(nanoseconds)) return Printf("%g", nanoseconds);
  const double magnitude = std::fabs(nanoseconds);
  if (magnitude < 1e3) return ThreeDigits(nanoseconds) + " ns";
  if (magnitude < 1e6) return ThreeDigits(nanoseconds / 1e3) + " us";
  if (magnitude < 1e9) return ThreeDigits(nanoseconds / 1e6) + " ms";
  return ThreeDigits(nanoseconds / 1e9) + " s";
}

std::string FormatNumber(double value) {
  if (!std::isfinite(value)) return Printf("%g", value);
  const double magnitude = std::fabs(value);
  if (magnitude >= 1e9) return ThreeDigits(value / 1e9) + "G";
  if (magnitude >= 1e6) return ThreeDigits(value / 1e6) + "M";
  if (magnitude >= 1e4) return ThreeDigits(value / 1e3) + "k";
  if (value == std::round(value)) return Printf("%.0f", value);
  return Printf("%.3g", value);
}

std::string FormatMetric(std::string_view metric, double value) {
  if (IsTimeMetric(metric)) return FormatTime(value);
  if (EndsWith(metric, "_per_second")) return FormatNumber(value) + "/s";
  return FormatNumber(value);
}

std::string FormatChange(double change) {
  if (std::isinf(change)) return change > 0 ? "+inf%" : "-inf%";
  if (change == 0.0) return "0.0%";
  return Printf("%+.1f%%", change * 100.0);
}

std::string FormatRatio(double ratio) { return Printf("%.3f", ratio); }

std::string FormatInterval(double low, double high) {
  // Built left to right: GCC 12 -O3 warns falsely (-Wrestrict) on
  // "literal" + std::string temporaries.
  std::string text(1, '[');
  text += FormatRatio(low);
  text += ", ";
  text += FormatRatio(high);
  text += ']';
  return text;
}

std::string FormatP(double p) {
  if (p < 1e-4) return "<0.0001";
  return Printf("%.4f", p);
}

std::string FormatPercent(double fraction) {
  return Printf("%.1f%%", fraction * 100.0);
}

std::string FormatGoal(const Target& target) {
  return std::string(target.goal == Goal::kAtMost ? "<= " : ">= ") +
         Printf("%g", target.ratio);
}

std::string DescribeTest(const MetricComparison& comparison) {
  if (comparison.method == Method::kExact) {
    return "exact, tolerance " + FormatNumber(comparison.threshold);
  }
  std::string text;
  if (comparison.change_low && comparison.change_high) {
    text = "change [" + FormatChange(*comparison.change_low) + ", " +
           FormatChange(*comparison.change_high) + "] at " +
           Printf("%.0f%%", comparison.confidence * 100.0) + ", ";
  }
  if (comparison.q) {
    text += "q=" + FormatP(*comparison.q) + " (" + ToString(comparison.method) +
            ", " + std::to_string(comparison.n_old) + " vs " +
            std::to_string(comparison.n_new) +
            (comparison.method == Method::kPairedRounds ? " rounds"
             : comparison.method == Method::kProcesses  ? " processes"
                                                        : " repetitions") +
            ")";
  }
  // Without a test the minimum effect explains nothing.
  if (!comparison.threshold_source.empty() && comparison.p) {
    text += (text.empty() ? "" : ", ") + std::string("min effect ") +
            FormatPercent(comparison.threshold) + " (" +
            comparison.threshold_source + ")";
  }
  return text;
}

}  // namespace hotpath::benchgate
