// SECURITY.md §1, §2 and the device/setuid rules of §5, for the layer applier.
// Every case runs through openat2(RESOLVE_IN_ROOT) and through the O_PATH walk,
// asserts the exact outcome, and asserts nothing outside the rootfs changed.
#include <grp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "storage/layer_apply.h"
#include "base/safe_path.h"
#include "tests/storage/layer_tar_builder.h"

namespace shale {
namespace {

using layertest::TarBuilder;

class LayerSecurityTest : public ::testing::TestWithParam<ResolveMode> {
 protected:
  void SetUp() override {
    if (GetParam() == ResolveMode::kOpenat2 && !HaveOpenat2()) {
      GTEST_SKIP() << "openat2 unavailable here";
    }
    SetResolveMode(GetParam());
    outside_ = dir_ / "outside";
    rootfs_ = dir_ / "rootfs";
    ASSERT_EQ(layertest::Sh("mkdir -p '" + outside_ + "/sub' '" + rootfs_ + "/etc' && echo secret > '" + outside_ +
                            "/secret' && echo pw > '" + rootfs_ + "/etc/passwd'"),
              0);
    before_ = Outside();
  }
  void TearDown() override {
    SetResolveMode(ResolveMode::kAuto);
    if (!outside_.empty()) {
      EXPECT_EQ(layertest::DiffTrees(before_, Outside()), "") << "something outside changed";
    }
  }
  // The sibling dir plus the parent's own listing (minus the rootfs).
  std::map<std::string, std::string> Outside() {
    auto t = layertest::SnapshotTree(dir_.path());
    for (auto it = t.begin(); it != t.end();) {
      if (it->first == "rootfs" || it->first.rfind("rootfs/", 0) == 0 || it->first.rfind("layer", 0) == 0)
        it = t.erase(it);
      else
        ++it;
    }
    return t;
  }
  Result<ApplyStats> Apply(const std::string& tar, const ApplyOptions& o = {}) {
    std::string p = dir_ / ("layer" + std::to_string(n_++));
    layertest::WriteFile(p, tar);
    UniqueFd fd(layertest::OpenRead(p));
    return ApplyLayer(fd.get(), rootfs_, o);
  }
  std::string In(const std::string& rel) { return rootfs_ + "/" + rel; }

