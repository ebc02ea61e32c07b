#include "registry/credentials.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "registry/credential_helper.h"
#include "registry/login.h"
#include "tests/registry/credential_env.h"
#include "tests/testutil/subprocess.h"

namespace shale {
namespace {

using testing::WriteFile;

class CredentialsTest : public testing::CredentialEnvTest {};

TEST_F(CredentialsTest, StoreIsAtomic0600AndKeepsOtherContent) {
  std::string f = dir_ / "auth.json";
  WriteFile(f, R"({"auths":{"https://other.test/v1/":{"auth":"eDp5"}},"credHelpers":{"x.test":"none"},"extra":1})");
  ASSERT_TRUE(StoreCredentials(f, "reg.test:5000", {"u", "p:w", ""}).ok());
  struct stat st;
  ASSERT_EQ(0, stat(f.c_str(), &st));
  EXPECT_EQ(0600u, st.st_mode & 0777);
  std::string text = testing::ReadFile(f);
  EXPECT_NE(text.find("\"extra\""), std::string::npos);
  EXPECT_NE(text.find("credHelpers"), std::string::npos);
  auto got = ReadAuthFileEntry(f, "reg.test:5000");
  ASSERT_TRUE(got.ok() && *got);
  EXPECT_EQ("u", (*got)->username);
  EXPECT_EQ("p:w", (*got)->password);
  auto legacy = ReadAuthFileEntry(f, "other.test");  // "https://other.test/v1/" normalised
  ASSERT_TRUE(legacy.ok() && *legacy);
  EXPECT_EQ("x", (*legacy)->username);
  EXPECT_TRUE(RemoveCredentials(f, "reg.test:5000").ok());
  EXPECT_EQ(StatusCode::kNotFound, RemoveCredentials(f, "reg.test:5000").code());
  EXPECT_TRUE(RemoveAllCredentials(f).ok());
  EXPECT_FALSE(*ReadAuthFileEntry(f, "other.test"));
}

TEST_F(CredentialsTest, LookupOrderFollowsPodman) {
  CredentialOptions none;
  EXPECT_EQ(dir_ / "run/containers/auth.json", AuthFileWritePath(none));
  WriteFile(dir_ / "home/.docker/config.json", R"({"auths":{"reg.test":{"auth":")" + Base64Encode("docker:1") + R"("}}})");
  EXPECT_EQ("docker", (*LookupCredentials(none, "reg.test", "a"))->username);
  WriteFile(dir_ / "home/.config/containers/auth.json",
            R"({"auths":{"reg.test":{"auth":")" + Base64Encode("user:1") + R"("}}})");
  EXPECT_EQ("user", (*LookupCredentials(none, "reg.test", "a"))->username);
  WriteFile(dir_ / "run/containers/auth.json",
            R"({"auths":{"reg.test":{"auth":")" + Base64Encode("run:1") + R"("},"reg.test/team/app":{"auth":")" +
                Base64Encode("repo:1") + R"("}}})");
  EXPECT_EQ("run", (*LookupCredentials(none, "reg.test", "a"))->username);
  EXPECT_EQ("repo", (*LookupCredentials(none, "reg.test", "team/app"))->username);
  EXPECT_EQ("repo", (*LookupCredentials(none, "reg.test", "team/app/sub"))->username);
  EXPECT_FALSE(*LookupCredentials(none, "other.test", "a"));

  // REGISTRY_AUTH_FILE / --authfile: only that file.
  WriteFile(dir_ / "only.json", "{}");
  setenv("REGISTRY_AUTH_FILE", (dir_ / "only.json").c_str(), 1);
  EXPECT_FALSE(*LookupCredentials(none, "reg.test", "a"));
  unsetenv("REGISTRY_AUTH_FILE");
  CredentialOptions flag;
  flag.authfile = dir_ / "only.json";
  EXPECT_FALSE(*LookupCredentials(flag, "reg.test", "a"));
  flag.creds = "cli:secret:with:colons";
  EXPECT_EQ("secret:with:colons", (*LookupCredentials(flag, "reg.test", "a"))->password);
}

TEST_F(CredentialsTest, MalformedFileIsAnErrorWithoutSecrets) {
  WriteFile(dir_ / "bad.json", R"({"auths":{"reg.test":{"auth":"bm9jb2xvbg=="}}})");  // "nocolon"
  CredentialOptions o;
  o.authfile = dir_ / "bad.json";
  auto r = LookupCredentials(o, "reg.test", "");
  EXPECT_EQ(StatusCode::kInvalidArgument, r.status().code());
  EXPECT_EQ(std::string::npos, r.status().message().find("nocolon"));
}

TEST_F(CredentialsTest, CredentialHelpers) {
  WriteFile(dir_ / "bin/docker-credential-shaletest",
            "#!/bin/sh\nread server\n"
            "if [ \"$server\" = reg.test ]; then echo '{\"ServerURL\":\"reg.test\",\"Username\":\"helper\",\"Secret\":\"hs\"}'; exit 0; fi\n"
            "echo 'credentials not found in native keychain'; exit 1\n",
            0755);
  WriteFile(dir_ / "run/containers/auth.json", R"({"credHelpers":{"reg.test":"shaletest"},"credsStore":"shaletest"})");
  CredentialOptions none;
  auto got = LookupCredentials(none, "reg.test", "a");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_TRUE(*got);
  EXPECT_EQ("helper", (*got)->username);
  EXPECT_EQ("hs", (*got)->password);
  auto missing = LookupCredentials(none, "other.test", "a");  // credsStore says not found
  ASSERT_TRUE(missing.ok()) << missing.status().ToString();
  EXPECT_FALSE(*missing);
  EXPECT_EQ(StatusCode::kInvalidArgument, RunCredentialHelper("../evil", "x").status().code());
  EXPECT_FALSE(RunCredentialHelper("absent", "x").ok());
}

TEST_F(CredentialsTest, LoginServerNormalisation) {
  EXPECT_EQ("reg.test:5000", *NormalizeLoginServer("https://reg.test:5000/"));
  EXPECT_EQ("docker.io", *NormalizeLoginServer("https://index.docker.io/v1/"));
  EXPECT_EQ("quay.io/team", *NormalizeLoginServer("quay.io/team"));
  EXPECT_FALSE(NormalizeLoginServer("").ok());
  std::string f = dir_ / "a.json";
  ASSERT_TRUE(StoreCredentials(f, "reg.test", {"me", "pw", ""}).ok());
  CredentialOptions o;
  o.authfile = f;
  EXPECT_EQ("me", *GetLogin("reg.test", o));
  EXPECT_TRUE(Logout("reg.test", false, o).ok());
  EXPECT_EQ(StatusCode::kNotFound, GetLogin("reg.test", o).status().code());
  EXPECT_EQ(StatusCode::kNotFound, Logout("reg.test", false, o).code());
}

TEST(Base64Test, RoundTrip) {
  for (std::string s : {"", "a", "ab", "abc", "user:p@ss:word"}) EXPECT_EQ(s, *Base64Decode(Base64Encode(s)));
  EXPECT_FALSE(Base64Decode("abc").ok());
}

}  // namespace
}  // namespace shale
