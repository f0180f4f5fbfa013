// Crash-safe replacement of a file.
//
// The content goes to a temporary file in the same directory, is fsynced,
// renamed over the target and the directory is fsynced: rename is atomic
// within a file system, so a kill at any moment leaves the old file or the
// new one, never a mix. A leftover temporary (dot-prefixed) is ignored by
// every reader.

#ifndef HOTPATH_TOOLS_BENCHGATE_STORE_ATOMIC_FILE_H_
#define HOTPATH_TOOLS_BENCHGATE_STORE_ATOMIC_FILE_H_

#include <string>
#include <string_view>

namespace hotpath::benchgate {

// Throws InputError (naming the directory) if it cannot be written.
void WriteFileAtomically(const std::string& path, std::string_view content);

}  // namespace hotpath::benchgate

#endif  // HOTPATH_TOOLS_BENCHGATE_STORE_ATOMIC_FILE_H_
