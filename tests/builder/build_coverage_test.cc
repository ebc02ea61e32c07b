// Build features whose effect is easy to overlook: cache-mount ownership and
// ids, --no-cache-filter, --jobs running independent stages at once,
// --network none, --annotation.
#include <unistd.h>

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/builder/build_fixture.h"

namespace shale::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;

// A cache id no other test (or earlier run against a kept store) uses.
std::string UniqueId(const std::string& stem) {
  return stem + "-" + std::to_string(::getpid()) + "-" + std::to_string(::time(nullptr));
}

int Count(const std::string& haystack, const std::string& needle) {
  int n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
  return n;
}

TEST_F(BuildTest, CacheMountOwnerModeAndIdApply) {
  REQUIRE_RUN();
  std::string id = UniqueId("owned");
  auto r = Build("FROM busybox\n"
                 "RUN --mount=type=cache,id=" + id + ",target=/c,uid=1000,gid=1001,mode=0750 "
                 "stat -c '%u:%g %a' /c > /owner.txt && echo kept > /c/f\n"
                 // Same id, another target: the same directory.
                 "RUN --mount=type=cache,id=" + id + ",target=/other cat /other/f > /seen.txt\n"
                 // Another id: another, empty directory.
                 "RUN --mount=type=cache,id=" + id + "-2,target=/c ls -A /c > /fresh.txt\n",
                 {"-t", "cacheowner"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(FileInImage("cacheowner", "owner.txt"), "1000:1001 750\n");
  EXPECT_EQ(FileInImage("cacheowner", "seen.txt"), "kept\n");
  EXPECT_EQ(FileInImage("cacheowner", "fresh.txt"), "");
}

// A --squash build defers its steps' changes to one final layer; it must not
// leave cache entries that a later normal build would take as those steps.
TEST_F(BuildTest, SquashBuildLeavesNoCacheEntriesForItsSteps) {
  REQUIRE_RUN();
  std::string id = UniqueId("sq");
  std::string file = "FROM busybox\nRUN echo " + id + " > /sq.txt\nRUN echo two > /two.txt\n";
  auto r = Build(file, {"--squash", "-t", "squashed"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = Build(file, {"-t", "unsquashed"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, Not(HasSubstr("--> Using cache"))) << "the squash build cached its steps";
  EXPECT_EQ(FileInImage("unsquashed", "sq.txt"), id + "\n");
  EXPECT_EQ(FileInImage("unsquashed", "two.txt"), "two\n");
}

TEST_F(BuildTest, NoCacheFilterRerunsOnlyTheNamedStage) {
  REQUIRE_RUN();
  std::string file = "FROM busybox AS a\nRUN echo a > /a.txt\n"
                     "FROM busybox AS b\nRUN echo b > /b.txt\nCOPY --from=a /a.txt /\n";
  auto r = Build(file, {"-t", "filter"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = Build(file, {"-t", "filter"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(Count(r.output, "--> Using cache"), 3) << r.output;
  r = Build(file, {"-t", "filter", "--no-cache-filter", "a"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // Stage a's RUN reruns; stage b's RUN and COPY still hit.
  EXPECT_EQ(Count(r.output, "--> Using cache"), 2) << r.output;
  size_t run_a = r.output.find("RUN echo a > /a.txt");
  ASSERT_NE(run_a, std::string::npos) << r.output;
  EXPECT_THAT(r.output.substr(run_a, r.output.find("STEP", run_a) - run_a), Not(HasSubstr("Using cache")));
}

// Two stages that each wait (up to 5 s) for the other to show up in a shared
// cache mount: they can only both finish when they run at the same time.
TEST_F(BuildTest, JobsRunsIndependentStagesAtOnce) {
  REQUIRE_RUN();
  auto file = [](const std::string& id) {
    auto stage = [&](const std::string& me, const std::string& other) {
      return "FROM busybox AS " + me + "\nRUN --mount=type=cache,id=" + id + ",target=/rv touch /rv/" + me +
             "; i=0; while [ ! -e /rv/" + other + " ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done; test -e /rv/" +
             other + " && echo " + me + " > /" + me + ".txt\n";
    };
    return stage("a", "b") + stage("b", "a") + "FROM busybox\nCOPY --from=a /a.txt /\nCOPY --from=b /b.txt /\n";
  };
  auto r = Build(file(UniqueId("rv-jobs2")), {"--jobs", "2", "-t", "jobs2"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(FileInImage("jobs2", "a.txt"), "a\n");
  EXPECT_EQ(FileInImage("jobs2", "b.txt"), "b\n");
  r = Build(file(UniqueId("rv-jobs1")), {"--jobs", "1", "-t", "jobs1"});
  EXPECT_EQ(r.exit_code, 1) << "with --jobs 1 the first stage waits alone and fails: " << r.output;
  EXPECT_FALSE(ImageExists("jobs1"));
}

TEST_F(BuildTest, NetworkNoneLeavesOnlyLoopback) {
  REQUIRE_RUN();
  std::string file = "FROM busybox\nRUN tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort > /ifaces.txt\n";
  auto r = Build(file, {"--no-cache", "--network", "none", "-t", "netnone"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(FileInImage("netnone", "ifaces.txt"), "lo\n");
  r = Build(file, {"--no-cache", "--network", "host", "-t", "nethost"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::string host = FileInImage("nethost", "ifaces.txt");
  if (host == "lo\n") GTEST_SKIP() << "this host has no interface besides lo: nothing to contrast with";
  EXPECT_THAT(host, HasSubstr("lo\n"));
}

TEST_F(BuildTest, AnnotationGoesIntoTheManifestNotTheConfig) {
  auto r = Build("FROM busybox\nLABEL l=1\n", {"--annotation", "org.example.team=api", "--annotation", "x=y=z",
                                               "-t", "annotated"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  json img = Inspect("annotated");
  EXPECT_EQ(img["Annotations"]["org.example.team"], "api");
  EXPECT_EQ(img["Annotations"]["x"], "y=z");
  EXPECT_FALSE(img["Labels"].contains("org.example.team"));
  // As buildah: a key without "=" is an annotation with an empty value.
  r = Build("FROM busybox\nLABEL l=1\n", {"--annotation", "novalue", "-t", "annotated2"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(Inspect("annotated2")["Annotations"]["novalue"], "");
}

}  // namespace
}  // namespace shale::testing
