// The formatting contract: before and after restore a snapshot into the
// tables, fail at every injected store failure with the error text, and build
// the span names, attribute text and simulator names that independent models
// say (RestoreModel and ModelAttributes below, written from HOTPATHS.md with
// std containers and std::to_chars, sharing no code with either side), for
// fixed cases and seeded random sequences; a failed restore leaves the store
// untouched.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <array>
#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/storage/sample_data.h"
#include "common/storage/store.h"
#include "impl_after/formatting/simulator_names.h"
#include "impl_after/formatting/snapshot_restore.h"
#include "impl_after/formatting/trace_attributes.h"
#include "impl_before/formatting/simulator_names.h"
#include "impl_before/formatting/snapshot_restore.h"
#include "impl_before/formatting/trace_attributes.h"

namespace hotpath::formatting {
namespace {

using storage::Entry;
using storage::SnapshotData;
using storage::StorageError;
using storage::Store;
using storage::TableId;

struct Before {
  using SnapshotManager = before::SnapshotManager;
  using TraceFormatter = before::TraceFormatter;
  using SimulatorNames = before::SimulatorNames;
};
struct After {
  using SnapshotManager = after::SnapshotManager;
  using TraceFormatter = after::TraceFormatter;
  using SimulatorNames = after::SimulatorNames;
};
using Variants = ::testing::Types<Before, After>;

// Both sides take the same attribute type (an alias of std types).
static_assert(std::is_same_v<before::TraceAttribute, after::TraceAttribute>);
using TraceAttribute = before::TraceAttribute;

std::array<storage::Table, storage::kTableCount> Contents(const Store& store) {
  std::array<storage::Table, storage::kTableCount> tables;
  for (size_t i = 0; i < storage::kTableCount; ++i) {
    tables[i] = store.table(storage::TableAt(i));
  }
  return tables;
}

std::array<storage::Table, storage::kTableCount> Expected(
    const SnapshotData& snapshot) {
  std::array<storage::Table, storage::kTableCount> tables;
  for (size_t i = 0; i < storage::kTableCount; ++i) {
    for (const Entry& e : snapshot.tables[i]) tables[i][e.key] = e.value;
  }
  return tables;
}

// A small snapshot with random sizes and keys, some longer than 15
// characters, some repeated (the later entry wins).
SnapshotData RandomSnapshot(std::mt19937_64& rng) {
  SnapshotData snapshot;
  for (auto& entries : snapshot.tables) {
    const uint64_t count = rng() % 6;
    for (uint64_t i = 0; i < count; ++i) {
      const uint64_t k = rng() % 12;
      std::string key = rng() % 4 == 0
                            ? fmt::format("a-rather-long-key-number-{}", k)
                            : fmt::format("k{}", k);
      wire::Bytes value(rng() % 400);
      for (auto& b : value) b = static_cast<uint8_t>(rng());
      entries.push_back({std::move(key), std::move(value)});
    }
  }
  return snapshot;
}

// What a restore means (HOTPATHS.md, formatting): in one transaction, begin;
// per table in order, open it, iterate its keys, remove each key it holds and
// insert each snapshot entry (a repeated key: the later one wins); commit.
// The nth fallible call failing gives that call's context and the store's
// message and leaves every table as it was.
class RestoreModel {
 public:
  using Tables = std::array<storage::Table, storage::kTableCount>;

  // The context of every fallible call a restore of `snapshot` makes.
  std::vector<std::string> Calls(const SnapshotData& snapshot) const {
    std::vector<std::string> calls = {"begin snapshot transaction"};
    for (size_t i = 0; i < storage::kTableCount; ++i) {
      const std::string name(storage::TableName(storage::TableAt(i)));
      calls.push_back("open " + name + " table");
      calls.push_back("iterate " + name + " table");
      for (size_t k = 0; k < tables_[i].size(); ++k) {
        calls.push_back("remove from " + name + " table");
      }
      for (size_t e = 0; e < snapshot.tables[i].size(); ++e) {
        calls.push_back("insert into " + name + " table");
      }
    }
    calls.push_back("commit snapshot transaction");
    return calls;
  }

  // Restores with call `fail_at` (1-based; 0 or past the end: none) failing.
  std::optional<StorageError> Restore(const SnapshotData& snapshot,
                                      uint64_t fail_at = 0,
                                      const std::string& message = {}) {
    const std::vector<std::string> calls = Calls(snapshot);
    if (fail_at >= 1 && fail_at <= calls.size()) {
      return StorageError{calls[fail_at - 1], message};
    }
    for (size_t i = 0; i < storage::kTableCount; ++i) {
      tables_[i].clear();
      for (const Entry& e : snapshot.tables[i]) tables_[i][e.key] = e.value;
    }
    return std::nullopt;
  }

