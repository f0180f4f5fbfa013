// Serialisation buffers lent in the tiers HOTPATHS.md gives for Raft message
// processing: 4 KiB, 64 KiB and 1 MiB. Acquire lends an idle buffer of the
// smallest tier holding the size asked, or reserves a new one; the buffer
// comes back when its last holder drops it (the transport, once it has
// written it), from any thread, and stays for reuse while its tier keeps
// fewer than kKeep idle. A warm pool therefore allocates nothing while the
// transport holds at most kKeep buffers of a tier at once (a drain round
// sends at most 116 messages, of which at most 20 appends or snapshots);
// past that, and for messages over 1 MiB, a buffer is a fresh allocation,
// freed by its holder. One mutex guards the free lists, taken once to lend
// and once to take back: uncontended unless the Raft loop and the writer
// meet, and nothing is allocated under it.
#ifndef HOTPATH_IMPL_AFTER_BATCHING_BUFFER_POOL_H_
#define HOTPATH_IMPL_AFTER_BATCHING_BUFFER_POOL_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "common/proposal/message_priority.h"
#include "common/wire/codec.h"
#include "common/wire/owned_bytes.h"

namespace hotpath::batching::after {

class BufferPool final : public wire::Recycler {
 public:
  static constexpr size_t kTierCount = proposal::kBufferTiers.size();
  // Idle buffers kept per tier: 512 KiB, 2 MiB and 4 MiB at most.
  static constexpr std::array<size_t, kTierCount> kKeep = {128, 32, 4};

  BufferPool();
  // Every lent buffer must have come back (checked in debug builds).
  ~BufferPool();
  BufferPool(const BufferPool&) = delete;
  BufferPool& operator=(const BufferPool&) = delete;

  // An empty buffer with capacity for at least `size` bytes: lent from a
  // tier, or, past the largest tier, a plain buffer of exactly `size`.
  wire::OwnedBytes Acquire(size_t size);
  void Recycle(wire::Bytes&& bytes) noexcept override;

  // Tier buffers reserved anew because their tier had none idle.
  uint64_t fresh() const;
  size_t idle(size_t tier) const;
  size_t lent() const;

 private:
  mutable std::mutex mu_;
  std::array<std::vector<wire::Bytes>, kTierCount> idle_;
  size_t lent_ = 0;
  uint64_t fresh_ = 0;
};

}  // namespace hotpath::batching::after

#endif  // HOTPATH_IMPL_AFTER_BATCHING_BUFFER_POOL_H_
