// A little-endian binary codec, the stand-in for the orchestrator's bincode:
// fixed-width integers, and u32-length-prefixed byte strings. The writer
// appends to a caller's buffer, so a reused buffer costs no allocation once
// it has grown; the reader never allocates and reports truncation.
#ifndef HOTPATH_COMMON_WIRE_CODEC_H_
#define HOTPATH_COMMON_WIRE_CODEC_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

namespace hotpath::wire {

using Bytes = std::vector<uint8_t>;

class Writer {
 public:
  explicit Writer(Bytes& out) : out_(out) {}

  template <typename T>
  requires std::is_integral_v<T>
  void Int(T value) {
    std::array<uint8_t, sizeof(T)> bytes;
    for (size_t i = 0; i < sizeof(T); ++i) {
      bytes[i] = static_cast<uint8_t>(
          static_cast<std::make_unsigned_t<T>>(value) >> (8 * i));
    }
    out_.insert(out_.end(), bytes.begin(), bytes.end());
  }
  void Raw(std::span<const uint8_t> bytes) {
    out_.insert(out_.end(), bytes.begin(), bytes.end());
  }
  // u32 length, then the bytes.
  void Blob(std::span<const uint8_t> bytes) {
    Int(static_cast<uint32_t>(bytes.size()));
    Raw(bytes);
  }
  void String(std::string_view text) {
    Blob({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
  }

 private:
  Bytes& out_;
};

class Reader {
 public:
  explicit Reader(std::span<const uint8_t> in) : in_(in) {}

  // False once any read ran past the end; reads after that return zeros.
  bool ok() const { return ok_; }
  bool done() const { return ok_ && pos_ == in_.size(); }
  size_t position() const { return pos_; }

  template <typename T>
  requires std::is_integral_v<T> T Int() {
    if (!Need(sizeof(T))) return T{};
    std::make_unsigned_t<T> value = 0;
    for (size_t i = 0; i < sizeof(T); ++i) {
      value |= static_cast<std::make_unsigned_t<T>>(
          static_cast<std::make_unsigned_t<T>>(in_[pos_ + i]) << (8 * i));
    }
    pos_ += sizeof(T);
    return static_cast<T>(value);
  }
  std::span<const uint8_t> Raw(size_t size) {
    if (!Need(size)) return {};
    auto bytes = in_.subspan(pos_, size);
    pos_ += size;
    return bytes;
  }
  std::span<const uint8_t> Blob() { return Raw(Int<uint32_t>()); }
  std::string_view String() {
    auto bytes = Blob();
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
  }

 private:
  bool Need(size_t size) {
    if (!ok_ || in_.size() - pos_ < size) {
      ok_ = false;
      return false;
    }
    return true;
  }

  std::span<const uint8_t> in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace hotpath::wire

#endif  // HOTPATH_COMMON_WIRE_CODEC_H_
