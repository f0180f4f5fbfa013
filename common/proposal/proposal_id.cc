#include "common/proposal/proposal_id.h"

#include <cstring>
#include <string_view>

namespace hotpath::proposal {
namespace {

uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

void StoreU64(uint8_t* out, uint64_t value) {
  for (size_t i = 0; i < 8; ++i)
    out[i] = static_cast<uint8_t>(value >> (8 * i));
}

}  // namespace

std::optional<ProposalId> ProposalId::FromBytes(
    std::span<const uint8_t> bytes) {
  if (bytes.empty() || bytes.size() > kMaxSize) return std::nullopt;
  ProposalId id;
  std::memcpy(id.bytes_.data(), bytes.data(), bytes.size());
  id.size_ = static_cast<uint8_t>(bytes.size());
  return id;
}

ProposalId ProposalId::FromU64(uint64_t value) {
  ProposalId id;
  StoreU64(id.bytes_.data(), value);
  id.size_ = kSingleSize;
  return id;
}

ProposalId ProposalId::ForProposal(uint64_t time_ns, uint32_t pid,
                                   uint64_t thread_id) {
  return FromU64(Mix(time_ns ^ Mix((uint64_t{pid} << 32) ^ Mix(thread_id))));
}

ProposalId ProposalId::ForBatch(uint64_t node_id, uint64_t sequence) {
  ProposalId id;
  StoreU64(id.bytes_.data(), node_id);
  StoreU64(id.bytes_.data() + 8, sequence);
  id.size_ = kBatchSize;
  return id;
}

uint64_t ProposalId::low() const {
  uint64_t value = 0;
  for (size_t i = 0; i < 8; ++i) value |= uint64_t{bytes_[i]} << (8 * i);
  return value;
}

uint64_t ProposalId::high() const {
  uint64_t value = 0;
  for (size_t i = 0; i < 8; ++i) value |= uint64_t{bytes_[8 + i]} << (8 * i);
  return value;
}

std::string ProposalId::ToHex() const {
  constexpr std::string_view kDigits = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < size_; ++i) {
    out.push_back(kDigits[bytes_[i] >> 4]);
    out.push_back(kDigits[bytes_[i] & 0xf]);
  }
  return out;
}

}  // namespace hotpath::proposal
