// Stage compiler: instructions and flags, ARG/ENV scoping and precedence,
// build args, predefined args, stage references, pruning, ONBUILD triggers.
#include "frontend/stage_compiler.h"

#include <gtest/gtest.h>

#include "frontend/build_graph.h"

namespace shale::frontend {
namespace {

Result<BuildGraph> Compile(const std::string& text, CompileOptions opts = {}) {
  Result<BuildGraph> g = CompileContainerfile(text, opts);
  if (g.ok()) {
    Status v = VerifyGraph(*g);
    EXPECT_TRUE(v.ok()) << v.ToString();
  }
  return g;
}

BuildGraph MustCompile(const std::string& text, CompileOptions opts = {}) {
  Result<BuildGraph> g = Compile(text, std::move(opts));
  EXPECT_TRUE(g.ok()) << g.status().ToString();
  return g.ok() ? std::move(*g) : BuildGraph{};
}

const Step& StepOf(const BuildGraph& g, int stage, int i) {
  return g.steps[static_cast<size_t>(g.stages[static_cast<size_t>(stage)].steps[static_cast<size_t>(i)])];
}

template <typename T>
const T& Op(const BuildGraph& g, int stage, int i) {
  return std::get<T>(StepOf(g, stage, i).op);
}

std::string Get(const std::vector<KeyValue>& kvs, const std::string& key) {
  for (const auto& kv : kvs) {
    if (kv.key == key) return kv.value;
  }
  return "<unset>";
}

// ---- instructions ----

TEST(Compiler, RunShellAndExecForms) {
  BuildGraph g = MustCompile("FROM alpine\nRUN echo $HOME \"x\"\nRUN [\"/bin/echo\", \"$HOME\"]\n");
  ASSERT_EQ(g.stages.size(), 1u);
  EXPECT_EQ(g.stages[0].base_kind, BaseKind::kImage);
  EXPECT_EQ(g.stages[0].base_image, "alpine");
  const RunOp& shell = Op<RunOp>(g, 0, 0);
  EXPECT_FALSE(shell.exec_form);
  EXPECT_EQ(shell.command, "echo $HOME \"x\"");  // not expanded: the shell does that
  EXPECT_EQ(shell.shell, (std::vector<std::string>{"/bin/sh", "-c"}));
  EXPECT_EQ(PlanRun(shell).argv, (std::vector<std::string>{"/bin/sh", "-c", "echo $HOME \"x\""}));
  const RunOp& exec = Op<RunOp>(g, 0, 1);
  EXPECT_TRUE(exec.exec_form);
  EXPECT_EQ(PlanRun(exec).argv, (std::vector<std::string>{"/bin/echo", "$HOME"}));
  EXPECT_EQ(StepOf(g, 0, 1).original, "RUN [\"/bin/echo\", \"$HOME\"]");
  EXPECT_EQ(StepOf(g, 0, 1).location.line, 3);
  EXPECT_EQ(StepOf(g, 0, 1).parent, g.stages[0].steps[0]);
  EXPECT_EQ(StepOf(g, 0, 0).parent, -1);
}

TEST(Compiler, RunFlagsAndMounts) {
  BuildGraph g = MustCompile(
      "FROM alpine AS base\n"
      "FROM alpine\n"
      "ARG CACHE=/root/.cache\n"
      "RUN --network=none --security=insecure --mount=type=cache,target=$CACHE,sharing=locked "
      "--mount=type=bind,from=base,source=/etc,target=/mnt "
      "--mount=type=secret,id=tok --mount=type=ssh --mount=type=tmpfs,target=/t,size=64m make\n");
  ASSERT_EQ(g.stages.size(), 2u);
  const RunOp& run = Op<RunOp>(g, 1, 1);
  EXPECT_EQ(run.network, "none");
  EXPECT_EQ(run.security, "insecure");
  ASSERT_EQ(run.mounts.size(), 5u);
  EXPECT_EQ(run.mounts[0].type, MountType::kCache);
  EXPECT_EQ(run.mounts[0].target, "/root/.cache");
  EXPECT_EQ(run.mounts[0].id, "/root/.cache");
  EXPECT_EQ(run.mounts[0].sharing, CacheSharing::kLocked);
  EXPECT_FALSE(run.mounts[0].readonly);
  EXPECT_EQ(run.mounts[1].type, MountType::kBind);
  EXPECT_TRUE(run.mounts[1].readonly);
  EXPECT_EQ(run.mounts[1].from, "base");
  EXPECT_EQ(run.mounts[1].from_stage, 0);
  EXPECT_EQ(run.mounts[1].source, "/etc");
  EXPECT_EQ(run.mounts[2].type, MountType::kSecret);
  EXPECT_EQ(run.mounts[2].target, "/run/secrets/tok");
  EXPECT_EQ(run.mounts[2].mode, 0400u);
  EXPECT_EQ(run.mounts[3].type, MountType::kSsh);
  EXPECT_EQ(run.mounts[3].id, "default");
  EXPECT_EQ(run.mounts[3].mode, 0600u);
  EXPECT_EQ(run.mounts[4].size_bytes, 64u << 20);
  EXPECT_EQ(StepOf(g, 1, 1).input_stages, (std::vector<int>{0}));
  EXPECT_EQ(g.stages[1].deps, (std::vector<int>{0}));
}

TEST(Compiler, CopyAndAddFlags) {
  BuildGraph g = MustCompile(
      "FROM alpine AS build\n"
      "FROM scratch\n"
      "ARG U=1000\n"
      "COPY --from=build --chown=$U:$U --chmod=0755 --link --parents --exclude=*.md --exclude=tmp "
      "/out/a /out/b /dst/\n"
      "ADD --checksum=sha256:abc --keep-git-dir=true --chown=1 https://example.com/x.tgz /x\n"
      "COPY [\"with space\", \"/d\"]\n");
  const CopyOp& c = Op<CopyOp>(g, 1, 1);
  EXPECT_EQ(c.from, "build");
  EXPECT_EQ(c.from_stage, 0);
  EXPECT_EQ(c.chown, "1000:1000");
  EXPECT_EQ(c.chmod, "0755");
  EXPECT_TRUE(c.link);
  EXPECT_TRUE(c.parents);
  EXPECT_EQ(c.excludes, (std::vector<std::string>{"*.md", "tmp"}));
  EXPECT_EQ(c.sources, (std::vector<std::string>{"/out/a", "/out/b"}));
  EXPECT_EQ(c.dest, "/dst/");
  EXPECT_EQ(StepOf(g, 1, 2).kind, StepKind::kAdd);
  const CopyOp& a = Op<CopyOp>(g, 1, 2);
  EXPECT_EQ(a.checksum, "sha256:abc");
  EXPECT_TRUE(a.keep_git_dir);
  EXPECT_EQ(a.sources, (std::vector<std::string>{"https://example.com/x.tgz"}));
  EXPECT_EQ(Op<CopyOp>(g, 1, 3).sources, (std::vector<std::string>{"with space"}));
  EXPECT_EQ(g.stages[1].base_kind, BaseKind::kScratch);
}

TEST(Compiler, CopyFromIndexAndImage) {
  BuildGraph g = MustCompile(
      "FROM alpine\nRUN true\nFROM busybox\nCOPY --from=0 /a /a\nCOPY --from=nginx:1.25 /etc/nginx /n\n");
  EXPECT_EQ(Op<CopyOp>(g, 1, 0).from_stage, 0);
  EXPECT_EQ(Op<CopyOp>(g, 1, 1).from_stage, -1);
  EXPECT_EQ(Op<CopyOp>(g, 1, 1).from, "nginx:1.25");
  EXPECT_TRUE(StepOf(g, 1, 1).input_stages.empty());
}

TEST(Compiler, HeredocsInCopyAndRun) {
  BuildGraph g = MustCompile(
      "FROM alpine\n"
      "ENV NAME=world\n"
      "COPY <<EOF <<'RAW' /dest/\n"
      "hello $NAME \"q\"\n"
      "EOF\n"
      "keep $NAME\n"
      "RAW\n"
      "RUN <<-EOT\n"
      "\techo $NAME\n"
      "\tEOT\n"
      "RUN <<EOT\n"
      "#!/usr/bin/env python3\n"
      "print(1)\n"
      "EOT\n"
      "RUN cat <<A > /f\n"
      "x\n"
      "A\n");
  const CopyOp& c = Op<CopyOp>(g, 0, 1);
  ASSERT_EQ(c.inline_sources.size(), 2u);
  EXPECT_TRUE(c.sources.empty());
  EXPECT_EQ(c.inline_sources[0].name, "EOF");
  EXPECT_EQ(c.inline_sources[0].content, "hello world \"q\"\n");
  EXPECT_EQ(c.inline_sources[1].content, "keep $NAME\n");
  EXPECT_FALSE(c.inline_sources[1].expand);
  EXPECT_EQ(c.dest, "/dest/");
  EXPECT_EQ(PlanRun(Op<RunOp>(g, 0, 2)).argv, (std::vector<std::string>{"/bin/sh", "-c", "echo $NAME\n"}));
  RunPlan shebang = PlanRun(Op<RunOp>(g, 0, 3));
  EXPECT_EQ(shebang.argv, (std::vector<std::string>{"/dev/pipes/EOT"}));
  ASSERT_EQ(shebang.pipe_files.size(), 1u);
  EXPECT_EQ(shebang.pipe_files[0].content, "#!/usr/bin/env python3\nprint(1)\n");
  EXPECT_EQ(PlanRun(Op<RunOp>(g, 0, 4)).argv, (std::vector<std::string>{"/bin/sh", "-c", "cat <<A > /f\nx\nA\n"}));
}

TEST(Compiler, MetadataInstructions) {
  BuildGraph g = MustCompile(
      "FROM alpine\n"
      "ENV P=8080 D=/srv\n"
      "LABEL org.v=\"1 2\" k=$P\n"
      "EXPOSE $P 53/udp\n"
      "USER app:$P\n"
      "WORKDIR $D/app\n"
      "VOLUME [\"$D/data\"]\n"
      "STOPSIGNAL SIGTERM\n"
      "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\n"
      "CMD echo $P\n"
      "ENTRYPOINT [\"/x\"]\n"
      "HEALTHCHECK --interval=30s --timeout=1m30s --start-period=5s --start-interval=1s --retries=3 CMD curl -f x\n"
      "ONBUILD RUN echo triggered\n"
      "MAINTAINER someone\n");
  EXPECT_EQ(Op<LabelOp>(g, 0, 1).labels, (std::vector<KeyValue>{{"org.v", "1 2"}, {"k", "8080"}}));
  EXPECT_EQ(Op<ExposeOp>(g, 0, 2).ports, (std::vector<std::string>{"8080", "53/udp"}));
  EXPECT_EQ(Op<UserOp>(g, 0, 3).user, "app:8080");
  EXPECT_EQ(Op<WorkdirOp>(g, 0, 4).path, "/srv/app");
  EXPECT_EQ(Op<VolumeOp>(g, 0, 5).paths, (std::vector<std::string>{"/srv/data"}));
  EXPECT_EQ(Op<StopSignalOp>(g, 0, 6).signal, "SIGTERM");
  EXPECT_EQ(Op<CommandOp>(g, 0, 8).argv, (std::vector<std::string>{"/bin/bash", "-o", "pipefail", "-c", "echo $P"}));
  EXPECT_TRUE(Op<CommandOp>(g, 0, 8).shell_form);
  EXPECT_EQ(Op<CommandOp>(g, 0, 9).argv, (std::vector<std::string>{"/x"}));
  const HealthcheckOp& hc = Op<HealthcheckOp>(g, 0, 10);
  EXPECT_EQ(hc.test, (std::vector<std::string>{"CMD-SHELL", "curl -f x"}));
  EXPECT_EQ(hc.interval_ns, 30'000'000'000);
  EXPECT_EQ(hc.timeout_ns, 90'000'000'000);
  EXPECT_EQ(hc.start_period_ns, 5'000'000'000);
  EXPECT_EQ(hc.start_interval_ns, 1'000'000'000);
  EXPECT_EQ(hc.retries, 3);
  EXPECT_EQ(Op<OnbuildOp>(g, 0, 11).trigger, "RUN echo triggered");
  EXPECT_EQ(Op<MaintainerOp>(g, 0, 12).name, "someone");
}

TEST(Compiler, HealthcheckNoneAndExec) {
  BuildGraph g = MustCompile("FROM a\nHEALTHCHECK NONE\nHEALTHCHECK CMD [\"/bin/check\", \"-q\"]\n");
  EXPECT_EQ(Op<HealthcheckOp>(g, 0, 0).test, (std::vector<std::string>{"NONE"}));
  EXPECT_EQ(Op<HealthcheckOp>(g, 0, 1).test, (std::vector<std::string>{"CMD", "/bin/check", "-q"}));
  EXPECT_TRUE(Compile("FROM a\nHEALTHCHECK --interval=0ms CMD x\n").ok());
  EXPECT_TRUE(Compile("FROM a\nHEALTHCHECK --interval=1ms CMD x\n").ok());
}

// ---- scoping and precedence ----

TEST(Compiler, GlobalArgsInFromAndRedeclared) {
  CompileOptions opts;
  opts.build_args = {{"VERSION", "3.19"}};
  BuildGraph g = MustCompile(
      "ARG BASE=alpine\nARG VERSION=3.18\nFROM ${BASE}:${VERSION}\n"
      "RUN echo\n"
      "ARG VERSION\n"
      "RUN echo $VERSION\n"
      "ARG BASE\n"
      "LABEL v=$VERSION b=$BASE\n",
      opts);
  EXPECT_EQ(g.stages[0].base_image, "alpine:3.19");
  // Before `ARG VERSION` the stage does not see the global.
  EXPECT_EQ(Get(StepRunEnv(g, g.stages[0].steps[0]), "VERSION"), "<unset>");
  EXPECT_EQ(Get(StepRunEnv(g, g.stages[0].steps[2]), "VERSION"), "3.19");
  EXPECT_EQ(Op<LabelOp>(g, 0, 4).labels, (std::vector<KeyValue>{{"v", "3.19"}, {"b", "alpine"}}));
  EXPECT_EQ(g.global_args, (std::vector<KeyValue>{{"BASE", "alpine"}, {"VERSION", "3.19"}}));
}

TEST(Compiler, GlobalArgNotVisibleWithoutRedeclaration) {
  BuildGraph g = MustCompile("ARG X=1\nFROM a\nLABEL x=\"$X\"\n");
  EXPECT_EQ(Op<LabelOp>(g, 0, 0).labels[0].value, "");
}

TEST(Compiler, EnvWinsOverArg) {
  CompileOptions opts;
  opts.build_args = {{"V", "from-build-arg"}};
  BuildGraph g = MustCompile("FROM a\nENV V=from-env\nARG V\nLABEL v=$V\nRUN x\n", opts);
  EXPECT_EQ(Op<LabelOp>(g, 0, 2).labels[0].value, "from-env");
  EXPECT_EQ(Get(StepRunEnv(g, g.stages[0].steps[3]), "V"), "from-env");
}

TEST(Compiler, ArgDefaultBuildArgAndEnvFromArg) {
  CompileOptions opts;
  opts.build_args = {{"CONT_IMG_VER", std::nullopt}};
  opts.environment = {{"CONT_IMG_VER", "v2.0.1"}};
  BuildGraph g = MustCompile("FROM a\nARG CONT_IMG_VER\nENV CONT_IMG_VER=${CONT_IMG_VER:-v1.0.0}\nRUN x\n", opts);
  EXPECT_EQ(Get(StepEnv(g, g.stages[0].steps[2]), "CONT_IMG_VER"), "v2.0.1");
  BuildGraph d = MustCompile("FROM a\nARG CONT_IMG_VER\nENV CONT_IMG_VER=${CONT_IMG_VER:-v1.0.0}\nRUN x\n");
  EXPECT_EQ(Get(StepEnv(d, d.stages[0].steps[2]), "CONT_IMG_VER"), "v1.0.0");
}

TEST(Compiler, BuildArgWithoutValueAndNoEnvironmentIsIgnored) {
  CompileOptions opts;
  opts.build_args = {{"A", std::nullopt}};
  BuildGraph g = MustCompile("FROM a\nARG A=default\nRUN x\n", opts);
  EXPECT_EQ(Get(StepRunEnv(g, g.stages[0].steps[1]), "A"), "default");
}

TEST(Compiler, SameLineValuesSeePreviousScope) {
  BuildGraph g = MustCompile("FROM a\nENV abc=hello\nENV abc=bye def=$abc\nENV ghi=$abc\nRUN x\n");
  std::vector<KeyValue> env = StepEnv(g, g.stages[0].steps[3]);
  EXPECT_EQ(Get(env, "def"), "hello");
  EXPECT_EQ(Get(env, "ghi"), "bye");
}

TEST(Compiler, ArgsEndWithTheirStageEnvIsInherited) {
  BuildGraph g = MustCompile("FROM a AS one\nARG X=1\nENV E=e\nFROM one\nRUN x\n");
  const Step& run = StepOf(g, 1, 0);
  EXPECT_EQ(g.stages[1].base_kind, BaseKind::kStage);
  EXPECT_EQ(g.stages[1].base_stage, 0);
  EXPECT_EQ(Get(StepRunEnv(g, g.stages[1].steps[0]), "X"), "<unset>");
  EXPECT_EQ(Get(StepRunEnv(g, g.stages[1].steps[0]), "E"), "e");
  EXPECT_EQ(run.env_count, 1u);
  EXPECT_EQ(g.stages[1].base_env_count, 1u);
}

TEST(Compiler, HistoryArgsExcludeProxies) {
  CompileOptions opts;
  opts.build_args = {{"HTTP_PROXY", "http://proxy:3128"}, {"A", "1"}};
  BuildGraph g = MustCompile("FROM a\nARG A\nRUN x\n", opts);
  int run = g.stages[0].steps[1];
  EXPECT_EQ(StepHistoryArgs(g, run), (std::vector<KeyValue>{{"A", "1"}}));
  EXPECT_EQ(Get(StepRunEnv(g, run), "HTTP_PROXY"), "http://proxy:3128");
  EXPECT_TRUE(g.warnings.empty());
}

TEST(Compiler, HistoryArgsExcludeArgsAnEnvOverrides) {
  CompileOptions opts;
  opts.build_args = {{"FOO", "1"}, {"BAR", "2"}};
  BuildGraph g = MustCompile("FROM a\nARG FOO\nARG BAR\nENV FOO=bat\nRUN echo $FOO $BAR\n", opts);
  int run = g.stages[0].steps.back();
  EXPECT_EQ(StepHistoryArgs(g, run), (std::vector<KeyValue>{{"BAR", "2"}}));
  EXPECT_EQ(Get(StepRunEnv(g, run), "FOO"), "bat");
}

TEST(Compiler, UnusedBuildArgWarning) {
  CompileOptions opts;
  opts.build_args = {{"USED", "1"}, {"UNUSED", "2"}, {"ALSO_UNUSED", "3"}};
  BuildGraph g = MustCompile("FROM a\nARG USED\n", opts);
  ASSERT_EQ(g.warnings.size(), 1u);
  EXPECT_EQ(g.warnings[0], "one or more build args were not consumed: [ALSO_UNUSED UNUSED]");
}

TEST(Compiler, PredefinedPlatformArgs) {
  CompileOptions opts;
  opts.target_platform = {"linux", "arm", "v7", "", {}};
  opts.build_platform = {"linux", "amd64", "", "", {}};
  BuildGraph g = MustCompile(
      "FROM --platform=$BUILDPLATFORM golang AS build\n"
      "ARG TARGETOS TARGETARCH TARGETVARIANT TARGETPLATFORM\n"
      "RUN x\n"
      "FROM alpine\nCOPY --from=build /x /x\nRUN y\n",
      opts);
  ASSERT_EQ(g.stages.size(), 2u);
  EXPECT_EQ(g.stages[0].platform, "linux/amd64");
  std::vector<KeyValue> env = StepRunEnv(g, g.stages[0].steps[1]);
  EXPECT_EQ(Get(env, "TARGETOS"), "linux");
  EXPECT_EQ(Get(env, "TARGETARCH"), "arm");
  EXPECT_EQ(Get(env, "TARGETVARIANT"), "v7");
  EXPECT_EQ(Get(env, "TARGETPLATFORM"), "linux/arm/v7");
  EXPECT_EQ(Get(StepRunEnv(g, g.stages[1].steps[1]), "TARGETARCH"), "<unset>");
}

// ---- stages, targets, pruning ----

TEST(Compiler, TargetPrunesUnneededStages) {
  const std::string text =
      "FROM alpine AS base\nRUN b\n"
      "FROM base AS test\nRUN t\n"
      "FROM golang AS tools\nRUN g\n"
      "FROM base AS release\nCOPY --from=tools /bin/x /x\n"
      "FROM debian AS unrelated\nRUN u\n";
  CompileOptions opts;
  opts.target = "release";
  BuildGraph g = MustCompile(text, opts);
  std::vector<std::string> names;
  for (const auto& s : g.stages) names.push_back(s.name);
  EXPECT_EQ(names, (std::vector<std::string>{"base", "tools", "release"}));
  EXPECT_EQ(g.target, 2);
  EXPECT_EQ(g.stages[2].base_stage, 0);
  EXPECT_EQ(g.stages[2].deps, (std::vector<int>{0, 1}));
  EXPECT_EQ(Op<CopyOp>(g, 2, 0).from_stage, 1);
  EXPECT_EQ(g.stages[1].original_index, 2);
  for (const Step& s : g.steps) {
    EXPECT_NE(s.original, "RUN t");
    EXPECT_NE(s.original, "RUN u");
  }
  BuildGraph all = MustCompile(text);
  EXPECT_EQ(all.stages.size(), 1u);  // default target: the last stage, which needs nothing
  EXPECT_EQ(all.stages[0].name, "unrelated");
}

TEST(Compiler, UnknownTarget) {
  CompileOptions opts;
  opts.target = "nope";
  Result<BuildGraph> g = Compile("FROM a AS x\n", opts);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(g.status().message(), "Containerfile: target stage \"nope\" could not be found");
}

TEST(Compiler, CopyFromLaterStageAndCycle) {
  BuildGraph g = MustCompile("FROM a AS one\nCOPY --from=two /x /x\nFROM b AS two\nRUN x\nFROM c\nCOPY --from=one /x /x\n");
  EXPECT_EQ(g.stages.size(), 3u);
  EXPECT_EQ(g.stages[0].deps, (std::vector<int>{1}));
  Result<BuildGraph> cyc = Compile("FROM a AS one\nCOPY --from=two /x /x\nFROM b AS two\nCOPY --from=one /y /y\n");
  ASSERT_FALSE(cyc.ok());
  EXPECT_NE(cyc.status().message().find("circular dependency detected on stage: "), std::string::npos)
      << cyc.status().message();
  Result<BuildGraph> self = Compile("FROM a AS one\nCOPY --from=one /x /x\n");
  ASSERT_FALSE(self.ok());
  EXPECT_EQ(self.status().message(),
            "Containerfile:2:6: COPY --from=one: no stage or image found with that name\n"
            " 2 | COPY --from=one /x /x\n"
            "   |      ^");
}

TEST(Compiler, FromLaterStageNameIsAnImage) {
  BuildGraph g = MustCompile("FROM later AS first\nFROM alpine AS later\nFROM first\n");
  EXPECT_EQ(g.stages[0].base_kind, BaseKind::kImage);
  EXPECT_EQ(g.stages[0].base_image, "later");
}

TEST(Compiler, ResolverProvidesEnvShellAndTriggers) {
  CompileOptions opts;
  int calls = 0;
  opts.resolve_image = [&calls](const std::string& image, const std::string& platform) -> Result<BaseImageInfo> {
    ++calls;
    EXPECT_EQ(platform, "");
    if (image != "golang:1.22") return NotFoundError("unexpected image " + image);
    BaseImageInfo info;
    info.env = {{"PATH", "/usr/local/go/bin:/usr/bin"}, {"GOPATH", "/go"}};
    info.onbuild = {"COPY . /src", "RUN echo $GOPATH"};
    return info;
  };
  calls = 0;
  opts.target = "";
  BuildGraph first = MustCompile("FROM golang:1.22 AS app\nWORKDIR $GOPATH/src\n", opts);
  EXPECT_EQ(calls, 1);
  ASSERT_EQ(first.stages[0].steps.size(), 3u);
  EXPECT_TRUE(StepOf(first, 0, 0).from_onbuild);
  EXPECT_EQ(StepOf(first, 0, 0).kind, StepKind::kCopy);
  EXPECT_EQ(StepOf(first, 0, 0).location.line, 1);
  EXPECT_EQ(StepOf(first, 0, 1).original, "RUN echo $GOPATH");
  EXPECT_EQ(Op<WorkdirOp>(first, 0, 2).path, "/go/src");
  EXPECT_EQ(first.stages[0].base_env_count, 2u);
}

TEST(Compiler, ResolverIsNotCalledForPrunedStages) {
  CompileOptions opts;
  std::vector<std::string> asked;
  opts.resolve_image = [&asked](const std::string& image, const std::string&) -> Result<BaseImageInfo> {
    asked.push_back(image);
    return BaseImageInfo{};
  };
  opts.target = "b";
  MustCompile("FROM x AS a\nFROM y AS b\nFROM z AS c\n", opts);
  EXPECT_EQ(asked, (std::vector<std::string>{"y"}));
}

}  // namespace
}  // namespace shale::frontend
