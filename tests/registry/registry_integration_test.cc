// Integration: shale against the real distribution registry in three modes
// (plain HTTP, HTTPS + htpasswd Basic, HTTPS + token auth), interop with
// skopeo/umoci, registries.conf, and fault injection through fault_proxy.py.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <dirent.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "base/digest.h"
#include "registry/credentials.h"
#include "tests/registry/registry_env.h"

namespace shale::testing {
namespace {

using json = nlohmann::json;

bool Exists(const std::string& p) {
  struct stat st;
  return ::lstat(p.c_str(), &st) == 0;
}

int CountFiles(const std::string& dir) {
  int n = 0;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d))
      if (std::string(e->d_name) != "." && std::string(e->d_name) != "..") ++n;
    closedir(d);
  }
  return n;
}

json ReadJson(const std::string& path) { return json::parse(ReadFile(path)); }

std::string Hex(const std::string& digest) { return digest.substr(digest.find(':') + 1); }

class RegistryIT : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = MissingRegistryTools(); !why.empty()) GTEST_SKIP() << why;
    if (!Exists(ShaleBinary())) GTEST_SKIP() << "shale binary not built: " << ShaleBinary();
    home_ = scratch_ / "home";
    ASSERT_EQ(0, ::mkdir(home_.c_str(), 0700));
    store_ = scratch_ / "store";
    std::string err;
    manifest_digest_ = MakeImage(store_, "localhost/busybox:latest", {"--busybox"}, &err);
    ASSERT_FALSE(manifest_digest_.empty()) << err;
    json m = ReadJson(store_ + "/blobs/sha256/" + Hex(manifest_digest_));
    config_digest_ = m["config"]["digest"];
    layer_digest_ = m["layers"][0]["digest"];
  }

  std::unique_ptr<TestRegistry> Start(const std::string& mode) {
    auto r = std::make_unique<TestRegistry>(scratch_ / ("reg-" + mode), mode);
    EXPECT_FALSE(r->host().empty()) << r->error();
    return r;
  }

  // Environment that keeps auth files and configs inside the scratch dir.
  CommandOptions Env() {
    CommandOptions o;
    o.env["HOME"] = home_;
    o.env["XDG_RUNTIME_DIR"] = home_ + "/run";
    o.unset_env = {"DOCKER_CONFIG"};
    o.timeout_seconds = 120;
    return o;
  }

  CommandResult Skopeo(std::vector<std::string> args) {
    args.insert(args.begin(), "skopeo");
    CommandOptions o = Env();
    o.env["CONTAINERS_REGISTRIES_CONF"] = "/nonexistent";
    return ::shale::testing::Run(args, o);
  }

  // skopeo's stdout alone (its warnings go to stderr, which is dropped).
  CommandResult SkopeoStdout(std::vector<std::string> args) {
    args.insert(args.begin(), {"bash", "-c", "skopeo \"$@\" 2>/dev/null", "skopeo"});
    CommandOptions o = Env();
    o.env["CONTAINERS_REGISTRIES_CONF"] = "/nonexistent";
    return ::shale::testing::Run(args, o);
  }

  // skopeo inspect --raw of a remote manifest; its sha256.
  std::string RemoteDigest(const std::string& ref, const std::vector<std::string>& extra) {
    std::vector<std::string> args{"inspect", "--raw"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back("docker://" + ref);
    auto r = SkopeoStdout(args);
    EXPECT_EQ(0, r.exit_code) << r.output;
    return Digest::Sha256(r.output).ToString();
  }

  ScratchDir scratch_{"shale-registry-it"};
  std::string home_, store_, manifest_digest_, config_digest_, layer_digest_;
};

// ---- plain HTTP -----------------------------------------------------------

