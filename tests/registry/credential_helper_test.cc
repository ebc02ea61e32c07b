// Login/logout through docker credential helpers (credHelpers / credsStore),
// with the fake helper of fake_credential_helper.h, and identity tokens in
// auth files and helpers.
#include "registry/credential_helper.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "registry/credentials.h"
#include "tests/registry/credential_env.h"
#include "tests/registry/fake_credential_helper.h"
#include "tests/testutil/subprocess.h"

namespace shale {
namespace {

using json = nlohmann::json;
using testing::ReadFile;
using testing::WriteFile;

class CredentialHelperTest : public testing::CredentialEnvTest {
 protected:
  void SetUp() override {
    CredentialEnvTest::SetUp();
    testing::WriteFakeCredentialHelper(dir_ / "bin", "fake", dir_ / "helper");
    authfile_ = dir_ / "auth.json";
  }
  std::string Calls() { return ReadFile(dir_ / "helper/calls"); }
  std::optional<Credentials> Lookup(const std::string& host) {
    CredentialOptions o;
    o.authfile = authfile_;
    auto r = LookupCredentials(o, host, "ns/app");
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::nullopt;
  }

  std::string authfile_;
};

TEST_F(CredentialHelperTest, LoginStoresThroughCredHelpersAndTheFileHoldsNoSecret) {
  WriteFile(authfile_, R"({"credHelpers":{"reg.test:5000":"fake"},"auths":{"reg.test:5000":{"auth":")" +
                           Base64Encode("old:stale-pw") + R"("},"other.test":{"auth":"eDp5"}}})");
  auto where = SaveLoginCredentials(authfile_, "reg.test:5000", {"alice", "s3cret-pw", ""});
  ASSERT_TRUE(where.ok()) << where.status().ToString();
  EXPECT_EQ("credential helper fake", *where);
  EXPECT_EQ("store reg.test:5000\n", Calls());
  std::string text = ReadFile(authfile_);
  EXPECT_EQ(std::string::npos, text.find("s3cret-pw"));
  EXPECT_EQ(std::string::npos, text.find(Base64Encode("alice:s3cret-pw")));
  json doc = json::parse(text);
  EXPECT_FALSE(doc["auths"].contains("reg.test:5000")) << text;  // the stale entry is gone
  EXPECT_TRUE(doc["auths"].contains("other.test"));
  EXPECT_EQ("fake", doc["credHelpers"]["reg.test:5000"]);

  auto got = Lookup("reg.test:5000");
  ASSERT_TRUE(got);
  EXPECT_EQ("alice", got->username);
  EXPECT_EQ("s3cret-pw", got->password);
  EXPECT_NE(std::string::npos, Calls().find("get reg.test:5000\n"));

  ASSERT_TRUE(EraseLoginCredentials(authfile_, "reg.test:5000").ok());
  EXPECT_NE(std::string::npos, Calls().find("erase reg.test:5000\n"));
  EXPECT_FALSE(Lookup("reg.test:5000"));
  Status again = EraseLoginCredentials(authfile_, "reg.test:5000");
  EXPECT_EQ(StatusCode::kNotFound, again.code());
  EXPECT_EQ("not logged into reg.test:5000", again.message());
}

TEST_F(CredentialHelperTest, CredsStoreLoginLeavesAnEmptyMarkerAndServesLookups) {
  WriteFile(authfile_, R"({"credsStore":"fake","auths":{"https://index.docker.io/v1/":{"auth":")" +
                           Base64Encode("old:pw") + R"("}}})");
  ASSERT_TRUE(SaveLoginCredentials(authfile_, "docker.io", {"bob", "hub-pw", ""}).ok());
  EXPECT_EQ("store https://index.docker.io/v1/\n", Calls());  // docker's server name for Docker Hub
  json doc = json::parse(ReadFile(authfile_));
  EXPECT_EQ(json::object({{"docker.io", json::object()}}), doc["auths"]);
  auto got = Lookup("docker.io");
  ASSERT_TRUE(got);
  EXPECT_EQ("hub-pw", got->password);
  ASSERT_TRUE(EraseLoginCredentials(authfile_, "docker.io").ok());
  EXPECT_NE(std::string::npos, Calls().find("erase https://index.docker.io/v1/\n"));
  EXPECT_FALSE(json::parse(ReadFile(authfile_))["auths"].contains("docker.io"));
}

