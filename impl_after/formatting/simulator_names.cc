#include "impl_after/formatting/simulator_names.h"

#include <fmt/format.h>

namespace hotpath::formatting::after {

std::string_view SimulatorNames::VmName(uint64_t n) {
  const auto result =
      fmt::format_to_n(vm_name_.data(), vm_name_.size(), "vm-{}", n);
  return {vm_name_.data(), result.size};
}

std::string_view SimulatorNames::TaskName(uint64_t n) {
  const auto result =
      fmt::format_to_n(task_name_.data(), task_name_.size(), "task-{}", n);
  return {task_name_.data(), result.size};
}

}  // namespace hotpath::formatting::after
