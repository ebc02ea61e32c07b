#include "base/digest.h"

#include <gtest/gtest.h>

namespace shale {
namespace {

constexpr char kEmptySha[] = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

TEST(DigestTest, Sha256OfKnownInputs) {
  EXPECT_EQ(Digest::Sha256("").ToString(), kEmptySha);
  EXPECT_EQ(Digest::Sha256("abc").hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(DigestTest, StreamingEqualsOneShot) {
  std::string data(1 << 20, 'x');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 131);
  Digester d;
  for (size_t off = 0; off < data.size(); off += 4099) d.Update(std::string_view(data).substr(off, 4099));
  EXPECT_EQ(d.bytes(), data.size());
  EXPECT_EQ(d.Finish(), Digest::Sha256(data));
}

TEST(DigestTest, ParseAcceptsValid) {
  auto d = Digest::Parse(kEmptySha);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->algorithm(), "sha256");
  EXPECT_EQ(d->Short(), "e3b0c44298fc");
  EXPECT_EQ(d->ToString(), kEmptySha);
}

TEST(DigestTest, ParseRejectsBad) {
  for (const char* bad : {"", "sha256", "sha256:", "md5:abcd", "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
                          "sha256:../../etc/passwd", "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85"}) {
    auto d = Digest::Parse(bad);
    EXPECT_FALSE(d.ok()) << bad;
    if (!d.ok()) {
      EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
    }
  }
}

}  // namespace
}  // namespace shale
