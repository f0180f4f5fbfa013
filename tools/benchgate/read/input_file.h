// Reading an input file without trusting what the path names.
//
// Every file benchgate reads goes through ReadInputFile: a FIFO with no
// writer, a character device (/dev/zero, /dev/urandom, also behind a
// symlink), a folder or a file past the size limit is refused with one line
// instead of blocking forever or reading without bound. The file is opened
// non-blocking and checked with fstat on the opened descriptor, so a path
// swapped between a check and the open is caught too.

#ifndef HOTPATH_TOOLS_BENCHGATE_READ_INPUT_FILE_H_
#define HOTPATH_TOOLS_BENCHGATE_READ_INPUT_FILE_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace hotpath::benchgate {

// Google Benchmark JSON of 5,000 benchmarks x 20 repetitions is about 60 MB;
// four times that is room enough for any real suite.
inline constexpr std::uint64_t kMaxInputBytes = 256ull << 20;

// A regular file opened for reading in pieces, under the same checks.
class InputFile {
 public:
  // Throws InputError naming the path for anything that is not a regular
  // file no larger than `max_bytes` (see ReadInputFile).
  explicit InputFile(const std::string& path,
                     std::uint64_t max_bytes = kMaxInputBytes);
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  const std::string& path() const { return path_; }
  std::uint64_t size() const { return size_; }  // as fstat said at open
  // Up to `capacity` more bytes into `buffer`; 0 at the end. Throws
  // InputError when reading fails or the file grows past the limit.
  std::size_t Read(char* buffer, std::size_t capacity);

 private:
  std::string path_;
  std::uint64_t max_bytes_;
  std::uint64_t size_ = 0;
  std::uint64_t read_ = 0;
  int fd_ = -1;
};

// The whole content of the regular file at `path` (symlinks followed).
// Throws InputError naming the path for anything else: missing, not a
// regular file (folder, FIFO, device, socket), larger than `max_bytes`, or
// unreadable.
std::string ReadInputFile(const std::string& path,
                          std::uint64_t max_bytes = kMaxInputBytes);

}  // namespace hotpath::benchgate

#endif  // HOTPATH_TOOLS_BENCHGATE_READ_INPUT_FILE_H_
