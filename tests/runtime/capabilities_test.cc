#include "runtime/capabilities.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "runtime/oci_config.h"

namespace shale::runtime {
namespace {

TEST(Capabilities, DefaultSetIsBuildahs) {
  EXPECT_EQ(CapabilityNames(kDefaultCapabilities),
            (std::vector<std::string>{"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
                                      "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
                                      "CAP_NET_RAW", "CAP_SYS_CHROOT", "CAP_MKNOD", "CAP_AUDIT_WRITE",
                                      "CAP_SETFCAP"}));
  EXPECT_EQ(CapabilityName(19), "CAP_SYS_PTRACE");
  EXPECT_EQ(CapabilityName(40), "CAP_CHECKPOINT_RESTORE");
  EXPECT_EQ(CapabilityName(41), "");
  EXPECT_EQ(CapabilityNames(1ULL << 63), std::vector<std::string>{});
}

RunSpec Spec(uint32_t uid, uint64_t caps) {
  RunSpec s;
  s.args = {"/bin/true"};
  s.rootfs = "/r";
  s.uid = uid;
  s.capabilities = caps;
  return s;
}

TEST(MakeOciConfig, CapabilitiesFollowTheSpec) {
  const uint64_t mask = (1ULL << 0) | (1ULL << 19);
  auto root = MakeOciConfig(Spec(0, mask), {}, false);
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  auto caps = nlohmann::json::parse(*root)["process"]["capabilities"];
  const nlohmann::json names = {"CAP_CHOWN", "CAP_SYS_PTRACE"};
  EXPECT_EQ(caps["bounding"], names);
  EXPECT_EQ(caps["effective"], names);
  EXPECT_EQ(caps["permitted"], names);
  EXPECT_FALSE(caps.contains("inheritable"));
  EXPECT_FALSE(caps.contains("ambient"));
  // A non-root step: only the bounding set.
  auto user = MakeOciConfig(Spec(1000, mask), {}, false);
  ASSERT_TRUE(user.ok()) << user.status().ToString();
  caps = nlohmann::json::parse(*user)["process"]["capabilities"];
  EXPECT_EQ(caps["bounding"], names);
  EXPECT_EQ(caps["effective"], nlohmann::json::array());
  EXPECT_EQ(caps["permitted"], nlohmann::json::array());
}

}  // namespace
}  // namespace shale::runtime
