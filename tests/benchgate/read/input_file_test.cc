// ReadInputFile: what a path may name before benchgate reads it. Each case
// is one that hung or read without bound before (a FIFO with no writer,
// /dev/zero directly and through a symlink) or gave a raw system message.

#include "benchgate/read/input_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "benchgate/error.h"
#include "benchgate/read/gb_reader.h"
#include "test_support.h"

namespace hotpath::benchgate {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

std::string ErrorOf(const std::string& path,
                    std::uint64_t limit = kMaxInputBytes) {
  try {
    ReadInputFile(path, limit);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(InputFileTest, ReadsARegularFileAndALinkToOne) {
  TempDir dir;
  std::ofstream(dir.Path("a.json")) << "{\"x\": 1}";
  fs::create_symlink(dir.Path("a.json"), dir.Path("link.json"));
  EXPECT_EQ(ReadInputFile(dir.Path("a.json")), "{\"x\": 1}");
  EXPECT_EQ(ReadInputFile(dir.Path("link.json")), "{\"x\": 1}");
  std::ofstream(dir.Path("empty.json"));
  EXPECT_EQ(ReadInputFile(dir.Path("empty.json")), "");
}

TEST(InputFileTest, RefusesWhatIsNotARegularFileWithOneLine) {
  TempDir dir;
  ASSERT_EQ(::mkfifo(dir.Path("fifo.json").c_str(), 0600), 0);
  fs::create_symlink("/dev/zero", dir.Path("zero.json"));
  fs::create_directories(dir.Path("folder.json"));
  fs::create_symlink(dir.Path("loop1"), dir.Path("loop2"));
  fs::create_symlink(dir.Path("loop2"), dir.Path("loop1"));
  const struct {
    std::string path, expected;
  } cases[] = {
      {dir.Path("fifo.json"), "is a FIFO, not a regular file"},
      {dir.Path("zero.json"), "is a character device, not a regular file"},
      {"/dev/urandom", "is a character device, not a regular file"},
      {dir.Path("folder.json"), "is a folder, not a regular file"},
      {dir.Path("absent.json"), "no such file"},
      {dir.Path("loop1"), "too many levels of symlinks"},
  };
  for (const auto& c : cases) {
    const std::string error = ErrorOf(c.path);
    EXPECT_EQ(error, c.path + ": " + c.expected);
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  }
  // The readers go through it: a FIFO run file fails at once, no hang.
  EXPECT_THROW(ReadBenchmarkFile(dir.Path("fifo.json")), InputError);
}

TEST(InputFileTest, RefusesAFileLargerThanTheLimit) {
  TempDir dir;
  std::ofstream(dir.Path("big.json")) << std::string(3 << 20, ' ');
  EXPECT_EQ(ErrorOf(dir.Path("big.json"), 2 << 20),
            dir.Path("big.json") +
                ": is 3 MB, more than the 2 MB benchgate "
                "reads");
  EXPECT_EQ(ReadInputFile(dir.Path("big.json"), 4 << 20).size(), 3u << 20);
}

}  // namespace
}  // namespace hotpath::benchgate