  layertest::TempDir dir_;
  std::string outside_, rootfs_;
  std::map<std::string, std::string> before_;
  int n_ = 0;
};

TEST_P(LayerSecurityTest, DotDotNamesAreRefused) {
  for (const char* name : {"../escape", "a/../../escape", "./../../outside/secret"}) {
    auto r = Apply(TarBuilder().File(name, "x").Build());
    ASSERT_EQ(r.status().code(), StatusCode::kInvalidArgument) << name << ": " << r.status().ToString();
    EXPECT_NE(r.status().message().find("escapes the root"), std::string::npos) << r.status().message();
  }
}

TEST_P(LayerSecurityTest, AbsoluteNamesAreRootRelative) {
  ASSERT_TRUE(Apply(TarBuilder().File("/etc/motd", "hi").File(outside_ + "/secret", "owned").Build()).ok());
  EXPECT_EQ(layertest::ReadFile(In("etc/motd")), "hi");
  EXPECT_EQ(layertest::ReadFile(In(outside_.substr(1) + "/secret")), "owned") << "landed inside the rootfs";
}

TEST_P(LayerSecurityTest, WritingThroughAnEscapingSymlinkStaysInside) {
  // The symlink's target resolved in the root exists there: writes land inside.
  ASSERT_EQ(layertest::Sh("mkdir -p '" + In(outside_.substr(1)) + "'"), 0);
  for (const std::string& target : {std::string("../../../../../..") + outside_, outside_}) {
    auto r = Apply(TarBuilder().Symlink("link", target).File("link/pwned", "x").Dir("link/sub").Build());
    ASSERT_TRUE(r.ok()) << target << ": " << r.status().ToString();
    EXPECT_EQ(layertest::ReadFile(In(outside_.substr(1) + "/pwned")), "x") << target;
    ASSERT_EQ(layertest::Sh("rm -rf '" + In("link") + "' '" + In(outside_.substr(1) + "/pwned") + "'"), 0);
  }
  // ".." above the root stays at the root.
  auto r = Apply(TarBuilder().Symlink("up", "../../..").File("up/top", "t").Build());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(layertest::ReadFile(In("top")), "t");
  // A target missing inside the root: refused, nothing created anywhere.
  r = Apply(TarBuilder().Symlink("dangling", "/nonexistent/dir").File("dangling/x", "x").Build());
  ASSERT_EQ(r.status().code(), StatusCode::kFailedPrecondition) << r.status().ToString();
  EXPECT_NE(r.status().message().find("\"dangling\" in root is not a directory"), std::string::npos);
  EXPECT_EQ(access(In("nonexistent").c_str(), F_OK), -1);
}

TEST_P(LayerSecurityTest, SymlinkSwappedForADirectoryMidLayer) {
  auto r = Apply(TarBuilder()
                     .Dir("d")
                     .File("d/f", "1")
                     .Symlink("d", outside_)  // replaces the directory
                     .Dir(outside_)
                     .File("d/secret", "overwritten?")
                     .File("d/sub/x", "y")
                     .Build());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  struct stat st;
  ASSERT_EQ(lstat(In("d").c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  EXPECT_EQ(layertest::ReadFile(In(outside_.substr(1) + "/secret")), "overwritten?");
}

TEST_P(LayerSecurityTest, FinalSymlinkIsReplacedNotFollowed) {
  auto r = Apply(TarBuilder().Symlink("s", outside_ + "/secret").File("s", "new").Build());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  struct stat st;
  ASSERT_EQ(lstat(In("s").c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(layertest::ReadFile(In("s")), "new");
}

TEST_P(LayerSecurityTest, HardlinksOutsideAreRefused) {
  auto r = Apply(TarBuilder().Hardlink("h", "../outside/secret").Build());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
  r = Apply(TarBuilder().Hardlink("h", outside_ + "/secret").Build());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound) << "absolute target is root-relative: " << r.status().ToString();
  r = Apply(TarBuilder().Symlink("l", outside_).Hardlink("h", "l/secret").Build());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound) << "through a symlink, resolved in root: " << r.status().ToString();
  r = Apply(TarBuilder().Symlink("l2", "../../../..").Hardlink("h2", "l2/" + outside_.substr(1) + "/secret").Build());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound) << r.status().ToString();
  EXPECT_EQ(access(In("h").c_str(), F_OK), -1);
}

TEST_P(LayerSecurityTest, HardlinksInsideWorkIncludingThroughSymlinksAndToSymlinks) {
  auto r = Apply(TarBuilder()
                     .Symlink("etc2", "/etc")
                     .Hardlink("h", "etc2/passwd")
                     .Symlink("sl", outside_ + "/secret")
                     .Hardlink("h3", "sl")
                     .Build());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  struct stat a, b;
  ASSERT_EQ(stat(In("h").c_str(), &a), 0);
  ASSERT_EQ(stat(In("etc/passwd").c_str(), &b), 0);
  EXPECT_EQ(a.st_ino, b.st_ino);
  ASSERT_EQ(lstat(In("h3").c_str(), &a), 0);
  EXPECT_TRUE(S_ISLNK(a.st_mode)) << "a hard link to a symlink links the symlink itself";
}

TEST_P(LayerSecurityTest, WhiteoutsCannotEscape) {
  for (const char* name : {".wh..", ".wh...", "etc/.wh.."}) {
    auto r = Apply(TarBuilder().File(name, "").Build());
    ASSERT_EQ(r.status().code(), StatusCode::kInvalidArgument) << name << ": " << r.status().ToString();
  }
  auto r = Apply(TarBuilder().File("../.wh.outside", "").Build());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  // Through a symlink: resolved in root, so only a same-named path inside goes.
  ASSERT_EQ(layertest::Sh("mkdir -p '" + In(outside_.substr(1)) + "' && echo in > '" + In(outside_.substr(1) + "/secret") + "'"), 0);
  r = Apply(TarBuilder().Symlink("wl", outside_).File("wl/.wh.secret", "").File("wl/.wh..wh..opq", "").Build());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(access(In(outside_.substr(1) + "/secret").c_str(), F_OK), -1) << "removed inside the rootfs";
  EXPECT_EQ(access(In("etc/passwd").c_str(), F_OK), 0);
}

TEST_P(LayerSecurityTest, HugeHeadersAreCapped) {
  std::string long_name(2 << 20, 'a');
  auto r = Apply(TarBuilder().File(long_name, "x").Build(Compression::kGzip));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted) << r.status().ToString();
  EXPECT_NE(r.status().message().find("header cap of 1048576"), std::string::npos) << r.status().message();
  TarEntry e;
  e.path = "x";
  e.xattrs = {{"user.big", std::string(1100000, 'v')}};
  r = Apply(TarBuilder().Entry(e).Build());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted) << r.status().ToString();
  EXPECT_EQ(access(In("x").c_str(), F_OK), -1) << "nothing written for the capped entry";
}

TEST_P(LayerSecurityTest, EntryCountIsCapped) {
  TarBuilder b;
  for (int i = 0; i < 101; ++i) b.File("f" + std::to_string(i), "");
  ApplyOptions o;
  o.limits.max_entries = 100;
  auto r = Apply(b.Build(), o);
  ASSERT_EQ(r.status().code(), StatusCode::kResourceExhausted) << r.status().ToString();
  EXPECT_NE(r.status().message().find("cap of 100 entries"), std::string::npos) << r.status().message();
}

TEST_P(LayerSecurityTest, DecompressionBombIsCapped) {
  std::string zeros(256 << 20, '\0');
  std::string gz = TarBuilder().File("bomb", zeros).Build(Compression::kGzip);
  zeros.clear();
  zeros.shrink_to_fit();
  EXPECT_LT(gz.size(), 2u << 20);
  ApplyOptions o;
  o.limits.max_uncompressed_bytes = 32 << 20;
  auto r = Apply(gz, o);
  ASSERT_EQ(r.status().code(), StatusCode::kResourceExhausted) << r.status().ToString();
  EXPECT_NE(r.status().message().find("decompressed size cap of 33554432"), std::string::npos);
  struct stat st;
  if (stat(In("bomb").c_str(), &st) == 0) {
    EXPECT_LE(st.st_size, 33554432 + (1 << 20));
  }
}

TEST_P(LayerSecurityTest, SetuidAndCapabilitiesSurviveChown) {
  if (geteuid() != 0) {
    GTEST_SKIP() << "needs root to chown";
  }
  TarEntry e;
  e.path = "usr/bin/ping";
  e.mode = 04755;
  e.uid = 1000;
  e.gid = 1000;
  e.size = 2;
  // VFS_CAP_REVISION_2, cap_net_raw permitted+effective.
  std::string cap("\x01\x00\x00\x02\x00\x20\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", 20);
  e.xattrs = {{"security.capability", cap}, {"user.note", "n"}};
  auto r = Apply(TarBuilder().Entry(e, "hi").Build());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  struct stat st;
  ASSERT_EQ(stat(In("usr/bin/ping").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 04755u);
  EXPECT_EQ(st.st_uid, 1000u);
  char buf[64];
  EXPECT_EQ(getxattr(In("usr/bin/ping").c_str(), "security.capability", buf, sizeof buf), 20);
  EXPECT_EQ(std::string(buf, 20), cap);
}

TEST_P(LayerSecurityTest, OverlayXattrsFromLayersAreDropped) {
  TarEntry e;
  e.path = "d";
  e.type = TarType::kDir;
  e.mode = 0755;
  e.xattrs = {{"trusted.overlay.redirect", "/etc"}, {"user.overlay.opaque", "y"}};
  ASSERT_TRUE(Apply(TarBuilder().Entry(e).Build()).ok());
  char buf[16];
  EXPECT_LT(lgetxattr(In("d").c_str(), "trusted.overlay.redirect", buf, sizeof buf), 0);
  EXPECT_LT(lgetxattr(In("d").c_str(), "user.overlay.opaque", buf, sizeof buf), 0);
}

// Unprivileged (a child running as nobody): device nodes are skipped with
// one warning, owners are kept as ours, setuid on our own file stays.
TEST_P(LayerSecurityTest, DevicesSkippedOnceWhenUnprivileged) {
  if (geteuid() != 0) {
    GTEST_SKIP() << "needs root to switch to an unprivileged uid";
  }
  ASSERT_EQ(layertest::Sh("chown -R 65534:65534 '" + rootfs_ + "' && chmod 755 '" + dir_.path() + "'"), 0);
  TarBuilder b;
  for (int i = 0; i < 3; ++i) {
    TarEntry d;
    d.path = "dev/null" + std::to_string(i);
    d.type = TarType::kChar;
    d.mode = 0666;
    d.dev_major = 1;
    d.dev_minor = 3;
    b.Entry(d);
  }
  TarEntry fifo;
  fifo.path = "run/fifo";
  fifo.type = TarType::kFifo;
  fifo.mode = 0600;
  b.Entry(fifo);
  TarEntry suid;
  suid.path = "bin/su";
  suid.mode = 04755;
  suid.uid = 0;
  suid.size = 1;
  b.Entry(suid, "x");
  std::string p = dir_ / "layer-dev";
  layertest::WriteFile(p, b.Build());
  std::string log = dir_ / "layer-log";
  pid_t pid = fork();
  if (pid == 0) {
    FILE* f = freopen(log.c_str(), "w", stderr);
    (void)f;
    UniqueFd fd(layertest::OpenRead(p));
    if (setgroups(0, nullptr) != 0 || setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0) _exit(90);
    auto r = ApplyLayer(fd.get(), rootfs_, {});
    if (!r.ok()) {
      fprintf(stderr, "FAILED %s\n", r.status().ToString().c_str());
      _exit(91);
    }
    fflush(stderr);
    _exit(r->skipped_devices == 3 && r->ignored_owners > 0 ? 0 : 92);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  std::string out = layertest::ReadFile(log);
  ASSERT_TRUE(WIFEXITED(status)) << out;
  ASSERT_EQ(WEXITSTATUS(status), 0) << out;
  size_t first = out.find("device nodes");
  ASSERT_NE(first, std::string::npos) << out;
  EXPECT_EQ(out.find("device nodes", first + 1), std::string::npos) << "one warning only: " << out;
  EXPECT_EQ(access(In("dev/null0").c_str(), F_OK), -1);
  struct stat st;
  ASSERT_EQ(lstat(In("run/fifo").c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  ASSERT_EQ(stat(In("bin/su").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 04755u) << "setuid on our own file is permitted";
  EXPECT_EQ(st.st_uid, 65534u);
}

INSTANTIATE_TEST_SUITE_P(BothResolvers, LayerSecurityTest,
                         ::testing::Values(ResolveMode::kOpenat2, ResolveMode::kWalk),
                         [](const auto& info) { return info.param == ResolveMode::kWalk ? "Walk" : "Openat2"; });

}  // namespace
}  // namespace shale
