// routing/<Operation>/<variant>: the Raft send path on the before and after
// routers. A cluster of 5 (node 1 sending to peers 2 to 5); the mix from
// HOTPATHS.md: 20 votes, 100 heartbeats and 20 appends of 5 entries of
// 1-5 KiB, shuffled once with a fixed seed. One iteration replays a fixed
// message list, so allocations per op are exact; items are messages. The
// sink stands in for the connection: it reads each frame's size and last
// byte (the router's writes must land) and drops the frame, which returns a
// pooled buffer at once; the held-burst case keeps a whole burst queued
// first, as a slow connection does, which runs the 1 KiB tier dry.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string_view>
#include <type_traits>
#include <vector>

#include "benches/harness/bench_support.h"
#include "common/cluster/peer_info.h"
#include "common/raft/message.h"
#include "common/transport/frame.h"
#include "common/wire/codec.h"
#include "impl_after/routing/router.h"
#include "impl_before/routing/router.h"

namespace hotpath::routing {
namespace {

constexpr uint64_t kNode = 1;
constexpr uint64_t kPeers = 4;  // 2..5

template <typename Frame>
struct ThreadState {
  uint64_t checksum = 0;
  std::vector<wire::Bytes>* capture = nullptr;  // copies every frame if set
  std::vector<Frame>* held = nullptr;           // keeps every frame if set
};

template <typename Api>
class BenchSink : public Api::FrameSink {
 public:
  using Frame = typename Api::Frame;

  void Deliver(Frame frame) override {
    ThreadState<Frame>& state = Thread();
    const auto bytes = frame.bytes();
    state.checksum += bytes.size() + bytes.back();
    if (state.capture != nullptr) {
      state.capture->emplace_back(bytes.begin(), bytes.end());
    }
    if (state.held != nullptr) state.held->push_back(std::move(frame));
  }

