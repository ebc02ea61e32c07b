#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <random>

#include "base/digest.h"
#include "storage/compress.h"
#include "storage/layer_import.h"
#include "storage/layer_stream.h"
#include "tests/storage/layer_test_util.h"

namespace shale {
namespace {

using layertest::StringSink;

std::string Payload(size_t n, uint32_t seed) {
  // Compressible but not trivial: words from a small vocabulary + noise.
  std::mt19937 rng(seed);
  static const char* kWords[] = {"layer ", "shale ", "overlay ", "tar ", "gzip\n", "0123 ", "zstd\t"};
  std::string s;
  s.reserve(n);
  while (s.size() < n) {
    if (rng() % 8 == 0) s.push_back(static_cast<char>(rng()));
    else s.append(kWords[rng() % 7]);
  }
  s.resize(n);
  return s;
}

std::string Gunzip(const std::string& in) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 31), Z_OK);
  std::string out;
  char buf[65536];
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  int r;
  do {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    r = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
  } while (r == Z_OK);
  EXPECT_EQ(r, Z_STREAM_END);
  EXPECT_EQ(z.avail_in, 0u) << "one gzip member, nothing after it";
  inflateEnd(&z);
  return out;
}

std::string Compress(Compression c, int threads, const std::string& data, size_t chunk = 7777) {
  StringSink out;
  auto sink = NewCompressingSink(c, -1, threads, &out);
  EXPECT_TRUE(sink.ok());
  for (size_t i = 0; i < data.size(); i += chunk)
    EXPECT_TRUE((*sink)->Write(data.data() + i, std::min(chunk, data.size() - i)).ok());
  EXPECT_TRUE((*sink)->Finish().ok());
  return out.s;
}

TEST(ParallelGzip, RoundTripsAndIsIdenticalForAnyThreadCount) {
  for (size_t size : {size_t{0}, size_t{1}, size_t{131072}, size_t{131073}, size_t{3'000'001}}) {
    std::string data = Payload(size, 7);
    std::string one = Compress(Compression::kGzip, 1, data);
    std::string two = Compress(Compression::kGzip, 2, data, 1 << 20);
    std::string four = Compress(Compression::kGzip, 4, data, 13);
    EXPECT_EQ(one, two) << size;
    EXPECT_EQ(one, four) << size;
    ASSERT_GE(one.size(), 18u);
    EXPECT_EQ(one.substr(0, 10), std::string("\x1f\x8b\x08\0\0\0\0\0\0\xff", 10));
    EXPECT_EQ(Gunzip(one), data) << size;
    if (size > 1000) {
      EXPECT_LT(one.size(), data.size() / 2) << "dictionary priming keeps the ratio";
    }
  }
}

TEST(ParallelGzip, GzipToolAcceptsIt) {
  layertest::TempDir dir;
  std::string data = Payload(1'000'000, 3);
  layertest::WriteFile(dir / "x.gz", Compress(Compression::kGzip, 2, data));
  EXPECT_EQ(layertest::Sh("gzip -t '" + (dir / "x.gz") + "'"), 0);
  EXPECT_EQ(layertest::ShOut("gzip -dc '" + (dir / "x.gz") + "' | sha256sum | cut -c1-64"),
            Digest::Sha256(data).hex() + "\n");
}

TEST(Zstd, RoundTripsAndIsIdenticalForAnyWorkerCount) {
  std::string data = Payload(5'000'000, 11);
  std::string one = Compress(Compression::kZstd, 1, data);
  std::string two = Compress(Compression::kZstd, 2, data, 100000);
  EXPECT_EQ(one, two);
  std::string out(data.size(), '\0');
  size_t n = ZSTD_decompress(out.data(), out.size(), one.data(), one.size());
  ASSERT_FALSE(ZSTD_isError(n)) << ZSTD_getErrorName(n);
  EXPECT_EQ(out.substr(0, n), data);
}

TEST(Compression, NoneIsPassthroughAndLevelsAreChecked) {
  EXPECT_EQ(Compress(Compression::kNone, 2, "abc"), "abc");
  StringSink out;
  EXPECT_EQ(NewCompressingSink(Compression::kGzip, 12, 1, &out).status().code(), StatusCode::kInvalidArgument);
}

