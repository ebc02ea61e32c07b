// The signature policy (containers-policy.json) as pulls apply it: scope
// precedence, accept / reject / signature requirements, malformed files.
#include "registry/signature_policy.h"

#include <gtest/gtest.h>

#include <string>

#include "base/fd.h"
#include "tests/testutil/subprocess.h"

namespace shale {
namespace {

Reference Ref(const std::string& text) {
  auto r = ParseReference(text);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return *r;
}

SignaturePolicy Policy(const std::string& json) {
  auto p = SignaturePolicy::Parse(json, "policy.json");
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? *p : SignaturePolicy();
}

constexpr char kAccept[] = R"([{"type":"insecureAcceptAnything"}])";
constexpr char kReject[] = R"([{"type":"reject"}])";

TEST(SignaturePolicyTest, DefaultAppliesWhenNoScopeMatches) {
  EXPECT_TRUE(Policy(std::string(R"({"default":)") + kAccept + "}").CheckPull(Ref("quay.io/a/b:1")).ok());
  Status s = Policy(std::string(R"({"default":)") + kReject + "}").CheckPull(Ref("quay.io/a/b:1"));
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(s.message(), "quay.io/a/b:1 is rejected by the signature policy policy.json (default)");
}

TEST(SignaturePolicyTest, TheMostSpecificDockerScopeWins) {
  std::string json = std::string(R"({"default":)") + kReject + R"(, "transports": {"docker": {
      "": )" + kReject + R"(,
      "*.example.com": )" + kAccept + R"(,
      "reg.example.com": )" + kReject + R"(,
      "reg.example.com/team": )" + kAccept + R"(,
      "reg.example.com/team/secret": )" + kReject + R"(,
      "reg.example.com/team/secret:public": )" + kAccept + R"(,
      "localhost:5000": )" + kAccept + R"(}}})";
  SignaturePolicy p = Policy(json);
  EXPECT_TRUE(p.CheckPull(Ref("reg.example.com/team/api:1")).ok());          // namespace
  EXPECT_TRUE(p.CheckPull(Ref("reg.example.com/team/sub/api:1")).ok());      // longer path, same namespace
  EXPECT_FALSE(p.CheckPull(Ref("reg.example.com/team/secret:1")).ok());      // repository
  EXPECT_TRUE(p.CheckPull(Ref("reg.example.com/team/secret:public")).ok());  // tag
  EXPECT_FALSE(p.CheckPull(Ref("reg.example.com/other:1")).ok());            // host
  EXPECT_TRUE(p.CheckPull(Ref("mirror.example.com/x:1")).ok());              // wildcard
  EXPECT_TRUE(p.CheckPull(Ref("localhost:5000/x:1")).ok());                  // host with port
  Status s = p.CheckPull(Ref("docker.io/library/busybox:latest"));           // transport default
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(s.message().find("the docker transport's default"), std::string::npos) << s.message();
}

TEST(SignaturePolicyTest, SignatureRequirementsAreRefusedNotSkipped) {
  SignaturePolicy p = Policy(R"({"default":[{"type":"insecureAcceptAnything"}], "transports":{"docker":{
      "quay.io": [{"type":"signedBy","keyType":"GPGKeys","keyPath":"/k.gpg"}],
      "ghcr.io": [{"type":"sigstoreSigned","keyPath":"/k.pub"}]}}})");
  Status s = p.CheckPull(Ref("quay.io/a/b:1"));
  EXPECT_EQ(s.code(), StatusCode::kUnimplemented);
  EXPECT_NE(s.message().find("requires signedBy"), std::string::npos) << s.message();
  EXPECT_EQ(p.CheckPull(Ref("ghcr.io/a/b:1")).code(), StatusCode::kUnimplemented);
  EXPECT_TRUE(p.CheckPull(Ref("docker.io/a/b:1")).ok());
}

TEST(SignaturePolicyTest, MalformedPoliciesAreErrorsNamingTheFile) {
  for (const char* bad : {"", "[]", R"({"transports":{}})", R"({"default":[]})", R"({"default":[{"type":"maybe"}]})",
                          R"({"default":[{}]})", R"({"default":[{"type":"reject"}],"transports":{"docker":[]}})"}) {
    auto p = SignaturePolicy::Parse(bad, "/etc/x/policy.json");
    ASSERT_FALSE(p.ok()) << bad;
    EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(p.status().message().rfind("/etc/x/policy.json: ", 0), 0u) << p.status().message();
  }
}

TEST(SignaturePolicyTest, AnExplicitFileMustExist) {
  testing::ScratchDir dir("shale-policy");
  auto missing = SignaturePolicy::Load(dir.path() + "/nope.json");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(WriteFileAtomic(dir.path() + "/p.json", R"({"default":[{"type":"reject"}]})").ok());
  auto loaded = SignaturePolicy::Load(dir.path() + "/p.json");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->file(), dir.path() + "/p.json");
  EXPECT_EQ(loaded->CheckPull(Ref("busybox")).code(), StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace shale
