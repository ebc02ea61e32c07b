#include "runtime/internal/child_exec.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <grp.h>

#include <string>
#include <vector>

#include "base/fd.h"
#include "base/safe_path.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

namespace shale::runtime::internal {
namespace {

constexpr int kMsgError = 1;
constexpr int kMsgExit = 2;

struct Msg {
  int32_t type;
  int32_t err;
  int32_t status;
  char text[244];
};
static_assert(sizeof(Msg) <= PIPE_BUF);

struct RawOp {
  MountOp::Kind kind;
  const char* source;
  const char* target;
  const char* fstype;
  const char* data;
  unsigned long flags;
  bool recursive;
  bool readonly;
  bool optional;
  mode_t mode;
  dev_t dev;
};

struct Program {
  const RawOp* ops = nullptr;
  size_t n_ops = 0;
  const char* rootfs = nullptr;
  bool pivot = false;
  bool pid_ns = false;
  bool loopback = false;
  bool drop_chroot = false;
  uint64_t capabilities = 0;  // RunSpec::capabilities
  const char* hostname = nullptr;
  size_t hostname_len = 0;
  char* const* argv = nullptr;
  char* const* envp = nullptr;
  const char* path = nullptr;  // PATH for the lookup of argv[0]
  bool argv0_has_slash = false;
  const char* cwd = nullptr;
  uid_t uid = 0;
  gid_t gid = 0;
  const gid_t* gids = nullptr;
  size_t n_gids = 0;
  const int* rl_resource = nullptr;
  const struct rlimit* rl = nullptr;
  size_t n_rl = 0;
  int stdin_fd = -1;
  int stdout_fd = 1;
  int stderr_fd = 2;
  int report_fd = -1;
  int go_fd = -1;
};

// --- child-side helpers: syscalls and stack buffers only -------------------

struct Text {
  char buf[244];
  size_t n = 0;
  Text() { buf[0] = '\0'; }
  Text& Add(const char* s) {
    while (s && *s && n + 1 < sizeof buf) buf[n++] = *s++;
    buf[n] = '\0';
    return *this;
  }
};

void FormatInt(long v, char* out) {
  char tmp[24];
  int n = 0;
  bool neg = v < 0;
  unsigned long u = neg ? -static_cast<unsigned long>(v) : static_cast<unsigned long>(v);
  do {
    tmp[n++] = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u != 0);
  int i = 0;
  if (neg) out[i++] = '-';
  while (n > 0) out[i++] = tmp[--n];
  out[i] = '\0';
}

void Send(int fd, const Msg& m) {
  const char* p = reinterpret_cast<const char*>(&m);
  size_t left = sizeof m;
  while (left > 0) {
    ssize_t n = write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    p += n;
    left -= static_cast<size_t>(n);
  }
}

[[noreturn]] void Fail(const Program& p, int err, const char* what, const char* arg = nullptr) {
  Msg m;
  memset(&m, 0, sizeof m);
  m.type = kMsgError;
  m.err = err;
  Text t;
  t.Add(what);
  if (arg) t.Add(arg);
  memcpy(m.text, t.buf, sizeof m.text);
  Send(p.report_fd, m);
  _exit(125);
}

void FdPath(int fd, char out[32]) {
  memcpy(out, "/proc/self/fd/", 14);
  FormatInt(fd, out + 14);
}

// Opens the parent of `target` inside the root; the last component goes to `name`.
int OpenParent(int root, const char* target, char* name, size_t name_len) {
  char parent[PATH_MAX];
  size_t len = strlen(target);
  if (len >= sizeof parent) return -ENAMETOOLONG;
  memcpy(parent, target, len + 1);
  char* slash = strrchr(parent, '/');
  if (!slash) return -EINVAL;
  size_t nlen = strlen(slash + 1);
  if (nlen == 0 || nlen >= name_len) return -EINVAL;
  memcpy(name, slash + 1, nlen + 1);
  if (slash == parent) {
    parent[1] = '\0';
  } else {
    *slash = '\0';
  }
  return OpenInRootRaw(root, parent, O_PATH | O_DIRECTORY, 0);
}

unsigned long LockedFlags(int fd) {
  struct statvfs sv;
  unsigned long out = 0;
  if (fstatvfs(fd, &sv) != 0) return out;
  if (sv.f_flag & ST_NOSUID) out |= MS_NOSUID;
  if (sv.f_flag & ST_NODEV) out |= MS_NODEV;
  if (sv.f_flag & ST_NOEXEC) out |= MS_NOEXEC;
  if (sv.f_flag & ST_NOATIME) out |= MS_NOATIME;
  if (sv.f_flag & ST_NODIRATIME) out |= MS_NODIRATIME;
  if (sv.f_flag & ST_RELATIME) out |= MS_RELATIME;
  return out;
}

// A recursive bind is made read-only as a whole (its submounts too) where
// the kernel has mount_setattr (5.12+); else only its top mount is.
void RemountReadonly(const Program& p, int root, const char* target, bool recursive) {
  int fd = OpenInRootRaw(root, target, O_PATH, 0);
  if (fd < 0) Fail(p, -fd, "opening mount point ", target);
  if (recursive) {
    struct mount_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.attr_set = MOUNT_ATTR_RDONLY;
    if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) == 0) {
      close(fd);
      return;
    }
  }
  char path[32];
  FdPath(fd, path);
  if (mount(nullptr, path, nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | LockedFlags(fd), nullptr) != 0) {
    Fail(p, errno, "remounting read-only ", target);
  }
  close(fd);
}

