// RunSpec: what one RUN step needs from an isolation backend. A small subset
// of the OCI runtime config (process + root + mounts + hostname + a network
// mode), expressed with plain host values. ExitStatus: how the step ended.
#ifndef SHALE_RUNTIME_RUN_SPEC_H_
#define SHALE_RUNTIME_RUN_SPEC_H_

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/capabilities.h"

namespace shale::runtime {

enum class NetworkMode { kHost, kNone };

// A mount for the step. Covers what RUN --mount needs:
//   bind   (type=bind from a context/stage dir, type=cache dir, type=secret
//           file, type=ssh socket): kBind with a host `source`;
//   tmpfs  (type=tmpfs):            kTmpfs with `tmpfs_options`.
// `source` must already be resolved by the caller (e.g. inside the build
// context or cache root, SECURITY.md §5); the backend mounts it as given.
// `target` is an absolute path inside the rootfs; it is resolved inside the
// rootfs (symlinks stay contained). A missing target is created (a directory,
// or an empty file when the source is not a directory) and removed after the
// step (see ExitStatus::touched_dirs).
struct MountSpec {
  enum class Type { kBind, kTmpfs };
  Type type = Type::kBind;
  std::string source;
  std::string target;
  bool readonly = false;
  std::string tmpfs_options;  // e.g. "size=64m,mode=1777"; empty: mode=1777
};

struct Rlimit {
  int resource = 0;  // RLIMIT_* from <sys/resource.h>
  uint64_t soft = 0;
  uint64_t hard = 0;
};

struct RunSpec {
  // argv of the step. args[0] without '/' is searched in PATH from `env`
  // (default PATH: /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
  // inside the rootfs.
  std::vector<std::string> args;
  std::vector<std::string> env;  // "KEY=value", exactly the step's environment
  std::string cwd = "/";         // inside the rootfs; must exist (WORKDIR creates it)
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::vector<uint32_t> additional_gids;  // see LookupUser()
  std::string rootfs;                     // absolute host path of the step's rootfs
  std::vector<MountSpec> mounts;
  std::string hostname;  // empty: unchanged, and no /etc/hostname is provided
  NetworkMode network = NetworkMode::kHost;
  // Provide /etc/resolv.conf (host's), /etc/hosts (localhost + hostname) and
  // /etc/hostname for the step, without them ending up in the rootfs.
  bool provide_etc_files = true;
  // With provide_etc_files: /etc/resolv.conf overrides (--dns, --dns-search,
  // --dns-option). Each non-empty list replaces the host file's lines of its
  // kind ("nameserver", "search"/"domain", "options"); the rest is kept.
  std::vector<std::string> dns_servers;
  std::vector<std::string> dns_search;
  std::vector<std::string> dns_options;
  // Extra /etc/hosts entries (--add-host NAME:IP), after the localhost lines.
  struct HostEntry {
    std::string name;
    std::string ip;
  };
  std::vector<HostEntry> extra_hosts;
  // The step's stdio; -1 for stdin means /dev/null. The fds are dup'ed, not
  // taken over; no other fd of the calling process reaches the step.
  int stdin_fd = -1;
  int stdout_fd = 1;
  int stderr_fd = 2;
  std::vector<Rlimit> rlimits;
  // The step's capabilities (runtime/capabilities.h mask). Always its
  // bounding set; for uid 0 also its effective and permitted sets. A step
  // with another uid gets empty effective/permitted sets (as the kernel
  // gives a non-root exec without file capabilities). The inheritable and
  // ambient sets are empty. Capabilities the calling process cannot hold
  // stay absent without an error. The chroot backend's plain-chroot mode
  // (no mount namespace) removes CAP_SYS_CHROOT even when asked for: with
  // it, the step could leave the chroot.
  uint64_t capabilities = kDefaultCapabilities;
};

// How a step that started ended. Setup failures (bad spec, mount denied,
// exec of args[0] failed) are a non-OK Status from Run() instead.
struct ExitStatus {
  int exit_code = 0;  // meaningful when signal == 0
  int signal = 0;     // the signal that killed the step's main process, or 0
  // Rootfs directories (absolute, rootfs-relative) in which the backend
  // created and then removed a mount point or device node. Their contents and
  // atime/mtime are as before the step; only their ctime changed. A stat-index
  // snapshotter should treat a ctime-only change of these as "unchanged".
  std::vector<std::string> touched_dirs;

  bool success() const { return signal == 0 && exit_code == 0; }
};

}  // namespace shale::runtime

#endif  // SHALE_RUNTIME_RUN_SPEC_H_
