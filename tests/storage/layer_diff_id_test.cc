// SECURITY.md §3 for unpacking: the diff_id an image config claims for a
// layer is checked against the sha256 of the uncompressed stream while the
// layer is applied, by the applier, the layer cache (overlay lowerdirs) and
// the native snapshotter's rootfs assembly. A lying config fails with
// DataLoss naming the layer, the claimed and the actual diff_id, and leaves
// no cache entry behind.
#include <dirent.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "storage/blob_store.h"
#include "storage/layer_apply.h"
#include "storage/layer_cache.h"
#include "storage/snapshotter.h"
#include "tests/storage/layer_tar_builder.h"

namespace shale {
namespace {

using layertest::TarBuilder;
using ::testing::HasSubstr;

std::set<std::string> List(const std::string& dir) {
  std::set<std::string> out;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return out;
  while (dirent* de = readdir(d)) {
    std::string n = de->d_name;
    if (n != "." && n != "..") out.insert(n);
  }
  closedir(d);
  return out;
}

class DiffIdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = dir_ / "store";
    auto store = BlobStore::Open(root_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    plain_ = TarBuilder().Dir("etc").File("etc/motd", "hello\n").File("bin/tool", "#!/bin/sh\n", 0755).Build();
  }

  // Stores `plain` compressed with `c`; the diff_id is the claimed one when
  // given, else the true one.
  ParentLayer Put(const std::string& plain, Compression c, Digest claimed = Digest()) {
    std::string blob = plain;
    if (c != Compression::kNone) {
      layertest::StringSink raw;
      auto sink = NewCompressingSink(c, -1, 2, &raw);
      EXPECT_TRUE((*sink)->Write(plain.data(), plain.size()).ok());
      EXPECT_TRUE((*sink)->Finish().ok());
      blob = raw.s;
    }
    auto d = store_->PutBlob(blob, std::string(LayerMediaType(c)));
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return ParentLayer{claimed.valid() ? claimed : Digest::Sha256(plain), *d};
  }
  OpenBlobFn Opener() {
    return [this](const Descriptor& d) { return store_->OpenBlob(d.digest); };
  }
  Result<ApplyStats> Apply(const ParentLayer& l, const std::string& rootfs) {
    auto fd = store_->OpenBlob(l.blob.digest);
    EXPECT_TRUE(fd.ok());
    ApplyOptions o;
    o.expected_diff_id = l.diff_id;
    return ApplyLayer(fd->get(), rootfs, o);
  }
  std::string NewRootfs() {
    std::string p = dir_ / ("rootfs" + std::to_string(n_++));
    EXPECT_EQ(layertest::Sh("mkdir -p '" + p + "'"), 0);
    return p;
  }
  // What every mismatch error must name.
  void ExpectMismatch(const Status& s, const ParentLayer& lie, const Digest& actual, bool names_blob) {
    EXPECT_EQ(s.code(), StatusCode::kDataLoss) << s.ToString();
    EXPECT_THAT(s.ToString(), HasSubstr("diff_id mismatch: the image config claims " + lie.diff_id.ToString() +
                                        " but the uncompressed layer is " + actual.ToString()));
    if (names_blob) {
      EXPECT_THAT(s.ToString(), HasSubstr(lie.blob.digest.ToString()));
    }
  }

  layertest::TempDir dir_;
  std::string root_;
  std::unique_ptr<BlobStore> store_;
  std::string plain_;
  int n_ = 0;
};

TEST_F(DiffIdTest, ApplierComputesTheDiffIdForEveryCodec) {
  for (Compression c : {Compression::kNone, Compression::kGzip, Compression::kZstd}) {
    ParentLayer l = Put(plain_, c);
    std::string rootfs = NewRootfs();
    auto r = Apply(l, rootfs);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->diff_id, Digest::Sha256(plain_));
    EXPECT_EQ(layertest::ReadFile(rootfs + "/etc/motd"), "hello\n");
  }
}

TEST_F(DiffIdTest, BytesAfterTheTarEndCountToo) {
  // GNU tar pads archives to 10 KiB records: the diff_id covers the padding.
  std::string padded = plain_ + std::string(10240 - plain_.size() % 10240, '\0');
  ASSERT_NE(padded.size(), plain_.size());
  ParentLayer l = Put(padded, Compression::kGzip);
  auto r = Apply(l, NewRootfs());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->diff_id, Digest::Sha256(padded));

  ParentLayer short_claim = Put(padded, Compression::kGzip, Digest::Sha256(plain_));
  auto bad = Apply(short_claim, NewRootfs());
  ASSERT_FALSE(bad.ok());
  ExpectMismatch(bad.status(), short_claim, Digest::Sha256(padded), false);
}

