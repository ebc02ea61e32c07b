#include "runtime/select.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <nlohmann/json.hpp>

#include "runtime/oci_config.h"

namespace shale::runtime {
namespace {

TEST(SelectIsolation, FlagThenShaleEnvThenBuildahEnvThenDefault) {
  EXPECT_EQ(*SelectIsolation("oci", "rootless", "chroot", true), Isolation::kOci);
  EXPECT_EQ(*SelectIsolation("", "rootless", "chroot", true), Isolation::kRootless);
  EXPECT_EQ(*SelectIsolation("", "", "chroot", false), Isolation::kChroot);
  EXPECT_EQ(*SelectIsolation("", "", "", true), Isolation::kChroot);
  EXPECT_EQ(*SelectIsolation("", "", "", false), Isolation::kRootless);
  EXPECT_EQ(*SelectIsolation("CHROOT", "", "", false), Isolation::kChroot);
}

TEST(SelectIsolation, BadValueNamesItsSource) {
  auto r = SelectIsolation("", "", "vm", true);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "invalid BUILDAH_ISOLATION \"vm\": expected chroot, rootless or oci");
  EXPECT_EQ(SelectIsolation("x", "", "", true).status().message(),
            "invalid --isolation \"x\": expected chroot, rootless or oci");
}

TEST(SelectIsolationFromEnvironment, ReadsBothVariables) {
  setenv("BUILDAH_ISOLATION", "chroot", 1);
  unsetenv("SHALE_ISOLATION");
  EXPECT_EQ(*SelectIsolationFromEnvironment(""), Isolation::kChroot);
  setenv("SHALE_ISOLATION", "oci", 1);
  EXPECT_EQ(*SelectIsolationFromEnvironment(""), Isolation::kOci);
  EXPECT_EQ(*SelectIsolationFromEnvironment("rootless"), Isolation::kRootless);
  unsetenv("SHALE_ISOLATION");
  unsetenv("BUILDAH_ISOLATION");
}

TEST(CheckBackends, DockerContainerOffersOnlyDegradedChroot) {
  HostFeatures f;
  f.euid_root = true;
  f.mknod_allowed = true;
  f.denied_errno = EPERM;
  auto b = CheckBackends(f, true, "/nonexistent/runc");
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[0].isolation, Isolation::kChroot);
  EXPECT_TRUE(b[0].available);
  EXPECT_NE(b[0].detail.find("plain chroot"), std::string::npos);
  EXPECT_FALSE(b[1].available);
  EXPECT_NE(b[1].detail.find("user namespace"), std::string::npos);
  EXPECT_FALSE(b[2].available);
  EXPECT_NE(b[2].detail.find("not found"), std::string::npos);
}

TEST(CheckBackends, OrdinaryUserIsJudgedByWhatTheUserNamespaceAllows) {
  HostFeatures f;  // a non-root user: only unshare(CLONE_NEWUSER) works directly
  f.unshare_user = true;
  f.denied_errno = EPERM;
  auto b = CheckBackends(f, false, "/nonexistent/runc");
  EXPECT_TRUE(b[0].available);
  EXPECT_EQ(b[0].detail.find("degraded"), std::string::npos) << b[0].detail;
  EXPECT_TRUE(b[1].available) << b[1].detail;
  EXPECT_EQ(b[1].detail, "user namespace from /etc/subuid (newuidmap)");
}

TEST(ContainersConf, RuntimeFromEngineTable) {
  EXPECT_EQ(ParseContainersConfRuntime("[engine]\nruntime = \"crun\"\n"), "crun");
  EXPECT_EQ(ParseContainersConfRuntime("[containers]\nruntime=\"x\"\n[engine]\n# runtime = \"no\"\n"
                                       "runtime='runc' # comment\n[engine.runtimes]\nruntime = \"z\"\n"),
            "runc");
  EXPECT_EQ(ParseContainersConfRuntime("[network]\nruntime = \"crun\"\n"), std::nullopt);
}

TEST(ResolveOciRuntime, MissingRuntimeIsNotFound) {
  EXPECT_EQ(ResolveOciRuntime("definitely-not-a-runtime").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(*ResolveOciRuntime("/bin/sh"), "/bin/sh");
}

TEST(MakeOciConfig, CarriesTheSpec) {
  RunSpec s;
  s.args = {"/bin/sh", "-c", "true"};
  s.env = {"A=b"};
  s.cwd = "/tmp";
  s.uid = 1000;
  s.gid = 100;
  s.additional_gids = {5};
  s.rootfs = "/r";
  s.hostname = "h";
  s.network = NetworkMode::kNone;
  s.rlimits = {{RLIMIT_NOFILE, 100, 200}};
  s.mounts = {{MountSpec::Type::kBind, "/cache", "/root/.cache", false, ""},
              {MountSpec::Type::kTmpfs, "", "/t", true, "size=1m"}};
  auto text = MakeOciConfig(s, {"/s/resolv.conf", "/s/hosts", ""}, false);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  auto j = nlohmann::json::parse(*text);
  EXPECT_EQ(j["process"]["args"], nlohmann::json({"/bin/sh", "-c", "true"}));
  EXPECT_EQ(j["process"]["user"]["uid"], 1000);
  EXPECT_EQ(j["process"]["user"]["additionalGids"], nlohmann::json({5}));
  EXPECT_EQ(j["process"]["cwd"], "/tmp");
  EXPECT_EQ(j["process"]["rlimits"][0]["type"], "RLIMIT_NOFILE");
  EXPECT_EQ(j["process"]["rlimits"][0]["soft"], 100);
  EXPECT_EQ(j["root"]["path"], "/r");
  EXPECT_EQ(j["hostname"], "h");
  bool net = false;
  for (const auto& ns : j["linux"]["namespaces"]) net |= ns["type"] == "network";
  EXPECT_TRUE(net);
  int binds = 0;
  for (const auto& m : j["mounts"]) {
    if (m["destination"] == "/etc/resolv.conf") ++binds;
    if (m["destination"] == "/etc/hostname") ADD_FAILURE() << "no hostname file was given";
    if (m["destination"] == "/t") {
      EXPECT_EQ(m["type"], "tmpfs");
    }
    if (m["destination"] == "/root/.cache") {
      EXPECT_EQ(m["source"], "/cache");
    }
  }
  EXPECT_EQ(binds, 1);
  s.rlimits = {{999, 1, 1}};
  EXPECT_EQ(MakeOciConfig(s, {}, false).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace shale::runtime
