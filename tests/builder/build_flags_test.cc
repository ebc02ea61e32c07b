// `shale build` flags: --target, --iidfile, --squash, --format, --no-cache,
// -f -, --secret, and RUN --mount types (cache, bind, tmpfs).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/builder/build_fixture.h"

namespace shale::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;

int CountOf(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + what.size())) ++n;
  return n;
}

TEST_F(BuildTest, TargetStopsAtTheStageAndUnneededStagesNeverRun) {
  REQUIRE_RUN();
  std::string file =
      "FROM busybox AS broken\nRUN echo never-runs && exit 3\n"
      "FROM busybox AS wanted\nRUN echo wanted > /w.txt\n"
      "FROM wanted AS last\nRUN echo last > /l.txt\n";
  auto r = Build(file, {"-t", "targeted", "--target", "wanted"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, Not(HasSubstr("never-runs")));
  bool found = true;
  FileInImage("targeted", "l.txt", &found);
  EXPECT_FALSE(found) << "stages after the target are not part of it";
  EXPECT_EQ(FileInImage("targeted", "w.txt"), "wanted\n");

  // Without --target: the last stage; `broken` is needed by nobody.
  r = Build(file, {"-t", "untargeted"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, Not(HasSubstr("never-runs")));
  EXPECT_EQ(FileInImage("untargeted", "l.txt"), "last\n");

  r = Build(file, {"-t", "badtarget", "--target", "nosuch"});
  EXPECT_EQ(r.exit_code, 125) << r.output;
  EXPECT_THAT(r.output, HasSubstr("nosuch"));
}

TEST_F(BuildTest, IidfileHoldsTheImageId) {
  auto r = Build("FROM busybox\nLABEL iid=1\n", {"-t", "iid", "--iidfile", Scratch("iid.txt")});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::string id = ReadFile(Scratch("iid.txt"));
  EXPECT_EQ(id, "sha256:" + Inspect("iid")["Id"].get<std::string>());
  EXPECT_THAT(r.output, HasSubstr(id.substr(7)));
}

TEST_F(BuildTest, IidfileRawHoldsTheBareHex) {
  auto r = Build("FROM busybox\nLABEL iid=2\n",
                 {"-t", "iid-raw", "--iidfile", Scratch("iid.txt"), "--iidfile-raw", Scratch("iid-raw.txt")});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::string raw = ReadFile(Scratch("iid-raw.txt"));
  EXPECT_EQ(raw.size(), 64u);
  EXPECT_EQ("sha256:" + raw, ReadFile(Scratch("iid.txt")));
}

TEST_F(BuildTest, SignaturePolicyIsCheckedBeforeAnyPull) {
  WriteFile(Scratch("accept.json"), R"({"default":[{"type":"insecureAcceptAnything"}]})");
  WriteFile(Scratch("reject.json"), R"({"default":[{"type":"insecureAcceptAnything"}],
      "transports":{"docker":{"127.0.0.1:1":[{"type":"reject"}]}}})");
  // A local base needs no pull: the policy only has to be valid.
  auto r = Build("FROM busybox\nLABEL p=1\n", {"-t", "policy-ok", "--signature-policy", Scratch("accept.json")});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  r = Build("FROM busybox\n", {"--signature-policy", Scratch("missing.json")});
  EXPECT_EQ(r.exit_code, 125) << r.output;
  EXPECT_THAT(r.output, HasSubstr("--signature-policy: signature policy " + Scratch("missing.json") + " does not exist"));
  // Rejected before any connection is tried (nothing listens on port 1).
  r = Build("FROM 127.0.0.1:1/base:1\n", {"--signature-policy", Scratch("reject.json")});
  EXPECT_EQ(r.exit_code, 125) << r.output;
  EXPECT_THAT(r.output, HasSubstr("127.0.0.1:1/base:1 is rejected by the signature policy " + Scratch("reject.json")));
}

// bud-107: an ARG that ENV overrides cannot reach the RUN, so another
// --build-arg value gives the same image, from the cache.
TEST_F(BuildTest, ArgOverriddenByEnvDoesNotChangeTheImage) {
  REQUIRE_RUN();
  std::string file = "FROM busybox\nARG FOO\nENV FOO=bat\nRUN echo $FOO > /foo.txt\n";
  auto r1 = Build(file, {"--build-arg=FOO=1", "-t", "args-cache"});
  ASSERT_EQ(r1.exit_code, 0) << r1.output;
  std::string id1 = Inspect("args-cache")["Id"];
  auto r2 = Build(file, {"--build-arg=FOO=12", "-t", "args-cache"});
  ASSERT_EQ(r2.exit_code, 0) << r2.output;
  EXPECT_EQ(Inspect("args-cache")["Id"], id1);
  EXPECT_THAT(r2.output, HasSubstr("Using cache"));
  EXPECT_EQ(FileInImage("args-cache", "foo.txt"), "bat\n");
}

// -t oci:DIR[:REF] writes the image into that OCI layout as well (buildah's
// oci: transport); skopeo reads it there with the same manifest digest.
TEST_F(BuildTest, TagOciLayoutWritesTheImageThere) {
  Context("f.txt", "layout\n");
  std::string named = Scratch("layout-named"), bare = Scratch("layout-bare");
  auto r = Build("FROM busybox\nCOPY f.txt /f.txt\n", {"-t", "local-too", "-t", "oci:" + named + ":v1", "-t", "oci:" + bare});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("COMMIT oci:" + named + ":v1"));
  std::string digest = Inspect("local-too")["Digest"];
  auto index = json::parse(ReadFile(named + "/index.json"));
  ASSERT_EQ(index["manifests"].size(), 1u);
  EXPECT_EQ(index["manifests"][0]["digest"], digest);
  EXPECT_EQ(index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"], "v1");
  auto bare_index = json::parse(ReadFile(bare + "/index.json"));
  ASSERT_EQ(bare_index["manifests"].size(), 1u);
  EXPECT_FALSE(bare_index["manifests"][0].contains("annotations"));
  EXPECT_EQ(ReadFile(bare + "/oci-layout"), ReadFile(named + "/oci-layout"));
  if (!HaveTool("skopeo")) GTEST_SKIP() << "skopeo is not installed (the layout was checked by hand)";
  auto sk = shale::testing::Run({"sh", "-c", "skopeo inspect --raw 'oci:" + named + ":v1' | sha256sum | cut -c1-64"});
  ASSERT_EQ(sk.exit_code, 0) << sk.output;
  EXPECT_EQ("sha256:" + sk.output.substr(0, 64), digest);
  auto bad = Build("FROM busybox\n", {"-t", "oci:"});
  EXPECT_EQ(bad.exit_code, 125) << bad.output;
  EXPECT_THAT(bad.output, HasSubstr("oci: destination without a directory"));
}

TEST_F(BuildTest, SquashGivesOneNewLayer) {
  REQUIRE_RUN();
  Context("c.txt", "c\n");
  std::string file =
      "FROM busybox\nRUN echo a > /a.txt\nRUN echo b > /b.txt && rm /a.txt\nCOPY c.txt /c.txt\nLABEL sq=1\n";
  auto r = Build(file, {"-t", "squashed", "--squash"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  json base = Inspect("busybox");
  json img = Inspect("squashed");
  ASSERT_EQ(img["Layers"].size(), base["Layers"].size() + 1);
  std::vector<std::string> names = RunLayerNames(LayerBlob(img, -1));
  EXPECT_THAT(names, ElementsAre("b.txt", "c.txt"));  // a.txt came and went
  // One history entry per instruction, exactly one of them with a layer.
  int with_layer = 0;
  for (size_t i = base["History"].size(); i < img["History"].size(); ++i)
    with_layer += img["History"][i].value("empty_layer", false) ? 0 : 1;
  EXPECT_EQ(with_layer, 1);
  EXPECT_EQ(img["Config"]["Labels"]["sq"], "1");
}

TEST_F(BuildTest, FormatDockerWritesDockerMediaTypes) {
  Context("f", "f");
  auto r = Build("FROM busybox\nCOPY f /f\n", {"-t", "dockerfmt", "--format", "docker"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  json img = Inspect("dockerfmt");
  EXPECT_EQ(img["ManifestType"], "application/vnd.docker.distribution.manifest.v2+json");
  auto raw = Shale({"inspect", "--type", "manifest", "dockerfmt"});
  ASSERT_EQ(raw.exit_code, 0) << raw.output;
  EXPECT_THAT(raw.output, HasSubstr("application/vnd.docker.container.image.v1+json"));
  EXPECT_THAT(raw.output, HasSubstr("application/vnd.docker.image.rootfs.diff.tar.gzip"));
  EXPECT_THAT(raw.output, Not(HasSubstr("vnd.oci")));

  r = Build("FROM busybox\nCOPY f /f\n", {"-t", "ocifmt"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(Inspect("ocifmt")["ManifestType"], "application/vnd.oci.image.manifest.v1+json");
}

TEST_F(BuildTest, CacheHitsOnRebuildAndNoCacheReruns) {
  REQUIRE_RUN();
  Context("f.txt", "v1\n");
  std::string file = "FROM busybox\nCOPY f.txt /f.txt\nRUN echo ran-the-step && cat /f.txt > /g.txt\n";
  auto r1 = Build(file, {"-t", "cached"});
  ASSERT_EQ(r1.exit_code, 0) << r1.output;
  EXPECT_THAT(r1.output, HasSubstr("\nran-the-step\n"));
  std::string id1 = Inspect("cached")["Id"];

  auto r2 = Build(file, {"-t", "cached"});
  ASSERT_EQ(r2.exit_code, 0) << r2.output;
  EXPECT_EQ(CountOf(r2.output, "--> Using cache"), 2) << r2.output;
  EXPECT_THAT(r2.output, Not(HasSubstr("\nran-the-step\n")));
  EXPECT_EQ(Inspect("cached")["Id"], id1);

  auto r3 = Build(file, {"-t", "cached", "--no-cache"});
  ASSERT_EQ(r3.exit_code, 0) << r3.output;
  EXPECT_EQ(CountOf(r3.output, "--> Using cache"), 0) << r3.output;
  EXPECT_THAT(r3.output, HasSubstr("\nran-the-step\n"));

  // Content change: COPY and everything after it rerun.
  Context("f.txt", "v2\n");
  auto r4 = Build(file, {"-t", "cached"});
  ASSERT_EQ(r4.exit_code, 0) << r4.output;
  EXPECT_EQ(CountOf(r4.output, "--> Using cache"), 0) << r4.output;
  EXPECT_EQ(FileInImage("cached", "g.txt"), "v2\n");
}

TEST_F(BuildTest, ContainerfileFromStdin) {
  Context("s.txt", "stdin\n");
  auto r = Shale({"build", "-t", "fromstdin", "-f", "-", ctx()},
                 {.stdin_data = "FROM scratch\nCOPY s.txt /s.txt\n"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(FileInImage("fromstdin", "s.txt"), "stdin\n");
}

TEST_F(BuildTest, SecretIsVisibleInRunButNotInHistoryOrLayers) {
  REQUIRE_RUN();
  const std::string secret = "s3cr3t-Value-42";
  WriteFile(Scratch("token"), secret + "\n", 0600);
  auto r = Build(
      "FROM busybox\n"
      // The pattern matches the secret without containing it.
      "RUN --mount=type=secret,id=tok grep -qx 's3cr3t-Value-4[2]' /run/secrets/tok && echo secret-ok > /ok.txt\n"
      "RUN --mount=type=secret,id=envtok,target=/s cat /s | wc -c > /len.txt\n",
      {"-t", "secret", "--secret", "id=tok,src=" + Scratch("token"), "--secret", "id=envtok,env=SHALE_TEST_SECRET"},
      {.env = {{"SHALE_TEST_SECRET", secret}}});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(FileInImage("secret", "ok.txt"), "secret-ok\n");
  EXPECT_EQ(FileInImage("secret", "len.txt"), std::to_string(secret.size()) + "\n");
  json img = Inspect("secret");
  EXPECT_THAT(img.dump(), Not(HasSubstr(secret)));
  EXPECT_THAT(AllLayerBytes("secret"), Not(HasSubstr(secret)));
  for (int i : {-2, -1}) {
    for (const auto& n : LayerNames(LayerBlob(img, i))) {
      EXPECT_THAT(n, Not(HasSubstr("run/secrets"))) << n;
      EXPECT_NE(n, "s");
    }
  }
  EXPECT_THAT(r.output, Not(HasSubstr(secret)));

  // A required secret that was not given fails before running.
  r = Build("FROM busybox\nRUN --mount=type=secret,id=missing,required=true true\n", {"-t", "nosecret"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("missing"));
}

TEST_F(BuildTest, CacheMountPersistsAcrossBuildsAndStaysOutOfLayers) {
  REQUIRE_RUN();
  std::string file = "FROM busybox\nRUN --mount=type=cache,target=/cache echo x >> /cache/f && wc -l < /cache/f > /count.txt\n";
  auto r = Build(file, {"-t", "cachemount", "--no-cache"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(FileInImage("cachemount", "count.txt"), "1\n");
  r = Build(file, {"-t", "cachemount", "--no-cache"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(FileInImage("cachemount", "count.txt"), "2\n");
  std::vector<std::string> names = LayerNames(LayerBlob(Inspect("cachemount"), -1));
  for (const auto& n : names) EXPECT_THAT(n, Not(HasSubstr("cache/f")));
}

TEST_F(BuildTest, BindMountReadsContextAndStageAndItsContentIsInTheCacheKey) {
  REQUIRE_RUN();
  Context("data/in.txt", "bind-v1\n");
  std::string file =
      "FROM busybox AS gen\nRUN echo from-stage > /gen.txt\n"
      "FROM busybox\n"
      "RUN --mount=type=bind,source=data,target=/mnt cat /mnt/in.txt > /out.txt\n"
      "RUN --mount=type=bind,from=gen,source=/gen.txt,target=/g.txt cat /g.txt > /gen-out.txt\n";
  auto r = Build(file, {"-t", "bind"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(FileInImage("bind", "out.txt"), "bind-v1\n");
  EXPECT_EQ(FileInImage("bind", "gen-out.txt"), "from-stage\n");
  // The mount target is not committed as content.
  for (const auto& n : LayerNames(LayerBlob(Inspect("bind"), -2))) EXPECT_THAT(n, Not(HasSubstr("mnt/")));

  Context("data/in.txt", "bind-v2\n");
  r = Build(file, {"-t", "bind"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(FileInImage("bind", "out.txt"), "bind-v2\n") << "a changed bind source must invalidate the step";
}

TEST_F(BuildTest, TmpfsMountIsEmptyWritableAndNotCommitted) {
  REQUIRE_RUN();
  auto r = Build(
      "FROM busybox\nRUN mkdir /scratch && echo keep > /scratch/old\n"
      "RUN --mount=type=tmpfs,target=/scratch ls -A /scratch > /ls.txt && echo tmp > /scratch/new\n",
      {"-t", "tmpfs"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(FileInImage("tmpfs", "ls.txt"), "");
  std::vector<std::string> names = RunLayerNames(LayerBlob(Inspect("tmpfs"), -1));
  EXPECT_THAT(names, ElementsAre("ls.txt"));
}

TEST_F(BuildTest, TimestampMakesBuildsReproducible) {
  REQUIRE_RUN();
  Context("f.txt", "same\n");
  std::string file = "FROM busybox\nCOPY f.txt /f.txt\nRUN echo x > /x.txt\n";
  auto r1 = Build(file, {"-t", "repro1", "--timestamp", "1700000000", "--no-cache"});
  ASSERT_EQ(r1.exit_code, 0) << r1.output;
  shale::testing::Run({"touch", ctx() + "/f.txt"});
  auto r2 = Build(file, {"-t", "repro2", "--timestamp", "1700000000", "--no-cache"});
  ASSERT_EQ(r2.exit_code, 0) << r2.output;
  json a = Inspect("repro1"), b = Inspect("repro2");
  EXPECT_EQ(a["Id"], b["Id"]);
  EXPECT_EQ(a["Digest"], b["Digest"]);
  EXPECT_EQ(a["Created"], "2023-11-14T22:13:20Z");
}

// New layer content is clamped to the epoch whenever one is given, so
// --rewrite-timestamp (buildah's opt-in for that) changes nothing here.
TEST_F(BuildTest, RewriteTimestampIsWhatAnEpochAlreadyDoes) {
  Context("f.txt", "new\n");
  std::string file = "FROM busybox\nCOPY f.txt /f.txt\n";
  auto r1 = Build(file, {"-t", "sde", "--source-date-epoch", "86400", "--no-cache"});
  ASSERT_EQ(r1.exit_code, 0) << r1.output;
  auto r2 = Build(file, {"-t", "sde-rt", "--source-date-epoch", "86400", "--rewrite-timestamp", "--no-cache"});
  ASSERT_EQ(r2.exit_code, 0) << r2.output;
  json a = Inspect("sde"), b = Inspect("sde-rt");
  EXPECT_EQ(a["Id"], b["Id"]);
  std::string listing = LayerListing(LayerBlob(b, -1));
  EXPECT_THAT(listing, HasSubstr("f.txt"));
  EXPECT_THAT(listing, HasSubstr(" 1970-01-0"));  // 86400: Jan 2 in UTC, Jan 1 west of it
}

}  // namespace
}  // namespace shale::testing
