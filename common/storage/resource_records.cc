#include "common/storage/resource_records.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace hotpath::storage {

namespace {

// One parser per record reads every field as views; the owned decoders copy
// out of the views, so both decoders accept exactly the same bytes.
struct WorkerFields {
  std::string_view name;
  uint32_t cpu_cores = 0;
  uint64_t memory_mb = 0;
  uint64_t disk_gb = 0;
  uint32_t feature_count = 0;
  std::span<const uint8_t> features;  // feature_count strings
};

struct VmFields {
  std::string_view name;
  std::string_view config_path;
  uint32_t vcpus = 0;
  uint32_t memory_mb = 0;
  std::string_view tenant_id;
  bool has_ip = false;
  std::string_view ip_address;
  uint32_t metadata_count = 0;
  std::span<const uint8_t> metadata;  // metadata_count key/value strings
  uint32_t priority = 0;
  bool preemptible = false;
  VmStatus status = VmStatus::kCreating;
  uint64_t node_id = 0;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

// Reads `count` length-prefixed strings; the bytes they span.
std::span<const uint8_t> SkipStrings(wire::Reader& r,
                                     std::span<const uint8_t> in,
                                     uint64_t count) {
  const size_t start = r.position();
  for (uint64_t i = 0; i < count && r.ok(); ++i) r.String();
  return r.ok() ? in.subspan(start, r.position() - start)
                : std::span<const uint8_t>{};
}

DecodeError Finish(const wire::Reader& r) {
  if (!r.ok()) return DecodeError::kTruncated;
  if (!r.done()) return DecodeError::kTrailingBytes;
  return DecodeError::kNone;
}

DecodeError ParseWorker(std::span<const uint8_t> in, WorkerFields* f) {
  wire::Reader r(in);
  f->name = r.String();
  f->cpu_cores = r.Int<uint32_t>();
  f->memory_mb = r.Int<uint64_t>();
  f->disk_gb = r.Int<uint64_t>();
  f->feature_count = r.Int<uint32_t>();
  f->features = SkipStrings(r, in, f->feature_count);
  return Finish(r);
}

DecodeError ParseVm(std::span<const uint8_t> in, VmFields* f) {
  wire::Reader r(in);
  f->name = r.String();
  f->config_path = r.String();
  f->vcpus = r.Int<uint32_t>();
  f->memory_mb = r.Int<uint32_t>();
  f->tenant_id = r.String();
  const auto ip_flag = r.Int<uint8_t>();
  if (ip_flag > 1) return DecodeError::kBadFlag;
  f->has_ip = ip_flag == 1;
  if (f->has_ip) f->ip_address = r.String();
  f->metadata_count = r.Int<uint32_t>();
  f->metadata = SkipStrings(r, in, 2ULL * f->metadata_count);
  f->priority = r.Int<uint32_t>();
  const auto preemptible = r.Int<uint8_t>();
  if (preemptible > 1) return DecodeError::kBadFlag;
  f->preemptible = preemptible == 1;
  const auto status = r.Int<uint8_t>();
  if (status >= kVmStatusCount) return DecodeError::kBadStatus;
  f->status = static_cast<VmStatus>(status);
  f->node_id = r.Int<uint64_t>();
  f->created_at = r.Int<int64_t>();
  f->updated_at = r.Int<int64_t>();
  return Finish(r);
}

}  // namespace

std::string_view DecodeErrorText(DecodeError error) {
  switch (error) {
    case DecodeError::kNone:
      return "ok";
    case DecodeError::kTruncated:
      return "truncated record";
    case DecodeError::kTrailingBytes:
      return "trailing bytes";
    case DecodeError::kBadFlag:
      return "invalid flag byte";
    case DecodeError::kBadStatus:
      return "invalid VM status";
  }
  return "unknown error";
}

void EncodeWorker(const WorkerRecord& worker, wire::Bytes& out) {
  wire::Writer w(out);
  w.String(worker.name);
  const WorkerCapabilities& c = worker.capabilities;
  w.Int(c.cpu_cores);
  w.Int(c.memory_mb);
  w.Int(c.disk_gb);
  w.Int(static_cast<uint32_t>(c.features.size()));
  for (const auto& feature : c.features) w.String(feature);
}

void EncodeVm(const VmState& vm, wire::Bytes& out) {
  wire::Writer w(out);
  w.String(vm.name);
  w.String(vm.config_path);
  w.Int(vm.vcpus);
  w.Int(vm.memory_mb);
  w.String(vm.tenant_id);
  w.Int(static_cast<uint8_t>(vm.ip_address.has_value() ? 1 : 0));
  if (vm.ip_address) w.String(*vm.ip_address);
  w.Int(static_cast<uint32_t>(vm.metadata.size()));
  for (const auto& [key, value] : vm.metadata) {
    w.String(key);
    w.String(value);
  }
  w.Int(vm.priority);
  w.Int(static_cast<uint8_t>(vm.preemptible ? 1 : 0));
  w.Int(static_cast<uint8_t>(vm.status));
  w.Int(vm.node_id);
  w.Int(vm.created_at);
  w.Int(vm.updated_at);
}

DecodeError DecodeWorker(std::span<const uint8_t> in, WorkerRecord* out) {
  WorkerFields f;
  const DecodeError error = ParseWorker(in, &f);
  if (error != DecodeError::kNone) return error;
  out->name = std::string(f.name);
  WorkerCapabilities& c = out->capabilities;
  c.cpu_cores = f.cpu_cores;
  c.memory_mb = f.memory_mb;
  c.disk_gb = f.disk_gb;
  // Sized up front, as bincode sizes a Vec from its length prefix.
  c.features.clear();
  c.features.reserve(f.feature_count);
  wire::Reader r(f.features);
  for (uint32_t i = 0; i < f.feature_count; ++i) {
    c.features.emplace_back(r.String());
  }
  return error;
}

DecodeError DecodeWorker(std::span<const uint8_t> in, WorkerView* out) {
  WorkerFields f;
  const DecodeError error = ParseWorker(in, &f);
  if (error != DecodeError::kNone) return error;
  *out = {f.name,    f.cpu_cores,     f.memory_mb,
          f.disk_gb, f.feature_count, f.features};
  return error;
}

DecodeError DecodeVm(std::span<const uint8_t> in, VmState* out) {
  VmFields f;
  const DecodeError error = ParseVm(in, &f);
  if (error != DecodeError::kNone) return error;
  out->name = std::string(f.name);
  out->config_path = std::string(f.config_path);
  out->vcpus = f.vcpus;
  out->memory_mb = f.memory_mb;
  out->tenant_id = std::string(f.tenant_id);
  if (f.has_ip) {
    out->ip_address = std::string(f.ip_address);
  } else {
    out->ip_address.reset();
  }
  out->metadata.clear();
  out->metadata.reserve(f.metadata_count);
  wire::Reader r(f.metadata);
  for (uint32_t i = 0; i < f.metadata_count; ++i) {
    std::string key(r.String());
    out->metadata.emplace_back(std::move(key), std::string(r.String()));
  }
  out->priority = f.priority;
  out->preemptible = f.preemptible;
  out->status = f.status;
  out->node_id = f.node_id;
  out->created_at = f.created_at;
  out->updated_at = f.updated_at;
  return error;
}

DecodeError DecodeVm(std::span<const uint8_t> in, VmView* out) {
  VmFields f;
  const DecodeError error = ParseVm(in, &f);
  if (error != DecodeError::kNone) return error;
  *out = {f.name, f.vcpus, f.memory_mb, f.status, f.node_id};
  return error;
}

bool HasFeature(const WorkerCapabilities& capabilities,
                std::string_view feature) {
  return std::ranges::find(capabilities.features, feature) !=
         capabilities.features.end();
}

bool HasFeature(const WorkerView& worker, std::string_view feature) {
  wire::Reader r(worker.features);
  for (uint32_t i = 0; i < worker.feature_count; ++i) {
    if (r.String() == feature) return true;
  }
  return false;
}

std::string NodeKey(uint64_t node_id) {
  std::array<char, 8> bytes{};
  for (size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] = static_cast<char>(static_cast<uint8_t>(node_id >> (8 * i)));
  }
  return std::string(bytes.data(), bytes.size());
}

std::optional<uint64_t> ParseNodeKey(std::string_view key) {
  if (key.size() < 8) return std::nullopt;
  uint64_t id = 0;
  for (size_t i = 0; i < 8; ++i) {
    id |= static_cast<uint64_t>(static_cast<uint8_t>(key[i])) << (8 * i);
  }
  return id;
}

}  // namespace hotpath::storage
