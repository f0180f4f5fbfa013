// The VM backend the Raft apply step writes in the scenarios: VM name ->
// state, node and shape. Both sides of a scenario apply the same commands to
// it, so its end state is part of their equivalence check. A deleted VM keeps
// its record (state kDeleted) and a later create of the same name reuses it:
// a replayed workload reaches a steady state in which applying allocates
// nothing, so the table adds the same cost, and no allocations, to both
// sides. Rules: create needs the name absent or deleted; a status update
// needs it present and not deleted; anything else is rejected and counted.
// Not thread-safe: the Raft applier owns it.
#ifndef HOTPATH_COMMON_VM_VM_TABLE_H_
#define HOTPATH_COMMON_VM_VM_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/proposal/command.h"

namespace hotpath::vm {

struct VmRecord {
  proposal::VmState state = proposal::VmState::kCreating;
  std::string node_id;
  std::string image;
  uint32_t vcpus = 0;
  uint64_t memory_mb = 0;
  uint64_t disk_gb = 0;
  uint32_t networks = 0;
  uint64_t updated_ms = 0;  // the last status update's timestamp
  uint64_t log_index = 0;   // the entry that last changed it
  bool operator==(const VmRecord&) const = default;
};

enum class ApplyOutcome : uint8_t { kApplied, kAlreadyExists, kNotFound };

class VmTable {
 public:
  ApplyOutcome Apply(const proposal::CommandView& command, uint64_t log_index);

  // Null when the name was never created.
  const VmRecord* Find(std::string_view name) const;
  // Records, deleted ones included.
  size_t size() const { return vms_.size(); }
  // Records not in state kDeleted.
  size_t live() const { return live_; }
  uint64_t applied() const { return applied_; }
  uint64_t rejected() const { return rejected_; }
  // Every record by name, for tests.
  std::map<std::string, VmRecord, std::less<>> Sorted() const;

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view name) const {
      return std::hash<std::string_view>{}(name);
    }
  };

  std::unordered_map<std::string, VmRecord, Hash, std::equal_to<>> vms_;
  size_t live_ = 0;
  uint64_t applied_ = 0;
  uint64_t rejected_ = 0;
};

}  // namespace hotpath::vm

#endif  // HOTPATH_COMMON_VM_VM_TABLE_H_
