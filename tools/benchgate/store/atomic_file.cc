#include "benchgate/store/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <filesystem>
#include <system_error>

#include "benchgate/error.h"

namespace hotpath::benchgate {
namespace {

// std::strerror may share a buffer between threads; this does not.
std::string ErrnoText() { return std::generic_category().message(errno); }

// Closes on every path out, including exceptions.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Close explicitly to see its error: NFS reports write failures here.
  int Close() {
    const int result = ::close(fd_);
    fd_ = -1;
    return result;
  }

 private:
  int fd_;
};

}  // namespace

void WriteFileAtomically(const std::string& path, std::string_view content) {
  const std::filesystem::path target(path);
  const std::filesystem::path dir =
      target.has_parent_path() ? target.parent_path() : ".";
  static std::atomic<unsigned> counter{0};
  // Appended piecewise: GCC 12 at -O3 warns falsely (-Wrestrict) about
  // "." + std::string.
  std::string name(1, '.');
  name.append(target.filename().string())
      .append(".tmp.")
      .append(std::to_string(::getpid()))
      .append(".")
      .append(std::to_string(counter++));
  const std::string temporary = (dir / name).string();
  FileDescriptor fd(
      ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (fd.get() < 0) {
    throw InputError(dir.string(), "not writable (" + ErrnoText() + ")");
  }
  const auto fail = [&](const std::string& step) {
    const std::string reason = ErrnoText();
    ::unlink(temporary.c_str());
    throw InputError(dir.string(), step + " failed (" + reason + ")");
  };
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n =
        ::write(fd.get(), content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("write");
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0) fail("fsync");
  if (fd.Close() != 0) fail("close");
  if (::rename(temporary.c_str(), path.c_str()) != 0) fail("rename");
  // Make the rename itself durable.
  FileDescriptor dir_fd(
      ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() >= 0) ::fsync(dir_fd.get());
}

}  // namespace hotpath::benchgate
