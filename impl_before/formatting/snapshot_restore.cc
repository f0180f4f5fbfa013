// NOLINTBEGIN(performance-*): slow on purpose, as the orchestrator wrote it.
#include "impl_before/formatting/snapshot_restore.h"

#include <fmt/format.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hotpath::formatting::before {

using storage::Status;
using storage::StorageError;
using storage::TableId;

namespace {

// The orchestrator's `storage_context`: the context is an argument, so it
// has been built by the time the call's result is looked at.
std::optional<StorageError> StorageContext(Status status,
                                           std::string_view operation) {
  if (status.ok()) return std::nullopt;
  return StorageError{std::string(operation), std::move(status).message()};
}

}  // namespace

std::optional<StorageError> SnapshotManager::ApplySnapshotToStateMachine(
    const storage::SnapshotData& snapshot) {
  storage::WriteTransaction txn(store_);
  if (auto error = StorageContext(txn.Begin(), "begin snapshot transaction")) {
    return error;
  }
  for (size_t i = 0; i < storage::kTableCount; ++i) {
    const TableId table = storage::TableAt(i);
    if (auto error = ClearAndRestoreTable(txn, table, snapshot[table])) {
      return error;
    }
  }
  return StorageContext(txn.Commit(), "commit snapshot transaction");
}

std::optional<StorageError> SnapshotManager::ClearAndRestoreTable(
    storage::WriteTransaction& txn, TableId table,
    std::span<const storage::Entry> entries) {
  const std::string_view name = storage::TableName(table);
  if (auto error = StorageContext(txn.OpenTable(table),
                                  fmt::format("open {} table", name))) {
    return error;
  }

  storage::KeyRange range;
  if (auto error = StorageContext(txn.Keys(table, &range),
                                  fmt::format("iterate {} table", name))) {
    return error;
  }
  std::vector<std::string> keys_to_remove;
  for (const auto& [key, value] : range) keys_to_remove.push_back(key);
  for (const std::string& key : keys_to_remove) {
    if (auto error =
            StorageContext(txn.Remove(table, key),
                           fmt::format("remove from {} table", name))) {
      return error;
    }
  }

  for (const storage::Entry& entry : entries) {
    if (auto error =
            StorageContext(txn.Insert(table, entry.key, entry.value),
                           fmt::format("insert into {} table", name))) {
      return error;
    }
  }
  return std::nullopt;
}

}  // namespace hotpath::formatting::before
// NOLINTEND(performance-*)
