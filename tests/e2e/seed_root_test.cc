// The seed build as root with chroot isolation, then login + push to the TLS
// + htpasswd registry, and the pushed image run as uid 1000 (skopeo copy +
// umoci unpack + chroot): its /health answers. Also `--format docker`.
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "tests/e2e/e2e_env.h"
#include "tests/registry/registry_env.h"

namespace shale::testing::e2e {
namespace {

using nlohmann::json;

std::string MissingTools() {
  std::string missing = MissingRegistryTools();
  if (!missing.empty()) return missing;
  for (const char* t : {"umoci", "chroot", "curl", "go"})
    if (!HaveTool(t)) return std::string(t) + " not installed (run .ci/deps test)";
  return "";
}

TEST(SeedRoot, ChrootBuildLoginPushAndRunAsUid1000) {
  if (geteuid() != 0) GTEST_SKIP() << "the root build needs root (the rootless case is SeedRootless.*)";
  if (std::string m = MissingTools(); !m.empty()) GTEST_SKIP() << m;
  ScratchDir dir("e2e-root");
  std::string store = dir / "store";
  ASSERT_EQ(PrepareSeedStore(store), "");
  std::string context = CopySeedContext(dir / "ctx");

  // (a) as root, --isolation chroot.
  CommandResult build = Shale(store,
                              {"build", "--isolation", "chroot", "-t", "seed:e2e", "--iidfile", dir / "iid", context},
                              {.env = {{"SOURCE_DATE_EPOCH", kEpoch}}, .timeout_seconds = 900});
  ASSERT_EQ(build.exit_code, 0) << build.output;
  EXPECT_NE(build.output.find("[2/2] STEP 6/6: ENTRYPOINT [\"/usr/local/bin/api\"]"), std::string::npos) << build.output;
  EXPECT_NE(build.output.find("COMMIT localhost/seed:e2e"), std::string::npos) << build.output;
  ImageIds ids = InspectIds(store, "seed:e2e");
  ASSERT_FALSE(ids.id.empty());
  EXPECT_EQ(ReadFile(dir / "iid"), "sha256:" + ids.id);

  // The image is what the Containerfile says.
  CommandResult cfg = Shale(store, {"inspect", "--type", "config", "seed:e2e"});
  ASSERT_EQ(cfg.exit_code, 0) << cfg.output;
  json config = json::parse(cfg.output);
  EXPECT_EQ(config["config"]["User"], "1000:1000");
  EXPECT_EQ(config["config"]["Entrypoint"], json::array({"/usr/local/bin/api"}));
  EXPECT_TRUE(config["config"]["ExposedPorts"].contains("8080/tcp")) << config.dump();
  EXPECT_EQ(config["created"], "2024-01-01T00:00:00Z");
  // busybox's layer + one per COPY; EXPOSE/USER/ENTRYPOINT add none.
  EXPECT_EQ(config["rootfs"]["diff_ids"].size(), 3u) << config.dump();
  size_t with_layer = 0;
  for (const auto& h : config["history"]) {
    std::string by = h.value("created_by", "");
    bool empty = h.value("empty_layer", false);
    with_layer += empty ? 0 : 1;
    for (const char* meta : {"EXPOSE", "USER", "ENTRYPOINT"}) {
      if (by.find(meta) != std::string::npos) {
        EXPECT_TRUE(empty) << by;
      }
    }
    if (by.find("COPY") != std::string::npos) {
      EXPECT_FALSE(empty) << by;
    }
  }
  EXPECT_EQ(with_layer, config["rootfs"]["diff_ids"].size()) << config["history"].dump();

  // login + push to the TLS + htpasswd registry.
  TestRegistry registry(dir / "registry", "basic");
  ASSERT_FALSE(registry.host().empty()) << registry.error();
  std::string authfile = dir / "auth.json";
  CommandResult login = Shale(store,
                              {"login", "--cert-dir", registry.cert_dir(), "--authfile", authfile, "-u",
                               registry.user(), "--password-stdin", registry.host()},
                              {.stdin_data = registry.password() + "\n"});
  ASSERT_EQ(login.exit_code, 0) << login.output;
  EXPECT_NE(login.output.find("Login Succeeded"), std::string::npos) << login.output;
  std::string ref = registry.host() + "/e2e/seed:1";
  CommandResult push = Shale(store, {"push", "--cert-dir", registry.cert_dir(), "--authfile", authfile,
                                     "--digestfile", dir / "digest", "seed:e2e", ref},
                             {.timeout_seconds = 300});
  ASSERT_EQ(push.exit_code, 0) << push.output;
  EXPECT_EQ(TrimRight(ReadFile(dir / "digest")), ids.digest) << "an OCI push keeps the manifest digest";

  // Pull it back with skopeo (independent client), unpack with umoci, run as 1000.
  std::string layout = dir / "layout";
  CommandResult copy = shale::testing::Run({"skopeo", "copy", "--src-cert-dir", registry.cert_dir(), "--src-creds", registry.creds(),
                            "docker://" + ref, "oci:" + layout + ":seed"},
                           {.timeout_seconds = 300});
  ASSERT_EQ(copy.exit_code, 0) << copy.output;
  std::string bundle = dir / "bundle";
  CommandResult unpack = shale::testing::Run({"umoci", "unpack", "--image", layout + ":seed", bundle}, {.timeout_seconds = 300});
  ASSERT_EQ(unpack.exit_code, 0) << unpack.output;
  json runtime_config = json::parse(ReadFile(bundle + "/config.json"));
  EXPECT_EQ(runtime_config["process"]["user"]["uid"], 1000);
  EXPECT_EQ(runtime_config["process"]["user"]["gid"], 1000);
  EXPECT_EQ(runtime_config["process"]["args"], json::array({"/usr/local/bin/api"}));

  int port = FreePort();
  ASSERT_GT(port, 0);
  std::string url = "http://127.0.0.1:" + std::to_string(port) + "/health";
  std::string body, why;
  {
    BackgroundProcess api({"chroot", "--userspec=1000:1000", bundle + "/rootfs", "/usr/local/bin/api"},
                          {{"LISTEN_ADDR", "127.0.0.1:" + std::to_string(port)}, {"PATH", "/usr/bin:/bin"}},
                          dir / "api.log");
    ASSERT_GT(api.pid(), 0);
    body = WaitForHttp(url, 30, &why);
    EXPECT_TRUE(api.Running()) << ReadFile(dir / "api.log");
  }
  ASSERT_FALSE(body.empty()) << why << "\napi log:\n" << ReadFile(dir / "api.log");
  json health = json::parse(body, nullptr, false);
  EXPECT_EQ(health["status"], "ok") << body;
  EXPECT_EQ(health["version"], "1.0.0") << body;
  EXPECT_NE(ReadFile(dir / "api.log").find("listening on 127.0.0.1:" + std::to_string(port)), std::string::npos);

  // --format docker: Docker v2s2 media types, in the store and, as skopeo
  // sees them, in the registry after a push.
  CommandResult docker_build = Shale(store, {"build", "--isolation", "chroot", "--format", "docker", "-t",
                                             "seed:docker", context},
                                     {.env = {{"SOURCE_DATE_EPOCH", kEpoch}}, .timeout_seconds = 900});
  ASSERT_EQ(docker_build.exit_code, 0) << docker_build.output;
  auto check_v2s2 = [](const std::string& what, const std::string& raw) {
    json m = json::parse(raw, nullptr, false);
    ASSERT_FALSE(m.is_discarded()) << what << ": " << raw;
    EXPECT_EQ(m["schemaVersion"], 2) << what;
    EXPECT_EQ(m["mediaType"], "application/vnd.docker.distribution.manifest.v2+json") << what << ": " << raw;
    EXPECT_EQ(m["config"]["mediaType"], "application/vnd.docker.container.image.v1+json") << what << ": " << raw;
    ASSERT_EQ(m["layers"].size(), 3u) << what << ": " << raw;
    for (const auto& l : m["layers"])
      EXPECT_EQ(l["mediaType"], "application/vnd.docker.image.rootfs.diff.tar.gzip") << what << ": " << raw;
  };
  // (skopeo's oci: transport skips index entries that are not OCI manifests,
  // so the stored manifest is read with shale itself.)
  CommandResult local_raw = Shale(store, {"inspect", "--type", "manifest", "seed:docker"});
  ASSERT_EQ(local_raw.exit_code, 0) << local_raw.output;
  check_v2s2("store", local_raw.output);
  std::string docker_ref = registry.host() + "/e2e/seed:docker";
  CommandResult push_docker = Shale(store, {"push", "--cert-dir", registry.cert_dir(), "--authfile", authfile,
                                            "seed:docker", docker_ref},
                                    {.timeout_seconds = 300});
  ASSERT_EQ(push_docker.exit_code, 0) << push_docker.output;
  CommandResult remote_raw = shale::testing::Run({"skopeo", "inspect", "--raw", "--cert-dir", registry.cert_dir(), "--creds",
                                  registry.creds(), "docker://" + docker_ref});
  ASSERT_EQ(remote_raw.exit_code, 0) << remote_raw.output;
  check_v2s2("registry", remote_raw.output);
  // And the OCI image stays OCI.
  CommandResult oci_raw = shale::testing::Run({"skopeo", "inspect", "--raw", "--cert-dir", registry.cert_dir(), "--creds",
                               registry.creds(), "docker://" + ref});
  ASSERT_EQ(oci_raw.exit_code, 0) << oci_raw.output;
  EXPECT_EQ(json::parse(oci_raw.output)["mediaType"], "application/vnd.oci.image.manifest.v1+json");
}

}  // namespace
}  // namespace shale::testing::e2e
