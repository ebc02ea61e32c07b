// CopyImage and oci:DIR[:REF] targets: a copy into a fresh layout is
// complete and named; present blobs are skipped; a corrupt source blob fails
// with DataLoss and leaves nothing named in the destination.
#include "storage/image_copy.h"
#include "storage/oci/manifest.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/storage/store_test_util.h"
#include "tests/testutil/subprocess.h"

namespace shale {
namespace {

using shale::testing::ScratchDir;
using shale::testing::WriteFile;
using shale::testing::WriteTestImage;

class ImageCopyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto from = ImageStore::Open(dir_.path() + "/from");
    ASSERT_TRUE(from.ok()) << from.status().ToString();
    from_ = std::move(*from);
    auto to = ImageStore::Open(dir_.path() + "/to");
    ASSERT_TRUE(to.ok()) << to.status().ToString();
    to_ = std::move(*to);
    auto d = WriteTestImage(from_->blobs(), "copy", 3);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    image_ = *d;
  }
  ScratchDir dir_{"shale-copy"};
  std::unique_ptr<ImageStore> from_, to_;
  Descriptor image_;
};

TEST_F(ImageCopyTest, CopiesEveryBlobAndNamesItLast) {
  ASSERT_TRUE(CopyImage(*from_, image_, *to_, "v1").ok());
  auto found = to_->Find("v1");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->manifest.digest, image_.digest);
  auto check = to_->Check();
  ASSERT_TRUE(check.ok()) << check.status().ToString();
  EXPECT_TRUE(check->ok());
  EXPECT_EQ(check->blobs_checked, 5);  // manifest, config, 3 layers
  // Again, unnamed: nothing to copy, one more (unnamed) entry.
  ASSERT_TRUE(CopyImage(*from_, image_, *to_, "").ok());
  auto list = to_->List();
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 1u);  // the digest is already listed (named)
}

TEST_F(ImageCopyTest, ACorruptSourceBlobIsDataLossAndNothingIsNamed) {
  auto bytes = from_->blobs().ReadBlob(image_.digest, 1 << 20);
  ASSERT_TRUE(bytes.ok());
  auto manifest = oci::ParseManifest(*bytes);
  ASSERT_TRUE(manifest.ok());
  WriteFile(from_->blobs().PathOf(manifest->layers[1].digest), "not the layer");
  Status s = CopyImage(*from_, image_, *to_, "v1");
  EXPECT_EQ(s.code(), StatusCode::kDataLoss) << s.ToString();
  EXPECT_FALSE(to_->Find("v1").ok());
  EXPECT_FALSE(to_->blobs().Has(manifest->layers[1].digest));
}

TEST(OciLayoutTarget, SplitsAtTheFirstColon) {
  auto t = ParseOciLayoutTarget("/tmp/x:v1");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->dir, "/tmp/x");
  EXPECT_EQ(t->ref, "v1");
  t = ParseOciLayoutTarget("/tmp/x");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->ref, "");
  EXPECT_EQ(ParseOciLayoutTarget(":v1").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace shale
