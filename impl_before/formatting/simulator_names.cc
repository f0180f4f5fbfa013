// NOLINTBEGIN(performance-*): slow on purpose, as the orchestrator wrote it.
#include "impl_before/formatting/simulator_names.h"

#include <fmt/format.h>

namespace hotpath::formatting::before {

std::string_view SimulatorNames::VmName(uint64_t n) {
  vm_name_ = fmt::format("vm-{}", n);
  return vm_name_;
}

std::string_view SimulatorNames::TaskName(uint64_t n) {
  task_name_ = fmt::format("task-{}", n);
  return task_name_;
}

}  // namespace hotpath::formatting::before
// NOLINTEND(performance-*)