TEST_F(CredentialHelperTest, WithoutAHelperTheFileIsWritten) {
  auto where = SaveLoginCredentials(authfile_, "reg.test", {"u", "pw", ""});
  ASSERT_TRUE(where.ok()) << where.status().ToString();
  EXPECT_EQ(authfile_, *where);
  EXPECT_EQ("", Calls());
  EXPECT_EQ("pw", (*ReadAuthFileEntry(authfile_, "reg.test"))->password);
}

TEST_F(CredentialHelperTest, HelpersHoldNoRepositorySpecificLogins) {
  std::string before = R"({"credHelpers":{"reg.test":"fake"}})";
  WriteFile(authfile_, before);
  auto where = SaveLoginCredentials(authfile_, "reg.test/team", {"u", "pw", ""});
  EXPECT_EQ(StatusCode::kInvalidArgument, where.status().code());
  EXPECT_NE(std::string::npos, where.status().message().find("cannot hold credentials for reg.test/team"));
  EXPECT_EQ("", Calls());
  EXPECT_EQ(before, ReadFile(authfile_));
}

TEST_F(CredentialHelperTest, LogoutAllErasesEveryHelperHostTheFileNames) {
  WriteFile(authfile_, R"({"credHelpers":{"a.test":"fake"},"credsStore":"fake","auths":{"b.test":{},"c.test/ns":{}}})");
  ASSERT_TRUE(SaveLoginCredentials(authfile_, "a.test", {"u", "pa", ""}).ok());
  ASSERT_TRUE(SaveLoginCredentials(authfile_, "d.test", {"u", "pd", ""}).ok());
  ASSERT_TRUE(EraseAllLoginCredentials(authfile_).ok());
  std::string calls = Calls();
  for (const char* host : {"a.test", "b.test", "d.test"})
    EXPECT_NE(std::string::npos, calls.find(std::string("erase ") + host + "\n")) << calls;
  EXPECT_EQ(std::string::npos, calls.find("erase c.test")) << calls;  // namespaced keys never go to helpers
  json doc = json::parse(ReadFile(authfile_));
  EXPECT_TRUE(doc["auths"].empty());
  EXPECT_EQ("fake", doc["credHelpers"]["a.test"]);  // the configuration stays
  EXPECT_EQ("fake", doc["credsStore"]);
  EXPECT_FALSE(Lookup("a.test"));
  EXPECT_FALSE(Lookup("d.test"));
}

TEST_F(CredentialHelperTest, AFailingStoreLeavesTheFileAndQuotesNoSecret) {
  WriteFile(dir_ / "bin/docker-credential-broken", "#!/bin/sh\nread line\necho \"cannot store $line\"\nexit 3\n", 0755);
  std::string before = R"({"credsStore":"broken"})";
  WriteFile(authfile_, before);
  auto where = SaveLoginCredentials(authfile_, "reg.test", {"u", "topsecret", ""});
  EXPECT_EQ(StatusCode::kUnavailable, where.status().code());
  EXPECT_NE(std::string::npos, where.status().message().find("docker-credential-broken store failed (exit status 3)"))
      << where.status().message();
  EXPECT_EQ(std::string::npos, where.status().message().find("topsecret"));
  EXPECT_EQ(before, ReadFile(authfile_));
}

TEST_F(CredentialHelperTest, IdentityTokensRoundTripThroughAHelper) {
  ASSERT_TRUE(StoreInCredentialHelper("fake", "reg.test", {"", "", "refresh-XYZ"}).ok());
  EXPECT_NE(std::string::npos, ReadFile(dir_ / "helper/store/reg.test").find(R"("Username":"<token>")"));
  auto got = RunCredentialHelper("fake", "reg.test");
  ASSERT_TRUE(got.ok() && *got);
  EXPECT_EQ("refresh-XYZ", (*got)->identity_token);
  EXPECT_EQ("", (*got)->username);
  EXPECT_EQ(StatusCode::kNotFound, EraseFromCredentialHelper("fake", "nothing.test").code());
}

TEST_F(CredentialHelperTest, AuthFileIdentityTokenEntries) {
  WriteFile(authfile_, R"({"auths":{"a.test":{"auth":")" + Base64Encode("<token>:") +
                           R"(","identitytoken":"rt-a"},"b.test":{"identitytoken":"rt-b"}}})");
  auto a = Lookup("a.test");
  ASSERT_TRUE(a);
  EXPECT_EQ("rt-a", a->identity_token);
  EXPECT_EQ("", a->username);  // "<token>" marks the entry, it is not a user name
  auto b = Lookup("b.test");
  ASSERT_TRUE(b);
  EXPECT_EQ("rt-b", b->identity_token);
}

}  // namespace
}  // namespace shale
