// Prune and the private state of snapshotters and builds: working trees
// under <root>/shale/work/, scratch directories under <root>/shale/tmp/ and
// layer-cache unpacks (tmp-*) left by a killed build are removed; those a
// live process holds are not (state_dir.h).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <set>

#include "storage/image_store.h"
#include "storage/layer_cache.h"
#include "storage/snapshot_paths.h"
#include "storage/snapshotter.h"
#include "storage/state_dir.h"
#include "tests/storage/layer_test_util.h"

namespace shale {
namespace {

bool Exists(const std::string& p) { return access(p.c_str(), F_OK) == 0; }

// A child process that makes private dirs as a build would, fills them, and
// then either dies by SIGKILL (kill_itself) or waits until the test kills it.
struct Child {
  pid_t pid = -1;
  std::vector<std::string> dirs;

  static Child Start(const std::string& root, bool kill_itself, bool overlay_tree = false) {
    int fds[2];
    EXPECT_EQ(pipe(fds), 0);
    pid_t pid = fork();
    if (pid == 0) {
      close(fds[0]);
      std::string out;
      std::vector<StateDir> held;
      std::unique_ptr<WorkingTree> tree;
      auto work = NewWorkDir(root, "native");
      auto tmp = StateDir::Create(root, ShaleStateDir(root) + "/layers/overlay-trusted", "tmp-");
      auto scratch = NewScratchDir(root, "step");
      if (!work.ok() || !tmp.ok() || !scratch.ok()) _exit(3);
      for (const StateDir* d : {&*work, &*tmp, &*scratch}) {
        layertest::Sh("mkdir -p '" + d->path() + "/rootfs/etc/ro' && head -c 5000 /dev/zero > '" + d->path() +
                      "/rootfs/etc/data' && chmod 0555 '" + d->path() + "/rootfs/etc/ro'");
        out += d->path() + "\n";
      }
      held.push_back(std::move(*work));
      held.push_back(std::move(*tmp));
      held.push_back(std::move(*scratch));
      if (overlay_tree) {
        auto snap = NewOverlaySnapshotter(root);
        if (snap.ok()) {
          auto t = (*snap)->Prepare({}, nullptr);
          if (t.ok()) {
            tree = std::move(*t);
            layertest::WriteFile(tree->rootfs() + "/written", "x");
            out += tree->rootfs().substr(0, tree->rootfs().size() - strlen("/merged")) + "\n";
          }
        }
      }
      (void)WriteAll(fds[1], out);
      close(fds[1]);
      if (kill_itself) raise(SIGKILL);
      pause();
      _exit(0);
    }
    close(fds[1]);
    UniqueFd r(fds[0]);
    auto text = ReadAll(r.get(), 1 << 20);
    Child c;
    c.pid = pid;
    for (size_t i = 0; text.ok() && i < text->size();) {
      size_t e = text->find('\n', i);
      c.dirs.push_back(text->substr(i, e - i));
      i = e + 1;
    }
    if (kill_itself) c.Reap();
    return c;
  }
  void Reap() {
    if (pid <= 0) return;
    kill(pid, SIGKILL);
    int st;
    waitpid(pid, &st, 0);
    pid = -1;
  }
  ~Child() { Reap(); }
};

class PruneStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = dir_ / "store";
    auto s = ImageStore::Open(root_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }
  layertest::TempDir dir_;
  std::string root_;
  std::unique_ptr<ImageStore> store_;
};

TEST_F(PruneStateTest, RemovesWhatAKilledBuildLeftAndKeepsWhatLiveOnesHold) {
  Child dead = Child::Start(root_, /*kill_itself=*/true);
  ASSERT_EQ(dead.dirs.size(), 3u);
  Child live = Child::Start(root_, /*kill_itself=*/false);
  ASSERT_EQ(live.dirs.size(), 3u);
  // This process holds a working tree and an unpack too.
  auto own_work = NewWorkDir(root_, "overlay");
  ASSERT_TRUE(own_work.ok()) << own_work.status().ToString();
  auto own_tmp = StateDir::Create(root_, ShaleStateDir(root_) + "/layers/overlay-user", "tmp-");
  ASSERT_TRUE(own_tmp.ok()) << own_tmp.status().ToString();
  auto own_scratch = NewScratchDir(root_, "add");
  ASSERT_TRUE(own_scratch.ok()) << own_scratch.status().ToString();
  // A working dir made before locks existed (no lock file), and a lock file
  // whose directory is gone: both ownerless.
  std::string legacy = ShaleStateDir(root_) + "/work/native-1-1-1";
  ASSERT_EQ(layertest::Sh("mkdir -p '" + legacy + "/rootfs' && touch '" + ShaleStateDir(root_) +
                          "/work/native-2-2-2.lock'"),
            0);
  // A complete cache entry is no temporary state.
  std::string entry = ShaleStateDir(root_) + "/layers/overlay-trusted/" + std::string(64, 'a');
  ASSERT_EQ(layertest::Sh("mkdir -p '" + entry + "/diff'"), 0);

  for (const auto& d : dead.dirs) ASSERT_TRUE(Exists(d)) << d;
  auto report = store_->Prune();
  ASSERT_TRUE(report.ok()) << report.status().ToString();

  std::set<std::string> removed(report->stale_dirs.begin(), report->stale_dirs.end());
  EXPECT_EQ(removed, (std::set<std::string>{dead.dirs[0], dead.dirs[1], dead.dirs[2], legacy}));
  EXPECT_EQ(report->stale_dirs_removed, 4);
  EXPECT_EQ(report->stale_dir_bytes_freed, 3 * 5000);
  EXPECT_TRUE(report->stale_dir_problems.empty());
  for (const auto& d : dead.dirs) {
    EXPECT_FALSE(Exists(d)) << d;
    EXPECT_FALSE(Exists(d + ".lock")) << d;
  }
  EXPECT_FALSE(Exists(legacy));
  EXPECT_FALSE(Exists(ShaleStateDir(root_) + "/work/native-2-2-2.lock"));
  for (const auto& d : live.dirs) EXPECT_TRUE(Exists(d + "/rootfs/etc/data")) << d;
  EXPECT_TRUE(Exists(own_work->path()));
  EXPECT_TRUE(Exists(own_tmp->path()));
  EXPECT_TRUE(Exists(own_scratch->path()));
  EXPECT_TRUE(Exists(entry + "/diff"));

  // Once the live build dies, its directories go too.
  live.Reap();
  auto again = store_->Prune();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(std::set<std::string>(again->stale_dirs.begin(), again->stale_dirs.end()),
            (std::set<std::string>{live.dirs[0], live.dirs[1], live.dirs[2]}));
  EXPECT_TRUE(Exists(own_work->path()));

  // Released dirs leave no lock file behind.
  ASSERT_EQ(RemoveTree(own_work->path()).code(), StatusCode::kOk);
  own_work->Release();
  EXPECT_FALSE(Exists(own_work->path() + ".lock"));
  // A scratch dir is removed with its content and lock in one call.
  layertest::WriteFile(own_scratch->path() + "/secret", "s");
  std::string scratch_path = own_scratch->path();
  EXPECT_EQ(own_scratch->RemoveAndRelease().code(), StatusCode::kOk);
  EXPECT_FALSE(Exists(scratch_path));
  EXPECT_FALSE(Exists(scratch_path + ".lock"));
  EXPECT_EQ(layertest::ShOut("ls -A '" + ScratchParentDir(root_) + "'"), "");
}

TEST_F(PruneStateTest, SnapshotterTreesAreHeldUntilClosed) {
  auto snap = NewNativeSnapshotter(root_);
  auto tree = snap->Prepare({}, nullptr);
  ASSERT_TRUE(tree.ok()) << tree.status().ToString();
  std::string rootfs = (*tree)->rootfs();
  layertest::WriteFile(rootfs + "/f", "data");
  auto report = store_->Prune();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->stale_dirs_removed, 0);
  EXPECT_EQ(layertest::ReadFile(rootfs + "/f"), "data");
  ASSERT_TRUE((*tree)->Close().ok());
  EXPECT_EQ(layertest::ShOut("ls -A '" + ShaleStateDir(root_) + "/work'"), "");
}

TEST_F(PruneStateTest, UnmountsAnOverlayAKilledBuildLeftMounted) {
  if (!OverlayAvailable(root_)) GTEST_SKIP() << "overlayfs cannot be mounted here";
  Child dead = Child::Start(root_, /*kill_itself=*/true, /*overlay_tree=*/true);
  ASSERT_EQ(dead.dirs.size(), 4u) << "the child could not prepare an overlay tree";
  std::string tree = dead.dirs[3];
  ASSERT_NE(layertest::ShOut("grep -F '" + tree + "/merged' /proc/self/mountinfo"), "") << "not left mounted";
  auto report = store_->Prune();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->stale_dir_problems.empty()) << report->stale_dir_problems[0];
  EXPECT_EQ(report->stale_dirs_removed, 4);
  EXPECT_FALSE(Exists(tree));
  EXPECT_EQ(layertest::ShOut("grep -F '" + tree + "' /proc/self/mountinfo"), "");
}

}  // namespace
}  // namespace shale
