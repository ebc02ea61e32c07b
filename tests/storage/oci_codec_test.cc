#include <gtest/gtest.h>

#include <string>

#include "storage/oci/descriptor_json.h"
#include "storage/oci/image_config.h"
#include "storage/oci/index.h"
#include "storage/oci/json.h"
#include "storage/oci/layout.h"
#include "storage/oci/manifest.h"
#include "storage/oci/media_types.h"

namespace shale::oci {
namespace {

using nlohmann::json;

const char kHex1[] = "sha256:c86f7763873b6c0aae22d963bab59b4f5debbed6685761b5951584f6efb0633b";
const char kHex2[] = "sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270";

Descriptor Desc(const char* mt, const char* digest, int64_t size) {
  Descriptor d;
  d.media_type = mt;
  d.digest = *Digest::Parse(digest);
  d.size = size;
  return d;
}

TEST(JsonTest, CapsSizeAndDepth) {
  std::string big(kMaxJsonBytes + 1, ' ');
  auto r = ParseJson(big, "manifest");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(r.status().message().find("cap of 4194304 bytes"), std::string::npos) << r.status().ToString();

  std::string deep(100000, '[');
  r = ParseJson(deep, "index");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(r.status().message().find("nesting"), std::string::npos);

  // Brackets inside strings do not count.
  std::string in_string = "{\"a\":\"" + std::string(1000, '[') + "\"}";
  EXPECT_TRUE(ParseJson(in_string, "x").ok());
}

TEST(JsonTest, MalformedIsInvalidArgumentWithPosition) {
  auto r = ParseJson("{\"a\": tru}", "config");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("config: malformed JSON"), std::string::npos);
  r = ParseJson("{\"a\":\"\xff\"}", "config");
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST(JsonTest, CanonicalIsSortedAndCompact) {
  json j = json::parse(R"({ "b": 1, "a": {"z": [1, 2], "y": "x"} })");
  EXPECT_EQ(CanonicalJson(j), R"({"a":{"y":"x","z":[1,2]},"b":1})");
}

TEST(DescriptorJsonTest, RoundTripAllFields) {
  Descriptor d = Desc(media_type::kOciManifest, kHex1, 7);
  d.urls = {"https://example.com/x"};
  d.annotations = {{"k", "v"}};
  d.platform = Platform{"linux", "arm", "v7", "", {}};
  d.artifact_type = "application/vnd.example+json";
  d.data = "aGk=";
  std::string s = SerializeDescriptor(d);
  auto back = ParseDescriptor(s);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, d);
  EXPECT_EQ(SerializeDescriptor(*back), s);
}

TEST(DescriptorJsonTest, ErrorsNameTheField) {
  auto r = ParseDescriptor(R"({"mediaType":"a/b","size":-1,"digest":"sha256:00"})");
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "descriptor: size: must be a non-negative integer");
  r = ParseDescriptor(std::string(R"({"mediaType":"a/b","size":1,"digest":")") + kHex1 + "x\"}");
  EXPECT_NE(r.status().message().find("descriptor: digest: invalid digest"), std::string::npos) << r.status().ToString();
  r = ParseDescriptor(std::string(R"({"size":1,"digest":")") + kHex1 + "\"}");
  EXPECT_EQ(r.status().message(), "descriptor: mediaType: required field missing");
}

TEST(DescriptorJsonTest, UnregisteredDigestAlgorithmKeptButNotSha256) {
  auto d = ParseDescriptorDigest("multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->algorithm(), "multihash+base58");
  EXPECT_FALSE(ParseDescriptorDigest("../x:abc").ok());
  EXPECT_FALSE(ParseDescriptorDigest("sha256:../../etc").ok());
  EXPECT_FALSE(ParseDescriptorDigest("a/b:abc").ok());
}

Manifest SampleManifest() {
  Manifest m;
  m.config = Desc(media_type::kOciConfig, kHex1, 100);
  m.layers = {Desc(media_type::kOciLayerGzip, kHex2, 200), Desc(media_type::kOciLayer, kHex1, 300)};
  m.annotations = {{"org.opencontainers.image.created", "2024-01-01T00:00:00Z"}};
  return m;
}

TEST(ManifestTest, RoundTripKeepsUnknownFields) {
  json j = ManifestToJson(SampleManifest());
  j["x-future"] = {{"nested", {1, 2, 3}}};
  std::string bytes = CanonicalJson(j);
  auto m = ParseManifest(bytes);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->extra["x-future"]["nested"][2], 3);
  EXPECT_EQ(SerializeManifest(*m), bytes);
}

