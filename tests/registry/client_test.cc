#include "registry/client.h"

#include <gtest/gtest.h>

#include "tests/registry/fake_transport.h"

namespace shale {
namespace {

using std::chrono::milliseconds;

RetryPolicy FastRetry(std::vector<milliseconds>* sleeps, int attempts = 4) {
  RetryPolicy p;
  p.max_attempts = attempts;
  p.initial_delay = milliseconds(100);
  p.max_delay = milliseconds(1000);
  p.max_retry_after = milliseconds(5000);
  p.sleep = [sleeps](milliseconds d) { sleeps->push_back(d); };
  return p;
}

Credentials Creds() { return Credentials{"alice", "pa55word", ""}; }

TEST(ClientTest, BearerTokenForTheRightScopeAndServiceThenCached) {
  FakeTransport t([](const HttpRequest& r) -> Result<HttpResponse> {
    if (r.url == "https://reg.test/v2/")
      return Reply(401, "", {{"www-authenticate", R"(Bearer realm="https://reg.test/token",service="reg.test")"}});
    if (r.url.rfind("https://reg.test/token?", 0) == 0) {
      EXPECT_EQ("https://reg.test/token?service=reg.test&scope=repository%3Aa%2Fb%3Apull", r.url);
      EXPECT_EQ("Basic " + Base64Encode("alice:pa55word"), HeaderOf(r, "Authorization"));
      return Reply(200, R"({"token":"T1","expires_in":300})");
    }
    if (HeaderOf(r, "Authorization") != "Bearer T1") return Reply(401);
    return Reply(200, "{}");
  });
  std::vector<milliseconds> sleeps;
  RegistryClient c(t, {"reg.test", false, {}}, Creds(), FastRetry(&sleeps));
  HttpRequest req;
  req.url = "/v2/a/b/manifests/x";
  for (int i = 0; i < 3; ++i) {
    auto r = c.Send(req, {"repository:a/b:pull"});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(200, r->status);
  }
  int token_requests = 0;
  for (const auto& r : t.requests())
    if (r.url.find("/token?") != std::string::npos) ++token_requests;
  EXPECT_EQ(1, token_requests);
  EXPECT_TRUE(sleeps.empty());
}

TEST(ClientTest, RefreshesTheTokenOnceOn401) {
  int tokens = 0;
  FakeTransport t([&](const HttpRequest& r) -> Result<HttpResponse> {
    std::vector<std::pair<std::string, std::string>> ch{
        {"www-authenticate", R"(Bearer realm="https://reg.test/token",service="s")"}};
    if (r.url == "https://reg.test/v2/") return Reply(401, "", ch);
    if (r.url.find("/token?") != std::string::npos)
      return Reply(200, "{\"token\":\"T" + std::to_string(++tokens) + "\"}");
    return HeaderOf(r, "Authorization") == "Bearer T2" ? Reply(200) : Reply(401, "", ch);
  });
  RegistryClient c(t, {"reg.test", false, {}}, std::nullopt);
  HttpRequest req;
  req.url = "/v2/a/blobs/x";
  auto r = c.Send(req, {"repository:a:pull"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(200, r->status);
  EXPECT_EQ(2, tokens);
}

TEST(ClientTest, WrongCredentialsAtTheTokenRealmArePermissionDenied) {
  FakeTransport t([](const HttpRequest& r) -> Result<HttpResponse> {
    if (r.url == "https://reg.test/v2/")
      return Reply(401, "", {{"www-authenticate", R"(Bearer realm="https://auth.test/token",service="s")"}});
    return Reply(401, R"({"errors":[{"code":"UNAUTHORIZED"}]})");
  });
  RegistryClient c(t, {"reg.test", false, {}}, Creds());
  Status s = c.CheckLogin();
  EXPECT_EQ(StatusCode::kPermissionDenied, s.code());
  EXPECT_NE(s.message().find("invalid username or password"), std::string::npos);
  EXPECT_EQ(std::string::npos, s.message().find("pa55word"));
  EXPECT_EQ(std::string::npos, s.message().find(Base64Encode("alice:pa55word")));
}

TEST(ClientTest, BasicAuthAfterChallenge) {
  FakeTransport t([](const HttpRequest& r) -> Result<HttpResponse> {
    if (HeaderOf(r, "Authorization") == "Basic " + Base64Encode("alice:pa55word")) return Reply(200);
    return Reply(401, "", {{"www-authenticate", R"(Basic realm="r")"}});
  });
  RegistryClient c(t, {"reg.test", false, {}}, Creds());
  EXPECT_TRUE(c.CheckLogin().ok());
  RegistryClient wrong(t, {"reg.test", false, {}}, Credentials{"alice", "nope", ""});
  EXPECT_EQ(StatusCode::kPermissionDenied, wrong.CheckLogin().code());
}

TEST(ClientTest, NoCredentialsOverPlainHttpUnlessInsecure) {
  // https fails: the endpoint is insecure, so http is used; Basic is allowed there.
  bool saw_basic = false;
  FakeTransport t([&](const HttpRequest& r) -> Result<HttpResponse> {
    if (r.url.rfind("https://", 0) == 0) return FailedPreconditionError("TLS: wrong version number");
    if (!HeaderOf(r, "Authorization").empty()) {
      saw_basic = true;
      return Reply(200);
    }
    return Reply(401, "", {{"www-authenticate", R"(Basic realm="r")"}});
  });
  RegistryClient insecure(t, {"reg.test:5000", true, {}}, Creds());
  ASSERT_TRUE(insecure.CheckLogin().ok());
  EXPECT_EQ("http://reg.test:5000", insecure.BaseUrl());
  EXPECT_TRUE(saw_basic);

  // A token realm on plain http for a secure registry never gets the password.
  FakeTransport t2([](const HttpRequest& r) -> Result<HttpResponse> {
    if (r.url == "https://reg.test/v2/")
      return Reply(401, "", {{"www-authenticate", R"(Bearer realm="http://auth.test/token")"}});
    if (r.url.rfind("http://auth.test/token", 0) == 0) {
      EXPECT_EQ("", HeaderOf(r, "Authorization")) << "password sent to a plain-http realm";
      return Reply(200, R"({"token":"anon"})");
    }
    EXPECT_EQ("Bearer anon", HeaderOf(r, "Authorization"));
    return Reply(200);
  });
  RegistryClient secure(t2, {"reg.test", false, {}}, Creds());
  HttpRequest req;
  req.url = "/v2/a/manifests/x";
  EXPECT_TRUE(secure.Send(req, {"repository:a:pull"}).ok());
}

TEST(ClientTest, CrossHostRedirectDropsAuthorization) {
  FakeTransport t([](const HttpRequest& r) -> Result<HttpResponse> {
    if (r.url == "https://reg.test/v2/") return Reply(401, "", {{"www-authenticate", R"(Basic realm="r")"}});
    if (r.url == "https://reg.test/v2/a/blobs/sha256:1") {
      if (HeaderOf(r, "Authorization").empty()) return Reply(401, "", {{"www-authenticate", R"(Basic realm="r")"}});
      return Reply(307, "", {{"location", "https://cdn.test/blob?sig=1"}});
    }
    if (r.url == "https://cdn.test/blob?sig=1") {
      EXPECT_EQ("", HeaderOf(r, "Authorization"));
      return Reply(200, "data");
    }
    if (r.url == "https://reg.test/v2/a/blobs/sha256:2") return Reply(302, "", {{"location", "/v2/a/blobs/sha256:1"}});
    return Reply(404);
  });
  RegistryClient c(t, {"reg.test", false, {}}, Creds());
  HttpRequest req;
  req.url = "/v2/a/blobs/sha256:1";
  auto r = c.Send(req, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ("data", r->body);
  // Same-origin redirect keeps it.
  req.url = "/v2/a/blobs/sha256:2";
  r = c.Send(req, {});
  ASSERT_TRUE(r.ok());
  auto reqs = t.requests();
  EXPECT_NE("", HeaderOf(reqs[reqs.size() - 2], "Authorization"));
  EXPECT_EQ("https://reg.test/v2/a/blobs/sha256:1", reqs[reqs.size() - 2].url);
}

TEST(ClientTest, RetriesTransientFailuresWithBackoffAndRetryAfter) {
  int calls = 0;
  FakeTransport t([&](const HttpRequest& r) -> Result<HttpResponse> {
    if (r.url.find("/v2/") == r.url.size() - 4) return Reply(200);
    ++calls;
    if (calls == 1) return UnavailableError("connection reset");
    if (calls == 2) return Reply(503);
    if (calls == 3) return Reply(429, "", {{"retry-after", "2"}});
    if (calls == 4) return Reply(429, "", {{"retry-after", "3600"}});
    return Reply(200, "ok");
  });
  std::vector<milliseconds> sleeps;
  RegistryClient c(t, {"reg.test", false, {}}, std::nullopt, FastRetry(&sleeps, 5));
  HttpRequest req;
  req.url = "/v2/x";
  auto r = c.Send(req, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(200, r->status);
  std::vector<milliseconds> want{milliseconds(100), milliseconds(200), milliseconds(2000), milliseconds(5000)};
  EXPECT_EQ(want, sleeps);
}

TEST(ClientTest, RetriesAreBounded) {
  int calls = 0;
  FakeTransport t([&](const HttpRequest& r) -> Result<HttpResponse> {
    if (r.url.size() > 4 && r.url.compare(r.url.size() - 4, 4, "/v2/") == 0) return Reply(200);
    ++calls;
    return Reply(502);
  });
  std::vector<milliseconds> sleeps;
  RegistryClient c(t, {"reg.test", false, {}}, std::nullopt, FastRetry(&sleeps, 3));
  HttpRequest req;
  req.url = "/v2/x";
  auto r = c.Send(req, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(502, r->status);
  EXPECT_EQ(3, calls);
  EXPECT_EQ(StatusCode::kUnavailable, RegistryClient::StatusFromResponse(*r, "x").code());
  int bad_calls = 0;
  FakeTransport t2([&](const HttpRequest&) -> Result<HttpResponse> {
    ++bad_calls;
    return Reply(400);
  });
  RegistryClient c2(t2, {"reg.test", false, {}}, std::nullopt, FastRetry(&sleeps, 3));
  ASSERT_TRUE(c2.Send(req, {}).ok());
  EXPECT_EQ(2, bad_calls);  // ping + one request: 400 is not retried
}

TEST(ClientTest, ErrorStatusesCarryRegistryCodes) {
  auto s = RegistryClient::StatusFromResponse(
      Reply(404, R"({"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]})"), "fetching x");
  EXPECT_EQ(StatusCode::kNotFound, s.code());
  EXPECT_EQ("fetching x: HTTP 404 (MANIFEST_UNKNOWN: manifest unknown)", s.message());
  EXPECT_EQ(StatusCode::kPermissionDenied, RegistryClient::StatusFromResponse(Reply(403), "x").code());
}

TEST(ClientTest, UrlHelpers) {
  EXPECT_EQ("https://a.test:443", UrlOrigin("https://A.test/x"));
  EXPECT_EQ("http://a.test:5000", UrlOrigin("http://a.test:5000/x?y"));
  EXPECT_NE(UrlOrigin("https://a.test/"), UrlOrigin("http://a.test/"));
  EXPECT_EQ("https://a.test/v2/u/1?x", ResolveUrl("https://a.test/v2/a/b", "/v2/u/1?x"));
  EXPECT_EQ("https://b.test/z", ResolveUrl("https://a.test/v2/a", "https://b.test/z"));
  EXPECT_EQ("https://a.test/v2/c", ResolveUrl("https://a.test/v2/a?q", "c"));
  EXPECT_EQ("sha256%3Aab", UrlEncode("sha256:ab"));
}

}  // namespace
}  // namespace shale
