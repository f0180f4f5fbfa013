#include "benchgate/read/input_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "benchgate/error.h"

namespace hotpath::benchgate {
namespace {

// Closes the descriptor on every path out.
class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string KindOf(mode_t mode) {
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

}  // namespace

std::string ReadInputFile(const std::string& path, std::uint64_t max_bytes) {
  // O_NONBLOCK: opening a FIFO without a writer returns at once.
  const Descriptor fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (fd.get() < 0) {
    const int error = errno;
    if (error == ENOENT) throw InputError(path, "no such file");
    if (error == ELOOP) throw InputError(path, "too many levels of symlinks");
    throw InputError(path, std::string("cannot open: ") + std::strerror(error));
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) {
    throw InputError(path, std::string("cannot stat: ") + std::strerror(errno));
  }
  if (!S_ISREG(info.st_mode)) {
    throw InputError(path,
                     "is " + KindOf(info.st_mode) + ", not a regular file");
  }
  const auto size = static_cast<std::uint64_t>(info.st_size);
  if (size > max_bytes) {
    throw InputError(
        path, "is " + std::to_string(size >> 20) + " MB, more than the " +
                  std::to_string(max_bytes >> 20) + " MB benchgate reads");
  }
  std::string text;
  text.reserve(size);
  char buffer[1 << 16];
  for (;;) {
    const ssize_t got = ::read(fd.get(), buffer, sizeof(buffer));
    if (got == 0) break;
    if (got < 0) {
      if (errno == EINTR) continue;
      throw InputError(path,
                       std::string("read failed: ") + std::strerror(errno));
    }
    // A file that grows while it is read is held to the same limit.
    if (text.size() + static_cast<std::size_t>(got) > max_bytes) {
      throw InputError(path, "grew past the " +
                                 std::to_string(max_bytes >> 20) +
                                 " MB benchgate reads");
    }
    text.append(buffer, static_cast<std::size_t>(got));
  }
  return text;
}

}  // namespace hotpath::benchgate
