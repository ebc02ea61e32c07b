// base/safe_path.h: in-root resolution through openat2 and through the
// fallback walk (every case both ways), and the helpers built on it.
#include "base/safe_path.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/testutil/subprocess.h"

namespace shale {
namespace {

using OpenFn = int (*)(int, const char*, int, mode_t) noexcept;

struct Impl {
  const char* name;
  OpenFn fn;
};

class SafePathTest : public ::testing::TestWithParam<Impl> {
 protected:
  void SetUp() override {
    root_ = scratch_ / "root";
    outside_ = scratch_ / "outside";
    ASSERT_EQ(mkdir(root_.c_str(), 0755), 0);
    ASSERT_EQ(mkdir(outside_.c_str(), 0755), 0);
    shale::testing::WriteFile(outside_ + "/secret", "host secret");
    shale::testing::WriteFile(root_ + "/etc/passwd", "inside");
    ASSERT_EQ(symlink("/etc", (root_ + "/abs").c_str()), 0);
    ASSERT_EQ(symlink("../../../../..", (root_ + "/up").c_str()), 0);
    ASSERT_EQ(symlink(outside_.c_str(), (root_ + "/hostpath").c_str()), 0);
    ASSERT_EQ(symlink("loop2", (root_ + "/loop1").c_str()), 0);
    ASSERT_EQ(symlink("loop1", (root_ + "/loop2").c_str()), 0);
    ASSERT_EQ(symlink("/newdir/created", (root_ + "/dangling").c_str()), 0);
    ASSERT_EQ(mkdir((root_ + "/newdir").c_str(), 0755), 0);
    fd_ = open(root_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    ASSERT_GE(fd_, 0);
  }
  void TearDown() override { close(fd_); }

  // Content of the file `path` opens to, or "errno:N".
  std::string Read(const char* path) {
    int fd = GetParam().fn(fd_, path, O_RDONLY, 0);
    if (fd < 0) return "errno:" + std::to_string(-fd);
    char buf[64];
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    return std::string(buf, n > 0 ? n : 0);
  }

  shale::testing::ScratchDir scratch_{"safe-path"};
  std::string root_, outside_;
  int fd_ = -1;
};

TEST_P(SafePathTest, PlainAndAbsolutePathsResolveInsideTheRoot) {
  EXPECT_EQ(Read("etc/passwd"), "inside");
  EXPECT_EQ(Read("/etc/passwd"), "inside");
  EXPECT_EQ(Read("/etc/./passwd"), "inside");
}

TEST_P(SafePathTest, DotDotStopsAtTheRoot) {
  EXPECT_EQ(Read("../../../etc/passwd"), "inside");
  EXPECT_EQ(Read("/etc/../../../../etc/passwd"), "inside");
}

TEST_P(SafePathTest, AbsoluteSymlinksStayInside) {
  EXPECT_EQ(Read("/abs/passwd"), "inside");
  EXPECT_EQ(Read("/up/etc/passwd"), "inside");
}

TEST_P(SafePathTest, SymlinkToHostPathDoesNotReachTheHost) {
  EXPECT_EQ(Read("/hostpath/secret"), "errno:" + std::to_string(ENOENT));
  EXPECT_EQ(Read(("/up" + outside_ + "/secret").c_str()), "errno:" + std::to_string(ENOENT));
}

TEST_P(SafePathTest, SymlinkLoopIsEloop) { EXPECT_EQ(Read("/loop1"), "errno:" + std::to_string(ELOOP)); }

TEST_P(SafePathTest, NofollowOnFinalSymlink) {
  int fd = GetParam().fn(fd_, "/abs", O_PATH | O_NOFOLLOW, 0);
  ASSERT_GE(fd, 0);
  struct stat st;
  ASSERT_EQ(fstat(fd, &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  close(fd);
  EXPECT_EQ(GetParam().fn(fd_, "/abs", O_RDONLY | O_NOFOLLOW, 0), -ELOOP);
}

TEST_P(SafePathTest, CreateThroughDanglingSymlinkLandsInside) {
  int fd = GetParam().fn(fd_, "/dangling", O_WRONLY | O_CREAT, 0644);
  ASSERT_GE(fd, 0) << -fd;
  close(fd);
  struct stat st;
  EXPECT_EQ(stat((root_ + "/newdir/created").c_str(), &st), 0);
}

TEST_P(SafePathTest, FileAsDirectoryIsEnotdir) {
  EXPECT_EQ(Read("/etc/passwd/x"), "errno:" + std::to_string(ENOTDIR));
}

TEST_P(SafePathTest, RootItself) {
  int fd = GetParam().fn(fd_, "/", O_PATH | O_DIRECTORY, 0);
  ASSERT_GE(fd, 0);
  struct stat a, b;
  fstat(fd, &a);
  stat(root_.c_str(), &b);
  EXPECT_EQ(a.st_ino, b.st_ino);
  close(fd);
}

INSTANTIATE_TEST_SUITE_P(Impls, SafePathTest,
                         ::testing::Values(Impl{"preferred", &OpenInRootRaw}, Impl{"walk", &OpenInRootWalkRaw}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(CleanRootPath, Normalises) {
  EXPECT_EQ(CleanRootPath(""), "/");
  EXPECT_EQ(CleanRootPath("a/b/"), "/a/b");
  EXPECT_EQ(CleanRootPath("/a/../../b/./c//"), "/b/c");
  EXPECT_EQ(CleanRootPath(".."), "/");
}

TEST(ReadFileInRoot, CapIsEnforced) {
  shale::testing::ScratchDir dir("safe-path-cap");
  shale::testing::WriteFile(dir / "big", std::string(100, 'x'));
  int fd = open(dir.path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  auto r = ReadFileInRoot(fd, "/big", 10);
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  auto ok = ReadFileInRoot(fd, "/big", 100);
  EXPECT_TRUE(ok.ok());
  close(fd);
}


// The Result-returning helpers, with the resolver forced each way.
class SafePathModeTest : public ::testing::TestWithParam<ResolveMode> {
 protected:
  void SetUp() override {
    if (GetParam() == ResolveMode::kOpenat2 && !HaveOpenat2()) GTEST_SKIP() << "openat2 unavailable here";
    SetResolveMode(GetParam());
    root_ = scratch_ / "root";
    outside_ = scratch_ / "outside";
    ASSERT_EQ(mkdir(root_.c_str(), 0755), 0);
    ASSERT_EQ(mkdir(outside_.c_str(), 0755), 0);
    ASSERT_EQ(symlink(outside_.c_str(), (root_ + "/host").c_str()), 0);
    ASSERT_EQ(symlink("/real", (root_ + "/abs").c_str()), 0);
    ASSERT_EQ(mkdir((root_ + "/real").c_str(), 0755), 0);
    shale::testing::WriteFile(root_ + "/file", "f");
    fd_ = UniqueFd(open(root_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    ASSERT_TRUE(fd_.valid());
  }
  void TearDown() override { SetResolveMode(ResolveMode::kAuto); }
  bool IsDir(const std::string& p) {
    struct stat st;
    return lstat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  }

  shale::testing::ScratchDir scratch_{"safe-path-mode"};
  std::string root_, outside_;
  UniqueFd fd_;
};

TEST_P(SafePathModeTest, OpenDirInRootCreatesInsideThroughSymlinks) {
  // A dangling link to a host path: whatever the outcome, nothing is made
  // on the host.
  (void)OpenDirInRoot(fd_.get(), "/host/made/deeper", /*create=*/true);
  EXPECT_FALSE(IsDir(outside_ + "/made"));
  ASSERT_TRUE(OpenDirInRoot(fd_.get(), "abs/sub", true).ok());
  EXPECT_TRUE(IsDir(root_ + "/real/sub"));
  EXPECT_EQ(OpenDirInRoot(fd_.get(), "missing", false).status().code(), StatusCode::kNotFound);
  auto through_file = OpenDirInRoot(fd_.get(), "file/x", true);
  EXPECT_FALSE(through_file.ok());
  EXPECT_NE(through_file.status().ToString().find("\"file/x\" in root"), std::string::npos)
      << through_file.status().ToString();
}

TEST_P(SafePathModeTest, OpenInRootNamesThePath) {
  auto r = OpenInRoot(fd_.get(), "../nope", O_RDONLY);
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().ToString().find("opening /nope in rootfs"), std::string::npos) << r.status().ToString();
  EXPECT_TRUE(OpenInRoot(fd_.get(), "", O_PATH | O_DIRECTORY).ok());
}

TEST_P(SafePathModeTest, OpenBeneathRefusesSymlinksAndDotDot) {
  EXPECT_TRUE(OpenBeneath(fd_.get(), "real", O_PATH | O_DIRECTORY).ok());
  EXPECT_FALSE(OpenBeneath(fd_.get(), "abs/sub", O_PATH).ok());
  EXPECT_FALSE(OpenBeneath(fd_.get(), "host", O_RDONLY | O_DIRECTORY).ok());
  EXPECT_FALSE(OpenBeneath(fd_.get(), "../outside", O_PATH).ok());
}

TEST_P(SafePathModeTest, RemoveAtNeverFollowsSymlinks) {
  shale::testing::WriteFile(outside_ + "/keep", "k");
  ASSERT_EQ(mkdir((root_ + "/tree").c_str(), 0755), 0);
  ASSERT_EQ(symlink(outside_.c_str(), (root_ + "/tree/link").c_str()), 0);
  shale::testing::WriteFile(root_ + "/tree/f", "x");
  EXPECT_TRUE(RemoveAt(fd_.get(), "tree").ok());
  EXPECT_FALSE(IsDir(root_ + "/tree"));
  EXPECT_TRUE(RemoveAt(fd_.get(), "host").ok());
  EXPECT_TRUE(RemoveAt(fd_.get(), "absent").ok());
  struct stat st;
  EXPECT_EQ(stat((outside_ + "/keep").c_str(), &st), 0);
}

INSTANTIATE_TEST_SUITE_P(Modes, SafePathModeTest, ::testing::Values(ResolveMode::kOpenat2, ResolveMode::kWalk),
                         [](const auto& info) { return info.param == ResolveMode::kWalk ? "Walk" : "Openat2"; });

TEST(SplitParent, Splits) {
  EXPECT_EQ(SplitParent("a/b/c"), (std::pair<std::string_view, std::string_view>("a/b", "c")));
  EXPECT_EQ(SplitParent("c"), (std::pair<std::string_view, std::string_view>("", "c")));
}

}  // namespace
}  // namespace shale
