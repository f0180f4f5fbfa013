// The proposals pair's peer `absl_flat_hash_map`: the before
// (impl_before/proposals), the same response channels, lock and copies,
// with Abseil's SwissTable as the pending map where the before has its own
// simple flat map. hashbrown, behind Rust's HashMap, is a port of that
// table, so this peer checks that the before's hand-written map is not
// slower than what the original had. Keys are the id's heap copy, as in the
// before; lookups take the id's bytes (heterogeneous lookup, no copy).
// Per round trip, 3 allocations, as the before's: the channel, the id copy
// and the serialised entry. Debian's libabsl-dev (20220623) is built
// hardened (ABSL_OPTION_HARDENED): its bounds checks are part of the cost.
#ifndef HOTPATH_BENCHES_PEERS_ABSL_PROPOSALS_H_
#define HOTPATH_BENCHES_PEERS_ABSL_PROPOSALS_H_

#include <absl/container/flat_hash_map.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <span>
#include <vector>

#include "common/proposal/command.h"
#include "common/proposal/proposal_id.h"
#include "common/proposal/raft_log.h"
#include "common/wire/codec.h"
#include "impl_before/proposals/response.h"

namespace hotpath::proposals::absl_flat_hash_map {

using before::ProposalResult;
using before::ResponseChannels;
using before::Sender;
using before::Waiter;

// Thread-safe. Waiters must not outlive the PendingProposals that made them.
class PendingProposals {
 public:
  // The map starts empty, as the original's HashMap::new() did.
  explicit PendingProposals(size_t expected_in_flight = 1024);

  Waiter Propose(const proposal::ProposalId& id,
                 const proposal::Command& command,
                 proposal::InMemoryRaftLog& log);
  Waiter ProposeEntry(const proposal::ProposalId& id, wire::Bytes& entry,
                      proposal::InMemoryRaftLog& log);
  bool Apply(const proposal::ProposalId& id, ProposalResult result);
  size_t PendingCount() const;

 private:
  struct IdHash {
    using is_transparent = void;
    size_t operator()(std::span<const uint8_t> id) const;
  };
  struct IdEqual {
    using is_transparent = void;
    bool operator()(std::span<const uint8_t> a,
                    std::span<const uint8_t> b) const;
  };

  Waiter Register(const proposal::ProposalId& id);
  void HandToRaft(const proposal::ProposalId& id, wire::Bytes& entry,
                  proposal::InMemoryRaftLog& log);
  std::optional<Sender> Remove(const proposal::ProposalId& id);

  ResponseChannels channels_;
  mutable std::shared_mutex mu_;
  absl::flat_hash_map<std::vector<uint8_t>, Sender, IdHash, IdEqual> pending_;
};

}  // namespace hotpath::proposals::absl_flat_hash_map

#endif  // HOTPATH_BENCHES_PEERS_ABSL_PROPOSALS_H_
