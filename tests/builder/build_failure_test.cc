// `shale build` failure cases: what the user sees and what is (not) left behind.
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/builder/build_fixture.h"

namespace shale::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;

TEST_F(BuildTest, FailingRunReportsExitCodeAndLineAndLeavesNoTag) {
  REQUIRE_RUN();
  auto r = Build("FROM busybox\nRUN echo first > /first.txt\nRUN echo about-to-fail && exit 7\nRUN echo after\n",
                 {"-t", "failing"});
  EXPECT_EQ(r.exit_code, 7) << r.output;  // as buildah: the RUN's own status
  EXPECT_THAT(r.output, HasSubstr("Containerfile:3"));
  EXPECT_THAT(r.output, HasSubstr("exit status 7"));
  EXPECT_THAT(r.output, HasSubstr("RUN echo about-to-fail && exit 7"));
  EXPECT_THAT(r.output, Not(HasSubstr("STEP 4/4")));
  EXPECT_FALSE(ImageExists("failing"));
  EXPECT_FALSE(ImageExists("localhost/failing:latest"));
}

TEST_F(BuildTest, RunKilledBySignalReports128PlusSignal) {
  REQUIRE_RUN();
  auto r = Build("FROM busybox\nRUN kill -9 $$\n", {"-t", "killed"});
  EXPECT_EQ(r.exit_code, 137) << r.output;
  EXPECT_THAT(r.output, HasSubstr("signal 9"));
  EXPECT_FALSE(ImageExists("killed"));
}

TEST_F(BuildTest, CopyOfAMissingFileNamesIt) {
  Context("present.txt", "p");
  auto r = Build("FROM scratch\nCOPY present.txt not-there.txt /d/\n", {"-t", "missing"});
  EXPECT_EQ(r.exit_code, 125) << r.output;
  EXPECT_THAT(r.output, HasSubstr("COPY source not-there.txt: no such file or directory in the build context"));
  EXPECT_THAT(r.output, HasSubstr("Containerfile:2"));
  EXPECT_FALSE(ImageExists("missing"));

  r = Build("FROM scratch\nCOPY *.nomatch /d/\n", {"-t", "missing"});
  EXPECT_EQ(r.exit_code, 125) << r.output;
  EXPECT_THAT(r.output, HasSubstr("*.nomatch"));
}

TEST_F(BuildTest, CopyParentOfContextIsRefused) {
  WriteFile(Scratch("outside.txt"), "outside\n");
  for (std::string src : {"../outside.txt", "sub/../../outside.txt"}) {
    auto r = Build("FROM scratch\nCOPY " + src + " /x\n", {"-t", "dotdot"});
    EXPECT_EQ(r.exit_code, 125) << src << ": " << r.output;
    EXPECT_THAT(r.output, HasSubstr("outside the build context")) << src;
    EXPECT_FALSE(ImageExists("dotdot"));
  }
}

// A symlink in the context that points outside it: resolved as if the
// context were the root, so /etc/shadow means <ctx>/etc/shadow.
TEST_F(BuildTest, SymlinkToOutsideIsResolvedInsideTheContext) {
  ASSERT_EQ(::symlink("/etc/shadow", (ctx() + "/evil").c_str()), 0);
  ASSERT_EQ(::symlink("../../../../etc", (ctx() + "/updir").c_str()), 0);
  auto r = Build("FROM scratch\nCOPY evil /x\n", {"-t", "evil"});
  EXPECT_EQ(r.exit_code, 125) << r.output;
  EXPECT_THAT(r.output, HasSubstr("COPY source evil: no such file or directory in the build context"));
  EXPECT_FALSE(ImageExists("evil"));

  r = Build("FROM scratch\nCOPY updir/passwd /x\n", {"-t", "evil"});
  EXPECT_EQ(r.exit_code, 125) << r.output;
  EXPECT_THAT(r.output, HasSubstr("no such file or directory in the build context"));

  // With a decoy inside the context the link resolves to the decoy.
  Context("etc/shadow", "in-context decoy\n");
  Context("etc/passwd", "decoy passwd\n");
  r = Build("FROM scratch\nCOPY evil /x\nCOPY updir/passwd /p\n", {"-t", "evil"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(FileInImage("evil", "x"), "in-context decoy\n");
  EXPECT_EQ(FileInImage("evil", "p"), "decoy passwd\n");
}

TEST_F(BuildTest, SymlinkInsideACopiedDirectoryIsCopiedAsALink) {
  Context("dir/real.txt", "real\n");
  ASSERT_EQ(::symlink("/etc/shadow", (ctx() + "/dir/evil").c_str()), 0);
  auto r = Build("FROM scratch\nCOPY dir /d\n", {"-t", "dirlink"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  json img = Inspect("dirlink");
  std::string listing = LayerListing(LayerBlob(img, -1));
  EXPECT_THAT(listing, HasSubstr("d/evil -> /etc/shadow"));
  EXPECT_THAT(AllLayerBytes("dirlink"), Not(HasSubstr("root:")));
}

TEST_F(BuildTest, ParseErrorNamesFileLineColumnAndRunsNothing) {
  auto r = Build("FROM busybox\nRUN echo should-not-run > /ran\nFROBNICATE now\n", {"-t", "parseerr"});
  EXPECT_EQ(r.exit_code, 125) << r.output;
  EXPECT_THAT(r.output, HasSubstr("Containerfile:3:1"));
  EXPECT_THAT(r.output, HasSubstr("FROBNICATE now"));
  EXPECT_THAT(r.output, Not(HasSubstr("STEP")));
  EXPECT_THAT(r.output, Not(HasSubstr("should-not-run\n")));
  EXPECT_FALSE(ImageExists("parseerr"));

  r = Build("FROM busybox\nRUN <<EOF\necho unterminated\n", {"-t", "parseerr"});
  EXPECT_EQ(r.exit_code, 125) << r.output;
  EXPECT_THAT(r.output, HasSubstr("Containerfile:2"));
  EXPECT_THAT(r.output, Not(HasSubstr("STEP")));
}

TEST_F(BuildTest, UnknownBaseImageFailsWithItsName) {
  auto r = Build("FROM no-such-local-image-xyz\nRUN true\n", {"-t", "nobase", "--pull=never"});
  EXPECT_EQ(r.exit_code, 125) << r.output;
  EXPECT_THAT(r.output, HasSubstr("no-such-local-image-xyz"));
  EXPECT_THAT(r.output, Not(HasSubstr("STEP 2/2")));
}

TEST_F(BuildTest, BadFlagValuesAreUsageErrors) {
  auto r = Build("FROM scratch\n", {"--format", "tar"});
  EXPECT_EQ(r.exit_code, 125) << r.output;
  EXPECT_THAT(r.output, HasSubstr("--format \"tar\""));
  r = Build("FROM scratch\n", {"--secret", "id=x,bogus=1"});
  EXPECT_EQ(r.exit_code, 125) << r.output;
  EXPECT_THAT(r.output, HasSubstr("--secret"));
}

}  // namespace
}  // namespace shale::testing
