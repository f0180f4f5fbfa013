// The simulator's names as it formats them per operation (HOTPATHS.md,
// formatting): a fresh "vm-<n>" or "task-<n>" string each time. Every such
// name for n below 10^10 fits std::string's 15-character inline buffer, so
// in C++ this before does not allocate at all; the pair is here for the time
// a fresh std::string through fmt::format costs, not for allocations.
#ifndef HOTPATH_IMPL_BEFORE_FORMATTING_SIMULATOR_NAMES_H_
#define HOTPATH_IMPL_BEFORE_FORMATTING_SIMULATOR_NAMES_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace hotpath::formatting::before {

class SimulatorNames {
 public:
  // "vm-<n>"; valid until the next VmName call.
  std::string_view VmName(uint64_t n);
  // "task-<n>"; valid until the next TaskName call.
  std::string_view TaskName(uint64_t n);

 private:
  std::string vm_name_;
  std::string task_name_;
};

}  // namespace hotpath::formatting::before

#endif  // HOTPATH_IMPL_BEFORE_FORMATTING_SIMULATOR_NAMES_H_