TEST_F(RegistryIT, PushedImageIsReadBySkopeoAndUmociWithIdenticalDigests) {
  auto reg = Start("plain");
  std::string dest = reg->host() + "/test/busybox:1";
  std::string digestfile = scratch_ / "digest";
  auto push = Shale({"--root", store_, "push", "--tls-verify=false", "--digestfile", digestfile,
                     "localhost/busybox:latest", dest}, Env());
  ASSERT_EQ(0, push.exit_code) << push.output;
  EXPECT_NE(push.output.find("Copying blob " + layer_digest_ + " done"), std::string::npos) << push.output;
  EXPECT_EQ(manifest_digest_, ReadFile(digestfile));
  EXPECT_EQ(manifest_digest_, RemoteDigest(dest, {"--tls-verify=false"}));

  std::string layout = scratch_ / "skopeo-layout";
  auto copy = Skopeo({"copy", "--src-tls-verify=false", "docker://" + dest, "oci:" + layout + ":x"});
  ASSERT_EQ(0, copy.exit_code) << copy.output;
  json index = ReadJson(layout + "/index.json");
  EXPECT_EQ(manifest_digest_, index["manifests"][0]["digest"]);
  if (!HaveTool("umoci")) GTEST_SKIP() << "umoci not installed";
  std::string bundle = scratch_ / "bundle";
  auto unpack = ::shale::testing::Run({"umoci", "unpack", "--image", layout + ":x", bundle});
  ASSERT_EQ(0, unpack.exit_code) << unpack.output;
  EXPECT_TRUE(Exists(bundle + "/rootfs/bin/busybox"));
  if (::geteuid() == 0) {
    auto run = ::shale::testing::Run({"chroot", bundle + "/rootfs", "/bin/sh", "-c", "echo ok-from-busybox"});
    EXPECT_EQ(0, run.exit_code) << run.output;
    EXPECT_NE(run.output.find("ok-from-busybox"), std::string::npos);
  }
}

