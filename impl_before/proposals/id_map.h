// A flat open-addressing map keyed by a heap copy of the id's bytes, as the
// original's HashMap<Vec<u8>, Sender> is: hashbrown keeps its entries in one
// array (no node per entry), and each key is the cloned Vec, the id's one
// allocation. Linear probing at a load factor of at most 1/2, with
// backward-shift deletion, so there are no tombstones and a map that is
// filled and emptied forever never rehashes. Each slot keeps its key's hash,
// as hashbrown's control bytes keep part of it, so deletion and growth
// never hash a key again. Starts empty and doubles as it fills, as
// HashMap::new() does; it never shrinks.
// Not thread-safe: PendingProposals guards it.
#ifndef HOTPATH_IMPL_BEFORE_PROPOSALS_ID_MAP_H_
#define HOTPATH_IMPL_BEFORE_PROPOSALS_ID_MAP_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

namespace hotpath::proposals::before {

template <typename Value>
class IdMap {
 public:
  IdMap() = default;

  size_t size() const { return size_; }

  // Inserts, or replaces and moves the previous value into `replaced`
  // (keeping the stored key, as HashMap::insert does). Returns true if it
  // replaced one.
  bool InsertOrAssign(std::vector<uint8_t>&& key, Value&& value,
                      Value& replaced) {
    if (2 * (size_ + 1) > slots_.size()) Grow();
    const size_t hash = Hash(key);
    for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
      Slot& slot = slots_[i];
      if (!slot.used) {
        slot.key = std::move(key);
        slot.hash = hash;
        slot.value = std::move(value);
        slot.used = true;
        ++size_;
        return false;
      }
      if (slot.hash == hash && Equal(slot.key, key)) {
        replaced = std::exchange(slot.value, std::move(value));
        return true;
      }
    }
  }

  // Removes `id`, moving its value into `out`; false if absent.
  bool Erase(std::span<const uint8_t> id, Value& out) {
    if (size_ == 0) return false;
    const size_t hash = Hash(id);
    for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
      Slot& slot = slots_[i];
      if (!slot.used) return false;
      if (slot.hash == hash && Equal(slot.key, id)) {
        out = std::move(slot.value);
        ShiftBack(i);
        --size_;
        return true;
      }
    }
  }

 private:
  struct Slot {
    std::vector<uint8_t> key;
    size_t hash = 0;
    bool used = false;
    Value value;
  };

  static size_t Hash(std::span<const uint8_t> id) {
    return std::hash<std::string_view>{}(
        {reinterpret_cast<const char*>(id.data()), id.size()});
  }
  static bool Equal(std::span<const uint8_t> a, std::span<const uint8_t> b) {
    return std::ranges::equal(a, b);
  }

  // Closes the gap at `hole` by moving back later members of its cluster
  // that may live there; the removed key is freed (the Vec dropped).
  void ShiftBack(size_t hole) {
    for (size_t j = (hole + 1) & mask_;; j = (j + 1) & mask_) {
      Slot& slot = slots_[j];
      if (!slot.used) break;
      const size_t home = slot.hash & mask_;
      // Movable if its home is not in the (cyclic) range (hole, j].
      const bool home_in_range =
          hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
      if (home_in_range) continue;
      slots_[hole].key = std::move(slot.key);
      slots_[hole].hash = slot.hash;
      slots_[hole].value = std::move(slot.value);
      hole = j;
    }
    slots_[hole].used = false;
    slots_[hole].key = std::vector<uint8_t>();
    slots_[hole].value = Value();
  }

  void Grow() {
    std::vector<Slot> old = std::exchange(
        slots_, std::vector<Slot>(std::max<size_t>(2 * slots_.size(), 16)));
    mask_ = slots_.size() - 1;
    for (Slot& slot : old) {
      if (!slot.used) continue;
      for (size_t i = slot.hash & mask_;; i = (i + 1) & mask_) {
        if (slots_[i].used) continue;
        slots_[i] = std::move(slot);
        break;
      }
    }
  }

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace hotpath::proposals::before

#endif  // HOTPATH_IMPL_BEFORE_PROPOSALS_ID_MAP_H_
