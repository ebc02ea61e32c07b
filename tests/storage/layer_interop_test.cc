// Interop: layers written by shale unpack identically with umoci; layers
// written by GNU tar and python's tarfile (busybox built like the shared
// fixtures) apply correctly, including absolute and merged-usr symlinks.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/digest.h"
#include "storage/layer_apply.h"
#include "storage/layer_writer.h"
#include "tests/storage/layer_test_util.h"

namespace shale {
namespace {

using layertest::Sh;

// A debian-like tree: merged /usr, /var/run -> /run, setuid, hard links, xattrs.
void MakeDebianLike(const std::string& root) {
  ASSERT_EQ(Sh("set -e; mkdir -p '" + root + "' && cd '" + root + "' && mkdir -p usr/lib/x86_64-linux-gnu usr/bin etc run var/lib/dpkg root tmp && "
               "ln -s usr/lib lib && ln -s usr/bin bin && ln -s /run var/run && "
               "echo libc > usr/lib/x86_64-linux-gnu/libc.so.6 && ln -s libc.so.6 usr/lib/x86_64-linux-gnu/libc.so && "
               "printf '#!/bin/sh\\n' > usr/bin/su && chmod 4755 usr/bin/su && echo p > usr/bin/perl && ln usr/bin/perl usr/bin/perl5.36 && "
               "echo 'root:x:0:0::/root:/bin/bash' > etc/passwd && echo s > etc/shadow && chown 0:42 etc/shadow && chmod 640 etc/shadow && "
               "chmod 700 root && chmod 1777 tmp && echo status > var/lib/dpkg/status && "
               "find . -exec touch -h -d @1704067200 {} +"),
            0);
  lsetxattr((root + "/usr/bin/perl").c_str(), "user.mime", "text", 4, 0);
}

Changes WholeTree(const std::string& root) {
  Changes c;
  c.source_root = root;
  for (const auto& [rel, line] : layertest::SnapshotTree(root, {.mtime = false}))
    if (rel.find('/') == std::string::npos) c.entries.push_back({Change::Kind::kAddTree, rel});
  return c;
}

TEST(LayerInterop, UmociUnpacksShaleLayersToTheSameTree) {
  if (Sh("command -v umoci >/dev/null") != 0) GTEST_SKIP() << "umoci not installed";
  if (geteuid() != 0) GTEST_SKIP() << "umoci unpack keeps owners only as root";
  layertest::TempDir dir;
  std::string src = dir / "src";
  MakeDebianLike(src);
  for (Compression c : {Compression::kGzip, Compression::kZstd}) {
    LayerWriterOptions o;
    o.compression = c;
    layertest::StringSink blob;
    auto info = WriteLayer(WholeTree(src), o, blob);
    ASSERT_TRUE(info.ok()) << info.status().ToString();
    std::string layout = dir / (c == Compression::kGzip ? "layout-gz" : "layout-zst");
    ASSERT_EQ(Sh("mkdir -p '" + layout + "/blobs/sha256'"), 0);
    layertest::WriteFile(layout + "/blobs/sha256/" + info->descriptor.digest.hex(), blob.s);
    std::string config = R"({"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":[")" +
                         info->diff_id.ToString() + R"("]}})";
    Digest cd = Digest::Sha256(config);
    layertest::WriteFile(layout + "/blobs/sha256/" + cd.hex(), config);
    std::string manifest = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" +
                           cd.ToString() + R"(","size":)" + std::to_string(config.size()) +
                           R"(},"layers":[{"mediaType":")" + info->descriptor.media_type + R"(","digest":")" +
                           info->descriptor.digest.ToString() + R"(","size":)" + std::to_string(info->descriptor.size) + "}]}";
    Digest md = Digest::Sha256(manifest);
    layertest::WriteFile(layout + "/blobs/sha256/" + md.hex(), manifest);
    layertest::WriteFile(layout + "/oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
    layertest::WriteFile(layout + "/index.json",
                         R"({"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
                             md.ToString() + R"(","size":)" + std::to_string(manifest.size()) +
                             R"(,"annotations":{"org.opencontainers.image.ref.name":"latest"}}]})");
    std::string bundle = layout + "-bundle";
    std::string out = layertest::ShOut("umoci unpack --image '" + layout + ":latest' '" + bundle + "' 2>&1; echo rc=$?");
    if (c == Compression::kZstd && out.find("rc=0") == std::string::npos) {
      // umoci releases before 0.4.7 know no zstd layers.
      EXPECT_NE(out.find("zstd"), std::string::npos) << out;
      continue;
    }
    ASSERT_NE(out.find("rc=0"), std::string::npos) << out;
    EXPECT_EQ(layertest::DiffTrees(layertest::SnapshotTree(src), layertest::SnapshotTree(bundle + "/rootfs")), "")
        << "compression " << static_cast<int>(c);
    // And shale's own applier agrees.
    std::string mine = dir / "mine";
    Sh("rm -rf '" + mine + "' && mkdir '" + mine + "'");
    layertest::WriteFile(dir / "blob", blob.s);
    UniqueFd fd(layertest::OpenRead(dir / "blob"));
    ASSERT_TRUE(ApplyLayer(fd.get(), mine).ok());
    EXPECT_EQ(layertest::DiffTrees(layertest::SnapshotTree(src), layertest::SnapshotTree(mine)), "");
  }
}

