// The namespace plan of a RUN step, as plain data: which namespaces to
// create, what the parent prepares in the rootfs (mount points, and device
// nodes or /etc files when mounts are denied), and the mount operations the
// child performs before pivot_root/chroot. PlanNamespaces() is pure; the
// executor (internal/child_exec) carries a plan out.
#ifndef SHALE_RUNTIME_NAMESPACE_PLAN_H_
#define SHALE_RUNTIME_NAMESPACE_PLAN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "runtime/host_features.h"
#include "runtime/isolation_backend.h"
#include "runtime/run_spec.h"

namespace shale::runtime {

// Done by the parent before the step, only where the path is missing, and
// undone after it (RootfsPreparation). Paths are rootfs-absolute.
struct PrepOp {
  enum class Kind {
    kDir,          // a directory (mount point)
    kFile,         // an empty regular file (mount point)
    kMountTarget,  // a directory if `source` is one, else an empty file
    kDevice,       // a character device (mode, dev): plain-chroot mode only
    kCopyFile,     // a copy of host file `source`: plain-chroot mode only
  };
  Kind kind = Kind::kDir;
  std::string path;
  std::string source;
  uint32_t mode = 0;
  uint64_t dev = 0;
  bool optional = false;  // failure to create is a warning, not an error
  bool operator==(const PrepOp&) const = default;
};

// Executed in order by the child, in its new mount namespace, before it
// changes root. `target` is rootfs-absolute and resolved inside the rootfs;
// `source` of kBind/kBindDevice is a host path.
struct MountOp {
  enum class Kind {
    kMount,            // mount(source, target, fstype, flags, data)
    kBind,             // bind source onto target (recursive if `recursive`)
    kRemountReadonly,  // bind target onto itself, read-only
    kMaskWithNull,     // bind host /dev/null over target
    kMknod,            // mknod target (mode, dev)
    kBindDevice,       // create an empty file at target, bind host source on it
    kSymlink,          // symlink target -> source
    kMkdir,            // mkdir target (mode)
  };
  Kind kind = Kind::kMount;
  std::string source;
  std::string target;
  std::string fstype;
  std::string data;
  unsigned long flags = 0;
  bool recursive = false;
  bool readonly = false;
  bool optional = false;  // ENOENT on the target is not an error; kMkdir: an existing directory is kept
  uint32_t mode = 0;
  uint64_t dev = 0;
  bool operator==(const MountOp&) const = default;
};

struct NamespacePlan {
  int clone_flags = 0;              // CLONE_NEW* for clone()
  bool new_user_namespace = false;  // the parent writes an identity map (root, rootless backend)
  bool pivot_root = false;          // mount namespace: pivot_root; else plain chroot
  bool set_hostname = false;
  bool loopback_up = false;
  bool pid_namespace = false;
  bool drop_chroot_capability = false;  // plain chroot: CAP_SYS_CHROOT would allow escaping; wins over spec.capabilities
  std::vector<PrepOp> prepare;
  std::vector<MountOp> mounts;
  std::vector<std::string> degradations;  // what this plan does without, one line each
};

// Files the backend writes outside the rootfs and mounts (or copies) in.
struct EtcFileSources {
  std::string resolv_conf;  // host paths; empty = not provided
  std::string hosts;
  std::string hostname;
};

// Plans the chroot or rootless backend (not kOci: that backend writes
// config.json; see oci_config.h). FailedPrecondition when `kind` cannot work
// with these host features (message says what is missing); InvalidArgument
// for a bad spec (empty args, relative rootfs or mount target).
Result<NamespacePlan> PlanNamespaces(const RunSpec& spec, Isolation kind, const HostFeatures& host,
                                     const EtcFileSources& etc);

// Checks the parts of a spec every backend needs.
Status ValidateRunSpec(const RunSpec& spec);

}  // namespace shale::runtime

#endif  // SHALE_RUNTIME_NAMESPACE_PLAN_H_