TEST(ManifestTest, SerializeIsDeterministic) {
  EXPECT_EQ(SerializeManifest(SampleManifest()), SerializeManifest(SampleManifest()));
  EXPECT_EQ(SerializeManifest(SampleManifest()).find(' '), std::string::npos);
}

TEST(ManifestTest, RejectsWrongDocumentKinds) {
  auto r = ParseManifest(R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]})");
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("is an image index"), std::string::npos);
  r = ParseManifest(R"({"schemaVersion":1,"name":"x","fsLayers":[]})");
  EXPECT_EQ(r.status().code(), StatusCode::kUnimplemented);
  r = ParseManifest(R"({"schemaVersion":2,"mediaType":"application/vnd.example.thing+json"})");
  EXPECT_EQ(r.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(r.status().message().find("unsupported manifest media type"), std::string::npos);
  r = ParseManifest("[1]");
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST(ManifestTest, ZeroLayerManifestsParseButFailTheStrictSchemaCheck) {
  Manifest m = SampleManifest();
  m.media_type = media_type::kDockerManifest;
  m.layers.clear();
  m.annotations.clear();
  EXPECT_TRUE(ParseManifest(SerializeManifest(m)).ok());
  EXPECT_TRUE(ParseManifestStrict(SerializeManifest(m)).ok());
  // A metadata-only FROM scratch build (buildah, BuildKit) has no layers:
  // the store must read it back.
  m.media_type = media_type::kOciManifest;
  auto parsed = ParseManifest(SerializeManifest(m));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_TRUE(parsed->layers.empty());
  // The JSON schema's minItems: 1 is still available where it must hold.
  auto strict = ParseManifestStrict(SerializeManifest(m));
  EXPECT_EQ(strict.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(strict.status().message().find("at least one layer"), std::string::npos) << strict.status().ToString();
  EXPECT_EQ(CheckManifestSchema(*parsed).code(), StatusCode::kInvalidArgument);
}

TEST(ManifestTest, ConvertBothWays) {
  Manifest m = SampleManifest();
  m.layers[0].annotations = {{"a", "b"}};
  auto docker = ConvertManifest(m, ImageFormat::kDocker);
  ASSERT_TRUE(docker.ok());
  EXPECT_EQ(docker->media_type, media_type::kDockerManifest);
  EXPECT_EQ(docker->config.media_type, media_type::kDockerConfig);
  EXPECT_EQ(docker->layers[0].media_type, media_type::kDockerLayerGzip);
  EXPECT_EQ(docker->layers[1].media_type, kDockerLayer);
  EXPECT_TRUE(docker->annotations.empty());
  EXPECT_TRUE(docker->layers[0].annotations.empty());
  auto oci = ConvertManifest(*docker, ImageFormat::kOci);
  ASSERT_TRUE(oci.ok());
  EXPECT_EQ(oci->media_type, media_type::kOciManifest);
  EXPECT_EQ(oci->layers[0].media_type, media_type::kOciLayerGzip);
  EXPECT_EQ(oci->layers[1].media_type, media_type::kOciLayer);

  m.layers[1].media_type = media_type::kOciLayerZstd;
  auto zstd = ConvertManifest(m, ImageFormat::kDocker);
  EXPECT_EQ(zstd.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(zstd.status().message().find("zstd"), std::string::npos);
}

TEST(MediaTypesTest, Classification) {
  EXPECT_TRUE(IsManifestMediaType(media_type::kDockerManifest));
  EXPECT_TRUE(IsIndexMediaType(media_type::kDockerManifestList));
  EXPECT_TRUE(IsLayerMediaType(media_type::kDockerForeignLayerGzip));
  EXPECT_EQ(LayerCompressionOf(media_type::kOciLayerZstd), LayerCompression::kZstd);
  EXPECT_EQ(LayerCompressionOf(media_type::kOciConfig), LayerCompression::kUnknown);
  EXPECT_EQ(*ParseImageFormat("docker"), ImageFormat::kDocker);
  EXPECT_EQ(ParseImageFormat("qcow").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(*DetectManifestMediaType(R"({"schemaVersion":2,"manifests":[]})"), media_type::kOciIndex);
  EXPECT_EQ(*DetectManifestMediaType(R"({"schemaVersion":2,"config":{},"layers":[]})"), media_type::kOciManifest);
  EXPECT_EQ(*DetectManifestMediaType(R"({"schemaVersion":1,"signatures":[]})"), media_type::kDockerSchema1Signed);
}

Index SampleIndex() {
  Index index;
  auto add = [&](const char* platform, const char* digest) {
    Descriptor d = Desc(media_type::kOciManifest, digest, 10);
    Platform p;
    std::string s = platform;
    size_t a = s.find('/'), b = s.find('/', a + 1);
    p.os = s.substr(0, a);
    p.architecture = s.substr(a + 1, b == std::string::npos ? std::string::npos : b - a - 1);
    if (b != std::string::npos) p.variant = s.substr(b + 1);
    d.platform = p;
    index.manifests.push_back(d);
  };
  add("unknown/unknown", kHex2);
  add("linux/amd64", kHex1);
  add("linux/arm/v6", kHex2);
  add("linux/arm/v7", kHex1);
  add("linux/arm64/v8", kHex2);
  return index;
}

TEST(IndexTest, RoundTripAndUnknownFields) {
  json j = IndexToJson(SampleIndex());
  j["vendor"] = "x";
  auto index = ParseIndex(CanonicalJson(j));
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  EXPECT_EQ(index->manifests.size(), 5u);
  EXPECT_EQ(index->extra["vendor"], "x");
  EXPECT_EQ(SerializeIndex(*index), CanonicalJson(j));
}

TEST(IndexTest, EntryErrorsNameTheEntry) {
  auto r = ParseIndex(R"({"schemaVersion":2,"manifests":[{"mediaType":"a/b","size":1,"digest":"x"}]})");
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("index: manifests[0]: digest:"), std::string::npos) << r.status().ToString();
}

TEST(IndexTest, SelectPlatform) {
  Index index = SampleIndex();
  auto amd = SelectPlatform(index, *Platform::Parse("linux/amd64"));
  ASSERT_TRUE(amd.ok());
  EXPECT_EQ(amd->platform->architecture, "amd64");
  auto v7 = SelectPlatform(index, *Platform::Parse("linux/arm/v7"));
  ASSERT_TRUE(v7.ok());
  EXPECT_EQ(v7->platform->variant, "v7");
  auto v6 = SelectPlatform(index, *Platform::Parse("linux/arm/v6"));
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->platform->variant, "v6");
  auto arm64 = SelectPlatform(index, *Platform::Parse("linux/arm64"));
  ASSERT_TRUE(arm64.ok()) << arm64.status().ToString();
  EXPECT_EQ(arm64->platform->architecture, "arm64");
  auto s390 = SelectPlatform(index, *Platform::Parse("linux/s390x"));
  EXPECT_EQ(s390.status().code(), StatusCode::kNotFound);
  EXPECT_NE(s390.status().message().find("linux/amd64"), std::string::npos);
  EXPECT_EQ(s390.status().message().find("unknown"), std::string::npos);
}

const char kDockerConfig[] = R"({
  "architecture": "amd64", "os": "linux", "created": "2024-02-03T04:05:06.123456789Z",
  "author": "me", "docker_version": "24.0.0",
  "container_config": {"Hostname": "abc", "Cmd": ["/bin/sh"]},
  "config": {
    "Hostname": "", "User": "1000:1000", "ExposedPorts": {"80/tcp": {}, "53/udp": {}},
    "Env": ["PATH=/bin", "EMPTY="], "Entrypoint": null, "Cmd": ["sh", "-c", "echo hi"],
    "Volumes": {"/data": {}}, "WorkingDir": "/srv", "Labels": {"a": "b"},
    "StopSignal": "SIGTERM", "ArgsEscaped": true,
    "Healthcheck": {"Test": ["CMD-SHELL", "true"], "Interval": 30000000000, "Timeout": 5000000000,
                    "StartPeriod": 1000000000, "StartInterval": 2000000000, "Retries": 3, "Future": 1},
    "OnBuild": ["RUN echo onbuild"], "Shell": ["/bin/bash", "-c"], "Image": "sha256:abc"
  },
  "rootfs": {"type": "layers", "diff_ids": ["sha256:c86f7763873b6c0aae22d963bab59b4f5debbed6685761b5951584f6efb0633b"]},
  "history": [{"created": "2024-02-03T04:05:06Z", "created_by": "ADD x", "comment": "c", "author": "a", "x": 1},
              {"created_by": "CMD", "empty_layer": true}]
})";

