// One conformance suite for every IsolationBackend (chroot, rootless, oci),
// run against the real kernel with a busybox rootfs. As root it also re-runs
// itself as an ordinary user with a /etc/subuid range (Unprivileged.*), so
// the same cases run inside shale's rootless user namespace.
//
// main() calls MaybeReexecInUserNamespace first, as shale does.
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <poll.h>

#include <algorithm>
#include <map>
#include <atomic>
#include <thread>
#include <set>
#include <sstream>

#include "runtime/capabilities.h"
#include "runtime/host_features.h"
#include "runtime/oci_config.h"
#include "runtime/select.h"
#include "runtime/user_lookup.h"
#include "runtime/userns_reexec.h"
#include "tests/runtime/busybox_rootfs.h"
#include "tests/testutil/subprocess.h"

namespace shale::runtime {
namespace {

struct ChrootKind {
  static constexpr Isolation kKind = Isolation::kChroot;
};
struct RootlessKind {
  static constexpr Isolation kKind = Isolation::kRootless;
};
struct OciKind {
  static constexpr Isolation kKind = Isolation::kOci;
};

struct Output {
  Result<ExitStatus> status = InternalError("not run");
  std::string out;
};

template <typename T>
class BackendConformance : public ::testing::Test {
 protected:
  void SetUp() override {
    const HostFeatures& host = ProbeHostFeatures();
    for (const auto& a : CheckBackends(host, HostUid() == 0, "")) {
      if (a.isolation == T::kKind && !a.available) {
        GTEST_SKIP() << IsolationName(T::kKind) << " isolation is not possible here: " << a.detail;
      }
    }
    auto b = MakeBackend(T::kKind);
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    backend_ = std::move(b).value();
    rootfs_ = scratch_ / "rootfs";
    std::string why = shale::testing::MakeBusyboxRootfs(rootfs_);
    if (!why.empty()) GTEST_SKIP() << why;
    // The oci runtime runs as root and must reach the rootfs.
    chmod(scratch_.path().c_str(), 0755);
  }

  bool Degraded() const {
    const HostFeatures& h = ProbeHostFeatures();
    return !(h.unshare_mount && h.mount_allowed && h.unshare_pid);
  }

  RunSpec Spec(const std::string& script) {
    RunSpec s;
    s.args = {"/bin/sh", "-c", script};
    s.env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"};
    s.rootfs = rootfs_;
    return s;
  }

  Output RunCapture(RunSpec spec) {
    Output o;
    std::string path = scratch_ / ("out" + std::to_string(counter_++));
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    EXPECT_GE(fd, 0);
    spec.stdout_fd = fd;
    spec.stderr_fd = fd;
    o.status = backend_->Run(spec);
    close(fd);
    o.out = shale::testing::ReadFile(path);
    return o;
  }

  shale::testing::ScratchDir scratch_{"rt-conformance"};
  std::string rootfs_;
  std::unique_ptr<IsolationBackend> backend_;
  int counter_ = 0;
};

using Kinds = ::testing::Types<ChrootKind, RootlessKind, OciKind>;
class KindNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    return std::string(IsolationName(T::kKind));
  }
};
TYPED_TEST_SUITE(BackendConformance, Kinds, KindNames);

TYPED_TEST(BackendConformance, ExitCodePropagates) {
  auto o = this->RunCapture(this->Spec("exit 7"));
  ASSERT_TRUE(o.status.ok()) << o.status.status().ToString() << o.out;
  EXPECT_EQ(o.status->exit_code, 7);
  EXPECT_EQ(o.status->signal, 0);
  auto ok = this->RunCapture(this->Spec("true"));
  ASSERT_TRUE(ok.status.ok());
  EXPECT_TRUE(ok.status->success());
}

TYPED_TEST(BackendConformance, SignalPropagates) {
  auto o = this->RunCapture(this->Spec("kill -TERM $$; sleep 5"));
  ASSERT_TRUE(o.status.ok()) << o.status.status().ToString() << o.out;
  EXPECT_EQ(o.status->signal, SIGTERM);
  EXPECT_FALSE(o.status->success());
  // SIGKILL too, and an exit code of 128+N stays an exit code.
  auto k = this->RunCapture(this->Spec("kill -KILL $$; sleep 5"));
  ASSERT_TRUE(k.status.ok()) << k.status.status().ToString() << k.out;
  EXPECT_EQ(k.status->signal, SIGKILL);
  auto e = this->RunCapture(this->Spec("exit 143"));
  ASSERT_TRUE(e.status.ok()) << e.status.status().ToString() << e.out;
  EXPECT_EQ(e.status->exit_code, 143);
  EXPECT_EQ(e.status->signal, 0);
}

