// Exact instruction counts of the timed loop under callgrind.
//
// `bench-all --instructions` runs each bench binary under
// `valgrind --tool=callgrind --instr-atstart=no`: start-up runs
// uninstrumented, and the first timed loop switches instrumentation on for
// good (switching it off after each loop costs more: every switch flushes
// valgrind's translations; measured 10.4 s of CPU against 7.7 s for the
// routing binary). AllocationScope brackets the timed loop: thread 0 zeroes
// the counters right before the loop, and the last thread to report dumps
// them as "hotpath:<iterations>:<ops per iteration>". Google Benchmark runs a
// body once per iteration count it tries (1, 10, 100, ...), so each benchmark
// leaves several dumps of exactly its timed loop, and the slope between two
// of them is the cost of one iteration without the fixed cost around the
// loop. Google Benchmark 1.7.1 does not tell a body its name, so bench_main's
// reporter closes each benchmark's dumps with an empty marker dump
// "hotpath-end:<run name>" (benchgate's callgrind_reader pairs them up).
//
// Outside valgrind a client request is a few register instructions, and
// these run before the loop's timer starts and after it stops, so timings do
// not include them; without <valgrind/callgrind.h> they compile to nothing.
#ifndef HOTPATH_BENCHES_HARNESS_CALLGRIND_SUPPORT_H_
#define HOTPATH_BENCHES_HARNESS_CALLGRIND_SUPPORT_H_

#include <cstdint>
#include <cstdio>
#include <string>

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define HOTPATH_HAVE_CALLGRIND 1
#endif
#endif

namespace hotpath::harness {

// True under any valgrind tool; the requests below only act under callgrind.
inline bool UnderValgrind() {
#ifdef HOTPATH_HAVE_CALLGRIND
  return RUNNING_ON_VALGRIND != 0;
#else
  return false;
#endif
}

// Right before a timed loop, on one thread (instrumentation and counters are
// process-wide).
inline void CallgrindLoopStart() {
#ifdef HOTPATH_HAVE_CALLGRIND
  CALLGRIND_START_INSTRUMENTATION;
  CALLGRIND_ZERO_STATS;
#endif
}

// After the loop, once per run: `iterations` summed over the run's threads.
// `timing_dependent`, when not null, says why this loop's instruction count
// depends on timing ("threads", "clock"): the label carries it, and benchgate
// reports the benchmark without a count, for that reason.
inline void CallgrindLoopEnd(uint64_t iterations, double ops_per_iteration,
                             const char* timing_dependent = nullptr) {
#ifdef HOTPATH_HAVE_CALLGRIND
  if (RUNNING_ON_VALGRIND == 0) return;
  // Not counted: formatting costs more for more digits, which would bend the
  // slope (measured: 19 instructions per digit).
  CALLGRIND_TOGGLE_COLLECT;
  char label[96];
  std::snprintf(label, sizeof(label), "hotpath:%llu:%.17g%s%s",
                static_cast<unsigned long long>(iterations), ops_per_iteration,
                timing_dependent != nullptr ? ":" : "",
                timing_dependent != nullptr ? timing_dependent : "");
  CALLGRIND_DUMP_STATS_AT(label);
  CALLGRIND_TOGGLE_COLLECT;
#else
  (void)iterations;
  (void)ops_per_iteration;
  (void)timing_dependent;
#endif
}

// After all runs of the benchmark `run_name` (from the reporter).
inline void CallgrindMarkEnd(const std::string& run_name) {
#ifdef HOTPATH_HAVE_CALLGRIND
  if (RUNNING_ON_VALGRIND == 0) return;
  const std::string label = "hotpath-end:" + run_name;
  CALLGRIND_ZERO_STATS;  // an empty marker: a few hundred bytes
  CALLGRIND_DUMP_STATS_AT(label.c_str());
#else
  (void)run_name;
#endif
}

}  // namespace hotpath::harness

#endif  // HOTPATH_BENCHES_HARNESS_CALLGRIND_SUPPORT_H_
