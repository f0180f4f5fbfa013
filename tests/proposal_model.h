// The answer side of the test models of proposals (proposals_test.cc) and
// batching (batching_test.cc): a result written into a shared slot, read by
// a waiter that never blocks. Shares no code with either side's waiters.
#ifndef HOTPATH_TESTS_PROPOSAL_MODEL_H_
#define HOTPATH_TESTS_PROPOSAL_MODEL_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/proposal/result.h"

namespace hotpath::proposal_model {

using proposal::ProposalStatus;

class ProposalResult {
 public:
  static ProposalResult Applied(uint64_t log_index) {
    return {ProposalStatus::kApplied, log_index, ""};
  }
  static ProposalResult Rejected(uint64_t log_index, std::string_view error) {
    return {ProposalStatus::kRejected, log_index, std::string(error)};
  }
  static ProposalResult NotLeader() {
    return {ProposalStatus::kNotLeader, 0,
            std::string(proposal::kNotLeaderError)};
  }
  static ProposalResult ChannelClosed() {
    return {ProposalStatus::kChannelClosed, 0,
            std::string(proposal::kChannelClosedError)};
  }

  ProposalStatus status() const { return status_; }
  uint64_t log_index() const { return log_index_; }
  std::string_view error() const { return error_; }
  bool ok() const { return status_ == ProposalStatus::kApplied; }

 private:
  ProposalResult(ProposalStatus status, uint64_t log_index, std::string error)
      : status_(status), log_index_(log_index), error_(std::move(error)) {}

  ProposalStatus status_;
  uint64_t log_index_;
  std::string error_;
};

using Slot = std::shared_ptr<std::optional<ProposalResult>>;

// A slot never written reads as a closed channel (its sender dropped).
class Waiter {
 public:
  explicit Waiter(Slot slot) : slot_(std::move(slot)) {}
  bool Ready() const { return slot_->has_value(); }
  ProposalResult Wait() {
    EXPECT_TRUE(Ready()) << "the model never blocks";
    return slot_->value_or(ProposalResult::ChannelClosed());
  }

 private:
  Slot slot_;
};

}  // namespace hotpath::proposal_model

#endif  // HOTPATH_TESTS_PROPOSAL_MODEL_H_
