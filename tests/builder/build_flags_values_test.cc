// Unit tests of the `shale build` flag-value parsers (builder/build_flag_values.h)
// and the --log-rusage line format (builder/rusage.h).
#include "builder/build_flag_values.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "builder/rusage.h"

namespace shale {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(OutputFlag, LongAndShortForms) {
  auto o = ParseOutputFlag("type=local,dest=out/dir");
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->type, "local");
  EXPECT_EQ(o->dest, "out/dir");
  o = ParseOutputFlag("dest=x.tar,type=tar");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->type, "tar");
  EXPECT_EQ(o->dest, "x.tar");
  o = ParseOutputFlag("somedir");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->type, "local");
  EXPECT_EQ(o->dest, "somedir");
  o = ParseOutputFlag("-");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->type, "tar");
  EXPECT_EQ(o->dest, "-");
}

TEST(OutputFlag, Errors) {
  EXPECT_EQ(ParseOutputFlag("").status().code(), StatusCode::kInvalidArgument);
  auto o = ParseOutputFlag("type=oci,dest=x");
  EXPECT_EQ(o.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(o.status().message(), HasSubstr("accepted types are local and tar"));
  o = ParseOutputFlag("type=tar");
  EXPECT_THAT(o.status().message(), HasSubstr("dest is required"));
  o = ParseOutputFlag("type=local,dest=-");
  EXPECT_EQ(o.status().code(), StatusCode::kInvalidArgument);
  o = ParseOutputFlag("type=local,dest=x,push=true");
  EXPECT_THAT(o.status().message(), HasSubstr("accepted keys are type and dest"));
}

TEST(GoDuration, Values) {
  EXPECT_EQ(*ParseGoDurationMs(".01s"), 10);
  EXPECT_EQ(*ParseGoDurationMs("0"), 0);
  EXPECT_EQ(*ParseGoDurationMs("1h30m"), 5400000);
  EXPECT_EQ(*ParseGoDurationMs("250ms"), 250);
  EXPECT_EQ(*ParseGoDurationMs("1.5s"), 1500);
  EXPECT_EQ(*ParseGoDurationMs("1500us"), 1);
  EXPECT_EQ(*ParseGoDurationMs("-2s"), -2000);
}

TEST(GoDuration, ErrorsUseGoWording) {
  EXPECT_EQ(ParseGoDurationMs("10").status().message(), "time: missing unit in duration \"10\"");
  EXPECT_EQ(ParseGoDurationMs("5d").status().message(), "time: unknown unit \"d\" in duration \"5d\"");
  EXPECT_EQ(ParseGoDurationMs("").status().message(), "time: invalid duration \"\"");
  EXPECT_EQ(ParseGoDurationMs("s").status().message(), "time: invalid duration \"s\"");
  EXPECT_EQ(ParseGoDurationMs("..s").status().code(), StatusCode::kInvalidArgument);
}

TEST(BuildContextFlag, SplitsOnTheFirstEquals) {
  auto c = ParseBuildContextFlag("name=docker-image://a/b:c=d");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->name, "name");
  EXPECT_EQ(c->value, "docker-image://a/b:c=d");
  EXPECT_EQ(ParseBuildContextFlag("name").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseBuildContextFlag("=x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseBuildContextFlag("x=").status().code(), StatusCode::kInvalidArgument);
}

TEST(DeviceFlag, Forms) {
  auto d = ParseDeviceFlag("/dev/null");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->host, "/dev/null");
  EXPECT_EQ(d->container, "/dev/null");
  EXPECT_EQ(d->permissions, "rwm");
  d = ParseDeviceFlag("/dev/null:/test/dev/null");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->container, "/test/dev/null");
  d = ParseDeviceFlag("/dev/zero:r");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->container, "/dev/zero");
  EXPECT_EQ(d->permissions, "r");
  d = ParseDeviceFlag("/dev/zero:/z:rw");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->permissions, "rw");
  EXPECT_EQ(ParseDeviceFlag("dev/null").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseDeviceFlag("/dev/null:rel/path:rw").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseDeviceFlag("/dev/null:/x:rwx").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseDeviceFlag("/a:/b:r:w").status().code(), StatusCode::kInvalidArgument);
}

TEST(Capabilities, Names) {
  auto c = ParseCapabilities({"cap_sys_ptrace", "CAP_CHOWN,dac_override", "NET_RAW"});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_THAT(*c, ElementsAre(19, 0, 1, 13));
  auto all = ParseCapabilities({"all"});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 41u);
  auto bad = ParseCapabilities({"cap_chown,cap_fly"});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "unknown capability \"cap_fly\"");
}

TEST(Rusage, LineHasBuildahsFields) {
  RusageSample s;
  s.system_seconds = 0.25;
  s.user_seconds = 1.5;
  s.elapsed_seconds = 2;
  s.input_blocks = 3;
  s.output_blocks = 8;
  EXPECT_EQ(FormatRusage(s), "0.250s (system) 1.500s (user) 2.000s (elapsed) 3/8 (input/output blocks)");
  RusageMeter meter;
  EXPECT_THAT(meter.Line(), ::testing::MatchesRegex(".*\\(system\\).*\\(user\\).*\\(elapsed\\).*input.*output.*"));
}

}  // namespace
}  // namespace shale
