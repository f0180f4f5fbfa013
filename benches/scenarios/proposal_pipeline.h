// scenarios/ProposalPipeline: Raft proposals end to end, on one side's own
// components (sides.h). Clients propose create-VM and status-update commands
// (50-500 bytes, common/proposal/workload.h) through the side's
// ProposalBatcher, which cuts batches, serialises them and registers each
// batch in the side's PendingProposals (pending map, response channels) as it
// hands the entry to an in-memory Raft log. A Raft loop turn then commits,
// records the appended entries (storage.writes per entry and the append
// timer), applies every command of every committed entry to the VM table,
// answers each batch's waiter and lets the batcher fan the answer out to the
// proposals' waiters; each client reads its answer and counts the VM
// operation (vm.<op>.total).
//
// In flight: a window of N proposals is proposed, then the Raft loop takes a
// turn and the window's waiters are read. A turn flushes the open batch
// rather than waiting out the 10 ms batch deadline, so the scenario measures
// the pipeline's cost, not the timer; the 100-proposal cut still applies, so
// a window of 1000 makes ten batches. The threaded form (ThreadedPipeline)
// splits each window over client threads and runs the Raft loop on a thread
// of its own, in lock step: the turn starts once every client has proposed
// its share, so the same batches (count and sizes) are cut whatever the
// interleaving.
//
// The bodies are templates over a side and a clock, so the benchmark and the
// equivalence test (tests/scenarios_test.cc) run the same code; a test clock
// makes the recorded durations, and so the metric snapshot, deterministic.
#ifndef HOTPATH_BENCHES_SCENARIOS_PROPOSAL_PIPELINE_H_
#define HOTPATH_BENCHES_SCENARIOS_PROPOSAL_PIPELINE_H_

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <mutex>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "common/proposal/batch_policy.h"
#include "common/proposal/command.h"
#include "common/proposal/proposal_id.h"
#include "common/proposal/raft_log.h"
#include "common/proposal/workload.h"
#include "common/telemetry/meter.h"
#include "common/vm/vm_table.h"

namespace hotpath::scenarios {

using proposal::TimePoint;

inline double Millis(proposal::Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

inline uint64_t Nanos(proposal::Clock::duration d) {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(d);
  return ns.count() < 0 ? 0 : static_cast<uint64_t>(ns.count());
}

// The real clock. WaitUntil sleeps through long waits and spins the last
// stretch: a sleep wakes up late by the timer slack and the scheduler, and
// an open-loop generator charges its own lateness to the operation.
struct SteadyClock {
  static constexpr auto kSpin = std::chrono::microseconds(50);

  // A member like the other clocks' (which keep state), not static.
  // NOLINTNEXTLINE(readability-convert-member-functions-to-static)
  TimePoint now() const { return proposal::Clock::now(); }
  void WaitUntil(TimePoint t) const {
    for (TimePoint n = now(); n < t; n = now()) {
      if (t - n > kSpin) std::this_thread::sleep_until(t - kSpin);
    }
  }
};

// Scenario time as a core of its own would see it: the calling thread's CPU
// time, plus the idle gaps WaitUntil waits out. Time the thread spends
// preempted by other processes is not counted, so on a shared machine the
// latencies show the code's own service and queueing, not the time slices of
// its neighbours (on a 2-core machine running builds beside the benchmark,
// the wall clock puts a 3-4 ms slice into every percentile from p90 up, on
// both sides alike). WaitUntil still sleeps for real through gaps longer than
// kMinSleep, so caches go as cold between operations as they would. A read
// is a system call (~300 ns here); one thread only.
class DedicatedCoreClock {
 public:
  static constexpr auto kMinSleep = std::chrono::microseconds(20);

  TimePoint now() const { return TimePoint{} + CpuTime() + offset_; }
  void WaitUntil(TimePoint t) {
    const TimePoint n = now();
    if (t <= n) return;
    if (t - n > kMinSleep) std::this_thread::sleep_for(t - n);
    offset_ += t - now();  // the sleep's own CPU time is not service time
  }

 private:
  static std::chrono::nanoseconds CpuTime() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return std::chrono::seconds(ts.tv_sec) +
           std::chrono::nanoseconds(ts.tv_nsec);
  }

  std::chrono::nanoseconds offset_ = std::chrono::hours(1);
};

// A clock that moves only when told: each now() advances it by `tick`, and
// WaitUntil jumps to the deadline. Deterministic, so both sides see the same
// times (tests), and free of real waits (a warm-up of a paced loop).
class VirtualClock {
 public:
  explicit VirtualClock(std::chrono::nanoseconds tick = {}) : tick_(tick) {}

