#include "storage/image_store.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sys/wait.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "base/fd.h"
#include "storage/oci/index.h"
#include "storage/oci/manifest.h"
#include "tests/storage/store_test_util.h"
#include "tests/testutil/subprocess.h"

namespace shale {
namespace {

namespace fs = std::filesystem;
using shale::testing::ReadFile;
using shale::testing::ScratchDir;
using shale::testing::WriteFile;
using shale::testing::WriteTestImage;

// Makes a blob look old, as if written long before any lease.
void Age(const std::string& path) {
  struct timespec ts[2] = {{::time(nullptr) - 3600, 0}, {::time(nullptr) - 3600, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), ts, 0), 0);
}

void AgeAll(const std::string& root) {
  for (auto& e : fs::directory_iterator(root + "/blobs/sha256")) Age(e.path());
}

class ImageStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = ImageStore::Open(dir_.path());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  Descriptor Image(const std::string& seed, int layers = 2) {
    auto d = WriteTestImage(store_->blobs(), seed, layers);
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return d.value_or(Descriptor());
  }
  std::string root() const { return dir_.path(); }

  ScratchDir dir_;
  std::unique_ptr<ImageStore> store_;
};

TEST_F(ImageStoreTest, TagListFindUntag) {
  Descriptor a = Image("a"), b = Image("b");
  ASSERT_TRUE(store_->Tag("localhost/a:latest", a).ok());
  ASSERT_TRUE(store_->Tag("localhost/b:1", b).ok());
  ASSERT_TRUE(store_->Tag("localhost/b:latest", b).ok());
  auto list = store_->List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].name, "localhost/a:latest");
  EXPECT_EQ((*list)[0].manifest.digest, a.digest);
  EXPECT_EQ((*list)[0].manifest.annotations.at(kRefNameAnnotation), "localhost/a:latest");

  // index.json is a valid OCI index naming the image the OCI way.
  auto index = oci::ParseIndex(ReadFile(root() + "/index.json"));
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  EXPECT_EQ(index->manifests.size(), 3u);

  EXPECT_EQ(store_->Find("localhost/b:1")->manifest.digest, b.digest);
  auto id = store_->ImageId(*store_->Find("localhost/a:latest"));
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(store_->Find(id->hex().substr(0, 12))->manifest.digest, a.digest);
  EXPECT_EQ(store_->Find(id->ToString())->manifest.digest, a.digest);
  EXPECT_EQ(store_->Find(a.digest.ToString())->manifest.digest, a.digest);
  EXPECT_EQ(store_->Find("localhost/c:1").status().code(), StatusCode::kNotFound);

  // Re-pointing a name replaces it.
  ASSERT_TRUE(store_->Tag("localhost/a:latest", b).ok());
  EXPECT_EQ(store_->Find("localhost/a:latest")->manifest.digest, b.digest);
  EXPECT_EQ(store_->List()->size(), 3u);

  ASSERT_TRUE(store_->Untag("localhost/b:1").ok());
  EXPECT_EQ(store_->Untag("localhost/b:1").code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->List()->size(), 2u);
}

