// Raft message processing policy (HOTPATHS.md, batching): messages fall in
// four priority classes drained in order (election, heartbeat, normal,
// snapshot), at most 32/64/16/4 per class per round; serialisation buffers
// come in tiers of 4 KiB, 64 KiB and 1 MiB. HOTPATHS.md also lists a size
// estimate (64 + append: 256 per entry, snapshot: 1 MiB, vote: 32,
// heartbeat: 16, other: 128); neither side uses it, since both size a
// message exactly (raft::SerializedSize) before writing it, as prost's
// encode_to_vec does, and the estimate is wrong by up to 20x (an append of
// 5 entries of 1-5 KiB is estimated at 1.3 KiB). Shared so both sides send
// the same messages in the same order.
#ifndef HOTPATH_COMMON_PROPOSAL_MESSAGE_PRIORITY_H_
#define HOTPATH_COMMON_PROPOSAL_MESSAGE_PRIORITY_H_

#include <array>
#include <cstddef>
#include <cstdint>

#include "common/raft/message.h"

namespace hotpath::proposal {

enum class PriorityClass : uint8_t {
  kElection,
  kHeartbeat,
  kNormal,
  kSnapshot
};
inline constexpr size_t kPriorityClassCount = 4;
// Per-round drain limit, indexed by PriorityClass.
inline constexpr std::array<size_t, kPriorityClassCount> kDrainBatch = {32, 64,
                                                                        16, 4};
inline constexpr std::array<size_t, 3> kBufferTiers = {
    size_t{4} << 10, size_t{64} << 10, size_t{1} << 20};

PriorityClass Classify(raft::MessageType type);
// Index into kBufferTiers of the smallest tier holding `size` bytes, or
// kBufferTiers.size() when none does.
size_t BufferTier(size_t size);

}  // namespace hotpath::proposal

#endif  // HOTPATH_COMMON_PROPOSAL_MESSAGE_PRIORITY_H_
