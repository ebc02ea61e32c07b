#include "storage/blob_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "base/fd.h"
#include "tests/testutil/subprocess.h"

namespace shale {
namespace {

namespace fs = std::filesystem;
using shale::testing::ReadFile;
using shale::testing::ScratchDir;
using shale::testing::WriteFile;

size_t CountFiles(const std::string& dir) {
  size_t n = 0;
  for (auto it = fs::directory_iterator(dir); it != fs::directory_iterator(); ++it) ++n;
  return n;
}

TEST(BlobStoreTest, OpenCreatesAnOciLayout) {
  ScratchDir dir;
  std::string root = dir / "store";
  auto store = BlobStore::Open(root);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ(ReadFile(root + "/oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
  EXPECT_EQ(ReadFile(root + "/index.json"), "{\"manifests\":[],\"schemaVersion\":2}");
  EXPECT_TRUE(fs::is_directory(root + "/blobs/sha256"));
  // Reopening keeps what is there.
  WriteFile(root + "/index.json", "{\"manifests\":[],\"schemaVersion\":2,\"x\":1}");
  ASSERT_TRUE(BlobStore::Open(root).ok());
  EXPECT_EQ(ReadFile(root + "/index.json"), "{\"manifests\":[],\"schemaVersion\":2,\"x\":1}");
}

TEST(BlobStoreTest, RejectsOtherLayoutVersionAndCorruptHeader) {
  ScratchDir dir;
  WriteFile(dir / "a/oci-layout", "{\"imageLayoutVersion\":\"2.0.0\"}");
  EXPECT_EQ(BlobStore::Open(dir / "a").status().code(), StatusCode::kFailedPrecondition);
  WriteFile(dir / "b/oci-layout", "{\"imageLayoutVersion\":");
  auto r = BlobStore::Open(dir / "b");
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(r.status().message().find("corrupt"), std::string::npos);
}

TEST(BlobStoreTest, WriteCommitReadVerify) {
  ScratchDir dir;
  auto store = *BlobStore::Open(dir.path());
  auto w = *store->NewWriter();
  std::string data(3 << 20, 'x');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7 + i / 1000);
  // Mixed small and large writes.
  ASSERT_TRUE(w->Write(data.data(), 10).ok());
  ASSERT_TRUE(w->Write(data.data() + 10, (2 << 20) - 10).ok());
  ASSERT_TRUE(w->Write(data.data() + (2 << 20), data.size() - (2 << 20)).ok());
  EXPECT_EQ(w->bytes_written(), data.size());
  auto d = w->Commit(Digest::Sha256(data), static_cast<int64_t>(data.size()));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->digest, Digest::Sha256(data));
  EXPECT_EQ(d->size, static_cast<int64_t>(data.size()));
  EXPECT_TRUE(store->Has(d->digest));
  EXPECT_EQ(*store->Size(d->digest), static_cast<int64_t>(data.size()));
  EXPECT_EQ(*store->ReadBlob(d->digest, 4 << 20), data);
  EXPECT_TRUE(store->VerifyBlob(d->digest).ok());
  EXPECT_EQ(store->ReadBlob(d->digest, 1 << 20).status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(CountFiles(dir / "tmp"), 0u);
  EXPECT_EQ(store->PathOf(d->digest), dir.path() + "/blobs/sha256/" + d->digest.hex());
}

TEST(BlobStoreTest, MismatchIsDataLossAndLeavesNothing) {
  ScratchDir dir;
  auto store = *BlobStore::Open(dir.path());
  auto w = *store->NewWriter();
  ASSERT_TRUE(w->Write("hello").ok());
  Digest wrong = Digest::Sha256("other");
  auto r = w->Commit(wrong);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(r.status().message().find(wrong.ToString()), std::string::npos);
  EXPECT_NE(r.status().message().find(Digest::Sha256("hello").ToString()), std::string::npos);
  EXPECT_FALSE(store->Has(Digest::Sha256("hello")));
  EXPECT_EQ(CountFiles(dir / "blobs/sha256"), 0u);
  EXPECT_EQ(CountFiles(dir / "tmp"), 0u);

  auto w2 = *store->NewWriter();
  ASSERT_TRUE(w2->Write("hello").ok());
  EXPECT_EQ(w2->Commit(Digest(), 4).status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(CountFiles(dir / "tmp"), 0u);
}

TEST(BlobStoreTest, AbandonedWriterRemovesItsTempFile) {
  ScratchDir dir;
  auto store = *BlobStore::Open(dir.path());
  {
    auto w = *store->NewWriter();
    ASSERT_TRUE(w->Write("partial").ok());
    EXPECT_EQ(CountFiles(dir / "tmp"), 1u);
  }
  EXPECT_EQ(CountFiles(dir / "tmp"), 0u);
  EXPECT_EQ(CountFiles(dir / "blobs/sha256"), 0u);
}

TEST(BlobStoreTest, PutTwiceAndCorruptionDetected) {
  ScratchDir dir;
  auto store = *BlobStore::Open(dir.path());
  auto a = store->PutBlob("content", "text/plain");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->media_type, "text/plain");
  ASSERT_TRUE(store->PutBlob("content", "text/plain").ok());
  // Damage it behind the store's back: reads and verification notice.
  WriteFile(store->PathOf(a->digest), "contenT");
  EXPECT_EQ(store->VerifyBlob(a->digest).code(), StatusCode::kDataLoss);
  auto r = store->ReadBlob(a->digest, 100);
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(r.status().message().find("is corrupt"), std::string::npos);
  // Writing it again heals it.
  ASSERT_TRUE(store->PutBlob("content", "text/plain").ok());
  EXPECT_TRUE(store->VerifyBlob(a->digest).ok());
  ASSERT_TRUE(store->RemoveBlob(a->digest).ok());
  EXPECT_TRUE(store->RemoveBlob(a->digest).ok());
  EXPECT_EQ(store->OpenBlob(a->digest).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store->Size(a->digest).status().code(), StatusCode::kNotFound);
}

TEST(BlobStoreTest, RefusesForeignDigestAlgorithms) {
  ScratchDir dir;
  auto store = *BlobStore::Open(dir.path());
  Digest odd = Digest::FromHex("multihash+base58", "QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8");
  EXPECT_FALSE(store->Has(odd));
  EXPECT_EQ(store->OpenBlob(odd).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace shale
