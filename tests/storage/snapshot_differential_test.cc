// Differential test: the same random file-system mutations, run on the
// overlay and on the native snapshotter, must give byte-identical layers, and
// applying each layer onto the parent must reproduce the mutated tree exactly.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <functional>
#include <map>
#include <random>
#include <set>

#include "base/digest.h"
#include "storage/layer_apply.h"
#include "storage/layer_writer.h"
#include "storage/snapshotter.h"
#include "tests/storage/layer_test_util.h"

namespace shale {
namespace {

using layertest::Sh;

// A tiny blob store for the test: digest → file.
struct Blobs {
  explicit Blobs(std::string dir) : dir(std::move(dir)) {}
  std::string dir;
  ParentLayer Put(const std::string& data, const LayerInfo& info) {
    std::string path = dir + "/" + info.descriptor.digest.hex();
    layertest::WriteFile(path, data);
    return ParentLayer{info.diff_id, info.descriptor};
  }
  OpenBlobFn Opener() {
    return [this](const Descriptor& d) -> Result<UniqueFd> {
      UniqueFd fd(layertest::OpenRead(dir + "/" + d.digest.hex()));
      if (!fd.valid()) return NotFoundError("no blob " + d.digest.ToString());
      return fd;
    };
  }
};

void SetTime(const std::string& path, int64_t t) {
  struct timespec ts[2] = {{t, 0}, {t, 0}};
  utimensat(AT_FDCWD, path.c_str(), ts, AT_SYMLINK_NOFOLLOW);
}

std::string Parent(const std::string& p) { return p.substr(0, p.rfind('/')); }

// Every path under root (absolute), skipping the protected "keep" subtree.
std::vector<std::string> Entries(const std::string& root) {
  std::vector<std::string> out;
  std::function<void(const std::string&)> rec = [&](const std::string& dir) {
    for (const auto& [rel, line] : layertest::SnapshotTree(dir, {.mtime = false})) {
      if (rel.find('/') != std::string::npos) continue;
      std::string p = dir + "/" + rel;
      if (p == root + "/keep") continue;
      out.push_back(p);
      struct stat st;
      if (lstat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) rec(p);
    }
  };
  rec(root);
  return out;
}

// Applies random mutations to a tree; deterministic for a seed. Times are
// set explicitly so two runs produce identical mtimes. Files that took part
// in a hard link are frozen afterwards (with their ancestors): overlayfs
// copy-up breaks link sharing with lower layers and reports the lower's link
// count, a documented overlay semantic the native snapshotter does not have.
struct Mutator {
  std::set<std::string> frozen;  // relative paths
  bool Frozen(const std::string& root, const std::string& p) const {
    std::string rel = p.size() > root.size() ? p.substr(root.size() + 1) : "";
    for (const auto& f : frozen)
      if (f == rel || rel.empty() || f.rfind(rel + "/", 0) == 0) return true;
    return false;
  }
  void Mutate(const std::string& root, uint32_t seed, int count, int64_t t0);
};

void Mutator::Mutate(const std::string& root, uint32_t seed, int count, int64_t t0) {
  std::mt19937 rng(seed);
  int serial = 0;
  for (int i = 0; i < count; ++i) {
    int64_t t = t0 + i;
    std::vector<std::string> all, files, dirs{root};
    for (const auto& p : Entries(root)) {
      struct stat st;
      if (lstat(p.c_str(), &st) != 0) continue;
      if (S_ISDIR(st.st_mode)) dirs.push_back(p);
      if (Frozen(root, p)) continue;
      all.push_back(p);
      if (S_ISREG(st.st_mode)) files.push_back(p);
    }
    auto pick = [&](const std::vector<std::string>& v) { return v[rng() % v.size()]; };
    std::string name = "n" + std::to_string(seed % 100) + "_" + std::to_string(serial++);
    switch (rng() % 11) {
      case 0: {  // create file
        std::string d = pick(dirs), p = d + "/" + name;
        layertest::WriteFile(p, std::string(rng() % 5000, static_cast<char>('a' + rng() % 26)), 0640);
        SetTime(p, t);
        SetTime(d, t);
        break;
      }
      case 1:  // modify
        if (!files.empty()) {
          std::string p = pick(files);
          int fd = open(p.c_str(), O_WRONLY | O_APPEND);
          (void)!write(fd, "more", 4);
          close(fd);
          SetTime(p, t);
        }
        break;
      case 2:  // chmod
        if (!files.empty()) chmod(pick(files).c_str(), rng() % 2 ? 0600 : 04755);
        break;
      case 3: {  // chown
        auto v = rng() % 2 ? files : dirs;
        if (v.size() > 1) lchown(pick(v).c_str(), rng() % 3000, rng() % 3000);
        break;
      }
      case 4:  // delete a file or a whole directory
        if (!all.empty()) {
          std::string p = pick(all);
          Sh("rm -rf '" + p + "'");
          SetTime(Parent(p), t);
        }
        break;
      case 5:  // replace a file with a directory
        if (!files.empty()) {
          std::string p = pick(files);
          unlink(p.c_str());
          mkdir(p.c_str(), 0750);
          layertest::WriteFile(p + "/inner", "inner");
          SetTime(p + "/inner", t);
          SetTime(p, t);
          SetTime(Parent(p), t);
        }
        break;
      case 6:  // replace a directory with a file
        if (dirs.size() > 1) {
          std::string p = dirs[1 + rng() % (dirs.size() - 1)];
          if (Frozen(root, p)) break;
          Sh("rm -rf '" + p + "'");
          layertest::WriteFile(p, "was a dir");
          SetTime(p, t);
          SetTime(Parent(p), t);
        }
        break;
      case 7: {  // symlink
        std::string d = pick(dirs), p = d + "/" + name;
        static const char* kTargets[] = {"/etc/passwd", "../../x", "relative/target", "/"};
        symlink(kTargets[rng() % 4], p.c_str());
        SetTime(p, t);
        SetTime(d, t);
        break;
      }
      case 8:  // hard link
        if (!files.empty()) {
          std::string src = pick(files), d = pick(dirs), p = d + "/" + name;
          link(src.c_str(), p.c_str());
          frozen.insert(src.substr(root.size() + 1));
          frozen.insert(p.substr(root.size() + 1));
          SetTime(d, t);
        }
        break;
      case 9: {  // xattr
        auto v = rng() % 2 ? files : dirs;
        if (v.size() > 1) {
          std::string val = "v" + std::to_string(rng() % 100);
          lsetxattr(pick(v).c_str(), ("user.k" + std::to_string(rng() % 3)).c_str(), val.data(), val.size(), 0);
        }
        break;
      }
      case 10: {  // nested new directory
        std::string d = pick(dirs), p = d + "/" + name;
        mkdir(p.c_str(), 0755);
        mkdir((p + "/deeper").c_str(), 0700);
        layertest::WriteFile(p + "/deeper/f", "deep");
        SetTime(p + "/deeper/f", t);
        SetTime(p + "/deeper", t);
        SetTime(p, t);
        SetTime(d, t);
        break;
      }
    }
  }
}

// The base layer: a small tree with every kind of entry.
std::string MakeBase(const std::string& src) {
  Sh("mkdir -p '" + src + "'/etc '" + src + "'/usr/lib '" + src + "'/var/lib/apt '" + src + "'/keep/links && cd '" +
     src + "' && echo root > etc/passwd && echo conf > etc/app.conf && "
     "for i in 1 2 3 4 5 6; do echo lib$i > usr/lib/lib$i.so; done && mkdir usr/lib/sub && echo s > usr/lib/sub/s && "
     "ln -s usr/lib lib && ln -s /run var/run && echo a > keep/links/a && ln keep/links/a keep/links/b && "
     "chown 1000:1000 var/lib/apt && "
     "find . -exec touch -h -d @1500000000 {} +");
  lsetxattr((src + "/etc/app.conf").c_str(), "user.base", "1", 1, 0);
  return src;
}

std::map<std::string, std::string> Snap(const std::string& root) { return layertest::SnapshotTree(root); }

class SnapshotDifferentialTest : public ::testing::TestWithParam<uint32_t> {};

TEST_P(SnapshotDifferentialTest, OverlayAndNativeAgreeAndLayersReproduceTheTree) {
  if (geteuid() != 0) GTEST_SKIP() << "overlay needs root (or a user namespace) to mount";
  layertest::TempDir dir;
  Blobs blobs(dir.path());
  std::string base_src = MakeBase(dir / "base-src");
  Changes base_changes{base_src, {}, {}, 0};
  for (const char* top : {"etc", "usr", "var", "keep", "lib"}) base_changes.entries.push_back({Change::Kind::kAddTree, top});
  layertest::StringSink base_blob;
  auto base_info = WriteLayer(base_changes, {}, base_blob);
  ASSERT_TRUE(base_info.ok()) << base_info.status().ToString();
  ParentLayer base = blobs.Put(base_blob.s, *base_info);

  std::string store = dir / "store";
  if (!OverlayAvailable(store)) GTEST_SKIP() << "overlayfs cannot be mounted here";
  auto native = NewNativeSnapshotter(store);
  auto overlay = NewOverlaySnapshotter(store);
  ASSERT_TRUE(overlay.ok()) << overlay.status().ToString();
  auto nt = native->Prepare({base}, blobs.Opener());
  ASSERT_TRUE(nt.ok()) << nt.status().ToString();
  auto ot = (*overlay)->Prepare({base}, blobs.Opener());
  ASSERT_TRUE(ot.ok()) << ot.status().ToString();
  ASSERT_EQ(layertest::DiffTrees(Snap((*nt)->rootfs()), Snap((*ot)->rootfs())), "") << "same parent tree";

  std::vector<ParentLayer> chain{base};
  Mutator mn, mo;
  for (int step = 0; step < 3; ++step) {
    uint32_t seed = GetParam() * 10 + static_cast<uint32_t>(step);
    int64_t t0 = 1600000000 + step * 1000;
    mn.Mutate((*nt)->rootfs(), seed, 40, t0);
    mo.Mutate((*ot)->rootfs(), seed, 40, t0);
    auto want = Snap((*nt)->rootfs());
    ASSERT_EQ(layertest::DiffTrees(want, Snap((*ot)->rootfs())), "") << "the mutations did the same on both";

    std::string layers[2];
    LayerInfo infos[2];
    WorkingTree* trees[2] = {nt->get(), ot->get()};
    for (int k = 0; k < 2; ++k) {
      auto changes = trees[k]->Diff();
      ASSERT_TRUE(changes.ok()) << changes.status().ToString();
      layertest::StringSink sink;
      auto info = trees[k]->Commit(*changes, {}, sink);
      ASSERT_TRUE(info.ok()) << info.status().ToString();
      layers[k] = sink.s;
      infos[k] = *info;
    }
    ASSERT_EQ(infos[0].descriptor.digest, infos[1].descriptor.digest) << "step " << step;
    ASSERT_EQ(layers[0], layers[1]);
    chain.push_back(blobs.Put(layers[0], infos[0]));

    // Apply the chain onto a fresh directory: the mutated tree, exactly.
    std::string applied = dir / ("applied" + std::to_string(step));
    ASSERT_EQ(mkdir(applied.c_str(), 0755), 0);
    for (const auto& l : chain) {
      UniqueFd fd(layertest::OpenRead(blobs.dir + "/" + l.blob.digest.hex()));
      auto r = ApplyLayer(fd.get(), applied);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
    }
    EXPECT_EQ(layertest::DiffTrees(want, Snap(applied)), "") << "step " << step;
    // And after Commit the trees diff as unchanged.
    for (auto* t : trees) {
      auto again = t->Diff();
      ASSERT_TRUE(again.ok());
      EXPECT_TRUE(again->entries.empty()) << again->entries.size() << " entries, first " << again->entries[0].path;
    }
  }
  // A fresh overlay tree on the committed chain reuses the cache and shows the same tree.
  auto ot2 = (*overlay)->Prepare(chain, blobs.Opener());
  ASSERT_TRUE(ot2.ok()) << ot2.status().ToString();
  EXPECT_EQ(layertest::DiffTrees(Snap((*nt)->rootfs()), Snap((*ot2)->rootfs())), "");
  EXPECT_TRUE((*ot2)->Close().ok());
  EXPECT_TRUE((*ot)->Close().ok());
  EXPECT_TRUE((*nt)->Close().ok());
}

INSTANTIATE_TEST_SUITE_P(Seeds, SnapshotDifferentialTest, ::testing::Values(1u, 2u, 3u, 4u));

}  // namespace
}  // namespace shale

