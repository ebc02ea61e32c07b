#include "runtime/host_features.h"

#include <errno.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mutex>

#include "base/fd.h"
#include "runtime/id_map.h"

namespace shale::runtime {
namespace {

enum Bit {
  kMount = 1 << 0,
  kUts = 1 << 1,
  kIpc = 1 << 2,
  kPid = 1 << 3,
  kNet = 1 << 4,
  kUser = 1 << 5,
  kMountOk = 1 << 6,
};

bool HasEffectiveCap(int cap) {
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capget, &hdr, data) != 0) return false;
  return (data[cap / 32].effective >> (cap % 32)) & 1;
}

}  // namespace

HostFeatures ProbeHostFeaturesNow() {
  HostFeatures f;
  f.euid_root = geteuid() == 0;
  auto map = ReadFileCapped("/proc/self/uid_map", 1 << 16);
  f.in_user_namespace = map.ok() && !IsInitialUserNamespaceMap(ParseIdMap(*map));
  f.mknod_allowed = !f.in_user_namespace && HasEffectiveCap(CAP_MKNOD);

  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0) return f;
  long pid = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
  if (pid == 0) {
    // Child of a possibly multi-threaded parent: syscalls only.
    close(pipefd[0]);
    int bits = 0;
    int first_err = 0;
    auto note = [&](int ok) {
      if (!ok && first_err == 0) first_err = errno;
      return ok;
    };
    if (note(unshare(CLONE_NEWNS) == 0)) {
      bits |= kMount;
      if (note(mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0) &&
          note(mount("shale-probe", "/dev", "tmpfs", MS_NOSUID | MS_NODEV, "size=4k") == 0)) {
        bits |= kMountOk;
      }
    }
    if (note(unshare(CLONE_NEWUTS) == 0)) bits |= kUts;
    if (note(unshare(CLONE_NEWIPC) == 0)) bits |= kIpc;
    if (note(unshare(CLONE_NEWPID) == 0)) bits |= kPid;
    if (note(unshare(CLONE_NEWNET) == 0)) bits |= kNet;
    if (note(unshare(CLONE_NEWUSER) == 0)) bits |= kUser;
    int msg[2] = {bits, first_err};
    ssize_t n = write(pipefd[1], msg, sizeof msg);
    _exit(n == sizeof msg ? 0 : 1);
  }
  close(pipefd[1]);
  if (pid < 0) {
    f.denied_errno = errno;
    close(pipefd[0]);
    return f;
  }
  int msg[2] = {0, 0};
  ssize_t got = 0;
  while (got < static_cast<ssize_t>(sizeof msg)) {
    ssize_t n = read(pipefd[0], reinterpret_cast<char*>(msg) + got, sizeof msg - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += n;
  }
  close(pipefd[0]);
  int status;
  while (waitpid(static_cast<pid_t>(pid), &status, 0) < 0 && errno == EINTR) {
  }
  if (got != sizeof msg) return f;
  int bits = msg[0];
  f.unshare_mount = bits & kMount;
  f.unshare_uts = bits & kUts;
  f.unshare_ipc = bits & kIpc;
  f.unshare_pid = bits & kPid;
  f.unshare_net = bits & kNet;
  f.unshare_user = bits & kUser;
  f.mount_allowed = bits & kMountOk;
  f.denied_errno = msg[1];
  return f;
}

Status ProbeOverlayMount() {
  const char* tmp = getenv("TMPDIR");
  std::string dir = std::string(tmp && *tmp ? tmp : "/tmp") + "/shale-overlay-probe-XXXXXX";
  if (mkdtemp(dir.data()) == nullptr) return ErrnoToStatus(errno, "creating a probe directory");
  for (const char* sub : {"/l", "/u", "/w", "/m"}) {
    if (mkdir((dir + sub).c_str(), 0755) != 0) {
      RemoveTree(dir).IgnoreError();
      return ErrnoToStatus(errno, "creating a probe directory");
    }
  }
  const std::string data = "lowerdir=" + dir + "/l,upperdir=" + dir + "/u,workdir=" + dir + "/w";
  const std::string target = dir + "/m";
  const bool root = geteuid() == 0;
  const std::string uid_map = "0 " + std::to_string(geteuid()) + " 1";
  const std::string gid_map = "0 " + std::to_string(getegid()) + " 1";
  long pid = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
  if (pid == 0) {
    if (!root) {
      if (unshare(CLONE_NEWUSER) != 0) _exit(100);
      auto put = [](const char* file, const std::string& text) {
        int fd = open(file, O_WRONLY | O_CLOEXEC);
        if (fd < 0) return false;
        bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
        close(fd);
        return ok;
      };
      if (!put("/proc/self/setgroups", "deny") || !put("/proc/self/uid_map", uid_map) ||
          !put("/proc/self/gid_map", gid_map)) {
        _exit(101);
      }
    }
    if (unshare(CLONE_NEWNS) != 0) _exit(102);
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) _exit(103);
    if (mount("overlay", target.c_str(), "overlay", 0, data.c_str()) != 0) _exit(errno & 0x7f);
    _exit(0);
  }
  int st = 0;
  if (pid > 0) {
    while (waitpid(static_cast<pid_t>(pid), &st, 0) < 0 && errno == EINTR) {
    }
  }
  RemoveTree(dir).IgnoreError();
  if (pid < 0) return ErrnoToStatus(errno, "fork");
  int code = WIFEXITED(st) ? WEXITSTATUS(st) : 125;
  switch (code) {
    case 0:
      return Status::Ok();
    case 100:
      return PermissionDeniedError("cannot create a user namespace for the overlay mount");
    case 101:
      return PermissionDeniedError("cannot map ids in a user namespace");
    case 102:
    case 103:
      return PermissionDeniedError("cannot create a mount namespace");
    default:
      return ErrnoToStatus(code, "mounting overlayfs");
  }
}

const HostFeatures& ProbeHostFeatures() {
  static std::once_flag once;
  static HostFeatures features;
  std::call_once(once, [] { features = ProbeHostFeaturesNow(); });
  return features;
}

std::string DescribeDenied(const HostFeatures& f) {
  std::string out;
  auto add = [&](bool ok, const char* what) {
    if (ok) return;
    if (!out.empty()) out += ", ";
    out += what;
  };
  add(f.unshare_mount, "mount namespace");
  add(f.mount_allowed, "mount");
  add(f.unshare_pid, "PID namespace");
  add(f.unshare_uts, "UTS namespace");
  add(f.unshare_ipc, "IPC namespace");
  add(f.unshare_net, "network namespace");
  add(f.unshare_user, "user namespace");
  if (out.empty()) return "nothing denied";
  out += " denied";
  if (f.denied_errno != 0) out += std::string(" (") + strerror(f.denied_errno) + ")";
  return out;
}

}  // namespace shale::runtime
