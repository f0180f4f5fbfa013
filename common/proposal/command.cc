#include "common/proposal/command.h"

#include <type_traits>
#include <utility>

namespace hotpath::proposal {
namespace {

constexpr size_t kBlobPrefix = 4;

size_t BlobSize(std::string_view text) { return kBlobPrefix + text.size(); }

bool ReadId(wire::Reader& reader, ProposalId& id) {
  const auto bytes = reader.Blob();
  if (!reader.ok()) return false;
  const auto parsed = ProposalId::FromBytes(bytes);
  if (!parsed) return false;
  id = *parsed;
  return true;
}

// Collects the networks into `networks` when it is not null.
bool ReadCommand(wire::Reader& reader, CommandView& view,
                 std::vector<std::string>* networks) {
  view = CommandView{};
  const auto kind = reader.Int<uint8_t>();
  if (kind == static_cast<uint8_t>(CommandKind::kCreateVm)) {
    view.kind = CommandKind::kCreateVm;
    view.name = reader.String();
    view.image = reader.String();
    view.node_id = reader.String();
    view.vcpus = reader.Int<uint32_t>();
    view.memory_mb = reader.Int<uint64_t>();
    view.disk_gb = reader.Int<uint64_t>();
    view.network_count = reader.Int<uint32_t>();
    for (uint32_t i = 0; i < view.network_count && reader.ok(); ++i) {
      const std::string_view network = reader.String();
      if (networks != nullptr && reader.ok()) networks->emplace_back(network);
    }
    view.user_data = reader.String();
  } else if (kind == static_cast<uint8_t>(CommandKind::kStatusUpdate)) {
    view.kind = CommandKind::kStatusUpdate;
    view.name = reader.String();
    const auto state = reader.Int<uint8_t>();
    if (state > static_cast<uint8_t>(VmState::kDeleted)) return false;
    view.state = static_cast<VmState>(state);
    view.timestamp_ms = reader.Int<uint64_t>();
    view.message = reader.String();
  } else {
    return false;
  }
  return reader.ok();
}

}  // namespace

size_t CommandSize(const Command& command) {
  return std::visit(
      [](const auto& c) -> size_t {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, CreateVmCommand>) {
          size_t size = 1 + BlobSize(c.name) + BlobSize(c.image) +
                        BlobSize(c.node_id) + 4 + 8 + 8 + 4 +
                        BlobSize(c.user_data);
          for (const auto& network : c.networks) size += BlobSize(network);
          return size;
        } else {
          return 1 + BlobSize(c.vm_name) + 1 + 8 + BlobSize(c.message);
        }
      },
      command);
}

void SerializeCommand(const Command& command, wire::Bytes& out) {
  wire::Writer w(out);
  std::visit(
      [&w](const auto& c) {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, CreateVmCommand>) {
          w.Int(static_cast<uint8_t>(CommandKind::kCreateVm));
          w.String(c.name);
          w.String(c.image);
          w.String(c.node_id);
          w.Int(c.vcpus);
          w.Int(c.memory_mb);
          w.Int(c.disk_gb);
          w.Int(static_cast<uint32_t>(c.networks.size()));
          for (const auto& network : c.networks) w.String(network);
          w.String(c.user_data);
        } else {
          w.Int(static_cast<uint8_t>(CommandKind::kStatusUpdate));
          w.String(c.vm_name);
          w.Int(static_cast<uint8_t>(c.state));
          w.Int(c.timestamp_ms);
          w.String(c.message);
        }
      },
      command);
}

wire::Bytes SerializeCommandToVector(const Command& command) {
  wire::Bytes out;
  out.reserve(CommandSize(command));
  SerializeCommand(command, out);
  return out;
}

size_t SingleEntrySize(const ProposalId& id, const Command& command) {
  return 1 + kBlobPrefix + id.size() + CommandSize(command);
}

void SerializeSingleEntry(const ProposalId& id, const Command& command,
                          wire::Bytes& out) {
  wire::Writer w(out);
  w.Int(static_cast<uint8_t>(EntryKind::kSingle));
  w.Blob(id.bytes());
  SerializeCommand(command, out);
}

size_t BatchHeaderSize(const ProposalId& batch_id) {
  return 1 + kBlobPrefix + batch_id.size() + 4;
}

void WriteBatchHeader(const ProposalId& batch_id, uint32_t count,
                      wire::Bytes& out) {
  wire::Writer w(out);
  w.Int(static_cast<uint8_t>(EntryKind::kBatch));
  w.Blob(batch_id.bytes());
  w.Int(count);
}

size_t BatchItemSize(const ProposalId& id, const Command& command) {
  return kBlobPrefix + id.size() + CommandSize(command);
}

void SerializeBatchItem(const ProposalId& id, const Command& command,
                        wire::Bytes& out) {
  wire::Writer(out).Blob(id.bytes());
  SerializeCommand(command, out);
}

EntryReader::EntryReader(std::span<const uint8_t> entry) : reader_(entry) {
  const auto kind = reader_.Int<uint8_t>();
  if (kind == static_cast<uint8_t>(EntryKind::kSingle)) {
    kind_ = EntryKind::kSingle;
    ok_ = ReadId(reader_, id_);
    count_ = 1;
  } else if (kind == static_cast<uint8_t>(EntryKind::kBatch)) {
    kind_ = EntryKind::kBatch;
    ok_ = ReadId(reader_, id_);
    count_ = reader_.Int<uint32_t>();
    ok_ = ok_ && reader_.ok();
  } else {
    ok_ = false;
  }
}

bool EntryReader::Next(ProposalId& id, CommandView& command) {
  return NextInto(id, command, nullptr);
}

bool EntryReader::NextInto(ProposalId& id, CommandView& command,
                           std::vector<std::string>* networks) {
  if (!ok_ || read_ == count_) return false;
  if (kind_ == EntryKind::kSingle) {
    id = id_;
  } else if (!ReadId(reader_, id)) {
    ok_ = false;
    return false;
  }
  if (!ReadCommand(reader_, command, networks)) {
    ok_ = false;
    return false;
  }
  ++read_;
  if (read_ == count_ && !reader_.done()) ok_ = false;
  return ok_;
}

bool EntryReader::Next(ProposalId& id, Command& command) {
  CommandView view;
  std::vector<std::string> networks;
  if (!NextInto(id, view, &networks)) return false;
  if (view.kind == CommandKind::kCreateVm) {
    CreateVmCommand c{std::string(view.name),
                      std::string(view.image),
                      std::string(view.node_id),
                      view.vcpus,
                      view.memory_mb,
                      view.disk_gb,
                      std::move(networks),
                      std::string(view.user_data)};
    command = std::move(c);
  } else {
    command = StatusUpdateCommand{std::string(view.name), view.state,
                                  view.timestamp_ms, std::string(view.message)};
  }
  return true;
}

}  // namespace hotpath::proposal
