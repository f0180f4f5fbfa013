#include "benchgate/read/input_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "benchgate/error.h"

namespace hotpath::benchgate {
namespace {

std::string KindOf(mode_t mode) {
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

}  // namespace

InputFile::InputFile(const std::string& path, std::uint64_t max_bytes)
    : path_(path), max_bytes_(max_bytes) {
  // O_NONBLOCK: opening a FIFO without a writer returns at once.
  fd_ = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd_ < 0) {
    const int error = errno;
    if (error == ENOENT) throw InputError(path, "no such file");
    if (error == ELOOP) throw InputError(path, "too many levels of symlinks");
    throw InputError(path, std::string("cannot open: ") + std::strerror(error));
  }
  try {
    struct stat info {};
    if (::fstat(fd_, &info) != 0) {
      throw InputError(path,
                       std::string("cannot stat: ") + std::strerror(errno));
    }
    if (!S_ISREG(info.st_mode)) {
      throw InputError(path,
                       "is " + KindOf(info.st_mode) + ", not a regular file");
    }
    size_ = static_cast<std::uint64_t>(info.st_size);
    if (size_ > max_bytes) {
      throw InputError(
          path, "is " + std::to_string(size_ >> 20) + " MB, more than the " +
                    std::to_string(max_bytes >> 20) + " MB benchgate reads");
    }
  } catch (...) {
    ::close(fd_);
    throw;
  }
}

InputFile::~InputFile() { ::close(fd_); }

std::size_t InputFile::Read(char* buffer, std::size_t capacity) {
  for (;;) {
    const ssize_t got = ::read(fd_, buffer, capacity);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw InputError(path_,
                       std::string("read failed: ") + std::strerror(errno));
    }
    read_ += static_cast<std::uint64_t>(got);
    // A file that grows while it is read is held to the same limit.
    if (read_ > max_bytes_) {
      throw InputError(path_, "grew past the " +
                                  std::to_string(max_bytes_ >> 20) +
                                  " MB benchgate reads");
    }
    return static_cast<std::size_t>(got);
  }
}

std::string ReadInputFile(const std::string& path, std::uint64_t max_bytes) {
  InputFile file(path, max_bytes);
  std::string text;
  text.reserve(file.size());
  char buffer[1 << 16];
  while (const std::size_t got = file.Read(buffer, sizeof(buffer))) {
    text.append(buffer, got);
  }
  return text;
}

}  // namespace hotpath::benchgate