TYPED_TEST(BackendConformance, StepIsNotPidOneWhenItHasAPidNamespace) {
  if (this->Degraded()) GTEST_SKIP() << "no PID namespace here: " << DescribeDenied(ProbeHostFeatures());
  // PID 1 ignores the signals it sends itself; the step must not be PID 1.
  auto o = this->RunCapture(this->Spec("echo $$"));
  ASSERT_TRUE(o.status.ok()) << o.status.status().ToString() << o.out;
  EXPECT_NE(o.out, "1\n");
}

TYPED_TEST(BackendConformance, EnvCwdAndArgsApply) {
  RunSpec s = this->Spec("");
  s.args = {"env"};
  s.env = {"PATH=/bin", "ONE=1", "SPACE=a b"};
  s.cwd = "/tmp";
  auto o = this->RunCapture(s);
  ASSERT_TRUE(o.status.ok()) << o.status.status().ToString() << o.out;
  std::set<std::string> lines;
  std::istringstream in(o.out);
  for (std::string l; std::getline(in, l);) lines.insert(l);
  // runc and crun add HOME when the spec has none (documented in oci_backend.h).
  if (TypeParam::kKind == Isolation::kOci) lines.erase("HOME=/root");
  EXPECT_EQ(lines, (std::set<std::string>{"PATH=/bin", "ONE=1", "SPACE=a b"}));
  RunSpec p = this->Spec("pwd");
  p.cwd = "/home/user";
  auto w = this->RunCapture(p);
  ASSERT_TRUE(w.status.ok());
  EXPECT_EQ(w.out, "/home/user\n");
}

TYPED_TEST(BackendConformance, UserAndGroupsApply) {
  auto ids = LookupUser(this->rootfs_, "user");
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  RunSpec s = this->Spec("id -u; id -g; id -G; touch /tmp/owned && stat -c %u:%g /tmp/owned");
  s.uid = ids->uid;
  s.gid = ids->gid;
  s.additional_gids = ids->additional_gids;
  auto o = this->RunCapture(s);
  ASSERT_TRUE(o.status.ok()) << o.status.status().ToString() << o.out;
  EXPECT_EQ(o.status->exit_code, 0) << o.out;
  EXPECT_EQ(o.out, "1000\n1000\n1000 5 100\n1000:1000\n");
}

TYPED_TEST(BackendConformance, ProcShowsOnlyTheStepsProcesses) {
  if (this->Degraded()) GTEST_SKIP() << "no PID/mount namespace here: " << DescribeDenied(ProbeHostFeatures());
  // Every PID visible in /proc belongs to the step: few, and small numbers.
  auto o = this->RunCapture(this->Spec("cd /proc && for p in [0-9]*; do echo $p; done"));
  ASSERT_TRUE(o.status.ok()) << o.status.status().ToString() << o.out;
  std::istringstream in(o.out);
  int count = 0;
  for (int pid; in >> pid;) {
    ++count;
    EXPECT_LT(pid, 20) << o.out;
  }
  EXPECT_GE(count, 1);
  EXPECT_LE(count, 4) << o.out;
  EXPECT_EQ(access(("/proc/" + std::to_string(getpid())).c_str(), F_OK), 0);
}

TYPED_TEST(BackendConformance, NoHostFdLeaksIntoTheStep) {
  if (this->Degraded()) GTEST_SKIP() << "no /proc in a plain chroot";
  int leaky = open("/etc/hostname", O_RDONLY);  // deliberately without O_CLOEXEC
  ASSERT_GE(leaky, 0);
  int high = dup2(leaky, 77);
  ASSERT_EQ(high, 77);
  auto o = this->RunCapture(this->Spec("ls /proc/self/fd"));
  close(leaky);
  close(high);
  ASSERT_TRUE(o.status.ok()) << o.status.status().ToString() << o.out;
  // ls itself holds one fd (3) on the directory it lists.
  EXPECT_EQ(o.out, "0\n1\n2\n3\n");
}

