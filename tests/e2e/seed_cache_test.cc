// The build cache on the seed: nothing changed -> every step a cache hit and
// the same image id; mtimes changed -> still all hits; a fresh copy of the
// sources elsewhere -> all hits; one Go source changed -> only the steps from
// its COPY on run again.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include "tests/e2e/e2e_env.h"

namespace shale::testing::e2e {
namespace {

namespace fs = std::filesystem;

// The seed's step numbers (STEP n/12).
constexpr int kCopySources = 5;     // COPY . .
constexpr int kGoBuild = 6;         // RUN ... go build
constexpr int kCopyCerts = 8;       // COPY --from=builder ca-certificates.crt
constexpr int kCopyBinary = 9;      // COPY --from=builder /out/api

std::string Steps(const std::vector<int>& v) {
  std::string s;
  for (int n : v) s += std::to_string(n) + " ";
  return s;
}

class SeedCache : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "builds as root with chroot isolation";
    if (!HaveTool("go")) GTEST_SKIP() << "golang-go not installed (the golang base image is made from it)";
    ASSERT_EQ(PrepareSeedStore(store_), "");
  }

  // A build of `context` with --progress json; the default timestamps (no
  // SOURCE_DATE_EPOCH): an unchanged image id must come from the cache.
  StepStats Build(const std::string& context, CommandResult* out = nullptr, bool json_progress = true) {
    std::vector<std::string> args{"build", "--isolation", "chroot", "-t", "seed:cache"};
    if (json_progress) args.insert(args.end(), {"--progress", "json"});
    args.push_back(context);
    CommandResult r = Shale(store_, args, {.timeout_seconds = 900});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    if (out) *out = r;
    return ParseJsonProgress(r.output);
  }

  ScratchDir dir_{"e2e-cache"};
  std::string store_ = dir_ / "store";
};

TEST_F(SeedCache, UnchangedTouchedClonedAndOneSourceChanged) {
  std::string context = CopySeedContext(dir_ / "ctx");
  StepStats cold = Build(context);
  ASSERT_FALSE(cold.commit_id.empty());
  EXPECT_EQ(cold.CacheHits(), 0);
  EXPECT_EQ(cold.executed.size(), static_cast<size_t>(kSeedCacheableSteps)) << Steps(cold.executed);
  ImageIds first = InspectIds(store_, "seed:cache");
  ASSERT_FALSE(first.id.empty());

  // Nothing changed: every step a hit (plain progress, as a CI log shows it).
  CommandResult plain;
  Build(context, &plain, /*json_progress=*/false);
  EXPECT_EQ(CountOf(plain.output, "--> Using cache "), kSeedCacheableSteps) << plain.output;
  EXPECT_EQ(CountOf(plain.output, "STEP "), kSeedSteps) << plain.output;
  EXPECT_EQ(InspectIds(store_, "seed:cache").id, first.id) << plain.output;

  // Only mtimes changed (sources, go.mod, the Containerfile): all hits.
  for (const auto& e : fs::recursive_directory_iterator(context)) {
    ASSERT_EQ(shale::testing::Run({"touch", "-d", "2030-01-02 03:04:05", e.path().string()}).exit_code, 0);
  }
  StepStats touched = Build(context);
  EXPECT_EQ(touched.CacheHits(), kSeedCacheableSteps);
  EXPECT_TRUE(touched.executed.empty()) << Steps(touched.executed);
  EXPECT_EQ(InspectIds(store_, "seed:cache").id, first.id);

  // A fresh clone (another directory, new inodes and mtimes): all hits.
  std::string clone = CopySeedContext(dir_ / "clone");
  StepStats cloned = Build(clone);
  EXPECT_EQ(cloned.CacheHits(), kSeedCacheableSteps);
  EXPECT_TRUE(cloned.executed.empty()) << Steps(cloned.executed);
  EXPECT_EQ(InspectIds(store_, "seed:cache").id, first.id);

  // One Go source changed: the builder stage's steps before `COPY . .` hit;
  // that COPY and the go build run again; in the runtime stage the certs
  // (same content) may hit, the new binary's COPY and everything after it run.
  WriteFile(clone + "/version.go", "package main\n\nconst version = \"1.0.1\"\n");
  StepStats changed = Build(clone);
  for (int step = 2; step < kCopySources; ++step) EXPECT_TRUE(changed.cache_hit[step]) << "step " << step;
  std::vector<int> want_run{kCopySources, kGoBuild, kCopyBinary, 10, 11, 12};
  for (int step : want_run) {
    EXPECT_FALSE(changed.cache_hit[step]) << "step " << step;
    EXPECT_NE(std::find(changed.executed.begin(), changed.executed.end(), step), changed.executed.end())
        << "step " << step << " did not run; ran: " << Steps(changed.executed);
  }
  // Every step is either a hit or ran, never both.
  EXPECT_EQ(changed.CacheHits() + static_cast<int>(changed.executed.size()), kSeedCacheableSteps)
      << "ran: " << Steps(changed.executed);
  EXPECT_EQ(changed.executed.size(), want_run.size() + (changed.cache_hit[kCopyCerts] ? 0 : 1));
  ImageIds after = InspectIds(store_, "seed:cache");
  EXPECT_NE(after.id, first.id);
  EXPECT_EQ(after.id, changed.commit_id.substr(changed.commit_id.find(':') + 1));
}

}  // namespace
}  // namespace shale::testing::e2e
