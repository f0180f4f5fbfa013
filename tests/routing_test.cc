// The routing contract: before and after put on the wire the bytes an
// independent model says (ModelRouter below: a set of peers, a sequence
// number and the frame layout of common/transport/frame.h written out byte by
// byte, sharing no code with either side), return its errors (unknown peer,
// oversize frame), keep its per-type counts, and the after falls back to a
// fresh allocation, with the same bytes, when its pool tier is exhausted.
// Fixed cases, a frame spelled out by hand, every error path, a seeded random
// sequence of 2x10^4 operations, and threads sending through one router.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/cluster/peer_info.h"
#include "common/raft/message.h"
#include "common/transport/frame.h"
#include "common/wire/codec.h"
#include "impl_after/routing/router.h"
#include "impl_before/routing/router.h"
#if HOTPATH_HAVE_ALLOC_COUNTER
#include "benches/harness/alloc_counter.h"
#endif

namespace hotpath::routing {
namespace {

using transport::Priority;
using transport::Status;
using wire::Bytes;

struct BeforeApi {
  using Router = before::Router;
  using Frame = before::Frame;
  using FrameSink = before::FrameSink;
};
struct AfterApi {
  using Router = after::Router;
  using Frame = after::Frame;
  using FrameSink = after::FrameSink;
};

constexpr uint64_t kNode = 1;

// What a sink saw of one frame.
struct Sent {
  uint64_t target;
  Priority priority;
  Bytes bytes;
  bool operator==(const Sent&) const = default;
  bool operator<(const Sent& o) const {
    return std::tie(target, priority, bytes) <
           std::tie(o.target, o.priority, o.bytes);
  }
};

// Records every frame; while holding, also keeps the frames themselves (an
// outbound queue that does not drain), which keeps their pooled buffers.
template <typename Api>
class RecordingSink : public Api::FrameSink {
 public:
  void Deliver(typename Api::Frame frame) override {
    std::lock_guard lock(mutex_);
    const auto bytes = frame.bytes();
    sent_.push_back(
        {frame.target(), frame.priority(), {bytes.begin(), bytes.end()}});
    if (holding_) held_.push_back(std::move(frame));
  }

  std::vector<Sent> Take() {
    std::lock_guard lock(mutex_);
    return std::exchange(sent_, {});
  }
  void Hold(bool holding) { holding_ = holding; }
  size_t held() const { return held_.size(); }
  // Drops the oldest `count` held frames, returning their buffers.
  void Release(size_t count) {
    for (; count > 0 && !held_.empty(); --count) held_.pop_front();
  }
  void ReleaseAll() { held_.clear(); }
  const std::deque<typename Api::Frame>& held_frames() const { return held_; }

 private:
  std::mutex mutex_;
  std::vector<Sent> sent_;
  bool holding_ = false;
  std::deque<typename Api::Frame> held_;
};

// A router on node 1 with peers 2 to 5 and a recording sink.
template <typename Api>
struct Node {
  RecordingSink<Api> sink;
  typename Api::Router router{kNode, sink};

