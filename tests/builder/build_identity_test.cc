// What `shale build` records about how an image was made, as buildah does:
// the identity label (dev.shale.version; none with --identity-label=false,
// --timestamp, --source-date-epoch or $SOURCE_DATE_EPOCH), --from replacing
// the first stage's base, and the base-image manifest annotations
// (org.opencontainers.image.base.name/.digest) of images built FROM an image.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/builder/build_fixture.h"

namespace shale::testing {
namespace {

using nlohmann::json;

constexpr char kIdentity[] = "dev.shale.version";
constexpr char kBaseName[] = "org.opencontainers.image.base.name";
constexpr char kBaseDigest[] = "org.opencontainers.image.base.digest";

json LabelsOf(const json& image) { return image.is_null() ? json() : image["Labels"]; }

TEST_F(BuildTest, IdentityLabelByDefault) {
  auto r = Build("FROM scratch\n", {"-t", "ident-default"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  json labels = LabelsOf(Inspect("ident-default"));
  ASSERT_TRUE(labels.contains(kIdentity)) << labels.dump();
  auto version = Shale({"version"});
  ASSERT_EQ(version.exit_code, 0) << version.output;
  EXPECT_EQ(version.output, "shale version " + labels[kIdentity].get<std::string>() + "\n");

  r = Build("FROM scratch\n", {"--identity-label=true", "-t", "ident-true"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(LabelsOf(Inspect("ident-true")).contains(kIdentity));
}

TEST_F(BuildTest, IdentityLabelSuppressed) {
  auto r = Build("FROM scratch\n", {"--identity-label=false", "-t", "ident-false"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(LabelsOf(Inspect("ident-false")), json::object());

  r = Build("FROM scratch\n", {"--source-date-epoch=60", "-t", "ident-sde-flag"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(LabelsOf(Inspect("ident-sde-flag")), json::object());

  CommandOptions env;
  env.env["SOURCE_DATE_EPOCH"] = "60";
  r = Build("FROM scratch\n", {"-t", "ident-sde-env"}, env);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(LabelsOf(Inspect("ident-sde-env")), json::object());

  r = Build("FROM scratch\n", {"--timestamp=60", "-t", "ident-ts"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(LabelsOf(Inspect("ident-ts")), json::object());
}

TEST_F(BuildTest, IdentityLabelFalseKeepsInheritedLabelsWithFrom) {
  auto r = Build("FROM scratch\nLABEL team=core\n", {"-t", "ident-base"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  json base_labels = LabelsOf(Inspect("ident-base"));
  ASSERT_TRUE(base_labels.contains(kIdentity)) << base_labels.dump();

  // --from replaces the FROM scratch; nothing inherited is removed.
  r = Build("FROM scratch\n", {"--identity-label=false", "--from", "ident-base", "-t", "ident-child"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(LabelsOf(Inspect("ident-child")), base_labels);
}

TEST_F(BuildTest, BaseImageAnnotations) {
  json base = Inspect("busybox");
  ASSERT_FALSE(base.is_null());
  ASSERT_FALSE(base["RepoTags"].empty()) << base.dump();
  auto digest = Shale({"inspect", "--format", "{{.FromImageDigest}}", "busybox"});
  ASSERT_EQ(digest.exit_code, 0) << digest.output;
  ASSERT_THAT(digest.output, ::testing::StartsWith("sha256:"));

  auto r = Build("FROM busybox\nLABEL x=1\n", {"-t", "annot-image"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  json ann = Inspect("annot-image")["Annotations"];
  EXPECT_EQ(ann.value(kBaseName, ""), base["RepoTags"][0].get<std::string>()) << ann.dump();
  EXPECT_EQ(ann.value(kBaseDigest, "") + "\n", digest.output) << ann.dump();

  // A user annotation wins over the recorded one.
  r = Build("FROM busybox\nLABEL x=1\n", {"--annotation", std::string(kBaseName) + "=mine", "-t", "annot-user"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(Inspect("annot-user")["Annotations"].value(kBaseName, ""), "mine");

  // FROM scratch and a bare FROM <image> (the base handed back as is) get none.
  r = Build("FROM scratch\nLABEL x=1\n", {"-t", "annot-scratch"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_FALSE(Inspect("annot-scratch")["Annotations"].contains(kBaseName));
  r = Build("FROM busybox\n", {"-t", "annot-bare"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  json bare = Inspect("annot-bare");
  EXPECT_FALSE(bare["Annotations"].contains(kBaseDigest)) << bare.dump();
  EXPECT_FALSE(bare["Labels"].contains(kIdentity)) << bare.dump();
}

}  // namespace
}  // namespace shale::testing
