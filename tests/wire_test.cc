// The shared wire vocabulary: the little-endian codec and the Raft message
// wire form. Round trips, the exact byte layout, truncation at every length,
// and malformed input (bad tags, lengths past the end, trailing bytes); a
// seeded mutation run checks that whatever decodes re-encodes to the same
// bytes, so the encoding is canonical and two senders can be compared byte
// for byte.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <string_view>
#include <vector>

#include "common/raft/message.h"
#include "common/wire/codec.h"

namespace hotpath {
namespace {

using wire::Bytes;

// ---- codec -----------------------------------------------------------------

TEST(WireCodecTest, IntegersAreLittleEndian) {
  Bytes out;
  wire::Writer w(out);
  w.Int(uint8_t{0xab});
  w.Int(uint16_t{0x1234});
  w.Int(uint32_t{0xdeadbeef});
  w.Int(uint64_t{0x0102030405060708});
  w.Int(int16_t{-2});
  w.Int(int64_t{-1});
  const Bytes expected = {0xab,                                            //
                          0x34, 0x12,                                      //
                          0xef, 0xbe, 0xad, 0xde,                          //
                          0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,  //
                          0xfe, 0xff,                                      //
                          0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  EXPECT_EQ(out, expected);
}

template <typename T>
void ExpectIntRoundTrip(std::mt19937_64& rng) {
  const std::vector<T> edges = {T{0}, T{1}, std::numeric_limits<T>::min(),
                                std::numeric_limits<T>::max(),
                                static_cast<T>(rng())};
  Bytes out;
  wire::Writer w(out);
  for (const T v : edges) w.Int(v);
  ASSERT_EQ(out.size(), edges.size() * sizeof(T));
  wire::Reader r(out);
  for (const T v : edges) EXPECT_EQ(r.Int<T>(), v);
  EXPECT_TRUE(r.done());
}

TEST(WireCodecTest, IntegerRoundTripsEveryWidth) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 100; ++i) {
    ExpectIntRoundTrip<uint8_t>(rng);
    ExpectIntRoundTrip<int8_t>(rng);
    ExpectIntRoundTrip<uint16_t>(rng);
    ExpectIntRoundTrip<int16_t>(rng);
    ExpectIntRoundTrip<uint32_t>(rng);
    ExpectIntRoundTrip<int32_t>(rng);
    ExpectIntRoundTrip<uint64_t>(rng);
    ExpectIntRoundTrip<int64_t>(rng);
  }
}

TEST(WireCodecTest, BlobsAndStringsCarryAU32Length) {
  Bytes out = {0x55};  // the writer appends; it never clears
  wire::Writer w(out);
  w.String("raft");
  w.Blob({});
  const Bytes raw = {1, 2, 3};
  w.Blob(raw);
  w.Raw(raw);
  const Bytes expected = {0x55, 4, 0, 0, 0, 'r', 'a', 'f', 't', 0, 0, 0,
                          0,    3, 0, 0, 0, 1,   2,   3,   1,   2, 3};
  EXPECT_EQ(out, expected);

  wire::Reader r(out);
  EXPECT_EQ(r.Int<uint8_t>(), 0x55);
  EXPECT_EQ(r.String(), "raft");
  EXPECT_TRUE(r.Blob().empty());
  const auto blob = r.Blob();
  EXPECT_EQ(Bytes(blob.begin(), blob.end()), raw);
  EXPECT_FALSE(r.done());
  const auto tail = r.Raw(3);
  EXPECT_EQ(Bytes(tail.begin(), tail.end()), raw);
  EXPECT_TRUE(r.done());
  EXPECT_EQ(r.position(), out.size());
}

TEST(WireCodecTest, ReaderViewsPointIntoTheInput) {
  const Bytes in = {2, 0, 0, 0, 'o', 'k'};
  wire::Reader r(in);
  const std::string_view text = r.String();
  EXPECT_EQ(text, "ok");
  EXPECT_EQ(reinterpret_cast<const uint8_t*>(text.data()), in.data() + 4);
}

TEST(WireCodecTest, TruncatedIntegerFailsAndStaysFailed) {
  const Bytes in = {1, 2, 3, 4, 5, 6, 7};
  wire::Reader r(in);
  EXPECT_EQ(r.Int<uint64_t>(), 0U);
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(r.done());
  EXPECT_EQ(r.position(), 0U);
  // Enough bytes remain for these, but a failed reader reads nothing more.
  EXPECT_EQ(r.Int<uint8_t>(), 0U);
  EXPECT_TRUE(r.Raw(1).empty());
  EXPECT_TRUE(r.Raw(0).empty());
  EXPECT_FALSE(r.ok());
}

TEST(WireCodecTest, BlobLongerThanInputFails) {
  for (const uint32_t length : {5U, 0xffffffffU}) {
    Bytes in;
    wire::Writer(in).Int(length);
    in.insert(in.end(), {1, 2, 3, 4});
    wire::Reader r(in);
    EXPECT_TRUE(r.Blob().empty()) << length;
    EXPECT_FALSE(r.ok()) << length;
  }
}

TEST(WireCodecTest, BlobTruncatedInItsLengthFails) {
  const Bytes in = {3, 0, 0};
  wire::Reader r(in);
  EXPECT_TRUE(r.String().empty());
  EXPECT_FALSE(r.ok());
}

TEST(WireCodecTest, EmptyInputIsDoneUntilARead) {
  wire::Reader r(std::span<const uint8_t>{});
  EXPECT_TRUE(r.done());
  EXPECT_TRUE(r.Raw(0).empty());
  EXPECT_TRUE(r.done());
  EXPECT_EQ(r.Int<uint16_t>(), 0U);
  EXPECT_FALSE(r.done());
}

// ---- Raft messages ---------------------------------------------------------

raft::Message Heartbeat() {
  raft::Message m;
  m.type = raft::MessageType::kHeartbeat;
  m.from = 1;
  m.to = 2;
  m.term = 3;
  m.commit = 4;
  return m;
}

raft::Message RandomMessage(std::mt19937_64& rng) {
  const auto pick = [&rng](uint64_t n) { return rng() % n; };
  raft::Message m;
  m.type = static_cast<raft::MessageType>(pick(raft::kMessageTypeCount));
  m.from = rng();
  m.to = pick(7);
  m.term = pick(1000);
  m.log_term = pick(1000);
  m.index = rng();
  m.commit = pick(1 << 20);
  m.reject = pick(2) == 0;
  for (uint64_t e = pick(4); e > 0; --e) {
    raft::Entry entry{rng(), pick(1000), {}};
    entry.data.resize(pick(300));
    for (auto& b : entry.data) b = static_cast<uint8_t>(rng());
    m.entries.push_back(std::move(entry));
  }
  m.snapshot.resize(pick(3) == 0 ? pick(200) : 0);
  for (auto& b : m.snapshot) b = static_cast<uint8_t>(rng());
  return m;
}

TEST(RaftMessageTest, TypeNamesAreRaftRs) {
  EXPECT_EQ(raft::MessageTypeName(raft::MessageType::kRequestVote),
            "MsgRequestVote");
  EXPECT_EQ(raft::MessageTypeName(raft::MessageType::kRequestVoteResponse),
            "MsgRequestVoteResponse");
  EXPECT_EQ(raft::MessageTypeName(raft::MessageType::kHeartbeat),
            "MsgHeartbeat");
  EXPECT_EQ(raft::MessageTypeName(raft::MessageType::kHeartbeatResponse),
            "MsgHeartbeatResponse");
  EXPECT_EQ(raft::MessageTypeName(raft::MessageType::kAppend), "MsgAppend");
  EXPECT_EQ(raft::MessageTypeName(raft::MessageType::kAppendResponse),
            "MsgAppendResponse");
  EXPECT_EQ(raft::MessageTypeName(raft::MessageType::kSnapshot), "MsgSnapshot");
  EXPECT_EQ(raft::MessageTypeName(static_cast<raft::MessageType>(200)),
            "MsgUnknown");
}

// The layout spelled out by hand, so a change to the wire form is seen.
TEST(RaftMessageTest, WireLayoutIsPinned) {
  raft::Message m = Heartbeat();
  m.type = raft::MessageType::kAppend;
  m.reject = true;
  m.log_term = 5;
  m.index = 6;
  m.entries.push_back({7, 8, {0xaa, 0xbb}});
  m.snapshot = {0xcc};
  Bytes expected = {4, 1};
  for (const uint8_t v : {uint8_t{1}, uint8_t{2}, uint8_t{3}, uint8_t{5},
                          uint8_t{6}, uint8_t{4}}) {
    expected.insert(expected.end(), {v, 0, 0, 0, 0, 0, 0, 0});
  }
  expected.insert(expected.end(), {1, 0, 0, 0});
  expected.insert(expected.end(), {7, 0, 0, 0, 0, 0, 0, 0});
  expected.insert(expected.end(), {8, 0, 0, 0, 0, 0, 0, 0});
  expected.insert(expected.end(), {2, 0, 0, 0, 0xaa, 0xbb});
  expected.insert(expected.end(), {1, 0, 0, 0, 0xcc});
  Bytes out;
  raft::Serialize(m, out);
  EXPECT_EQ(out, expected);
  EXPECT_EQ(raft::SerializedSize(m), expected.size());
}

TEST(RaftMessageTest, SerializeAppends) {
  Bytes out = {9, 9};
  raft::Serialize(Heartbeat(), out);
  EXPECT_EQ(out.size(), 2 + raft::SerializedSize(Heartbeat()));
  EXPECT_EQ(out[0], 9);
  raft::Message back;
  EXPECT_TRUE(raft::Deserialize(std::span(out).subspan(2), back));
  EXPECT_EQ(back, Heartbeat());
}

TEST(RaftMessageTest, SeededRandomRoundTrips) {
  constexpr uint64_t kSeed = 20261122;
  std::mt19937_64 rng(kSeed);
  raft::Message back;  // reused: stale entries must not leak through
  for (int i = 0; i < 2000; ++i) {
    const raft::Message m = RandomMessage(rng);
    Bytes out;
    raft::Serialize(m, out);
    ASSERT_EQ(out.size(), raft::SerializedSize(m))
        << "seed " << kSeed << " #" << i;
    ASSERT_TRUE(raft::Deserialize(out, back)) << "seed " << kSeed << " #" << i;
    ASSERT_EQ(back, m) << "seed " << kSeed << " #" << i;
  }
}

TEST(RaftMessageTest, EveryTruncationFails) {
  std::mt19937_64 rng(11);
  for (int i = 0; i < 20; ++i) {
    const raft::Message m = RandomMessage(rng);
    Bytes out;
    raft::Serialize(m, out);
    for (size_t size = 0; size < out.size(); ++size) {
      raft::Message back;
      ASSERT_FALSE(raft::Deserialize(std::span(out).first(size), back))
          << "message " << i << " cut to " << size << " of " << out.size();
    }
  }
}

TEST(RaftMessageTest, TrailingBytesFail) {
  Bytes out;
  raft::Serialize(Heartbeat(), out);
  out.push_back(0);
  raft::Message back;
  EXPECT_FALSE(raft::Deserialize(out, back));
}

TEST(RaftMessageTest, UnknownTypeFails) {
  for (const uint8_t type : {uint8_t{raft::kMessageTypeCount}, uint8_t{255}}) {
    Bytes out;
    raft::Serialize(Heartbeat(), out);
    out[0] = type;
    raft::Message back;
    EXPECT_FALSE(raft::Deserialize(out, back)) << int{type};
  }
}

// bincode refuses a bool byte other than 0 or 1; accepting it would let two
// different inputs decode to one message and re-encode differently.
TEST(RaftMessageTest, RejectFlagOtherThanZeroOrOneFails) {
  Bytes out;
  raft::Serialize(Heartbeat(), out);
  out[1] = 2;
  raft::Message back;
  EXPECT_FALSE(raft::Deserialize(out, back));
}

// Offsets in the fixed part: type, reject, six u64, then the entry count.
constexpr size_t kEntryCountOffset = 2 + 6 * 8;

TEST(RaftMessageTest, EntryCountPastTheInputFails) {
  // Huge counts must fail before anything is sized by them.
  for (const uint32_t count : {1U, 1000U, 0xffffffffU}) {
    Bytes out;
    raft::Serialize(Heartbeat(), out);
    for (size_t i = 0; i < 4; ++i) {
      out[kEntryCountOffset + i] = static_cast<uint8_t>(count >> (8 * i));
    }
    raft::Message back;
    EXPECT_FALSE(raft::Deserialize(out, back)) << count;
  }
}

TEST(RaftMessageTest, EntryDataLengthPastTheInputFails) {
  raft::Message m = Heartbeat();
  m.entries.push_back({1, 1, {1, 2, 3}});
  Bytes out;
  raft::Serialize(m, out);
  const size_t length_offset = kEntryCountOffset + 4 + 16;
  for (const uint32_t length : {4U, 0xffffffffU}) {
    for (size_t i = 0; i < 4; ++i) {
      out[length_offset + i] = static_cast<uint8_t>(length >> (8 * i));
    }
    raft::Message back;
    EXPECT_FALSE(raft::Deserialize(out, back)) << length;
  }
}

TEST(RaftMessageTest, SnapshotLengthPastTheInputFails) {
  Bytes out;
  raft::Serialize(Heartbeat(), out);
  out[out.size() - 4] = 1;  // snapshot of 1 byte, none present
  raft::Message back;
  EXPECT_FALSE(raft::Deserialize(out, back));
}

// Whatever decodes must re-encode to the very same bytes.
TEST(RaftMessageTest, SeededMutationsDecodeCanonicallyOrFail) {
  constexpr uint64_t kSeed = 424242;
  std::mt19937_64 rng(kSeed);
  int decoded = 0;
  int refused = 0;
  for (int i = 0; i < 20000; ++i) {
    raft::Message m = RandomMessage(rng);
    Bytes out;
    raft::Serialize(m, out);
    for (uint64_t flips = 1 + rng() % 3; flips > 0; --flips) {
      out[rng() % out.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
    }
    raft::Message back;
    if (!raft::Deserialize(out, back)) {
      ++refused;
      continue;
    }
    ++decoded;
    Bytes again;
    raft::Serialize(back, again);
    ASSERT_EQ(again, out) << "seed " << kSeed << " #" << i;
  }
  // Both outcomes occur, so neither branch is vacuous.
  EXPECT_GT(decoded, 1000);
  EXPECT_GT(refused, 1000);
}

}  // namespace
}  // namespace hotpath
