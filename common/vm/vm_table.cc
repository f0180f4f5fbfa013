#include "common/vm/vm_table.h"

namespace hotpath::vm {

ApplyOutcome VmTable::Apply(const proposal::CommandView& command,
                            uint64_t log_index) {
  auto it = vms_.find(command.name);
  if (command.kind == proposal::CommandKind::kCreateVm) {
    if (it == vms_.end()) {
      it = vms_.emplace(std::string(command.name), VmRecord{}).first;
    } else if (it->second.state != proposal::VmState::kDeleted) {
      ++rejected_;
      return ApplyOutcome::kAlreadyExists;
    }
    VmRecord& vm = it->second;
    vm.state = proposal::VmState::kCreating;
    vm.node_id.assign(command.node_id);  // keeps the old record's capacity
    vm.image.assign(command.image);
    vm.vcpus = command.vcpus;
    vm.memory_mb = command.memory_mb;
    vm.disk_gb = command.disk_gb;
    vm.networks = command.network_count;
    vm.updated_ms = 0;
    vm.log_index = log_index;
    ++live_;
    ++applied_;
    return ApplyOutcome::kApplied;
  }
  if (it == vms_.end() || it->second.state == proposal::VmState::kDeleted) {
    ++rejected_;
    return ApplyOutcome::kNotFound;
  }
  VmRecord& vm = it->second;
  vm.state = command.state;
  vm.updated_ms = command.timestamp_ms;
  vm.log_index = log_index;
  if (command.state == proposal::VmState::kDeleted) --live_;
  ++applied_;
  return ApplyOutcome::kApplied;
}

const VmRecord* VmTable::Find(std::string_view name) const {
  const auto it = vms_.find(name);
  return it == vms_.end() ? nullptr : &it->second;
}

std::map<std::string, VmRecord, std::less<>> VmTable::Sorted() const {
  return {vms_.begin(), vms_.end()};
}

}  // namespace hotpath::vm