TEST_F(RegistryIT, ImagePushedBySkopeoIsPulledWithIdenticalDigests) {
  auto reg = Start("plain");
  std::string dest = reg->host() + "/from/skopeo:2";
  auto copy = Skopeo({"copy", "--dest-tls-verify=false", "oci:" + store_ + ":localhost/busybox:latest",
                      "docker://" + dest});
  ASSERT_EQ(0, copy.exit_code) << copy.output;
  std::string remote = RemoteDigest(dest, {"--tls-verify=false"});
  std::string root = scratch_ / "pulled";
  auto pull = Shale({"--root", root, "pull", "--tls-verify=false", dest}, Env());
  ASSERT_EQ(0, pull.exit_code) << pull.output;
  EXPECT_NE(pull.output.find(Hex(config_digest_)), std::string::npos) << pull.output;  // the image id
  json index = ReadJson(root + "/index.json");
  ASSERT_EQ(1u, index["manifests"].size());
  EXPECT_EQ(remote, index["manifests"][0]["digest"]);
  EXPECT_EQ(dest, index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"]);
  EXPECT_EQ(Digest::Sha256(ReadFile(root + "/blobs/sha256/" + Hex(layer_digest_))).ToString(), layer_digest_);

  auto again = Shale({"--root", root, "pull", "--tls-verify=false", dest}, Env());
  ASSERT_EQ(0, again.exit_code) << again.output;
  EXPECT_NE(again.output.find("Copying blob " + layer_digest_ + " skipped: already exists"), std::string::npos)
      << again.output;
}

TEST_F(RegistryIT, RepushSkipsEveryBlobAndOtherRepoMounts) {
  auto reg = Start("plain");
  std::string a = reg->host() + "/team/a:1";
  ASSERT_EQ(0, Shale({"--root", store_, "push", "--tls-verify=false", "localhost/busybox:latest", a}, Env()).exit_code);
  auto again = Shale({"--root", store_, "push", "--tls-verify=false", "localhost/busybox:latest", a}, Env());
  ASSERT_EQ(0, again.exit_code) << again.output;
  EXPECT_NE(again.output.find("Copying blob " + layer_digest_ + " skipped: already exists"), std::string::npos);
  EXPECT_NE(again.output.find("Copying config " + config_digest_ + " skipped: already exists"), std::string::npos);
  EXPECT_EQ(again.output.find(" done"), std::string::npos) << again.output;

  auto other = Shale({"--root", store_, "push", "--tls-verify=false", "localhost/busybox:latest",
                      reg->host() + "/team/b:1"}, Env());
  ASSERT_EQ(0, other.exit_code) << other.output;
  EXPECT_NE(other.output.find("Copying blob " + layer_digest_ + " done (mounted)"), std::string::npos) << other.output;
  EXPECT_EQ(manifest_digest_, RemoteDigest(reg->host() + "/team/b:1", {"--tls-verify=false"}));
}

TEST_F(RegistryIT, FormatDockerConvertsMediaTypesAndChangesTheDigest) {
  auto reg = Start("plain");
  std::string dest = reg->host() + "/fmt/docker:1";
  std::string digestfile = scratch_ / "digest";
  auto push = Shale({"--root", store_, "push", "--tls-verify=false", "--format", "docker", "--digestfile",
                     digestfile, "localhost/busybox:latest", dest}, Env());
  ASSERT_EQ(0, push.exit_code) << push.output;
  auto raw = SkopeoStdout({"inspect", "--raw", "--tls-verify=false", "docker://" + dest});
  ASSERT_EQ(0, raw.exit_code) << raw.output;
  json m = json::parse(raw.output);
  EXPECT_EQ("application/vnd.docker.distribution.manifest.v2+json", m["mediaType"]);
  EXPECT_EQ("application/vnd.docker.container.image.v1+json", m["config"]["mediaType"]);
  EXPECT_EQ("application/vnd.docker.image.rootfs.diff.tar.gzip", m["layers"][0]["mediaType"]);
  EXPECT_EQ(config_digest_, m["config"]["digest"]);
  EXPECT_NE(manifest_digest_, ReadFile(digestfile));
  EXPECT_EQ(Digest::Sha256(raw.output).ToString(), ReadFile(digestfile));
}

TEST_F(RegistryIT, RegistriesConfLocationRewriteAndMirrorFallback) {
  auto reg = Start("plain");
  ASSERT_EQ(0, Shale({"--root", store_, "push", "--tls-verify=false", "localhost/busybox:latest",
                      reg->host() + "/test/busybox:1"}, Env()).exit_code);
  std::string conf = scratch_ / "registries.conf";
  WriteFile(conf, "unqualified-search-registries = [\"one.invalid\", \"two.invalid\"]\n"
                  "[[registry]]\nprefix = \"shale-test.invalid/test\"\nlocation = \"" + reg->host() + "/test\"\n"
                  "insecure = true\n"
                  "[[registry.mirror]]\nlocation = \"127.0.0.1:1/test\"\ninsecure = true\n");
  CommandOptions o = Env();
  o.env["CONTAINERS_REGISTRIES_CONF"] = conf;
  std::string root = scratch_ / "pulled";
  auto pull = Shale({"--root", root, "pull", "--retry", "0", "shale-test.invalid/test/busybox:1"}, o);
  ASSERT_EQ(0, pull.exit_code) << pull.output;
  EXPECT_NE(pull.output.find("Trying to pull shale-test.invalid/test/busybox:1..."), std::string::npos) << pull.output;
  EXPECT_NE(pull.output.find("mirror 127.0.0.1:1 failed, trying the next source"), std::string::npos) << pull.output;
  json index = ReadJson(root + "/index.json");
  EXPECT_EQ("shale-test.invalid/test/busybox:1", index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"]);

  auto ambiguous = Shale({"--root", root, "pull", "busybox"}, o);
  EXPECT_EQ(1, ambiguous.exit_code);
  EXPECT_NE(ambiguous.output.find("short name \"busybox\" is ambiguous"), std::string::npos) << ambiguous.output;
}

// ---- HTTPS + Basic --------------------------------------------------------

TEST_F(RegistryIT, BasicAuthLoginInteropWithSkopeoBothWays) {
  auto reg = Start("basic");
  std::string authfile = scratch_ / "shale-auth.json";
  auto bad = Shale({"login", "--authfile", authfile, "--cert-dir", reg->cert_dir(), "-u", reg->user(),
                    "--password-stdin", reg->host()}, [&] { auto o = Env(); o.stdin_data = "wrong\n"; return o; }());
  EXPECT_EQ(1, bad.exit_code);
  EXPECT_NE(bad.output.find("invalid username or password"), std::string::npos) << bad.output;
  EXPECT_FALSE(Exists(authfile));

  auto o = Env();
  o.stdin_data = reg->password() + "\n";
  auto login = Shale({"login", "--authfile", authfile, "--cert-dir", reg->cert_dir(), "-u", reg->user(),
                      "--password-stdin", reg->host()}, o);
  ASSERT_EQ(0, login.exit_code) << login.output;
  struct stat st;
  ASSERT_EQ(0, ::stat(authfile.c_str(), &st));
  EXPECT_EQ(0600u, st.st_mode & 0777);
  auto get = Shale({"login", "--authfile", authfile, "--get-login", reg->host()}, Env());
  EXPECT_EQ(reg->user(), Trim(get.output));

  // shale's auth.json works for skopeo.
  ASSERT_EQ(0, Shale({"--root", store_, "push", "--authfile", authfile, "--cert-dir", reg->cert_dir(),
                      "localhost/busybox:latest", reg->host() + "/test/busybox:1"}, Env()).exit_code);
  EXPECT_EQ(manifest_digest_, RemoteDigest(reg->host() + "/test/busybox:1",
                                            {"--authfile", authfile, "--cert-dir", reg->cert_dir()}));

  // skopeo's auth.json works for shale.
  std::string skopeo_auth = scratch_ / "skopeo-auth.json";
  auto sl = Skopeo({"login", "--authfile", skopeo_auth, "--cert-dir", reg->cert_dir(), "-u", reg->user(), "-p",
                    reg->password(), reg->host()});
  ASSERT_EQ(0, sl.exit_code) << sl.output;
  auto pull = Shale({"--root", scratch_ / "pulled", "pull", "--authfile", skopeo_auth, "--cert-dir",
                     reg->cert_dir(), reg->host() + "/test/busybox:1"}, Env());
  ASSERT_EQ(0, pull.exit_code) << pull.output;

  auto logout = Shale({"logout", "--authfile", authfile, reg->host()}, Env());
  EXPECT_EQ(0, logout.exit_code) << logout.output;
  auto again = Shale({"logout", "--authfile", authfile, reg->host()}, Env());
  EXPECT_EQ(1, again.exit_code);
  EXPECT_NE(again.output.find("not logged into " + reg->host()), std::string::npos) << again.output;
  auto anon = Shale({"--root", scratch_ / "pulled2", "pull", "--authfile", authfile, "--cert-dir", reg->cert_dir(),
                     reg->host() + "/test/busybox:1"}, Env());
  EXPECT_EQ(1, anon.exit_code);
  EXPECT_NE(anon.output.find("PermissionDenied"), std::string::npos) << anon.output;
}

TEST_F(RegistryIT, HttpsNeedsTheCaUnlessTlsVerifyIsOff) {
  auto reg = Start("basic");
  auto no_ca = Shale({"--root", store_, "push", "--retry", "0", "--creds", reg->creds(), "localhost/busybox:latest",
                      reg->host() + "/test/busybox:1"}, Env());
  EXPECT_EQ(1, no_ca.exit_code);
  EXPECT_NE(no_ca.output.find("FailedPrecondition"), std::string::npos) << no_ca.output;
  EXPECT_NE(no_ca.output.find("TLS"), std::string::npos) << no_ca.output;
  auto insecure = Shale({"--root", store_, "push", "--tls-verify=false", "--creds", reg->creds(),
                         "localhost/busybox:latest", reg->host() + "/test/busybox:1"}, Env());
  EXPECT_EQ(0, insecure.exit_code) << insecure.output;
}

TEST_F(RegistryIT, CredentialsNeverAppearInOutputOrLogs) {
  auto basic = Start("basic");
  auto token = Start("token");
  std::vector<CommandResult> runs;
  for (TestRegistry* reg : {basic.get(), token.get()}) {
    std::vector<std::string> common{"--log-level", "debug", "--root", store_};
    auto with = [&](std::vector<std::string> args) {
      std::vector<std::string> all = common;
      all.insert(all.end(), args.begin(), args.end());
      runs.push_back(Shale(all, Env()));
    };
    with({"push", "--cert-dir", reg->cert_dir(), "--creds", reg->creds(), "localhost/busybox:latest",
          reg->host() + "/secret/img:1"});
    with({"pull", "--cert-dir", reg->cert_dir(), "--creds", reg->creds(), reg->host() + "/secret/img:1"});
    with({"pull", "--cert-dir", reg->cert_dir(), "--creds", reg->creds(), reg->host() + "/secret/missing:1"});
    with({"pull", "--cert-dir", reg->cert_dir(), "--creds", reg->user() + ":x" + reg->password(),
          reg->host() + "/secret/img:1"});
    with({"login", "--authfile", scratch_ / "a.json", "--cert-dir", reg->cert_dir(), "-u", reg->user(), "-p",
          reg->password() + "x", reg->host()});
    EXPECT_EQ(0, runs[runs.size() - 5].exit_code) << runs[runs.size() - 5].output;
    EXPECT_EQ(0, runs[runs.size() - 4].exit_code) << runs[runs.size() - 4].output;
    EXPECT_EQ(1, runs[runs.size() - 3].exit_code);
    EXPECT_EQ(1, runs[runs.size() - 2].exit_code);
    EXPECT_EQ(1, runs[runs.size() - 1].exit_code);
  }
  std::string b64 = Base64Encode(basic->creds());
  for (const auto& r : runs) {
    EXPECT_EQ(r.output.find(basic->password()), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find(b64), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("Bearer ey"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("Authorization"), std::string::npos) << r.output;
  }
}

// ---- token auth -----------------------------------------------------------

TEST_F(RegistryIT, TokenAuthPushPullAndLogin) {
  auto reg = Start("token");
  std::string dest = reg->host() + "/tok/busybox:1";
  auto anon = Shale({"--root", store_, "push", "--cert-dir", reg->cert_dir(), "localhost/busybox:latest", dest}, Env());
  EXPECT_EQ(1, anon.exit_code);
  EXPECT_NE(anon.output.find("PermissionDenied"), std::string::npos) << anon.output;

  auto push = Shale({"--root", store_, "push", "--cert-dir", reg->cert_dir(), "--creds", reg->creds(),
                     "localhost/busybox:latest", dest}, Env());
  ASSERT_EQ(0, push.exit_code) << push.output;
  std::string log = ReadFile(reg->dir() + "/token-requests.log");
  EXPECT_NE(log.find("scope=repository:tok/busybox:pull,push auth=basic"), std::string::npos) << log;

  auto o = Env();
  o.stdin_data = reg->password();
  std::string authfile = scratch_ / "auth.json";
  auto login = Shale({"login", "--authfile", authfile, "--cert-dir", reg->cert_dir(), "-u", reg->user(),
                      "--password-stdin", reg->host()}, o);
  ASSERT_EQ(0, login.exit_code) << login.output;
  std::string root = scratch_ / "pulled";
  auto pull = Shale({"--root", root, "pull", "--authfile", authfile, "--cert-dir", reg->cert_dir(), dest}, Env());
  ASSERT_EQ(0, pull.exit_code) << pull.output;
  EXPECT_EQ(manifest_digest_, ReadJson(root + "/index.json")["manifests"][0]["digest"]);
  EXPECT_EQ(manifest_digest_, RemoteDigest(dest, {"--authfile", authfile, "--cert-dir", reg->cert_dir()}));
}

// ---- faults ---------------------------------------------------------------

class RegistryFaultIT : public RegistryIT {
 protected:
  void SetUp() override {
    RegistryIT::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    reg_ = Start("plain");
    ASSERT_FALSE(reg_->host().empty());
    auto push = Shale({"--root", store_, "push", "--tls-verify=false", "localhost/busybox:latest",
                       reg_->host() + "/test/busybox:1"}, Env());
    ASSERT_EQ(0, push.exit_code) << push.output;
    log_ = scratch_ / "proxy.log";
    pulled_ = scratch_ / "pulled";
  }

  CommandResult PullVia(const FaultProxy& proxy, std::vector<std::string> extra = {}, CommandOptions o = {}) {
    std::vector<std::string> args{"--root", pulled_, "pull", "--tls-verify=false", "--retry-delay", "50ms"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(proxy.host() + "/test/busybox:1");
    CommandOptions env = Env();
    for (const auto& [k, v] : o.env) env.env[k] = v;
    return Shale(args, env);
  }

  std::string LayerRule(const std::string& action, int times, const std::string& more = "") {
    return "[{\"method\":\"GET\",\"path\":\"/blobs/" + layer_digest_ + "\",\"action\":\"" + action +
           "\",\"times\":" + std::to_string(times) + more + "}]";
  }

  int LogCount(const std::string& action) {
    std::string log = Exists(log_) ? ReadFile(log_) : "";
    int n = 0;
    for (size_t p = log.find(action + " "); p != std::string::npos; p = log.find(action + " ", p + 1)) ++n;
    return n;
  }

  // The failed blob is not in the store, nothing is left in tmp/, nothing is tagged.
  void ExpectStoreUnchanged() {
    EXPECT_FALSE(Exists(pulled_ + "/blobs/sha256/" + Hex(layer_digest_)));
    EXPECT_EQ(0, CountFiles(pulled_ + "/tmp"));
    if (Exists(pulled_ + "/index.json")) {
      EXPECT_EQ(0u, ReadJson(pulled_ + "/index.json")["manifests"].size());
    }
  }

  std::unique_ptr<TestRegistry> reg_;
  std::string log_, pulled_;
};

TEST_F(RegistryFaultIT, Blob503ThenSuccess) {
  FaultProxy proxy(reg_->host(), LayerRule("status", 2, ",\"status\":503"), log_);
  ASSERT_FALSE(proxy.host().empty());
  auto r = PullVia(proxy);
  ASSERT_EQ(0, r.exit_code) << r.output;
  EXPECT_EQ(2, LogCount("status"));
  EXPECT_EQ(layer_digest_, Digest::Sha256(ReadFile(pulled_ + "/blobs/sha256/" + Hex(layer_digest_))).ToString());
}

TEST_F(RegistryFaultIT, PersistentFailureIsBoundedAndReported) {
  FaultProxy proxy(reg_->host(), LayerRule("status", 100, ",\"status\":502"), log_);
  auto r = PullVia(proxy, {"--retry", "2"});
  EXPECT_EQ(1, r.exit_code);
  EXPECT_NE(r.output.find("Unavailable"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("HTTP 502"), std::string::npos) << r.output;
  EXPECT_EQ(3, LogCount("status"));
  ExpectStoreUnchanged();
}

TEST_F(RegistryFaultIT, ResetMidBlobIsRetriedFromScratch) {
  FaultProxy proxy(reg_->host(), LayerRule("reset", 1), log_);
  auto r = PullVia(proxy);
  ASSERT_EQ(0, r.exit_code) << r.output;
  EXPECT_EQ(1, LogCount("reset"));
  EXPECT_EQ(layer_digest_, Digest::Sha256(ReadFile(pulled_ + "/blobs/sha256/" + Hex(layer_digest_))).ToString());
}

TEST_F(RegistryFaultIT, StalledTransferTimesOut) {
  FaultProxy proxy(reg_->host(), LayerRule("stall", 1, ",\"seconds\":20"), log_);
  CommandOptions o;
  o.env["SHALE_REGISTRY_STALL_TIMEOUT"] = "1";
  auto failed = PullVia(proxy, {"--retry", "0"}, o);
  EXPECT_EQ(1, failed.exit_code);
  EXPECT_NE(failed.output.find("stalled"), std::string::npos) << failed.output;
  ExpectStoreUnchanged();
  FaultProxy again(reg_->host(), LayerRule("stall", 1, ",\"seconds\":20"), log_);
  auto ok = PullVia(again, {}, o);
  EXPECT_EQ(0, ok.exit_code) << ok.output;
}

TEST_F(RegistryFaultIT, TooManyRequestsHonoursRetryAfter) {
  FaultProxy proxy(reg_->host(), LayerRule("status", 2, ",\"status\":429,\"retry_after\":1"), log_);
  auto r = PullVia(proxy);
  ASSERT_EQ(0, r.exit_code) << r.output;
  EXPECT_EQ(2, LogCount("status"));
}

TEST_F(RegistryFaultIT, WrongContentIsDataLossAndNothingIsStored) {
  FaultProxy proxy(reg_->host(), LayerRule("corrupt", 100), log_);
  auto r = PullVia(proxy);
  EXPECT_EQ(1, r.exit_code);
  EXPECT_NE(r.output.find("DataLoss"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(layer_digest_), std::string::npos) << r.output;
  ExpectStoreUnchanged();
}

TEST_F(RegistryFaultIT, PushRestartsAfterUploadFailure) {
  FaultProxy proxy(reg_->host(), "[{\"method\":\"PUT\",\"path\":\"/blobs/uploads/\",\"action\":\"status\","
                                 "\"status\":500,\"times\":1}]", log_);
  auto r = Shale({"--root", store_, "push", "--tls-verify=false", "--retry-delay", "50ms",
                  "localhost/busybox:latest", proxy.host() + "/other/busybox:1"}, Env());
  ASSERT_EQ(0, r.exit_code) << r.output;
  EXPECT_EQ(1, LogCount("status"));
  EXPECT_EQ(manifest_digest_, RemoteDigest(reg_->host() + "/other/busybox:1", {"--tls-verify=false"}));
}

}  // namespace
}  // namespace shale::testing