  TimePoint now() {
    const TimePoint t = t_;
    t_ += tick_;
    return t;
  }
  void WaitUntil(TimePoint t) { t_ = std::max(t_, t); }

 private:
  std::chrono::nanoseconds tick_;
  TimePoint t_ = TimePoint{} + std::chrono::hours(1);
};

// One node's Raft side: its pending map and batcher, the log, and the loop
// turn that commits, applies and answers. Proposers may call Propose from
// any thread; one thread at a time runs Turn.
template <typename Side>
class RaftNode {
 public:
  static constexpr size_t kExpectedInFlight = 1024;

  RaftNode(typename Side::Metrics& metrics, vm::VmTable& table,
           uint64_t node_id)
      : metrics_(metrics),
        table_(table),
        pending_(kExpectedInFlight),
        batcher_(pending_, log_, node_id, proposal::BatchLimits{},
                 kExpectedInFlight) {}

  // `command` must stay alive until the Turn that flushes it.
  typename Side::Waiter Propose(const proposal::ProposalId& id,
                                const proposal::Command& command,
                                TimePoint now) {
    return batcher_.Add(id, command, now);
  }

  // Flushes the open batch, commits what was appended, applies it and fans
  // the answers out. Returns how many proposals were answered.
  template <typename Clock>
  size_t Turn(Clock& clock) {
    batcher_.Flush();
    const uint64_t from = log_.committed_index();
    const TimePoint start = clock.now();
    log_.CommitAll();
    const uint64_t entries = log_.committed_index() - from;
    if (entries > 0) {
      metrics_.RecordRaftLogAppend(entries, Millis(clock.now() - start));
    }
    log_.ApplyCommitted([this](uint64_t index, std::span<const uint8_t> data) {
      proposal::EntryReader reader(data);
      proposal::ProposalId id;
      proposal::CommandView command;
      while (reader.Next(id, command)) table_.Apply(command, index);
      if (!reader.ok()) ++malformed_;
      pending_.Apply(reader.id(), Side::Result::Applied(index));
    });
    return batcher_.DeliverResults();
  }

  proposal::InMemoryRaftLog& log() { return log_; }
  size_t malformed() const { return malformed_; }
  size_t pending_count() const { return pending_.PendingCount(); }

