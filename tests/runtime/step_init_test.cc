#include "runtime/step_init.h"

#include <errno.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "runtime/oci_config.h"

namespace shale::runtime {
namespace {

TEST(StepInitReport, ExitAndSignal) {
  auto e = ParseStepInitReport("exit 143\n", "sh");
  ASSERT_TRUE(e.has_value());
  ASSERT_TRUE(e->ok());
  EXPECT_EQ((*e)->exit_code, 143);
  EXPECT_EQ((*e)->signal, 0);
  auto s = ParseStepInitReport("signal 15\n", "sh");
  ASSERT_TRUE(s.has_value());
  ASSERT_TRUE(s->ok());
  EXPECT_EQ((*s)->signal, 15);
  EXPECT_FALSE((*s)->success());
}

TEST(StepInitReport, ExecFailureIsAStatus) {
  auto nf = ParseStepInitReport("exec 2\n", "no-such");
  ASSERT_TRUE(nf.has_value());
  EXPECT_EQ(nf->status().code(), StatusCode::kNotFound);
  EXPECT_EQ(nf->status().message(), "exec no-such: executable file not found");
  auto denied = ParseStepInitReport("exec " + std::to_string(EACCES) + "\n", "/x");
  ASSERT_TRUE(denied.has_value());
  EXPECT_EQ(denied->status().code(), StatusCode::kPermissionDenied);
}

TEST(StepInitReport, IncompleteOrGarbageIsNoReport) {
  for (const char* r : {"", "exit", "exit 1", "exit \n", "exit x\n", "exit -1\n", "died 1\n", "signal 9 9\n"}) {
    EXPECT_FALSE(ParseStepInitReport(r, "sh").has_value()) << r;
  }
}

TEST(StepInitBinary, IsAnEmbeddedElfExecutable) {
  std::string_view bin = StepInitBinary();
  ASSERT_GT(bin.size(), 1000u);
  EXPECT_EQ(bin.substr(0, 4), std::string_view("\x7f" "ELF", 4));
}

TEST(MakeOciConfig, StepInitRunsTheStepFromTheDevTmpfs) {
  RunSpec spec;
  spec.args = {"/bin/sh", "-c", "true"};
  spec.rootfs = "/r";
  auto text = MakeOciConfig(spec, EtcFileSources{}, false, "/scratch/init");
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  auto j = nlohmann::json::parse(*text);
  EXPECT_EQ(j["process"]["args"], nlohmann::json({kStepInitPath, "/bin/sh", "-c", "true"}));
  bool found = false;
  bool after_dev = false;
  for (const auto& m : j["mounts"]) {
    if (m["destination"] == "/dev") after_dev = true;
    if (m["destination"] != kStepInitPath) continue;
    found = true;
    EXPECT_TRUE(after_dev) << "mounted before the /dev tmpfs would hide it";
    EXPECT_EQ(m["source"], "/scratch/init");
    auto opts = m["options"].get<std::vector<std::string>>();
    EXPECT_NE(std::find(opts.begin(), opts.end(), "ro"), opts.end());
  }
  EXPECT_TRUE(found);
  auto plain = nlohmann::json::parse(*MakeOciConfig(spec, EtcFileSources{}, false));
  EXPECT_EQ(plain["process"]["args"], nlohmann::json({"/bin/sh", "-c", "true"}));
}

}  // namespace
}  // namespace shale::runtime
