// The seed build (b) as an unprivileged user with rootless isolation, and
// reproducibility: with SOURCE_DATE_EPOCH it gives the same image id and
// manifest digest as the root build with BUILDAH_ISOLATION=chroot, each in a
// fresh store.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <future>

#include <nlohmann/json.hpp>

#include "tests/e2e/e2e_env.h"

namespace shale::testing::e2e {
namespace {

TEST(SeedRootless, RootlessBuildAsUserMatchesRootChrootBuildDigest) {
  if (!HaveTool("go")) GTEST_SKIP() << "golang-go not installed (the golang base image is made from it)";
  std::string why;
  TestUser user = EnsureTestUser(&why);
  if (user.name.empty()) GTEST_SKIP() << "no unprivileged test user: " << why;

  ScratchDir dir("e2e-rootless");
  // What the user reads: a copy of the binary and of the context, world-readable.
  std::string bin = dir / "shale";
  ASSERT_EQ(shale::testing::Run({"cp", ShaleBinary(), bin}).exit_code, 0);
  ASSERT_EQ(chmod(bin.c_str(), 0755), 0);
  std::string context = CopySeedContext(dir / "ctx");
  ASSERT_EQ(shale::testing::Run({"chmod", "-R", "a+rX", context}).exit_code, 0);
  // Its own HOME with the store under it; the base images imported there.
  // (A copy of a store the base images were imported into: one import.)
  std::string root_store = dir / "root-store";
  ASSERT_EQ(PrepareSeedStore(root_store), "");
  std::string home = dir / "home";
  std::string user_store = home + "/store";
  ASSERT_EQ(mkdir(home.c_str(), 0700), 0);
  ASSERT_EQ(shale::testing::Run({"cp", "-a", root_store, user_store}).exit_code, 0);
  for (const char* sub : {"tmp", "run"}) ASSERT_EQ(mkdir((home + "/" + sub).c_str(), 0700), 0);
  std::string owner = std::to_string(user.uid) + ":" + std::to_string(user.gid);
  ASSERT_EQ(shale::testing::Run({"chown", "-R", owner, home}).exit_code, 0);
  ASSERT_EQ(chmod(home.c_str(), 0700), 0);

  // (a) variant: root, isolation from BUILDAH_ISOLATION, its own fresh store,
  // built while the user's build runs.
  auto root_build = std::async(std::launch::async, [&] {
    return Shale(root_store, {"build", "-t", "seed:repro", dir / "ctx"},
                 {.env = {{"BUILDAH_ISOLATION", "chroot"}, {"SOURCE_DATE_EPOCH", kEpoch}}, .timeout_seconds = 900});
  });

  // (b) the user, --isolation rootless.
  CommandResult rootless = RunAs(user, home,
                                 {bin, "--root", user_store, "build", "--isolation", "rootless", "-t", "seed:repro",
                                  context},
                                 {.env = {{"SOURCE_DATE_EPOCH", kEpoch}}, .timeout_seconds = 900});
  CommandResult root = root_build.get();
  ASSERT_EQ(rootless.exit_code, 0) << rootless.output;
  EXPECT_NE(rootless.output.find("COMMIT localhost/seed:repro"), std::string::npos) << rootless.output;
  ASSERT_EQ(root.exit_code, 0) << root.output;

  CommandResult inspect = RunAs(user, home, {bin, "--root", user_store, "inspect", "--format", "{{.Id}} {{.Digest}}",
                                             "seed:repro"});
  ASSERT_EQ(inspect.exit_code, 0) << inspect.output;
  ImageIds rootless_ids;
  std::istringstream(inspect.output) >> rootless_ids.id >> rootless_ids.digest;
  ImageIds root_ids = InspectIds(root_store, "seed:repro");
  ASSERT_FALSE(root_ids.id.empty());
  EXPECT_EQ(rootless_ids.id, root_ids.id) << "image ids differ between root/chroot and rootless builds";
  EXPECT_EQ(rootless_ids.digest, root_ids.digest) << "manifest digests differ";

  // Nothing in the user's store belongs to the host's root (files owned by
  // ids in the user's subordinate range are expected: /home/user is 1000).
  CommandResult foreign = shale::testing::Run({"find", user_store, "-user", "0", "-print", "-quit"});
  EXPECT_EQ(TrimRight(foreign.output), "") << "root-owned files in the user's store";

  // The same config both ways, and the binary is in the image as the user's build made it.
  CommandResult cfg = RunAs(user, home, {bin, "--root", user_store, "inspect", "--type", "config", "seed:repro"});
  ASSERT_EQ(cfg.exit_code, 0) << cfg.output;
  nlohmann::json config = nlohmann::json::parse(cfg.output, nullptr, false);
  EXPECT_EQ(config["config"]["User"], "1000:1000") << cfg.output;
}

}  // namespace
}  // namespace shale::testing::e2e