TEST_F(ImageStoreTest, AmbiguousPrefix) {
  // Find prefixes of distinct images until two share a first hex digit... use 3 chars over many images.
  std::map<std::string, int> seen;
  std::string ambiguous;
  for (int i = 0; i < 200 && ambiguous.empty(); ++i) {
    Descriptor d = Image("p" + std::to_string(i), 1);
    ASSERT_TRUE(store_->Tag("localhost/p:" + std::to_string(i), d).ok());
    std::string p = d.digest.hex().substr(0, 3);
    if (++seen[p] == 2) ambiguous = p;
  }
  if (ambiguous.empty()) GTEST_SKIP() << "no 3-char collision among 200 manifests";
  // The prefix may also hit config digests; either way, two different images match.
  EXPECT_EQ(store_->Find(ambiguous).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ImageStoreTest, TagRefusesIncompleteImagesAndBadNames) {
  Descriptor a = Image("a");
  auto m = oci::ParseManifest(*store_->blobs().ReadBlob(a.digest, 1 << 20));
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(store_->blobs().RemoveBlob(m->layers[1].digest).ok());
  Status s = store_->Tag("localhost/a:1", a);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find(m->layers[1].digest.ToString()), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("not in the store"), std::string::npos);

  Descriptor missing = a;
  missing.digest = Digest::Sha256("nothing");
  EXPECT_EQ(store_->Tag("localhost/x:1", missing).code(), StatusCode::kFailedPrecondition);

  Descriptor b = Image("b");
  EXPECT_EQ(store_->Tag("localhost/../x", b).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Tag("Bad Name", b).code(), StatusCode::kInvalidArgument);
  Descriptor weird = b;
  weird.media_type = "application/vnd.example.thing+json";
  Status u = store_->Tag("localhost/b:1", weird);
  EXPECT_EQ(u.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(u.message().find("not a manifest or index"), std::string::npos);
  EXPECT_TRUE(store_->List()->empty());
}

TEST_F(ImageStoreTest, UnnamedEntries) {
  Descriptor a = Image("a");
  ASSERT_TRUE(store_->Tag("", a).ok());
  ASSERT_TRUE(store_->Tag("", a).ok());
  ASSERT_EQ(store_->List()->size(), 1u);
  EXPECT_EQ((*store_->List())[0].name, "");
  // Naming it replaces the unnamed entry.
  ASSERT_TRUE(store_->Tag("localhost/a:1", a).ok());
  ASSERT_EQ(store_->List()->size(), 1u);
  EXPECT_EQ((*store_->List())[0].name, "localhost/a:1");
}

TEST_F(ImageStoreTest, CorruptIndexIsDataLossAndNothingIsLost) {
  Descriptor a = Image("a");
  ASSERT_TRUE(store_->Tag("localhost/a:1", a).ok());
  std::string good = ReadFile(root() + "/index.json");
  std::string corrupt = good.substr(0, good.size() / 2);
  WriteFile(root() + "/index.json", corrupt);
  auto list = store_->List();
  EXPECT_EQ(list.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(list.status().message().find("index.json is corrupt"), std::string::npos);
  EXPECT_NE(list.status().message().find("shale check --repair"), std::string::npos);
  EXPECT_EQ(store_->Tag("localhost/b:1", a).code(), StatusCode::kDataLoss);
  EXPECT_EQ(store_->Untag("localhost/a:1").code(), StatusCode::kDataLoss);
  EXPECT_EQ(store_->Prune().status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(ReadFile(root() + "/index.json"), corrupt);  // untouched
  EXPECT_TRUE(store_->blobs().Has(a.digest));            // nothing pruned
  auto check = store_->Check();
  ASSERT_TRUE(check.ok());
  ASSERT_FALSE(check->ok());
  EXPECT_NE(check->problems[0].find("index.json is corrupt"), std::string::npos);

  // Repair rebuilds the index from the blobs (names are lost, images are not).
  auto repaired = store_->Check(true);
  ASSERT_TRUE(repaired.ok());
  EXPECT_TRUE(repaired->ok()) << repaired->problems[0];
  ASSERT_EQ(repaired->repairs.size(), 1u);
  EXPECT_NE(repaired->repairs[0].find("rebuilt it with 1 unnamed image"), std::string::npos) << repaired->repairs[0];
  ASSERT_EQ(store_->List()->size(), 1u);
  EXPECT_EQ((*store_->List())[0].manifest.digest, a.digest);
  bool aside = false;
  for (auto& e : fs::directory_iterator(root() + "/shale"))
    aside |= e.path().filename().string().starts_with("index.json.corrupt-");
  EXPECT_TRUE(aside);
}

TEST_F(ImageStoreTest, CheckFindsEachKindOfDamage) {
  Descriptor a = Image("a"), b = Image("b"), c = Image("c");
  ASSERT_TRUE(store_->Tag("localhost/a:1", a).ok());
  ASSERT_TRUE(store_->Tag("localhost/b:1", b).ok());
  ASSERT_TRUE(store_->Tag("localhost/c:1", c).ok());
  auto ok = store_->Check();
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok->ok()) << ok->problems[0];
  EXPECT_EQ(ok->images_checked, 3);
  EXPECT_EQ(ok->blobs_checked, 12);

  auto mb = oci::ParseManifest(*store_->blobs().ReadBlob(b.digest, 1 << 20));
  auto mc = oci::ParseManifest(*store_->blobs().ReadBlob(c.digest, 1 << 20));
  // b: a layer whose content does not match its name; c: a missing layer.
  WriteFile(store_->blobs().PathOf(mb->layers[0].digest), std::string(1000, 'z'));
  ASSERT_TRUE(store_->blobs().RemoveBlob(mc->layers[1].digest).ok());
  // An index.json entry with a media type we do not know.
  std::string index = ReadFile(root() + "/index.json");
  auto parsed = *oci::ParseIndex(index);
  Descriptor odd = a;
  odd.media_type = "application/vnd.example.thing+json";
  parsed.manifests.push_back(odd);
  WriteFile(root() + "/index.json", oci::SerializeIndex(parsed));

  auto r = store_->Check();
  ASSERT_TRUE(r.ok());
  std::string all;
  for (auto& p : r->problems) all += p + "\n";
  EXPECT_NE(all.find("DataLoss: blob " + mb->layers[0].digest.ToString() + " is corrupt"), std::string::npos) << all;
  EXPECT_NE(all.find("image localhost/c:1: " + mc->layers[1].digest.ToString() + ": missing blob"), std::string::npos)
      << all;
  EXPECT_NE(all.find("unsupported media type \"application/vnd.example.thing+json\""), std::string::npos) << all;
  EXPECT_EQ(all.find("localhost/a:1"), std::string::npos) << all;

  // Repair removes the corrupt blob and the incomplete images; a stays.
  auto fixed = store_->Check(true);
  ASSERT_TRUE(fixed.ok());
  EXPECT_EQ(fixed->repairs.size(), 3u);
  // The odd entry is kept (it may be another tool's) and still reported.
  ASSERT_EQ(fixed->problems.size(), 1u) << fixed->problems[0];
  EXPECT_NE(fixed->problems[0].find("unsupported media type"), std::string::npos);
  EXPECT_TRUE(store_->Find("localhost/a:1").ok());
  EXPECT_EQ(store_->Find("localhost/b:1").status().code(), StatusCode::kNotFound);
}

TEST_F(ImageStoreTest, CheckReportsBadManifestJson) {
  Descriptor bad = store_->blobs().PutBlob("{\"schemaVersion\":2,", media_type::kOciManifest).value();
  // Tag refuses it ...
  EXPECT_EQ(store_->Tag("localhost/bad:1", bad).code(), StatusCode::kDataLoss);
  // ... so put it into index.json by hand, as a broken tool might.
  oci::Index index;
  bad.annotations[kRefNameAnnotation] = "localhost/bad:1";
  index.manifests.push_back(bad);
  WriteFile(root() + "/index.json", oci::SerializeIndex(index));
  auto r = store_->Check();
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->problems.size(), 1u);
  EXPECT_NE(r->problems[0].find("bad manifest"), std::string::npos) << r->problems[0];
  EXPECT_EQ(store_->Prune().status().code(), StatusCode::kDataLoss);
}

TEST_F(ImageStoreTest, PruneRemovesOnlyUnreachable) {
  Descriptor a = Image("a"), b = Image("b");
  ASSERT_TRUE(store_->Tag("localhost/a:1", a).ok());
  ASSERT_TRUE(store_->Tag("localhost/b:1", b).ok());
  ASSERT_TRUE(store_->Untag("localhost/b:1").ok());
  AgeAll(root());
  // A stale temp file (its writer died: not locked) and a live one.
  WriteFile(root() + "/tmp/blob-stale", "x");
  auto live = *store_->blobs().NewWriter();
  ASSERT_TRUE(live->Write("in flight").ok());
  auto r = store_->Prune();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->blobs_removed, 4);  // b's manifest, config, 2 layers
  EXPECT_EQ(r->temp_files_removed, 1);
  EXPECT_FALSE(store_->blobs().Has(b.digest));
  EXPECT_TRUE(store_->blobs().Has(a.digest));
  EXPECT_TRUE(store_->Check()->ok());
  ASSERT_TRUE(live->Commit().ok());
  EXPECT_TRUE(store_->blobs().Has(Digest::Sha256("in flight")));
}

