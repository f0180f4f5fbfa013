// Pending proposals with integer-width ids, a reserved map, pooled entry
// buffers and pooled response channels. Ids stay inline (16 bytes) as keys
// of a flat open-addressing map reserved for the number in flight; the
// response channel is a slot from a preallocated pool instead of a fresh
// block; a proposal is serialised, as before, into a buffer of exactly its
// size, but one lent by an entry pool (entry_pool.h) and handed to the log
// as an owned buffer, as raft-rs's propose takes the Vec: the log's applier
// drops it once applied, which hands it back. A plain mutex replaces the
// reader/writer lock: every path here writes. Same locking steps on the
// map as before (register, then on "not leader" lock again to roll back),
// same entries, same answers; the entry pool adds its own mutex, taken once
// to lend the buffer and once when the applier hands it back (std::mutex,
// so not in lock_acquisitions_per_op, which counts common/sync's locks).
// Counted per proposal (gcc 12, -O3, exact): a propose-apply round trip at 1 to
// 1000 in flight, the not-leader rollback and two threads sharing the map: 3 ->
// 0 allocations, 456 -> 0 bytes. Floor: an entry over 2 MiB is a plain buffer
// (one allocation), and so is every entry past what the pool keeps idle per
// size class (expected_in_flight, at most 4 MiB), that is, when the log lags
// its proposers by more.
#ifndef HOTPATH_IMPL_AFTER_PROPOSALS_PENDING_PROPOSALS_H_
#define HOTPATH_IMPL_AFTER_PROPOSALS_PENDING_PROPOSALS_H_

#include <cstddef>
#include <cstdint>
#include <mutex>

#include "common/proposal/command.h"
#include "common/proposal/proposal_id.h"
#include "common/proposal/raft_log.h"
#include "common/wire/codec.h"
#include "common/wire/owned_bytes.h"
#include "impl_after/proposals/entry_pool.h"
#include "impl_after/proposals/id_map.h"
#include "impl_after/proposals/response.h"

namespace hotpath::proposals::after {

// Thread-safe. Waiters must not outlive the PendingProposals that made them.
class PendingProposals {
 public:
  // Reserves the map and the channel pool for `expected_in_flight`.
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
  // Where Propose's entries come from (tests watch them come back).
  const EntryPool& entry_pool() const { return entries_; }

 private:
  Waiter Register(const proposal::ProposalId& id);
  void HandToRaft(const proposal::ProposalId& id, wire::OwnedBytes entry,
                  proposal::InMemoryRaftLog& log);
  Sender Remove(const proposal::ProposalId& id);

  ResponseChannels channels_;
  EntryPool entries_;  // Propose's entries
  mutable std::mutex mu_;
  IdMap<Sender> pending_;
};

}  // namespace hotpath::proposals::after

#endif  // HOTPATH_IMPL_AFTER_PROPOSALS_PENDING_PROPOSALS_H_
