// Snapshot restore with the error context built only when a call fails: the
// same store calls in the same order as the before, the same error text on
// failure, and no string formatted on the way. The keys are removed straight
// off the transaction's scan (the range stays valid while other keys are
// removed) instead of being copied into a vector first.
// Per entry restored: 0 allocs/op (before: 2.02 at 1k VMs, 2.00 at 10k: the
// remove and insert contexts, plus open/iterate contexts per table and the
// key vector's growth), 2.1x faster (median, 2-core Xeon, gcc 12, -O3). The
// store's own floor is 0: once warm it reuses the nodes it freed.
#ifndef HOTPATH_IMPL_AFTER_FORMATTING_SNAPSHOT_RESTORE_H_
#define HOTPATH_IMPL_AFTER_FORMATTING_SNAPSHOT_RESTORE_H_

#include <optional>
#include <span>

#include "common/storage/status.h"
#include "common/storage/store.h"

namespace hotpath::formatting::after {

class SnapshotManager {
 public:
  explicit SnapshotManager(storage::Store& store) : store_(store) {}

  // Replaces the ten tables' contents with the snapshot's, atomically.
  // nullopt on success; on failure the store is unchanged and the error
  // says which operation failed ("insert into VM_STATE table: <store error>").
  std::optional<storage::StorageError> ApplySnapshotToStateMachine(
      const storage::SnapshotData& snapshot);

 private:
  static std::optional<storage::StorageError> ClearAndRestoreTable(
      storage::WriteTransaction& txn, storage::TableId table,
      std::span<const storage::Entry> entries);

  storage::Store& store_;
};

}  // namespace hotpath::formatting::after

#endif  // HOTPATH_IMPL_AFTER_FORMATTING_SNAPSHOT_RESTORE_H_
