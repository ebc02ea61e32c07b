// `shale build --build-context NAME=VALUE` (directories and images) and
// `--output` (local directory, tar).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>

#include "tests/builder/build_fixture.h"

namespace shale::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

TEST_F(BuildTest, DirectoryContextOverridesTheStageOfTheSameName) {
  REQUIRE_RUN();
  WriteFile(Scratch("extra/hello"), "from-the-context\n");
  std::string file =
      "FROM busybox AS extra\nRUN echo the-stage-ran > /hello\n"
      "FROM busybox\nCOPY --from=extra hello /by-name\nCOPY --from=0 hello /by-index\n";
  auto r = Build(file, {"-t", "ctxdir", "--build-context", "extra=" + Scratch("extra")});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, Not(HasSubstr("the-stage-ran"))) << "the overridden stage is pruned";
  EXPECT_EQ(FileInImage("ctxdir", "by-name"), "from-the-context\n");
  EXPECT_EQ(FileInImage("ctxdir", "by-index"), "from-the-context\n");

  // Without the flag the same file copies from the stage.
  r = Build(file, {"-t", "nostage"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(FileInImage("nostage", "by-name"), "the-stage-ran\n");
}

TEST_F(BuildTest, DirectoryContextIsRelativeToTheCurrentDirectory) {
  WriteFile(Scratch("rel/data.txt"), "relative\n");
  CommandOptions in_scratch;
  in_scratch.cwd = Scratch("");
  auto r = Build("FROM busybox\nCOPY --from=rel data.txt /data.txt\n",
                 {"-t", "ctxrel", "--build-context", "rel=rel"}, in_scratch);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(FileInImage("ctxrel", "data.txt"), "relative\n");
}

TEST_F(BuildTest, DirectoryContextHonoursItsOwnIgnoreFile) {
  WriteFile(Scratch("proj/hello"), "hidden\n");
  WriteFile(Scratch("proj/kept"), "kept\n");
  WriteFile(Scratch("proj/.containerignore"), "hello\n");
  auto r = Build("FROM busybox\nCOPY --from=project kept /kept\n",
                 {"-t", "ctxkept", "--build-context", "project=" + Scratch("proj")});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(FileInImage("ctxkept", "kept"), "kept\n");

  r = Build("FROM busybox\nCOPY --from=project hello .\n",
            {"-t", "ctxignored", "--build-context", "project=" + Scratch("proj")});
  EXPECT_EQ(r.exit_code, 125) << r.output;
  EXPECT_THAT(r.output, HasSubstr("COPY --from=project hello .\": no items matching glob \"hello\""));
  EXPECT_THAT(r.output, HasSubstr("Containerfile:2"));
  EXPECT_FALSE(ImageExists("ctxignored"));
}

TEST_F(BuildTest, ImageContextResolvesLikeFrom) {
  auto r = Build("FROM busybox\nCOPY <<EOF /marker\nimage-context\nEOF\n", {"-t", "ctxsource"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const std::string prefix : {"docker-image://", "docker://"}) {
    std::string file =
        "FROM busybox AS some-stage\nLABEL never=used\n"
        "FROM busybox\nCOPY --from=some-stage /marker /copied\n";
    r = Build(file, {"-t", "ctximg", "--build-context", "some-stage=" + prefix + "ctxsource"});
    ASSERT_EQ(r.exit_code, 0) << prefix << "\n" << r.output;
    EXPECT_EQ(FileInImage("ctximg", "copied"), "image-context\n") << prefix;
  }
  // FROM NAME takes the image too.
  r = Build("FROM base\nLABEL x=y\n", {"-t", "ctxfrom", "--build-context", "base=docker-image://ctxsource"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(FileInImage("ctxfrom", "marker"), "image-context\n");
}

TEST_F(BuildTest, RunMountFromDirectoryContext) {
  REQUIRE_RUN();
  WriteFile(Scratch("mnt/hello"), "world\n");
  std::string file =
      "FROM busybox AS some-stage\nRUN echo stage-text\n"
      "FROM busybox\nRUN --mount=type=bind,from=some-stage,target=/test cat /test/hello\n";
  auto r = Build(file, {"-t", "ctxmount", "--build-context", "some-stage=" + Scratch("mnt")});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("world"));
  EXPECT_THAT(r.output, Not(HasSubstr("stage-text")));
}

TEST_F(BuildTest, NamedContextContentIsInTheCacheKey) {
  REQUIRE_RUN();
  WriteFile(Scratch("cached/hello"), "one\n");
  std::string file = "FROM busybox\nRUN --mount=type=bind,from=c,target=/test cat /test/hello\n"
                     "COPY --from=c hello /hello\n";
  std::vector<std::string> args = {"--layers", "-t", "ctxcache", "--build-context", "c=" + Scratch("cached")};
  auto r = Build(file, args);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("one"));
  r = Build(file, args);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("Using cache"));
  EXPECT_THAT(r.output, Not(HasSubstr("one\n")));
  WriteFile(Scratch("cached/hello"), "two\n");
  r = Build(file, args);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("two"));
  EXPECT_EQ(FileInImage("ctxcache", "hello"), "two\n");
}

