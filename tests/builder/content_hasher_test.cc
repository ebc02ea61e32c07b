#include "builder/content_hasher.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include <gtest/gtest.h>

#include "base/fd.h"

namespace shale {
namespace {

class ContentHasherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/shale-hash-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::ofstream(dir_ + "/f") << "hello";
    dirfd_ = UniqueFd(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  }
  void TearDown() override { RemoveTree(dir_).IgnoreError(); }
  Result<Digest> Hash(ContentHasher& h) {
    struct stat st;
    EXPECT_EQ(::fstatat(dirfd_.get(), "f", &st, AT_SYMLINK_NOFOLLOW), 0);
    return h.HashFile(dirfd_.get(), "f", st, "f");
  }
  std::string dir_;
  UniqueFd dirfd_;
};

TEST_F(ContentHasherTest, MemoAvoidsRereadingUnchangedFiles) {
  std::string memo = dir_ + "/memo/m.json";
  {
    ContentHasher h(memo);
    auto d = Hash(h);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(*d, Digest::Sha256("hello"));
    EXPECT_EQ(h.files_read(), 1);
    ASSERT_TRUE(h.Save().ok());
  }
  ContentHasher again(memo);
  EXPECT_EQ(*Hash(again), Digest::Sha256("hello"));
  EXPECT_EQ(again.files_read(), 0);
}

TEST_F(ContentHasherTest, TouchRereadsButDigestIsContentOnly) {
  std::string memo = dir_ + "/m.json";
  ContentHasher h(memo);
  ASSERT_TRUE(Hash(h).ok());
  ASSERT_TRUE(h.Save().ok());
  struct timespec times[2] = {{1000, 0}, {1000, 0}};
  ASSERT_EQ(::utimensat(dirfd_.get(), "f", times, 0), 0);
  ContentHasher after_touch(memo);
  EXPECT_EQ(*Hash(after_touch), Digest::Sha256("hello"));
  EXPECT_EQ(after_touch.files_read(), 1);
  std::ofstream(dir_ + "/f") << "changed";
  ContentHasher after_edit(memo);
  EXPECT_EQ(*Hash(after_edit), Digest::Sha256("changed"));
}

TEST_F(ContentHasherTest, CorruptMemoIsEmpty) {
  std::string memo = dir_ + "/m.json";
  ASSERT_TRUE(WriteFileAtomic(memo, "{not json").ok());
  ContentHasher h(memo);
  EXPECT_EQ(*Hash(h), Digest::Sha256("hello"));
  EXPECT_EQ(h.files_read(), 1);
}

TEST_F(ContentHasherTest, SymlinkIsNotFollowed) {
  ASSERT_EQ(symlink("/etc/passwd", (dir_ + "/link").c_str()), 0);
  ContentHasher h("");
  struct stat st;
  ASSERT_EQ(::fstatat(dirfd_.get(), "link", &st, AT_SYMLINK_NOFOLLOW), 0);
  auto d = h.HashFile(dirfd_.get(), "link", st, "link");
  EXPECT_FALSE(d.ok());
}

}  // namespace
}  // namespace shale
