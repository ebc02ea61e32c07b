// Where buildah's behaviour differs from BuildKit's and conformance cases
// check it: bare RUN, COPY/ADD flag errors, --from naming the current stage,
// the unused build-arg warning, RUN --mount options, heredoc step display.
#include <gtest/gtest.h>

#include "frontend/build_graph.h"
#include "frontend/stage_compiler.h"

namespace shale::frontend {
namespace {

Result<BuildGraph> Compile(const std::string& text, CompileOptions opts = {}) {
  opts.file = "Containerfile";
  return CompileContainerfile(text, opts);
}

std::string Head(const Status& s) { return s.message().substr(0, s.message().find('\n')); }

const Step& LastStep(const BuildGraph& g) { return g.steps.back(); }

TEST(BuildahCompat, BareRunRunsTheShellWithoutACommand) {
  Result<BuildGraph> g = Compile("FROM alpine\nENTRYPOINT [\"pwd\"]\nRUN\n");
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  const auto& run = std::get<RunOp>(LastStep(*g).op);
  EXPECT_EQ(PlanRun(run).argv, (std::vector<std::string>{"/bin/sh", "-c"}));
}

TEST(BuildahCompat, CopyAndAddFlagWithoutValueNameTheSupportedFlags) {
  const std::string copy_usage =
      "COPY only supports the --chmod=<permissions> --chown=<uid:gid> --from=<image|stage> and the "
      "--exclude=<pattern> flags";
  const std::string add_usage =
      "ADD only supports the --chmod=<permissions>, --chown=<uid:gid>, and --checksum=<checksum> "
      "--exclude=<pattern> flags";
  struct Case {
    const char* text;
    std::string head;
  } cases[] = {
      {"FROM a\nCOPY --chown 1:1 x /tmp\n",
       "Containerfile:2:6: " + copy_usage + " (Missing a value on flag: --chown)"},
      {"FROM a\nCOPY --chmod 777 x /tmp\n",
       "Containerfile:2:6: " + copy_usage + " (Missing a value on flag: --chmod)"},
      {"FROM a\nCOPY --from registry.com/x:y /foo /bar\n",
       "Containerfile:2:6: " + copy_usage + " (Missing a value on flag: --from)"},
      {"FROM a\nADD --chmod 777 x /tmp\n",
       "Containerfile:2:5: " + add_usage + " (Missing a value on flag: --chmod)"},
  };
  for (const Case& c : cases) {
    Result<BuildGraph> g = Compile(c.text);
    ASSERT_FALSE(g.ok()) << c.text;
    EXPECT_EQ(g.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(Head(g.status()), c.head);
  }
}

TEST(BuildahCompat, CopyFromTheCurrentStageIsNotFound) {
  Result<BuildGraph> g = Compile("FROM busybox AS build\nRUN true\nCOPY --from=build /bin/cp /test/\n");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(Head(g.status()), "Containerfile:3:6: COPY --from=build: no stage or image found with that name");
}

TEST(BuildahCompat, UnusedBuildArgWarningWording) {
  CompileOptions opts;
  opts.build_args = {{"USED_ARG", "x"}, {"UNUSED_ARG", "y"}};
  Result<BuildGraph> g = Compile("FROM a\nARG USED_ARG\nRUN echo $USED_ARG\n", opts);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(g->warnings,
            (std::vector<std::string>{"one or more build args were not consumed: [UNUSED_ARG]"}));
}

TEST(BuildahCompat, MountAcceptsBuildahBareOptions) {
  Result<BuildGraph> g = Compile(
      "FROM a\n"
      "RUN --mount=type=bind,source=.,target=/ctx,Z,z,U,nosuid,rshared --mount=type=cache,target=/c,z,U "
      "--mount=type=bind,target=/p,bind-propagation=rslave,relabel=shared true\n");
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  const auto& run = std::get<RunOp>(LastStep(*g).op);
  ASSERT_EQ(run.mounts.size(), 3u);
  EXPECT_EQ(run.mounts[0].target, "/ctx");
  EXPECT_TRUE(run.mounts[0].readonly);
  EXPECT_EQ(run.mounts[1].type, MountType::kCache);
}

TEST(BuildahCompat, MountRejectsBadPropagation) {
  for (const char* type : {"bind", "cache"}) {
    Result<BuildGraph> g = Compile(std::string("FROM a\nRUN --mount=type=") + type +
                                   ",destination=/var/empty,rw,bind-propagation=suid pwd\n");
    ASSERT_FALSE(g.ok()) << type;
    EXPECT_EQ(g.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(Head(g.status()).find("bind-propagation: \"suid\": invalid mount option"), std::string::npos)
        << g.status().message();
  }
  Result<BuildGraph> relabel = Compile("FROM a\nRUN --mount=type=bind,target=/x,relabel=maybe pwd\n");
  ASSERT_FALSE(relabel.ok());
  EXPECT_NE(Head(relabel.status()).find("invalid mount option"), std::string::npos);
}

TEST(BuildahCompat, MountKeepsRelativeTargetForWorkdirResolution) {
  Result<BuildGraph> g = Compile("FROM a\nWORKDIR /w\nRUN --mount=type=secret,id=s,target=s.txt cat s.txt\n");
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(std::get<RunOp>(LastStep(*g).op).mounts[0].target, "s.txt");
}

TEST(BuildahCompat, HeredocStepDisplayShowsFirstLines) {
  Result<BuildGraph> g = Compile(
      "FROM alpine\n"
      "RUN <<EOF\necho \"print first line from heredoc\"\necho second\nEOF\n"
      "RUN cat <<EOF\nfile passed to program\nand more\nEOF\n"
      "ADD <<EOF /index.html\n (your index page goes here)\nEOF\n"
      "COPY <<robots.txt <<humans.txt /test/\n(robots content)\nrobots.txt\n(humans content)\nhumans.txt\n"
      "RUN true\n");
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  const auto& steps = g->stages[0].steps;
  ASSERT_EQ(steps.size(), 5u);
  EXPECT_EQ(StepDisplay(g->steps[steps[0]]), "RUN <<EOF (echo \"print first line from heredoc\"...)");
  EXPECT_EQ(StepDisplay(g->steps[steps[1]]), "RUN cat <<EOF (file passed to program...)");
  EXPECT_EQ(StepDisplay(g->steps[steps[2]]), "ADD <<EOF /index.html ((your index page goes here))");
  EXPECT_EQ(StepDisplay(g->steps[steps[3]]),
            "COPY <<robots.txt <<humans.txt /test/ ((robots content)) ((humans content))");
  EXPECT_EQ(StepDisplay(g->steps[steps[4]]), "RUN true");
}

}  // namespace
}  // namespace shale::frontend