TEST_F(ImageStoreTest, PruneRespectsLeasesAndRoots) {
  Descriptor old_pinned = Image("pinned"), old_free = Image("free"), rooted = Image("rooted");
  AgeAll(root());
  auto acquired = store_->AcquireLease();
  ASSERT_TRUE(acquired.ok()) << acquired.status().ToString();
  std::optional<Lease> lease(std::move(acquired).value());
  ASSERT_TRUE(lease->Pin(old_pinned.digest).ok());
  Descriptor fresh = Image("fresh");  // written during the lease, not tagged yet
  WriteFile(root() + "/shale/roots/cache", rooted.digest.ToString() + "\n# comment\n");

  auto r = store_->Prune();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->blobs_removed, 4);  // only "free"
  EXPECT_FALSE(store_->blobs().Has(old_free.digest));
  for (const Descriptor& d : {old_pinned, fresh, rooted}) {
    ASSERT_TRUE(store_->blobs().Has(d.digest));
    ASSERT_TRUE(store_->Tag("", d).ok()) << "image and all its blobs kept";
  }

  // Without index entries, roots and the lease, prune takes everything.
  WriteFile(root() + "/index.json", "{\"manifests\":[],\"schemaVersion\":2}");
  fs::remove(root() + "/shale/roots/cache");
  lease.reset();
  AgeAll(root());
  r = store_->Prune();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->blobs_removed, 12);
  EXPECT_EQ(fs::directory_iterator(root() + "/shale/leases"), fs::directory_iterator());
}