namespace shale {
namespace {

// Overlay inside a user namespace (userxattr: whiteouts stay 0/0 devices,
// opaque dirs carry user.overlay.opaque). The test re-runs itself under
// `unshare -Urm`; the inner run does the work.
TEST(OverlayUserNamespace, DiffConvertsUserxattrOpaqueAndWhiteouts) {
  if (getenv("SHALE_LAYERS_IN_USERNS") == nullptr) {
    if (Sh("unshare -Urm true 2>/dev/null") != 0) GTEST_SKIP() << "unshare -Urm not permitted here";
    std::string self = layertest::ShOut("readlink /proc/" + std::to_string(getpid()) + "/exe");
    self.pop_back();
    std::string out = layertest::ShOut("SHALE_LAYERS_IN_USERNS=1 unshare -Urm '" + self +
                                       "' --gtest_filter=OverlayUserNamespace.* 2>&1; echo rc=$?");
    if (out.find("overlayfs cannot be mounted") != std::string::npos) GTEST_SKIP() << "no overlay in a userns here";
    EXPECT_NE(out.find("[  PASSED  ] 1 test"), std::string::npos) << out;
    EXPECT_NE(out.find("rc=0"), std::string::npos) << out;
    return;
  }
  layertest::TempDir dir;
  Blobs blobs(dir.path());
  std::string src = dir / "base-src";
  ASSERT_EQ(Sh("mkdir -p '" + src + "/d/sub' '" + src + "/keep' && echo a > '" + src + "/d/sub/a' && echo b > '" + src +
               "/keep/b' && echo c > '" + src + "/c'"),
            0);
  Changes bc{src, {{Change::Kind::kAddTree, "d"}, {Change::Kind::kAddTree, "keep"}, {Change::Kind::kAdd, "c"}}, {}, 0};
  layertest::StringSink bb;
  auto bi = WriteLayer(bc, {}, bb);
  ASSERT_TRUE(bi.ok());
  ParentLayer base = blobs.Put(bb.s, *bi);
  std::string store = dir / "store";
  auto overlay = NewOverlaySnapshotter(store);
  if (!overlay.ok()) GTEST_SKIP() << "overlayfs cannot be mounted: " << overlay.status().ToString();
  auto t = (*overlay)->Prepare({base}, blobs.Opener());
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  std::string r = (*t)->rootfs();
  ASSERT_EQ(Sh("cd '" + r + "' && rm -rf d && mkdir d && echo new > d/n && rm c && echo x > keep/x"), 0);
  auto changes = (*t)->Diff();
  ASSERT_TRUE(changes.ok()) << changes.status().ToString();
  std::map<std::string, Change::Kind> kinds;
  for (const auto& c : changes->entries) kinds[c.path] = c.kind;
  EXPECT_EQ(kinds["d"], Change::Kind::kOpaque);
  EXPECT_EQ(kinds["c"], Change::Kind::kDelete);
  EXPECT_EQ(kinds["keep/x"], Change::Kind::kAdd);
  layertest::StringSink ls;
  auto li = (*t)->Commit(*changes, {}, ls);
  ASSERT_TRUE(li.ok()) << li.status().ToString();
  blobs.Put(ls.s, *li);
  std::string applied = dir / "applied";
  ASSERT_EQ(mkdir(applied.c_str(), 0755), 0);
  for (const auto& d : {bi->descriptor.digest, li->descriptor.digest}) {
    UniqueFd fd(layertest::OpenRead(blobs.dir + "/" + d.hex()));
    ASSERT_TRUE(ApplyLayer(fd.get(), applied).ok());
  }
  EXPECT_EQ(layertest::DiffTrees(Snap(r), Snap(applied)), "");
  EXPECT_TRUE((*t)->Close().ok());
}

}  // namespace
}  // namespace shale