TEST(ImageConfigTest, DockerFieldsSurviveRoundTrip) {
  auto c = ParseImageConfig(kDockerConfig);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_TRUE(c->config.has_value());
  const ContainerConfig& cc = *c->config;
  EXPECT_EQ(cc.user, "1000:1000");
  EXPECT_EQ(cc.exposed_ports, (std::set<std::string>{"53/udp", "80/tcp"}));
  EXPECT_FALSE(cc.entrypoint.has_value());
  EXPECT_EQ(cc.cmd->size(), 3u);
  ASSERT_TRUE(cc.healthcheck.has_value());
  EXPECT_EQ(cc.healthcheck->interval, 30000000000);
  EXPECT_EQ(cc.healthcheck->start_interval, 2000000000);
  EXPECT_EQ(cc.healthcheck->retries, 3);
  EXPECT_EQ(cc.healthcheck->extra["Future"], 1);
  EXPECT_EQ(cc.on_build, std::vector<std::string>{"RUN echo onbuild"});
  EXPECT_EQ(cc.shell, (std::vector<std::string>{"/bin/bash", "-c"}));
  EXPECT_EQ(cc.stop_signal, "SIGTERM");
  EXPECT_TRUE(cc.args_escaped);
  EXPECT_EQ(cc.extra["Image"], "sha256:abc");
  EXPECT_EQ(c->extra["docker_version"], "24.0.0");
  EXPECT_EQ(c->history[0].extra["x"], 1);
  EXPECT_TRUE(c->history[1].empty_layer);

  std::string once = SerializeImageConfig(*c);
  auto again = ParseImageConfig(once);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *c);
  EXPECT_EQ(SerializeImageConfig(*again), once);
  // Every input field except the null Entrypoint is in the output.
  json in = json::parse(kDockerConfig), out = json::parse(once);
  in["config"].erase("Entrypoint");
  EXPECT_EQ(in, out);
}

