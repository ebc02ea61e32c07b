// What `shale build` records about how an image was made, as buildah does:
// the identity label (dev.shale.version; none with --identity-label=false,
// --timestamp, --source-date-epoch or $SOURCE_DATE_EPOCH), --from replacing
// the first stage's base, and the base-image manifest annotations
// (org.opencontainers.image.base.name/.digest) of images built FROM an image;
// --save-stages keeping intermediate stages as untagged images, labelled by
// --stage-labels (io.buildah.stage.name/.base).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <sstream>

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

// IMAGE IDs of the `images -a` rows named <none> <none>.
std::set<std::string> UntaggedIds(const CommandResult& images) {
  std::set<std::string> ids;
  std::istringstream in(images.output);
  std::string repo, tag, id, rest;
  while (in >> repo >> tag >> id) {
    std::getline(in, rest);
    if (repo == "<none>" && tag == "<none>") ids.insert(id);
  }
  return ids;
}

constexpr char kStages[] =
    "FROM busybox AS inter\n"
    "COPY <<EOF /inter.txt\ninter\nEOF\n"
    "FROM busybox AS empty\n"
    "FROM inter AS child\n"
    "COPY <<EOF /child.txt\nchild\nEOF\n"
    "FROM busybox\n"
    "COPY --from=child /inter.txt /child.txt /out/\n"
    "COPY --from=empty /bin/busybox /out/busybox\n";

TEST_F(BuildTest, SaveStagesKeepsIntermediateStagesWithInstructions) {
  auto before = Shale({"images", "-a"});
  ASSERT_EQ(before.exit_code, 0) << before.output;
  auto r = Build(kStages, {"--layers=false", "-t", "nosave"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto after = Shale({"images", "-a"});
  EXPECT_EQ(UntaggedIds(after), UntaggedIds(before)) << after.output;

  r = Build(kStages, {"--layers=false", "--save-stages", "-t", "save"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto saved = Shale({"images", "-a"});
  std::set<std::string> fresh;
  for (const auto& id : UntaggedIds(saved))
    if (!UntaggedIds(after).count(id)) fresh.insert(id);
  // inter and child; the FROM-only stage makes no image.
  ASSERT_EQ(fresh.size(), 2u) << saved.output;
  for (const auto& id : fresh) {
    json img = Inspect(id);
    ASSERT_FALSE(img.is_null()) << id;
    EXPECT_FALSE(img["Labels"].contains("io.buildah.stage.name")) << img.dump();
  }
}

TEST_F(BuildTest, StageLabelsNameAndBaseEachStage) {
  EXPECT_EQ(Build(kStages, {"--stage-labels", "-t", "labels-only"}).exit_code, 125);
  auto before = Shale({"images", "-a"});
  auto r = Build(kStages, {"--layers=false", "--save-stages", "--stage-labels", "-t", "labelled"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto saved = Shale({"images", "-a"});
  std::map<std::string, json> by_name;  // stage.name -> image
  std::map<std::string, std::string> id_of;
  for (const auto& id : UntaggedIds(saved)) {
    if (UntaggedIds(before).count(id)) continue;
    json img = Inspect(id);
    ASSERT_FALSE(img.is_null()) << id;
    std::string name = img["Labels"].value("io.buildah.stage.name", "");
    by_name[name] = img;
    id_of[name] = img["Id"].is_string() ? img["Id"].get<std::string>() : id;
  }
  ASSERT_EQ(by_name.size(), 2u) << saved.output;
  ASSERT_TRUE(by_name.count("inter") && by_name.count("child")) << saved.output;
  EXPECT_EQ(by_name["inter"]["Labels"]["io.buildah.stage.base"], "busybox");
  // A stage built on a stage names that stage's saved image id.
  std::string child_base = by_name["child"]["Labels"]["io.buildah.stage.base"];
  EXPECT_EQ(child_base.size(), 64u) << child_base;
  EXPECT_NE(id_of["inter"].find(child_base.substr(0, 12)), std::string::npos) << id_of["inter"] << " vs " << child_base;
  std::string history = by_name["inter"]["History"].dump();
  EXPECT_NE(history.find(R"(LABEL \"io.buildah.stage.base\"=\"busybox\" \"io.buildah.stage.name\"=\"inter\")"),
            std::string::npos)
      << history;
  // The final stage: no alias, so its position.
  json final_image = Inspect("labelled");
  EXPECT_EQ(final_image["Labels"]["io.buildah.stage.name"], "3");
  EXPECT_EQ(final_image["Labels"]["io.buildah.stage.base"], "busybox");
}

// Without --timestamp/SOURCE_DATE_EPOCH the created time has nanoseconds (as
// buildah's), so rebuilding within one second still makes a new image.
TEST_F(BuildTest, CreatedHasNanosecondsWithoutEpoch) {
  std::string file = "FROM scratch\nLABEL again=1\n";
  auto r = Build(file, {"--layers=false", "-t", "again1"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = Build(file, {"--layers=false", "-t", "again2"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  json a = Inspect("again1"), b = Inspect("again2");
  EXPECT_THAT(a["Created"].get<std::string>(), ::testing::MatchesRegex(R"(.*T[0-9:]+\.[0-9]{9}Z)"));
  EXPECT_NE(a["Id"], b["Id"]);
}

}  // namespace
}  // namespace shale::testing