TEST(ImportTarStream, NormalisesDeterministicallyAndHashesInOnePass) {
  layertest::TempDir dir;
  ASSERT_EQ(layertest::Sh("cd '" + dir.path() + "' && mkdir -p src/a/b && echo hi > src/a/b/f && "
                        "ln -s /etc/passwd src/abs && ln src/a/b/f src/hard && chmod 4755 src/a/b/f && "
                        "touch -d @2000000000 src/a/b/f && "
                        "tar --owner=nobody --group=nogroup -C src -cf in.tar . && gzip -k in.tar && "
                        "zstd -q -k in.tar"), 0);
  LayerWriterOptions opts;
  opts.source_date_epoch = 1700000000;
  std::string first;
  for (const char* in : {"in.tar", "in.tar.gz", "in.tar.zst"}) {
    UniqueFd fd(layertest::OpenRead(dir / in));
    StringSink out;
    auto info = ImportTarStreamToSink(fd.get(), out, opts);
    ASSERT_TRUE(info.ok()) << in << ": " << info.status().ToString();
    EXPECT_EQ(info->descriptor.digest, Digest::Sha256(out.s));
    EXPECT_EQ(info->descriptor.size, static_cast<int64_t>(out.s.size()));
    EXPECT_EQ(info->descriptor.media_type, media_type::kOciLayerGzip);
    std::string tar = Gunzip(out.s);
    EXPECT_EQ(info->diff_id, Digest::Sha256(tar));
    EXPECT_EQ(info->uncompressed_size, static_cast<int64_t>(tar.size()));
    if (first.empty()) first = out.s;
    EXPECT_EQ(out.s, first) << in << ": same content, same digest whatever the input codec";
  }
  layertest::WriteFile(dir / "out.tar.gz", first);
  std::string listing = layertest::ShOut("tar --numeric-owner -tvzf '" + (dir / "out.tar.gz") + "' | awk '{print $1, $2, $6, $7, $8}'");
  EXPECT_NE(listing.find("-rwsr-xr-x 65534/65534 "), std::string::npos) << listing;
  EXPECT_NE(listing.find("abs -> /etc/passwd"), std::string::npos) << listing;
  EXPECT_NE(listing.find(" link to"), std::string::npos) << "hard link kept: " << listing;
  EXPECT_EQ(listing.find("./"), std::string::npos) << "root entry dropped, names root-relative";
  EXPECT_EQ(layertest::ShOut("tar --full-time -tvzf '" + (dir / "out.tar.gz") + "' a/b/f | awk '{print $4}'"),
            "2023-11-14\n") << "mtime clamped to SOURCE_DATE_EPOCH";
}

TEST(ImportTarStream, RefusesEscapingNames) {
  layertest::TempDir dir;
  ASSERT_EQ(layertest::Sh("cd '" + dir.path() + "' && mkdir s && echo x > s/f && "
                        "tar -C s -cf evil.tar --transform 's,^f,../../f,' -P f"), 0);
  UniqueFd fd(layertest::OpenRead(dir / "evil.tar"));
  StringSink out;
  auto info = ImportTarStreamToSink(fd.get(), out, LayerWriterOptions{});
  ASSERT_EQ(info.status().code(), StatusCode::kInvalidArgument) << info.status().ToString();
  EXPECT_NE(info.status().message().find("escapes the root"), std::string::npos);
}

TEST(ImportTarStream, TruncatedIsDataLossAndGarbageIsInvalid) {
  layertest::TempDir dir;
  ASSERT_EQ(layertest::Sh("cd '" + dir.path() + "' && head -c 200000 /dev/urandom > big && tar -cf t.tar big && "
                        "head -c 100000 t.tar > cut.tar && echo 'not a tar at all' > junk"), 0);
  StringSink out;
  UniqueFd cut(layertest::OpenRead(dir / "cut.tar"));
  EXPECT_EQ(ImportTarStreamToSink(cut.get(), out, {}).status().code(), StatusCode::kDataLoss);
  UniqueFd junk(layertest::OpenRead(dir / "junk"));
  auto r = ImportTarStreamToSink(junk.get(), out, {});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
}

}  // namespace
}  // namespace shale

namespace shale {
namespace {

TEST(ImportTarStream, CommitsIntoTheBlobStore) {
  layertest::TempDir dir;
  ASSERT_EQ(layertest::Sh("cd '" + dir.path() + "' && mkdir s && echo hi > s/f && tar -C s -czf in.tgz ."), 0);
  auto store = BlobStore::Open(dir / "store");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  UniqueFd fd(layertest::OpenRead(dir / "in.tgz"));
  auto info = ImportTarStream(fd.get(), **store, LayerWriterOptions{});
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_TRUE((*store)->Has(info->descriptor.digest));
  EXPECT_TRUE((*store)->VerifyBlob(info->descriptor.digest).ok());
  EXPECT_EQ((*store)->Size(info->descriptor.digest).value_or(-1), info->descriptor.size);
  // A bad stream leaves nothing behind.
  layertest::WriteFile(dir / "bad.tar", "garbage that is not a tar stream at all");
  UniqueFd bad(layertest::OpenRead(dir / "bad.tar"));
  EXPECT_FALSE(ImportTarStream(bad.get(), **store, LayerWriterOptions{}).ok());
  EXPECT_EQ(layertest::ShOut("ls '" + (dir / "store/tmp") + "' | wc -l"), "0\n");
}

}  // namespace
}  // namespace shale
