// The proposal batcher's policy (HOTPATHS.md, batching): a batch is flushed
// at 100 proposals, at 1 MiB of estimated size, or 10 ms after its first
// proposal. A proposal's size estimate is its serialised command + its id
// length + 64. Both sides apply the same rule, so they cut identical batches:
//   before queueing: if the batch is not empty and bytes + estimate would
//                    pass max_bytes, flush it;
//   after queueing:  if count reaches max_proposals or bytes reach
//                    max_bytes, flush it;
//   on Poll(now):    if the batch is not empty and now - first >= max_delay,
//                    flush it.
#ifndef HOTPATH_COMMON_PROPOSAL_BATCH_POLICY_H_
#define HOTPATH_COMMON_PROPOSAL_BATCH_POLICY_H_

#include <chrono>
#include <cstddef>

#include "common/proposal/proposal_id.h"

namespace hotpath::proposal {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

inline constexpr size_t kProposalSizeOverhead = 64;

struct BatchLimits {
  size_t max_proposals = 100;
  size_t max_bytes = size_t{1} << 20;
  Clock::duration max_delay = std::chrono::milliseconds(10);
};

// The estimate for a proposal whose command serialises to `command_bytes`.
inline size_t EstimateProposalSize(size_t command_bytes, const ProposalId& id) {
  return command_bytes + id.size() + kProposalSizeOverhead;
}

}  // namespace hotpath::proposal

#endif  // HOTPATH_COMMON_PROPOSAL_BATCH_POLICY_H_