TEST(ImageConfigTest, EmptyEntrypointDiffersFromUnset) {
  ImageConfig c;
  c.architecture = "amd64";
  c.os = "linux";
  c.config = ContainerConfig{};
  c.config->entrypoint = std::vector<std::string>{};
  std::string s = SerializeImageConfig(c);
  EXPECT_NE(s.find("\"Entrypoint\":[]"), std::string::npos) << s;
  auto back = ParseImageConfig(s);
  ASSERT_TRUE(back.ok());
  ASSERT_TRUE(back->config->entrypoint.has_value());
  EXPECT_TRUE(back->config->entrypoint->empty());
}

TEST(ImageConfigTest, TypeErrorsNameTheField) {
  auto r = ParseImageConfig(R"({"architecture":"amd64","os":"linux","config":{"User":5},"rootfs":{"type":"layers","diff_ids":[]}})");
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "image config: config.User: must be a string");
  r = ParseImageConfig(R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["nope"]}})");
  EXPECT_NE(r.status().message().find("rootfs.diff_ids[0]"), std::string::npos);
  r = ParseImageConfig(R"({"architecture":"amd64","os":"linux","created":"yesterday","rootfs":{"type":"layers","diff_ids":[]}})");
  EXPECT_NE(r.status().message().find("created: invalid RFC 3339"), std::string::npos) << r.status().ToString();
  r = ParseImageConfig(R"({"architecture":"amd64","os":"linux"})");
  EXPECT_EQ(r.status().message(), "image config: rootfs: required field missing");
}

TEST(ImageConfigTest, Rfc3339) {
  EXPECT_EQ(FormatRfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(1700000000), "2023-11-14T22:13:20Z");
  EXPECT_EQ(*ParseRfc3339("2023-11-14T22:13:20Z"), 1700000000);
  EXPECT_EQ(*ParseRfc3339("2023-11-14T23:13:20.5+01:00"), 1700000000);
  EXPECT_EQ(*ParseRfc3339("0001-01-01T00:00:00Z"), -62135596800);
  EXPECT_FALSE(ParseRfc3339("2023-11-14").ok());
  EXPECT_FALSE(ParseRfc3339("2023-11-14T22:13:20").ok());
  EXPECT_FALSE(ParseRfc3339("2023-13-14T22:13:20Z").ok());
}

TEST(LayoutTest, Header) {
  EXPECT_EQ(*ParseLayoutHeader(SerializeLayoutHeader()), "1.0.0");
  EXPECT_EQ(ParseLayoutHeader(R"({"imageLayoutVersion":"2.0.0"})").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(ParseLayoutHeader(R"({"imageLayoutVersion":1})").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace shale::oci
