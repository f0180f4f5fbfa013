// Results of the storage vocabulary. A Status is ok or carries the store's
// message; the ok path holds an empty string, so returning it never
// allocates. A StorageError is what the orchestrator's `storage_context`
// makes of a failed call: the operation it was part of and the store's error,
// spelled "<operation>: <source>".
#ifndef HOTPATH_COMMON_STORAGE_STATUS_H_
#define HOTPATH_COMMON_STORAGE_STATUS_H_

#include <string>
#include <utility>

namespace hotpath::storage {

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status Error(std::string message) {
    Status status;
    status.ok_ = false;
    status.message_ = std::move(message);
    return status;
  }

  bool ok() const { return ok_; }
  // Empty when ok.
  const std::string& message() const& { return message_; }
  std::string&& message() && { return std::move(message_); }

  bool operator==(const Status&) const = default;

 private:
  bool ok_ = true;
  std::string message_;
};

struct StorageError {
  std::string operation;  // "insert into VM_STATE table"
  std::string source;     // the store's message
  std::string ToString() const { return operation + ": " + source; }
  bool operator==(const StorageError&) const = default;
};

}  // namespace hotpath::storage

#endif  // HOTPATH_COMMON_STORAGE_STATUS_H_
