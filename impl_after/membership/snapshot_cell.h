// A pointer to an immutable snapshot that readers use without any lock
// (read-copy-update), freed safely with hazard pointers.
//
// Readers announce the snapshot they are about to read in a per-thread
// hazard slot, check the cell still points at it, read, and clear the slot:
// two atomic stores and two loads, all on memory no other reader writes, so
// readers neither block nor bounce a shared cache line. Writers, serialised
// by the caller's lock, publish a new snapshot, retire the old one and then
// free every retired snapshot no hazard slot names.
//
// Why not std::atomic<std::shared_ptr>: libstdc++ 12 guards it with a spin
// bit in the control word, so every load is a lock acquisition plus two
// reference-count updates on one cache line that all readers share; its
// is_lock_free() is false. That would hide a lock from the lock counters.
//
// Reads may nest (a visitor that reads again) up to kHazardSlots deep per
// thread; deeper nesting is a programming error and aborts.
#ifndef HOTPATH_IMPL_AFTER_MEMBERSHIP_SNAPSHOT_CELL_H_
#define HOTPATH_IMPL_AFTER_MEMBERSHIP_SNAPSHOT_CELL_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

namespace hotpath::membership::after {

namespace hazard {

inline constexpr size_t kHazardSlots = 4;

// One per thread that ever read, kept in a process-wide list that only
// grows; a record is reused by a later thread once its owner exits.
struct alignas(64) Record {
  std::array<std::atomic<const void*>, kHazardSlots> slots{};
  std::atomic<bool> owned{false};
  Record* next = nullptr;  // set before the record is published
  size_t depth = 0;        // the owner thread's nesting depth
};

// The calling thread's record, claimed on first use. The fast path is a
// plain thread_local pointer (no TLS wrapper, no guard).
inline thread_local Record* tls_record = nullptr;
Record& ClaimForThisThread();
inline Record& ThisThreadRecord() {
  Record* r = tls_record;
  if (r != nullptr) [[likely]] {
    return *r;
  }
  return ClaimForThisThread();
}
// True when any thread's hazard slot names `p`.
bool IsProtected(const void* p);
[[noreturn]] void NestedTooDeep();

}  // namespace hazard

template <typename T>
class SnapshotCell {
 public:
  explicit SnapshotCell(std::unique_ptr<const T> initial)
      : current_(initial.release()) {
    // Retired snapshots outlive a write only while a reader holds them, so a
    // few slots suffice; reserving keeps writes from allocating for them.
    retired_.reserve(64);
  }
  SnapshotCell(const SnapshotCell&) = delete;
  SnapshotCell& operator=(const SnapshotCell&) = delete;
  // No reader may be inside Read() any more.
  ~SnapshotCell() { delete current_.load(std::memory_order_acquire); }

  // Calls f(const T&) on the current snapshot without taking a lock and
  // returns what f returns. The snapshot stays valid until f returns.
  template <typename F>
  decltype(auto) Read(F&& f) const {
    hazard::Record& record = hazard::ThisThreadRecord();
    if (record.depth == hazard::kHazardSlots) hazard::NestedTooDeep();
    std::atomic<const void*>& slot = record.slots[record.depth];
    const T* p = current_.load(std::memory_order_acquire);
    for (;;) {
      // The store must be visible before the re-check (seq_cst on both):
      // a writer that retired p after our load then sees our hazard.
      slot.store(p, std::memory_order_seq_cst);
      const T* again = current_.load(std::memory_order_seq_cst);
      if (again == p) break;
      p = again;
    }
    ++record.depth;
    const Release release{record, slot};
    return std::forward<F>(f)(*p);
  }

  // The current snapshot, for a writer holding the writers' lock.
  const T& Current() const { return *current_.load(std::memory_order_relaxed); }

  // Replaces the snapshot and retires the old one; Reclaim() frees it.
  // Writers must be serialised by the caller.
  void Publish(std::unique_ptr<const T> next) {
    const T* old = current_.exchange(next.release(), std::memory_order_seq_cst);
    retired_.emplace_back(old);
  }

  // Frees the retired snapshots no reader names; anything still named waits
  // for a later write (or the destructor). Apart from Publish so that a
  // caller can publish inside a short critical window and free after it.
  void Reclaim() {
    std::erase_if(retired_, [](const std::unique_ptr<const T>& r) {
      return !hazard::IsProtected(r.get());
    });
  }

 private:
  struct Release {
    hazard::Record& record;
    std::atomic<const void*>& slot;
    Release(hazard::Record& r, std::atomic<const void*>& s)
        : record(r), slot(s) {}
    Release(const Release&) = delete;
    Release& operator=(const Release&) = delete;
    ~Release() {
      slot.store(nullptr, std::memory_order_release);
      --record.depth;
    }
  };

  std::atomic<const T*> current_;
  std::vector<std::unique_ptr<const T>> retired_;  // writers only
};

}  // namespace hotpath::membership::after

#endif  // HOTPATH_IMPL_AFTER_MEMBERSHIP_SNAPSHOT_CELL_H_
