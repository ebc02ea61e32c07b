// `shale build` behaviours buildah's bud tests check around COPY, VOLUME,
// WORKDIR and commit: zero-layer images, globs that match nothing, the
// --parents "/./" pivot, volume paths through symlinks, WORKDIR ownership.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "tests/builder/build_fixture.h"

namespace shale::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;

TEST_F(BuildTest, MetadataOnlyScratchImageHasNoLayersAndReadsBack) {
  auto r = Build("FROM scratch\nLABEL a=b\nENV X=1\n", {"-t", "nolayers", "--annotation", "k=v"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("Successfully tagged localhost/nolayers:latest"));
  json img = Inspect("nolayers");
  ASSERT_FALSE(img.is_null());
  EXPECT_EQ(img["Layers"].size(), 0u) << img.dump();
  auto fmt = Shale({"inspect", "--format", "{{len .Docker.RootFS.DiffIDs}} {{index .ImageAnnotations \"k\"}}",
                    "nolayers"});
  ASSERT_EQ(fmt.exit_code, 0) << fmt.output;
  EXPECT_EQ(fmt.output, "0 v\n");
  auto tag = Shale({"tag", "nolayers", "nolayers2"});
  ASSERT_EQ(tag.exit_code, 0) << tag.output;
  auto images = Shale({"images", "nolayers2"});
  ASSERT_EQ(images.exit_code, 0) << images.output;
  EXPECT_THAT(images.output, HasSubstr("localhost/nolayers2"));
  // A second build of the same thing (cached steps) reads the image back too.
  r = Build("FROM scratch\nLABEL a=b\nENV X=1\n", {"-t", "nolayers"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
}

TEST_F(BuildTest, CopyGlobMatchingNothingIsSkippedWhenAnotherSourceMatches) {
  Context("test1.txt", "1\n");
  Context("test2.txt", "2\n");
  auto r = Build("FROM scratch\nCOPY *foo *.txt /testdir\n", {"-t", "someglob"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  json img = Inspect("someglob");
  EXPECT_THAT(LayerNames(LayerBlob(img, -1)), ElementsAre("testdir", "testdir/test1.txt", "testdir/test2.txt"));

  r = Build("FROM scratch\nCOPY *foo /testdir\n", {"-t", "noglob"});
  EXPECT_EQ(r.exit_code, 125) << r.output;
  EXPECT_THAT(r.output, HasSubstr("COPY source *foo: no such file or directory in the build context"));
  EXPECT_THAT(r.output, HasSubstr("matched nothing"));
  EXPECT_FALSE(ImageExists("noglob"));

  // A literal source that is missing still fails, whatever else matched.
  r = Build("FROM scratch\nCOPY missing.txt *.txt /testdir/\n", {"-t", "literal"});
  EXPECT_EQ(r.exit_code, 125) << r.output;
  EXPECT_THAT(r.output, HasSubstr("COPY source missing.txt: no such file or directory"));
}

TEST_F(BuildTest, CopyParentsStripsThePathBeforeTheDotPivot) {
  Context("x/a.txt", "xa\n");
  Context("x/y/a.txt", "xya\n");
  Context("x/y/b.txt", "xyb\n");
  auto r = Build(
      "FROM scratch\n"
      "COPY --parents ./x/./y/* /pf/\n"
      "COPY --parents ./x/./y/ /pd/\n"
      "COPY --parents ./x/y/a.txt /full/\n",
      {"-t", "pivot"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  json img = Inspect("pivot");
  EXPECT_THAT(LayerNames(LayerBlob(img, 0)), ElementsAre("pf", "pf/y", "pf/y/a.txt", "pf/y/b.txt"));
  EXPECT_THAT(LayerNames(LayerBlob(img, 1)), ElementsAre("pd", "pd/y", "pd/y/a.txt", "pd/y/b.txt"));
  EXPECT_THAT(LayerNames(LayerBlob(img, 2)), ElementsAre("full", "full/x", "full/x/y", "full/x/y/a.txt"));
  EXPECT_EQ(FileInImage("pivot", "pd/y/b.txt"), "xyb\n");
}

TEST_F(BuildTest, VolumeCreatesItsPathThroughADanglingSymlink) {
  Context("tree/data/keep", "");
  std::filesystem::create_symlink("/data/log", ctx() + "/tree/test-log");
  auto r = Build("FROM scratch\nCOPY tree/ /\nVOLUME [ \"/test-log/test\" ]\n", {"-t", "volpath"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  json img = Inspect("volpath");
  ASSERT_EQ(img["Layers"].size(), 2u) << img.dump();
  // The symlink is kept; its missing target is what VOLUME made.
  EXPECT_THAT(LayerNames(LayerBlob(img, -1)), ElementsAre("data", "data/log", "data/log/test"));
  auto vol = Shale({"inspect", "--format", "{{.OCIv1.config.Volumes}}", "volpath"});
  EXPECT_THAT(vol.output, HasSubstr("/test-log/test"));

  // A VOLUME whose path exists adds no layer.
  r = Build("FROM scratch\nCOPY tree/ /\nVOLUME /data\n", {"-t", "volexists"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(Inspect("volexists")["Layers"].size(), 1u);
}

TEST_F(BuildTest, VolumeThroughASelfReferencingSymlinkFails) {
  Context("tree/keep", "");
  std::filesystem::create_symlink("/test-log", ctx() + "/tree/test-log");
  auto r = Build("FROM scratch\nCOPY tree/ /\nVOLUME [ \"/test-log/test\" ]\n", {"-t", "volloop"});
  EXPECT_EQ(r.exit_code, 125) << r.output;
  EXPECT_THAT(r.output, HasSubstr("building at STEP \"VOLUME [ \"/test-log/test\" ]\""));
  EXPECT_THAT(r.output, HasSubstr("open /test-log/test: too many levels of symbolic links"));
  EXPECT_FALSE(ImageExists("volloop"));
}

TEST_F(BuildTest, WorkdirCreatedUnderUserIsOwnedByThatUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "chown to another uid needs root";
  auto r = Build("FROM scratch\nUSER 1000:1000\nWORKDIR /home/http/public\nUSER 0\nWORKDIR /rootdir\n",
                 {"-t", "wdowner"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  json img = Inspect("wdowner");
  ASSERT_EQ(img["Layers"].size(), 2u) << img.dump();
  std::string first = LayerListing(LayerBlob(img, 0));
  EXPECT_THAT(first, HasSubstr("drwxr-xr-x 1000/1000"));
  EXPECT_THAT(first, Not(HasSubstr(" 0/0 ")));
  EXPECT_THAT(LayerListing(LayerBlob(img, 1)), HasSubstr("drwxr-xr-x 0/0"));
}

}  // namespace
}  // namespace shale::testing

namespace shale::testing {
namespace {

TEST_F(BuildTest, CopyFromARebuiltStageWithTheSameFilesHitsTheCache) {
  Context("a.txt", "same\n");
  Context("b.txt", "one\n");
  const std::string file =
      "FROM scratch AS src\nCOPY a.txt /f\nCOPY b.txt /other\n"
      "FROM scratch\nCOPY --from=src /f /copied\n";
  auto r = Build(file, {"--layers", "-t", "fromkey"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // The source stage changes (b.txt), the file COPY --from reads does not:
  // the step's key is the copied content, so it is a cache hit.
  Context("b.txt", "two\n");
  r = Build(file, {"--layers", "-t", "fromkey"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  size_t last_step = r.output.find("[2/2] STEP 2/2");
  ASSERT_NE(last_step, std::string::npos) << r.output;
  EXPECT_THAT(r.output.substr(last_step), HasSubstr("--> Using cache")) << r.output;
  EXPECT_THAT(r.output.substr(0, last_step), Not(HasSubstr("[1/2] STEP 3/3: COPY b.txt /other\n--> Using cache")));
  EXPECT_EQ(FileInImage("fromkey", "copied"), "same\n");
}

}  // namespace
}  // namespace shale::testing

namespace shale::testing {
namespace {

std::set<std::string> Lines(const std::string& text) {
  std::set<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = text.find('\n', i);
    if (j == std::string::npos) j = text.size();
    if (j > i) out.insert(text.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

TEST_F(BuildTest, ImagesAllListsTheIntermediateImagesOfALayersBuild) {
  Context("u1.txt", "intermediate-listing-1\n");
  Context("u2.txt", "intermediate-listing-2\n");
  auto before = Shale({"images", "-a", "-q"});
  ASSERT_EQ(before.exit_code, 0) << before.output;
  auto r = Build("FROM scratch\nCOPY u1.txt /a\nCOPY u2.txt /b\nLABEL listing=yes\n", {"--layers", "-t", "inter"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto all = Shale({"images", "-a", "-q"});
  auto named = Shale({"images", "-q"});
  ASSERT_EQ(all.exit_code, 0) << all.output;
  std::set<std::string> fresh;
  for (const auto& id : Lines(all.output))
    if (!Lines(before.output).count(id)) fresh.insert(id);
  // The two COPY states are intermediate images; the last step's state is
  // the tagged image itself, listed once.
  ASSERT_EQ(fresh.size(), 3u) << all.output;
  int tagged = 0;
  for (const auto& id : fresh) tagged += Lines(named.output).count(id);
  EXPECT_EQ(tagged, 1) << named.output;
  auto table = Shale({"images", "-a"});
  EXPECT_THAT(table.output, HasSubstr("<none>"));
}

}  // namespace
}  // namespace shale::testing