void RunOps(const Program& p, int root) {
  char name[NAME_MAX + 1];
  char path[32];
  for (size_t i = 0; i < p.n_ops; ++i) {
    const RawOp& op = p.ops[i];
    switch (op.kind) {
      case MountOp::Kind::kMount:
      case MountOp::Kind::kBind:
      case MountOp::Kind::kRemountReadonly:
      case MountOp::Kind::kMaskWithNull: {
        int fd = OpenInRootRaw(root, op.target, O_PATH, 0);
        if (fd < 0) {
          if (op.optional && (fd == -ENOENT || fd == -ENOTDIR)) continue;
          Fail(p, -fd, "opening mount point ", op.target);
        }
        FdPath(fd, path);
        int r;
        if (op.kind == MountOp::Kind::kMount) {
          r = mount(op.source, path, op.fstype, op.flags, op.data[0] ? op.data : nullptr);
        } else if (op.kind == MountOp::Kind::kBind || op.kind == MountOp::Kind::kMaskWithNull) {
          r = mount(op.source, path, nullptr, MS_BIND | (op.recursive ? MS_REC : 0), nullptr);
        } else {
          r = mount(path, path, nullptr, MS_BIND | MS_REC, nullptr);
        }
        int err = errno;
        close(fd);
        if (r != 0) Fail(p, err, "mounting on ", op.target);
        if (op.readonly || op.kind == MountOp::Kind::kRemountReadonly) {
          RemountReadonly(p, root, op.target, op.recursive && op.kind == MountOp::Kind::kBind);
        }
        break;
      }
      case MountOp::Kind::kMknod:
      case MountOp::Kind::kSymlink:
      case MountOp::Kind::kMkdir:
      case MountOp::Kind::kBindDevice: {
        int dir = OpenParent(root, op.target, name, sizeof name);
        if (dir < 0) Fail(p, -dir, "opening the parent of ", op.target);
        int r = 0;
        if (op.kind == MountOp::Kind::kMknod) {
          r = mknodat(dir, name, op.mode, op.dev);
        } else if (op.kind == MountOp::Kind::kSymlink) {
          r = symlinkat(op.source, dir, name);
        } else if (op.kind == MountOp::Kind::kMkdir) {
          r = mkdirat(dir, name, op.mode);
          if (r == 0) {
            int fd = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (fd >= 0) {
              fchmod(fd, op.mode);
              close(fd);
            }
          }
        } else {
          int fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
          if (fd < 0) {
            r = -1;
          } else {
            close(fd);
            fd = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
            if (fd < 0) {
              r = -1;
            } else {
              FdPath(fd, path);
              r = mount(op.source, path, nullptr, MS_BIND, nullptr);
              int err = errno;
              close(fd);
              errno = err;
            }
          }
        }
        int err = errno;
        close(dir);
        if (r != 0 && op.kind == MountOp::Kind::kMkdir && op.optional && err == EEXIST) break;
        if (r != 0) Fail(p, err, "creating ", op.target);
        break;
      }
    }
  }
}

void LoopbackUp(const Program& p) {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) Fail(p, errno, "socket for loopback setup");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  memcpy(ifr.ifr_name, "lo", 3);
  if (ioctl(s, SIOCGIFFLAGS, &ifr) != 0) Fail(p, errno, "reading loopback flags");
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0) Fail(p, errno, "bringing loopback up");
  close(s);
}

// The step's set; everything else leaves the bounding set. A plain chroot
// never keeps CAP_SYS_CHROOT (it would allow escaping the chroot).
uint64_t KeepCaps(const Program& p) {
  uint64_t keep = p.capabilities;
  if (p.drop_chroot) keep &= ~(1ULL << CAP_SYS_CHROOT);
  return keep;
}

