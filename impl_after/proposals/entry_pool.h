// Log-entry buffers lent to proposers and taken back from the log's applier.
// The proposer asks for the entry's exact size (computed first, as the
// before's serialiser does), gets an empty buffer of the power-of-two size
// class holding it (128 B to 2 MiB), serialises into it and hands it to the
// log as a wire::OwnedBytes; when the applier has applied the entry the log
// drops it, which hands the buffer back here, from the applier's thread. A
// class keeps at most min(keep, 4 MiB / class size) idle buffers (at least
// one), so the pool holds at most 4 MiB idle per class; a buffer coming back
// to a full class is freed. A warm pool therefore allocates nothing while
// the log holds no more unapplied entries of a class than it keeps. Floors:
// an entry over 2 MiB is a plain buffer of its size, freed by the log, and
// so is every buffer past what its class keeps idle (a log that lags its
// proposers by more than `keep` entries). One mutex guards the free lists,
// taken once to lend and once to take back; nothing is allocated under it
// but the growth of a free list, which stops once the pool is warm.
// Buffers may outlive the pool: one that comes back after the pool is gone
// is freed by its holder.
#ifndef HOTPATH_IMPL_AFTER_PROPOSALS_ENTRY_POOL_H_
#define HOTPATH_IMPL_AFTER_PROPOSALS_ENTRY_POOL_H_

#include <cstddef>
#include <cstdint>

#include "common/wire/owned_bytes.h"

namespace hotpath::proposals::after {

class EntryPool {
 public:
  static constexpr size_t kMinClass = 7;   // 128 B
  static constexpr size_t kMaxClass = 21;  // 2 MiB
  static constexpr size_t kIdleBytesPerClass = size_t{4} << 20;

  // Keeps at most `keep` idle buffers per size class (see above).
  explicit EntryPool(size_t keep);
  // Frees the idle buffers; buffers still lent are freed by their holders.
  ~EntryPool();
  EntryPool(const EntryPool&) = delete;
  EntryPool& operator=(const EntryPool&) = delete;

  // An empty buffer with capacity for at least `size` bytes, lent by the
  // pool (a plain one past kMaxClass).
  wire::OwnedBytes Acquire(size_t size);

  // How many idle buffers the class holding `size` keeps at most.
  size_t keep_for(size_t size) const;
  // Buffers reserved anew because their class had none idle.
  uint64_t fresh() const;
  // Idle buffers of the class holding `size`, and of every class.
  size_t idle(size_t size) const;
  size_t idle() const;
  // Lent and not yet back.
  size_t lent() const;

 private:
  class Core;
  Core* core_;
};

}  // namespace hotpath::proposals::after

#endif  // HOTPATH_IMPL_AFTER_PROPOSALS_ENTRY_POOL_H_
