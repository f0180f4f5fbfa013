// A tiny in-memory transactional table store, the stand-in for the redb
// database the orchestrator keeps its state machine in (HOTPATHS.md,
// formatting and caching). Ten ordered tables of byte-string keys and byte
// values; one write transaction at a time; every fallible call (begin, open,
// iterate, remove, insert, commit) can be made to fail on purpose, so both
// sides of a pair can be driven down the same error path.
//
// Writes are undo-logged: a removed entry's node is kept until commit (and
// restored by a rollback); after commit it goes to a per-table free list and
// a later insert reuses it, key and value buffers included, in FIFO order, as
// a database reuses freed pages. Restoring the same data again therefore
// costs the store no allocation once warm: the store's own floor is 0, and
// what a caller's loop allocates is its own.
#ifndef HOTPATH_COMMON_STORAGE_STORE_H_
#define HOTPATH_COMMON_STORAGE_STORE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/storage/status.h"
#include "common/wire/codec.h"

namespace hotpath::storage {

// The orchestrator's tables, in the order a snapshot restores them.
enum class TableId : uint8_t {
  kVmState,
  kClusterState,
  kTask,
  kTaskAssignment,
  kTaskResult,
  kWorker,
  kWorkerStatus,
  kIpPool,
  kIpAllocation,
  kVmIpMapping,
};
inline constexpr size_t kTableCount = 10;

// "VM_STATE", "CLUSTER_STATE", ...: the names the orchestrator's error
// context uses.
std::string_view TableName(TableId table);
inline constexpr size_t Index(TableId table) {
  return static_cast<size_t>(table);
}
inline constexpr TableId TableAt(size_t index) {
  return static_cast<TableId>(index);
}

using Table = std::map<std::string, wire::Bytes, std::less<>>;

struct Entry {
  std::string key;
  wire::Bytes value;
  bool operator==(const Entry&) const = default;
};

// A decoded snapshot: the entries of every table, each in key order as the
// leader read them. Decoding it is the same work on both sides and is not
// part of the restore being measured.
struct SnapshotData {
  std::array<std::vector<Entry>, kTableCount> tables;

  std::vector<Entry>& operator[](TableId t) { return tables[Index(t)]; }
  const std::vector<Entry>& operator[](TableId t) const {
    return tables[Index(t)];
  }
  size_t EntryCount() const;
};

class Store {
 public:
  Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const Table& table(TableId t) const { return tables_[Index(t)]; }
  // Committed write transactions so far: bumps on every change of content.
  uint64_t commits() const { return commits_; }
  // Fallible calls made so far.
  uint64_t operations() const { return operations_; }

  // The `n`th fallible call from now (1 = the next one) fails with `message`.
  // One-shot; a later call replaces an armed failure.
  void FailOperation(uint64_t n, std::string message);
  void ClearFailure() { fail_at_ = 0; }

 private:
  friend class WriteTransaction;

  struct UndoEntry {
    TableId table;
    bool inserted;  // else: `node` holds a removed entry
    // The inserted entry's key: a pointer stays valid across extract and
    // re-insert, an iterator need not.
    const std::string* key;
    Table::node_type node;
  };

  // Counts a fallible call; the injected error when it is due.
  Status Check();
  void Release(TableId t, Table::node_type node);

  std::array<Table, kTableCount> tables_;
  std::vector<UndoEntry> undo_;
  std::array<std::vector<Table::node_type>, kTableCount> free_;
  std::array<size_t, kTableCount> free_head_{};
  bool in_transaction_ = false;
  uint64_t commits_ = 0;
  uint64_t operations_ = 0;
  uint64_t fail_at_ = 0;
  std::string failure_message_;
};

// The ordered keys of one table, as a transaction's scan sees them. Stays
// valid while entries are removed, except for the removed entry itself.
struct KeyRange {
  Table::const_iterator first;
  Table::const_iterator last;
  Table::const_iterator begin() const { return first; }
  Table::const_iterator end() const { return last; }
};

// One write transaction. Destroyed without a successful Commit, it rolls
// back every write it made.
class WriteTransaction {
 public:
  explicit WriteTransaction(Store& store) : store_(store) {}
  ~WriteTransaction();
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;

  Status Begin();
  Status OpenTable(TableId t);
  // Opens a scan of `t`'s keys.
  Status Keys(TableId t, KeyRange* range);
  // Removing an absent key is not an error, as in redb.
  Status Remove(TableId t, std::string_view key);
  // Inserts or replaces.
  Status Insert(TableId t, std::string_view key,
                std::span<const uint8_t> value);
  // On failure the transaction is rolled back.
  Status Commit();
  void Rollback();

 private:
  Store& store_;
  bool active_ = false;
};

}  // namespace hotpath::storage

#endif  // HOTPATH_COMMON_STORAGE_STORE_H_