[[noreturn]] void StepMain(const Program& p) {
  setsid();
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    signal(sig, SIG_DFL);
  }
  umask(022);
  for (size_t i = 0; i < p.n_rl; ++i) {
    if (setrlimit(p.rl_resource[i], &p.rl[i]) != 0) Fail(p, errno, "setting an rlimit");
  }
  const uint64_t keep = KeepCaps(p);
  // Up to the kernel's last capability: past it, PR_CAPBSET_DROP is EINVAL.
  for (int c = 0; c < 64; ++c) {
    if (keep & (1ULL << c)) continue;
    if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) != 0) {
      if (errno == EINVAL) break;
      if (errno != EPERM) Fail(p, errno, "dropping capabilities");
    }
  }
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
    Fail(p, errno, "clearing the ambient capabilities");
  }
  // Raw syscalls: glibc's wrappers broadcast the change to every thread it
  // knows of (__nptl_setxid), and after a raw clone() of a multi-threaded
  // parent those are the parent's threads: the child waits forever.
  if (syscall(SYS_setgroups, p.n_gids, p.gids) != 0 && !(errno == EPERM && p.n_gids == 0)) {
    Fail(p, errno, "setting supplementary groups (is the group mapped in the user namespace?)");
  }
  if (syscall(SYS_setresgid, p.gid, p.gid, p.gid) != 0) Fail(p, errno, "setting the group id (is it mapped?)");
  if (syscall(SYS_setresuid, p.uid, p.uid, p.uid) != 0) Fail(p, errno, "setting the user id (is it mapped?)");
  // A non-root uid lost its effective/permitted sets at setresuid (no
  // SECBIT_KEEP_CAPS). Root keeps what it holds of the step's set; its exec
  // then grants the whole bounding set, which is why the bounding set is
  // the one that matters.
  {
    __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2];
    if (syscall(SYS_capget, &hdr, data) == 0) {
      for (int i = 0; i < 2; ++i) {
        uint32_t mask = static_cast<uint32_t>(keep >> (32 * i));
        data[i].effective &= mask;
        data[i].permitted &= mask;
        data[i].inheritable = 0;
      }
      if (syscall(SYS_capset, &hdr, data) != 0) Fail(p, errno, "dropping capabilities");
    }
  }
  if (chdir(p.cwd) != 0) Fail(p, errno, "changing to the working directory ", p.cwd);
  int in = fcntl(p.stdin_fd, F_DUPFD_CLOEXEC, 10);
  int out = fcntl(p.stdout_fd, F_DUPFD_CLOEXEC, 10);
  int err = fcntl(p.stderr_fd, F_DUPFD_CLOEXEC, 10);
  if (in < 0 || out < 0 || err < 0) Fail(p, errno, "duplicating stdio");
  if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) Fail(p, errno, "setting up stdio");
  if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
    struct rlimit rl;
    long max = getrlimit(RLIMIT_NOFILE, &rl) == 0 ? static_cast<long>(rl.rlim_cur) : 1024;
    if (max > (1 << 20)) max = 1 << 20;
    for (int fd = 3; fd < max; ++fd) fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
  if (p.argv0_has_slash) {
    execve(p.argv[0], p.argv, p.envp);
    Fail(p, errno, "exec ", p.argv[0]);
  }
  // PATH lookup inside the new root.
  char cand[PATH_MAX];
  int last_err = ENOENT;
  const char* s = p.path;
  size_t alen = strlen(p.argv[0]);
  for (;;) {
    const char* e = strchr(s, ':');
    size_t dlen = e ? static_cast<size_t>(e - s) : strlen(s);
    if (dlen == 0) {
      dlen = 1;
      s = ".";
    }
    if (dlen + 1 + alen + 1 <= sizeof cand) {
      memcpy(cand, s, dlen);
      cand[dlen] = '/';
      memcpy(cand + dlen + 1, p.argv[0], alen + 1);
      execve(cand, p.argv, p.envp);
      if (errno == EACCES) last_err = EACCES;
      else if (errno != ENOENT && errno != ENOTDIR) last_err = errno;
    }
    if (!e) break;
    s = e + 1;
  }
  Fail(p, last_err, "exec ", p.argv[0]);
}

