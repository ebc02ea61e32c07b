#include "runtime/namespace_plan.h"

#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "base/safe_path.h"

namespace shale::runtime {
namespace {

struct Device {
  const char* name;
  unsigned major;
  unsigned minor;
};
constexpr Device kDevices[] = {{"null", 1, 3},   {"zero", 1, 5},    {"full", 1, 7},
                               {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0}};

// Docker's masked and read-only /proc paths: files whose content or writes
// reach the host kernel.
constexpr const char* kProcReadonly[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                                         "/proc/sysrq-trigger"};
constexpr const char* kProcMasked[] = {"/proc/kcore", "/proc/keys", "/proc/latency_stats",
                                       "/proc/timer_list", "/proc/sched_debug"};

MountOp Op(MountOp::Kind kind, std::string target) {
  MountOp op;
  op.kind = kind;
  op.target = std::move(target);
  return op;
}

void PlanDev(NamespacePlan& p, bool mknod) {
  MountOp dev = Op(MountOp::Kind::kMount, "/dev");
  dev.source = "tmpfs";
  dev.fstype = "tmpfs";
  dev.flags = MS_NOSUID | MS_STRICTATIME;
  dev.data = "mode=755,size=65536k";
  p.mounts.push_back(dev);
  for (const auto& d : kDevices) {
    std::string target = std::string("/dev/") + d.name;
    if (mknod) {
      MountOp op = Op(MountOp::Kind::kMknod, target);
      op.mode = S_IFCHR | 0666;
      op.dev = makedev(d.major, d.minor);
      p.mounts.push_back(op);
    } else {
      MountOp op = Op(MountOp::Kind::kBindDevice, target);
      op.source = target;
      p.mounts.push_back(op);
    }
  }
  MountOp pts = Op(MountOp::Kind::kMkdir, "/dev/pts");
  pts.mode = 0755;
  p.mounts.push_back(pts);
  MountOp devpts = Op(MountOp::Kind::kMount, "/dev/pts");
  devpts.source = "devpts";
  devpts.fstype = "devpts";
  devpts.flags = MS_NOSUID | MS_NOEXEC;
  devpts.data = "newinstance,ptmxmode=0666,mode=0620";
  p.mounts.push_back(devpts);
  MountOp shm = Op(MountOp::Kind::kMkdir, "/dev/shm");
  shm.mode = 01777;
  p.mounts.push_back(shm);
  MountOp shmfs = Op(MountOp::Kind::kMount, "/dev/shm");
  shmfs.source = "shm";
  shmfs.fstype = "tmpfs";
  shmfs.flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
  shmfs.data = "mode=1777,size=65536k";
  p.mounts.push_back(shmfs);
  const std::pair<const char*, const char*> links[] = {{"/dev/ptmx", "pts/ptmx"},
                                                       {"/dev/fd", "/proc/self/fd"},
                                                       {"/dev/stdin", "/proc/self/fd/0"},
                                                       {"/dev/stdout", "/proc/self/fd/1"},
                                                       {"/dev/stderr", "/proc/self/fd/2"}};
  for (const auto& [target, source] : links) {
    MountOp op = Op(MountOp::Kind::kSymlink, target);
    op.source = source;
    p.mounts.push_back(op);
  }
}

// A bind mount below /dev: /dev is the step's own tmpfs, mounted after the
// rootfs is prepared, so the mount point is made inside it (never in the
// rootfs, so nothing of it can reach a layer).
void PlanDevMountTarget(NamespacePlan& p, const MountSpec& m, const std::string& target) {
  for (size_t slash = target.find('/', 5); slash != std::string::npos; slash = target.find('/', slash + 1)) {
    MountOp dir = Op(MountOp::Kind::kMkdir, target.substr(0, slash));
    dir.mode = 0755;
    dir.optional = true;  // may exist already (/dev/shm, an earlier mount)
    p.mounts.push_back(dir);
  }
  struct stat st;
  bool is_dir = ::stat(m.source.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  if (is_dir) {
    MountOp dir = Op(MountOp::Kind::kMkdir, target);
    dir.mode = 0755;
    dir.optional = true;
    p.mounts.push_back(dir);
    MountOp op = Op(MountOp::Kind::kBind, target);
    op.source = m.source;
    op.recursive = true;
    op.readonly = m.readonly;
    p.mounts.push_back(op);
    return;
  }
  MountOp op = Op(MountOp::Kind::kBindDevice, target);
  op.source = m.source;
  p.mounts.push_back(op);
  if (m.readonly) p.mounts.push_back(Op(MountOp::Kind::kRemountReadonly, target));
}

void AddEtcPrep(NamespacePlan& p, const EtcFileSources& etc, bool copy) {
  const std::pair<const std::string*, const char*> files[] = {
      {&etc.resolv_conf, "/etc/resolv.conf"}, {&etc.hosts, "/etc/hosts"}, {&etc.hostname, "/etc/hostname"}};
  for (const auto& [src, target] : files) {
    if (src->empty()) continue;
    PrepOp op;
    op.kind = copy ? PrepOp::Kind::kCopyFile : PrepOp::Kind::kFile;
    op.path = target;
    op.source = *src;
    op.mode = 0644;
    op.optional = true;
    p.prepare.push_back(op);
    if (!copy) {
      MountOp m = Op(MountOp::Kind::kBind, target);
      m.source = *src;
      m.optional = true;
      p.mounts.push_back(m);
    }
  }
}

}  // namespace

Status ValidateRunSpec(const RunSpec& spec) {
  if (spec.args.empty()) return InvalidArgumentError("RUN step has no command");
  if (spec.rootfs.empty() || spec.rootfs[0] != '/') {
    return InvalidArgumentError("rootfs must be an absolute path, got \"" + spec.rootfs + "\"");
  }
  if (spec.cwd.empty() || spec.cwd[0] != '/') {
    return InvalidArgumentError("working directory must be absolute, got \"" + spec.cwd + "\"");
  }
  for (const auto& e : spec.env) {
    if (e.find('=') == std::string::npos) {
      return InvalidArgumentError("environment entry without '=': \"" + e + "\"");
    }
  }
  for (const auto& m : spec.mounts) {
    if (m.target.empty() || m.target[0] != '/' || CleanRootPath(m.target) == "/") {
      return InvalidArgumentError("mount target must be an absolute path below /, got \"" + m.target + "\"");
    }
    if (m.type == MountSpec::Type::kBind && (m.source.empty() || m.source[0] != '/')) {
      return InvalidArgumentError("bind mount source must be an absolute host path, got \"" + m.source + "\"");
    }
  }
  for (const auto& a : spec.args) {
    if (a.find('\0') != std::string::npos) return InvalidArgumentError("argument contains a NUL byte");
  }
  return Status::Ok();
}

Result<NamespacePlan> PlanNamespaces(const RunSpec& spec, Isolation kind, const HostFeatures& host,
                                     const EtcFileSources& etc) {
  RETURN_IF_ERROR(ValidateRunSpec(spec));
  NamespacePlan p;
  const bool user_mounts = !spec.mounts.empty();
  if (kind == Isolation::kOci) return InvalidArgumentError("the oci backend has no namespace plan");

  if (kind == Isolation::kRootless) {
    if (!host.euid_root) {
      return FailedPreconditionError(
          "rootless isolation needs shale's user namespace: the process must call "
          "runtime::MaybeReexecInUserNamespace() first (shale does for build, run-step and unshare)");
    }
    if (!host.in_user_namespace) {
      if (!host.unshare_user) {
        return FailedPreconditionError("rootless isolation: cannot create a user namespace here (" +
                                       DescribeDenied(host) + ")");
      }
      p.new_user_namespace = true;
      p.clone_flags |= CLONE_NEWUSER;
    }
    if (!host.unshare_mount || !host.mount_allowed || !host.unshare_pid || !host.unshare_ipc ||
        !host.unshare_uts) {
      return FailedPreconditionError("rootless isolation needs mount, PID, IPC and UTS namespaces (" +
                                     DescribeDenied(host) + "); use --isolation chroot");
    }
    if (spec.network == NetworkMode::kNone && !host.unshare_net) {
      return FailedPreconditionError("--network none needs a network namespace, denied here");
    }
  }
  // What the step's namespaces may do: the host's features, or those of a
  // new user namespace made for them (below).
  HostFeatures h = host;
  // /proc is the surrounding one, bind-mounted (a fresh procfs is denied).
  bool bind_host_proc = false;
  if (kind == Isolation::kChroot) {
    if (!host.euid_root) {
      return FailedPreconditionError(
          "chroot isolation needs root, or shale's user namespace "
          "(runtime::MaybeReexecInUserNamespace) when run by an ordinary user");
    }
    if (!host.in_user_namespace && !(host.unshare_mount && host.mount_allowed) && host.unshare_user) {
      // Root without CAP_SYS_ADMIN whose seccomp profile still allows user
      // namespaces: a container started without --privileged by podman. The
      // owner of a new user namespace (identity-mapped: root stays root) may
      // create the other namespaces and mount in them. A fresh procfs is
      // still refused there while the container's /proc has masked paths
      // (the kernel's "too revealing" rule), but a recursive bind of that
      // /proc is allowed; other processes' /proc/PID/root and the like stay
      // out of reach across the user namespace (no CAP_SYS_PTRACE there).
      p.new_user_namespace = true;
      p.clone_flags |= CLONE_NEWUSER;
      h.in_user_namespace = true;
      h.mknod_allowed = false;
      h.unshare_mount = h.mount_allowed = h.unshare_pid = h.unshare_uts = h.unshare_ipc = h.unshare_net = true;
      bind_host_proc = true;
      p.degradations.push_back("no CAP_SYS_ADMIN (" + DescribeDenied(host) +
                               "): namespaces made inside a new user namespace; /proc is the "
                               "container's own, bind-mounted (its process list is visible)");
    }
    if (spec.network == NetworkMode::kNone && !h.unshare_net) {
      return FailedPreconditionError(
          "--network none needs a network namespace, which is denied here (" + DescribeDenied(host) + ")");
    }
  }

  const bool mount_ns = h.unshare_mount && h.mount_allowed;
  const bool pid_ns = h.unshare_pid;
  p.pid_namespace = pid_ns;
  if (mount_ns) p.clone_flags |= CLONE_NEWNS;
  if (pid_ns) p.clone_flags |= CLONE_NEWPID;
  if (h.unshare_ipc) p.clone_flags |= CLONE_NEWIPC;
  if (h.unshare_uts) p.clone_flags |= CLONE_NEWUTS;
  if (spec.network == NetworkMode::kNone) {
    p.clone_flags |= CLONE_NEWNET;
    p.loopback_up = true;
  }
  if (!spec.hostname.empty()) {
    if (h.unshare_uts) {
      p.set_hostname = true;
    } else {
      p.degradations.push_back("no UTS namespace: the hostname is not set");
    }
  }
  if (!h.unshare_ipc) p.degradations.push_back("no IPC namespace: the step shares the host's SysV IPC");

  // The user namespace a child of ours would be in: devices cannot be made there.
  const bool in_userns = h.in_user_namespace || p.new_user_namespace;
  const bool mknod = h.mknod_allowed && !in_userns;

  if (!mount_ns) {
    if (user_mounts) {
      return FailedPreconditionError("RUN --mount needs a mount namespace, which is denied here (" +
                                     DescribeDenied(host) + ")");
    }
    p.pivot_root = false;
    p.drop_chroot_capability = true;
    std::string why = DescribeDenied(host);
    p.degradations.push_back("no mount namespace (" + why +
                             "): plain chroot without /proc, /sys, /dev/pts or /dev/shm");
    if (!pid_ns) p.degradations.push_back("no PID namespace: the step sees and may signal host processes");
    p.prepare.push_back({PrepOp::Kind::kDir, "/dev", "", 0755, 0, false});
    if (mknod) {
      for (const auto& d : kDevices) {
        p.prepare.push_back(
            {PrepOp::Kind::kDevice, std::string("/dev/") + d.name, "", S_IFCHR | 0666, makedev(d.major, d.minor), true});
      }
    } else {
      p.degradations.push_back("no CAP_MKNOD: /dev stays as the image has it");
    }
    AddEtcPrep(p, etc, /*copy=*/true);
    if (spec.provide_etc_files) {
      p.degradations.push_back("an image's own /etc/resolv.conf, /etc/hosts or /etc/hostname is used as is");
    }
    return p;
  }

  p.pivot_root = true;
  p.prepare.push_back({PrepOp::Kind::kDir, "/proc", "", 0755, 0, false});
  p.prepare.push_back({PrepOp::Kind::kDir, "/dev", "", 0755, 0, false});
  p.prepare.push_back({PrepOp::Kind::kDir, "/sys", "", 0755, 0, false});
  if (bind_host_proc) {
    // Recursive: the container's masks and read-only submounts come along
    // (and a non-recursive bind of a mount with locked submounts fails).
    MountOp proc = Op(MountOp::Kind::kBind, "/proc");
    proc.source = "/proc";
    proc.recursive = true;
    p.mounts.push_back(proc);
  } else if (pid_ns) {
    MountOp proc = Op(MountOp::Kind::kMount, "/proc");
    proc.source = "proc";
    proc.fstype = "proc";
    proc.flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
    p.mounts.push_back(proc);
    for (const char* path : kProcReadonly) {
      MountOp op = Op(MountOp::Kind::kRemountReadonly, path);
      op.optional = true;
      p.mounts.push_back(op);
    }
    for (const char* path : kProcMasked) {
      MountOp op = Op(MountOp::Kind::kMaskWithNull, path);
      op.source = "/dev/null";
      op.optional = true;
      p.mounts.push_back(op);
    }
  } else {
    // A procfs of the host's PID namespace would show host processes'
    // /proc/PID/root: an escape hatch. Better no /proc.
    p.degradations.push_back("no PID namespace: /proc is not mounted");
  }
  PlanDev(p, mknod);
  if (in_userns) {
    // sysfs can only be mounted by the owner of the network namespace.
    MountOp sys = Op(MountOp::Kind::kBind, "/sys");
    sys.source = "/sys";
    sys.recursive = true;
    sys.readonly = true;
    p.mounts.push_back(sys);
  } else {
    MountOp sys = Op(MountOp::Kind::kMount, "/sys");
    sys.source = "sysfs";
    sys.fstype = "sysfs";
    sys.flags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
    p.mounts.push_back(sys);
    // A fresh sysfs has an empty /sys/fs/cgroup: show the host's hierarchy,
    // read-only, as buildah does (the user-namespace bind of /sys has it).
    struct stat cg;
    if (::stat("/sys/fs/cgroup", &cg) == 0 && S_ISDIR(cg.st_mode)) {
      MountOp cgroup = Op(MountOp::Kind::kBind, "/sys/fs/cgroup");
      cgroup.source = "/sys/fs/cgroup";
      cgroup.recursive = true;
      cgroup.readonly = true;
      cgroup.optional = true;
      p.mounts.push_back(cgroup);
    }
  }
  AddEtcPrep(p, etc, /*copy=*/false);
  for (const auto& m : spec.mounts) {
    std::string target = CleanRootPath(m.target);
    if (m.type == MountSpec::Type::kTmpfs) {
      p.prepare.push_back({PrepOp::Kind::kDir, target, "", 0755, 0, false});
      MountOp op = Op(MountOp::Kind::kMount, target);
      op.source = "tmpfs";
      op.fstype = "tmpfs";
      op.flags = MS_NOSUID | MS_NODEV | (m.readonly ? MS_RDONLY : 0);
      op.data = m.tmpfs_options.empty() ? "mode=1777" : m.tmpfs_options;
      p.mounts.push_back(op);
    } else if (target.rfind("/dev/", 0) == 0) {
      PlanDevMountTarget(p, m, target);
    } else {
      p.prepare.push_back({PrepOp::Kind::kMountTarget, target, m.source, 0755, 0, false});
      MountOp op = Op(MountOp::Kind::kBind, target);
      op.source = m.source;
      op.recursive = true;
      op.readonly = m.readonly;
      p.mounts.push_back(op);
    }
  }
  return p;
}

std::vector<std::string> ScratchPathCandidates(const RunSpec& spec) {
  // Only subtrees whose content is never the step's own work: the kernel
  // filesystems, the bind-mounted /etc files and the mount targets (what a
  // step writes there goes to the mount). Never a parent such as /etc or
  // /root: a snapshotter drops everything below an excluded path.
  std::vector<std::string> out = {"/proc", "/dev", "/sys", "/etc/resolv.conf", "/etc/hosts", "/etc/hostname"};
  for (const auto& m : spec.mounts) out.push_back(CleanRootPath(m.target));
  return out;
}

}  // namespace shale::runtime
