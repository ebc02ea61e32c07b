#include "registry/registries_conf.h"

#include <gtest/gtest.h>

#include "registry/internal/toml_lite.h"

namespace shale {
namespace {

TEST(TomlLiteTest, SubsetParses) {
  auto doc = internal::ParseTomlLite(R"(# comment
a = "x\ty\u00e9" # trailing
b = 'lit\eral'
n = -42
t = true
arr = [
  "one", # c
  "two",
]
inline = { k = "v", nested.x = 1 }
[table.sub]
"quoted key" = false
[[list]]
v = 1
[[list.child]]
w = 2
[[list]]
v = 3
)");
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  const auto& j = *doc;
  EXPECT_EQ("x\ty\xc3\xa9", j["a"]);
  EXPECT_EQ("lit\\eral", j["b"]);
  EXPECT_EQ(-42, j["n"]);
  EXPECT_EQ(true, j["t"]);
  EXPECT_EQ(2u, j["arr"].size());
  EXPECT_EQ(1, j["inline"]["nested"]["x"]);
  EXPECT_EQ(false, j["table"]["sub"]["quoted key"]);
  ASSERT_EQ(2u, j["list"].size());
  EXPECT_EQ(2, j["list"][0]["child"][0]["w"]);
  EXPECT_EQ(3, j["list"][1]["v"]);
}

TEST(TomlLiteTest, ErrorsNameTheLine) {
  auto r = internal::ParseTomlLite("a = 1\nb = \"unterminated\n");
  EXPECT_EQ(StatusCode::kInvalidArgument, r.status().code());
  EXPECT_NE(r.status().message().find("line 2"), std::string::npos) << r.status().message();
  EXPECT_EQ(StatusCode::kInvalidArgument, internal::ParseTomlLite("a = 1\na = 2\n").status().code());
  EXPECT_EQ(StatusCode::kInvalidArgument, internal::ParseTomlLite("a = 1.5\n").status().code());
  EXPECT_EQ(StatusCode::kInvalidArgument, internal::ParseTomlLite("a = \"\"\"x\"\"\"\n").status().code());
}

TEST(TomlLiteTest, Caps) {
  EXPECT_EQ(StatusCode::kResourceExhausted, internal::ParseTomlLite(std::string(2 << 20, '#')).status().code());
  EXPECT_EQ(StatusCode::kResourceExhausted,
            internal::ParseTomlLite("a = " + std::string(100, '[') + std::string(100, ']')).status().code());
}

RegistriesConf Conf(const std::string& text) {
  auto c = RegistriesConf::Parse(text);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? *c : RegistriesConf();
}

TEST(RegistriesConfTest, ShortNames) {
  RegistriesConf none;
  EXPECT_EQ("docker.io/library/busybox:latest", ResolveShortName("busybox", none)->ToString());
  auto one = Conf("unqualified-search-registries = [\"quay.io\"]\n");
  EXPECT_EQ("quay.io/busybox:1", ResolveShortName("busybox:1", one)->ToString());
  auto two = Conf("unqualified-search-registries = [\"quay.io\", \"docker.io\"]\n"
                  "[aliases]\n\"fedora\" = \"registry.fedoraproject.org/fedora\"\n");
  auto amb = ResolveShortName("busybox", two);
  EXPECT_EQ(StatusCode::kInvalidArgument, amb.status().code());
  EXPECT_NE(amb.status().message().find("ambiguous: it could be quay.io/busybox:latest, "
                                        "docker.io/library/busybox:latest"),
            std::string::npos)
      << amb.status().message();
  EXPECT_EQ("registry.fedoraproject.org/fedora:39", ResolveShortName("fedora:39", two)->ToString());
  EXPECT_EQ("quay.io/x:latest", ResolveShortName("quay.io/x", two)->ToString());  // qualified: untouched
}

TEST(RegistriesConfTest, EntriesMirrorsAndBlocking) {
  auto c = Conf(R"(
[[registry]]
location = "example.com"
insecure = true
[[registry]]
prefix = "example.com/private"
location = "internal.example.com:5000/mirror"
[[registry.mirror]]
location = "cache.local:5000/private"
insecure = true
[[registry.mirror]]
location = "digest-only.local"
pull-from-mirror = "digest-only"
[[registry]]
location = "evil.example"
blocked = true
[[registry]]
prefix = "*.wild.example"
insecure = true
)");
  auto ref = *ParseReference("example.com/private/app:1");
  const RegistryEntry* e = c.Find(ref);
  ASSERT_NE(nullptr, e);
  EXPECT_EQ("example.com/private", e->prefix);
  auto sources = c.PullSources(ref);
  ASSERT_TRUE(sources.ok());
  ASSERT_EQ(2u, sources->size());  // digest-only mirror skipped for a tag
  EXPECT_EQ("cache.local:5000/private/app:1", (*sources)[0].ref.ToString());
  EXPECT_TRUE((*sources)[0].insecure);
  EXPECT_EQ("internal.example.com:5000/mirror/app:1", (*sources)[1].ref.ToString());
  EXPECT_FALSE((*sources)[1].mirror);
  EXPECT_EQ("internal.example.com:5000/mirror/app:1", c.PushDestination(ref)->ref.ToString());

  EXPECT_TRUE(c.IsInsecure(*ParseReference("example.com/other")));
  EXPECT_FALSE(c.IsInsecure(*ParseReference("example.com.evil/other")));
  EXPECT_FALSE(c.IsInsecure(*ParseReference("example.community/x")));
  EXPECT_TRUE(c.IsInsecure(*ParseReference("a.wild.example/x")));
  EXPECT_EQ(StatusCode::kPermissionDenied, c.PullSources(*ParseReference("evil.example/x")).status().code());
  EXPECT_EQ(StatusCode::kPermissionDenied, c.PushDestination(*ParseReference("evil.example/x")).status().code());
}

TEST(RegistriesConfTest, VersionOneAndMerge) {
  auto v1 = Conf("[registries.search]\nregistries = ['quay.io']\n[registries.insecure]\nregistries = ['h:5000']\n");
  EXPECT_EQ(std::vector<std::string>{"quay.io"}, v1.search_registries);
  EXPECT_TRUE(v1.IsInsecure(*ParseReference("h:5000/x")));
  auto later = Conf("unqualified-search-registries = [\"docker.io\"]\n[[registry]]\nlocation = \"h:5000\"\n");
  v1.Merge(later);
  EXPECT_EQ(std::vector<std::string>{"docker.io"}, v1.search_registries);
  EXPECT_FALSE(v1.IsInsecure(*ParseReference("h:5000/x")));  // replaced by the later entry
}

TEST(RegistriesConfTest, BadTypesAreErrors) {
  EXPECT_EQ(StatusCode::kInvalidArgument, RegistriesConf::Parse("unqualified-search-registries = \"x\"\n").status().code());
  EXPECT_EQ(StatusCode::kInvalidArgument, RegistriesConf::Parse("[[registry]]\ninsecure = 1\n").status().code());
  EXPECT_EQ(StatusCode::kInvalidArgument, RegistriesConf::Parse("[[registry]]\ninsecure = true\n").status().code());
}

TEST(RegistriesConfTest, LoadHonoursEnvironment) {
  char tmpl[] = "/tmp/shale-conf-XXXXXX";
  int fd = mkstemp(tmpl);
  ASSERT_GE(fd, 0);
  std::string text = "unqualified-search-registries = [\"quay.io\"]\n";
  ASSERT_EQ(static_cast<ssize_t>(text.size()), write(fd, text.data(), text.size()));
  close(fd);
  setenv("CONTAINERS_REGISTRIES_CONF", tmpl, 1);
  auto c = RegistriesConf::Load();
  unsetenv("CONTAINERS_REGISTRIES_CONF");
  unlink(tmpl);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(std::vector<std::string>{"quay.io"}, c->search_registries);
}

}  // namespace
}  // namespace shale
