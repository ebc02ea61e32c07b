// Multi-process tests of the store: a writer killed with SIGKILL at random
// points, and several writers (plus a pruner) on one store at once.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <thread>

#include "storage/image_store.h"
#include "tests/storage/store_test_util.h"
#include "tests/testutil/subprocess.h"

namespace shale {
namespace {

namespace fs = std::filesystem;
using shale::testing::ScratchDir;
using shale::testing::WriteTestImage;

// The child: write images, tag, untag, prune, forever. Exits only when killed
// (or with 2 on an unexpected error, which the parent reports).
[[noreturn]] void WriterLoop(const std::string& root, unsigned seed) {
  auto store = ImageStore::Open(root);
  if (!store.ok()) ::_exit(2);
  std::mt19937 rng(seed);
  for (int n = 0;; ++n) {
    auto lease = (*store)->AcquireLease();
    if (!lease.ok()) ::_exit(2);
    std::string s = std::to_string(seed) + "-" + std::to_string(n);
    auto image = WriteTestImage((*store)->blobs(), s, 1 + static_cast<int>(rng() % 3), 1000 + rng() % (1 << 20));
    if (!image.ok()) ::_exit(2);
    if (!(*store)->Tag("localhost/crash:" + std::to_string(rng() % 4), *image).ok()) ::_exit(2);
    if (rng() % 5 == 0) (void)(*store)->Untag("localhost/crash:" + std::to_string(rng() % 4));
    if (rng() % 7 == 0 && !(*store)->Prune().ok()) ::_exit(2);
  }
}

std::string Problems(const CheckReport& r) {
  std::string s;
  for (const std::string& p : r.problems) s += p + "\n";
  return s;
}

TEST(StoreCrashTest, KillNineAtRandomPointsLeavesACheckableStore) {
  ScratchDir dir;
  std::string root = dir.path();
  ASSERT_TRUE(ImageStore::Open(root).ok());
  std::mt19937 rng(20260601);
  constexpr int kKills = 60;
  int killed_mid_work = 0;
  for (int i = 0; i < kKills; ++i) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) WriterLoop(root, 1000 + i);
    std::this_thread::sleep_for(std::chrono::microseconds(2000 + rng() % 60000));
    ::kill(pid, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "writer " << i << " exited early with " << WEXITSTATUS(status);
    ++killed_mid_work;

    // Every visible name is a whole image; every visible blob is whole.
    auto store = ImageStore::Open(root);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto report = (*store)->Check();
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    ASSERT_TRUE(report->ok()) << "after kill " << i << ":\n" << Problems(*report);
  }
  EXPECT_EQ(killed_mid_work, kKills);

  auto store = *ImageStore::Open(root);
  EXPECT_FALSE(store->List()->empty());
  // Prune clears what the dead writers left in tmp/ and their leases.
  auto pruned = store->Prune();
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  EXPECT_EQ(fs::directory_iterator(root + "/tmp"), fs::directory_iterator());
  EXPECT_EQ(fs::directory_iterator(root + "/shale/leases"), fs::directory_iterator());
  for (auto& e : fs::directory_iterator(root))
    EXPECT_FALSE(e.path().filename().string().starts_with(".index.json.tmp")) << e.path();
  auto report = store->Check();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok()) << Problems(*report);
}

TEST(StoreConcurrencyTest, FourWritersAndAPrunerAtOnce) {
  ScratchDir dir;
  std::string root = dir.path();
  ASSERT_TRUE(ImageStore::Open(root).ok());
  constexpr int kWriters = 4, kImages = 8;
  std::vector<pid_t> pids;
  for (int w = 0; w < kWriters; ++w) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      auto store = ImageStore::Open(root);
      if (!store.ok()) ::_exit(2);
      for (int i = 0; i < kImages; ++i) {
        auto lease = (*store)->AcquireLease();
        if (!lease.ok()) ::_exit(3);
        auto image = WriteTestImage((*store)->blobs(), "w" + std::to_string(w) + "-" + std::to_string(i), 2, 50000);
        if (!image.ok()) {
          std::fprintf(stderr, "writer %d: %s\n", w, image.status().ToString().c_str());
          ::_exit(4);
        }
        std::string name = "localhost/w" + std::to_string(w) + ":" + std::to_string(i);
        if (!(*store)->Tag(name, *image).ok()) ::_exit(5);
        if (!(*store)->Tag("localhost/shared:latest", *image).ok()) ::_exit(6);
      }
      ::_exit(0);
    }
    pids.push_back(pid);
  }
  pid_t pruner = ::fork();
  ASSERT_GE(pruner, 0);
  if (pruner == 0) {
    auto store = ImageStore::Open(root);
    if (!store.ok()) ::_exit(2);
    for (int i = 0; i < 40; ++i) {
      if (!(*store)->Prune().ok()) ::_exit(7);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ::_exit(0);
  }
  pids.push_back(pruner);
  for (pid_t pid : pids) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "process " << pid;
  }
  auto store = *ImageStore::Open(root);
  for (int w = 0; w < kWriters; ++w) {
    for (int i = 0; i < kImages; ++i) {
      std::string name = "localhost/w" + std::to_string(w) + ":" + std::to_string(i);
      EXPECT_TRUE(store->Find(name).ok()) << name;
    }
  }
  EXPECT_EQ(store->List()->size(), static_cast<size_t>(kWriters * kImages + 1));
  auto report = store->Check();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok()) << Problems(*report);
  // A final prune removes nothing that a name reaches.
  ASSERT_TRUE(store->Prune().ok());
  EXPECT_TRUE(store->Check()->ok());
  EXPECT_EQ(store->Check()->images_checked, kWriters * kImages + 1);
}

}  // namespace
}  // namespace shale