TEST_F(DiffIdTest, ApplierRefusesALyingDiffId) {
  Digest claimed = Digest::Sha256("some other layer");
  for (Compression c : {Compression::kNone, Compression::kGzip, Compression::kZstd}) {
    ParentLayer lie = Put(plain_, c, claimed);
    auto r = Apply(lie, NewRootfs());
    ASSERT_FALSE(r.ok()) << "compression " << static_cast<int>(c);
    ExpectMismatch(r.status(), lie, Digest::Sha256(plain_), false);
  }
}

TEST_F(DiffIdTest, LayerCacheKeepsNoEntryForALyingLayer) {
  LayerCache cache(root_, "trusted");
  ParentLayer lie = Put(plain_, Compression::kGzip, Digest::Sha256("not this layer"));
  Digest chain = ChainId({lie.diff_id});
  auto r = cache.Ensure(chain, lie, Opener());
  ASSERT_FALSE(r.ok());
  ExpectMismatch(r.status(), lie, Digest::Sha256(plain_), true);
  EXPECT_THAT(r.status().ToString(), HasSubstr("unpacking layer " + lie.blob.digest.ToString()));
  EXPECT_FALSE(cache.Has(chain));
  // Neither the entry nor its temporary directory is left.
  EXPECT_EQ(List(root_ + "/shale/layers/overlay-trusted"), std::set<std::string>());

  ParentLayer honest = Put(plain_, Compression::kGzip);
  Digest good_chain = ChainId({honest.diff_id});
  auto ok = cache.Ensure(good_chain, honest, Opener());
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_TRUE(cache.Has(good_chain));
  EXPECT_EQ(layertest::ReadFile(*ok + "/etc/motd"), "hello\n");
  EXPECT_EQ(List(root_ + "/shale/layers/overlay-trusted"), std::set<std::string>{good_chain.hex()});
}

TEST_F(DiffIdTest, LyingUpperLayerFailsTheChainWithoutCachingIt) {
  LayerCache cache(root_, "trusted");
  ParentLayer base = Put(plain_, Compression::kGzip);
  std::string top_plain = TarBuilder().File("etc/motd", "changed\n").Build();
  ParentLayer lie = Put(top_plain, Compression::kZstd, Digest::Sha256(plain_));
  ASSERT_TRUE(cache.Ensure(ChainId({base.diff_id}), base, Opener()).ok());
  auto r = cache.Ensure(ChainId({base.diff_id, lie.diff_id}), lie, Opener());
  ASSERT_FALSE(r.ok());
  ExpectMismatch(r.status(), lie, Digest::Sha256(top_plain), true);
  EXPECT_EQ(List(root_ + "/shale/layers/overlay-trusted"), std::set<std::string>{ChainId({base.diff_id}).hex()});
}

TEST_F(DiffIdTest, NativeAssemblyFailsOnALyingLayerAndLeavesNoWorkDir) {
  auto snap = NewNativeSnapshotter(root_);
  ParentLayer base = Put(plain_, Compression::kGzip);
  ParentLayer lie = Put(TarBuilder().File("x", "y").Build(), Compression::kGzip, Digest::Sha256("claimed"));
  auto tree = snap->Prepare({base, lie}, Opener());
  ASSERT_FALSE(tree.ok());
  ExpectMismatch(tree.status(), lie, Digest::Sha256(TarBuilder().File("x", "y").Build()), true);
  EXPECT_THAT(tree.status().ToString(), HasSubstr("preparing native rootfs from " + lie.blob.digest.ToString()));
  EXPECT_EQ(List(root_ + "/shale/work"), std::set<std::string>());

  auto good = snap->Prepare({base}, Opener());
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  EXPECT_EQ(layertest::ReadFile((*good)->rootfs() + "/etc/motd"), "hello\n");
}

TEST_F(DiffIdTest, OverlayAssemblyFailsOnALyingLayer) {
  auto snap = NewOverlaySnapshotter(root_);
  if (!snap.ok()) GTEST_SKIP() << "overlayfs cannot be mounted here: " << snap.status().ToString();
  ParentLayer lie = Put(plain_, Compression::kGzip, Digest::Sha256("claimed"));
  auto tree = (*snap)->Prepare({lie}, Opener());
  ASSERT_FALSE(tree.ok());
  ExpectMismatch(tree.status(), lie, Digest::Sha256(plain_), true);
  EXPECT_FALSE(LayerCache(root_, "trusted").Has(ChainId({lie.diff_id})));
  EXPECT_FALSE(LayerCache(root_, "user").Has(ChainId({lie.diff_id})));
  for (const char* ns : {"trusted", "user"})
    EXPECT_EQ(List(root_ + "/shale/layers/overlay-" + std::string(ns)), std::set<std::string>()) << ns;
}

}  // namespace
}  // namespace shale
