#include "common/proposal/raft_log.h"

#include <algorithm>
#include <bit>
#include <iterator>
#include <utility>

namespace hotpath::proposal {

bool InMemoryRaftLog::Append(wire::Bytes&& data) {
  if (!is_leader()) return false;
  std::lock_guard lock(mu_);
  return AppendLocked(Entry{0, std::move(data), false});
}

bool InMemoryRaftLog::Append(std::span<const uint8_t> data) {
  if (!is_leader()) return false;
  const size_t size_class = std::max(
      kMinClass,
      static_cast<size_t>(std::bit_width(!data.empty() ? data.size() - 1 : 0)));
  std::lock_guard lock(mu_);
  Entry entry;
  if (size_class <= kMaxClass) {
    auto& spares = pool_[size_class - kMinClass];
    if (!spares.empty()) {
      entry.data = std::move(spares.back());
      spares.pop_back();
    } else {
      entry.data.reserve(size_t{1} << size_class);
    }
    entry.pooled = true;
  }
  entry.data.assign(data.begin(), data.end());
  return AppendLocked(std::move(entry));
}

bool InMemoryRaftLog::AppendLocked(Entry&& entry) {
  entry.index = ++last_index_;
  if (record_history_) history_.push_back(entry.data);
  entries_.push_back(std::move(entry));
  return true;
}

void InMemoryRaftLog::CommitAll() {
  std::lock_guard lock(mu_);
  committed_index_ = last_index_;
}

uint64_t InMemoryRaftLog::last_index() const {
  std::lock_guard lock(mu_);
  return last_index_;
}

uint64_t InMemoryRaftLog::committed_index() const {
  std::lock_guard lock(mu_);
  return committed_index_;
}

uint64_t InMemoryRaftLog::applied_index() const {
  std::lock_guard lock(mu_);
  return applied_index_;
}

void InMemoryRaftLog::RecordHistory(bool on) {
  std::lock_guard lock(mu_);
  record_history_ = on;
}

void InMemoryRaftLog::TakeCommitted() {
  std::lock_guard lock(mu_);
  const auto count = static_cast<ptrdiff_t>(committed_index_ - applied_index_);
  applying_.insert(applying_.end(), std::make_move_iterator(entries_.begin()),
                   std::make_move_iterator(entries_.begin() + count));
  entries_.erase(entries_.begin(), entries_.begin() + count);
}

size_t InMemoryRaftLog::Recycle() {
  std::lock_guard lock(mu_);
  const size_t applied = applying_.size();
  for (Entry& entry : applying_) {
    if (!entry.pooled)
      continue;  // an owned vector is freed, as raft-rs drops it
    const auto size_class =
        static_cast<size_t>(std::bit_width(entry.data.capacity()) - 1);
    pool_[std::min(size_class, kMaxClass) - kMinClass].push_back(
        std::move(entry.data));
  }
  applying_.clear();
  applied_index_ += applied;
  return applied;
}

}  // namespace hotpath::proposal
