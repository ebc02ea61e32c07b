// The store commands end to end through the real `shale` binary: import,
// images, inspect, tag, rmi, prune, check — and real peers (skopeo, umoci)
// reading what shale wrote.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/digest.h"
#include "storage/image_store.h"
#include "storage/oci/index.h"
#include "storage/snapshotter.h"
#include "tests/testutil/subprocess.h"

namespace shale {
namespace {

namespace fs = std::filesystem;
using shale::testing::CommandResult;
using shale::testing::HaveTool;
using shale::testing::ReadFile;
using shale::testing::ScratchDir;
using shale::testing::ShaleBinary;
using shale::testing::WriteFile;

constexpr char kEpoch[] = "1700000000";

class CliStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A small rootfs: files, a directory, a symlink, with mtimes after kEpoch.
    WriteFile(dir_ / "rootfs/etc/os-release", "NAME=test\n");
    WriteFile(dir_ / "rootfs/bin/hello", "#!/bin/sh\necho hello\n", 0755);
    WriteFile(dir_ / "rootfs/usr/share/doc/readme", std::string(100000, 'r'));
    fs::create_symlink("hello", dir_ / "rootfs/bin/hi");
    tarball_ = dir_ / "rootfs.tar.gz";
    MakeTarball(tarball_, "");
  }

  void MakeTarball(const std::string& out, const std::string& compress_flag) {
    std::vector<std::string> argv = {"tar", "-C", dir_ / "rootfs", "--sort=name", "-c"};
    if (!compress_flag.empty()) argv.push_back(compress_flag);
    if (out.ends_with(".gz")) argv.push_back("-z");
    argv.insert(argv.end(), {"-f", out, "."});
    CommandResult r = shale::testing::Run(argv);
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }

  CommandResult Shale(std::vector<std::string> args, std::map<std::string, std::string> env = {},
                      const std::string& root = "") {
    std::vector<std::string> argv = {ShaleBinary(), "--root", root.empty() ? store() : root};
    argv.insert(argv.end(), args.begin(), args.end());
    env.emplace("SOURCE_DATE_EPOCH", kEpoch);
    return shale::testing::Run(argv, {.env = env});
  }

  std::string store() const { return dir_ / "store"; }
  std::string Trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
  }

  ScratchDir dir_{"shale-cli-store"};
  std::string tarball_;
};

