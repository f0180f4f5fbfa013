#include "common/cluster/peer_info.h"

#include <fmt/format.h>

namespace hotpath::cluster {

PeerInfo MakePeer(uint64_t id) {
  PeerInfo p;
  p.id = id;
  p.node_id = fmt::format("{:016x}{:016x}{:016x}{:016x}",
                          id * 0x9e3779b97f4a7c15ULL, id + 1, id * 31 + 7, ~id);
  p.address = fmt::format("127.0.0.1:{}", 7000 + id);
  p.last_seen = std::chrono::system_clock::time_point(
      std::chrono::seconds(1'700'000'000 + id));
  p.connection_quality = {1.5 + static_cast<double>(id % 7), 1000, 0.001, 0.99};
  p.p2p_node_id = fmt::format("12D3KooW{:040x}", id);
  p.p2p_addresses = {fmt::format("/ip4/127.0.0.1/tcp/{}", 9000 + id)};
  if (id % 3 == 0) {
    p.capabilities = {"gpu", "nested-virt"};
    p.relay_url = fmt::format("https://relay-{}.local:443", id % 4);
  }
  p.is_connected = true;
  return p;
}

}  // namespace hotpath::cluster
