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
#include <vector>

namespace hotpath::benchgate {

// Throws InputError (naming the directory) if it cannot be written.
void WriteFileAtomically(const std::string& path, std::string_view content);

struct FileContent {
  std::string path;
  std::string content;
  // Written after `content`, and not copied: a large part the caller keeps
  // (a baseline's rows) is never joined into one string with the rest.
  std::vector<std::string_view> borrowed = {};
};

// Replaces several files as a set: every temporary is written and fsynced
// before the first rename, so a failure to write any of them (a full disk)
// removes all temporaries and leaves every old file as it was. A failing
// rename puts back the files already replaced. Only a kill between two
// renames can leave the first file new and the rest old, so order `files`
// with the one whose new content is valid beside the others' old content
// first.
void WriteFilesAtomically(const std::vector<FileContent>& files);

// The temporary's name: ".<file name>.tmp.<pid>.<n>" in the target's folder.
// True for a name of that pattern made for `file_name`.
bool IsTemporaryFor(const std::string& name, const std::string& file_name);

// Tests only: writing the content of any file named `file_name` (the target's
// name, e.g. "baseline.json") fails as a full disk would (ENOSPC), until set
// to "" again. Deterministic, and unlike permission bits it holds for root.
void SetWriteFailureForTesting(const std::string& file_name);

}  // namespace hotpath::benchgate

#endif  // HOTPATH_TOOLS_BENCHGATE_STORE_ATOMIC_FILE_H_
