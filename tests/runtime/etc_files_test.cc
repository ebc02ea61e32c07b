// The step's /etc/resolv.conf and /etc/hosts: --dns, --dns-search,
// --dns-option replace the host's lines of their kind and keep the rest;
// --add-host lines follow the localhost ones.
#include "runtime/internal/etc_files.h"

#include <gtest/gtest.h>

namespace shale::runtime::internal {
namespace {

constexpr char kHost[] =
    "# from the host\n"
    "domain corp.example\n"
    "search corp.example lab.example\n"
    "nameserver 10.0.0.1\n"
    "nameserver 10.0.0.2\n"
    "options ndots:2\n";

TEST(ResolvConf, UnchangedWithoutOverrides) {
  RunSpec spec;
  EXPECT_EQ(ResolvConfContent(kHost, spec), kHost);
}

TEST(ResolvConf, EachListReplacesOnlyItsKind) {
  RunSpec spec;
  spec.dns_servers = {"223.5.5.5", "1.1.1.1"};
  EXPECT_EQ(ResolvConfContent(kHost, spec),
            "# from the host\ndomain corp.example\nsearch corp.example lab.example\noptions ndots:2\n"
            "nameserver 223.5.5.5\nnameserver 1.1.1.1\n");
  spec = RunSpec();
  spec.dns_search = {"example.com"};
  spec.dns_options = {"use-vc", "ndots:1"};
  EXPECT_EQ(ResolvConfContent(kHost, spec),
            "# from the host\nnameserver 10.0.0.1\nnameserver 10.0.0.2\nsearch example.com\noptions use-vc ndots:1\n");
}

TEST(ResolvConf, WithoutAHostFileOnlyTheOverrides) {
  RunSpec spec;
  spec.dns_servers = {"9.9.9.9"};
  EXPECT_EQ(ResolvConfContent("", spec), "nameserver 9.9.9.9\n");
}

TEST(HostsFile, ExtraEntriesFollowLocalhostAndTheHostname) {
  EXPECT_EQ(HostsFileContent("shale", {{"db", "10.1.2.3"}, {"v6", "fd00::1"}}),
            "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\tshale\n"
            "10.1.2.3\tdb\nfd00::1\tv6\n");
}

}  // namespace
}  // namespace shale::runtime::internal