 private:
  typename Side::Metrics& metrics_;
  vm::VmTable& table_;
  proposal::InMemoryRaftLog log_;
  typename Side::Pending pending_;
  typename Side::Batcher batcher_;
  size_t malformed_ = 0;
};

// What a client proposes: commands, their ids, and the VM operation each
// one counts as (empty: none; status updates to other states).
struct PipelineInputs {
  std::vector<proposal::Command> commands;
  std::vector<proposal::ProposalId> ids;
  std::vector<std::string_view> operations;
};

inline std::string_view OperationOf(const proposal::Command& command) {
  if (std::holds_alternative<proposal::CreateVmCommand>(command)) {
    return "create";
  }
  switch (std::get<proposal::StatusUpdateCommand>(command).state) {
    case proposal::VmState::kRunning:
      return "start";
    case proposal::VmState::kStopped:
      return "stop";
    case proposal::VmState::kDeleted:
      return "delete";
    default:
      return {};
  }
}

// `count` commands (40% create-VM), each status update retargeted at a VM
// created earlier in the sequence, so applying it finds its VM.
inline PipelineInputs MakePipelineInputs(size_t count, uint64_t seed) {
  PipelineInputs inputs;
  inputs.commands = proposal::MakeCommands(count, seed);
  inputs.ids = proposal::MakeProposalIds(count, seed ^ 0x1d5eedULL);
  std::mt19937_64 rng(seed ^ 0x7a46e7ULL);
  std::vector<std::string> created;
  for (proposal::Command& command : inputs.commands) {
    if (auto* create = std::get_if<proposal::CreateVmCommand>(&command)) {
      created.push_back(create->name);
    } else if (!created.empty()) {
      std::get<proposal::StatusUpdateCommand>(command).vm_name =
          created[rng() % created.size()];
    }
    inputs.operations.push_back(OperationOf(command));
  }
  return inputs;
}

struct PipelineStats {
  size_t completed = 0;
  size_t ok = 0;
  size_t not_ready = 0;  // waiters the turn left unanswered (a bug)
  uint64_t index_sum = 0;
};

// One node and its clients on one thread: propose a window, take a Raft
// turn, read the window's answers.
template <typename Side>
class ProposalPipeline {
 public:
  static constexpr uint64_t kNodeId = 1;
  using Result = typename Side::Result;

  // `inputs` must outlive the pipeline; `in_flight` >= 1.
  ProposalPipeline(const PipelineInputs& inputs, size_t in_flight)
      : inputs_(inputs),
        in_flight_(std::max<size_t>(in_flight, 1)),
        node_(metrics_, table_, kNodeId) {
    waiters_.reserve(in_flight_);
  }

  // Proposes every input once. on_complete(i, result) sees each answer.
  template <typename Clock, typename OnComplete>
  PipelineStats RunPass(Clock& clock, OnComplete&& on_complete) {
    PipelineStats stats;
    const size_t total = inputs_.commands.size();
    for (size_t start = 0; start < total; start += in_flight_) {
      const size_t end = std::min(total, start + in_flight_);
      const TimePoint now = clock.now();
      for (size_t i = start; i < end; ++i) {
        waiters_.push_back(
            node_.Propose(inputs_.ids[i], inputs_.commands[i], now));
      }
      node_.Turn(clock);
      for (size_t i = start; i < end; ++i) {
        auto& waiter = waiters_[i - start];
        if (!waiter.Ready()) {
          ++stats.not_ready;
          continue;
        }
        const Result result = waiter.Wait();
        metrics_.RecordVmOperation(inputs_.operations[i], result.ok());
        ++stats.completed;
        stats.ok += result.ok() ? 1 : 0;
        stats.index_sum += result.log_index();
        on_complete(i, result);
      }
      waiters_.clear();
    }
    return stats;
  }

  template <typename Clock>
  PipelineStats RunPass(Clock& clock) {
    return RunPass(clock, [](size_t, const Result&) {});
  }

  const telemetry::Meter& meter() const { return meter_; }
  const vm::VmTable& table() const { return table_; }
  RaftNode<Side>& node() { return node_; }

 private:
  const PipelineInputs& inputs_;
  const size_t in_flight_;
  telemetry::Meter meter_;
  typename Side::Metrics metrics_{meter_};
  vm::VmTable table_;
  RaftNode<Side> node_;
  std::vector<typename Side::Waiter> waiters_;
};

// Allocations a thread has made, for ThreadedPipeline's own threads; the
// default counts nothing (tests), a benchmark plugs its counter in.
struct ThreadCounts {
  uint64_t allocs = 0;
  uint64_t bytes = 0;
};
struct NoThreadCounts {
  static ThreadCounts Read() { return {}; }
};

// The same pipeline on threads: `clients` client threads (the caller's is
// client 0) split each window evenly, and a Raft thread takes the turns. A
// turn starts once every client has proposed its share of the window, so the
// batches cut (their number and sizes) do not depend on the interleaving;
// which proposal lands in which batch does. Clients sleep until their turn
// is over (a condition variable), then read their answers, all ready by
// then; the components' blocking Wait is not used here, since a futex
// wake-up can go missing on this machine (see Wait). Each thread has its
// own Clock (default constructed).
template <typename Side, typename Clock = SteadyClock,
          typename Counts = NoThreadCounts>
class ThreadedPipeline {
 public:
  static constexpr uint64_t kNodeId = 1;
  using Result = typename Side::Result;