  // Per thread, so threads sharing the router do not share a cache line.
  static ThreadState<Frame>& Thread() {
    static thread_local ThreadState<Frame> state;
    return state;
  }
};

template <typename Api>
struct Variant {
  BenchSink<Api> sink;
  typename Api::Router router{kNode, sink};
  Variant();
};

struct BeforeApi {
  static constexpr std::string_view kName = "before";
  using Router = before::Router;
  using Frame = before::Frame;
  using FrameSink = before::FrameSink;
};
struct AfterApi {
  static constexpr std::string_view kName = "after";
  using Router = after::Router;
  using Frame = after::Frame;
  using FrameSink = after::FrameSink;
};

// One router per variant for the process, shared by all threads.
template <typename Api>
Variant<Api>& Shared() {
  static Variant<Api> variant;
  return variant;
}

wire::Bytes Filled(size_t size, uint64_t seed) {
  wire::Bytes data(size);
  std::mt19937_64 rng(seed);
  for (auto& b : data) b = static_cast<uint8_t>(rng());
  return data;
}

uint64_t Peer(uint64_t i) { return 2 + i % kPeers; }

raft::Message Vote(uint64_t i) {
  raft::Message m;
  m.type = raft::MessageType::kRequestVote;
  m.from = kNode;
  m.to = Peer(i);
  m.term = 12 + i / kPeers;
  m.log_term = 11;
  m.index = 4096 + i;
  return m;
}

raft::Message Heartbeat(uint64_t i) {
  raft::Message m;
  m.type = raft::MessageType::kHeartbeat;
  m.from = kNode;
  m.to = Peer(i);
  m.term = 12;
  m.commit = 4000 + i;
  return m;
}

// `entries` entries of 1-5 KiB.
raft::Message Append(uint64_t i, size_t entries) {
  std::mt19937_64 rng(i);
  raft::Message m;
  m.type = raft::MessageType::kAppend;
  m.from = kNode;
  m.to = Peer(i);
  m.term = 12;
  m.log_term = 12;
  m.index = 4000 + i * entries;
  m.commit = m.index;
  for (size_t e = 1; e <= entries; ++e) {
    const size_t size = 1024 + rng() % (4 * 1024 + 1);
    m.entries.push_back({m.index + e, 12, Filled(size, rng())});
  }
  return m;
}

std::vector<raft::Message> Mix() {
  std::vector<raft::Message> mix;
  for (uint64_t i = 0; i < 20; ++i) mix.push_back(Vote(i));
  for (uint64_t i = 0; i < 100; ++i) mix.push_back(Heartbeat(i));
  for (uint64_t i = 0; i < 20; ++i) mix.push_back(Append(i, 5));
  std::shuffle(mix.begin(), mix.end(), std::mt19937_64(42));
  return mix;
}

std::vector<raft::Message> Only(raft::MessageType type) {
  std::vector<raft::Message> out;
  for (const auto& m : Mix()) {
    if (m.type == type) out.push_back(m);
  }
  return out;
}

// Peers 2 to 5, and two frames per pool tier held at once, so no buffer a
// thread of a two-thread run may take is first reserved inside a timed loop.
template <typename Api>
Variant<Api>::Variant() {
  for (uint64_t id = 2; id < 2 + kPeers; ++id) {
    router.AddPeer(cluster::MakePeer(id));
  }
  std::vector<typename Api::Frame> queue;
  BenchSink<Api>::Thread().held = &queue;
  for (uint64_t i = 0; i < 2; ++i) {
    (void)router.SendRaftMessage(Heartbeat(i));
    (void)router.SendRaftMessage(Append(i, 5));
    (void)router.SendRaftMessage(Append(i, 100));
  }
  BenchSink<Api>::Thread().held = nullptr;
}

// Sends every message; returns how many failed.
template <typename Api>
size_t Pass(Variant<Api>& variant, const std::vector<raft::Message>& messages) {
  size_t failures = 0;
  for (const auto& m : messages) {
    if (!variant.router.SendRaftMessage(m).ok()) ++failures;
  }
  if (auto* held = BenchSink<Api>::Thread().held) held->clear();
  return failures;
}

// The frames of one more pass must decode to the messages sent.
template <typename Api>
bool FramesCarry(Variant<Api>& variant,
                 const std::vector<raft::Message>& messages) {
  std::vector<wire::Bytes> frames;
  BenchSink<Api>::Thread().capture = &frames;
  const size_t failures = Pass(variant, messages);
  BenchSink<Api>::Thread().capture = nullptr;
  if (failures != 0 || frames.size() != messages.size()) return false;
  for (size_t i = 0; i < frames.size(); ++i) {
    transport::FrameView view;
    raft::Message back;
    if (!transport::ParseFrame(frames[i], view) || view.service != "raft" ||
        view.method != "raft.message" ||
        view.priority != transport::Priority::kCritical ||
        !raft::Deserialize(view.payload, back) || !(back == messages[i])) {
      return false;
    }
  }
  return true;
}

// `held`: frames the sink keeps queued until the end of each pass (0: none).
template <typename Api>
void RunPasses(benchmark::State& state,
               const std::vector<raft::Message>& messages, size_t held = 0) {
  Variant<Api>& variant = Shared<Api>();
  auto& thread = BenchSink<Api>::Thread();
  std::vector<typename Api::Frame> queue;
  queue.reserve(held);
  thread.held = held > 0 ? &queue : nullptr;
  size_t failures = Pass(variant, messages);  // warm-up
  harness::AllocationScope allocations(state,
                                       static_cast<double>(messages.size()));
  if (std::is_same_v<Api, AfterApi> && held == 0 && state.threads() == 1) {
    allocations.ExpectAtMost(0);
  }
  for (auto _ : state) {
    failures += Pass(variant, messages);
  }
  allocations.Report();
  benchmark::DoNotOptimize(thread.checksum);
  const bool carried = FramesCarry(variant, messages);
  thread.held = nullptr;
  if (failures != 0) {
    state.SkipWithError("a send failed");
  } else if (!carried) {
    state.SkipWithError("frames do not carry the messages sent");
  }
}

template <typename Api>
void BM_SendMix(benchmark::State& state) {
  static const auto messages = Mix();
  RunPasses<Api>(state, messages);
}

template <typename Api>
void BM_SendVote(benchmark::State& state) {
  static const auto messages = Only(raft::MessageType::kRequestVote);
  RunPasses<Api>(state, messages);
}

template <typename Api>
void BM_SendHeartbeat(benchmark::State& state) {
  static const auto messages = Only(raft::MessageType::kHeartbeat);
  RunPasses<Api>(state, messages);
}

// One append to each peer, of `entries` entries of 1-5 KiB: 1 and 5 land in
// the 64 KiB tier, 100 (about 300 KiB) in the 1 MiB tier.
template <typename Api>
void BM_SendAppend(benchmark::State& state) {
  const auto entries = static_cast<size_t>(state.range(0));
  std::vector<raft::Message> messages;
  for (uint64_t i = 0; i < kPeers; ++i) messages.push_back(Append(i, entries));
  RunPasses<Api>(state, messages);
}

// A burst of `held` heartbeats queued by a connection that drains only
// after the burst: past 100 the 1 KiB tier is empty and the after falls back
// to one fresh buffer per frame.
template <typename Api>
void BM_SendHeldBurst(benchmark::State& state) {
  const auto held = static_cast<size_t>(state.range(0));
  std::vector<raft::Message> messages;
  for (uint64_t i = 0; i < held; ++i) messages.push_back(Heartbeat(i));
  RunPasses<Api>(state, messages, held);
}

template <typename Api>
void RegisterVariant() {
  const auto name = [](std::string_view operation) {
    return fmt::format("routing/{}/{}", operation, Api::kName);
  };
  benchmark::RegisterBenchmark(name("SendMix").c_str(), BM_SendMix<Api>)
      ->ThreadRange(1, 2)
      ->UseRealTime();
  benchmark::RegisterBenchmark(name("SendVote").c_str(), BM_SendVote<Api>);
  benchmark::RegisterBenchmark(name("SendHeartbeat").c_str(),
                               BM_SendHeartbeat<Api>);
  benchmark::RegisterBenchmark(name("SendAppend").c_str(), BM_SendAppend<Api>)
      ->ArgName("entries")
      ->Arg(1)
      ->Arg(5)
      ->Arg(100);
  benchmark::RegisterBenchmark(name("SendHeldBurst").c_str(),
                               BM_SendHeldBurst<Api>)
      ->ArgName("held")
      ->Arg(100)
      ->Arg(200);
}

const bool kRegistered = [] {
  RegisterVariant<BeforeApi>();
  RegisterVariant<AfterApi>();
  return true;
}();

}  // namespace
}  // namespace hotpath::routing
