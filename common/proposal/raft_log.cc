#include "common/proposal/raft_log.h"

#include <iterator>
#include <utility>

namespace hotpath::proposal {

bool InMemoryRaftLog::Append(wire::OwnedBytes data) {
  if (!is_leader()) return false;
  std::lock_guard lock(mu_);
  const uint64_t index = ++last_index_;
  if (record_history_) history_.push_back(data.bytes());
  entries_.push_back({index, std::move(data)});
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

size_t InMemoryRaftLog::DropApplied() {
  const size_t applied = applying_.size();
  // Outside the lock: a lent buffer goes back to its pool from here.
  applying_.clear();
  std::lock_guard lock(mu_);
  applied_index_ += applied;
  return applied;
}

}  // namespace hotpath::proposal
