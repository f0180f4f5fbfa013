#include "benchgate/store/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <filesystem>
#include <mutex>
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

std::mutex failure_mutex;
std::string& FailingFileName() {
  static std::string name;
  return name;
}

bool WriteShouldFail(const std::filesystem::path& target) {
  const std::lock_guard<std::mutex> lock(failure_mutex);
  return !FailingFileName().empty() &&
         target.filename().string() == FailingFileName();
}

}  // namespace

void SetWriteFailureForTesting(const std::string& file_name) {
  const std::lock_guard<std::mutex> lock(failure_mutex);
  FailingFileName() = file_name;
}

namespace {

std::filesystem::path FolderOf(const std::filesystem::path& target) {
  return target.has_parent_path() ? target.parent_path() : ".";
}

std::string TemporaryFor(const std::filesystem::path& target) {
  static std::atomic<unsigned> counter{0};
  // Appended piecewise: GCC 12 at -O3 warns falsely (-Wrestrict) about
  // "." + std::string.
  std::string name(1, '.');
  name.append(target.filename().string())
      .append(".tmp.")
      .append(std::to_string(::getpid()))
      .append(".")
      .append(std::to_string(counter++));
  return (FolderOf(target) / name).string();
}

// Writes and fsyncs `parts` to a new temporary beside `path` and returns
// its name; on failure removes it and throws InputError.
std::string WriteTemporary(const std::string& path,
                           const std::vector<std::string_view>& parts) {
  const std::filesystem::path target(path);
  const std::filesystem::path dir = FolderOf(target);
  const std::string temporary = TemporaryFor(target);
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
  if (WriteShouldFail(target)) {
    errno = ENOSPC;
    fail("write");
  }
  for (const std::string_view content : parts) {
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
  }
  if (::fsync(fd.get()) != 0) fail("fsync");
  if (fd.Close() != 0) fail("close");
  return temporary;
}

// Makes the renames in `dir` durable.
void SyncFolder(const std::filesystem::path& dir) {
  FileDescriptor dir_fd(
      ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() >= 0) ::fsync(dir_fd.get());
}

}  // namespace

bool IsTemporaryFor(const std::string& name, const std::string& file_name) {
  const std::string prefix = "." + file_name + ".tmp.";
  if (name.compare(0, prefix.size(), prefix) != 0) return false;
  // <pid>.<n>
  const std::string rest = name.substr(prefix.size());
  const std::size_t dot = rest.find('.');
  const auto digits = [](const std::string& text) {
    return !text.empty() &&
           text.find_first_not_of("0123456789") == std::string::npos;
  };
  return dot != std::string::npos && digits(rest.substr(0, dot)) &&
         digits(rest.substr(dot + 1));
}

void WriteFileAtomically(const std::string& path, std::string_view content) {
  const std::string temporary = WriteTemporary(path, {content});
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string reason = ErrnoText();
    ::unlink(temporary.c_str());
    throw InputError(FolderOf(path).string(), "rename failed (" + reason + ")");
  }
  SyncFolder(FolderOf(path));
}

void WriteFilesAtomically(const std::vector<FileContent>& files) {
  std::vector<std::string> temporaries;
  const auto remove_temporaries = [&](std::size_t from) {
    for (std::size_t i = from; i < temporaries.size(); ++i) {
      ::unlink(temporaries[i].c_str());
    }
  };
  try {
    for (const FileContent& file : files) {
      std::vector<std::string_view> parts = {file.content};
      parts.insert(parts.end(), file.borrowed.begin(), file.borrowed.end());
      temporaries.push_back(WriteTemporary(file.path, parts));
    }
  } catch (...) {
    remove_temporaries(0);
    throw;
  }
  // Hard links to the old files, to put them back if a later rename fails.
  // Named like temporaries, so a kill leaves nothing the next accept does
  // not remove.
  std::vector<std::string> backups(files.size());
  std::vector<bool> new_file(files.size(), false);
  for (std::size_t i = 0; i + 1 < files.size(); ++i) {
    const std::string backup = TemporaryFor(files[i].path);
    if (::link(files[i].path.c_str(), backup.c_str()) == 0) {
      backups[i] = backup;
    } else {
      new_file[i] = errno == ENOENT;
    }
  }
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (::rename(temporaries[i].c_str(), files[i].path.c_str()) == 0) {
      continue;
    }
    const std::string reason = ErrnoText();
    remove_temporaries(i);
    for (std::size_t j = 0; j < i; ++j) {
      if (!backups[j].empty()) {
        ::rename(backups[j].c_str(), files[j].path.c_str());
      } else if (new_file[j]) {
        ::unlink(files[j].path.c_str());  // there was no old file
      }
    }
    for (const std::string& backup : backups) {
      if (!backup.empty()) ::unlink(backup.c_str());
    }
    throw InputError(FolderOf(files[i].path).string(),
                     "rename failed (" + reason + ")");
  }
  for (const std::string& backup : backups) {
    if (!backup.empty()) ::unlink(backup.c_str());
  }
  for (const FileContent& file : files) SyncFolder(FolderOf(file.path));
}

}  // namespace hotpath::benchgate
