#include "registry/auth_challenge.h"

#include <gtest/gtest.h>

namespace shale {
namespace {

TEST(AuthChallengeTest, ParsesBearerAndBasic) {
  auto cs = ParseWwwAuthenticate(
      R"(Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull,push", Basic realm="x")");
  ASSERT_EQ(2u, cs.size());
  EXPECT_EQ("bearer", cs[0].scheme);
  EXPECT_EQ("https://auth.example.com/token", cs[0].Param("realm"));
  EXPECT_EQ("registry.example.com", cs[0].Param("service"));
  EXPECT_EQ("repository:a/b:pull,push", cs[0].Param("scope"));
  EXPECT_EQ("basic", cs[1].scheme);
  EXPECT_EQ("x", cs[1].Param("realm"));
}

TEST(AuthChallengeTest, ToleratesOddInput) {
  EXPECT_TRUE(ParseWwwAuthenticate("").empty());
  auto cs = ParseWwwAuthenticate(R"(BASIC Realm=unquoted, error="a \"q\"")");
  ASSERT_EQ(1u, cs.size());
  EXPECT_EQ("basic", cs[0].scheme);
  EXPECT_EQ("unquoted", cs[0].Param("realm"));
  EXPECT_EQ("a \"q\"", cs[0].Param("error"));
  ParseWwwAuthenticate(",,,=\"\"\"==,Bearer realm=\"unterminated");  // must not crash
}

TEST(AuthChallengeTest, TokenResponse) {
  EXPECT_EQ("abc", ParseTokenResponse(R"({"token":"abc","expires_in":300})")->token);
  EXPECT_EQ(300, ParseTokenResponse(R"({"token":"abc","expires_in":300})")->expires_in);
  EXPECT_EQ("xyz", ParseTokenResponse(R"({"access_token":"xyz"})")->token);
  EXPECT_EQ(60, ParseTokenResponse(R"({"access_token":"xyz"})")->expires_in);
  auto bad = ParseTokenResponse(R"({"secret":"do-not-echo"})");
  EXPECT_EQ(StatusCode::kInvalidArgument, bad.status().code());
  EXPECT_EQ(std::string::npos, bad.status().message().find("do-not-echo"));
}

}  // namespace
}  // namespace shale