  // `inputs` must outlive the pipeline; `in_flight` and `clients` >= 1.
  ThreadedPipeline(const PipelineInputs& inputs, size_t in_flight,
                   size_t clients)
      : inputs_(inputs),
        in_flight_(std::max<size_t>(in_flight, 1)),
        clients_(std::max<size_t>(clients, 1)),
        node_(metrics_, table_, kNodeId),
        client_stats_(clients_),
        client_waiters_(clients_) {
    for (auto& waiters : client_waiters_) {
      waiters.reserve(in_flight_ / clients_ + 1);
    }
    raft_thread_ = std::thread([this] { RaftLoop(); });
    for (size_t c = 1; c < clients_; ++c) {
      helpers_.emplace_back([this, c] { HelperLoop(c); });
    }
  }
  ThreadedPipeline(const ThreadedPipeline&) = delete;
  ThreadedPipeline& operator=(const ThreadedPipeline&) = delete;

  ~ThreadedPipeline() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    work_cv_.notify_all();
    for (std::thread& t : helpers_) t.join();
    raft_thread_.join();
  }

  // Proposes every input once, over all clients; returns when every answer
  // has been read and the last turn is over.
  PipelineStats RunPass() {
    {
      std::lock_guard lock(mu_);
      first_turn_ = turns_wanted_;
      ++pass_;
    }
    work_cv_.notify_all();
    client_stats_[0] = RunClient(0);
    {
      std::unique_lock lock(mu_);
      Wait(done_cv_, lock, [this] {
        return helpers_done_ == clients_ - 1 && turns_done_ == turns_wanted_;
      });
      helpers_done_ = 0;
    }
    PipelineStats total;
    for (const PipelineStats& s : client_stats_) {
      total.completed += s.completed;
      total.ok += s.ok;
      total.not_ready += s.not_ready;
      total.index_sum += s.index_sum;
    }
    return total;
  }

  // What the helper clients and the Raft thread have allocated so far (the
  // caller counts its own thread).
  ThreadCounts OtherThreadCounts() const {
    return {other_allocs_.load(std::memory_order_acquire),
            other_bytes_.load(std::memory_order_acquire)};
  }

  const telemetry::Meter& meter() const { return meter_; }
  const vm::VmTable& table() const { return table_; }
  RaftNode<Side>& node() { return node_; }

 private:
  PipelineStats RunClient(size_t c) {
    Clock clock;
    PipelineStats stats;
    std::vector<typename Side::Waiter>& waiters = client_waiters_[c];
    const size_t total = inputs_.commands.size();
    uint64_t turn = first_turn_;  // read after the pass was published
    for (size_t start = 0; start < total; start += in_flight_) {
      ++turn;
      const size_t window = std::min(total, start + in_flight_) - start;
      const size_t lo = start + window * c / clients_;
      const size_t hi = start + window * (c + 1) / clients_;
      const TimePoint now = clock.now();
      for (size_t i = lo; i < hi; ++i) {
        waiters.push_back(
            node_.Propose(inputs_.ids[i], inputs_.commands[i], now));
      }
      Arrive();
      // The turn answers every proposal of the window; the waiters are read
      // once it is over, so no client sleeps in a component's Wait (see
      // the hand-offs below) and none arrives for the next window before
      // the others have arrived for this one.
      WaitForTurn(turn);
      for (size_t i = lo; i < hi; ++i) {
        auto& waiter = waiters[i - lo];
        if (!waiter.Ready()) {
          ++stats.not_ready;
          continue;
        }
        const Result result = waiter.Wait();
        metrics_.RecordVmOperation(inputs_.operations[i], result.ok());
        ++stats.completed;
        stats.ok += result.ok() ? 1 : 0;
        stats.index_sum += result.log_index();
      }
      waiters.clear();
    }
    return stats;
  }

