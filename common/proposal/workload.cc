#include "common/proposal/workload.h"

#include <algorithm>
#include <array>
#include <random>
#include <string>
#include <string_view>
#include <utility>

namespace hotpath::proposal {
namespace {

constexpr std::array<std::string_view, 4> kImages = {
    "ubuntu-22.04", "debian-12", "alpine-3.19", "fedora-39-cloud"};
constexpr std::array<std::string_view, 3> kNetworks = {"default", "storage-net",
                                                       "tenant-7f3a"};

std::string Hex64(std::mt19937_64& rng) {
  constexpr std::string_view kDigits = "0123456789abcdef";
  std::string out(64, '0');
  for (char& c : out) c = kDigits[rng() & 0xf];
  return out;
}

// Printable filler of exactly `size` characters.
std::string Filler(std::mt19937_64& rng, size_t size) {
  std::string out(size, ' ');
  for (char& c : out) c = static_cast<char>('a' + rng() % 26);
  return out;
}

raft::Message BaseMessage(std::mt19937_64& rng, raft::MessageType type) {
  raft::Message m;
  m.type = type;
  m.from = 1 + rng() % 5;
  m.to = 1 + rng() % 5;
  m.term = 7;
  m.log_term = 7;
  m.index = 1000 + rng() % 1000;
  m.commit = m.index - rng() % 10;
  m.reject = rng() % 20 == 0;
  return m;
}

raft::Message Append(std::mt19937_64& rng, size_t entries) {
  raft::Message m = BaseMessage(rng, raft::MessageType::kAppend);
  for (size_t i = 0; i < entries; ++i) {
    raft::Entry e;
    e.index = m.index + 1 + i;
    e.term = 7;
    e.data.resize(1024 + rng() % (4 * 1024 + 1));
    for (auto& b : e.data) b = static_cast<uint8_t>(rng());
    m.entries.push_back(std::move(e));
  }
  return m;
}

}  // namespace

Command MakeCommand(uint64_t seed, bool create_vm, size_t size) {
  std::mt19937_64 rng(seed);
  if (create_vm) {
    CreateVmCommand c;
    c.name = "vm-" + std::to_string(rng() % 100000);
    c.image = std::string(kImages[rng() % kImages.size()]);
    c.node_id = Hex64(rng);
    c.vcpus = static_cast<uint32_t>(1 + rng() % 16);
    c.memory_mb = 512 * (1 + rng() % 128);
    c.disk_gb = 10 + rng() % 500;
    for (size_t n = rng() % 3; n > 0; --n) {
      c.networks.emplace_back(kNetworks[rng() % kNetworks.size()]);
    }
    const size_t base = CommandSize(c);
    c.user_data = Filler(rng, size > base ? size - base : 0);
    return c;
  }
  StatusUpdateCommand c;
  c.vm_name = "vm-" + std::to_string(rng() % 100000);
  c.state = static_cast<VmState>(rng() % 5);
  c.timestamp_ms = 1'700'000'000'000 + rng() % 1'000'000'000;
  const size_t base = CommandSize(c);
  c.message = Filler(rng, size > base ? size - base : 0);
  return c;
}

std::vector<Command> MakeCommands(size_t count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Command> commands;
  commands.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const bool create_vm = rng() % 10 < 4;
    const size_t size = 50 + rng() % 451;
    commands.push_back(MakeCommand(rng(), create_vm, size));
  }
  return commands;
}

std::vector<ProposalId> MakeProposalIds(size_t count, uint64_t seed,
                                        size_t threads) {
  std::mt19937_64 rng(seed);
  std::vector<ProposalId> ids;
  ids.reserve(count);
  uint64_t time_ns = 1'700'000'000'000'000'000ULL + rng() % 1'000'000'000;
  const auto pid = static_cast<uint32_t>(1000 + rng() % 30000);
  for (size_t i = 0; i < count; ++i) {
    time_ns += 1 + rng() % 5000;
    ids.push_back(ProposalId::ForProposal(
        time_ns, pid, 0x7f00'0000'0000ULL + i % std::max<size_t>(threads, 1)));
  }
  return ids;
}

std::vector<raft::Message> MakeRaftMessageMix(uint64_t seed, size_t snapshots) {
  std::mt19937_64 rng(seed);
  std::vector<raft::Message> messages;
  for (size_t i = 0; i < 20; ++i) {
    messages.push_back(
        BaseMessage(rng, i % 2 == 0 ? raft::MessageType::kRequestVote
                                    : raft::MessageType::kRequestVoteResponse));
  }
  for (size_t i = 0; i < 100; ++i) {
    messages.push_back(
        BaseMessage(rng, i % 2 == 0 ? raft::MessageType::kHeartbeat
                                    : raft::MessageType::kHeartbeatResponse));
  }
  for (size_t i = 0; i < 20; ++i) messages.push_back(Append(rng, 5));
  for (size_t i = 0; i < snapshots; ++i) {
    raft::Message m = BaseMessage(rng, raft::MessageType::kSnapshot);
    m.snapshot.resize(size_t{256} * 1024);
    for (auto& b : m.snapshot) b = static_cast<uint8_t>(rng());
    messages.push_back(std::move(m));
  }
  std::shuffle(messages.begin(), messages.end(), rng);
  return messages;
}

raft::Message MakeRaftMessage(uint64_t seed) {
  return MakeRaftMessage(
      seed + 1, static_cast<raft::MessageType>(seed % raft::kMessageTypeCount));
}

raft::Message MakeRaftMessage(uint64_t seed, raft::MessageType type) {
  std::mt19937_64 rng(seed);
  if (type == raft::MessageType::kAppend) return Append(rng, rng() % 6);
  raft::Message m = BaseMessage(rng, type);
  if (type == raft::MessageType::kSnapshot) {
    // Mostly small, sometimes past the 1 MiB tier.
    m.snapshot.resize(rng() % 8 == 0 ? (size_t{1} << 20) + rng() % 4096
                                     : rng() % 70000);
    for (auto& b : m.snapshot) b = static_cast<uint8_t>(rng());
  }
  return m;
}

}  // namespace hotpath::proposal
