// The commands a proposal carries (create-VM, status update) and the wire
// form of a Raft log entry holding one proposal or a batch of them. Both
// sides write entries with these functions, so equal inputs give equal
// bytes; every size function is exact and computed without serialising.
//
// Entry wire form (common/wire/codec.h: little-endian, u32-length blobs):
//   single: u8 kSingle, blob id, command
//   batch:  u8 kBatch, blob batch id, u32 count, count x (blob id, command)
//   command: u8 kind, then the fields of CreateVmCommand or
//            StatusUpdateCommand in declaration order (strings as blobs,
//            networks as u32 count + blobs).
#ifndef HOTPATH_COMMON_PROPOSAL_COMMAND_H_
#define HOTPATH_COMMON_PROPOSAL_COMMAND_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/proposal/proposal_id.h"
#include "common/wire/codec.h"

namespace hotpath::proposal {

enum class VmState : uint8_t {
  kCreating,
  kRunning,
  kStopped,
  kFailed,
  kDeleted
};

struct CreateVmCommand {
  std::string name;
  std::string image;
  std::string node_id;
  uint32_t vcpus = 0;
  uint64_t memory_mb = 0;
  uint64_t disk_gb = 0;
  std::vector<std::string> networks;
  std::string user_data;
  bool operator==(const CreateVmCommand&) const = default;
};

struct StatusUpdateCommand {
  std::string vm_name;
  VmState state = VmState::kCreating;
  uint64_t timestamp_ms = 0;
  std::string message;
  bool operator==(const StatusUpdateCommand&) const = default;
};

using Command = std::variant<CreateVmCommand, StatusUpdateCommand>;

enum class CommandKind : uint8_t { kCreateVm = 1, kStatusUpdate = 2 };
enum class EntryKind : uint8_t { kSingle = 1, kBatch = 2 };

// Exact serialised size of a command.
size_t CommandSize(const Command& command);
// Appends the command's wire form to `out`.
void SerializeCommand(const Command& command, wire::Bytes& out);
// What bincode::serialize does: a size pass, then one exactly sized vector.
wire::Bytes SerializeCommandToVector(const Command& command);

size_t SingleEntrySize(const ProposalId& id, const Command& command);
void SerializeSingleEntry(const ProposalId& id, const Command& command,
                          wire::Bytes& out);

// A batch entry is a header followed by `count` items.
size_t BatchHeaderSize(const ProposalId& batch_id);
void WriteBatchHeader(const ProposalId& batch_id, uint32_t count,
                      wire::Bytes& out);
size_t BatchItemSize(const ProposalId& id, const Command& command);
void SerializeBatchItem(const ProposalId& id, const Command& command,
                        wire::Bytes& out);

// A decoded command whose strings point into the entry; no allocation.
struct CommandView {
  CommandKind kind = CommandKind::kCreateVm;
  std::string_view name;  // VM name, for both kinds
  std::string_view image;
  std::string_view node_id;
  uint32_t vcpus = 0;
  uint64_t memory_mb = 0;
  uint64_t disk_gb = 0;
  uint32_t network_count = 0;
  std::string_view user_data;
  VmState state = VmState::kCreating;
  uint64_t timestamp_ms = 0;
  std::string_view message;
};

// Reads an entry written by the functions above without allocating.
class EntryReader {
 public:
  explicit EntryReader(std::span<const uint8_t> entry);

  // False if the header is malformed or a Next call found bad input.
  bool ok() const { return ok_; }
  EntryKind kind() const { return kind_; }
  // The proposal's id for a single entry, the batch id for a batch.
  const ProposalId& id() const { return id_; }
  // Proposals in the entry: 1 for a single entry.
  uint32_t count() const { return count_; }
  // The next proposal; false when none is left or the input is malformed
  // (then ok() is false). After the last one, ok() also checks nothing
  // trails the entry.
  bool Next(ProposalId& id, CommandView& command);
  // The same, decoded into an owned command (for tests and tools).
  bool Next(ProposalId& id, Command& command);

 private:
  bool NextInto(ProposalId& id, CommandView& command,
                std::vector<std::string>* networks);

  wire::Reader reader_;
  EntryKind kind_ = EntryKind::kSingle;
  ProposalId id_;
  uint32_t count_ = 0;
  uint32_t read_ = 0;
  bool ok_ = true;
};

}  // namespace hotpath::proposal

#endif  // HOTPATH_COMMON_PROPOSAL_COMMAND_H_