TEST_F(ImageStoreTest, LeaseOfDeadProcessIsIgnoredAndRemoved) {
  Descriptor d = Image("x");
  AgeAll(root());
  pid_t pid = ::fork();
  if (pid == 0) {
    auto s = ImageStore::Open(root());
    auto lease = (*s)->AcquireLease();
    (void)lease->Pin(d.digest);
    ::_exit(0);  // dies holding the lease (destructors do not run)
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_EQ(std::distance(fs::directory_iterator(root() + "/shale/leases"), fs::directory_iterator()), 1);
  auto r = store_->Prune();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->blobs_removed, 4);
  EXPECT_EQ(fs::directory_iterator(root() + "/shale/leases"), fs::directory_iterator());
}

TEST_F(ImageStoreTest, IndexEntryWithPresentChildrenOnly) {
  Descriptor amd = Image("amd64");
  oci::Index idx;
  Descriptor e1 = amd;
  e1.platform = Platform{"linux", "amd64", "", "", {}};
  Descriptor e2 = Image("arm64");
  e2.platform = Platform{"linux", "arm64", "", "", {}};
  ASSERT_TRUE(store_->blobs().RemoveBlob(e2.digest).ok());  // only one platform pulled
  idx.manifests = {e1, e2};
  Descriptor index = *store_->blobs().PutBlob(oci::SerializeIndex(idx), media_type::kOciIndex);
  ASSERT_TRUE(store_->Tag("localhost/multi:1", index).ok());
  EXPECT_TRUE(store_->Check()->ok());
  EXPECT_EQ(store_->Find("localhost/multi:1")->manifest.media_type, media_type::kOciIndex);
}

}  // namespace
}  // namespace shale