TYPED_TEST(BackendConformance, NetworkNoneCannotReachHostLoopback) {
  int srv = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  ASSERT_GE(srv, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(srv, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(srv, 4), 0);
  socklen_t len = sizeof addr;
  getsockname(srv, reinterpret_cast<sockaddr*>(&addr), &len);
  std::string port = std::to_string(ntohs(addr.sin_port));
  // A listener on the host's 127.0.0.1 that counts and closes connections.
  std::atomic<bool> stop{false};
  std::atomic<int> accepted{0};
  std::thread listener([&] {
    while (!stop) {
      pollfd pfd{srv, POLLIN, 0};
      if (poll(&pfd, 1, 50) <= 0) continue;
      int c = accept4(srv, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      ++accepted;
      close(c);
    }
  });
  const std::string script = "echo hello | nc -w 2 127.0.0.1 " + port + " && echo connected";
  // Control: with the host network the same command connects.
  auto host = this->RunCapture(this->Spec(script));
  EXPECT_TRUE(host.status.ok()) << host.status.status().ToString();
  EXPECT_EQ(accepted.load(), 1) << "control connection did not arrive: " << host.out;
  RunSpec none = this->Spec(script);
  none.network = NetworkMode::kNone;
  auto o = this->RunCapture(none);
  stop = true;
  listener.join();
  close(srv);
  if (!o.status.ok() && o.status.status().code() == StatusCode::kFailedPrecondition) {
    GTEST_SKIP() << "network namespaces are denied here: " << o.status.status().ToString();
  }
  ASSERT_TRUE(o.status.ok()) << o.status.status().ToString() << o.out;
  EXPECT_NE(o.status->exit_code, 0) << o.out;
  EXPECT_EQ(o.out.find("connected"), std::string::npos);
  EXPECT_EQ(accepted.load(), 1) << "the step with --network none reached the host's 127.0.0.1";
  // Loopback inside works: the step can talk to itself.
  // Each round starts its own listener, so a round lost to a slow start
  // (a loaded machine) cannot leave the step waiting on a stale one.
  RunSpec self = this->Spec(
      "for i in $(seq 1 20); do "
      "nc -l -p 5555 127.0.0.1 >/tmp/got & srv=$!; sleep 0.2; "
      "echo ping | nc -w 2 127.0.0.1 5555 2>/dev/null; sleep 0.2; kill $srv 2>/dev/null; wait $srv; "
      "grep -q ping /tmp/got && break; done; cat /tmp/got");
  self.network = NetworkMode::kNone;
  auto s = this->RunCapture(self);
  ASSERT_TRUE(s.status.ok());
  EXPECT_EQ(s.out, "ping\n");
}

TYPED_TEST(BackendConformance, HostnameIsSet) {
  RunSpec s = this->Spec("hostname; cat /etc/hostname; grep -c shale-step /etc/hosts");
  s.hostname = "shale-step";
  auto o = this->RunCapture(s);
  if (this->Degraded() && !ProbeHostFeatures().unshare_uts) GTEST_SKIP() << "no UTS namespace here";
  ASSERT_TRUE(o.status.ok()) << o.status.status().ToString() << o.out;
  EXPECT_EQ(o.out, "shale-step\nshale-step\n1\n");
}

TYPED_TEST(BackendConformance, CannotWriteOutsideTheRootfs) {
  std::string outside = this->scratch_ / "outside";
  ASSERT_EQ(mkdir(outside.c_str(), 0777), 0);
  chmod(outside.c_str(), 0777);
  ASSERT_EQ(symlink("/", (this->rootfs_ + "/abs").c_str()), 0);
  ASSERT_EQ(symlink(outside.c_str(), (this->rootfs_ + "/hostlink").c_str()), 0);
  RunSpec s = this->Spec(
      "cd /; echo x > ../../../../../../$OUT/dotdot; "
      "echo x > /abs/../../$OUT/abs; "
      "echo x > /hostlink/hostlink; "
      "echo x > /proc/self/root/$OUT/procroot; "
      "echo x > /proc/1/root/$OUT/proc1root; "
      "echo x > /proc/self/cwd/../../$OUT/proccwd; "
      "ln -s ../../../../.. /tmp/up && echo x > /tmp/up/$OUT/relsym; "
      "mkdir -p /jail && chroot /jail /bin/true 2>/dev/null; "
      "echo done");
  s.env.push_back("OUT=" + outside);
  auto o = this->RunCapture(s);
  ASSERT_TRUE(o.status.ok()) << o.status.status().ToString() << o.out;
  EXPECT_NE(o.out.find("done"), std::string::npos) << o.out;
  DIR* d = opendir(outside.c_str());
  ASSERT_NE(d, nullptr);
  std::vector<std::string> found;
  while (auto* e = readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") found.push_back(n);
  }
  closedir(d);
  EXPECT_TRUE(found.empty()) << "the step wrote outside its rootfs: " << found.size() << " files, e.g. "
                             << (found.empty() ? "" : found[0]);
}

TYPED_TEST(BackendConformance, EtcFilesAndMountPointsDoNotStayInTheRootfs) {
  // No /sys and no /etc/hosts in the image: both get created for the step.
  ASSERT_EQ(rmdir((this->rootfs_ + "/sys").c_str()), 0);
  struct timespec old[2] = {{1000, 0}, {1000, 0}};
  utimensat(AT_FDCWD, this->rootfs_.c_str(), old, 0);
  utimensat(AT_FDCWD, (this->rootfs_ + "/etc").c_str(), old, 0);
  RunSpec s = this->Spec("cat /etc/hosts; test -c /dev/null && echo devnull");
  s.hostname = "h";
  auto o = this->RunCapture(s);
  ASSERT_TRUE(o.status.ok()) << o.status.status().ToString() << o.out;
  EXPECT_NE(o.out.find("localhost"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("devnull"), std::string::npos) << o.out;
  struct stat st;
  EXPECT_NE(lstat((this->rootfs_ + "/sys").c_str(), &st), 0);
  EXPECT_NE(lstat((this->rootfs_ + "/etc/hosts").c_str(), &st), 0);
  EXPECT_NE(lstat((this->rootfs_ + "/etc/resolv.conf").c_str(), &st), 0);
  EXPECT_NE(lstat((this->rootfs_ + "/dev/null").c_str(), &st), 0);
  ASSERT_EQ(lstat((this->rootfs_ + "/etc").c_str(), &st), 0);
  EXPECT_EQ(st.st_mtim.tv_sec, 1000);
  ASSERT_EQ(lstat(this->rootfs_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mtim.tv_sec, 1000);
  auto& t = o.status->touched_dirs;
  EXPECT_NE(std::find(t.begin(), t.end(), "/etc"), t.end());
}

TYPED_TEST(BackendConformance, WritesToTheRootfsStay) {
  auto o = this->RunCapture(this->Spec("echo hi > /x && cat /x"));
  ASSERT_TRUE(o.status.ok()) << o.status.status().ToString();
  EXPECT_EQ(o.out, "hi\n");
  EXPECT_EQ(shale::testing::ReadFile(this->rootfs_ + "/x"), "hi\n");
}

TYPED_TEST(BackendConformance, RlimitsApply) {
  RunSpec s = this->Spec("ulimit -n");
  s.rlimits = {{RLIMIT_NOFILE, 123, 123}};
  auto o = this->RunCapture(s);
  ASSERT_TRUE(o.status.ok()) << o.status.status().ToString();
  EXPECT_EQ(o.out, "123\n");
}

TYPED_TEST(BackendConformance, MissingCommandOrCwdIsNotFound) {
  RunSpec s = this->Spec("");
  s.args = {"no-such-command"};
  auto o = this->RunCapture(s);
  EXPECT_EQ(o.status.status().code(), StatusCode::kNotFound) << o.status.status().ToString() << o.out;
  RunSpec c = this->Spec("true");
  c.cwd = "/does/not/exist";
  EXPECT_EQ(this->RunCapture(c).status.status().code(), StatusCode::kNotFound);
}

TYPED_TEST(BackendConformance, RunMountsBindTmpfsAndReadonly) {
  if (this->Degraded()) GTEST_SKIP() << "no mount namespace here";
  std::string cache = this->scratch_ / "cache";
  std::string secret = this->scratch_ / "secret";
  ASSERT_EQ(mkdir(cache.c_str(), 0777), 0);
  chmod(cache.c_str(), 0777);
  shale::testing::WriteFile(secret, "s3cret");
  RunSpec s = this->Spec(
      "echo cached > /var/cache/app/f; cat /run/secrets/token; echo; "
      "(echo no > /run/secrets/token) 2>/dev/null || echo ro; "
      "echo t > /scratch/t && cat /scratch/t");
  s.mounts = {{MountSpec::Type::kBind, cache, "/var/cache/app", false, ""},
              {MountSpec::Type::kBind, secret, "/run/secrets/token", true, ""},
              {MountSpec::Type::kTmpfs, "", "/scratch", false, "size=1m"}};
  auto o = this->RunCapture(s);
  ASSERT_TRUE(o.status.ok()) << o.status.status().ToString() << o.out;
  EXPECT_EQ(o.out, "s3cret\nro\nt\n");
  EXPECT_EQ(shale::testing::ReadFile(cache + "/f"), "cached\n");
  EXPECT_EQ(shale::testing::ReadFile(secret), "s3cret");
  struct stat st;
  EXPECT_NE(lstat((this->rootfs_ + "/var/cache").c_str(), &st), 0);
  EXPECT_NE(lstat((this->rootfs_ + "/run").c_str(), &st), 0);
  EXPECT_NE(lstat((this->rootfs_ + "/scratch").c_str(), &st), 0);
}

// "CapBnd" -> "00000000a80425fb", from `grep Cap /proc/self/status` output.
std::map<std::string, std::string> CapLines(const std::string& out) {
  std::map<std::string, std::string> caps;
  std::istringstream in(out);
  for (std::string l; std::getline(in, l);) {
    size_t colon = l.find(':');
    if (colon == std::string::npos) continue;
    size_t v = l.find_first_not_of(" \t", colon + 1);
    caps[l.substr(0, colon)] = v == std::string::npos ? "" : l.substr(v);
  }
  return caps;
}

std::string CapHex(uint64_t mask) {
  char buf[17];
  snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(mask));
  return buf;
}

constexpr uint64_t Bit(int cap) { return 1ULL << cap; }

TYPED_TEST(BackendConformance, RootStepGetsItsCapabilitySet) {
  if (this->Degraded()) GTEST_SKIP() << "no /proc in a plain chroot";
  // What this process cannot hold, no step gets (and that is no error).
  const uint64_t held = BoundingCapabilities();
  const uint64_t custom = (kDefaultCapabilities | Bit(19)) & ~(Bit(0) | Bit(1) | Bit(3));  // +SYS_PTRACE
  for (uint64_t mask : {kDefaultCapabilities, custom, uint64_t{0}}) {
    SCOPED_TRACE("mask " + CapHex(mask));
    RunSpec s = this->Spec("grep Cap /proc/self/status");
    s.capabilities = mask;
    auto o = this->RunCapture(s);
    ASSERT_TRUE(o.status.ok()) << o.status.status().ToString() << o.out;
    auto caps = CapLines(o.out);
    EXPECT_EQ(caps["CapBnd"], CapHex(mask & held)) << o.out;
    EXPECT_EQ(caps["CapEff"], CapHex(mask & held)) << o.out;
    EXPECT_EQ(caps["CapPrm"], CapHex(mask & held)) << o.out;
    EXPECT_EQ(caps["CapInh"], CapHex(0)) << o.out;
    EXPECT_EQ(caps["CapAmb"], CapHex(0)) << o.out;
  }
  if (held & Bit(19)) {
    // The exact value buildah's bud-325 expects for --cap-add cap_sys_ptrace.
    RunSpec s = this->Spec("grep CapBnd /proc/self/status");
    s.capabilities = kDefaultCapabilities | Bit(19);
    auto o = this->RunCapture(s);
    ASSERT_TRUE(o.status.ok()) << o.status.status().ToString() << o.out;
    EXPECT_EQ(o.out, "CapBnd:\t00000000a80c25fb\n");
  }
}

TYPED_TEST(BackendConformance, NonRootStepGetsOnlyTheBoundingSet) {
  if (this->Degraded()) GTEST_SKIP() << "no /proc in a plain chroot";
  auto ids = LookupUser(this->rootfs_, "user");
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  const uint64_t held = BoundingCapabilities();
  const uint64_t custom = kDefaultCapabilities & ~(Bit(0) | Bit(1) | Bit(3));  // -CHOWN,DAC_OVERRIDE,FOWNER
  for (uint64_t mask : {kDefaultCapabilities, custom}) {
    SCOPED_TRACE("mask " + CapHex(mask));
    RunSpec s = this->Spec("id -u; grep Cap /proc/self/status");
    s.uid = ids->uid;
    s.gid = ids->gid;
    s.capabilities = mask;
    auto o = this->RunCapture(s);
    ASSERT_TRUE(o.status.ok()) << o.status.status().ToString() << o.out;
    ASSERT_EQ(o.out.substr(0, 5), "1000\n") << o.out;
    auto caps = CapLines(o.out);
    EXPECT_EQ(caps["CapBnd"], CapHex(mask & held)) << o.out;
    EXPECT_EQ(caps["CapEff"], CapHex(0)) << o.out;
    EXPECT_EQ(caps["CapPrm"], CapHex(0)) << o.out;
    EXPECT_EQ(caps["CapInh"], CapHex(0)) << o.out;
    EXPECT_EQ(caps["CapAmb"], CapHex(0)) << o.out;
  }
}

// --- the same suite as an ordinary user ------------------------------------

constexpr char kTestUser[] = "shale-rt-test";
constexpr char kAsUserEnv[] = "SHALE_RT_TEST_AS_USER";

TEST(Unprivileged, ConformanceSuitePassesAsOrdinaryUserWithSubuids) {
  if (getenv(kAsUserEnv)) GTEST_SKIP() << "already running as the test user";
  if (geteuid() != 0) GTEST_SKIP() << "needs root to create the test user " << kTestUser;
  for (const char* tool : {"useradd", "usermod", "setpriv", "newuidmap"}) {
    if (!shale::testing::HaveTool(tool)) GTEST_SKIP() << tool << " not installed";
  }
  if (shale::testing::Run({"id", kTestUser}).exit_code != 0) {
    auto r = shale::testing::Run({"useradd", "--system", "--no-create-home", "--shell", "/bin/sh", kTestUser});
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  auto subuid = shale::testing::ReadFile("/etc/subuid");
  if (subuid.find(std::string(kTestUser) + ":") == std::string::npos) {
    auto r = shale::testing::Run(
        {"usermod", "--add-subuids", "400000-465535", "--add-subgids", "400000-465535", kTestUser});
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  // A copy of this binary and a TMPDIR the user can reach.
  shale::testing::ScratchDir dir("rt-unpriv");
  chmod(dir.path().c_str(), 0755);
  std::string bin = dir / "runtime_conformance_test";
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  ASSERT_GT(n, 0);
  self[n] = '\0';
  auto cp = shale::testing::Run({"cp", self, bin});
  ASSERT_EQ(cp.exit_code, 0) << cp.output;
  std::string tmp = dir / "tmp";
  ASSERT_EQ(mkdir(tmp.c_str(), 0700), 0);
  auto ids = shale::testing::Run({"id", "-u", kTestUser});
  uid_t uid = static_cast<uid_t>(std::stoul(ids.output));
  ASSERT_EQ(chown(tmp.c_str(), uid, uid), 0);
  shale::testing::CommandOptions opt;
  opt.env = {{kAsUserEnv, "1"}, {"TMPDIR", tmp}, {"HOME", tmp}};
  opt.timeout_seconds = 240;
  auto r = shale::testing::Run({"setpriv", "--reuid", kTestUser, "--regid", kTestUser, "--init-groups", "--",
                                bin, "--gtest_filter=BackendConformance/*"},
                               opt);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  // Every backend must actually run (not skip) as the user; oci runs runc
  // (or crun) inside shale's user namespace, as buildah does rootless.
  std::vector<std::string> names = {"chroot", "rootless"};
  if (ResolveOciRuntime("").ok()) names.push_back("oci");
  for (const auto& name : names) {
    std::string ok = "[       OK ] BackendConformance/" + std::string(name) + ".ExitCodePropagates";
    EXPECT_NE(r.output.find(ok), std::string::npos) << name << " did not run as the user:\n" << r.output;
  }
  EXPECT_EQ(r.output.find("[  FAILED  ]"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace shale::runtime

int main(int argc, char** argv) {
  auto reexec = shale::runtime::MaybeReexecInUserNamespace(argc, argv);
  if (!reexec.ok()) {
    fprintf(stderr, "runtime_conformance_test: %s\n", reexec.status().ToString().c_str());
    return 125;
  }
  if (*reexec) return **reexec;
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
