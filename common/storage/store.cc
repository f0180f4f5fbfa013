#include "common/storage/store.h"

#include <cassert>
#include <ranges>
#include <utility>

namespace hotpath::storage {

std::string_view TableName(TableId table) {
  static constexpr std::array<std::string_view, kTableCount> kNames = {
      "VM_STATE",      "CLUSTER_STATE", "TASK",          "TASK_ASSIGNMENT",
      "TASK_RESULT",   "WORKER",        "WORKER_STATUS", "IP_POOL",
      "IP_ALLOCATION", "VM_IP_MAPPING"};
  return kNames[Index(table)];
}

size_t SnapshotData::EntryCount() const {
  size_t count = 0;
  for (const auto& entries : tables) count += entries.size();
  return count;
}

void Store::FailOperation(uint64_t n, std::string message) {
  fail_at_ = operations_ + n;
  failure_message_ = std::move(message);
}

Status Store::Check() {
  ++operations_;
  if (fail_at_ != 0 && operations_ == fail_at_) {
    fail_at_ = 0;
    return Status::Error(failure_message_);
  }
  return {};
}

void Store::Release(TableId t, Table::node_type node) {
  auto& free = free_[Index(t)];
  size_t& head = free_head_[Index(t)];
  if (head > 0) {
    // Drop the consumed (empty) handles so the list does not creep.
    free.erase(free.begin(), free.begin() + static_cast<std::ptrdiff_t>(head));
    head = 0;
  }
  free.push_back(std::move(node));
}

WriteTransaction::~WriteTransaction() {
  if (active_) Rollback();
}

Status WriteTransaction::Begin() {
  assert(!active_ && !store_.in_transaction_);
  Status status = store_.Check();
  if (!status.ok()) return status;
  active_ = true;
  store_.in_transaction_ = true;
  return status;
}

Status WriteTransaction::OpenTable(TableId /*t*/) {
  assert(active_);
  return store_.Check();
}

Status WriteTransaction::Keys(TableId t, KeyRange* range) {
  assert(active_);
  Status status = store_.Check();
  if (!status.ok()) return status;
  const Table& table = store_.tables_[Index(t)];
  *range = KeyRange{table.begin(), table.end()};
  return status;
}

Status WriteTransaction::Remove(TableId t, std::string_view key) {
  assert(active_);
  Status status = store_.Check();
  if (!status.ok()) return status;
  Table& table = store_.tables_[Index(t)];
  const auto it = table.find(key);
  if (it == table.end()) return status;
  store_.undo_.push_back({t, false, nullptr, table.extract(it)});
  return status;
}

Status WriteTransaction::Insert(TableId t, std::string_view key,
                                std::span<const uint8_t> value) {
  assert(active_);
  Status status = store_.Check();
  if (!status.ok()) return status;
  Table& table = store_.tables_[Index(t)];
  auto hint = table.lower_bound(key);
  if (hint != table.end() && hint->first == key) {
    // Replace: keep the old entry for a rollback, insert a new one.
    const auto next = std::next(hint);
    store_.undo_.push_back({t, false, nullptr, table.extract(hint)});
    hint = next;
  }
  auto& free = store_.free_[Index(t)];
  size_t& head = store_.free_head_[Index(t)];
  Table::iterator position;
  if (head < free.size()) {
    Table::node_type node = std::move(free[head++]);
    node.key().assign(key);
    node.mapped().assign(value.begin(), value.end());
    position = table.insert(hint, std::move(node));
  } else {
    position = table.emplace_hint(
        hint, std::piecewise_construct, std::forward_as_tuple(key),
        std::forward_as_tuple(value.begin(), value.end()));
  }
  store_.undo_.push_back({t, true, &position->first, {}});
  return status;
}

Status WriteTransaction::Commit() {
  assert(active_);
  Status status = store_.Check();
  if (!status.ok()) {
    Rollback();
    return status;
  }
  for (auto& undo : store_.undo_) {
    if (!undo.inserted) store_.Release(undo.table, std::move(undo.node));
  }
  store_.undo_.clear();
  ++store_.commits_;
  active_ = false;
  store_.in_transaction_ = false;
  return status;
}

void WriteTransaction::Rollback() {
  assert(active_);
  auto& undo_log = store_.undo_;
  // Newest first: each undo entry assumes the ones after it are undone.
  for (auto& undo : std::ranges::reverse_view(undo_log)) {
    Table& table = store_.tables_[Index(undo.table)];
    if (undo.inserted) {
      store_.Release(undo.table, table.extract(table.find(*undo.key)));
    } else {
      table.insert(std::move(undo.node));
    }
  }
  undo_log.clear();
  active_ = false;
  store_.in_transaction_ = false;
}

}  // namespace hotpath::storage
