#include "base/platform.h"

#include <gtest/gtest.h>

namespace shale {
namespace {

TEST(PlatformTest, ParseAndNormalise) {
  EXPECT_EQ(Platform::Parse("linux/amd64")->ToString(), "linux/amd64");
  EXPECT_EQ(Platform::Parse("linux/x86_64")->ToString(), "linux/amd64");
  EXPECT_EQ(Platform::Parse("linux/aarch64")->ToString(), "linux/arm64");
  EXPECT_EQ(Platform::Parse("linux/arm64/v8")->ToString(), "linux/arm64");
  EXPECT_EQ(Platform::Parse("linux/arm")->ToString(), "linux/arm/v7");
  EXPECT_EQ(Platform::Parse("arm64")->ToString(), "linux/arm64");
}

TEST(PlatformTest, ParseRejects) {
  EXPECT_EQ(Platform::Parse("linux//amd64").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Platform::Parse("a/b/c/d").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Platform::Parse("linux/am d64").status().code(), StatusCode::kInvalidArgument);
}

TEST(PlatformTest, HostIsLinuxAndMatchesItself) {
  Platform h = Platform::Host();
  EXPECT_EQ(h.os, "linux");
  EXPECT_FALSE(h.architecture.empty());
  EXPECT_TRUE(h.Matches(h));
  EXPECT_FALSE(h.Matches(*Platform::Parse("linux/s390x")));
}

TEST(PlatformTest, VariantMatching) {
  EXPECT_TRUE(Platform::Parse("linux/arm64")->Matches(*Platform::Parse("linux/arm64/v8")));
  EXPECT_FALSE(Platform::Parse("linux/arm/v7")->Matches(*Platform::Parse("linux/arm/v6")));
}

}  // namespace
}  // namespace shale
