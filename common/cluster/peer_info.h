// A cluster peer as the orchestrator's shared node state keeps it
// (HOTPATHS.md, membership). A deep copy costs 4 to 8 allocations: the node
// id, the address, and whatever capabilities, resources, p2p addresses and
// relay url the peer has.
#ifndef HOTPATH_COMMON_CLUSTER_PEER_INFO_H_
#define HOTPATH_COMMON_CLUSTER_PEER_INFO_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hotpath::cluster {

struct ResourceInfo {
  std::string kind;
  uint64_t capacity = 0;
  uint64_t available = 0;
  bool operator==(const ResourceInfo&) const = default;
};

struct ConnectionQuality {
  double latency_ms = 0;
  double bandwidth_mbps = 0;
  double packet_loss = 0;
  double reliability_score = 0;
  bool operator==(const ConnectionQuality&) const = default;
};

struct PeerInfo {
  uint64_t id = 0;
  std::string node_id;  // 64 hex characters
  std::string address;  // "127.0.0.1:7002"
  std::chrono::system_clock::time_point last_seen{};
  std::vector<std::string> capabilities;
  std::map<std::string, ResourceInfo> shared_resources;
  ConnectionQuality connection_quality;
  std::optional<std::string> p2p_node_id;
  std::vector<std::string> p2p_addresses;
  std::optional<std::string> relay_url;
  bool is_connected = false;
  bool operator==(const PeerInfo&) const = default;
};

// A realistic peer for tests and benchmarks: 64-hex node id, loopback
// address, and (for every third id) two capabilities and a relay url.
PeerInfo MakePeer(uint64_t id);

}  // namespace hotpath::cluster

#endif  // HOTPATH_COMMON_CLUSTER_PEER_INFO_H_