TEST(LayerInterop, GnuTarLayersWithAbsoluteAndMergedUsrSymlinksApply) {
  if (geteuid() != 0) GTEST_SKIP() << "owners need root";
  layertest::TempDir dir;
  std::string src = dir / "src", rootfs = dir / "rootfs";
  MakeDebianLike(src);
  ASSERT_EQ(Sh("cd '" + dir.path() + "' && tar --numeric-owner --xattrs -C src -czf base.tgz . && "
               "mkdir -p up/var/run up/lib up/bin && echo pid > up/var/run/app.pid && echo so > up/lib/libnew.so && "
               "echo sh > up/bin/tool && touch -h -d @1704067200 up/var/run/app.pid up/lib/libnew.so up/bin/tool && "
               "tar --numeric-owner -C up -cf upper.tar var/run/app.pid lib/libnew.so bin/tool && zstd -q upper.tar && mkdir rootfs"),
            0);
  UniqueFd base(layertest::OpenRead(dir / "base.tgz"));
  auto r = ApplyLayer(base.get(), rootfs);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(layertest::DiffTrees(layertest::SnapshotTree(src), layertest::SnapshotTree(rootfs)), "");
  // A later layer writing through /var/run and the merged-usr links lands in
  // /run and /usr/lib, /usr/bin — and the links stay links.
  UniqueFd upper(layertest::OpenRead(dir / "upper.tar.zst"));
  r = ApplyLayer(upper.get(), rootfs);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(layertest::ReadFile(rootfs + "/run/app.pid"), "pid\n");
  EXPECT_EQ(layertest::ReadFile(rootfs + "/usr/lib/libnew.so"), "so\n");
  EXPECT_EQ(layertest::ReadFile(rootfs + "/usr/bin/tool"), "sh\n");
  struct stat st;
  ASSERT_EQ(lstat((rootfs + "/var/run").c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  ASSERT_EQ(lstat((rootfs + "/lib").c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
}

TEST(LayerInterop, BusyboxLayerFromAnotherToolAppliesAndRuns) {
  if (geteuid() != 0) GTEST_SKIP() << "chroot needs root";
  layertest::TempDir dir;
  std::string script = std::string(SHALE_SOURCE_DIR) + "/tests/storage/fixtures/make_busybox_layer.sh";
  int rc = Sh("bash '" + script + "' '" + (dir / "busybox.tar.gz") + "' 2>/dev/null");
  if (rc == 3) GTEST_SKIP() << "busybox (busybox-static) not installed";
  ASSERT_EQ(rc, 0);
  ASSERT_EQ(Sh("mkdir '" + (dir / "rootfs") + "'"), 0);
  UniqueFd fd(layertest::OpenRead(dir / "busybox.tar.gz"));
  auto r = ApplyLayer(fd.get(), dir / "rootfs");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_GT(r->entries, 100);
  char target[64] = {};
  ASSERT_GT(readlink((dir / "rootfs/bin/sh").c_str(), target, sizeof target), 0);
  EXPECT_STREQ(target, "busybox");
  struct stat st;
  ASSERT_EQ(stat((dir / "rootfs/tmp").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 01777u);
  ASSERT_EQ(stat((dir / "rootfs/home/user").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 1000u);
  EXPECT_EQ(layertest::ShOut("chroot '" + (dir / "rootfs") + "' /bin/sh -c 'echo ok'"), "ok\n");
}

}  // namespace
}  // namespace shale
