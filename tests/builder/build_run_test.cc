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

// A RUN step's scratch (secrets, heredoc pipes) lives under <root>/shale/tmp
// only while the step runs; what a killed build leaves there is removed by
// `shale prune` (its owner's lock is gone), and a finished build leaves none.
TEST_F(BuildTest, StepScratchIsRemovedAfterTheStepAndPrunedAfterAKill) {
  REQUIRE_RUN();
  WriteFile(Scratch("secret.txt"), "secret-content\n");
  std::string secret = "id=s,src=" + Scratch("secret.txt");
  std::string tmp = root() + "/shale/tmp";
  auto r = Build("FROM busybox\nRUN --mount=type=secret,id=s,target=/s cat /s\nRUN <<EOF\necho piped\nEOF\n",
                 {"-t", "scratch-done", "--secret", secret});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(shale::testing::Run({"sh", "-c", "ls -A '" + tmp + "'"}).output, "");

  WriteFile(ctx() + "/Containerfile", "FROM busybox\nRUN --mount=type=secret,id=s,target=/s sleep 2\n");
  std::string script = "'" + ShaleBinary() + "' --root '" + root() + "' build --no-cache --secret " + secret +
                       " -f '" + ctx() + "/Containerfile' '" + ctx() + "' >/dev/null 2>&1 & pid=$!\n"
                       "for i in $(seq 1 400); do ls '" + tmp + "' 2>/dev/null | grep -q '^step-.*[0-9]$' && break; "
                       "sleep 0.05; done\n"
                       "{ kill -9 $pid; wait $pid; } 2>/dev/null; sleep 2.5; ls '" + tmp + "' | grep -c '^step-.*[0-9]$'\n";
  r = shale::testing::Run({"sh", "-c", script});
  ASSERT_EQ(r.output, "1\n") << "the killed build's step scratch should remain until prune";
  r = Shale({"prune"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(shale::testing::Run({"sh", "-c", "ls -A '" + tmp + "'"}).output, "");
}

// bud-013: --dns, --dns-search, --dns-option shape the step's resolv.conf,
// --add-host its /etc/hosts; none of the dns flags goes with --network=none.
TEST_F(BuildTest, DnsAndAddHostFlagsReachRunSteps) {
  REQUIRE_RUN();
  auto r = Build("FROM busybox\nRUN cat /etc/resolv.conf /etc/hosts\n",
                 {"--dns-search=example.com", "--dns=223.5.5.5", "--dns-option=use-vc", "--add-host=db.local:10.9.8.7",
                  "-t", "dns-flags"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("search example.com\n"));
  EXPECT_THAT(r.output, HasSubstr("nameserver 223.5.5.5\n"));
  EXPECT_THAT(r.output, HasSubstr("options use-vc\n"));
  EXPECT_THAT(r.output, HasSubstr("10.9.8.7\tdb.local\n"));
  bool found = true;
  FileInImage("dns-flags", "etc/resolv.conf", &found);
  EXPECT_FALSE(found) << "the step's resolv.conf reached a layer";
  for (const char* flag : {"--dns", "--dns-option", "--dns-search"}) {
    r = Build("FROM busybox\nRUN true\n", {std::string(flag) + "=example.com", "--network=none"});
    EXPECT_EQ(r.exit_code, 125) << r.output;
    EXPECT_THAT(r.output, HasSubstr(std::string("Error: the ") + flag + " option cannot be used with --network=none"));
  }
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
