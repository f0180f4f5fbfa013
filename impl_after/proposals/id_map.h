// A flat open-addressing map keyed by ProposalId (ids are at most 16 bytes
// and held inline, so a key is two words and a length; nothing is copied to
// the heap). Linear probing at a load factor of at most 1/2, with
// backward-shift deletion, so there are no tombstones and a map that is
// filled and emptied forever never rehashes. Reserved for the expected
// number in flight; past that it doubles (an amortised allocation).
// Not thread-safe: PendingProposals guards it.
#ifndef HOTPATH_IMPL_AFTER_PROPOSALS_ID_MAP_H_
#define HOTPATH_IMPL_AFTER_PROPOSALS_ID_MAP_H_

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "common/proposal/proposal_id.h"

namespace hotpath::proposals::after {

template <typename Value>
class IdMap {
 public:
  explicit IdMap(size_t expected) {
    slots_.resize(std::bit_ceil(std::max<size_t>(2 * expected, 16)));
    mask_ = slots_.size() - 1;
  }

  size_t size() const { return size_; }

  // Inserts, or replaces and moves the previous value into `replaced`.
  // Returns true if it replaced one.
  bool InsertOrAssign(const proposal::ProposalId& id, Value&& value,
                      Value& replaced) {
    if (2 * (size_ + 1) > slots_.size()) Grow();
    for (size_t i = Home(id);; i = (i + 1) & mask_) {
      Slot& slot = slots_[i];
      if (!slot.used) {
        slot.key = id;
        slot.value = std::move(value);
        slot.used = true;
        ++size_;
        return false;
      }
      if (slot.key == id) {
        replaced = std::exchange(slot.value, std::move(value));
        return true;
      }
    }
  }

  // Removes `id`, moving its value into `out`; false if absent.
  bool Erase(const proposal::ProposalId& id, Value& out) {
    for (size_t i = Home(id);; i = (i + 1) & mask_) {
      Slot& slot = slots_[i];
      if (!slot.used) return false;
      if (slot.key == id) {
        out = std::move(slot.value);
        ShiftBack(i);
        --size_;
        return true;
      }
    }
  }

 private:
  struct Slot {
    proposal::ProposalId key;
    bool used = false;
    Value value;
  };

  size_t Home(const proposal::ProposalId& id) const {
    // Single ids are hashes already, batch ids are (node, sequence): one
    // multiply-xorshift spreads both.
    uint64_t h = id.low() ^ std::rotl(id.high(), 29) ^ id.size();
    h *= 0x9e3779b97f4a7c15ULL;
    return static_cast<size_t>(h ^ (h >> 32)) & mask_;
  }

  // Closes the gap at `hole` by moving back later members of its cluster
  // that may live there.
  void ShiftBack(size_t hole) {
    for (size_t j = (hole + 1) & mask_;; j = (j + 1) & mask_) {
      Slot& slot = slots_[j];
      if (!slot.used) break;
      const size_t home = Home(slot.key);
      // Movable if its home is not in the (cyclic) range (hole, j].
      const bool home_in_range =
          hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
      if (home_in_range) continue;
      slots_[hole].key = slot.key;
      slots_[hole].value = std::move(slot.value);
      hole = j;
    }
    slots_[hole].used = false;
    slots_[hole].value = Value();
  }

  void Grow() {
    std::vector<Slot> old =
        std::exchange(slots_, std::vector<Slot>(2 * slots_.size()));
    mask_ = slots_.size() - 1;
    size_ = 0;
    for (Slot& slot : old) {
      if (!slot.used) continue;
      Value unused;
      InsertOrAssign(slot.key, std::move(slot.value), unused);
    }
  }

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace hotpath::proposals::after

#endif  // HOTPATH_IMPL_AFTER_PROPOSALS_ID_MAP_H_