  const Tables& tables() const { return tables_; }

 private:
  Tables tables_;
};

// Tracing text (HOTPATHS.md, formatting): `key=value` pairs joined by ", ",
// numbers in decimal (doubles shortest round-trip), booleans as words.
std::string ModelAttributes(std::span<const TraceAttribute> attributes) {
  std::string text;
  for (const auto& [key, value] : attributes) {
    if (!text.empty()) text += ", ";
    text += key;
    text += '=';
    if (const auto* s = std::get_if<std::string_view>(&value)) {
      text += *s;
    } else if (const auto* b = std::get_if<bool>(&value)) {
      text += *b ? "true" : "false";
    } else {
      std::array<char, 64> digits{};
      const auto put = [&](auto v) {
        const auto [end, ec] =
            std::to_chars(digits.data(), digits.data() + digits.size(), v);
        text.append(digits.data(), end);
      };
      if (const auto* i = std::get_if<int64_t>(&value)) put(*i);
      if (const auto* u = std::get_if<uint64_t>(&value)) put(*u);
      if (const auto* d = std::get_if<double>(&value)) put(*d);
    }
  }
  return text;
}

template <typename T>
class FormattingEquivalenceTest : public ::testing::Test {};
TYPED_TEST_SUITE(FormattingEquivalenceTest, Variants);

TYPED_TEST(FormattingEquivalenceTest, RestoreReplacesEveryTable) {
  const SnapshotData first = storage::MakeSnapshot(storage::SizesForVms(40), 1);
  const SnapshotData second =
      storage::MakeSnapshot(storage::SizesForVms(25), 2);
  Store store;
  typename TypeParam::SnapshotManager manager(store);
  EXPECT_EQ(manager.ApplySnapshotToStateMachine(first), std::nullopt);
  EXPECT_EQ(Contents(store), Expected(first));
  EXPECT_EQ(manager.ApplySnapshotToStateMachine(second), std::nullopt);
  EXPECT_EQ(Contents(store), Expected(second));
  EXPECT_EQ(store.table(TableId::kVmState).size(), 25U);
  EXPECT_EQ(store.commits(), 2U);
  // An empty snapshot empties the tables.
  EXPECT_EQ(manager.ApplySnapshotToStateMachine(SnapshotData{}), std::nullopt);
  for (size_t i = 0; i < storage::kTableCount; ++i) {
    EXPECT_TRUE(store.table(storage::TableAt(i)).empty());
  }
}

TYPED_TEST(FormattingEquivalenceTest, VmStatesAreAboutThreeHundredBytes) {
  const SnapshotData snapshot =
      storage::MakeSnapshot(storage::SizesForVms(1000), 0);
  size_t bytes = 0;
  for (const Entry& e : snapshot[TableId::kVmState]) bytes += e.value.size();
  const size_t mean = bytes / snapshot[TableId::kVmState].size();
  EXPECT_GE(mean, 250U);
  EXPECT_LE(mean, 350U);
}

// Every fallible store call of a restore, failed in turn: the same error on
// both sides, the store as it was, and every kind of context seen.
TYPED_TEST(FormattingEquivalenceTest, EveryFailurePointGivesTheSameError) {
  const SnapshotData old_state =
      storage::MakeSnapshot(storage::SizesForVms(3), 5);
  const SnapshotData snapshot =
      storage::MakeSnapshot(storage::SizesForVms(4), 6);

  // How many fallible calls a successful restore makes: the model's count,
  // the side's own, and the count spelled out agree.
  RestoreModel old_model;
  ASSERT_EQ(old_model.Restore(old_state), std::nullopt);
  const uint64_t calls = old_model.Calls(snapshot).size();
  {
    Store store;
    typename TypeParam::SnapshotManager manager(store);
    ASSERT_EQ(manager.ApplySnapshotToStateMachine(old_state), std::nullopt);
    const uint64_t start = store.operations();
    ASSERT_EQ(manager.ApplySnapshotToStateMachine(snapshot), std::nullopt);
    EXPECT_EQ(store.operations() - start, calls);
  }
  // begin, 4 per table (open, iterate, plus removes and inserts), commit.
  ASSERT_EQ(calls, 2 + 2 * storage::kTableCount + old_state.EntryCount() +
                       snapshot.EntryCount());

  std::set<std::string> operations;
  for (uint64_t n = 1; n <= calls; ++n) {
    Store store;
    typename TypeParam::SnapshotManager manager(store);
    RestoreModel model = old_model;
    ASSERT_EQ(manager.ApplySnapshotToStateMachine(old_state), std::nullopt);
    store.FailOperation(n, fmt::format("disk full at call {}", n));
    const auto error = manager.ApplySnapshotToStateMachine(snapshot);
    const auto expected =
        model.Restore(snapshot, n, fmt::format("disk full at call {}", n));
    ASSERT_TRUE(error.has_value()) << "call " << n;
    EXPECT_EQ(error, expected) << "call " << n;
    EXPECT_EQ(error->source, fmt::format("disk full at call {}", n));
    EXPECT_EQ(Contents(store), Expected(old_state)) << "call " << n;
    EXPECT_EQ(store.commits(), 1U);
    operations.insert(error->operation);
  }
  std::set<std::string> want = {"begin snapshot transaction",
                                "commit snapshot transaction"};
  for (size_t i = 0; i < storage::kTableCount; ++i) {
    const auto name = storage::TableName(storage::TableAt(i));
    want.insert(fmt::format("open {} table", name));
    want.insert(fmt::format("iterate {} table", name));
    want.insert(fmt::format("remove from {} table", name));
    want.insert(fmt::format("insert into {} table", name));
  }
  EXPECT_EQ(operations, want);
}

TYPED_TEST(FormattingEquivalenceTest, ErrorTextNamesTheOperation) {
  const SnapshotData snapshot =
      storage::MakeSnapshot(storage::SizesForVms(2), 0);
  Store store;
  typename TypeParam::SnapshotManager manager(store);
  ASSERT_EQ(manager.ApplySnapshotToStateMachine(snapshot), std::nullopt);
  // begin, open, iterate, then the first of two removes from VM_STATE.
  store.FailOperation(4, "No space left on device");
  const auto remove_error = manager.ApplySnapshotToStateMachine(snapshot);
  ASSERT_TRUE(remove_error.has_value());
  EXPECT_EQ(remove_error->ToString(),
            "remove from VM_STATE table: No space left on device");
  // ... then two inserts into VM_STATE.
  store.FailOperation(7, "No space left on device");
  const auto insert_error = manager.ApplySnapshotToStateMachine(snapshot);
  ASSERT_TRUE(insert_error.has_value());
  EXPECT_EQ(insert_error->ToString(),
            "insert into VM_STATE table: No space left on device");
  EXPECT_EQ(Contents(store), Expected(snapshot));
}

TYPED_TEST(FormattingEquivalenceTest, SeededRandomRestores) {
  constexpr uint64_t kSeed = 20240611;
  constexpr int kRestores = 10000;
  std::mt19937_64 rng(kSeed);
  Store store;
  typename TypeParam::SnapshotManager manager(store);
  RestoreModel model;
  int failures = 0;
  for (int i = 0; i < kRestores; ++i) {
    const SnapshotData snapshot = RandomSnapshot(rng);
    uint64_t fail_at = 0;
    std::string message;
    if (rng() % 3 == 0) {
      fail_at = 1 + rng() % (2 + 2 * storage::kTableCount +
                             2 * snapshot.EntryCount());
      message = fmt::format("injected failure {}", i);
      store.FailOperation(fail_at, message);
    }
    const auto error = manager.ApplySnapshotToStateMachine(snapshot);
    const auto expected = model.Restore(snapshot, fail_at, message);
    store.ClearFailure();
    failures += error.has_value() ? 1 : 0;
    ASSERT_EQ(error, expected) << "seed " << kSeed << ", restore " << i;
    ASSERT_EQ(Contents(store), model.tables())
        << "seed " << kSeed << ", restore " << i;
    if (!error) {
      ASSERT_EQ(Contents(store), Expected(snapshot))
          << "seed " << kSeed << ", restore " << i;
    }
  }
  EXPECT_GT(failures, kRestores / 10) << "seed " << kSeed;
  EXPECT_LT(failures, kRestores / 2) << "seed " << kSeed;
}

TYPED_TEST(FormattingEquivalenceTest, TraceTextFixedCases) {
  typename TypeParam::TraceFormatter formatter;
  EXPECT_EQ(formatter.RaftSpanName("propose"), "raft.propose");
  EXPECT_EQ(formatter.RaftSpanName("process_ready"), "raft.process_ready");
  EXPECT_EQ(formatter.RaftSpanName(""), "raft.");
  const std::vector<TraceAttribute> attributes = {
      {"raft.operation", std::string_view("append_entries")},
      {"node.id", uint64_t{3}},
      {"raft.term", int64_t{-1}},
      {"batch.fill", 0.25},
      {"raft.is_leader", true},
      {"empty", std::string_view()}};
  EXPECT_EQ(formatter.Attributes(attributes),
            "raft.operation=append_entries, node.id=3, raft.term=-1, "
            "batch.fill=0.25, raft.is_leader=true, empty=");
  EXPECT_EQ(formatter.Attributes({}), "");
  EXPECT_EQ(formatter.Attributes(std::span(attributes).first(1)),
            "raft.operation=append_entries");
  // Longer than fmt::memory_buffer's inline 500 bytes.
  const std::string long_value(700, 'x');
  const std::vector<TraceAttribute> big = {
      {"payload", std::string_view(long_value)}, {"n", uint64_t{1}}};
  EXPECT_EQ(formatter.Attributes(big), "payload=" + long_value + ", n=1");
}

TYPED_TEST(FormattingEquivalenceTest, TraceTextSeededRandom) {
  constexpr uint64_t kSeed = 77;
  constexpr int kOps = 20000;
  static constexpr std::array<std::string_view, 6> kKeys = {
      "raft.operation",    "node.id", "raft.term",
      "raft.commit_index", "entries", "error.message"};
  static constexpr std::array<std::string_view, 5> kOperations = {
      "propose", "tick", "process_ready", "apply_committed_entries",
      "send_messages"};
  std::mt19937_64 rng(kSeed);
  typename TypeParam::TraceFormatter formatter;
  std::vector<std::string> texts;
  std::vector<TraceAttribute> attributes;
  for (int i = 0; i < kOps; ++i) {
    if (rng() % 2 == 0) {
      const auto op = kOperations[rng() % kOperations.size()];
      ASSERT_EQ(formatter.RaftSpanName(op), "raft." + std::string(op))
          << "seed " << kSeed << ", op " << i;
      continue;
    }
    texts.clear();
    attributes.clear();
    const uint64_t count = rng() % 8;
    texts.reserve(count);
    for (uint64_t a = 0; a < count; ++a) {
      const auto key = kKeys[rng() % kKeys.size()];
      switch (rng() % 5) {
        case 0:
          texts.push_back(std::string(rng() % 40, 'a' + static_cast<char>(a)));
          attributes.emplace_back(key, std::string_view(texts.back()));
          break;
        case 1:
          attributes.emplace_back(key, static_cast<int64_t>(rng()));
          break;
        case 2:
          attributes.emplace_back(key, rng());
          break;
        case 3:
          attributes.emplace_back(key,
                                  static_cast<double>(rng() % 100000) / 64.0);
          break;
        default:
          attributes.emplace_back(key, rng() % 2 == 0);
      }
    }
    ASSERT_EQ(formatter.Attributes(attributes), ModelAttributes(attributes))
        << "seed " << kSeed << ", op " << i;
  }
}

TYPED_TEST(FormattingEquivalenceTest, SimulatorNames) {
  typename TypeParam::SimulatorNames names;
  EXPECT_EQ(names.VmName(0), "vm-0");
  EXPECT_EQ(names.TaskName(42), "task-42");
  EXPECT_EQ(names.TaskName(std::numeric_limits<uint64_t>::max()),
            "task-18446744073709551615");
  EXPECT_EQ(names.VmName(std::numeric_limits<uint64_t>::max()),
            "vm-18446744073709551615");
  // A VM name stays valid across task names.
  const std::string_view vm = names.VmName(7);
  EXPECT_EQ(names.TaskName(8), "task-8");
  EXPECT_EQ(vm, "vm-7");

  constexpr uint64_t kSeed = 9;
  std::mt19937_64 rng(kSeed);
  for (int i = 0; i < 20000; ++i) {
    const uint64_t n = rng() >> (rng() % 64);
    ASSERT_EQ(names.VmName(n), "vm-" + std::to_string(n)) << "seed " << kSeed;
    ASSERT_EQ(names.TaskName(n), "task-" + std::to_string(n))
        << "seed " << kSeed;
  }
}

}  // namespace
}  // namespace hotpath::formatting
