// `shale build` COPY and ADD: globs, directories, --from, --chown/--chmod,
// --parents, --exclude, heredoc files, archives, ignore files, --checksum.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/builder/build_fixture.h"

namespace shale::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;

TEST_F(BuildTest, CopyGlobMatchesOnlyMatchingFiles) {
  Context("src/a.go", "package a\n");
  Context("src/b.go", "package b\n");
  Context("src/c.txt", "text\n");
  Context("src/sub/d.go", "nested\n");
  auto r = Build("FROM scratch\nCOPY src/*.go /g/\n", {"-t", "glob"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  json img = Inspect("glob");
  EXPECT_THAT(LayerNames(LayerBlob(img, -1)), ElementsAre("g", "g/a.go", "g/b.go"));
  EXPECT_EQ(FileInImage("glob", "g/b.go"), "package b\n");
}

TEST_F(BuildTest, CopyDirectoryCopiesItsContentsRecursively) {
  Context("dir/top.txt", "top\n");
  Context("dir/sub/deep/x.txt", "x\n", 0600);
  Context("one.txt", "1\n");
  auto r = Build("FROM scratch\nCOPY dir /d\nCOPY one.txt dir/top.txt /multi/\nCOPY one.txt /renamed\n",
                 {"-t", "dircopy"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  json img = Inspect("dircopy");
  EXPECT_THAT(LayerNames(LayerBlob(img, 0)), ElementsAre("d", "d/sub", "d/sub/deep", "d/sub/deep/x.txt", "d/top.txt"));
  EXPECT_THAT(LayerNames(LayerBlob(img, 1)), ElementsAre("multi", "multi/one.txt", "multi/top.txt"));
  EXPECT_THAT(LayerNames(LayerBlob(img, 2)), ElementsAre("renamed"));
  EXPECT_THAT(LayerListing(LayerBlob(img, 0)), HasSubstr("-rw------- 0/0"));  // mode kept
  EXPECT_EQ(FileInImage("dircopy", "d/sub/deep/x.txt"), "x\n");
}

TEST_F(BuildTest, CopyMultipleSourcesMakeTheDestinationADirectory) {
  // buildah accepts several sources with a destination lacking the '/'.
  Context("a", "a");
  Context("b", "b");
  auto r = Build("FROM scratch\nCOPY a b /nodir\n", {"-t", "noslash"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(LayerNames(LayerBlob(Inspect("noslash"), -1)), ElementsAre("nodir", "nodir/a", "nodir/b"));
}

TEST_F(BuildTest, CopyFromStageAndFromImage) {
  REQUIRE_RUN();
  auto r = Build(
      "FROM busybox AS builder\nRUN mkdir -p /out && echo artifact > /out/bin.txt\n"
      "FROM scratch\nCOPY --from=builder /out/bin.txt /app/bin.txt\n"
      "COPY --from=busybox /etc/passwd /etc/passwd\n",
      {"-t", "copyfrom"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  json img = Inspect("copyfrom");
  EXPECT_EQ(img["Layers"].size(), 2u);
  EXPECT_EQ(FileInImage("copyfrom", "app/bin.txt"), "artifact\n");
  EXPECT_THAT(FileInImage("copyfrom", "etc/passwd"), HasSubstr("user:x:1000:1000"));
}

TEST_F(BuildTest, CopyChownAndChmodSetOwnerAndMode) {
  Context("f.txt", "f\n", 0644);
  Context("d/inner.txt", "i\n", 0644);
  auto r = Build(
      "FROM busybox\n"
      "COPY --chown=1000:100 f.txt /owned.txt\n"
      "COPY --chown=user --chmod=0751 d /d\n"
      "COPY --chmod=600 f.txt /private.txt\n",
      {"-t", "chown"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  json img = Inspect("chown");
  EXPECT_THAT(LayerListing(LayerBlob(img, -3)), HasSubstr("-rw-r--r-- 1000/100"));
  std::string d = LayerListing(LayerBlob(img, -2));
  EXPECT_THAT(d, HasSubstr("-rwxr-x--x 1000/1000")) << d;  // d/inner.txt, by name from /etc/passwd
  // The directory the COPY created belongs to --chown too.
  std::string dir_line = d.substr(0, d.find('\n'));
  EXPECT_THAT(dir_line, ::testing::EndsWith(" d/")) << d;
  EXPECT_THAT(dir_line, HasSubstr(" 1000/1000 ")) << d;
  EXPECT_THAT(LayerListing(LayerBlob(img, -1)), HasSubstr("-rw------- 0/0"));
}

TEST_F(BuildTest, CopyParentsKeepsSourcePaths) {
  Context("a/b/one.txt", "1\n");
  Context("a/c/two.txt", "2\n");
  Context("x/b/three.txt", "3\n");
  auto r = Build("FROM scratch\nCOPY --parents a/*/one.txt x/b/three.txt /out/\n", {"-t", "parents"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  json img = Inspect("parents");
  std::vector<std::string> names = LayerNames(LayerBlob(img, -1));
  EXPECT_THAT(names, ::testing::IsSupersetOf({"out/a/b/one.txt", "out/x/b/three.txt"}));
  EXPECT_THAT(names, Not(::testing::Contains("out/a/c/two.txt")));
}

TEST_F(BuildTest, CopyHeredocWritesInlineFiles) {
  auto r = Build(
      "FROM scratch\n"
      "COPY <<EOF /etc/greeting\nhello heredoc\nEOF\n"
      "COPY <<one.txt <<two.txt /many/\nfirst\none.txt\nsecond\ntwo.txt\n",
      {"-t", "copyheredoc"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(FileInImage("copyheredoc", "etc/greeting"), "hello heredoc\n");
  EXPECT_EQ(FileInImage("copyheredoc", "many/one.txt"), "first\n");
  EXPECT_EQ(FileInImage("copyheredoc", "many/two.txt"), "second\n");
}

TEST_F(BuildTest, AddExtractsLocalTarGzButCopyDoesNot) {
  Context("payload/inside.txt", "from the archive\n");
  auto tar = shale::testing::Run({"tar", "-czf", ctx() + "/bundle.tar.gz", "-C", ctx() + "/payload", "."});
  ASSERT_EQ(tar.exit_code, 0) << tar.output;
  auto r = Build("FROM scratch\nADD bundle.tar.gz /x/\nCOPY bundle.tar.gz /y/\n", {"-t", "addtar"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(FileInImage("addtar", "x/inside.txt"), "from the archive\n");
  json img = Inspect("addtar");
  EXPECT_THAT(LayerNames(LayerBlob(img, -1)), ElementsAre("y", "y/bundle.tar.gz"));
}

TEST_F(BuildTest, AddChecksumVerifiesLocalFiles) {
  Context("blob.bin", "checked\n");
  // sha256("checked\n")
  std::string sum = shale::testing::Run({"sh", "-c", "sha256sum \"$0\" | cut -d' ' -f1", ctx() + "/blob.bin"}).output;
  while (!sum.empty() && sum.back() == '\n') sum.pop_back();
  auto r = Build("FROM scratch\nADD --checksum=sha256:" + sum + " blob.bin /blob.bin\n", {"-t", "sumok"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(FileInImage("sumok", "blob.bin"), "checked\n");

  std::string wrong(64, '0');
  r = Build("FROM scratch\nADD --checksum=sha256:" + wrong + " blob.bin /blob.bin\n", {"-t", "sumbad"});
  EXPECT_EQ(r.exit_code, 125) << r.output;
  EXPECT_THAT(r.output, HasSubstr("checksum"));
  EXPECT_THAT(r.output, HasSubstr(sum));
  EXPECT_FALSE(ImageExists("sumbad"));
}

TEST_F(BuildTest, ContainerignoreExcludesWithExceptions) {
  Context(".containerignore", "*.log\n!keep.log\nsecret/\n");
  Context("app.txt", "app\n");
  Context("drop.log", "drop\n");
  Context("keep.log", "keep\n");
  Context("secret/key", "k\n");
  auto r = Build("FROM scratch\nCOPY . /app/\n", {"-t", "ignored"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::vector<std::string> names = LayerNames(LayerBlob(Inspect("ignored"), -1));
  EXPECT_THAT(names, ::testing::IsSupersetOf({"app/app.txt", "app/keep.log", "app/Containerfile"}));
  EXPECT_THAT(names, Not(::testing::Contains("app/drop.log")));
  EXPECT_THAT(names, Not(::testing::Contains("app/secret/key")));
  EXPECT_THAT(names, Not(::testing::Contains("app/secret")));

  // An excluded file named directly is "not found".
  r = Build("FROM scratch\nCOPY drop.log /\n", {"-t", "ignored2"});
  EXPECT_EQ(r.exit_code, 125) << r.output;
  EXPECT_THAT(r.output, HasSubstr("drop.log"));
}

TEST_F(BuildTest, DockerignoreUsedWhenNoContainerignore) {
  Context(".dockerignore", "*.tmp\n");
  Context("a.tmp", "t\n");
  Context("b.txt", "b\n");
  auto r = Build("FROM scratch\nCOPY . /c/\n", {"-t", "dockerignored"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::vector<std::string> names = LayerNames(LayerBlob(Inspect("dockerignored"), -1));
  EXPECT_THAT(names, ::testing::Contains("c/b.txt"));
  EXPECT_THAT(names, Not(::testing::Contains("c/a.tmp")));
}

TEST_F(BuildTest, CopyExcludeSkipsMatchingPaths) {
  Context("src/main.go", "main\n");
  Context("src/main_test.go", "test\n");
  Context("src/doc/readme.md", "doc\n");
  auto r = Build("FROM scratch\nCOPY --exclude=*_test.go --exclude=doc src /src\n", {"-t", "exclude"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::vector<std::string> names = LayerNames(LayerBlob(Inspect("exclude"), -1));
  EXPECT_THAT(names, ElementsAre("src", "src/main.go"));
}

TEST_F(BuildTest, CopyExcludeChangesTheCacheKey) {
  Context("a.txt", "a\n");
  Context("b.txt", "b\n");
  auto r = Build("FROM scratch\nCOPY *.txt /t/\n", {"-t", "ex1"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = Build("FROM scratch\nCOPY --exclude=b.txt *.txt /t/\n", {"-t", "ex2"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(LayerNames(LayerBlob(Inspect("ex2"), -1)), ElementsAre("t", "t/a.txt"));
}

TEST_F(BuildTest, AddUrlDownloadsVerifiesChecksumAndDoesNotExtract) {
  if (!HaveTool("python3")) GTEST_SKIP() << "python3 is needed for the local HTTP server";
  WriteFile(Scratch("www/files/page.txt"), "served over http\n");
  WriteFile(Scratch("www/files/t.tar.gz"), "");
  ASSERT_EQ(shale::testing::Run({"tar", "-czf", Scratch("www/files/t.tar.gz"), "-C", Scratch("www/files"), "page.txt"}).exit_code, 0);
  StaticHttpServer server(Scratch("www"));
  ASSERT_GT(server.port(), 0) << "cannot start the HTTP server";
  std::string sum = shale::testing::Run({"sh", "-c", "sha256sum \"$0\" | cut -d' ' -f1", Scratch("www/files/page.txt")}).output;
  while (!sum.empty() && sum.back() == '\n') sum.pop_back();

  auto r = Build("FROM scratch\n"
                 "ADD " + server.url("files/page.txt") + " /web/\n"
                 "ADD --checksum=sha256:" + sum + " " + server.url("redirect/files/page.txt") + " /exact.txt\n"
                 "ADD " + server.url("files/t.tar.gz") + " /tars/\n",
                 {"-t", "addurl"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(FileInImage("addurl", "web/page.txt"), "served over http\n");
  EXPECT_EQ(FileInImage("addurl", "exact.txt"), "served over http\n");
  json img = Inspect("addurl");
  EXPECT_THAT(LayerNames(LayerBlob(img, -1)), ElementsAre("tars", "tars/t.tar.gz"));  // not extracted
  EXPECT_THAT(LayerListing(LayerBlob(img, 0)), HasSubstr("-rw------- 0/0"));

  // Same content again: cache hit; changed content: rerun.
  r = Build("FROM scratch\nADD " + server.url("files/page.txt") + " /web/\n", {"-t", "addurl2"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("--> Using cache"));
  WriteFile(Scratch("www/files/page.txt"), "changed\n");
  r = Build("FROM scratch\nADD " + server.url("files/page.txt") + " /web/\n", {"-t", "addurl2"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, Not(HasSubstr("--> Using cache")));
  EXPECT_EQ(FileInImage("addurl2", "web/page.txt"), "changed\n");

  r = Build("FROM scratch\nADD --checksum=sha256:" + sum + " " + server.url("files/page.txt") + " /x\n",
            {"-t", "addurlbad"});
  EXPECT_EQ(r.exit_code, 125) << r.output;
  EXPECT_THAT(r.output, HasSubstr("ADD --checksum"));
  EXPECT_FALSE(ImageExists("addurlbad"));

  r = Build("FROM scratch\nADD " + server.url("files/nope.txt") + " /x\n", {"-t", "addurl404"});
  EXPECT_EQ(r.exit_code, 125) << r.output;
  EXPECT_THAT(r.output, HasSubstr("HTTP 404"));

  r = Build("FROM scratch\nCOPY " + server.url("files/page.txt") + " /x\n", {"-t", "copyurl"});
  EXPECT_EQ(r.exit_code, 125) << r.output;
  EXPECT_THAT(r.output, HasSubstr("use ADD"));
}

}  // namespace
}  // namespace shale::testing
