#include "impl_after/membership/snapshot_cell.h"

#include <cstdio>
#include <cstdlib>

namespace hotpath::membership::after::hazard {
namespace {

std::atomic<Record*> g_records{nullptr};

Record* Claim() {
  for (Record* r = g_records.load(std::memory_order_acquire); r != nullptr;
       r = r->next) {
    bool expected = false;
    if (!r->owned.load(std::memory_order_relaxed) &&
        r->owned.compare_exchange_strong(expected, true,
                                         std::memory_order_acquire)) {
      return r;
    }
  }
  // Records are never freed: their number is the peak thread count.
  auto* r = new Record;
  r->owned.store(true, std::memory_order_relaxed);
  Record* head = g_records.load(std::memory_order_relaxed);
  do {
    r->next = head;
  } while (!g_records.compare_exchange_weak(head, r, std::memory_order_release,
                                            std::memory_order_relaxed));
  return r;
}

// Hands the record back when its thread exits. Only the slow path touches
// this object, so the fast path reads a plain thread_local pointer.
struct Owner {
  Record* record = nullptr;
  Owner() = default;
  Owner(const Owner&) = delete;
  Owner& operator=(const Owner&) = delete;
  ~Owner() {
    if (record == nullptr) return;
    record->depth = 0;
    record->owned.store(false, std::memory_order_release);
  }
};

}  // namespace

Record& ClaimForThisThread() {
  thread_local Owner owner;
  owner.record = Claim();
  tls_record = owner.record;
  return *owner.record;
}

bool IsProtected(const void* p) {
  for (const Record* r = g_records.load(std::memory_order_acquire);
       r != nullptr; r = r->next) {
    for (const auto& slot : r->slots) {
      if (slot.load(std::memory_order_seq_cst) == p) return true;
    }
  }
  return false;
}

void NestedTooDeep() {
  std::fputs("SnapshotCell: reads nested deeper than kHazardSlots\n", stderr);
  std::abort();
}

}  // namespace hotpath::membership::after::hazard
