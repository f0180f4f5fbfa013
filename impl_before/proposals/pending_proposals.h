// The pending-proposal map as the orchestrator had it (HOTPATHS.md,
// proposals): byte-vector id -> response sender behind a reader/writer lock.
// Propose write-locks, inserts a copy of the id, serialises into a fresh
// vector of exactly the entry's size and hands the vector itself to Raft
// (the log frees it once applied, or at once if it refuses it); if this
// node is not the leader it locks again, removes the id and answers "not
// leader". Apply write-locks, removes by id and sends the result. Per round
// trip, 3 allocations, as the original's: the response channel (one block,
// as tokio's oneshot), the id copy (the map's key, id.clone()) and the
// serialised entry (456 bytes in all on the benchmark's mix). The map is flat
// (id_map.h, as Rust's HashMap): no node per entry, and no allocation once it
// has grown to the number in flight. The peers under benches/peers/ keep two
// other choices visible: std::promise with std::unordered_map (std_promise,
// 5 allocations) and absl::flat_hash_map as the map (absl_flat_hash_map).
#ifndef HOTPATH_IMPL_BEFORE_PROPOSALS_PENDING_PROPOSALS_H_
#define HOTPATH_IMPL_BEFORE_PROPOSALS_PENDING_PROPOSALS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <vector>

#include "common/proposal/command.h"
#include "common/proposal/proposal_id.h"
#include "common/proposal/raft_log.h"
#include "common/wire/codec.h"
#include "common/wire/owned_bytes.h"
#include "impl_before/proposals/id_map.h"
#include "impl_before/proposals/response.h"

namespace hotpath::proposals::before {

// Thread-safe. Waiters must not outlive the PendingProposals that made them.
class PendingProposals {
 public:
  // The map starts empty, as the original's HashMap::new() did.
  explicit PendingProposals(size_t expected_in_flight = 1024);

  // Registers `id`, writes a single-proposal entry for `command` and hands
  // it to `log`. On "not leader" the waiter is answered at once. Proposing
  // an id that is still pending replaces it: the older waiter reads
  // kChannelClosed.
  Waiter Propose(const proposal::ProposalId& id,
                 const proposal::Command& command,
                 proposal::InMemoryRaftLog& log);
  // The same for an entry serialised by the caller (a batch), handed over
  // as raft-rs takes the Vec.
  Waiter ProposeEntry(const proposal::ProposalId& id, wire::OwnedBytes entry,
                      proposal::InMemoryRaftLog& log);
  // Completes the waiter of `id` with `result`; false if `id` is not pending.
  bool Apply(const proposal::ProposalId& id, ProposalResult result);
  size_t PendingCount() const;

 private:
  Waiter Register(const proposal::ProposalId& id);
  void HandToRaft(const proposal::ProposalId& id, wire::OwnedBytes entry,
                  proposal::InMemoryRaftLog& log);
  std::optional<Sender> Remove(const proposal::ProposalId& id);

  ResponseChannels channels_;
  mutable std::shared_mutex mu_;
  IdMap<Sender> pending_;
};

}  // namespace hotpath::proposals::before

#endif  // HOTPATH_IMPL_BEFORE_PROPOSALS_PENDING_PROPOSALS_H_
