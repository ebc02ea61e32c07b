#include "runtime/user_lookup.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/testutil/subprocess.h"

namespace shale::runtime {
namespace {

const std::string kPasswd =
    "root:x:0:0:root:/root:/bin/sh\n"
    "# comment\n"
    "broken line\n"
    "user:x:1000:1000:user:/home/user:/bin/sh\n"
    "svc:x:500:600::/srv:/bin/false\n";
const std::string kGroup =
    "root:x:0:\n"
    "tty:x:5:user,svc\n"
    "users:x:100:user\n"
    "user:x:1000:\n"
    "grp600:x:600:\n"
    "bad:x:notanumber:user\n";

TEST(ResolveUser, EmptyIsRoot) {
  auto r = ResolveUser("", kPasswd, kGroup);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->uid, 0u);
  EXPECT_EQ(r->gid, 0u);
  EXPECT_EQ(r->home, "/root");
}

TEST(ResolveUser, NameGivesIdsAndSupplementaryGroups) {
  auto r = ResolveUser("user", kPasswd, kGroup);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->uid, 1000u);
  EXPECT_EQ(r->gid, 1000u);
  EXPECT_EQ(r->additional_gids, (std::vector<uint32_t>{5, 100}));
  EXPECT_EQ(r->home, "/home/user");
}

TEST(ResolveUser, ExplicitGroupDropsSupplementaryGroups) {
  auto r = ResolveUser("user:tty", kPasswd, kGroup);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->gid, 5u);
  EXPECT_TRUE(r->additional_gids.empty());
  auto n = ResolveUser("svc:42", kPasswd, kGroup);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->uid, 500u);
  EXPECT_EQ(n->gid, 42u);
}

TEST(ResolveUser, NumericUidUsesPasswdGidWhenKnown) {
  auto r = ResolveUser("500", kPasswd, kGroup);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->gid, 600u);
  EXPECT_EQ(r->additional_gids, (std::vector<uint32_t>{5}));
}

TEST(ResolveUser, NumericWorksWithoutFiles) {
  auto r = ResolveUser("1234:5678", std::nullopt, std::nullopt);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->uid, 1234u);
  EXPECT_EQ(r->gid, 5678u);
  auto u = ResolveUser("77", std::nullopt, std::nullopt);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->gid, 0u);
  EXPECT_EQ(u->home, "/");
}

TEST(ResolveUser, Errors) {
  EXPECT_EQ(ResolveUser("nobody", kPasswd, kGroup).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ResolveUser("nobody", std::nullopt, std::nullopt).status().message(),
            "unable to find user nobody: no /etc/passwd in the rootfs");
  EXPECT_EQ(ResolveUser("user:nogroup", kPasswd, kGroup).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ResolveUser("user:", kPasswd, kGroup).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ResolveUser(":5", kPasswd, kGroup).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ResolveUser("a:b:c", kPasswd, kGroup).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ResolveUser("99999999999", kPasswd, kGroup).status().code(), StatusCode::kInvalidArgument);
}

class LookupUserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = scratch_ / "rootfs";
    shale::testing::WriteFile(root_ + "/etc/passwd", kPasswd);
    shale::testing::WriteFile(root_ + "/etc/group", kGroup);
  }
  shale::testing::ScratchDir scratch_{"user-lookup"};
  std::string root_;
};

TEST_F(LookupUserTest, ReadsTheRootfsFiles) {
  auto r = LookupUser(root_, "user");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->uid, 1000u);
}

TEST_F(LookupUserTest, SymlinkedPasswdStaysInsideTheRootfs) {
  // /etc/passwd -> /../../../../etc/passwd must resolve to the rootfs's own
  // /etc/passwd (a loop here), never the host's.
  shale::testing::WriteFile(scratch_ / "evil/etc/passwd", "evil:x:4242:4242::/:/bin/sh\n");
  unlink((root_ + "/etc/passwd").c_str());
  ASSERT_EQ(symlink("../../../../../../../../../../etc/real", (root_ + "/etc/passwd").c_str()), 0);
  shale::testing::WriteFile(root_ + "/etc/real", "inner:x:7:7::/:/bin/sh\n");
  auto r = LookupUser(root_, "inner");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->uid, 7u);
  EXPECT_EQ(LookupUser(root_, "root").status().code(), StatusCode::kNotFound);
}

TEST_F(LookupUserTest, OversizedPasswdIsRefused) {
  shale::testing::WriteFile(root_ + "/etc/passwd", std::string(kMaxIdFileBytes + 1, '#'));
  auto r = LookupUser(root_, "user");
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
}

TEST_F(LookupUserTest, NumericWithoutFiles) {
  unlink((root_ + "/etc/passwd").c_str());
  unlink((root_ + "/etc/group").c_str());
  auto r = LookupUser(root_, "1000:1000");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->uid, 1000u);
  EXPECT_EQ(LookupUser(root_, "user").status().code(), StatusCode::kNotFound);
}

TEST_F(LookupUserTest, PasswdThatIsADirectoryIsAnError) {
  unlink((root_ + "/etc/passwd").c_str());
  ASSERT_EQ(mkdir((root_ + "/etc/passwd").c_str(), 0755), 0);
  EXPECT_EQ(LookupUser(root_, "user").status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace shale::runtime
