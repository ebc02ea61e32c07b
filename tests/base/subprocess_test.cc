// RunProcess: stdin from a string or an fd, both streams captured and capped,
// exit codes, a child that never reads its input, a missing program.
#include "base/subprocess.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "base/fd.h"

namespace shale {
namespace {

TEST(RunProcess, FeedsStdinAndCapturesBothStreams) {
  ProcessOptions o;
  o.stdin_data = "hello\n";
  auto r = RunProcess({"sh", "-c", "cat; echo oops >&2; exit 3"}, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->out, "hello\n");
  EXPECT_EQ(r->err, "oops\n");
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_FALSE(r->ok());
  EXPECT_FALSE(r->truncated);
}

TEST(RunProcess, StdinFromAnFdAndStderrDiscarded) {
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  ASSERT_TRUE(WriteAll(p[1], std::string("from fd")).ok());
  ::close(p[1]);
  UniqueFd in(p[0]);
  ProcessOptions o;
  o.stdin_fd = in.get();
  o.capture_stderr = false;
  auto r = RunProcess({"sh", "-c", "cat; echo hidden >&2"}, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->out, "from fd");
  EXPECT_EQ(r->err, "");
  EXPECT_TRUE(r->ok());
}

TEST(RunProcess, AChildThatNeverReadsItsInputDoesNotHangUs) {
  ProcessOptions o;
  o.stdin_data = std::string(4 << 20, 'x');  // far more than a pipe holds
  auto r = RunProcess({"sh", "-c", "head -c 3 >/dev/null; yes | head -c 200000"}, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(r->out.size(), 200000u);
}

TEST(RunProcess, OutputBeyondTheCapIsDroppedAndSaid) {
  ProcessOptions o;
  o.max_output = 1000;
  auto r = RunProcess({"sh", "-c", "yes | head -c 5000"}, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->truncated);
  EXPECT_LE(r->out.size(), 1000u);
}

TEST(RunProcess, AMissingProgramIsNotFound) {
  auto r = RunProcess({"shale-no-such-program-xyz"});
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound) << r.status().ToString();
  EXPECT_EQ(RunProcess({}).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace shale
