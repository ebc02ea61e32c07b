#include "runtime/rootfs_prep.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/testutil/subprocess.h"

namespace shale::runtime {
namespace {

struct timespec Mtime(const std::string& path) {
  struct stat st;
  EXPECT_EQ(lstat(path.c_str(), &st), 0) << path;
  return st.st_mtim;
}
bool Same(struct timespec a, struct timespec b) { return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec; }
bool Exists(const std::string& p) {
  struct stat st;
  return lstat(p.c_str(), &st) == 0;
}

class RootfsPrepTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = scratch_ / "rootfs";
    shale::testing::WriteFile(root_ + "/etc/passwd", "x");
    ASSERT_EQ(mkdir((root_ + "/var").c_str(), 0755), 0);
    ASSERT_EQ(symlink("/run", (root_ + "/var/run").c_str()), 0);
    ASSERT_EQ(mkdir((root_ + "/run").c_str(), 0755), 0);
    // Old, distinct times so a restore is visible.
    struct timespec t[2] = {{1000, 0}, {1000, 0}};
    for (const char* d : {"", "/etc", "/run"}) utimensat(AT_FDCWD, (root_ + d).c_str(), t, 0);
    shale::testing::WriteFile(scratch_ / "host/file", "secret");
    ASSERT_EQ(mkdir((scratch_ / "host/dir").c_str(), 0755), 0);
  }
  shale::testing::ScratchDir scratch_{"rootfs-prep"};
  std::string root_;
};

TEST_F(RootfsPrepTest, CreatesMissingAndRemovesExactlyThose) {
  std::vector<PrepOp> ops = {
      {PrepOp::Kind::kDir, "/proc", "", 0755, 0, false},
      {PrepOp::Kind::kFile, "/etc/hosts", "", 0644, 0, false},
      {PrepOp::Kind::kFile, "/etc/passwd", "", 0644, 0, false},  // exists: untouched
      {PrepOp::Kind::kMountTarget, "/var/run/secrets/token", scratch_ / "host/file", 0, 0, false},
      {PrepOp::Kind::kMountTarget, "/cache/go", scratch_ / "host/dir", 0, 0, false},
  };
  auto prep = RootfsPreparation::Apply(root_, ops);
  ASSERT_TRUE(prep.ok()) << prep.status().ToString();
  EXPECT_TRUE(Exists(root_ + "/proc"));
  EXPECT_TRUE(Exists(root_ + "/etc/hosts"));
  // /var/run -> /run is followed inside the rootfs.
  EXPECT_TRUE(Exists(root_ + "/run/secrets/token"));
  struct stat st;
  ASSERT_EQ(stat((root_ + "/cache/go").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(prep->created(), (std::vector<std::string>{"/proc", "/etc/hosts", "/var/run/secrets",
                                                       "/var/run/secrets/token", "/cache", "/cache/go"}));
  auto touched = prep->Undo();
  EXPECT_FALSE(Exists(root_ + "/proc"));
  EXPECT_FALSE(Exists(root_ + "/etc/hosts"));
  EXPECT_FALSE(Exists(root_ + "/run/secrets"));
  EXPECT_FALSE(Exists(root_ + "/cache"));
  EXPECT_TRUE(Exists(root_ + "/etc/passwd"));
  EXPECT_EQ(touched, (std::vector<std::string>{"/", "/etc", "/var/run"}));
  EXPECT_TRUE(Same(Mtime(root_), {1000, 0}));
  EXPECT_TRUE(Same(Mtime(root_ + "/etc"), {1000, 0}));
  EXPECT_TRUE(Same(Mtime(root_ + "/run"), {1000, 0}));
}

TEST_F(RootfsPrepTest, StepChangesToAParentAreKept) {
  auto prep = RootfsPreparation::Apply(root_, {{PrepOp::Kind::kFile, "/etc/hosts", "", 0644, 0, false}});
  ASSERT_TRUE(prep.ok());
  // The "step" adds a file to /etc: its mtime must not be rolled back.
  sleep(0);
  struct timespec t[2] = {{2000, 0}, {2000, 0}};
  shale::testing::WriteFile(root_ + "/etc/new", "y");
  utimensat(AT_FDCWD, (root_ + "/etc").c_str(), t, 0);
  prep->Undo();
  // Removing our file bumps the mtime again; what matters is no rollback.
  EXPECT_FALSE(Same(Mtime(root_ + "/etc"), {1000, 0}));
  EXPECT_TRUE(Exists(root_ + "/etc/new"));
}

TEST_F(RootfsPrepTest, ReplacedEntryIsLeftAlone) {
  auto prep = RootfsPreparation::Apply(root_, {{PrepOp::Kind::kFile, "/etc/hosts", "", 0644, 0, false}});
  ASSERT_TRUE(prep.ok());
  unlink((root_ + "/etc/hosts").c_str());
  ASSERT_EQ(mkdir((root_ + "/etc/hosts").c_str(), 0755), 0);
  prep->Undo();
  EXPECT_TRUE(Exists(root_ + "/etc/hosts"));
}

TEST_F(RootfsPrepTest, DanglingSymlinkTargetIsAnErrorAndUndone) {
  ASSERT_EQ(symlink("/nonexistent/x", (root_ + "/etc/resolv.conf").c_str()), 0);
  auto prep = RootfsPreparation::Apply(root_, {{PrepOp::Kind::kDir, "/proc", "", 0755, 0, false},
                                               {PrepOp::Kind::kFile, "/etc/resolv.conf", "", 0644, 0, false}});
  EXPECT_EQ(prep.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(Exists(root_ + "/proc"));
  auto opt = RootfsPreparation::Apply(root_, {{PrepOp::Kind::kFile, "/etc/resolv.conf", "", 0644, 0, true}});
  ASSERT_TRUE(opt.ok());
  EXPECT_EQ(opt->skipped().size(), 1u);
}

TEST_F(RootfsPrepTest, CopyFileCopiesContent) {
  auto prep =
      RootfsPreparation::Apply(root_, {{PrepOp::Kind::kCopyFile, "/etc/hosts", scratch_ / "host/file", 0644, 0, false}});
  ASSERT_TRUE(prep.ok());
  EXPECT_EQ(shale::testing::ReadFile(root_ + "/etc/hosts"), "secret");
}

}  // namespace
}  // namespace shale::runtime
