#include "impl_after/formatting/snapshot_restore.h"

#include <fmt/format.h>

#include <string>
#include <string_view>
#include <utility>

namespace hotpath::formatting::after {

using storage::Status;
using storage::StorageError;
using storage::TableId;

namespace {

enum class Step { kOpen, kIterate, kRemove, kInsert };

// The context the before formats up front, formatted here only on failure.
[[gnu::cold]] StorageError TableError(Step step, TableId table, Status status) {
  const std::string_view name = storage::TableName(table);
  std::string operation;
  switch (step) {
    case Step::kOpen:
      operation = fmt::format("open {} table", name);
      break;
    case Step::kIterate:
      operation = fmt::format("iterate {} table", name);
      break;
    case Step::kRemove:
      operation = fmt::format("remove from {} table", name);
      break;
    case Step::kInsert:
      operation = fmt::format("insert into {} table", name);
      break;
  }
  return StorageError{std::move(operation), std::move(status).message()};
}

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
  if (Status s = txn.OpenTable(table); !s.ok()) [[unlikely]] {
    return TableError(Step::kOpen, table, std::move(s));
  }

  storage::KeyRange range;
  if (Status s = txn.Keys(table, &range); !s.ok()) [[unlikely]] {
    return TableError(Step::kIterate, table, std::move(s));
  }
  for (auto it = range.begin(); it != range.end();) {
    const std::string& key = it->first;
    ++it;  // before `key`'s entry leaves the table
    if (Status s = txn.Remove(table, key); !s.ok()) [[unlikely]] {
      return TableError(Step::kRemove, table, std::move(s));
    }
  }

  for (const storage::Entry& entry : entries) {
    if (Status s = txn.Insert(table, entry.key, entry.value); !s.ok())
        [[unlikely]] {
      return TableError(Step::kInsert, table, std::move(s));
    }
  }
  return std::nullopt;
}

}  // namespace hotpath::formatting::after
