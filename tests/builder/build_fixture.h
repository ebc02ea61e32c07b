// Fixture for `shale build` integration tests: a store with the local busybox
// image, a fresh build context per test, and readers for what a build made
// (inspect JSON, layer listings, file contents straight from layer blobs).
#ifndef SHALE_TESTS_BUILDER_BUILD_FIXTURE_H_
#define SHALE_TESTS_BUILDER_BUILD_FIXTURE_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/testutil/subprocess.h"

// Skips the calling BuildTest test when RUN steps cannot run here, with the
// reason found by SetUpTestSuite.
#define REQUIRE_RUN() \
  if (!CanRun()) GTEST_SKIP() << run_skip_reason()

namespace shale::testing {

// python3's http.server on 127.0.0.1 (a free port) serving `dir`; stopped
// (by its pid) on destruction. port() is 0 when it could not start.
class StaticHttpServer {
 public:
  explicit StaticHttpServer(const std::string& dir);
  ~StaticHttpServer();
  StaticHttpServer(const StaticHttpServer&) = delete;
  StaticHttpServer& operator=(const StaticHttpServer&) = delete;
  int port() const { return port_; }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + "/" + path; }

 private:
  int pid_ = -1;
  int port_ = 0;
};

class BuildTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override;

  // GTEST_SKIPs the calling test (via the returned flag) when RUN steps
  // cannot run here. Use as: if (!CanRun()) GTEST_SKIP() << run_skip_reason();
  static bool CanRun() { return run_skip_.empty(); }
  static const std::string& run_skip_reason() { return run_skip_; }

  const std::string& root() const { return *root_path_; }
  std::string ctx() const { return (*scratch_) / "ctx"; }
  std::string Scratch(const std::string& rel) const { return (*scratch_) / rel; }
  // Writes a file in the build context.
  void Context(const std::string& rel, const std::string& data, int mode = 0644) const;

  // Writes `containerfile` as ctx()/Containerfile and runs
  // `shale --root R build -f ctx/Containerfile [args...] ctx`.
  CommandResult Build(const std::string& containerfile, const std::vector<std::string>& args = {},
                      const CommandOptions& options = {}) const;
  // Any shale command against the test store.
  CommandResult Shale(const std::vector<std::string>& args, const CommandOptions& options = {}) const;

  // `shale inspect NAME` (its first element); null JSON when it fails.
  nlohmann::json Inspect(const std::string& name) const;
  bool ImageExists(const std::string& name) const;

  // Path of layer blob `index` of the image (negative: from the end).
  std::string LayerBlob(const nlohmann::json& image, int index) const;
  // `tar -tv --numeric-owner` of a layer blob: one line per entry.
  std::string LayerListing(const std::string& blob) const;
  // Names only (as in the tar, e.g. "app/x.txt"), sorted.
  std::vector<std::string> LayerNames(const std::string& blob) const;
  // LayerNames without a bare "etc" directory entry: a RUN's resolv.conf/hosts
  // mount points touch /etc, and the snapshotters report the directory
  // itself (same metadata as the base) — a known wart, not content.
  std::vector<std::string> RunLayerNames(const std::string& blob) const;
  // Contents of `path` (no leading slash) from the newest layer that holds
  // it; *found false when none does.
  std::string FileInImage(const std::string& name, const std::string& path, bool* found = nullptr) const;
  // All layer bytes of an image, decompressed and concatenated.
  std::string AllLayerBytes(const std::string& name) const;

  static std::string history_created_by(const nlohmann::json& image);

 private:
  static std::unique_ptr<ScratchDir> store_dir_;
  static std::string* root_path_;
  static std::string base_skip_;
  static std::string run_skip_;
  std::unique_ptr<ScratchDir> scratch_;
};

}  // namespace shale::testing

#endif  // SHALE_TESTS_BUILDER_BUILD_FIXTURE_H_
