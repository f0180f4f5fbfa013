#include "benchgate/cpus.h"

#include <sched.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <numeric>
#include <string>

#include "benchgate/error.h"

namespace hotpath::benchgate {
namespace {

constexpr std::size_t kBufferBytes = std::size_t{1} << 14;  // fits L1

// Independent stores and unpredictable branches at full issue width: the
// work that halves when a busy neighbour shares the physical core (a chain
// of dependent loads or multiplies, bound by latency, hardly notices).
double ProbeMilliseconds(std::vector<std::uint8_t>& buffer, int steps) {
  const std::uint32_t mask = static_cast<std::uint32_t>(buffer.size() - 1);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < steps; ++i) {
    const std::uint32_t h = static_cast<std::uint32_t>(i) * 2654435761U;
    if ((h >> 31) != 0) {
      buffer[(h >> 12) & mask] += 1;
    } else {
      buffer[(static_cast<std::uint32_t>(i) * 64U) & mask] ^=
          static_cast<std::uint8_t>(i);
    }
  }
  const auto stop = std::chrono::steady_clock::now();
  return std::chrono::duration<double, std::milli>(stop - start).count();
}

std::string FormatFixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

void SetAffinity(const cpu_set_t& set) {
  if (sched_setaffinity(0, sizeof set, &set) != 0) {
    throw InputError("",
                     std::string("cannot set this process's CPU affinity: ") +
                         std::strerror(errno));
  }
}

}  // namespace

void Summarise(CpuSpeed& speed) {
  std::vector<double> v = speed.milliseconds;
  if (v.empty()) return;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  speed.median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
  speed.spread =
      speed.median > 0.0 ? (v.back() - v.front()) / speed.median : 0.0;
}

int PickFastest(const std::vector<CpuSpeed>& speeds) {
  int best = -1;
  for (std::size_t i = 0; i < speeds.size(); ++i) {
    if (best < 0) {
      best = static_cast<int>(i);
      continue;
    }
    const CpuSpeed& a = speeds[i];
    const CpuSpeed& b = speeds[static_cast<std::size_t>(best)];
    const bool tie = std::abs(a.median - b.median) <= 0.01 * b.median;
    if ((tie &&
         (a.spread < b.spread || (a.spread == b.spread && a.cpu < b.cpu))) ||
        (!tie && a.median < b.median)) {
      best = static_cast<int>(i);
    }
  }
  return best;
}

std::vector<CpuSpeed> ProbeCpus(const CpusOptions& options) {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) {
    throw InputError("",
                     std::string("cannot read this process's CPU affinity: ") +
                         std::strerror(errno));
  }
  std::vector<CpuSpeed> speeds;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &allowed)) speeds.push_back(CpuSpeed{cpu, {}, 0.0, 0.0});
  }
  std::vector<std::uint8_t> buffer(kBufferBytes);
  try {
    for (int round = 0; round < options.rounds; ++round) {
      // Alternate the order so that no CPU always goes first.
      for (std::size_t k = 0; k < speeds.size(); ++k) {
        CpuSpeed& speed = speeds[round % 2 == 0 ? k : speeds.size() - 1 - k];
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(speed.cpu, &one);
        SetAffinity(one);
        ProbeMilliseconds(buffer,
                          options.steps / 16);  // migrate, warm the cache
        speed.milliseconds.push_back(ProbeMilliseconds(buffer, options.steps));
      }
    }
  } catch (...) {
    sched_setaffinity(0, sizeof allowed, &allowed);
    throw;
  }
  SetAffinity(allowed);
  // The buffer's contents are observable, so the loops cannot be dropped.
  volatile std::uint8_t sink =
      std::accumulate(buffer.begin(), buffer.end(), std::uint8_t{0});
  static_cast<void>(sink);
  for (CpuSpeed& speed : speeds) Summarise(speed);
  return speeds;
}

void PrintCpus(const std::vector<CpuSpeed>& speeds, std::ostream& out) {
  const int best = PickFastest(speeds);
  if (best < 0) {
    out << "benchgate cpus: no CPU to probe\n";
    return;
  }
  const CpuSpeed& fastest = speeds[static_cast<std::size_t>(best)];
  double slowest = fastest.median;
  for (const CpuSpeed& speed : speeds) {
    slowest = std::max(slowest, speed.median);
    out << "cpu " << speed.cpu << ": " << FormatFixed(speed.median, 1)
        << " ms per probe (median of " << speed.milliseconds.size()
        << ", spread " << FormatFixed(100.0 * speed.spread, 0) << "%)";
    if (&speed == &fastest) {
      out << ", fastest";
    } else if (fastest.median > 0.0) {
      out << ", " << FormatFixed(speed.median / fastest.median, 2)
          << "x the fastest";
    }
    out << '\n';
  }
  out << "benchgate cpus: fastest: cpu " << fastest.cpu << " (of "
      << speeds.size();
  if (speeds.size() > 1 && fastest.median > 0.0) {
    out << "; the slowest takes " << FormatFixed(slowest / fastest.median, 2)
        << "x";
  }
  out << ")\n";
}

int CpusCommand(const CpusOptions& options, std::ostream& out) {
  PrintCpus(ProbeCpus(options), out);
  return 0;
}

}  // namespace hotpath::benchgate