  Node() {
    for (uint64_t id = 2; id <= 5; ++id) router.AddPeer(cluster::MakePeer(id));
  }
  // Held frames go back to the pool before the router goes.
  ~Node() { sink.ReleaseAll(); }
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;
};

Bytes Filled(size_t size, uint64_t seed) {
  Bytes data(size);
  std::mt19937_64 rng(seed);
  uint64_t bits = 0;
  for (size_t i = 0; i < size; ++i) {
    if (i % 8 == 0) bits = rng();
    data[i] = static_cast<uint8_t>(bits >> (8 * (i % 8)));
  }
  return data;
}

raft::Message Vote(uint64_t to, uint64_t term) {
  raft::Message m;
  m.type = raft::MessageType::kRequestVote;
  m.from = kNode;
  m.to = to;
  m.term = term;
  m.log_term = term - 1;
  m.index = 100 + term;
  return m;
}

raft::Message Heartbeat(uint64_t to, uint64_t commit) {
  raft::Message m;
  m.type = raft::MessageType::kHeartbeat;
  m.from = kNode;
  m.to = to;
  m.term = 7;
  m.commit = commit;
  return m;
}

raft::Message Append(uint64_t to, uint64_t index,
                     const std::vector<size_t>& sizes) {
  raft::Message m;
  m.type = raft::MessageType::kAppend;
  m.from = kNode;
  m.to = to;
  m.term = 7;
  m.log_term = 7;
  m.index = index;
  m.commit = index;
  for (const size_t size : sizes) {
    ++index;
    m.entries.push_back({index, 7, Filled(size, index)});
  }
  return m;
}

// Parses `sent` and checks it carries `message` with the given sequence.
void ExpectRaftFrame(const Sent& sent, const raft::Message& message,
                     uint64_t sequence) {
  transport::FrameView view;
  ASSERT_TRUE(transport::ParseFrame(sent.bytes, view));
  EXPECT_EQ(sent.target, message.to);
  EXPECT_EQ(sent.priority, Priority::kCritical);
  EXPECT_EQ(view.version, transport::kWireVersion);
  EXPECT_EQ(view.priority, Priority::kCritical);
  EXPECT_EQ(view.flags, 0);
  EXPECT_EQ(view.id, transport::MakeRequestId(kNode, sequence));
  EXPECT_EQ(view.service, "raft");
  EXPECT_EQ(view.method, "raft.message");
  raft::Message back;
  ASSERT_TRUE(raft::Deserialize(view.payload, back));
  EXPECT_EQ(back, message);
}

// What a router means (HOTPATHS.md, routing): a send to a known peer takes
// the next request id and, if the names fit their u16 lengths and the frame
// fits 4 MiB, puts one frame on the wire; a refused frame still took its id,
// an unknown peer takes none; Raft messages go as service "raft", method
// "raft.message", and are counted by type name once sent. Serialisation of
// the Raft message, its type names and the request ids are the shared code
// wire_test.cc and RequestIdTest pin.
class ModelSink {
 public:
  void Hold(bool /*holding*/) {}  // holding frames changes no bytes
  void Release(size_t /*count*/) {}
  void Deliver(Sent sent) { sent_.push_back(std::move(sent)); }
  std::vector<Sent> Take() { return std::exchange(sent_, {}); }

 private:
  std::vector<Sent> sent_;
};

class ModelRouter {
 public:
  ModelRouter(uint64_t node_id, ModelSink& sink)
      : node_id_(node_id), sink_(sink) {}

  void AddPeer(const cluster::PeerInfo& peer) { peers_.insert(peer.id); }
  void RemovePeer(uint64_t id) { peers_.erase(id); }

  Status SendRaftMessage(const raft::Message& message) {
    Bytes payload;
    raft::Serialize(message, payload);
    Status status = Send(message.to, "raft", "raft.message", payload);
    if (status.ok())
      ++counts_[std::string(raft::MessageTypeName(message.type))];
    return status;
  }

