// `shale build` flags carried over from buildah: --cache-ttl, --log-rusage,
// --rusage-logfile, --logfile, --device, --network=container, --userns,
// --stage-labels/--save-stages, -c/--cpu-shares without a value,
// unknown --cap-add/--cap-drop names, --runtime-flag, Containerfile.in through cpp, and
// the DNS failure wording of a base-image pull.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include "tests/builder/build_fixture.h"

namespace shale::testing {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

TEST_F(BuildTest, CacheTtlIgnoresOlderEntries) {
  std::string file = "FROM busybox\nCOPY <<EOF /x\nx\nEOF\nLABEL ttl=1\n";
  auto r = Build(file, {"--layers", "-t", "ttl"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ::usleep(50 * 1000);  // the entries are now at least 50 ms old
  r = Build(file, {"--layers", "--cache-ttl=.01s", "-t", "ttl"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, Not(HasSubstr("Using cache")));
  // The rebuild stored fresh entries; without a TTL they are used.
  r = Build(file, {"--layers", "-t", "ttl"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("Using cache"));
  // A generous TTL keeps them.
  r = Build(file, {"--layers", "--cache-ttl", "1h", "-t", "ttl"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("Using cache"));

  r = Build(file, {"--cache-ttl", "10"});
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_THAT(r.output, HasSubstr("time: missing unit in duration \"10\""));
}

TEST_F(BuildTest, LogRusagePrintsOneLinePerExecutedStep) {
  REQUIRE_RUN();
  std::string file = "FROM busybox\nRUN echo one\nRUN echo two\nLABEL x=y\n";
  auto r = Build(file, {"--log-rusage"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, ContainsRegex("\\(system\\).*\\(user\\).*\\(elapsed\\).*input.*output"));
  int lines = 0;
  for (size_t p = r.output.find("(elapsed)"); p != std::string::npos; p = r.output.find("(elapsed)", p + 1)) ++lines;
  EXPECT_EQ(lines, 3) << "two RUN steps and the LABEL";

  r = Build(file, {"--no-cache", "--log-rusage", "--rusage-logfile", Scratch("rusage.log")});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, Not(HasSubstr("(elapsed)")));
  std::string log = ReadFile(Scratch("rusage.log"));
  EXPECT_THAT(log, ContainsRegex("\\(system\\).*\\(user\\).*\\(elapsed\\)"));

  r = Build(file, {"--rusage-logfile", Scratch("x.log")});
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_THAT(r.output, HasSubstr("--rusage-logfile needs --log-rusage"));
}

TEST_F(BuildTest, LogfileTakesAllOutput) {
  auto r = Build("FROM busybox\nLABEL logged=yes\n", {"--logfile", Scratch("build.log"), "-t", "logged"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, Not(HasSubstr("STEP")));
  std::string log = ReadFile(Scratch("build.log"));
  EXPECT_THAT(log, HasSubstr("STEP 1/2: FROM busybox"));
  EXPECT_THAT(log, HasSubstr("COMMIT"));
  EXPECT_THAT(log, HasSubstr("logged"));

  r = Build("FROM busybox\n", {"--logsplit"});
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_THAT(r.output, HasSubstr("cannot use --logsplit without --logfile"));
}

TEST_F(BuildTest, DeviceIsBindMountedIntoRunStepsOnly) {
  REQUIRE_RUN();
  auto r = Build("FROM busybox\nRUN test -c /test/dev/null && echo dev-ok > /dev/null && ls /test/dev\n",
                 {"--device", "/dev/null:/test/dev/null", "-t", "withdev"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("null"));
  bool found = true;
  FileInImage("withdev", "test/dev/null", &found);
  EXPECT_FALSE(found) << "the mount point is not part of the layer";

  r = Build("FROM busybox\nRUN true\n", {"--device", "/dev/does-not-exist"});
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_THAT(r.output, HasSubstr("/dev/does-not-exist"));
  r = Build("FROM busybox\n", {"--device", "relative"});
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_THAT(r.output, HasSubstr("is not an absolute path"));
}

TEST_F(BuildTest, AcceptedCompatibilityFlags) {
  // --network=container and --userns are accepted (userns with a warning).
  auto r = Build("FROM busybox\nLABEL a=b\n", {"--network=container", "-t", "netc"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  r = Build("FROM busybox\nLABEL a=b\n", {"--userns=auto", "-t", "userns"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("--userns=auto"));
  r = Build("FROM busybox\nLABEL a=b\n", {"--userns=host", "--memory-swap", "-1", "-t", "usernshost"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, Not(HasSubstr("--userns")));
}

TEST_F(BuildTest, FlagCombinationsAndValuesCheckedFirst) {
  auto r = Build("FROM busybox\n", {"--stage-labels"});
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_THAT(r.output, HasSubstr("\"--stage-labels\" requires \"--save-stages\""));
  // As pflag: "--cpu-shares -t x" takes "-t" as the value.
  r = Build("FROM busybox\n", {"--cpu-shares", "-t", "cpu"});
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_THAT(r.output, ContainsRegex("invalid argument .* invalid syntax"));
  r = Build("FROM busybox\n", {"-c", "-t", "cpu"});
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_THAT(r.output, ContainsRegex("invalid argument \"-t\" for \"-c, --cpu-shares\" flag"));
}

TEST_F(BuildTest, UnsupportedRunFlagsAreRefusedNotIgnored) {
  // --cap-add/--cap-drop work (build_caps_test.cc); unknown names are refused.
  auto r = Build("FROM busybox\n", {"--cap-drop", "cap_nonsense"});
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_THAT(r.output, HasSubstr("unknown capability \"cap_nonsense\""));
  r = Build("FROM busybox\n", {"--runtime-flag", "debug"});
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_THAT(r.output, HasSubstr("--runtime-flag"));
}

TEST_F(BuildTest, ContainerfileInGoesThroughCpp) {
  if (!HaveTool("cpp")) GTEST_SKIP() << "cpp is not installed";
  Context("common", "# a comment cpp complains about\nFROM busybox\n");
  Context("Containerfile.in",
          "#include \"common\"\n#if WITH_DEBUG\nLABEL debug=yes\n#else\nLABEL debug=no\n#endif\n");
  auto r = Shale({"build", "-t", "cpp1", "-f", ctx() + "/Containerfile.in", ctx()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, ContainsRegex("Ignoring In file included .* invalid preprocessing directive"));
  EXPECT_EQ(Inspect("cpp1")["Config"]["Labels"]["debug"], "no") << Inspect("cpp1").dump();

  r = Shale({"build", "-t", "cpp2", "--cpp-flag", "-DWITH_DEBUG", "-f", ctx() + "/Containerfile.in", ctx()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(Inspect("cpp2")["Config"]["Labels"]["debug"], "yes");

  CommandOptions env;
  env.env["BUILDAH_CPPFLAGS"] = "-DWITH_DEBUG";
  r = Shale({"build", "-t", "cpp3", "-f", ctx() + "/Containerfile.in", ctx()}, env);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(Inspect("cpp3")["Config"]["Labels"]["debug"], "yes");

  // Without cpp in PATH: a clear error.
  CommandOptions no_cpp;
  no_cpp.env["PATH"] = "/nonexistent";
  r = Shale({"build", "-t", "cpp4", "-f", ctx() + "/Containerfile.in", ctx()}, no_cpp);
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_THAT(r.output, HasSubstr("need cpp (Debian package cpp), which is not installed"));
}

TEST_F(BuildTest, UnresolvableRegistrySaysNoSuchHost) {
  auto r = Build("FROM no-such-registry.invalid/alpine\n", {"--pull=missing"});
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_THAT(r.output, HasSubstr("no such host"));
}

}  // namespace
}  // namespace shale::testing
