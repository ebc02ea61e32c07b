#include "base/fd.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

namespace shale {
namespace {

class FdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/shale-fd-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { RemoveTree(dir_).IgnoreError(); }
  std::string dir_;
};

TEST_F(FdTest, AtomicWriteThenCappedRead) {
  std::string path = dir_ + "/f";
  ASSERT_TRUE(WriteFileAtomic(path, "hello", 0600).ok());
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto r = ReadFileCapped(path, 100);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "hello");
  auto capped = ReadFileCapped(path, 3);
  EXPECT_EQ(capped.status().code(), StatusCode::kResourceExhausted);
}

TEST_F(FdTest, MissingFileIsNotFound) {
  EXPECT_EQ(ReadFileCapped(dir_ + "/nope", 10).status().code(), StatusCode::kNotFound);
}

TEST_F(FdTest, UniqueFdClosesOnReset) {
  int raw = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(raw, 0);
  {
    UniqueFd fd(raw);
    EXPECT_TRUE(fd.valid());
  }
  EXPECT_EQ(fcntl(raw, F_GETFD), -1);
}

}  // namespace
}  // namespace shale
