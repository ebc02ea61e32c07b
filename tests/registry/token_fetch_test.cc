// Token requests: the GET and OAuth2 refresh_token POST shapes
// (registry/token_request.h) and how RegistryClient uses them.
#include <gtest/gtest.h>

#include "registry/client.h"
#include "registry/token_request.h"
#include "tests/registry/fake_transport.h"

namespace shale {
namespace {

constexpr char kRefresh[] = "rt/Secret+42";

Credentials IdentityToken(const std::string& t = kRefresh) { return Credentials{"", "", t}; }

AuthChallenge Challenge(const std::string& realm) {
  AuthChallenge ch;
  ch.scheme = "bearer";
  ch.params["realm"] = realm;
  ch.params["service"] = "reg.test";
  return ch;
}

TEST(TokenRequestTest, IdentityTokenIsARefreshTokenGrantPost) {
  Credentials c = IdentityToken();
  auto plan = BuildTokenRequest(Challenge("https://auth.test/token"), {"repository:a/b:pull,push", "repository:c:pull"},
                                &c, false);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ("POST", plan->request.method);
  EXPECT_EQ("https://auth.test/token", plan->request.url);
  EXPECT_EQ("application/x-www-form-urlencoded", HeaderOf(plan->request, "Content-Type"));
  EXPECT_EQ("", HeaderOf(plan->request, "Authorization"));
  EXPECT_EQ("grant_type=refresh_token&refresh_token=rt%2FSecret%2B42&service=reg.test"
            "&scope=repository%3Aa%2Fb%3Apull%2Cpush&scope=repository%3Ac%3Apull&client_id=shale",
            plan->request.body);
  EXPECT_TRUE(plan->carries_secret);
  EXPECT_TRUE(plan->identity_token);
}

TEST(TokenRequestTest, UsernameAndPasswordStayAGetWithBasic) {
  Credentials c{"alice", "pw", ""};
  auto plan = BuildTokenRequest(Challenge("https://auth.test/token"), {"repository:a:pull"}, &c, false);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ("GET", plan->request.method);
  EXPECT_EQ("https://auth.test/token?service=reg.test&scope=repository%3Aa%3Apull", plan->request.url);
  EXPECT_EQ("Basic " + Base64Encode("alice:pw"), HeaderOf(plan->request, "Authorization"));
  EXPECT_TRUE(plan->request.body.empty());
  EXPECT_FALSE(plan->identity_token);
}

TEST(TokenRequestTest, NoSecretToAPlainHttpRealmUnlessTheRegistryIsInsecure) {
  Credentials c = IdentityToken();
  auto secure = BuildTokenRequest(Challenge("http://auth.test/token"), {"repository:a:pull"}, &c, false);
  ASSERT_TRUE(secure.ok());
  EXPECT_EQ("GET", secure->request.method);  // anonymous
  EXPECT_EQ(std::string::npos, secure->request.url.find("Secret"));
  EXPECT_TRUE(secure->request.body.empty());
  EXPECT_TRUE(secure->request.headers.empty());
  EXPECT_FALSE(secure->carries_secret);
  auto insecure = BuildTokenRequest(Challenge("http://auth.test/token"), {"repository:a:pull"}, &c, true);
  ASSERT_TRUE(insecure.ok());
  EXPECT_EQ("POST", insecure->request.method);
  EXPECT_EQ(StatusCode::kInvalidArgument,
            BuildTokenRequest(Challenge("ftp://auth.test/token"), {}, &c, false).status().code());
}

// A registry on reg.test whose realm is auth.test and accepts only kRefresh.
Result<HttpResponse> TokenRegistry(const HttpRequest& r) {
  std::vector<std::pair<std::string, std::string>> ch{
      {"www-authenticate", R"(Bearer realm="https://auth.test/token",service="reg.test")"}};
  if (r.url == "https://reg.test/v2/") return Reply(401, "", ch);
  if (r.url == "https://auth.test/token") {
    if (r.method != "POST") return Reply(405);
    if (r.body.find("refresh_token=rt%2FSecret%2B42&") == std::string::npos)
      return Reply(400, R"({"error":"invalid_grant"})");
    return Reply(200, R"({"access_token":"A1","expires_in":300})");
  }
  if (r.url.rfind("https://auth.test/", 0) == 0) return Reply(400);
  return HeaderOf(r, "Authorization") == "Bearer A1" ? Reply(200, "{}") : Reply(401, "", ch);
}

TEST(TokenFetchTest, ClientUsesTheAccessTokenOfTheRefreshGrant) {
  FakeTransport t(TokenRegistry);
  RegistryClient c(t, {"reg.test", false, {}}, IdentityToken());
  HttpRequest req;
  req.url = "/v2/a/b/manifests/x";
  for (int i = 0; i < 2; ++i) {
    auto r = c.Send(req, {"repository:a/b:pull"});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(200, r->status);
  }
  int posts = 0;
  for (const auto& r : t.requests()) {
    if (r.method == "POST") {
      ++posts;
      EXPECT_EQ("grant_type=refresh_token&refresh_token=rt%2FSecret%2B42&service=reg.test"
                "&scope=repository%3Aa%2Fb%3Apull&client_id=shale",
                r.body);
    }
    EXPECT_EQ(std::string::npos, r.url.find("Secret")) << r.url;
  }
  EXPECT_EQ(1, posts);  // cached afterwards
}

TEST(TokenFetchTest, ARefusedIdentityTokenIsPermissionDeniedNamingTheRegistry) {
  FakeTransport t(TokenRegistry);
  RegistryClient c(t, {"reg.test", false, {}}, IdentityToken("wrong-token-value"));
  HttpRequest req;
  req.url = "/v2/a/manifests/x";
  auto r = c.Send(req, {"repository:a:pull"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(StatusCode::kPermissionDenied, r.status().code());
  EXPECT_EQ("requesting a token from https://auth.test:443: HTTP 400 (identity token for reg.test refused)",
            r.status().message());
  EXPECT_EQ(std::string::npos, r.status().ToString().find("wrong-token-value"));
}

TEST(TokenFetchTest, TheRefreshTokenIsNotCarriedByARedirectToAnotherOrigin) {
  FakeTransport t([](const HttpRequest& r) -> Result<HttpResponse> {
    if (r.url == "https://reg.test/v2/")
      return Reply(401, "", {{"www-authenticate", R"(Bearer realm="https://reg.test/token",service="reg.test")"}});
    if (r.url == "https://reg.test/token") return Reply(307, "", {{"location", "https://elsewhere.test/token"}});
    return Reply(200, R"({"access_token":"stolen"})");
  });
  RegistryClient c(t, {"reg.test", false, {}}, IdentityToken());
  HttpRequest req;
  req.url = "/v2/a/manifests/x";
  auto r = c.Send(req, {"repository:a:pull"});
  EXPECT_EQ(StatusCode::kPermissionDenied, r.status().code());
  for (const auto& sent : t.requests()) EXPECT_EQ(std::string::npos, sent.url.find("elsewhere")) << sent.url;
}

}  // namespace
}  // namespace shale
