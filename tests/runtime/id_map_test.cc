#include "runtime/id_map.h"

#include <gtest/gtest.h>

#include "runtime/userns_reexec.h"

namespace shale::runtime {
namespace {

TEST(FindSubIdRanges, ByNameOrUidInFileOrder) {
  const char* text =
      "alice:100000:65536\n"
      "# bob:1:1\n"
      "1001:300000:1000\n"
      "bob:200000:65536\n"
      "alice:500000:10\n"
      "alice:bad:10\n"
      "alice:600000:0\n";
  EXPECT_EQ(FindSubIdRanges(text, "alice", 1000),
            (std::vector<SubIdRange>{{100000, 65536}, {500000, 10}}));
  EXPECT_EQ(FindSubIdRanges(text, "bob", 1001), (std::vector<SubIdRange>{{300000, 1000}, {200000, 65536}}));
  EXPECT_TRUE(FindSubIdRanges(text, "carol", 1002).empty());
}

TEST(RootlessMapping, UserIsRootThenRangesBackToBack) {
  auto m = RootlessMapping(1000, {{100000, 65536}, {500000, 10}});
  EXPECT_EQ(m, (std::vector<IdMapping>{{0, 1000, 1}, {1, 100000, 65536}, {65537, 500000, 10}}));
  EXPECT_EQ(FormatIdMap(m), "0 1000 1\n1 100000 65536\n65537 500000 10\n");
  EXPECT_EQ(NewIdMapArgs(42, m), (std::vector<std::string>{"42", "0", "1000", "1", "1", "100000", "65536",
                                                           "65537", "500000", "10"}));
  uint32_t host = 0;
  EXPECT_TRUE(MapToHost(m, 1000, &host));
  EXPECT_EQ(host, 100999u);
  EXPECT_FALSE(MapToHost(m, 70000, &host));
}

TEST(ParseIdMap, InitialNamespace) {
  auto m = ParseIdMap("         0          0 4294967295\n");
  EXPECT_TRUE(IsInitialUserNamespaceMap(m));
  EXPECT_FALSE(IsInitialUserNamespaceMap(ParseIdMap("0 1000 1\n1 100000 65536\n")));
  EXPECT_EQ(ParseIdMap("0 1000 1\n1 100000 65536\n").size(), 2u);
}

TEST(PlanUserNamespaceMaps, FullMappingWithHelpers) {
  auto p = PlanUserNamespaceMaps(1000, 1000, "alice", "alice:100000:65536\n", "alice:200000:65536\n");
  EXPECT_TRUE(p.use_helpers);
  EXPECT_TRUE(p.warning.empty());
  EXPECT_EQ(p.uid_map, (std::vector<IdMapping>{{0, 1000, 1}, {1, 100000, 65536}}));
  EXPECT_EQ(p.gid_map, (std::vector<IdMapping>{{0, 1000, 1}, {1, 200000, 65536}}));
}

TEST(PlanUserNamespaceMaps, NoRangeFallsBackToSingleIdWithWarning) {
  auto p = PlanUserNamespaceMaps(1000, 1000, "alice", "", "alice:200000:65536\n");
  EXPECT_FALSE(p.use_helpers);
  EXPECT_EQ(p.uid_map, (std::vector<IdMapping>{{0, 1000, 1}}));
  EXPECT_EQ(p.gid_map, (std::vector<IdMapping>{{0, 1000, 1}}));
  EXPECT_NE(p.warning.find("no /etc/subuid range for alice"), std::string::npos);
  EXPECT_NE(p.warning.find("usermod --add-subuids"), std::string::npos);
}

}  // namespace
}  // namespace shale::runtime