TEST_F(BuildTest, BadBuildContextsFailBeforeBuilding) {
  auto r = Build("FROM busybox\n", {"--build-context", "novalue"});
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_THAT(r.output, HasSubstr("want NAME=VALUE"));
  r = Build("FROM busybox\n", {"--build-context", "x=" + Scratch("does-not-exist")});
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_THAT(r.output, HasSubstr("no such file or directory"));
  r = Build("FROM busybox\n", {"--build-context", "x=https://example.invalid/ctx.tar"});
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_THAT(r.output, HasSubstr("not supported yet"));
  WriteFile(Scratch("d/f"), "f");
  r = Build("FROM d\n", {"--build-context", "d=" + Scratch("d")});
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_THAT(r.output, HasSubstr("build context \"d\" is a directory, not an image"));
}

TEST_F(BuildTest, OutputLocalExportsTheWholeRootfsAndStillCommits) {
  std::string file = "FROM busybox AS a\nCOPY <<EOF /a.txt\naaa\nEOF\nFROM a\nCOPY <<EOF /b.txt\nbbb\nEOF\n";
  auto r = Build(file, {"--output", "type=local,dest=" + Scratch("out"), "-t", "exported"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(ReadFile(Scratch("out/a.txt")), "aaa\n");
  EXPECT_EQ(ReadFile(Scratch("out/b.txt")), "bbb\n");
  EXPECT_TRUE(Exists(Scratch("out/bin/busybox"))) << "base layers are applied too";
  EXPECT_TRUE(ImageExists("exported"));

  r = Build(file, {"-o", Scratch("short")});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(ReadFile(Scratch("short/b.txt")), "bbb\n");
}

TEST_F(BuildTest, OutputTarWritesOneTar) {
  auto r = Build("FROM busybox\nCOPY <<EOF /hello\nhello\nEOF\n",
                 {"--output", "type=tar,dest=" + Scratch("rootfs.tar"), "-t", "tarred"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto list = shale::testing::Run({"tar", "-tf", Scratch("rootfs.tar")});
  ASSERT_EQ(list.exit_code, 0) << list.output;
  EXPECT_THAT(list.output, HasSubstr("hello\n"));
  EXPECT_THAT(list.output, HasSubstr("bin/busybox"));
  auto content = shale::testing::Run({"tar", "-xOf", Scratch("rootfs.tar"), "hello"});
  EXPECT_EQ(content.output, "hello\n");
  EXPECT_TRUE(ImageExists("tarred"));
}

TEST_F(BuildTest, BadOutputFlagsFail) {
  auto r = Build("FROM busybox\n", {"--output", "type=registry,dest=x"});
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_THAT(r.output, HasSubstr("accepted types are local and tar"));
  r = Build("FROM busybox\n", {"--output", "type=local"});
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_THAT(r.output, HasSubstr("dest is required"));
  r = Build("FROM busybox\n", {"--output", "type=tar,dest=x,color=blue"});
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_THAT(r.output, HasSubstr("accepted keys are type and dest"));
}

}  // namespace
}  // namespace shale::testing