TEST_F(CliStoreTest, ImportImagesInspectTagRmi) {
  CommandResult imp = Shale({"import", tarball_, "example"});
  ASSERT_EQ(imp.exit_code, 0) << imp.output;
  std::string id = Trimmed(imp.output);
  ASSERT_EQ(id.size(), 64u) << imp.output;

  CommandResult images = Shale({"images"});
  ASSERT_EQ(images.exit_code, 0) << images.output;
  EXPECT_NE(images.output.find("REPOSITORY"), std::string::npos);
  EXPECT_NE(images.output.find("IMAGE ID"), std::string::npos);
  EXPECT_NE(images.output.find("localhost/example"), std::string::npos) << images.output;
  EXPECT_NE(images.output.find("latest"), std::string::npos);
  EXPECT_NE(images.output.find(id.substr(0, 12)), std::string::npos);

  CommandResult json = Shale({"images", "--format", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.output;
  auto arr = nlohmann::json::parse(json.output);
  ASSERT_EQ(arr.size(), 1u);
  EXPECT_EQ(arr[0]["Id"], id);
  EXPECT_EQ(arr[0]["Names"][0], "localhost/example:latest");
  EXPECT_EQ(arr[0]["Created"], 1700000000);

  CommandResult inspect = Shale({"inspect", "example"});
  ASSERT_EQ(inspect.exit_code, 0) << inspect.output;
  auto info = nlohmann::json::parse(inspect.output);
  EXPECT_EQ(info[0]["Id"], id);
  EXPECT_EQ(info[0]["Created"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(info[0]["RootFS"]["Layers"].size(), 1u);
  CommandResult manifest = Shale({"inspect", "--type", "manifest", "localhost/example:latest"});
  ASSERT_EQ(manifest.exit_code, 0);
  EXPECT_EQ(Digest::Sha256(Trimmed(manifest.output)).ToString(), info[0]["Digest"]);
  CommandResult config = Shale({"inspect", "--type", "config", id.substr(0, 12)});
  ASSERT_EQ(config.exit_code, 0) << config.output;
  EXPECT_EQ(Digest::Sha256(Trimmed(config.output)).hex(), id);
  CommandResult fmt = Shale({"inspect", "--format", "{{.Os}}/{{.Architecture}} {{json .RootFS.Type}}", "example"});
  ASSERT_EQ(fmt.exit_code, 0) << fmt.output;
  EXPECT_NE(fmt.output.find("linux/"), std::string::npos);
  EXPECT_NE(fmt.output.find("\"layers\""), std::string::npos);

  ASSERT_EQ(Shale({"tag", "example", "other:1", "quay.io/x/y:2"}).exit_code, 0);
  images = Shale({"images"});
  EXPECT_NE(images.output.find("localhost/other"), std::string::npos) << images.output;
  EXPECT_NE(images.output.find("quay.io/x/y"), std::string::npos);
  // An id naming an image with several names needs --force.
  CommandResult by_id = Shale({"rmi", id.substr(0, 12)});
  EXPECT_EQ(by_id.exit_code, 1);
  EXPECT_NE(by_id.output.find("has 3 names"), std::string::npos) << by_id.output;
  CommandResult rmi = Shale({"rmi", "other:1"});
  ASSERT_EQ(rmi.exit_code, 0) << rmi.output;
  EXPECT_NE(rmi.output.find("Untagged: localhost/other:1"), std::string::npos);
  EXPECT_EQ(rmi.output.find("Deleted"), std::string::npos);
  rmi = Shale({"rmi", "-f", id});
  ASSERT_EQ(rmi.exit_code, 0) << rmi.output;
  EXPECT_NE(rmi.output.find("Deleted: " + id), std::string::npos) << rmi.output;
  EXPECT_EQ(Shale({"images", "-q"}).output, "");
  // rmi freed the blobs.
  EXPECT_EQ(fs::directory_iterator(store() + "/blobs/sha256"), fs::directory_iterator());
  CommandResult missing = Shale({"rmi", "example"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.output.find("image not known: example"), std::string::npos) << missing.output;
  EXPECT_EQ(Shale({"rmi", "-i", "example"}).exit_code, 0);
  CommandResult check = Shale({"check"});
  EXPECT_EQ(check.exit_code, 0) << check.output;
  EXPECT_NE(check.output.find("OK"), std::string::npos);
}

TEST_F(CliStoreTest, ImportIsDeterministicAndHonoursSourceDateEpoch) {
  CommandResult a = Shale({"import", tarball_, "a"});
  ASSERT_EQ(a.exit_code, 0) << a.output;
  // Same content, newer mtimes, another compression: same layer, same image.
  for (auto& e : fs::recursive_directory_iterator(dir_ / "rootfs"))
    if (!e.is_symlink()) fs::last_write_time(e.path(), fs::file_time_type::clock::now());
  std::string plain = dir_ / "rootfs.tar";
  MakeTarball(plain, "");
  CommandResult b = Shale({"import", plain, "b"}, {}, dir_ / "store2");
  ASSERT_EQ(b.exit_code, 0) << b.output;
  EXPECT_EQ(a.output, b.output);
  auto layers = [&](const std::string& root, const std::string& name) {
    CommandResult r = Shale({"inspect", "--format", "{{json .Layers}}", name}, {}, root);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return r.output;
  };
  EXPECT_EQ(layers(store(), "a"), layers(dir_ / "store2", "b"));
  if (HaveTool("zstd")) {
    std::string zst = dir_ / "rootfs.tar.zst";
    MakeTarball(zst, "--zstd");
    CommandResult c = Shale({"import", zst, "c"});
    ASSERT_EQ(c.exit_code, 0) << c.output;
    EXPECT_EQ(c.output, a.output);
  }
  // From stdin, too.
  std::vector<std::string> argv = {ShaleBinary(), "--root", store(), "import", "-", "d"};
  CommandResult d = shale::testing::Run(argv, {.env = {{"SOURCE_DATE_EPOCH", kEpoch}}, .stdin_data = ReadFile(tarball_)});
  ASSERT_EQ(d.exit_code, 0) << d.output;
  EXPECT_EQ(d.output, a.output);
}

TEST_F(CliStoreTest, ChangesAndMessage) {
  CommandResult imp = Shale({"import", "--change", "CMD [\"/bin/hello\"]", "-c", "ENV A=1 B=\"two words\"", "-c",
                             "LABEL org.example=yes", "-c", "EXPOSE 8080", "-c", "WORKDIR /srv", "-m", "imported",
                             tarball_, "changed:v1"});
  ASSERT_EQ(imp.exit_code, 0) << imp.output;
  CommandResult r = Shale({"inspect", "--format", "{{json .Config}}|{{json .History}}", "changed:v1"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::string out = r.output;
  EXPECT_NE(out.find("\"Cmd\":[\"/bin/hello\"]"), std::string::npos) << out;
  EXPECT_NE(out.find("\"B=two words\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"org.example\":\"yes\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"8080/tcp\":{}"), std::string::npos) << out;
  EXPECT_NE(out.find("\"WorkingDir\":\"/srv\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"comment\":\"imported\""), std::string::npos) << out;
  CommandResult bad = Shale({"import", "-c", "RUN rm -rf /", tarball_});
  EXPECT_EQ(bad.exit_code, 125);
  EXPECT_NE(bad.output.find("unsupported instruction \"RUN\""), std::string::npos) << bad.output;
}

TEST_F(CliStoreTest, SkopeoAndUmociReadAnImportedImage) {
  ASSERT_EQ(Shale({"import", tarball_, "peer:1"}).exit_code, 0);
  if (!HaveTool("skopeo")) GTEST_SKIP() << "skopeo not installed";
  CommandResult sk = shale::testing::Run({"skopeo", "inspect", "oci:" + store() + ":localhost/peer:1"});
  ASSERT_EQ(sk.exit_code, 0) << sk.output;
  auto j = nlohmann::json::parse(sk.output.substr(sk.output.find('{')));
  EXPECT_EQ(j["Layers"].size(), 1u);
  EXPECT_EQ(j["Created"], "2023-11-14T22:13:20Z");
  CommandResult raw = shale::testing::Run({"skopeo", "inspect", "--raw", "oci:" + store() + ":localhost/peer:1"});
  ASSERT_EQ(raw.exit_code, 0) << raw.output;
  EXPECT_EQ(Digest::Sha256(raw.output).ToString(), j["Digest"]);

  if (!HaveTool("umoci")) GTEST_SKIP() << "umoci not installed";
  std::string bundle = dir_ / "bundle";
  CommandResult um = shale::testing::Run({"umoci", "unpack", "--rootless", "--image", store() + ":localhost/peer:1", bundle});
  ASSERT_EQ(um.exit_code, 0) << um.output;
  EXPECT_EQ(ReadFile(bundle + "/rootfs/etc/os-release"), "NAME=test\n");
  EXPECT_EQ(fs::read_symlink(bundle + "/rootfs/bin/hi"), "hello");
  // Both tools only read: the store still checks clean.
  EXPECT_EQ(Shale({"check"}).exit_code, 0);
}

TEST_F(CliStoreTest, BadInputGivesClearErrorsAndLosesNothing) {
  ASSERT_EQ(Shale({"import", tarball_, "keep:1"}).exit_code, 0);
  std::string index_before = ReadFile(store() + "/index.json");

  // A truncated tarball.
  std::string whole = ReadFile(tarball_);
  WriteFile(dir_ / "cut.tar.gz", whole.substr(0, whole.size() / 2));
  CommandResult cut = Shale({"import", dir_ / "cut.tar.gz", "cut:1"});
  EXPECT_EQ(cut.exit_code, 1);
  EXPECT_NE(cut.output.find("DataLoss"), std::string::npos) << cut.output;
  EXPECT_EQ(cut.output.find('\n'), cut.output.size() - 1) << "one line: " << cut.output;
  EXPECT_EQ(ReadFile(store() + "/index.json"), index_before);
  EXPECT_EQ(Shale({"check"}).exit_code, 0);

  // A blob whose content does not match its name.
  auto index = *oci::ParseIndex(index_before);
  std::string manifest_path = store() + "/blobs/sha256/" + index.manifests[0].digest.hex();
  std::string manifest = ReadFile(manifest_path);
  fs::permissions(manifest_path, fs::perms::owner_write, fs::perm_options::add);
  WriteFile(manifest_path, manifest.substr(0, manifest.size() - 1) + " ");
  CommandResult inspect = Shale({"inspect", "keep:1"});
  EXPECT_EQ(inspect.exit_code, 1);
  EXPECT_NE(inspect.output.find("Error: DataLoss: keep:1: blob " + index.manifests[0].digest.ToString() + " is corrupt"),
            std::string::npos)
      << inspect.output;
  CommandResult check = Shale({"check"});
  EXPECT_EQ(check.exit_code, 1);
  EXPECT_NE(check.output.find("problem: DataLoss: blob"), std::string::npos) << check.output;
  WriteFile(manifest_path, manifest);  // put it back
  EXPECT_EQ(Shale({"check"}).exit_code, 0);

  // An index.json entry with a media type shale does not know.
  auto odd = index;
  odd.manifests[0].media_type = "application/vnd.example.thing+json";
  odd.manifests[0].annotations["org.opencontainers.image.ref.name"] = "localhost/odd:1";
  odd.manifests.push_back(index.manifests[0]);
  WriteFile(store() + "/index.json", oci::SerializeIndex(odd));
  CommandResult unknown = Shale({"inspect", "odd:1"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.output.find("Error: Unimplemented: odd:1: unsupported media type \"application/vnd.example.thing+json\""),
            std::string::npos)
      << unknown.output;
  EXPECT_EQ(Shale({"inspect", "keep:1"}).exit_code, 0);

  // Corrupt index.json: commands fail clearly and never overwrite it.
  WriteFile(store() + "/index.json", "{\"manifests\": [");
  for (auto args : std::vector<std::vector<std::string>>{{"images"}, {"tag", "keep:1", "x:1"}, {"prune"}}) {
    CommandResult r = Shale(args);
    EXPECT_EQ(r.exit_code, 1) << args[0];
    EXPECT_NE(r.output.find("DataLoss"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("index.json is corrupt"), std::string::npos) << r.output;
  }
  EXPECT_EQ(ReadFile(store() + "/index.json"), "{\"manifests\": [");
  CommandResult repair = Shale({"check", "--repair"});
  EXPECT_EQ(repair.exit_code, 0) << repair.output;
  EXPECT_NE(repair.output.find("repaired: moved corrupt index.json"), std::string::npos) << repair.output;
  CommandResult images = Shale({"images"});
  EXPECT_EQ(images.exit_code, 0);
  EXPECT_NE(images.output.find("<none>"), std::string::npos) << images.output;
}

TEST_F(CliStoreTest, UsageErrorsExit125AndHelpWorks) {
  for (auto args : std::vector<std::vector<std::string>>{{"images", "--bogus"},
                                                         {"images", "--format", "yaml"},
                                                         {"inspect"},
                                                         {"inspect", "--type", "nope", "x"},
                                                         {"tag", "only-one"},
                                                         {"tag", "a", "Bad:Name:x"},
                                                         {"rmi"},
                                                         {"import"},
                                                         {"import", "x", "y", "z"},
                                                         {"check", "extra"},
                                                         {"prune", "extra"}}) {
    CommandResult r = Shale(args);
    EXPECT_EQ(r.exit_code, 125) << args[0] << " " << (args.size() > 1 ? args[1] : "") << ": " << r.output;
    EXPECT_NE(r.output.find("Error"), std::string::npos) << r.output;
  }
  for (const char* cmd : {"images", "inspect", "tag", "rmi", "prune", "check", "import"}) {
    CommandResult r = Shale({cmd, "--help"});
    EXPECT_EQ(r.exit_code, 0) << cmd << ": " << r.output;
    EXPECT_NE(r.output.find(cmd), std::string::npos) << r.output;
  }
}

TEST_F(CliStoreTest, FourProcessesImportAndTagAtOnce) {
  constexpr int kProcs = 4;
  // Different content per process, so each writes its own blobs.
  std::vector<std::string> tarballs;
  for (int i = 0; i < kProcs; ++i) {
    WriteFile(dir_ / "rootfs/etc/which", std::to_string(i));
    tarballs.push_back(dir_ / ("t" + std::to_string(i) + ".tar.gz"));
    MakeTarball(tarballs.back(), "");
  }
  std::vector<CommandResult> results(kProcs * 2);
  std::vector<std::thread> threads;
  for (int i = 0; i < kProcs; ++i) {
    threads.emplace_back([&, i] {
      std::string n = std::to_string(i);
      results[2 * i] = Shale({"import", tarballs[i], "par" + n});
      if (results[2 * i].exit_code == 0)
        results[2 * i + 1] = Shale({"tag", "par" + n, "shared:latest", "par" + n + ":alias"});
    });
  }
  for (auto& t : threads) t.join();
  for (const CommandResult& r : results) EXPECT_EQ(r.exit_code, 0) << r.output;
  CommandResult json = Shale({"images", "--format", "json"});
  ASSERT_EQ(json.exit_code, 0);
  auto arr = nlohmann::json::parse(json.output);
  EXPECT_EQ(arr.size(), static_cast<size_t>(kProcs));
  for (int i = 0; i < kProcs; ++i) {
    std::string n = std::to_string(i);
    EXPECT_EQ(Shale({"inspect", "--format", "{{.Id}}", "par" + n + ":alias"}).exit_code, 0);
  }
  CommandResult check = Shale({"check"});
  EXPECT_EQ(check.exit_code, 0) << check.output;
  EXPECT_NE(check.output.find("9 image(s)"), std::string::npos) << check.output;
}

}  // namespace
}  // namespace shale

namespace shale {
namespace {

// SECURITY.md §3 through the CLI: an image whose config lies about a layer's
// diff_id (made here by hand) cannot be assembled by `shale build`, with
// either snapshotter, and leaves no layer-cache entry; the honest image still
// builds.
TEST_F(CliStoreTest, BuildFromAConfigThatLiesAboutADiffIdFails) {
  ASSERT_EQ(Shale({"import", tarball_, "honest"}).exit_code, 0);
  auto opened = ImageStore::Open(store());
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  ImageStore& img = **opened;
  auto rec = img.Find("localhost/honest:latest");
  ASSERT_TRUE(rec.ok()) << rec.status().ToString();
  auto manifest = nlohmann::json::parse(*img.blobs().ReadBlob(rec->manifest.digest, 1 << 20));
  auto config_digest = *Digest::Parse(std::string(manifest["config"]["digest"]));
  auto config = nlohmann::json::parse(*img.blobs().ReadBlob(config_digest, 1 << 20));
  std::string truth = config["rootfs"]["diff_ids"][0];
  std::string lie = Digest::Sha256("a different layer").ToString();
  config["rootfs"]["diff_ids"][0] = lie;
  auto new_config = img.blobs().PutBlob(config.dump(), manifest["config"]["mediaType"]);
  ASSERT_TRUE(new_config.ok());
  manifest["config"]["digest"] = new_config->digest.ToString();
  manifest["config"]["size"] = new_config->size;
  auto new_manifest = img.blobs().PutBlob(manifest.dump(), rec->manifest.media_type);
  ASSERT_TRUE(new_manifest.ok());
  ASSERT_TRUE(img.Tag("localhost/liar:latest", *new_manifest).ok());
  std::string layer = manifest["layers"][0]["digest"];

  WriteFile(dir_ / "ctx/f", "f\n");
  for (const char* driver : {"native", "overlay"}) {
    if (std::string(driver) == "overlay" && !OverlayAvailable(store())) continue;
    WriteFile(dir_ / "ctx/Containerfile", "FROM liar\nCOPY f /f\n");
    CommandResult bad = Shale({"--storage-driver", driver, "build", "-t", "out", dir_ / "ctx"});
    EXPECT_NE(bad.exit_code, 0) << driver << bad.output;
    EXPECT_NE(bad.output.find("diff_id mismatch: the image config claims " + lie +
                              " but the uncompressed layer is " + truth),
              std::string::npos)
        << driver << bad.output;
    EXPECT_NE(bad.output.find(layer), std::string::npos) << driver << bad.output;
    for (const char* ns : {"trusted", "user"}) {
      std::string cache = store() + "/shale/layers/overlay-" + ns;
      if (fs::exists(cache)) {
        EXPECT_TRUE(fs::is_empty(cache)) << driver << " left " << cache;
      }
    }
    WriteFile(dir_ / "ctx/Containerfile", "FROM honest\nCOPY f /f\n");
    CommandResult good = Shale({"--storage-driver", driver, "build", "-t", "out", dir_ / "ctx"});
    EXPECT_EQ(good.exit_code, 0) << driver << good.output;
  }
}

// `shale prune` removes a working directory a killed build left (no live
// lock holds it) and says so.
TEST_F(CliStoreTest, PruneRemovesAbandonedWorkingDirs) {
  ASSERT_EQ(Shale({"import", tarball_, "example"}).exit_code, 0);
  WriteFile(store() + "/shale/work/native-999999-1-1/rootfs/big", std::string(3000, 'x'));
  CommandResult r = Shale({"prune"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("1 abandoned working dir(s)"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(store() + "/shale/work/native-999999-1-1"));
}

}  // namespace
}  // namespace shale
