// PullImage against a fake registry: platform selection, schema 1, digest
// verification (DataLoss leaves the store unchanged), skipping present blobs.
#include <gtest/gtest.h>

#include <map>

#include "base/fd.h"
#include "registry/pull.h"
#include "storage/oci/json.h"
#include "tests/registry/fake_transport.h"
#include "tests/testutil/subprocess.h"

namespace shale {
namespace {

using json = nlohmann::json;

class PullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = ImageStore::Open(dir_.path() + "/store");
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    layer_ = "layer-bytes";
    config_ = R"({"architecture":"arm64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}})";
    json m = {{"schemaVersion", 2},
              {"mediaType", media_type::kOciManifest},
              {"config", {{"mediaType", media_type::kOciConfig}, {"digest", Digest::Sha256(config_).ToString()}, {"size", config_.size()}}},
              {"layers", {{{"mediaType", media_type::kOciLayerGzip}, {"digest", Digest::Sha256(layer_).ToString()}, {"size", layer_.size()}}}}};
    manifest_ = m.dump();
    json idx = {{"schemaVersion", 2},
                {"mediaType", media_type::kOciIndex},
                {"manifests",
                 {{{"mediaType", media_type::kOciManifest}, {"digest", "sha256:" + std::string(64, 'e')}, {"size", 10},
                   {"platform", {{"os", "linux"}, {"architecture", "amd64"}}}},
                  {{"mediaType", media_type::kOciManifest}, {"digest", Digest::Sha256(manifest_).ToString()},
                   {"size", manifest_.size()}, {"platform", {{"os", "linux"}, {"architecture", "arm64"}}}}}}};
    index_ = idx.dump();
    blobs_[Digest::Sha256(config_).ToString()] = config_;
    blobs_[Digest::Sha256(layer_).ToString()] = layer_;
  }

  Result<HttpResponse> Serve(const HttpRequest& r) {
    std::string path = r.url.substr(r.url.find("/v2/"));
    if (path == "/v2/") return Reply(200);
    if (path == "/v2/app/manifests/multi") return Reply(200, index_, {{"content-type", media_type::kOciIndex}});
    if (path == "/v2/app/manifests/old")
      return Reply(200, R"({"schemaVersion":1})", {{"content-type", media_type::kDockerSchema1Signed}});
    if (path == "/v2/app/manifests/" + Digest::Sha256(manifest_).ToString())
      return Reply(200, manifest_, {{"content-type", media_type::kOciManifest}});
    if (path.rfind("/v2/app/blobs/", 0) == 0) {
      auto it = blobs_.find(path.substr(14));
      if (it == blobs_.end()) return Reply(404);
      ++blob_gets_;
      return Reply(200, corrupt_ && it->second == layer_ ? std::string("LAYER-BYTES") : it->second);
    }
    return Reply(404);
  }

  PullOptions Options(FakeTransport& t) {
    PullOptions o;
    o.registry.transport_override = &t;
    o.registry.registries_conf = RegistriesConf();
    o.registry.retry.sleep = [](std::chrono::milliseconds) {};
    o.platform = *Platform::Parse("linux/arm64");
    return o;
  }

  testing::ScratchDir dir_{"shale-pull"};
  std::unique_ptr<ImageStore> store_;
  std::string layer_, config_, manifest_, index_;
  std::map<std::string, std::string> blobs_;
  bool corrupt_ = false;
  int blob_gets_ = 0;
};

TEST_F(PullTest, IndexResolvesToThePlatformAndBlobsAreVerified) {
  FakeTransport t([this](const HttpRequest& r) { return Serve(r); });
  auto pulled = PullImage(*store_, "reg.test/app:multi", Options(t));
  ASSERT_TRUE(pulled.ok()) << pulled.status().ToString();
  EXPECT_EQ(Digest::Sha256(manifest_), pulled->record.manifest.digest);
  EXPECT_EQ("reg.test/app:multi", pulled->record.name);
  EXPECT_EQ(Digest::Sha256(config_), pulled->config.digest);
  EXPECT_TRUE(store_->blobs().Has(Digest::Sha256(layer_)));
  EXPECT_EQ(2, blob_gets_);
  auto found = store_->Find("reg.test/app:multi");
  ASSERT_TRUE(found.ok());

  auto again = PullImage(*store_, "reg.test/app:multi", Options(t));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(2, again->blobs_skipped);
  EXPECT_EQ(2, blob_gets_);  // nothing fetched twice
}

TEST_F(PullTest, ARejectingSignaturePolicyStopsThePullBeforeAnyRequest) {
  int requests = 0;
  FakeTransport t([this, &requests](const HttpRequest& r) {
    ++requests;
    return Serve(r);
  });
  std::string policy = dir_.path() + "/policy.json";
  ASSERT_TRUE(WriteFileAtomic(policy, R"({"default":[{"type":"insecureAcceptAnything"}],
      "transports":{"docker":{"reg.test/app":[{"type":"reject"}]}}})").ok());
  auto o = Options(t);
  o.signature_policy = policy;
  auto r = PullImage(*store_, "reg.test/app:multi", o);
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(r.status().message(), "pulling reg.test/app:multi: reg.test/app:multi is rejected by the signature policy " +
                                      policy + " (docker scope \"reg.test/app\")");
  EXPECT_EQ(requests, 0);
  EXPECT_FALSE(store_->Find("reg.test/app:multi").ok());
}

TEST_F(PullTest, MissingPlatformIsNotFound) {
  FakeTransport t([this](const HttpRequest& r) { return Serve(r); });
  auto o = Options(t);
  o.platform = *Platform::Parse("linux/s390x");
  EXPECT_EQ(StatusCode::kNotFound, PullImage(*store_, "reg.test/app:multi", o).status().code());
}

TEST_F(PullTest, Schema1IsRefusedClearly) {
  FakeTransport t([this](const HttpRequest& r) { return Serve(r); });
  auto r = PullImage(*store_, "reg.test/app:old", Options(t));
  EXPECT_EQ(StatusCode::kUnimplemented, r.status().code());
  EXPECT_NE(r.status().message().find("schema 1"), std::string::npos) << r.status().message();
}

TEST_F(PullTest, WrongContentIsDataLossAndNothingBecomesVisible) {
  corrupt_ = true;
  FakeTransport t([this](const HttpRequest& r) { return Serve(r); });
  auto r = PullImage(*store_, "reg.test/app:multi", Options(t));
  EXPECT_EQ(StatusCode::kDataLoss, r.status().code()) << r.status().ToString();
  EXPECT_NE(r.status().message().find(Digest::Sha256(layer_).ToString()), std::string::npos);
  EXPECT_FALSE(store_->blobs().Has(Digest::Sha256(layer_)));
  EXPECT_FALSE(store_->Find("reg.test/app:multi").ok());
}

TEST_F(PullTest, ManifestByDigestMustMatch) {
  FakeTransport t([this](const HttpRequest& r) -> Result<HttpResponse> {
    if (r.url.find("/manifests/sha256:") != std::string::npos) return Reply(200, manifest_ + " ");
    return Serve(r);
  });
  auto r = PullImage(*store_, "reg.test/app@" + Digest::Sha256(manifest_).ToString(), Options(t));
  EXPECT_EQ(StatusCode::kDataLoss, r.status().code()) << r.status().ToString();
}

}  // namespace
}  // namespace shale
