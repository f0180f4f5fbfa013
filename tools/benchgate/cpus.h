// benchgate cpus: which of the CPUs this process may run on is fastest now.
//
// On a shared virtual machine the vCPUs are not alike: one may share its
// physical core, caches or memory bandwidth with a busy neighbour and run a
// cache-bound loop 1.3-1.7x slower than another, in phases of seconds. A
// benchmark process the scheduler happens to place there measures that
// neighbour, not the code; pinning every single-threaded benchmark process
// of both sides of a comparison to the one fastest CPU removes that part of
// the spread between processes. The probe runs independent stores and
// unpredictable branches (throughput-bound work, which a neighbour on the
// same physical core halves), a few milliseconds at a time, CPU after CPU,
// over several rounds.

#ifndef HOTPATH_TOOLS_BENCHGATE_CPUS_H_
#define HOTPATH_TOOLS_BENCHGATE_CPUS_H_

#include <ostream>
#include <vector>

namespace hotpath::benchgate {

struct CpuSpeed {
  int cpu = 0;
  std::vector<double> milliseconds;  // one per round
  double median = 0.0;
  double spread = 0.0;  // (max - min) / median of the samples
};

// Fills median and spread from milliseconds.
void Summarise(CpuSpeed& speed);

// The index in `speeds` of the CPU to pin to: the lowest median, the lower
// spread on a tie within 1%, then the lower CPU number. -1 when empty.
int PickFastest(const std::vector<CpuSpeed>& speeds);

struct CpusOptions {
  int rounds = 9;
  int steps = 1 << 24;  // loop iterations per sample (about 10-20 ms)
};

// Probes every CPU in this process's affinity mask (restored afterwards).
// Throws InputError when the mask cannot be read or set.
std::vector<CpuSpeed> ProbeCpus(const CpusOptions& options);

// Prints one line per CPU and a last line "benchgate cpus: fastest: cpu N
// (...)" that scripts read. Returns 0.
int CpusCommand(const CpusOptions& options, std::ostream& out);
void PrintCpus(const std::vector<CpuSpeed>& speeds, std::ostream& out);

}  // namespace hotpath::benchgate

#endif  // HOTPATH_TOOLS_BENCHGATE_CPUS_H_
