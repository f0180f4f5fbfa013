// The proposals pair's peer `std_promise`: the pending map and response
// channels in the C++ a team would first write, std::promise/std::future per
// proposal and std::unordered_map for the pending map, with the before's
// locking and copies otherwise (impl_before/proposals). Per round trip, 5
// allocations where the original made 3: libstdc++'s std::promise allocates
// its shared state and its result storage (2, where tokio's oneshot makes 1),
// plus the id copy, the map node (Rust's HashMap has none) and the serialised
// entry. It keeps visible what idiomatic C++ costs next to the faithful
// before. A result owns its error string; dropping an unspent Sender breaks
// the promise, and its Waiter reads kChannelClosed.
#ifndef HOTPATH_BENCHES_PEERS_STD_PROMISE_PROPOSALS_H_
#define HOTPATH_BENCHES_PEERS_STD_PROMISE_PROPOSALS_H_

#include <cstddef>
#include <cstdint>
#include <future>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/proposal/command.h"
#include "common/proposal/proposal_id.h"
#include "common/proposal/raft_log.h"
#include "common/proposal/result.h"
#include "common/wire/codec.h"

namespace hotpath::proposals::std_promise {

class ProposalResult {
 public:
  ProposalResult() = default;

  static ProposalResult Applied(uint64_t log_index);
  // Applied, but the state machine answered `error`.
  static ProposalResult Rejected(uint64_t log_index, std::string_view error);
  static ProposalResult NotLeader();
  static ProposalResult ChannelClosed();

  proposal::ProposalStatus status() const { return status_; }
  uint64_t log_index() const { return log_index_; }
  std::string_view error() const { return error_; }
  bool ok() const { return status_ == proposal::ProposalStatus::kApplied; }

 private:
  ProposalResult(proposal::ProposalStatus status, uint64_t log_index,
                 std::string_view error);

  proposal::ProposalStatus status_ = proposal::ProposalStatus::kApplied;
  uint64_t log_index_ = 0;
  std::string error_;
};

class Waiter {
 public:
  Waiter() = default;

  bool valid() const { return future_.valid(); }
  // True once the result can be read without blocking.
  bool Ready() const;
  // Blocks until the result arrives; the waiter is spent afterwards.
  ProposalResult Wait();

 private:
  friend class ResponseChannels;
  explicit Waiter(std::future<ProposalResult> future);

  std::future<ProposalResult> future_;
};

class Sender {
 public:
  Sender() = default;
  Sender(Sender&& other) noexcept;
  // Drops this sender's channel first, as an assignment in Rust would.
  Sender& operator=(Sender&& other) noexcept;

  bool valid() const { return valid_; }
  // Completes the waiter; the sender is spent afterwards.
  void Send(ProposalResult result);

 private:
  friend class ResponseChannels;
  explicit Sender(std::promise<ProposalResult> promise);

  std::promise<ProposalResult> promise_;
  bool valid_ = false;
};

// Opens channels. Channels outlive nothing here; the parameter is the
// number expected in flight, which a pool would preallocate.
class ResponseChannels {
 public:
  struct Channel {
    Sender sender;
    Waiter waiter;
  };

  explicit ResponseChannels(size_t expected_in_flight = 0);

  Channel Open();
};

// Thread-safe. Waiters must not outlive the PendingProposals that made them.
class PendingProposals {
 public:
  // The map starts empty, as the original's HashMap::new() did.
  explicit PendingProposals(size_t expected_in_flight = 1024);

  // Registers `id`, writes a single-proposal entry for `command` and hands
  // it to `log`. On "not leader" the waiter is answered at once. Proposing
  // an id that is still pending replaces it: the older waiter reads
  // kChannelClosed.
  Waiter Propose(const proposal::ProposalId& id,
                 const proposal::Command& command,
                 proposal::InMemoryRaftLog& log);
  // The same for an entry serialised by the caller (a batch). Takes the
  // vector's storage, as raft-rs takes the Vec: `entry` is left empty.
  Waiter ProposeEntry(const proposal::ProposalId& id, wire::Bytes& entry,
                      proposal::InMemoryRaftLog& log);
  // Completes the waiter of `id` with `result`; false if `id` is not pending.
  bool Apply(const proposal::ProposalId& id, ProposalResult result);
  size_t PendingCount() const;

 private:
  struct IdHash {
    using is_transparent = void;
    size_t operator()(std::span<const uint8_t> id) const;
  };
  struct IdEqual {
    using is_transparent = void;
    bool operator()(std::span<const uint8_t> a,
                    std::span<const uint8_t> b) const;
  };

  Waiter Register(const proposal::ProposalId& id);
  void HandToRaft(const proposal::ProposalId& id, wire::Bytes& entry,
                  proposal::InMemoryRaftLog& log);
  std::optional<Sender> Remove(const proposal::ProposalId& id);

  ResponseChannels channels_;
  mutable std::shared_mutex mu_;
  std::unordered_map<std::vector<uint8_t>, Sender, IdHash, IdEqual> pending_;
};

}  // namespace hotpath::proposals::std_promise

#endif  // HOTPATH_BENCHES_PEERS_STD_PROMISE_PROPOSALS_H_
