// The seed build (c) inside an unprivileged container — `docker run` without
// --privileged: uid 0 with Docker's default capabilities and seccomp profile,
// no mounts or user namespaces allowed, as in a GitLab CI job — with
// BUILDAH_ISOLATION=chroot. Its image must equal the host's root build
// (another snapshotter: nothing can be mounted in there).
#include <gtest/gtest.h>
#include <unistd.h>

#include <future>
#include <sstream>

#include "tests/e2e/e2e_env.h"

namespace shale::testing::e2e {
namespace {

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Stops the private dockerd (tests/fixtures/dockerd.sh) on destruction.
class Dockerd {
 public:
  explicit Dockerd(const std::string& dir) : dir_(dir) {
    CommandResult r = shale::testing::Run({"bash", SourceDir() + "/tests/fixtures/dockerd.sh", "start", "--dir", dir},
                          {.timeout_seconds = 90});
    exit_code_ = r.exit_code;
    output_ = r.output;
    std::istringstream in(r.output);
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("DOCKER_HOST=", 0) == 0) host_ = line.substr(12);
    }
  }
  ~Dockerd() {
    shale::testing::Run({"bash", SourceDir() + "/tests/fixtures/dockerd.sh", "stop", "--dir", dir_}, {.timeout_seconds = 60});
  }
  int exit_code() const { return exit_code_; }
  const std::string& output() const { return output_; }
  CommandResult Docker(const std::vector<std::string>& args, int timeout = 300) const {
    std::vector<std::string> argv{"/usr/bin/docker"};
    argv.insert(argv.end(), args.begin(), args.end());
    return Run(argv, {.env = {{"DOCKER_HOST", host_}}, .timeout_seconds = timeout});
  }
  const std::string& host() const { return host_; }

 private:
  std::string dir_, host_, output_;
  int exit_code_ = -1;
};

TEST(SeedCiContainer, BuildsInUnprivilegedDockerContainerWithChrootIsolation) {
  if (geteuid() != 0) GTEST_SKIP() << "starting dockerd needs root";
  if (!HaveTool("dockerd") || access("/usr/bin/docker", X_OK) != 0)
    GTEST_SKIP() << "docker.io not installed (run .ci/deps test)";
  if (!HaveTool("go")) GTEST_SKIP() << "golang-go not installed (the golang base image is made from it)";
  ScratchDir dir("e2e-ci");
  std::string why;
  std::string busybox = BaseRootfsTarball("busybox", &why);
  ASSERT_FALSE(busybox.empty()) << why;
  std::string golang = BaseRootfsTarball("golang", &why);
  ASSERT_FALSE(golang.empty()) << why;

  Dockerd dockerd(dir / "docker");
  if (dockerd.exit_code() == 3) GTEST_SKIP() << "dockerd cannot run here: " << dockerd.output();
  ASSERT_EQ(dockerd.exit_code(), 0) << dockerd.output();

  // The job image: busybox + shale and the shared libraries it needs.
  std::string image_root = dir / "image";
  ASSERT_EQ(shale::testing::Run({"mkdir", "-p", image_root + "/usr/local/bin"}).exit_code, 0);
  ASSERT_EQ(shale::testing::Run({"tar", "-C", image_root, "-xf", busybox}).exit_code, 0);
  ASSERT_EQ(shale::testing::Run({"cp", ShaleBinary(), image_root + "/usr/local/bin/shale"}).exit_code, 0);
  CommandResult libs = shale::testing::Run({"sh", "-c",
                            "ldd " + Quote(ShaleBinary()) +
                                " | awk '{for (i = 1; i <= NF; i++) if ($i ~ /^\\//) print $i}' | sort -u | "
                                "while read -r so; do mkdir -p " + Quote(image_root) + "\"$(dirname \"$so\")\" && "
                                "cp -L \"$so\" " + Quote(image_root) + "\"$so\" || exit 1; done"});
  ASSERT_EQ(libs.exit_code, 0) << libs.output;
  CommandResult import = shale::testing::Run({"sh", "-c", "tar -C " + Quote(image_root) + " -c . | /usr/bin/docker import - shale-e2e-job:1"},
                             {.env = {{"DOCKER_HOST", dockerd.host()}}, .timeout_seconds = 300});
  ASSERT_EQ(import.exit_code, 0) << import.output;

  // The job: import the base images, build the seed, print its ids.
  std::string work = dir / "work";
  CopySeedContext(work + "/ctx");
  std::string script = "set -e\ngrep -E '^(CapEff|Seccomp):' /proc/self/status\n";
  for (const char* name : {"busybox", "golang"}) {
    CommandResult cfg = shale::testing::Run({"bash", SourceDir() + "/tests/fixtures/rootfs.sh", "config", name});
    ASSERT_EQ(cfg.exit_code, 0) << cfg.output;
    script += "shale --root /work/store import";
    std::istringstream lines(cfg.output);
    for (std::string line; std::getline(lines, line);) script += " " + Quote(line);
    script += std::string(" /fixtures/") + name + ".tar " + name + ":latest\n";
  }
  script +=
      "shale --root /work/store tag golang:latest golang:bookworm\n"
      "shale --root /work/store tag busybox:latest runtime:latest\n"
      "shale --root /work/store build -t seed:ci /work/ctx\n"
      "echo \"IDS=$(shale --root /work/store inspect --format '{{.Id}} {{.Digest}}' seed:ci)\"\n";
  WriteFile(work + "/job.sh", script);
  auto job = std::async(std::launch::async, [&] {
    return dockerd.Docker({"run", "--rm", "--network=none", "-e", "BUILDAH_ISOLATION=chroot", "-e",
                           std::string("SOURCE_DATE_EPOCH=") + kEpoch, "-v", work + ":/work", "-v",
                           busybox + ":/fixtures/busybox.tar:ro", "-v", golang + ":/fixtures/golang.tar:ro",
                           "shale-e2e-job:1", "/bin/sh", "/work/job.sh"},
                          900);
  });
  // The host's root build of the same sources, meanwhile.
  std::string host_store = dir / "host-store";
  ASSERT_EQ(PrepareSeedStore(host_store), "");
  CommandResult host = Shale(host_store, {"build", "--isolation", "chroot", "-t", "seed:ci", work + "/ctx"},
                             {.env = {{"SOURCE_DATE_EPOCH", kEpoch}}, .timeout_seconds = 900});
  CommandResult run = job.get();
  ASSERT_EQ(run.exit_code, 0) << run.output;
  ASSERT_EQ(host.exit_code, 0) << host.output;

  // Really unprivileged: Docker's default capability set, seccomp filtering.
  EXPECT_NE(run.output.find("CapEff:\t00000000a80425fb"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("Seccomp:\t2"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("[1/2] STEP 6/6: RUN CGO_ENABLED=0 go build"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("COMMIT localhost/seed:ci"), std::string::npos) << run.output;
  size_t at = run.output.find("IDS=");
  ASSERT_NE(at, std::string::npos) << run.output;
  ImageIds in_container;
  std::istringstream(run.output.substr(at + 4)) >> in_container.id >> in_container.digest;
  ImageIds on_host = InspectIds(host_store, "seed:ci");
  EXPECT_EQ(in_container.id, on_host.id) << "container build:\n" << run.output << "\nhost build:\n" << host.output;
  EXPECT_EQ(in_container.digest, on_host.digest);
}

}  // namespace
}  // namespace shale::testing::e2e
