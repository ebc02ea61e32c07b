// `shale build` RUN behaviour that buildah's conformance cases check: bare
// RUN, heredoc scripts with an interpreter line, RUN --mount targets relative
// to WORKDIR, secrets confined to their step, COPY --chown wording, the
// heredoc step display.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/builder/build_fixture.h"

namespace shale::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST_F(BuildTest, BareRunFailsWithTheShellsExitCode) {
  REQUIRE_RUN();
  auto r = Build("FROM busybox\nENTRYPOINT [\"pwd\"]\nRUN\n", {"-t", "bare-run"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr("-c requires an argument"));
  EXPECT_THAT(r.output, HasSubstr("exit status 2"));
  EXPECT_FALSE(ImageExists("bare-run"));
}

TEST_F(BuildTest, HeredocWithInterpreterLineRunsAndLeavesNoMountBehind) {
  REQUIRE_RUN();
  auto r = Build(
      "FROM busybox\n"
      "RUN <<EOF\n#!/bin/sh\necho \"from the script\" > /script.txt\nls /dev/pipes/\nEOF\n"
      "RUN <<EOF\n#!/bin/cat\nprinted by cat\nEOF\n"
      "RUN cat /script.txt\n"
      "RUN ls /dev/pipes || echo no-pipes-now\n",
      {"-t", "heredoc-shebang"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("from the script"));
  EXPECT_THAT(r.output, HasSubstr("printed by cat"));
  EXPECT_THAT(r.output, HasSubstr("no-pipes-now"));
  bool found = true;
  FileInImage("heredoc-shebang", "dev/pipes/EOF", &found);
  EXPECT_FALSE(found) << "the heredoc script reached a layer";
}

TEST_F(BuildTest, HeredocStepLineShowsTheBodysFirstLine) {
  REQUIRE_RUN();
  auto r =
      Build("FROM busybox\nRUN <<EOF\necho \"first line\"\necho second\nEOF\n", {"-t", "heredoc-display"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("STEP 2/2: RUN <<EOF (echo \"first line\"...)"));
}

TEST_F(BuildTest, MountTargetsRelativeToWorkdir) {
  REQUIRE_RUN();
  Context("data.txt", "bound-content\n");
  WriteFile(Scratch("secret.txt"), "secret-content\n");
  auto r = Build(
      "FROM busybox\n"
      "WORKDIR /work\n"
      "RUN --mount=type=bind,source=data.txt,target=data.txt cat /work/data.txt\n"
      "RUN --mount=type=cache,target=cache,Z,U echo hello > /work/cache/f && cat cache/f\n"
      "RUN --mount=type=secret,id=mysecret,target=mysecret cat /work/mysecret\n"
      "RUN cat /work/mysecret\n",
      {"-t", "relative-targets", "--secret", "id=mysecret,src=" + Scratch("secret.txt")});
  EXPECT_EQ(r.exit_code, 1) << r.output;  // the last RUN: the secret is gone
  EXPECT_THAT(r.output, HasSubstr("bound-content"));
  EXPECT_THAT(r.output, HasSubstr("hello"));
  EXPECT_THAT(r.output, HasSubstr("secret-content"));
  EXPECT_THAT(r.output, HasSubstr("can't open '/work/mysecret'"));
}

TEST_F(BuildTest, CopyChownOfUnknownUserUsesBuildahWording) {
  Context("f.txt", "x");
  auto r = Build("FROM busybox\nCOPY --chown=${BOGUS}:${BOGUS} f.txt /tmp\n", {"-t", "bad-chown"});
  EXPECT_EQ(r.exit_code, 125) << r.output;
  EXPECT_THAT(r.output, HasSubstr("looking up UID/GID for \":\": can't find uid for user"));
  r = Build("FROM busybox\nCOPY --chown=nosuchuser f.txt /tmp\n", {"-t", "bad-chown"});
  EXPECT_EQ(r.exit_code, 125) << r.output;
  EXPECT_THAT(r.output,
              HasSubstr("looking up UID/GID for \"nosuchuser\": can't find uid for user nosuchuser"));
  EXPECT_THAT(r.output, Not(HasSubstr("STEP 3")));
}

}  // namespace
}  // namespace shale::testing
