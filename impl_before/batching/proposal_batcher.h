// Proposal batching as the orchestrator had it (HOTPATHS.md, batching):
// every proposal's size is estimated by serialising its command into a
// scratch vector (+ id length + 64); queued proposals go into a vector that
// starts empty for every batch and grows; the flush serialises the batch
// into a fresh vector and proposes it under a 16-byte batch id through the
// pending-proposal map; once the batch's result arrives it is fanned out to
// every waiter, each getting its own copy (and its own copy of the error
// string). The entry is handed to the log as an owned buffer, as raft-rs
// takes the Vec, and freed once applied. The cut rule is
// common/proposal/batch_policy.h. Allocations per proposal (1600 proposals,
// 400 in flight; exact): 2 + (q + 3) / B for batches of B, where q is the
// queue vector's growths to B entries: the scratch serialisation and the
// proposal's oneshot; per batch the queue's growths, the entry, and the
// batch's oneshot and id copy in the pending map. Batches of 1: 6 (950
// bytes), of 16: 2.5 (806), of 100: 2.11 (820); a rejected batch adds a
// copy of the error text per waiter and one per batch (of 16: 3.56, of 100:
// 3.12).
#ifndef HOTPATH_IMPL_BEFORE_BATCHING_PROPOSAL_BATCHER_H_
#define HOTPATH_IMPL_BEFORE_BATCHING_PROPOSAL_BATCHER_H_

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "common/proposal/batch_policy.h"
#include "common/proposal/command.h"
#include "common/proposal/proposal_id.h"
#include "common/proposal/raft_log.h"
#include "impl_before/proposals/pending_proposals.h"
#include "impl_before/proposals/response.h"

namespace hotpath::batching::before {

using proposals::before::ProposalResult;
using proposals::before::Waiter;

// Thread-safe: proposers Add, a timer Polls, the applier Delivers.
class ProposalBatcher {
 public:
  // Batches go to `log` through `pending` under ids ForBatch(node_id, n),
  // n = 0, 1, ... in flush order. Both must outlive the batcher.
  ProposalBatcher(proposals::before::PendingProposals& pending,
                  proposal::InMemoryRaftLog& log, uint64_t node_id,
                  proposal::BatchLimits limits = {},
                  size_t expected_in_flight = 1024);

  // Queues a proposal and returns its waiter; flushes when a limit is hit.
  // `command` is borrowed (the original moved the proposal in): it must
  // stay alive until the batch holding it is flushed.
  Waiter Add(const proposal::ProposalId& id, const proposal::Command& command,
             proposal::TimePoint now);
  // Flushes the batch if its first proposal has waited max_delay.
  bool Poll(proposal::TimePoint now);
  // Flushes the batch if it is not empty.
  bool Flush();
  // Fans out the result of every flushed batch whose result has arrived, in
  // flush order. Returns how many waiters it completed.
  size_t DeliverResults();

  size_t QueuedCount() const;
  size_t InFlightBatches() const;

 private:
  struct Queued {
    proposal::ProposalId id;
    const proposal::Command* command;
    proposals::before::Sender sender;
  };
  struct InFlight {
    Waiter batch;
    std::vector<Queued> proposals;
  };

  bool FlushLocked();

  proposals::before::PendingProposals& pending_;
  proposal::InMemoryRaftLog& log_;
  const uint64_t node_id_;
  const proposal::BatchLimits limits_;
  proposals::before::ResponseChannels channels_;

  mutable std::mutex mu_;
  std::vector<Queued> queue_;
  size_t queued_bytes_ = 0;
  proposal::TimePoint first_queued_{};
  uint64_t next_sequence_ = 0;
  std::vector<InFlight> in_flight_;
};

}  // namespace hotpath::batching::before

#endif  // HOTPATH_IMPL_BEFORE_BATCHING_PROPOSAL_BATCHER_H_
