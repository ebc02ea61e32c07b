// `shale build` per instruction: FROM, RUN, metadata instructions, ONBUILD,
// CMD/ENTRYPOINT — each asserted on the committed image.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/builder/build_fixture.h"

namespace shale::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;

int NewLayers(const json& img, const json& base) {
  return static_cast<int>(img["Layers"].size()) - static_cast<int>(base["Layers"].size());
}

TEST_F(BuildTest, FromScratchCopyGivesOneLayerAndOneHistoryEntry) {
  Context("hello.txt", "hello\n");
  auto r = Build("FROM scratch\nCOPY hello.txt /hello.txt\n", {"-t", "scratchy"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  json img = Inspect("scratchy");
  ASSERT_FALSE(img.is_null());
  EXPECT_EQ(img["Layers"].size(), 1u);
  ASSERT_EQ(img["History"].size(), 1u);
  EXPECT_THAT(img["History"][0]["created_by"].get<std::string>(), HasSubstr("COPY"));
  EXPECT_FALSE(img["History"][0].value("empty_layer", false));
  EXPECT_EQ(LayerNames(LayerBlob(img, 0)), std::vector<std::string>{"hello.txt"});
  EXPECT_EQ(FileInImage("scratchy", "hello.txt"), "hello\n");
  EXPECT_EQ(img["Os"], "linux");
}

TEST_F(BuildTest, FromImageKeepsBaseLayersHistoryAndEnv) {
  REQUIRE_RUN();
  auto r = Build("FROM busybox\nRUN echo built > /built.txt\n", {"-t", "fromimg"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  json base = Inspect("busybox");
  json img = Inspect("fromimg");
  EXPECT_EQ(NewLayers(img, base), 1);
  for (size_t i = 0; i < base["Layers"].size(); ++i) EXPECT_EQ(img["Layers"][i], base["Layers"][i]);
  EXPECT_EQ(img["History"].size(), base["History"].size() + 1);
  EXPECT_EQ(img["Config"]["Env"], base["Config"]["Env"]);
  EXPECT_EQ(RunLayerNames(LayerBlob(img, -1)), std::vector<std::string>{"built.txt"});
  EXPECT_EQ(FileInImage("fromimg", "built.txt"), "built\n");
}

TEST_F(BuildTest, FromStageBuildsOnThePreviousStage) {
  REQUIRE_RUN();
  auto r = Build(
      "FROM busybox AS base\nRUN echo from-base > /base.txt\n"
      "FROM base\nRUN cat /base.txt > /copy.txt\n",
      {"-t", "fromstage"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(FileInImage("fromstage", "copy.txt"), "from-base\n");
  EXPECT_EQ(FileInImage("fromstage", "base.txt"), "from-base\n");
  EXPECT_EQ(NewLayers(Inspect("fromstage"), Inspect("busybox")), 2);
}

TEST_F(BuildTest, RunShellFormExpandsAndExecFormDoesNot) {
  REQUIRE_RUN();
  auto r = Build(
      "FROM busybox\nENV GREETING=hi\n"
      "RUN echo \"$GREETING from $0\" > /shell.txt\n"
      "RUN [\"/bin/echo\", \"$GREETING\"]\n"
      "RUN [\"/bin/sh\", \"-c\", \"echo exec-$GREETING > /exec.txt\"]\n",
      {"-t", "runforms"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(FileInImage("runforms", "shell.txt"), "hi from /bin/sh\n");
  EXPECT_EQ(FileInImage("runforms", "exec.txt"), "exec-hi\n");
  // Exec form passes "$GREETING" literally to echo.
  EXPECT_THAT(r.output, HasSubstr("$GREETING\n"));
  json img = Inspect("runforms");
  // The echo-only RUN changes no content: an empty-layer history entry, or a
  // layer holding nothing but the /etc directory entry (see RunLayerNames).
  const json& h = img["History"];
  if (!h[h.size() - 2].value("empty_layer", false)) {
    EXPECT_EQ(NewLayers(img, Inspect("busybox")), 3);
    EXPECT_TRUE(RunLayerNames(LayerBlob(img, -2)).empty()) << LayerListing(LayerBlob(img, -2));
  } else {
    EXPECT_EQ(NewLayers(img, Inspect("busybox")), 2);
  }
}

TEST_F(BuildTest, RunHeredocRunsTheScript) {
  REQUIRE_RUN();
  auto r = Build(
      "FROM busybox\n"
      "RUN <<EOF\n"
      "echo one > /h.txt\n"
      "echo two >> /h.txt\n"
      "EOF\n"
      "RUN <<-EOT sh\n"
      "\techo tabbed > /t.txt\n"
      "\tEOT\n",
      {"-t", "runheredoc"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(FileInImage("runheredoc", "h.txt"), "one\ntwo\n");
  EXPECT_EQ(FileInImage("runheredoc", "t.txt"), "tabbed\n");
}

TEST_F(BuildTest, ShellInstructionChangesTheShellOfLaterRuns) {
  REQUIRE_RUN();
  auto r = Build(
      "FROM busybox\nSHELL [\"/bin/sh\", \"-x\", \"-c\"]\n"
      "RUN echo shelled > /s.txt\n"
      "CMD echo cmd\n",
      {"-t", "shellinst"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("+ echo shelled"));  // sh -x traces the command
  json img = Inspect("shellinst");
  EXPECT_EQ(img["Config"]["Shell"], json({"/bin/sh", "-x", "-c"}));
  EXPECT_EQ(img["Config"]["Cmd"], json({"/bin/sh", "-x", "-c", "echo cmd"}));
}

TEST_F(BuildTest, MetadataInstructionsSetTheConfigWithoutLayers) {
  auto r = Build(
      "FROM busybox\n"
      "LABEL org.example.a=\"one\" b=two\n"
      "EXPOSE 8080 53/udp 9000-9001\n"
      "USER 1000:1000\n"
      "VOLUME /data /logs\n"
      "VOLUME [\"/cache\"]\n"
      "STOPSIGNAL SIGTERM\n"
      "HEALTHCHECK --interval=5s --timeout=3s --retries=4 CMD wget -q -O- http://127.0.0.1:8080/health\n"
      "ENV A=1 B=\"two words\"\n"
      "ENTRYPOINT [\"/bin/app\"]\n"
      "CMD [\"--serve\"]\n",
      {"-t", "meta", "--label", "from.flag=yes", "--label", "b=flag-wins"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  json base = Inspect("busybox");
  json img = Inspect("meta");
  // VOLUME makes its directories (as buildah does), so the two VOLUME steps
  // add a small layer each; the other metadata instructions add none.
  EXPECT_EQ(NewLayers(img, base), 2);
  ASSERT_EQ(img["History"].size(), base["History"].size() + 10);
  for (size_t i = base["History"].size(); i < img["History"].size(); ++i) {
    bool volume = img["History"][i].dump().find("VOLUME") != std::string::npos;
    EXPECT_EQ(img["History"][i].value("empty_layer", false), !volume) << img["History"][i].dump();
  }
  const json& c = img["Config"];
  EXPECT_EQ(c["Labels"]["org.example.a"], "one");
  EXPECT_EQ(c["Labels"]["from.flag"], "yes");
  EXPECT_EQ(c["Labels"]["b"], "flag-wins");
  EXPECT_EQ(c["ExposedPorts"], json({{"8080/tcp", json::object()}, {"53/udp", json::object()},
                                     {"9000/tcp", json::object()}, {"9001/tcp", json::object()}}));
  EXPECT_EQ(c["User"], "1000:1000");
  EXPECT_TRUE(c["Volumes"].contains("/data")) << c.dump();
  EXPECT_TRUE(c["Volumes"].contains("/cache")) << c.dump();
  EXPECT_EQ(c["StopSignal"], "SIGTERM");
  ASSERT_TRUE(c.contains("Healthcheck")) << c.dump();
  EXPECT_EQ(c["Healthcheck"]["Test"],
            json({"CMD-SHELL", "wget -q -O- http://127.0.0.1:8080/health"}));
  EXPECT_EQ(c["Healthcheck"]["Interval"], 5000000000LL);
  EXPECT_EQ(c["Healthcheck"]["Timeout"], 3000000000LL);
  EXPECT_EQ(c["Healthcheck"]["Retries"], 4);
  std::vector<std::string> env = c["Env"];
  EXPECT_THAT(env, ::testing::Contains("A=1"));
  EXPECT_THAT(env, ::testing::Contains("B=two words"));
  EXPECT_EQ(c["Entrypoint"], json({"/bin/app"}));
  EXPECT_EQ(c["Cmd"], json({"--serve"}));
}

TEST_F(BuildTest, WorkdirCreatesTheDirectoryAndRelativeOnesChain) {
  REQUIRE_RUN();
  auto r = Build("FROM busybox\nWORKDIR /srv/app\nWORKDIR sub\nRUN pwd > /pwd.txt\n", {"-t", "workdir"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  json img = Inspect("workdir");
  EXPECT_EQ(img["Config"]["WorkingDir"], "/srv/app/sub");
  EXPECT_EQ(FileInImage("workdir", "pwd.txt"), "/srv/app/sub\n");
  // The first WORKDIR's layer holds the directories it made.
  std::vector<std::string> names = LayerNames(LayerBlob(img, -3));
  EXPECT_THAT(names, ElementsAre("srv", "srv/app"));
  EXPECT_THAT(LayerListing(LayerBlob(img, -3)), HasSubstr("drwxr-xr-x"));
}

TEST_F(BuildTest, UserAppliesToLaterRunSteps) {
  REQUIRE_RUN();
  auto r = Build("FROM busybox\nUSER user\nRUN id -u > /tmp/uid && id -g >> /tmp/uid\n", {"-t", "user"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(FileInImage("user", "tmp/uid"), "1000\n1000\n");
  EXPECT_EQ(Inspect("user")["Config"]["User"], "user");
}

TEST_F(BuildTest, OnbuildTriggersRunWhenTheImageIsUsedAsABase) {
  REQUIRE_RUN();
  auto r = Build("FROM busybox\nONBUILD RUN echo triggered > /trigger.txt\nONBUILD ENV TRIG=1\n", {"-t", "onb-base"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  json base = Inspect("onb-base");
  EXPECT_EQ(base["Config"]["OnBuild"], json({"RUN echo triggered > /trigger.txt", "ENV TRIG=1"}));
  bool found = true;
  FileInImage("onb-base", "trigger.txt", &found);
  EXPECT_FALSE(found) << "ONBUILD must not run in the image that declares it";

  r = Build("FROM onb-base\nRUN cat /trigger.txt > /seen.txt && echo \"$TRIG\" >> /seen.txt\n", {"-t", "onb-child"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(FileInImage("onb-child", "seen.txt"), "triggered\n1\n");
  json child = Inspect("onb-child");
  EXPECT_TRUE(!child["Config"].contains("OnBuild") || child["Config"]["OnBuild"].is_null() ||
              child["Config"]["OnBuild"].empty())
      << child["Config"].dump();
}

TEST_F(BuildTest, EntrypointClearsInheritedCmdButNotOneSetInTheSameStage) {
  auto r = Build("FROM busybox\nCMD [\"base-cmd\"]\n", {"-t", "ep-base"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(Inspect("ep-base")["Config"]["Cmd"], json({"base-cmd"}));

  r = Build("FROM ep-base\nENTRYPOINT [\"/bin/echo\"]\n", {"-t", "ep-only"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  json c = Inspect("ep-only")["Config"];
  EXPECT_EQ(c["Entrypoint"], json({"/bin/echo"}));
  EXPECT_TRUE(!c.contains("Cmd") || c["Cmd"].is_null()) << c.dump();

  r = Build("FROM ep-base\nCMD [\"mine\"]\nENTRYPOINT /bin/echo hi\n", {"-t", "ep-both"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  c = Inspect("ep-both")["Config"];
  EXPECT_EQ(c["Entrypoint"], json({"/bin/sh", "-c", "/bin/echo hi"}));
  EXPECT_EQ(c["Cmd"], json({"mine"}));

  r = Build("FROM ep-base\nLABEL x=y\n", {"-t", "ep-inherit"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(Inspect("ep-inherit")["Config"]["Cmd"], json({"base-cmd"}));
}

TEST_F(BuildTest, EnvArgAndBuildArgsFlowIntoRunAndConfig) {
  REQUIRE_RUN();
  WriteFile(Scratch("args.conf"), "# comment\nFROMFILE=file-value\nB=from-file\n");
  auto r = Build(
      "ARG GLOBAL=g\n"
      "FROM busybox\n"
      "ARG GLOBAL\n"
      "ARG A=default-a\n"
      "ARG B\n"
      "ARG FROMFILE\n"
      "ENV E=\"$A-$B\"\n"
      "RUN echo \"$GLOBAL $A $B $FROMFILE $E\" > /args.txt\n",
      {"-t", "args", "--build-arg-file", Scratch("args.conf"), "--build-arg", "B=from-flag"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(FileInImage("args", "args.txt"), "g default-a from-flag file-value default-a-from-flag\n");
  std::vector<std::string> env = Inspect("args")["Config"]["Env"];
  EXPECT_THAT(env, ::testing::Contains("E=default-a-from-flag"));
  for (const auto& e : env) EXPECT_THAT(e, Not(HasSubstr("FROMFILE"))) << "ARG values are not ENV";
}

TEST_F(BuildTest, UndeclaredBuildArgIsNotVisible) {
  REQUIRE_RUN();
  auto r = Build("FROM busybox\nRUN echo \"[$NOTDECLARED]\" > /x.txt\n",
                 {"-t", "undeclared", "--build-arg", "NOTDECLARED=leak"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(FileInImage("undeclared", "x.txt"), "[]\n");
}

}  // namespace
}  // namespace shale::testing
