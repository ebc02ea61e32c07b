#include "builder/tree_walk.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include <gtest/gtest.h>

#include "base/fd.h"

namespace shale {
namespace {

namespace fs = std::filesystem;

class TreeWalkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/shale-walk-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { RemoveTree(dir_).IgnoreError(); }
  void Write(const std::string& rel, const std::string& data) {
    fs::create_directories(fs::path(dir_ + "/" + rel).parent_path());
    std::ofstream(dir_ + "/" + rel) << data;
  }
  std::string dir_;
};

TEST_F(TreeWalkTest, SortedParentsFirstAndSymlinksNotFollowed) {
  Write("b/z", "z");
  Write("b/a", "a");
  Write("a", "top");
  fs::create_directories(dir_ + "/outside");
  Write("outside/secret", "s");
  ASSERT_EQ(symlink("/", (dir_ + "/b/root-link").c_str()), 0);
  ASSERT_EQ(symlink("../outside", (dir_ + "/b/up").c_str()), 0);
  UniqueFd root(::open((dir_ + "/b").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  ASSERT_TRUE(root.valid());
  std::vector<std::string> seen;
  ASSERT_TRUE(WalkTree(root.get(), [&](const WalkEntry& e) -> Result<bool> {
                seen.push_back(e.rel + (S_ISLNK(e.st.st_mode) ? "->" + e.link_target : ""));
                return true;
              }).ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"", "a", "root-link->/", "up->../outside", "z"}));
}

TEST_F(TreeWalkTest, VisitorCanPruneAndFail) {
  Write("keep/x", "x");
  Write("skip/y", "y");
  UniqueFd root(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  std::vector<std::string> seen;
  ASSERT_TRUE(WalkTree(root.get(), [&](const WalkEntry& e) -> Result<bool> {
                seen.push_back(e.rel);
                return e.rel != "skip";
              }).ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"", "keep", "keep/x", "skip"}));
  Status s = WalkTree(root.get(), [&](const WalkEntry& e) -> Result<bool> {
    if (e.rel == "keep/x") return NotFoundError("stop here");
    return true;
  });
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace shale
