// Readers and writers on one shared node state at once, for both sides (and
// the absl_mutex peer when built), run under ThreadSanitizer by the tsan
// preset. Invariants:
//  - no torn peer: every field of a peer a reader sees (by copy or visitor)
//    comes from one write: the join fields from one AddPeer, the heartbeat
//    fields from one MarkPeerSeen;
//  - peers that are never removed are always found;
//  - the term a reader sees never goes back;
//  - when quiescent, the member count equals the map's size, and the map is
//    exactly what the writers left.
// Two writers work on disjoint ids, so a lost update would show; writer 0
// alone changes leadership, with rising terms.
//
// A second test checks that what one read returns is consistent: a Status
// or TryStatus never pairs one term's leader with another term, and a member
// count read before (after) a visit of the members is never above (below)
// the number visited while the membership only grows. A watchdog aborts a
// hung run.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/cluster/peer_info.h"
#include "impl_after/membership/node_state.h"
#include "impl_before/membership/node_state.h"
#ifdef HOTPATH_HAVE_MEMBERSHIP_PEERS
#include "benches/peers/absl_membership.h"
#endif

namespace hotpath::membership {
namespace {

using cluster::PeerInfo;

constexpr uint64_t kStable = 5;  // ids 1..5, never removed
constexpr int kWriters = 2;
constexpr uint64_t kChurnIdsPerWriter = 6;
constexpr int kReaders = 4;
constexpr int kWritesPerWriter = 1500;
constexpr int kReadsPerReader = 6000;

// Aborts the process when a test outlives `limit`: a livelocked reader or a
// lost wake-up must fail the run, not stall it. Generous, for sanitizer
// builds; the tests themselves stop on a budget well within it.
class Watchdog {
 public:
  explicit Watchdog(std::chrono::seconds limit)
      : thread_([this, limit] {
          std::unique_lock lock(mutex_);
          if (!done_cv_.wait_for(lock, limit, [this] { return done_; })) {
            std::fprintf(stderr,
                         "membership stress test still running after "
                         "%llds: aborting\n",
                         static_cast<long long>(limit.count()));
            std::abort();
          }
        }) {}
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;
  ~Watchdog() {
    {
      const std::lock_guard lock(mutex_);
      done_ = true;
    }
    done_cv_.notify_one();
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable done_cv_;
  bool done_ = false;
  std::thread thread_;  // last: starts once the members above exist
};

constexpr auto kWatchdogLimit = std::chrono::seconds(120);

uint64_t ChurnId(int writer, uint64_t k) {
  return 100 + static_cast<uint64_t>(writer) * 100 + k;
}

// Every join field carries the join version; shapes vary with it, so a torn
// copy would mix lengths as well as digits.
PeerInfo VersionedPeer(uint64_t id, uint64_t version) {
  PeerInfo p;
  p.id = id;
  p.node_id = fmt::format("{:016x}{:048x}", id, version);
  p.address = fmt::format("127.0.0.1:{}", 7000 + version % 1000);
  p.capabilities.assign(version % 3, fmt::format("cap-{}", version));
  p.p2p_node_id = fmt::format("12D3KooW{:040x}", version);
  p.p2p_addresses = {fmt::format("/ip4/127.0.0.1/tcp/{}", version)};
  if (version % 2 == 0) p.relay_url = fmt::format("https://r{}.local", version);
  p.last_seen = std::chrono::system_clock::time_point(
      std::chrono::seconds(static_cast<int64_t>(version)));
  p.connection_quality.latency_ms = static_cast<double>(version);
  p.is_connected = true;
  return p;
}

// The join version of p, or a description of how it is torn.
std::string CheckPeer(const PeerInfo& p, uint64_t key) {
  if (p.id != key) return fmt::format("id {} under key {}", p.id, key);
  if (p.node_id.size() != 64) return "node_id length";
  const uint64_t version = std::stoull(p.node_id.substr(16), nullptr, 16);
  const PeerInfo want = VersionedPeer(key, version);
  if (p.node_id != want.node_id || p.address != want.address ||
      p.capabilities != want.capabilities ||
      p.p2p_node_id != want.p2p_node_id ||
      p.p2p_addresses != want.p2p_addresses || p.relay_url != want.relay_url) {
    return fmt::format("join fields of peer {} torn at version {}", key,
                       version);
  }
  const auto seen = std::chrono::duration_cast<std::chrono::seconds>(
                        p.last_seen.time_since_epoch())
                        .count();
  if (static_cast<double>(seen) != p.connection_quality.latency_ms) {
    return fmt::format("heartbeat fields of peer {} torn", key);
  }
  return {};
}

template <typename T>
class MembershipStressTest : public ::testing::Test {};

#ifdef HOTPATH_HAVE_MEMBERSHIP_PEERS
using Variants =
    ::testing::Types<before::SharedNodeState, after::SharedNodeState,
                     absl_mutex::SharedNodeState>;
#else
using Variants =
    ::testing::Types<before::SharedNodeState, after::SharedNodeState>;
#endif
TYPED_TEST_SUITE(MembershipStressTest, Variants);

TYPED_TEST(MembershipStressTest, ReadersAndWritersKeepTheInvariants) {
  const Watchdog watchdog(kWatchdogLimit);
  TypeParam node;
  for (uint64_t id = 1; id <= kStable; ++id) node.AddPeer(VersionedPeer(id, 1));
  node.SetLeadership(true, 1, 1);
  node.SetInitialized(true);

  uint64_t next_term = 2;  // writer 0's
  std::vector<std::map<uint64_t, PeerInfo>> left(kWriters);
  std::vector<std::string> failures(kWriters + kReaders);

  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      std::mt19937_64 rng(1000 + static_cast<uint64_t>(w));
      auto& mine = left[static_cast<size_t>(w)];
      for (int i = 0; i < kWritesPerWriter; ++i) {
        const uint64_t version = 2 + static_cast<uint64_t>(i);
        const uint64_t churn = ChurnId(w, rng() % kChurnIdsPerWriter);
        switch (rng() % 5) {
          case 0:
          case 1:
            node.AddPeer(VersionedPeer(churn, version));
            mine[churn] = VersionedPeer(churn, version);
            break;
          case 2:
            if (node.RemovePeer(churn) != (mine.erase(churn) == 1)) {
              failures[static_cast<size_t>(w)] = "RemovePeer result";
            }
            break;
          case 3: {
            // Heartbeat a stable peer (both writers) or one of ours.
            const uint64_t id = rng() % 2 == 0 ? 1 + rng() % kStable : churn;
            const auto seen = std::chrono::system_clock::time_point(
                std::chrono::seconds(static_cast<int64_t>(version)));
            cluster::ConnectionQuality q;
            q.latency_ms = static_cast<double>(version);
            const bool found = node.MarkPeerSeen(id, seen, q);
            if (id > kStable) {
              if (found != (mine.count(id) == 1)) {
                failures[static_cast<size_t>(w)] = "MarkPeerSeen result";
              }
              if (found) {
                mine[id].last_seen = seen;
                mine[id].connection_quality = q;
              }
            } else if (!found) {
              failures[static_cast<size_t>(w)] = "stable peer missing";
            }
            break;
          }
          default: {
            // Only writer 0 changes leadership, so terms only go up.
            if (w != 0) break;
            const uint64_t term = next_term++;
            node.SetLeadership(term % 2 == 0, term % 2 == 0 ? 1 : 2, term);
            break;
          }
        }
      }
    });
  }
  for (int r = 0; r < kReaders; ++r) {
    threads.emplace_back([&, r] {
      std::mt19937_64 rng(2000 + static_cast<uint64_t>(r));
      std::string& failure = failures[static_cast<size_t>(kWriters + r)];
      uint64_t last_term = 0;
      const auto fail = [&](std::string what) {
        if (failure.empty()) failure = std::move(what);
      };
      for (int i = 0; i < kReadsPerReader && failure.empty(); ++i) {
        const uint64_t stable = 1 + rng() % kStable;
        const uint64_t churn = ChurnId(static_cast<int>(rng() % kWriters),
                                       rng() % kChurnIdsPerWriter);
        switch (rng() % 8) {
          case 0:
            if (!node.HasPeer(stable)) fail("stable peer not found");
            break;
          case 1: {
            const auto p = node.GetPeer(rng() % 2 == 0 ? stable : churn);
            if (p) {
              if (auto e = CheckPeer(*p, p->id); !e.empty()) fail(e);
            }
            break;
          }
          case 2: {
            const bool found = node.WithPeer(churn, [&](const PeerInfo& p) {
              if (auto e = CheckPeer(p, churn); !e.empty()) fail(e);
            });
            (void)found;
            break;
          }
          case 3: {
            const size_t count = node.MemberCount();
            if (count < kStable ||
                count > kStable + kWriters * kChurnIdsPerWriter) {
              fail(fmt::format("member count {}", count));
            }
            break;
          }
          case 4: {
            const uint64_t term = node.Term();
            if (term < last_term) fail("term went back");
            last_term = term;
            const uint64_t leader = node.LeaderId();
            if (leader != 1 && leader != 2) fail("unknown leader");
            break;
          }
          case 5: {
            const auto status = node.Status();
            if (status.role != "Leader" && status.role != "Follower") {
              fail("role " + status.role);
            }
            break;
          }
          case 6:
            for (const auto& [id, p] : node.ClusterMembers()) {
              if (auto e = CheckPeer(p, id); !e.empty()) fail(e);
            }
            break;
          default: {
            uint64_t stable_seen = 0;
            uint64_t last_id = 0;
            node.WithClusterMembers([&](const PeerInfo& p) {
              if (p.id <= last_id) fail("visit out of order");
              last_id = p.id;
              stable_seen += p.id <= kStable ? 1 : 0;
              if (auto e = CheckPeer(p, p.id); !e.empty()) fail(e);
            });
            if (stable_seen != kStable) fail("visit missed a stable peer");
          }
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  for (size_t i = 0; i < failures.size(); ++i) {
    EXPECT_EQ(failures[i], "") << (i < kWriters ? "writer " : "reader ") << i;
  }

  // Quiescent: the count is the map's size, and the map is what was left.
  const auto members = node.ClusterMembers();
  EXPECT_EQ(node.MemberCount(), members.size());
  size_t expected = kStable;
  for (const auto& mine : left) {
    expected += mine.size();
    for (const auto& [id, p] : mine) {
      const auto it = members.find(id);
      ASSERT_NE(it, members.end()) << "peer " << id << " lost";
      EXPECT_EQ(it->second, p) << "peer " << id;
    }
  }
  EXPECT_EQ(members.size(), expected);
  for (uint64_t id = 1; id <= kStable; ++id) EXPECT_TRUE(node.HasPeer(id));
  EXPECT_EQ(node.Term(), next_term - 1);
  EXPECT_EQ(node.IsLeader(), (next_term - 1) % 2 == 0);
}

// One writer grows the membership (peers 1, 2, 3, ... in order) and, between
// joins, sets leadership with leader id = term. A status reader checks that
// leader and term come from one SetLeadership; member readers read the
// count, visit the members, and read the count again: with the membership
// only growing, count <= visited <= count, and the visit sees 1..n. The
// writer stops after kGrowTo joins or on a time budget, so the test is
// bounded on any build; the race it looks for shows within a few hundred
// joins.
constexpr uint64_t kGrowTo = 3000;
constexpr uint64_t kLeadershipChangesPerJoin = 64;
constexpr uint64_t kLeadershipChangesAtTheEnd = 1'000'000;
constexpr auto kConsistencyBudget = std::chrono::milliseconds(1500);

TYPED_TEST(MembershipStressTest, StatusAndMemberCountAreNeverTorn) {
  const Watchdog watchdog(kWatchdogLimit);
  TypeParam node;
  std::atomic<bool> writing{true};
  std::atomic<int> readers_started{0};
  constexpr int kMemberReaders = 1;
  constexpr int kStatusReaders = 1;
  std::vector<std::string> failures(kMemberReaders + kStatusReaders);
  uint64_t joined = 0;
  uint64_t final_term = 0;

  std::vector<std::thread> threads;
  threads.emplace_back([&] {
    while (readers_started.load() < kMemberReaders + kStatusReaders) {
      std::this_thread::yield();
    }
    const auto deadline = std::chrono::steady_clock::now() + kConsistencyBudget;
    uint64_t term = 0;
    for (uint64_t id = 1; id <= kGrowTo; ++id) {
      node.AddPeer(cluster::MakePeer(id));
      joined = id;
      for (uint64_t i = 0; i < kLeadershipChangesPerJoin; ++i) {
        ++term;
        node.SetLeadership(term % 2 == 0, term, term);
      }
      if (std::chrono::steady_clock::now() > deadline) break;
    }
    // Then leadership alone, the status reader's best chance.
    for (uint64_t i = 0; i < kLeadershipChangesAtTheEnd; ++i) {
      ++term;
      node.SetLeadership(term % 2 == 0, term, term);
      if (i % 1024 == 0 && std::chrono::steady_clock::now() > deadline) break;
    }
    final_term = term;
    writing = false;
  });
  for (int r = 0; r < kMemberReaders; ++r) {
    threads.emplace_back([&, r] {
      std::string& failure = failures[static_cast<size_t>(r)];
      readers_started.fetch_add(1);
      while (writing.load() && failure.empty()) {
        const size_t count_before = node.MemberCount();
        uint64_t visited = 0;
        bool in_order = true;
        node.WithClusterMembers([&](const PeerInfo& p) {
          ++visited;
          in_order = in_order && p.id == visited;
        });
        const size_t count_after = node.MemberCount();
        if (!in_order) failure = fmt::format("visit of {} not 1..n", visited);
        if (count_before > visited || visited > count_after) {
          failure = fmt::format("member count {} then {} members then count {}",
                                count_before, visited, count_after);
        }
      }
    });
  }
  for (int r = 0; r < kStatusReaders; ++r) {
    threads.emplace_back([&, r] {
      std::string& failure = failures[static_cast<size_t>(kMemberReaders + r)];
      readers_started.fetch_add(1);
      while (writing.load() && failure.empty()) {
        const auto status = node.Status();
        if (status.leader_id != status.term) {
          failure = fmt::format("status: leader {} with term {}",
                                status.leader_id, status.term);
        }
        // Busy (nullopt) is allowed; a torn answer is not.
        const auto tried = node.TryStatus();
        if (tried && tried->leader_id != tried->term) {
          failure = fmt::format("try-status: leader {} with term {}",
                                tried->leader_id, tried->term);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  for (size_t i = 0; i < failures.size(); ++i) {
    EXPECT_EQ(failures[i], "") << "reader " << i;
  }
  EXPECT_EQ(node.MemberCount(), joined);
  EXPECT_EQ(node.Term(), final_term);
}

}  // namespace
}  // namespace hotpath::membership