  Status Send(uint64_t target, std::string_view service,
              std::string_view method, std::span<const uint8_t> payload) {
    if (!peers_.contains(target)) {
      return {Status::Code::kUnknownPeer,
              "peer " + std::to_string(target) + " not found"};
    }
    const uint64_t sequence = next_sequence_++;
    if (service.size() > 0xFFFF) {
      return {Status::Code::kOversize, "service name of " +
                                           std::to_string(service.size()) +
                                           " bytes exceeds 65535"};
    }
    if (method.size() > 0xFFFF) {
      return {Status::Code::kOversize, "method name of " +
                                           std::to_string(method.size()) +
                                           " bytes exceeds 65535"};
    }
    const size_t size =
        24 + 2 + service.size() + 2 + method.size() + payload.size();
    if (size > (size_t{4} << 20)) {
      return {Status::Code::kOversize,
              "frame of " + std::to_string(size) +
                  " bytes exceeds the 4194304-byte limit"};
    }
    Priority priority = Priority::kLow;
    if (service == "raft") {
      priority = Priority::kCritical;
    } else if (service == "health") {
      priority = Priority::kHigh;
    } else if (service == "vm" || service == "status") {
      priority = Priority::kNormal;
    }
    Bytes frame = {1, static_cast<uint8_t>(priority), 0, 0};
    PutLittleEndian(frame, payload.size(), 4);
    const transport::RequestId id =
        transport::MakeRequestId(node_id_, sequence);
    frame.insert(frame.end(), id.begin(), id.end());
    PutLittleEndian(frame, service.size(), 2);
    frame.insert(frame.end(), service.begin(), service.end());
    PutLittleEndian(frame, method.size(), 2);
    frame.insert(frame.end(), method.begin(), method.end());
    frame.insert(frame.end(), payload.begin(), payload.end());
    EXPECT_EQ(frame.size(), size);
    sink_.Deliver({target, priority, std::move(frame)});
    return {};
  }

  const std::map<std::string, uint64_t>& MessageCounts() const {
    return counts_;
  }

 private:
  static void PutLittleEndian(Bytes& out, size_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) {
      out.push_back(static_cast<uint8_t>(value >> (8 * i)));
    }
  }

  uint64_t node_id_;
  ModelSink& sink_;
  std::set<uint64_t> peers_;
  uint64_t next_sequence_ = 0;
  std::map<std::string, uint64_t> counts_;
};

// The model with peers 2 to 5, as Node has.
struct ModelNode {
  ModelSink sink;
  ModelRouter router{kNode, sink};