// Closes every fd but those in keep[0..n): a clone() made by another thread
// for a concurrent step copies this step's pipe ends, and a monitor that
// kept them would delay that step's EOF until this one ends.
void CloseAllExcept(int* keep, int n) {
  for (int i = 1; i < n; ++i) {  // insertion sort, n is tiny
    for (int j = i; j > 0 && keep[j - 1] > keep[j]; --j) {
      int t = keep[j];
      keep[j] = keep[j - 1];
      keep[j - 1] = t;
    }
  }
  unsigned lo = 0;
  for (int i = 0; i <= n; ++i) {
    unsigned hi = i < n ? static_cast<unsigned>(keep[i]) : ~0U;
    if (i < n && keep[i] < 0) continue;
    if (hi > lo) {
      if (syscall(SYS_close_range, lo, hi - 1, 0U) != 0) {
        unsigned end = hi - 1 < 65536 ? hi - 1 : 65535;
        for (unsigned fd = lo; fd <= end; ++fd) close(static_cast<int>(fd));
      }
    }
    if (i < n) lo = hi + 1;
  }
}

[[noreturn]] void MonitorMain(const Program& p) {
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  {
    int keep[] = {0, 1, 2, p.report_fd, p.go_fd, p.stdin_fd, p.stdout_fd, p.stderr_fd};
    CloseAllExcept(keep, static_cast<int>(sizeof keep / sizeof keep[0]));
  }
  if (p.go_fd >= 0) {
    char c = 0;
    ssize_t n;
    do {
      n = read(p.go_fd, &c, 1);
    } while (n < 0 && errno == EINTR);
    if (n != 1 || c != 'G') _exit(125);
    close(p.go_fd);
  }
  umask(0);
  if (p.pivot) {
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
      Fail(p, errno, "making the mount namespace private");
    }
    if (mount(p.rootfs, p.rootfs, nullptr, MS_BIND | MS_REC, nullptr) != 0) {
      Fail(p, errno, "bind-mounting the rootfs ", p.rootfs);
    }
  }
  int root = open(p.rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) Fail(p, errno, "opening the rootfs ", p.rootfs);
  if (p.pivot) RunOps(p, root);
  if (p.hostname && sethostname(p.hostname, p.hostname_len) != 0) Fail(p, errno, "setting the hostname");
  if (p.loopback) LoopbackUp(p);
  if (fchdir(root) != 0) Fail(p, errno, "entering the rootfs");
  if (p.pivot) {
    if (syscall(SYS_pivot_root, ".", ".") != 0) Fail(p, errno, "pivot_root");
    if (umount2(".", MNT_DETACH) != 0) Fail(p, errno, "detaching the old root");
  } else {
    if (chroot(".") != 0) Fail(p, errno, "chroot ", p.rootfs);
  }
  if (chdir("/") != 0) Fail(p, errno, "chdir /");
  close(root);
  if (!p.pid_ns) prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

  long pid = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
  if (pid < 0) Fail(p, errno, "forking the step process");
  if (pid == 0) StepMain(p);
  int status = 0;
  for (;;) {
    int st;
    pid_t r = waitpid(-1, &st, 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (r == pid) {
      status = st;
      break;
    }
  }
  if (!p.pid_ns) {
    // No PID namespace to tear down: kill what the step left in its session.
    kill(-static_cast<pid_t>(pid), SIGKILL);
    while (waitpid(-1, nullptr, WNOHANG) > 0) {
    }
  }
  Msg m;
  memset(&m, 0, sizeof m);
  m.type = kMsgExit;
  m.status = status;
  Send(p.report_fd, m);
  _exit(0);
}

// --- parent side -----------------------------------------------------------

Status WriteIdentityMaps(pid_t pid) {
  std::string base = "/proc/" + std::to_string(pid);
  for (const char* f : {"/uid_map", "/gid_map"}) {
    int fd = ::open((base + f).c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoToStatus(errno, std::string("opening ") + f);
    UniqueFd guard(fd);
    RETURN_IF_ERROR(WriteAll(fd, "0 0 4294967295\n").Annotate(std::string("writing ") + f));
  }
  return Status::Ok();
}

}  // namespace

