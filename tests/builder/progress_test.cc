#include "builder/progress.h"

#include <cstdio>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace shale {
namespace {

std::string Capture(ProgressMode mode, void (*fn)(Progress&)) {
  char* buf = nullptr;
  size_t len = 0;
  std::FILE* f = open_memstream(&buf, &len);
  {
    Progress p(mode, f);
    fn(p);
  }
  std::fclose(f);
  std::string out(buf, len);
  free(buf);
  return out;
}

void Script(Progress& p) {
  p.Step({"builder", 1, 2, 3, 6, 3, "RUN go build"});
  p.CacheHit(3, "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
  p.Output(3, "stdout", "hi\n");
  p.Done(3, 1.5);
  p.Commit({"localhost/api:1"}, "sha256:9b1c0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab");
}

TEST(ProgressTest, PlainReadsLikeAJobLog) {
  EXPECT_EQ(Capture(ProgressMode::kPlain, Script),
            "[1/2] STEP 3/6: RUN go build\n"
            "--> Using cache 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
            "--> 0123456789ab\nhi\n--> 1.50s\n"
            "COMMIT localhost/api:1\n--> 9b1c01234567\nSuccessfully tagged localhost/api:1\n"
            "9b1c0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab\n");
}

TEST(ProgressTest, JsonIsOneObjectPerLine) {
  std::string out = Capture(ProgressMode::kJson, Script);
  size_t lines = 0, start = 0;
  std::vector<std::string> events;
  while (start < out.size()) {
    size_t nl = out.find('\n', start);
    ASSERT_NE(nl, std::string::npos);
    auto j = nlohmann::json::parse(out.substr(start, nl - start));
    events.push_back(j["event"]);
    ++lines;
    start = nl + 1;
  }
  EXPECT_EQ(events, (std::vector<std::string>{"step", "cache", "output", "done", "commit"}));
}

TEST(ProgressTest, SingleStageStepsHaveNoStageTag) {
  std::string out = Capture(ProgressMode::kPlain, [](Progress& p) { p.Step({"", 1, 1, 2, 2, 2, "RUN true"}); });
  EXPECT_EQ(out, "STEP 2/2: RUN true\n");
}

TEST(ProgressTest, QuietPrintsOnlyTheId) {
  EXPECT_EQ(Capture(ProgressMode::kQuiet, Script),
            "9b1c0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab\n");
}

}  // namespace
}  // namespace shale
