// Test helpers: run a command, capture its output, scratch directories, and
// the locally made base images (never pulled from the internet).
#ifndef SHALE_TESTS_TESTUTIL_SUBPROCESS_H_
#define SHALE_TESTS_TESTUTIL_SUBPROCESS_H_

#include <map>
#include <string>
#include <vector>

namespace shale::testing {

struct CommandResult {
  int exit_code = -1;   // -1 when killed by a signal
  int signal = 0;
  std::string output;   // stdout and stderr interleaved
};

struct CommandOptions {
  std::map<std::string, std::string> env;  // added to / overriding the environment
  std::vector<std::string> unset_env;
  std::string cwd;
  std::string stdin_data;
  int timeout_seconds = 600;
};

// Runs argv[0] (PATH searched) and waits. Never throws.
CommandResult Run(const std::vector<std::string>& argv, const CommandOptions& options = {});

// The shale binary of this build.
std::string ShaleBinary();
// The repository root.
std::string SourceDir();
// /work/shared/conformance or wherever ../shared/conformance is; "" when absent.
std::string ConformanceDir();

// A fresh directory under $TMPDIR, removed (recursively, as root too) on destruction.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& prefix = "shale-test");
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

// Writes a file, creating parent directories.
void WriteFile(const std::string& path, const std::string& data, int mode = 0644);
std::string ReadFile(const std::string& path);

// True when `tool` is found in PATH.
bool HaveTool(const std::string& tool);

// A rootfs tarball of base image `name` ("busybox" or "golang"), made by
// tests/fixtures/rootfs.sh and cached under ~/.cache/shale-fixtures (keyed by
// the script's content). Returns "" (and the reason in *why) when it cannot
// be made here.
std::string BaseRootfsTarball(const std::string& name, std::string* why);

// Imports base image `name` into the store at `root` as `<name>:latest`
// (golang also as golang:bookworm; busybox also as runtime:latest).
// Returns "" on success, else the failure output.
std::string ImportBaseImage(const std::string& root, const std::string& name);

}  // namespace shale::testing

#endif  // SHALE_TESTS_TESTUTIL_SUBPROCESS_H_
