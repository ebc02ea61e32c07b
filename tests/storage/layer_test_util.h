// Helpers shared by the layers tests: temp dirs, sinks, shell, tree snapshots.
#ifndef SHALE_TESTS_STORAGE_LAYER_TEST_UTIL_H_
#define SHALE_TESTS_STORAGE_LAYER_TEST_UTIL_H_

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <string>

#include "base/byte_sink.h"
#include "base/fd.h"
#include "base/status.h"

namespace shale::layertest {

class StringSink : public ByteSink {
 public:
  Status Write(const void* data, size_t len) override {
    s.append(static_cast<const char*>(data), len);
    return Status();
  }
  using ByteSink::Write;
  std::string s;
};

class FileSink : public ByteSink {
 public:
  explicit FileSink(const std::string& path)
      : fd_(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) {}
  Status Write(const void* data, size_t len) override { return WriteAll(fd_.get(), data, len); }
  using ByteSink::Write;

 private:
  UniqueFd fd_;
};

class TempDir {
 public:
  TempDir() {
    const char* base = getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/shale-layers-XXXXXX";
    char* p = mkdtemp(tmpl.data());
    path_ = p ? p : "";
  }
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

// Runs a shell command; returns its exit status (-1 when it did not exit).
int Sh(const std::string& cmd);
// Runs a shell command and returns its stdout.
std::string ShOut(const std::string& cmd);
std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& data, int mode = 0644);
int OpenRead(const std::string& path);

// A full description of a tree: one line per entry (type, mode, uid, gid,
// size, content sha256, symlink target, xattrs, mtime, hardlink group),
// keyed by relative path. Used to compare trees exactly.
struct TreeOptions {
  bool mtime = true;
  bool root_entry = false;   // include "." itself
  bool dir_mtime = true;
};
std::map<std::string, std::string> SnapshotTree(const std::string& root, const TreeOptions& o = {});
// Human-readable difference of two snapshots ("" when equal).
std::string DiffTrees(const std::map<std::string, std::string>& a,
                      const std::map<std::string, std::string>& b);

}  // namespace shale::layertest

#endif  // SHALE_TESTS_STORAGE_LAYER_TEST_UTIL_H_