  ModelNode() {
    for (uint64_t id = 2; id <= 5; ++id) router.AddPeer(cluster::MakePeer(id));
  }
};

template <typename T>
class RoutingEquivalenceTest : public ::testing::Test {};
using Apis = ::testing::Types<BeforeApi, AfterApi>;
TYPED_TEST_SUITE(RoutingEquivalenceTest, Apis);

TYPED_TEST(RoutingEquivalenceTest, FixedCases) {
  Node<TypeParam> node;
  ModelNode model;
  raft::Message vote_response = Vote(3, 9);
  vote_response.type = raft::MessageType::kRequestVoteResponse;
  vote_response.reject = true;
  raft::Message snapshot = Heartbeat(5, 1);
  snapshot.type = raft::MessageType::kSnapshot;
  snapshot.snapshot = Filled(70'000, 3);
  const std::vector<raft::Message> messages = {
      Vote(2, 8),       Heartbeat(3, 41),
      Heartbeat(4, 41), Append(5, 40, {1024, 2048, 3072, 4096, 5120}),
      vote_response,    snapshot,
      Append(2, 45, {})};
  for (const auto& m : messages) {
    EXPECT_TRUE(node.router.SendRaftMessage(m).ok());
    EXPECT_TRUE(model.router.SendRaftMessage(m).ok());
  }
  const std::vector<Sent> got = node.sink.Take();
  EXPECT_EQ(got, model.sink.Take());
  ASSERT_EQ(got.size(), messages.size());
  for (size_t i = 0; i < messages.size(); ++i) {
    SCOPED_TRACE(i);
    ExpectRaftFrame(got[i], messages[i], i);
  }
  const std::map<std::string, uint64_t> counts = {{"MsgRequestVote", 1},
                                                  {"MsgHeartbeat", 2},
                                                  {"MsgAppend", 2},
                                                  {"MsgRequestVoteResponse", 1},
                                                  {"MsgSnapshot", 1}};
  EXPECT_EQ(node.router.MessageCounts(), counts);
  EXPECT_EQ(model.router.MessageCounts(), counts);
}

// The wire form spelled out by hand, so both sides are held to it and not
// just to each other.
TYPED_TEST(RoutingEquivalenceTest, HeartbeatFrameLayoutIsPinned) {
  Node<TypeParam> node;
  const raft::Message m = Heartbeat(2, 41);
  ASSERT_TRUE(node.router.SendRaftMessage(m).ok());
  Bytes payload;
  raft::Serialize(m, payload);
  ASSERT_EQ(payload.size(), 58U);
  Bytes expected = {1, 3, 0, 0, 58, 0, 0, 0};
  const auto id = transport::MakeRequestId(kNode, 0);
  expected.insert(expected.end(), id.begin(), id.end());
  expected.insert(expected.end(), {4, 0, 'r', 'a', 'f', 't'});
  expected.insert(expected.end(), {12, 0, 'r', 'a', 'f', 't', '.', 'm', 'e',
                                   's', 's', 'a', 'g', 'e'});
  expected.insert(expected.end(), payload.begin(), payload.end());
  const auto got = node.sink.Take();
  ASSERT_EQ(got.size(), 1U);
  EXPECT_EQ(got[0].bytes, expected);
  EXPECT_EQ(got[0].bytes.size(), transport::FrameSize(4, 12, 58));
}

TEST(RequestIdTest, DistinctPerNodeAndSequence) {
  std::set<transport::RequestId> ids;
  for (uint64_t node = 0; node < 8; ++node) {
    for (uint64_t seq = 0; seq < 1000; ++seq) {
      ids.insert(transport::MakeRequestId(node, seq));
    }
  }
  EXPECT_EQ(ids.size(), 8000U);
  EXPECT_EQ(transport::MakeRequestId(3, 4), transport::MakeRequestId(3, 4));
}

TYPED_TEST(RoutingEquivalenceTest, PriorityFollowsTheService) {
  Node<TypeParam> node;
  ModelNode model;
  const std::vector<std::pair<std::string_view, Priority>> cases = {
      {"raft", Priority::kCritical}, {"health", Priority::kHigh},
      {"vm", Priority::kNormal},     {"status", Priority::kNormal},
      {"scheduler", Priority::kLow}, {"", Priority::kLow},
      {"Raft", Priority::kLow},      {"vm.create", Priority::kLow}};
  const Bytes payload = Filled(300, 9);
  for (const auto& [service, priority] : cases) {
    EXPECT_TRUE(node.router.Send(3, service, "m", payload).ok());
    EXPECT_TRUE(model.router.Send(3, service, "m", payload).ok());
  }
  const auto got = node.sink.Take();
  EXPECT_EQ(got, model.sink.Take());
  ASSERT_EQ(got.size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    transport::FrameView view;
    ASSERT_TRUE(transport::ParseFrame(got[i].bytes, view));
    EXPECT_EQ(view.priority, cases[i].second) << cases[i].first;
    EXPECT_EQ(got[i].priority, cases[i].second) << cases[i].first;
    EXPECT_EQ(view.service, cases[i].first);
    EXPECT_EQ(view.method, "m");
    EXPECT_EQ(Bytes(view.payload.begin(), view.payload.end()), payload);
  }
  // Generic sends are not Raft messages.
  EXPECT_TRUE(node.router.MessageCounts().empty());
}

TYPED_TEST(RoutingEquivalenceTest, UnknownPeerSendsNothing) {
  Node<TypeParam> node;
  const Status raft_status = node.router.SendRaftMessage(Heartbeat(9, 1));
  EXPECT_EQ(raft_status.code(), Status::Code::kUnknownPeer);
  EXPECT_EQ(raft_status.message(), "peer 9 not found");
  const Status send_status = node.router.Send(0, "vm", "vm.create", {});
  EXPECT_EQ(send_status.code(), Status::Code::kUnknownPeer);
  EXPECT_EQ(send_status.message(), "peer 0 not found");
  node.router.RemovePeer(3);
  EXPECT_EQ(node.router.SendRaftMessage(Vote(3, 2)),
            Status(Status::Code::kUnknownPeer, "peer 3 not found"));
  EXPECT_TRUE(node.sink.Take().empty());
  EXPECT_TRUE(node.router.MessageCounts().empty());
  // Refused sends took no request id: the next frame is sequence 0.
  node.router.AddPeer(cluster::MakePeer(3));
  ASSERT_TRUE(node.router.SendRaftMessage(Vote(3, 2)).ok());
  const auto got = node.sink.Take();
  ASSERT_EQ(got.size(), 1U);
  ExpectRaftFrame(got[0], Vote(3, 2), 0);
}

TYPED_TEST(RoutingEquivalenceTest, OversizeSendsNothing) {
  Node<TypeParam> node;
  ModelNode model;
  // Five 1 MiB entries: past the 4 MiB frame limit.
  const raft::Message big = Append(2, 1, std::vector<size_t>(5, 1 << 20));
  const Status status = node.router.SendRaftMessage(big);
  EXPECT_EQ(status.code(), Status::Code::kOversize);
  const size_t frame = transport::FrameSize(4, 12, raft::SerializedSize(big));
  EXPECT_EQ(status.message(), "frame of " + std::to_string(frame) +
                                  " bytes exceeds the 4194304-byte limit");
  EXPECT_EQ(status, model.router.SendRaftMessage(big));
  EXPECT_TRUE(node.router.MessageCounts().empty());

  // Exactly at the limit goes (past every pool tier: a fresh buffer); one
  // byte more does not.
  const size_t fits = transport::kMaxFrameSize - transport::FrameSize(2, 3, 0);
  const Bytes payload = Filled(fits + 1, 5);
  const std::span<const uint8_t> at_limit(payload.data(), fits);
  EXPECT_TRUE(node.router.Send(4, "vm", "put", at_limit).ok());
  EXPECT_TRUE(model.router.Send(4, "vm", "put", at_limit).ok());
  const Status over = node.router.Send(4, "vm", "put", payload);
  EXPECT_EQ(over.code(), Status::Code::kOversize);
  EXPECT_EQ(over, model.router.Send(4, "vm", "put", payload));

  // Names longer than their u16 length can say.
  const std::string long_name(transport::kMaxNameSize + 1, 's');
  const std::string_view max_name(long_name.data(), transport::kMaxNameSize);
  EXPECT_EQ(node.router.Send(2, long_name, "m", {}),
            Status(Status::Code::kOversize,
                   "service name of 65536 bytes exceeds 65535"));
  EXPECT_EQ(node.router.Send(2, "s", long_name, {}),
            Status(Status::Code::kOversize,
                   "method name of 65536 bytes exceeds 65535"));
  EXPECT_EQ(model.router.Send(2, long_name, "m", {}),
            Status(Status::Code::kOversize,
                   "service name of 65536 bytes exceeds 65535"));
  EXPECT_EQ(model.router.Send(2, "s", long_name, {}),
            Status(Status::Code::kOversize,
                   "method name of 65536 bytes exceeds 65535"));
  EXPECT_TRUE(node.router.Send(2, max_name, max_name, {}).ok());
  EXPECT_TRUE(model.router.Send(2, max_name, max_name, {}).ok());

  // Only the two good frames went out, identical on both sides, and every
  // refused frame still took its request id, alike on both.
  const auto got = node.sink.Take();
  EXPECT_EQ(got, model.sink.Take());
  ASSERT_EQ(got.size(), 2U);
  EXPECT_EQ(got[0].bytes.size(), transport::kMaxFrameSize);
  transport::FrameView view;
  ASSERT_TRUE(transport::ParseFrame(got[1].bytes, view));
  EXPECT_EQ(view.service.size(), transport::kMaxNameSize);
  EXPECT_EQ(view.id, transport::MakeRequestId(kNode, 5));
}

// Frames held by a sink keep their buffers; once a tier is empty the after
// takes a fresh buffer, and the bytes do not change.
TYPED_TEST(RoutingEquivalenceTest, ExhaustedPoolFallsBackWithSameBytes) {
  Node<TypeParam> node;
  ModelNode model;
  node.sink.Hold(true);
  std::vector<raft::Message> messages;
  for (uint64_t i = 0; i < 150; ++i)
    messages.push_back(Heartbeat(2 + i % 4, i));
  for (uint64_t i = 0; i < 60; ++i) {
    messages.push_back(Append(2 + i % 4, i, {1000 + 40 * i, 3000}));
  }
  for (uint64_t i = 0; i < 12; ++i) {
    messages.push_back(Append(3, i, {300'000, 300'000}));
  }
  for (const auto& m : messages) {
    ASSERT_TRUE(node.router.SendRaftMessage(m).ok());
    ASSERT_TRUE(model.router.SendRaftMessage(m).ok());
  }
  EXPECT_EQ(node.sink.Take(), model.sink.Take());
  // The held frames still read the bytes they were sent with.
  ASSERT_EQ(node.sink.held(), messages.size());
  for (size_t i = 0; i < messages.size(); ++i) {
    transport::FrameView view;
    ASSERT_TRUE(
        transport::ParseFrame(node.sink.held_frames()[i].bytes(), view));
    raft::Message back;
    ASSERT_TRUE(raft::Deserialize(view.payload, back));
    ASSERT_EQ(back, messages[i]) << i;
  }
  if constexpr (std::is_same_v<TypeParam, AfterApi>) {
    const auto& pool = node.router.pool();
    EXPECT_EQ(pool.fallbacks(), 50U + 10U + 2U);
    for (size_t t = 0; t < 3; ++t) EXPECT_EQ(pool.available(t), 0U) << t;
    node.sink.ReleaseAll();
    for (size_t t = 0; t < 3; ++t) {
      EXPECT_EQ(pool.available(t), after::BufferPool::kTiers[t].count) << t;
    }
    node.sink.Hold(false);
    ASSERT_TRUE(node.router.SendRaftMessage(Heartbeat(2, 1)).ok());
    EXPECT_EQ(pool.fallbacks(), 62U);  // warm again: no fresh buffer
  }
}

TEST(BufferPoolTest, MovedBuffersReturnOnce) {
  after::BufferPool pool;
  auto a = pool.Acquire(10);
  ASSERT_TRUE(a.pooled());
  EXPECT_GE(a.bytes().capacity(), 1024U);
  auto b = std::move(a);
  EXPECT_EQ(pool.available(0), 99U);
  auto c = pool.Acquire(2000);  // 64 KiB tier
  EXPECT_EQ(pool.available(1), 49U);
  c = std::move(b);  // c's 64 KiB buffer goes back, b's 1 KiB one moves in
  EXPECT_EQ(pool.available(1), 50U);
  EXPECT_EQ(pool.available(0), 99U);
  auto big = pool.Acquire((size_t{1} << 20) + 1);
  EXPECT_FALSE(big.pooled());
  EXPECT_EQ(pool.fallbacks(), 1U);
  c = std::move(big);
  EXPECT_EQ(pool.available(0), 100U);
  EXPECT_FALSE(c.pooled());
}

// Applies a seeded random operation to any node; both nodes see the same
// stream and must agree after every step.
class OperationStream {
 public:
  explicit OperationStream(uint64_t seed) : rng_(seed) {}

  struct Outcome {
    Status status;
    std::vector<Sent> sent;
    bool operator==(const Outcome&) const = default;
  };

  template <typename AnyNode>
  Outcome Apply(AnyNode& node) {
    // The node's own choices come from a copy, so both nodes draw alike.
    std::mt19937_64 rng = rng_;
    const auto pick = [&rng](uint64_t n) { return rng() % n; };
    Outcome outcome;
    const uint64_t op = pick(100);
    if (op < 3) {
      node.router.AddPeer(cluster::MakePeer(2 + pick(7)));
    } else if (op < 5) {
      node.router.RemovePeer(2 + pick(7));
    } else if (op < 7) {
      node.sink.Hold(pick(2) == 0);
    } else if (op < 10) {
      node.sink.Release(pick(80));
    } else if (op < 20) {
      static constexpr std::string_view kServices[] = {"raft", "health", "vm",
                                                       "status", "gossip"};
      // One draw per statement: argument order is unspecified.
      const uint64_t size = pick(3) == 0 ? pick(70'000) : pick(900);
      const Bytes payload = Filled(size, rng());
      const uint64_t target = pick(10);
      const std::string_view service = kServices[pick(5)];
      const std::string_view method = pick(2) == 0 ? "get" : "vm.create";
      outcome.status = node.router.Send(target, service, method, payload);
    } else {
      outcome.status = node.router.SendRaftMessage(RandomMessage(rng));
    }
    outcome.sent = node.sink.Take();
    last_ = rng;
    return outcome;
  }

  // Moves past the operation just applied to both nodes.
  void Next() { rng_ = last_; }

 private:
  static raft::Message RandomMessage(std::mt19937_64& rng) {
    const auto pick = [&rng](uint64_t n) { return rng() % n; };
    raft::Message m;
    m.type = static_cast<raft::MessageType>(pick(raft::kMessageTypeCount));
    m.from = kNode;
    m.to = pick(10);  // 0, 1 and 6..9 are mostly unknown
    m.term = pick(50);
    m.log_term = pick(50);
    m.index = pick(100'000);
    m.commit = pick(100'000);
    m.reject = pick(8) == 0;
    if (m.type == raft::MessageType::kAppend) {
      for (uint64_t e = 1 + pick(5); e > 0; --e) {
        // Mostly 1-5 KiB; now and then a large entry, rarely one past 4 MiB.
        const uint64_t size_class = pick(1000);
        const size_t size = size_class == 0   ? (size_t{4} << 20) + pick(100)
                            : size_class < 20 ? 200'000 + pick(300'000)
                                              : 1024 + pick(4096);
        m.entries.push_back({m.index + e, m.term, Filled(size, rng())});
      }
    } else if (m.type == raft::MessageType::kSnapshot) {
      const size_t size = pick(50) == 0 ? pick(2'000'000) : pick(5000);
      m.snapshot = Filled(size, rng());
    }
    return m;
  }

  std::mt19937_64 rng_;
  std::mt19937_64 last_;
};

TYPED_TEST(RoutingEquivalenceTest, SeededRandomSequence) {
  constexpr uint64_t kSeed = 20261122;
  constexpr int kOps = 20'000;
  Node<TypeParam> node;
  ModelNode model;
  OperationStream stream(kSeed);
  std::map<Status::Code, int> outcomes;
  size_t frames = 0;
  for (int i = 0; i < kOps; ++i) {
    const auto got = stream.Apply(node);
    const auto want = stream.Apply(model);
    stream.Next();
    ASSERT_EQ(got.status, want.status) << "seed " << kSeed << " op " << i;
    ASSERT_EQ(got.sent, want.sent) << "seed " << kSeed << " op " << i;
    ++outcomes[got.status.code()];
    frames += got.sent.size();
  }
  EXPECT_EQ(node.router.MessageCounts(), model.router.MessageCounts());
  // Every path was taken, so the equality above means something.
  EXPECT_GT(outcomes[Status::Code::kUnknownPeer], 1000) << "seed " << kSeed;
  EXPECT_GT(outcomes[Status::Code::kOversize], 0) << "seed " << kSeed;
  EXPECT_GT(frames, 5000U) << "seed " << kSeed;
  if constexpr (std::is_same_v<TypeParam, AfterApi>) {
    EXPECT_GT(node.router.pool().fallbacks(), 0U) << "seed " << kSeed;
  }
}

TYPED_TEST(RoutingEquivalenceTest, ThreadsSendingConcurrently) {
  constexpr int kThreads = 4;
  constexpr uint64_t kPerThread = 2500;
  const auto message = [](int thread, uint64_t i) {
    const uint64_t to =
        2 + (i + static_cast<uint64_t>(thread)) % 5;  // 6: unknown
    switch (i % 7) {
      case 0:
        return Vote(to, i);
      case 1:
        return Append(to, i, {1024 + i % 4096});
      default:
        return Heartbeat(to, i);
    }
  };
  Node<TypeParam> node;
  node.sink.Hold(true);  // every thread holds buffers: tiers run dry
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&node, &message, t] {
      for (uint64_t i = 0; i < kPerThread; ++i) {
        const raft::Message m = message(t, i);
        const Status status = node.router.SendRaftMessage(m);
        EXPECT_EQ(status.ok(), m.to != 6);
      }
    });
  }
  for (auto& th : threads) th.join();
  ModelNode model;
  for (int t = 0; t < kThreads; ++t) {
    for (uint64_t i = 0; i < kPerThread; ++i) {
      (void)model.router.SendRaftMessage(message(t, i));
    }
  }
  EXPECT_EQ(node.router.MessageCounts(), model.router.MessageCounts());
  // Which thread got which request id is a race; everything else is not.
  auto got = node.sink.Take();
  auto want = model.sink.Take();
  ASSERT_EQ(got.size(), want.size());
  std::set<transport::RequestId> ids;
  for (auto* frames : {&got, &want}) {
    for (Sent& s : *frames) {
      transport::FrameView view;
      ASSERT_TRUE(transport::ParseFrame(s.bytes, view));
      if (frames == &got) ids.insert(view.id);
      std::fill_n(s.bytes.begin() + 8, 16, uint8_t{0});
    }
    std::sort(frames->begin(), frames->end());
  }
  EXPECT_EQ(got, want);
  std::set<transport::RequestId> expected_ids;
  for (uint64_t s = 0; s < want.size(); ++s) {
    expected_ids.insert(transport::MakeRequestId(kNode, s));
  }
  EXPECT_EQ(ids, expected_ids);
}

#if HOTPATH_HAVE_ALLOC_COUNTER
// Drops every frame at once, as a transport that writes synchronously.
template <typename Api>
class DroppingSink : public Api::FrameSink {
 public:
  void Deliver(typename Api::Frame frame) override {
    bytes_ += frame.bytes().size();
  }
  size_t bytes_ = 0;
};

TYPED_TEST(RoutingEquivalenceTest, WarmAfterAllocatesNothing) {
  if (!harness::AllocCountingEnabled()) GTEST_SKIP() << "counting off";
  std::vector<raft::Message> mix;
  for (uint64_t i = 0; i < 20; ++i) mix.push_back(Vote(2 + i % 4, i + 2));
  for (uint64_t i = 0; i < 100; ++i) mix.push_back(Heartbeat(2 + i % 4, i));
  for (uint64_t i = 0; i < 20; ++i) {
    mix.push_back(Append(2 + i % 4, i, {1024, 2048, 3072, 4096, 5120}));
  }
  DroppingSink<TypeParam> sink;
  typename TypeParam::Router router(kNode, sink);
  for (uint64_t id = 2; id <= 5; ++id) router.AddPeer(cluster::MakePeer(id));
  for (const auto& m : mix) ASSERT_TRUE(router.SendRaftMessage(m).ok());
  const harness::AllocStats start = harness::ThreadAllocStats();
  for (const auto& m : mix) ASSERT_TRUE(router.SendRaftMessage(m).ok());
  const uint64_t allocs = (harness::ThreadAllocStats() - start).allocs;
  if constexpr (std::is_same_v<TypeParam, AfterApi>) {
    EXPECT_EQ(allocs, 0U);
  } else {
    // Two serialisations and a 4-allocation peer copy, at least, per message.
    EXPECT_GE(allocs, 6 * mix.size());
  }
}
#endif

}  // namespace
}  // namespace hotpath::routing
