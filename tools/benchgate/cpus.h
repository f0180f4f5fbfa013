// benchgate cpus: which of the CPUs this process may run on is fastest now.
//
// On a shared virtual machine the vCPUs are not alike: on the 2-core EPYC VM
// this was written on, one vCPU ran independent stores, unpredictable
// branches and malloc/free about 2x slower than the other (memcpy 1.4x)
// while a chain of dependent multiplies or a pointer chase ran at the same
// speed, as a busy neighbour on the same physical core would cause; it
// lasted minutes, and which vCPU was slow changed. A benchmark process the
// scheduler happens to place there measures that neighbour, not the code;
// pinning each single-threaded benchmark process to the CPU that is fastest
// at its start removes that part of the spread between processes. The probe
// runs the throughput-bound kind of work (independent stores and a branch
// on a hash bit), a few milliseconds at a time, CPU after CPU, over several
// rounds.

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
