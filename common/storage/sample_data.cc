#include "common/storage/sample_data.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <utility>

namespace hotpath::storage {

namespace {

wire::Bytes ToBytes(std::string_view text) {
  return wire::Bytes(text.begin(), text.end());
}

std::string IpOf(uint64_t n) {
  return fmt::format("10.{}.{}.{}", (n >> 16) & 0xff, (n >> 8) & 0xff,
                     n & 0xff);
}

void SortByKey(std::vector<Entry>& entries) {
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.key < b.key; });
}

}  // namespace

VmState MakeVm(uint64_t n, uint64_t node_id, VmStatus status) {
  VmState vm;
  vm.name = fmt::format("vm-{}", n);
  vm.config_path = fmt::format("/var/lib/blixard/vms/{}/config.nix", vm.name);
  vm.vcpus = static_cast<uint32_t>(1 + n % 8);
  vm.memory_mb = static_cast<uint32_t>(512 * (1 + n % 16));
  vm.tenant_id = n % 5 == 0 ? "default" : fmt::format("tenant-{}", n % 7);
  vm.ip_address = IpOf(n);
  vm.metadata = {
      {"owner", fmt::format("team-{}", n % 13)},
      {"description",
       fmt::format("microVM {} of the orchestrator workload, node {}, "
                   "scheduled by the default placement strategy",
                   n, node_id)},
      {"image", "nixos-23.11-minimal"}};
  vm.priority = static_cast<uint32_t>(n % 1000);
  vm.preemptible = n % 3 == 0;
  vm.status = status;
  vm.node_id = node_id;
  vm.created_at = 1'700'000'000 + static_cast<int64_t>(n);
  vm.updated_at = vm.created_at + 60;
  return vm;
}

WorkerRecord MakeWorker(uint64_t node_id) {
  WorkerRecord worker;
  worker.name = fmt::format("worker-{}", node_id);
  worker.capabilities.cpu_cores = static_cast<uint32_t>(16 * (1 + node_id % 4));
  worker.capabilities.memory_mb = 32768 * (1 + node_id % 4);
  worker.capabilities.disk_gb = 500 * (1 + node_id % 3);
  worker.capabilities.features = {"kvm", "virtio"};
  if (node_id % 3 == 0) worker.capabilities.features.emplace_back("gpu");
  return worker;
}

SnapshotSizes SizesForVms(size_t vms) {
  return {vms, vms / 2, std::min<size_t>(50, std::max<size_t>(vms, 1)), 4};
}

SnapshotData MakeSnapshot(const SnapshotSizes& sizes, uint64_t seed) {
  SnapshotData snapshot;
  const size_t workers = std::max<size_t>(sizes.workers, 1);
  for (uint64_t n = 0; n < sizes.vms; ++n) {
    const uint64_t node = 1 + n % workers;
    const auto status = static_cast<VmStatus>((n + seed) % kVmStatusCount);
    VmState vm = MakeVm(n, node, status);
    vm.updated_at += static_cast<int64_t>(seed % 1000);
    wire::Bytes bytes;
    EncodeVm(vm, bytes);
    snapshot[TableId::kVmState].push_back({vm.name, std::move(bytes)});
    const std::string ip = IpOf(n);
    snapshot[TableId::kIpAllocation].push_back({ip, ToBytes(vm.name)});
    snapshot[TableId::kVmIpMapping].push_back({vm.name, ToBytes(ip)});
  }
  snapshot[TableId::kClusterState] = {
      {"cluster_config",
       ToBytes(fmt::format(R"({{"replication":3,"seed":{}}})", seed))},
      {"leader", ToBytes("1")},
      {"membership_version", ToBytes(fmt::format("{}", 7 + seed))},
      {"term", ToBytes(fmt::format("{}", 42 + seed))}};
  for (uint64_t t = 0; t < sizes.tasks; ++t) {
    const std::string id = fmt::format("task-{}", t);
    snapshot[TableId::kTask].push_back(
        {id, ToBytes(fmt::format("{{\"command\":\"health-check\",\"args\":["
                                 "\"--target\",\"vm-{}\"],\"cpu\":1,"
                                 "\"memory_mb\":128,\"timeout_s\":30}}",
                                 t))});
    snapshot[TableId::kTaskAssignment].push_back(
        {id, ToBytes(NodeKey(1 + t % workers))});
    if (t % 2 == 0) {
      snapshot[TableId::kTaskResult].push_back(
          {id, ToBytes(fmt::format("{{\"success\":true,\"output\":\"ok "
                                   "{}\",\"duration_ms\":{}}}",
                                   t, 10 + (t + seed) % 90))});
    }
  }
  for (uint64_t w = 1; w <= workers; ++w) {
    wire::Bytes bytes;
    EncodeWorker(MakeWorker(w), bytes);
    snapshot[TableId::kWorker].push_back({NodeKey(w), std::move(bytes)});
    const auto status = static_cast<uint8_t>((w + seed) % 7 == 0 ? 1 : 0);
    snapshot[TableId::kWorkerStatus].push_back({NodeKey(w), {status}});
  }
  for (uint64_t p = 1; p <= sizes.ip_pools; ++p) {
    snapshot[TableId::kIpPool].push_back(
        {NodeKey(p),
         ToBytes(fmt::format("{{\"subnet\":\"10.{}.0.0/16\",\"gateway\":"
                             "\"10.{}.0.1\",\"vlan\":{}}}",
                             p, p, 100 + p))});
  }
  for (auto& entries : snapshot.tables) SortByKey(entries);
  return snapshot;
}

}  // namespace hotpath::storage
