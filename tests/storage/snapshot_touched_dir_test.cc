// A directory whose only change is its ctime — a runtime added and removed
// /etc/resolv.conf and restored the mtime of /etc — is no change for a layer:
// neither snapshotter may report it, and both must give the same layer. A
// directory whose xattrs changed (also only a ctime change in its stat) still
// is one.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <set>

#include "storage/layer_writer.h"
#include "storage/snapshotter.h"
#include "storage/tar_reader.h"
#include "tests/storage/layer_tar_builder.h"

namespace shale {
namespace {

using layertest::TarBuilder;

class TouchedDirTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    root_ = dir_ / "store";
    ASSERT_EQ(layertest::Sh("mkdir -p '" + root_ + "'"), 0);
    if (GetParam() == "native") {
      snap_ = NewNativeSnapshotter(root_);
    } else {
      auto s = NewOverlaySnapshotter(root_);
      if (!s.ok()) GTEST_SKIP() << "overlayfs cannot be mounted here: " << s.status().ToString();
      snap_ = std::move(*s);
    }
    std::string plain = TarBuilder().Dir("etc").File("etc/passwd", "root:x:0:0::/root:/bin/sh\n").Dir("usr").Build();
    layertest::WriteFile(dir_ / "base", plain);
    base_ = ParentLayer{Digest::Sha256(plain), Descriptor{}};
    base_.blob.digest = Digest::Sha256(plain);
    base_.blob.size = static_cast<int64_t>(plain.size());
    auto tree = snap_->Prepare({base_}, [this](const Descriptor&) -> Result<UniqueFd> {
      return UniqueFd(layertest::OpenRead(dir_ / "base"));
    });
    ASSERT_TRUE(tree.ok()) << tree.status().ToString();
    tree_ = std::move(*tree);
  }

  std::string In(const std::string& rel) { return tree_->rootfs() + "/" + rel; }

  // What a runtime does to /etc around a RUN step: mount-point files made and
  // removed again, the directory's times put back.
  void TouchEtcLikeARuntime() {
    struct stat st;
    ASSERT_EQ(lstat(In("etc").c_str(), &st), 0);
    for (const char* f : {"resolv.conf", "hosts", "hostname"}) layertest::WriteFile(In("etc/") + f, "");
    for (const char* f : {"resolv.conf", "hosts", "hostname"}) ASSERT_EQ(unlink((In("etc/") + f).c_str()), 0);
    struct timespec ts[2] = {st.st_atim, st.st_mtim};
    ASSERT_EQ(utimensat(AT_FDCWD, In("etc").c_str(), ts, AT_SYMLINK_NOFOLLOW), 0);
  }

  // The entry names of the layer the tree's current changes give.
  std::set<std::string> LayerNames(std::string* digest = nullptr) {
    auto changes = tree_->Diff();
    EXPECT_TRUE(changes.ok()) << changes.status().ToString();
    std::string path = dir_ / ("layer" + std::to_string(n_++));
    layertest::FileSink sink(path);
    LayerWriterOptions o;
    o.compression = Compression::kNone;
    auto info = tree_->Commit(*changes, o, sink);
    EXPECT_TRUE(info.ok()) << info.status().ToString();
    if (digest && info.ok()) *digest = info->diff_id.ToString();
    UniqueFd fd(layertest::OpenRead(path));
    auto reader = TarReader::Open(fd.get(), TarLimits{});
    std::set<std::string> names;
    TarEntry e;
    while (reader.ok()) {
      auto more = (*reader)->Next(&e);
      if (!more.ok() || !*more) break;
      names.insert(e.path);
    }
    return names;
  }

  layertest::TempDir dir_;
  std::string root_;
  std::unique_ptr<Snapshotter> snap_;
  ParentLayer base_;
  std::unique_ptr<WorkingTree> tree_;
  int n_ = 0;
};

TEST_P(TouchedDirTest, ACtimeOnlyDirectoryIsNoChange) {
  TouchEtcLikeARuntime();
  layertest::WriteFile(In("usr/new"), "new\n");
  EXPECT_EQ(LayerNames(), (std::set<std::string>{"usr", "usr/new"}));
}

TEST_P(TouchedDirTest, TheSameTouchOnAFreshBaseIsNoChangeEither) {
  // After a commit the touched directory's new ctime is the base.
  TouchEtcLikeARuntime();
  LayerNames();
  TouchEtcLikeARuntime();
  EXPECT_EQ(LayerNames(), std::set<std::string>{});
}

TEST_P(TouchedDirTest, RealDirectoryChangesStayChanges) {
  TouchEtcLikeARuntime();
  ASSERT_EQ(chmod(In("usr").c_str(), 0700), 0);
  layertest::WriteFile(In("etc/passwd"), "changed\n");  // in place: etc's own stat is unchanged
  EXPECT_EQ(LayerNames(), (std::set<std::string>{"etc", "etc/passwd", "usr"}));

  if (setxattr(In("etc").c_str(), "user.shale-test", "1", 1, 0) != 0)
    GTEST_SKIP() << "user xattrs not supported here: " << strerror(errno);
  EXPECT_EQ(LayerNames(), std::set<std::string>{"etc"});
}

TEST_P(TouchedDirTest, LayerDigestIsTheSameForBothSnapshotters) {
  TouchEtcLikeARuntime();
  layertest::WriteFile(In("usr/new"), "new\n");
  std::string digest;
  LayerNames(&digest);
  // Both parameter runs must print the same digest; the differential test
  // covers full agreement, this pins the expected layer.
  std::string expected_plain = [&] {
    struct stat st;
    EXPECT_EQ(lstat(In("usr").c_str(), &st), 0);
    TarEntry usr;
    usr.path = "usr";
    usr.type = TarType::kDir;
    usr.mode = st.st_mode & 07777;
    usr.uid = st.st_uid;
    usr.gid = st.st_gid;
    usr.mtime = st.st_mtim.tv_sec;
    EXPECT_EQ(lstat(In("usr/new").c_str(), &st), 0);
    TarEntry f;
    f.path = "usr/new";
    f.mode = st.st_mode & 07777;
    f.uid = st.st_uid;
    f.gid = st.st_gid;
    f.mtime = st.st_mtim.tv_sec;
    f.size = 4;
    return TarBuilder().Entry(usr).Entry(f, "new\n").Build();
  }();
  EXPECT_EQ(digest, Digest::Sha256(expected_plain).ToString());
}

INSTANTIATE_TEST_SUITE_P(Snapshotters, TouchedDirTest, ::testing::Values("native", "overlay"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace shale
