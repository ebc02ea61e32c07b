// Integration: identity tokens (OAuth2 refresh_token grant) against the
// token-auth registry, and login/logout through a docker credential helper
// against the Basic-auth registry.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "registry/credentials.h"
#include "tests/registry/fake_credential_helper.h"
#include "tests/registry/registry_env.h"

namespace shale::testing {
namespace {

using json = nlohmann::json;

constexpr char kRefreshToken[] = "shale-refresh-Zq81x+/tok";

class RegistryAuthIT : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = MissingRegistryTools(); !why.empty()) GTEST_SKIP() << why;
    struct stat st;
    if (::stat(ShaleBinary().c_str(), &st) != 0) GTEST_SKIP() << "shale binary not built: " << ShaleBinary();
    store_ = scratch_ / "store";
    std::string err;
    manifest_digest_ = MakeImage(store_, "localhost/busybox:latest", {"--busybox"}, &err);
    ASSERT_FALSE(manifest_digest_.empty()) << err;
  }

  // A token-auth registry whose token server accepts kRefreshToken.
  std::unique_ptr<TestRegistry> StartToken() {
    WriteFile(scratch_ / "reg-token/refresh-tokens", std::string(kRefreshToken) + "\n");
    auto r = std::make_unique<TestRegistry>(scratch_ / "reg-token", "token");
    EXPECT_FALSE(r->host().empty()) << r->error();
    return r;
  }

  // An auth file holding only an identity token for host, as docker writes it.
  std::string IdentityAuthFile(const std::string& name, const std::string& host, const std::string& token) {
    std::string path = scratch_ / name;
    json doc{{"auths", {{host, {{"auth", Base64Encode("<token>:")}, {"identitytoken", token}}}}}};
    WriteFile(path, doc.dump());
    return path;
  }

  CommandOptions Env() {
    CommandOptions o;
    o.env["HOME"] = scratch_ / "home";
    o.env["XDG_RUNTIME_DIR"] = scratch_ / "home/run";
    o.unset_env = {"DOCKER_CONFIG"};
    o.timeout_seconds = 120;
    return o;
  }

  ScratchDir scratch_{"shale-registry-auth-it"};
  std::string store_, manifest_digest_;
};

TEST_F(RegistryAuthIT, IdentityTokenAloneAuthenticatesPushAndPull) {
  auto reg = StartToken();
  ASSERT_FALSE(reg->host().empty());
  std::string authfile = IdentityAuthFile("auth.json", reg->host(), kRefreshToken);
  std::string dest = reg->host() + "/idt/busybox:1";
  auto push = Shale({"--root", store_, "push", "--authfile", authfile, "--cert-dir", reg->cert_dir(),
                     "localhost/busybox:latest", dest}, Env());
  ASSERT_EQ(0, push.exit_code) << push.output;
  std::string log = ReadFile(reg->dir() + "/token-requests.log");
  EXPECT_NE(log.find("scope=repository:idt/busybox:pull,push auth=refresh grant=refresh_token client_id=shale"),
            std::string::npos) << log;
  EXPECT_EQ(log.find("auth=basic"), std::string::npos) << log;

  std::string root = scratch_ / "pulled";
  auto pull = Shale({"--root", root, "pull", "--authfile", authfile, "--cert-dir", reg->cert_dir(), dest}, Env());
  ASSERT_EQ(0, pull.exit_code) << pull.output;
  EXPECT_EQ(manifest_digest_, json::parse(ReadFile(root + "/index.json"))["manifests"][0]["digest"]);
}

TEST_F(RegistryAuthIT, WrongIdentityTokenIsPermissionDeniedNamingTheRegistry) {
  auto reg = StartToken();
  ASSERT_FALSE(reg->host().empty());
  std::string authfile = IdentityAuthFile("wrong.json", reg->host(), "not-the-refresh-token");
  auto pull = Shale({"--root", scratch_ / "pulled", "pull", "--authfile", authfile, "--cert-dir", reg->cert_dir(),
                     reg->host() + "/idt/busybox:1"}, Env());
  EXPECT_EQ(1, pull.exit_code) << pull.output;
  EXPECT_NE(pull.output.find("PermissionDenied"), std::string::npos) << pull.output;
  EXPECT_NE(pull.output.find("identity token for " + reg->host() + " refused"), std::string::npos) << pull.output;
  EXPECT_NE(ReadFile(reg->dir() + "/token-requests.log").find("auth=badrefresh"), std::string::npos);
}