Result<ExitStatus> ExecutePlan(const RunSpec& spec, const NamespacePlan& plan) {
  // Everything the children need, as C strings that outlive them.
  std::vector<RawOp> ops;
  ops.reserve(plan.mounts.size());
  for (const auto& m : plan.mounts) {
    ops.push_back({m.kind, m.source.c_str(), m.target.c_str(), m.fstype.c_str(), m.data.c_str(), m.flags,
                   m.recursive, m.readonly, m.optional, static_cast<mode_t>(m.mode),
                   static_cast<dev_t>(m.dev)});
  }
  std::vector<char*> argv;
  for (const auto& a : spec.args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  std::string path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (const auto& e : spec.env) {
    envp.push_back(const_cast<char*>(e.c_str()));
    if (e.rfind("PATH=", 0) == 0) path = e.substr(5);
  }
  envp.push_back(nullptr);
  std::vector<gid_t> gids(spec.additional_gids.begin(), spec.additional_gids.end());
  std::vector<int> rl_res;
  std::vector<struct rlimit> rls;
  for (const auto& r : spec.rlimits) {
    rl_res.push_back(r.resource);
    rls.push_back({static_cast<rlim_t>(r.soft), static_cast<rlim_t>(r.hard)});
  }

  Program p;
  p.ops = ops.data();
  p.n_ops = ops.size();
  p.rootfs = spec.rootfs.c_str();
  p.pivot = plan.pivot_root;
  p.pid_ns = plan.pid_namespace;
  p.loopback = plan.loopback_up;
  p.drop_chroot = plan.drop_chroot_capability;
  p.capabilities = spec.capabilities;
  if (plan.set_hostname) {
    p.hostname = spec.hostname.c_str();
    p.hostname_len = spec.hostname.size();
  }
  p.argv = argv.data();
  p.envp = envp.data();
  p.path = path.c_str();
  p.argv0_has_slash = spec.args[0].find('/') != std::string::npos;
  p.cwd = spec.cwd.c_str();
  p.uid = spec.uid;
  p.gid = spec.gid;
  p.gids = gids.data();
  p.n_gids = gids.size();
  p.rl_resource = rl_res.data();
  p.rl = rls.data();
  p.n_rl = rls.size();

  UniqueFd devnull;
  if (spec.stdin_fd < 0) {
    devnull.Reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (!devnull.valid()) return ErrnoToStatus(errno, "opening /dev/null");
    p.stdin_fd = devnull.get();
  } else {
    p.stdin_fd = spec.stdin_fd;
  }
  p.stdout_fd = spec.stdout_fd;
  p.stderr_fd = spec.stderr_fd;

  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) return ErrnoToStatus(errno, "creating the report pipe");
  UniqueFd report_r(report[0]), report_w(report[1]);
  UniqueFd go_r, go_w;
  if (plan.new_user_namespace) {
    int go[2];
    if (pipe2(go, O_CLOEXEC) != 0) return ErrnoToStatus(errno, "creating the sync pipe");
    go_r.Reset(go[0]);
    go_w.Reset(go[1]);
  }
  p.report_fd = report_w.get();
  p.go_fd = go_r.valid() ? go_r.get() : -1;

  long pid = syscall(SYS_clone, static_cast<unsigned long>(plan.clone_flags) | SIGCHLD, 0, 0, 0, 0);
  if (pid < 0) return ErrnoToStatus(errno, "creating the step's namespaces (clone)");
  if (pid == 0) {
    close(report_r.get());
    if (go_w.valid()) close(go_w.get());
    MonitorMain(p);
  }
  report_w.Reset();
  go_r.Reset();
  Status setup;
  if (plan.new_user_namespace) {
    setup = WriteIdentityMaps(static_cast<pid_t>(pid));
    if (setup.ok()) setup = WriteAll(go_w.get(), "G", 1);
    go_w.Reset();
  }
  Status child_error;
  bool have_exit = false;
  int wait_status = 0;
  for (;;) {
    Msg m;
    size_t got = 0;
    while (got < sizeof m) {
      ssize_t n = read(report_r.get(), reinterpret_cast<char*>(&m) + got, sizeof m - got);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      got += static_cast<size_t>(n);
    }
    if (got < sizeof m) break;
    m.text[sizeof m.text - 1] = '\0';
    if (m.type == kMsgError && child_error.ok()) {
      child_error = ErrnoToStatus(m.err, m.text);
    } else if (m.type == kMsgExit) {
      have_exit = true;
      wait_status = m.status;
    }
  }
  int st = 0;
  while (waitpid(static_cast<pid_t>(pid), &st, 0) < 0 && errno == EINTR) {
  }
  if (!setup.ok()) return setup.Annotate("setting up the step's user namespace");
  if (!child_error.ok()) return child_error.Annotate("running step");
  if (!have_exit) {
    return InternalError("the step's monitor process ended without a report (wait status " +
                         std::to_string(st) + ")");
  }
  ExitStatus out;
  if (WIFSIGNALED(wait_status)) {
    out.signal = WTERMSIG(wait_status);
  } else {
    out.exit_code = WEXITSTATUS(wait_status);
  }
  return out;
}

}  // namespace shale::runtime::internal
