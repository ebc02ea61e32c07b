#include "registry/reference.h"

#include <gtest/gtest.h>

namespace shale {
namespace {

std::string Norm(const std::string& text) {
  auto r = ParseReference(text);
  return r.ok() ? r->ToString() : "ERR " + r.status().message();
}

TEST(ReferenceTest, NormalisesLikePodman) {
  EXPECT_EQ("docker.io/library/busybox:latest", Norm("busybox"));
  EXPECT_EQ("docker.io/library/busybox:1.36", Norm("busybox:1.36"));
  EXPECT_EQ("docker.io/library/busybox:latest", Norm("docker.io/busybox"));
  EXPECT_EQ("docker.io/library/busybox:latest", Norm("index.docker.io/library/busybox"));
  EXPECT_EQ("docker.io/user/app:latest", Norm("user/app"));
  EXPECT_EQ("quay.io/a/b/c:v1", Norm("quay.io/a/b/c:v1"));
  EXPECT_EQ("localhost/api:1", Norm("localhost/api:1"));
  EXPECT_EQ("127.0.0.1:5000/team/api:latest", Norm("127.0.0.1:5000/team/api"));
  EXPECT_EQ("localhost:5000/x:y", Norm("localhost:5000/x:y"));
  EXPECT_EQ("[::1]:5000/x:latest", Norm("[::1]:5000/x"));
}

TEST(ReferenceTest, Digests) {
  std::string d = "sha256:" + std::string(64, 'a');
  auto r = ParseReference("127.0.0.1:5000/a@" + d);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ("", r->tag);
  EXPECT_EQ(d, r->ManifestRef());
  EXPECT_EQ("127.0.0.1:5000/a@" + d, r->ToString());
  auto both = ParseReference("busybox:1@" + d);
  ASSERT_TRUE(both.ok());
  EXPECT_EQ("1", both->tag);
  EXPECT_EQ(d, both->ManifestRef());  // the digest decides
  EXPECT_EQ(StatusCode::kInvalidArgument, ParseReference("busybox@sha256:abc").status().code());
}

TEST(ReferenceTest, Fields) {
  auto r = ParseReference("registry.example.com:8443/ns/app:v2");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ("registry.example.com:8443", r->domain);
  EXPECT_EQ("ns/app", r->path);
  EXPECT_EQ("v2", r->tag);
  EXPECT_EQ("registry.example.com", r->Host());
  EXPECT_FALSE(r->short_name);
  EXPECT_TRUE(ParseReference("busybox")->short_name);
}

TEST(ReferenceTest, Rejects) {
  for (const char* bad : {"", "a/UPPER", "a//b", "a/b:", "a:/b", "-a", "a/b:-tag", "a b", "docker.io/",
                          "host:port/x", "a/b/../c", "a@sha256:xyz"}) {
    auto r = ParseReference(bad);
    EXPECT_EQ(StatusCode::kInvalidArgument, r.status().code()) << bad;
  }
  EXPECT_NE(ParseReference("docker.io/X").status().message().find("must be lowercase"), std::string::npos);
  EXPECT_EQ(StatusCode::kInvalidArgument, ParseReference("a/" + std::string(300, 'b')).status().code());
  EXPECT_EQ(StatusCode::kInvalidArgument, ParseReference("a:" + std::string(129, 't')).status().code());
}

TEST(ReferenceTest, UppercaseFirstComponentIsADomain) {
  EXPECT_TRUE(HasExplicitDomain("Registry/x"));
  EXPECT_TRUE(HasExplicitDomain("localhost/x"));
  EXPECT_TRUE(HasExplicitDomain("h:5000/x"));
  EXPECT_FALSE(HasExplicitDomain("user/x"));
  EXPECT_FALSE(HasExplicitDomain("busybox"));
}

TEST(ReferenceTest, LocalNames) {
  EXPECT_EQ("localhost/api:1", ParseLocalName("api:1")->ToString());
  EXPECT_EQ("localhost/team/api:latest", ParseLocalName("team/api")->ToString());
  EXPECT_EQ("quay.io/x:latest", ParseLocalName("quay.io/x")->ToString());
  auto c = LocalNameCandidates("busybox");
  ASSERT_GE(c.size(), 2u);
  EXPECT_EQ("localhost/busybox:latest", c[0]);
  EXPECT_EQ("docker.io/library/busybox:latest", c[1]);
}

}  // namespace
}  // namespace shale
