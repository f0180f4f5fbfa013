// Snapshot restore as the orchestrator wrote it (HOTPATHS.md, formatting):
// one transaction over the ten tables; per table the keys are copied out,
// removed one by one, and the snapshot's entries inserted. Every store call
// is handed its error context, formatted before the call whether or not it
// fails: "open <T> table" and "iterate <T> table" once per table,
// "remove from <T> table" per key and "insert into <T> table" per entry.
// Each of those is longer than std::string's 15-character inline buffer, so
// each one allocates. Decoding the snapshot is the caller's and not measured.
#ifndef HOTPATH_IMPL_BEFORE_FORMATTING_SNAPSHOT_RESTORE_H_
#define HOTPATH_IMPL_BEFORE_FORMATTING_SNAPSHOT_RESTORE_H_

#include <optional>
#include <span>

#include "common/storage/status.h"
#include "common/storage/store.h"

namespace hotpath::formatting::before {

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

}  // namespace hotpath::formatting::before

#endif  // HOTPATH_IMPL_BEFORE_FORMATTING_SNAPSHOT_RESTORE_H_
