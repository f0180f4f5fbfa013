// Realistic, seeded inputs for the proposal and batching paths (HOTPATHS.md):
// create-VM and status-update commands of 50-500 serialised bytes, proposal
// ids hashed from (time, pid, thread), and the Raft message mix (20 votes,
// 100 heartbeats, 20 appends of 5 entries of 1-5 KiB, optional snapshots).
// The same seed gives the same inputs, so tests and benchmarks can replay
// one sequence on both sides.
#ifndef HOTPATH_COMMON_PROPOSAL_WORKLOAD_H_
#define HOTPATH_COMMON_PROPOSAL_WORKLOAD_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/proposal/command.h"
#include "common/proposal/proposal_id.h"
#include "common/raft/message.h"

namespace hotpath::proposal {

// A command whose CommandSize is `size` (clamped to what the kind allows:
// create-VM at least ~150 bytes, status update at least ~40).
Command MakeCommand(uint64_t seed, bool create_vm, size_t size);
// `count` commands, 40% create-VM, sizes uniform in [50, 500].
std::vector<Command> MakeCommands(size_t count, uint64_t seed);
// `count` distinct 8-byte ids, as `threads` threads of one process made them.
std::vector<ProposalId> MakeProposalIds(size_t count, uint64_t seed,
                                        size_t threads = 4);
// The message mix, shuffled; `snapshots` snapshots of 256 KiB are added.
std::vector<raft::Message> MakeRaftMessageMix(uint64_t seed,
                                              size_t snapshots = 0);
// One random message of any type (tests).
raft::Message MakeRaftMessage(uint64_t seed);
// One random message of `type`.
raft::Message MakeRaftMessage(uint64_t seed, raft::MessageType type);

}  // namespace hotpath::proposal

#endif  // HOTPATH_COMMON_PROPOSAL_WORKLOAD_H_
