// Proposal ids as the orchestrator makes them: 8 bytes hashed from (time,
// pid, thread) for a single proposal, 16 bytes for a batch. Held inline (at
// most 16 bytes, zero-padded), so passing one around never allocates; the
// naive side copies the bytes into a std::vector where the original cloned
// its Vec<u8>.
#ifndef HOTPATH_COMMON_PROPOSAL_PROPOSAL_ID_H_
#define HOTPATH_COMMON_PROPOSAL_PROPOSAL_ID_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace hotpath::proposal {

class ProposalId {
 public:
  static constexpr size_t kSingleSize = 8;
  static constexpr size_t kBatchSize = 16;
  static constexpr size_t kMaxSize = 16;

  ProposalId() = default;

  // Ids of 1 to 16 bytes; nullopt otherwise.
  static std::optional<ProposalId> FromBytes(std::span<const uint8_t> bytes);
  // An 8-byte id holding `value` little-endian.
  static ProposalId FromU64(uint64_t value);
  // The 8-byte id of a single proposal: a hash of when and where it was made.
  static ProposalId ForProposal(uint64_t time_ns, uint32_t pid,
                                uint64_t thread_id);
  // The 16-byte id of batch `sequence` made by node `node_id`.
  static ProposalId ForBatch(uint64_t node_id, uint64_t sequence);

  std::span<const uint8_t> bytes() const { return {bytes_.data(), size_}; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // The first and last 8 bytes (zero padded), for hashing and integer keys.
  uint64_t low() const;
  uint64_t high() const;
  // Lower-case hex, for test messages.
  std::string ToHex() const;

  bool operator==(const ProposalId&) const = default;

 private:
  std::array<uint8_t, kMaxSize> bytes_{};
  uint8_t size_ = 0;
};

}  // namespace hotpath::proposal

#endif  // HOTPATH_COMMON_PROPOSAL_PROPOSAL_ID_H_
