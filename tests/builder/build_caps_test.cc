// `shale build --cap-add/--cap-drop`: RUN steps get buildah's default
// capability set, changed by the flags (buildah's bud-325 case), and a
// changed set is part of a RUN step's cache key.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "tests/builder/build_fixture.h"

namespace shale::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr uint64_t kDefault = 0xa80425fbULL;
constexpr uint64_t kSysPtrace = 1ULL << 19;

// This process's bounding set: shale (and so its steps) can hold no more.
uint64_t HeldCapabilities() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("CapBnd:", 0) == 0) return std::stoull(line.substr(7), nullptr, 16);
  }
  return 0;
}

std::string Hex(uint64_t mask) {
  char buf[17];
  snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(mask));
  return buf;
}

class CapsTest : public BuildTest {
 protected:
  // Builds `containerfile`; skips the test when the step has no /proc to
  // read its capabilities from (plain-chroot isolation).
  CommandResult BuildCaps(const std::string& containerfile, const std::vector<std::string>& args) {
    auto r = Build(containerfile, args);
    if (r.exit_code != 0 && r.output.find("/proc/self/status") != std::string::npos) {
      skip_ = "RUN steps have no /proc here: " + r.output;
    }
    return r;
  }
  std::string skip_;
};

#define SKIP_WITHOUT_PROC() \
  if (!skip_.empty()) GTEST_SKIP() << skip_

TEST_F(CapsTest, Bud325CapAddAndCapDropForANonRootUser) {
  REQUIRE_RUN();
  const uint64_t held = HeldCapabilities();
  if ((held & (kDefault | kSysPtrace)) != (kDefault | kSysPtrace)) {
    GTEST_SKIP() << "this process's bounding set " << Hex(held)
                 << " lacks part of the default set or SYS_PTRACE";
  }
  const std::string file = "FROM busybox\nUSER 3267\nRUN id; grep -i cap /proc/self/status\n";
  auto r = BuildCaps(file, {"--cap-add", "cap_sys_ptrace", "-t", "testcap"});
  SKIP_WITHOUT_PROC();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("uid=3267"));
  EXPECT_THAT(r.output, HasSubstr("CapBnd:\t00000000a80c25fb\n"));
  EXPECT_THAT(r.output, HasSubstr("CapEff:\t0000000000000000\n"));
  EXPECT_THAT(r.output, HasSubstr("CapPrm:\t0000000000000000\n"));

  r = BuildCaps(file, {"--cap-drop", "cap_chown,cap_dac_override,cap_fowner", "-t", "testcapd"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("uid=3267"));
  EXPECT_THAT(r.output, HasSubstr("CapBnd:\t00000000a80425f0\n"));
  EXPECT_THAT(r.output, HasSubstr("CapEff:\t0000000000000000\n"));
}

TEST_F(CapsTest, RootStepGetsTheSetAsEffectiveToo) {
  REQUIRE_RUN();
  const uint64_t held = HeldCapabilities();
  const std::string file = "FROM busybox\nRUN echo root-caps; grep Cap /proc/self/status\n";
  auto r = BuildCaps(file, {"-t", "rootcaps"});
  SKIP_WITHOUT_PROC();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("CapBnd:\t" + Hex(kDefault & held) + "\n"));
  EXPECT_THAT(r.output, HasSubstr("CapEff:\t" + Hex(kDefault & held) + "\n"));
  EXPECT_THAT(r.output, HasSubstr("CapInh:\t0000000000000000\n"));

  // A capability in both lists is dropped; ALL keywords as buildah.
  r = BuildCaps(file, {"--cap-add", "sys_ptrace,CAP_NET_ADMIN", "--cap-drop", "CAP_SYS_PTRACE,kill", "-t",
                       "rootcaps2"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const uint64_t mixed = (kDefault | (1ULL << 12)) & ~(1ULL << 5);
  EXPECT_THAT(r.output, HasSubstr("CapBnd:\t" + Hex(mixed & held) + "\n"));
  EXPECT_THAT(r.output, HasSubstr("CapEff:\t" + Hex(mixed & held) + "\n"));

  r = BuildCaps(file, {"--cap-drop", "all", "--cap-add", "cap_chown", "-t", "rootcaps3"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("CapBnd:\t0000000000000000\n"));
  EXPECT_THAT(r.output, HasSubstr("CapEff:\t0000000000000000\n"));

  r = BuildCaps(file, {"--cap-add", "ALL", "-t", "rootcaps4"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("CapBnd:\t" + Hex(held & ((1ULL << 41) - 1)) + "\n"));
}

TEST_F(CapsTest, ChangedCapabilitiesRerunACachedRunStep) {
  REQUIRE_RUN();
  const uint64_t held = HeldCapabilities();
  if (!(held & kSysPtrace))
    GTEST_SKIP() << "this process's bounding set " << Hex(held) << " lacks SYS_PTRACE";
  const std::string file = "FROM busybox\nRUN grep CapBnd /proc/self/status > /caps-cache-test\n";
  auto r = BuildCaps(file, {"-t", "caps-default"});
  SKIP_WITHOUT_PROC();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(FileInImage("caps-default", "caps-cache-test"), "CapBnd:\t" + Hex(kDefault & held) + "\n");

  r = BuildCaps(file, {"--cap-add", "cap_sys_ptrace", "-t", "caps-ptrace"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, Not(HasSubstr("--> Using cache")));
  EXPECT_EQ(FileInImage("caps-ptrace", "caps-cache-test"),
            "CapBnd:\t" + Hex((kDefault | kSysPtrace) & held) + "\n");

  // Each set finds its own cached step again.
  r = BuildCaps(file, {"--cap-add", "cap_sys_ptrace", "-t", "caps-ptrace2"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("--> Using cache"));
  EXPECT_EQ(FileInImage("caps-ptrace2", "caps-cache-test"),
            "CapBnd:\t" + Hex((kDefault | kSysPtrace) & held) + "\n");
  r = BuildCaps(file, {"-t", "caps-default2"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("--> Using cache"));
  EXPECT_EQ(FileInImage("caps-default2", "caps-cache-test"), "CapBnd:\t" + Hex(kDefault & held) + "\n");
}

}  // namespace
}  // namespace shale::testing