TEST_F(RegistryAuthIT, IdentityTokenNeverAppearsInOutputOrLogs) {
  auto reg = StartToken();
  ASSERT_FALSE(reg->host().empty());
  std::string good = IdentityAuthFile("good.json", reg->host(), kRefreshToken);
  std::string bad = IdentityAuthFile("bad.json", reg->host(), "wrong-Refresh-Value-77");
  std::string dest = reg->host() + "/secret/img:1";
  std::vector<std::string> common{"--log-level", "debug", "--root", store_};
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), common.begin(), common.end());
    return Shale(args, Env());
  };
  std::vector<CommandResult> runs;
  runs.push_back(run({"push", "--authfile", good, "--cert-dir", reg->cert_dir(), "localhost/busybox:latest", dest}));
  runs.push_back(run({"pull", "--authfile", good, "--cert-dir", reg->cert_dir(), dest}));
  runs.push_back(run({"pull", "--authfile", good, "--cert-dir", reg->cert_dir(), reg->host() + "/secret/missing:1"}));
  runs.push_back(run({"pull", "--authfile", bad, "--cert-dir", reg->cert_dir(), dest}));
  EXPECT_EQ(0, runs[0].exit_code) << runs[0].output;
  EXPECT_EQ(0, runs[1].exit_code) << runs[1].output;
  EXPECT_EQ(1, runs[2].exit_code) << runs[2].output;
  EXPECT_EQ(1, runs[3].exit_code) << runs[3].output;
  for (const auto& r : runs) {
    for (const char* secret : {kRefreshToken, "shale-refresh-Zq81x", "wrong-Refresh-Value-77", "refresh_token=",
                               "Bearer ey", "access_token"})
      EXPECT_EQ(r.output.find(secret), std::string::npos) << secret << " in:\n" << r.output;
  }
  EXPECT_EQ(ReadFile(reg->dir() + "/token-requests.log").find("Zq81x"), std::string::npos);
}

TEST_F(RegistryAuthIT, LoginAndLogoutGoThroughTheCredentialHelper) {
  auto reg = std::make_unique<TestRegistry>(scratch_ / "reg-basic", "basic");
  ASSERT_FALSE(reg->host().empty()) << reg->error();
  std::string bin = scratch_ / "bin", state = scratch_ / "helper";
  WriteFakeCredentialHelper(bin, "shalefake", state);
  std::string authfile = scratch_ / "auth.json";
  WriteFile(authfile, json{{"credHelpers", {{reg->host(), "shalefake"}}}}.dump());
  CommandOptions env = Env();
  const char* path = std::getenv("PATH");
  env.env["PATH"] = bin + ":" + (path ? path : "/usr/bin:/bin");

  CommandOptions login_env = env;
  login_env.stdin_data = reg->password() + "\n";
  auto login = Shale({"login", "--authfile", authfile, "--cert-dir", reg->cert_dir(), "-u", reg->user(),
                      "--password-stdin", reg->host()}, login_env);
  ASSERT_EQ(0, login.exit_code) << login.output;
  EXPECT_EQ("store " + reg->host() + "\n", ReadFile(state + "/calls"));
  std::string text = ReadFile(authfile);
  EXPECT_EQ(text.find(reg->password()), std::string::npos) << text;
  EXPECT_EQ(text.find(Base64Encode(reg->creds())), std::string::npos) << text;
  EXPECT_FALSE(json::parse(text).contains("auths") && json::parse(text)["auths"].contains(reg->host())) << text;

  auto push = Shale({"--root", store_, "push", "--authfile", authfile, "--cert-dir", reg->cert_dir(),
                     "localhost/busybox:latest", reg->host() + "/helper/busybox:1"}, env);
  ASSERT_EQ(0, push.exit_code) << push.output;
  EXPECT_NE(ReadFile(state + "/calls").find("get " + reg->host() + "\n"), std::string::npos);

  auto logout = Shale({"logout", "--authfile", authfile, reg->host()}, env);
  ASSERT_EQ(0, logout.exit_code) << logout.output;
  EXPECT_NE(ReadFile(state + "/calls").find("erase " + reg->host() + "\n"), std::string::npos);
  auto denied = Shale({"--root", scratch_ / "pulled", "pull", "--authfile", authfile, "--cert-dir", reg->cert_dir(),
                       reg->host() + "/helper/busybox:1"}, env);
  EXPECT_EQ(1, denied.exit_code) << denied.output;
  EXPECT_NE(denied.output.find("PermissionDenied"), std::string::npos) << denied.output;
  auto again = Shale({"logout", "--authfile", authfile, reg->host()}, env);
  EXPECT_EQ(1, again.exit_code);
  EXPECT_NE(again.output.find("not logged into " + reg->host()), std::string::npos) << again.output;
}

}  // namespace
}  // namespace shale::testing