  // The last client to arrive asks for the window's turn.
  void Arrive() {
    {
      std::lock_guard lock(mu_);
      if (++arrived_ != clients_) return;
      arrived_ = 0;
      ++turns_wanted_;
    }
    work_cv_.notify_all();
  }

  void WaitForTurn(uint64_t turn) {
    std::unique_lock lock(mu_);
    Wait(done_cv_, lock, [&] { return turns_done_ >= turn; });
  }

  // A condition wait that also rechecks every kRecheck: on this machine
  // futex wake-ups were seen to go missing (a plain std::atomic<uint32_t>
  // wait/notify ping-pong stalls for good after ~3 x 10^7 round trips), and
  // a lost wake-up must cost a few milliseconds, not the run.
  template <typename Pred>
  static void Wait(std::condition_variable& cv,
                   std::unique_lock<std::mutex>& lock, Pred pred) {
    while (!cv.wait_for(lock, kRecheck, pred)) {
    }
  }

  void HelperLoop(size_t c) {
    uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock lock(mu_);
        Wait(work_cv_, lock, [&] { return stop_ || pass_ != seen; });
        if (stop_) return;
        seen = pass_;
      }
      const ThreadCounts before = Counts::Read();
      client_stats_[c] = RunClient(c);
      AddCounts(before);
      {
        std::lock_guard lock(mu_);
        ++helpers_done_;
      }
      done_cv_.notify_all();
    }
  }

  void RaftLoop() {
    Clock clock;
    uint64_t done = 0;
    for (;;) {
      uint64_t wanted = 0;
      {
        std::unique_lock lock(mu_);
        Wait(work_cv_, lock, [&] { return stop_ || turns_wanted_ != done; });
        if (stop_) return;
        wanted = turns_wanted_;
      }
      for (; done < wanted; ++done) {
        const ThreadCounts before = Counts::Read();
        node_.Turn(clock);
        AddCounts(before);
        {
          std::lock_guard lock(mu_);
          turns_done_ = done + 1;
        }
        done_cv_.notify_all();
      }
    }
  }

  void AddCounts(const ThreadCounts& before) {
    const ThreadCounts after = Counts::Read();
    other_allocs_.fetch_add(after.allocs - before.allocs,
                            std::memory_order_acq_rel);
    other_bytes_.fetch_add(after.bytes - before.bytes,
                           std::memory_order_acq_rel);
  }

  const PipelineInputs& inputs_;
  const size_t in_flight_;
  const size_t clients_;
  telemetry::Meter meter_;
  typename Side::Metrics metrics_{meter_};
  vm::VmTable table_;
  RaftNode<Side> node_;
  std::vector<PipelineStats> client_stats_;  // one slot per client
  std::vector<std::vector<typename Side::Waiter>> client_waiters_;

  // The hand-offs between threads: a mutex and two condition variables.
  // work_cv_: the Raft thread and helper clients wait for turns and
  // passes; done_cv_: clients wait for turns and the caller for the
  // helpers. (With std::atomic wait/notify here a helper once slept
  // through a pass notification for good, and a client through its
  // waiter's Send: see Wait.)
  static constexpr auto kRecheck = std::chrono::milliseconds(5);
  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  uint64_t pass_ = 0;
  uint64_t first_turn_ = 0;  // turns before this pass
  size_t arrived_ = 0;
  uint64_t turns_wanted_ = 0;
  uint64_t turns_done_ = 0;
  size_t helpers_done_ = 0;
  bool stop_ = false;

  std::atomic<uint64_t> other_allocs_{0};
  std::atomic<uint64_t> other_bytes_{0};
  std::thread raft_thread_;
  std::vector<std::thread> helpers_;
};

}  // namespace hotpath::scenarios

#endif  // HOTPATH_BENCHES_SCENARIOS_PROPOSAL_PIPELINE_H_
