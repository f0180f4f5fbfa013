// How a proposal ended, as its waiter sees it. The result types themselves
// live on each side (the naive one owns its error string, the optimised one
// shares it); the statuses and fixed error texts are shared so both sides
// answer with the same words.
#ifndef HOTPATH_COMMON_PROPOSAL_RESULT_H_
#define HOTPATH_COMMON_PROPOSAL_RESULT_H_

#include <cstdint>
#include <string_view>

namespace hotpath::proposal {

enum class ProposalStatus : uint8_t {
  kApplied,        // committed and applied; log_index is its entry
  kNotLeader,      // this node could not hand it to Raft
  kRejected,       // applied, but the state machine returned an error
  kChannelClosed,  // the sender was dropped (its id was proposed again)
};

inline constexpr std::string_view kNotLeaderError = "not leader";
inline constexpr std::string_view kChannelClosedError = "channel closed";

constexpr std::string_view StatusName(ProposalStatus status) {
  switch (status) {
    case ProposalStatus::kApplied:
      return "applied";
    case ProposalStatus::kNotLeader:
      return "not_leader";
    case ProposalStatus::kRejected:
      return "rejected";
    case ProposalStatus::kChannelClosed:
      return "channel_closed";
  }
  return "unknown";
}

}  // namespace hotpath::proposal

#endif  // HOTPATH_COMMON_PROPOSAL_RESULT_H_
