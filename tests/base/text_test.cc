#include "base/text.h"

#include <gtest/gtest.h>

namespace shale {
namespace {

TEST(SplitLines, LinesWithoutTheirNewlines) {
  using V = std::vector<std::string_view>;
  EXPECT_EQ(SplitLines("a\nb\n"), (V{"a", "b"}));
  EXPECT_EQ(SplitLines("a\n\nb"), (V{"a", "", "b"}));
  EXPECT_EQ(SplitLines("\n"), (V{""}));
  EXPECT_EQ(SplitLines(""), V{});
  EXPECT_EQ(SplitLines("no newline"), (V{"no newline"}));
}

TEST(PathComponents, DropsEmptyComponentsAndKeepsDots) {
  using V = std::vector<std::string_view>;
  EXPECT_EQ(PathComponents("/a//b/./c/"), (V{"a", "b", ".", "c"}));
  EXPECT_EQ(PathComponents("../x"), (V{"..", "x"}));
  EXPECT_EQ(PathComponents("name"), (V{"name"}));
  EXPECT_EQ(PathComponents("/"), V{});
  EXPECT_EQ(PathComponents(""), V{});
}

}  // namespace
}  // namespace shale
