// IsolationBackend: runs one RUN step (a RunSpec) in isolation.
//
// Implementations: chroot, rootless (user namespace) and oci (runc/crun);
// tests may fake it. Pick one with SelectIsolation()/MakeBackend()
// (runtime/select.h).
//
// Rootfs contract (all backends): when Run() returns, success or failure,
// everything the backend created inside spec.rootfs to run the step (mount
// points, device nodes, /etc/resolv.conf|hosts|hostname when the image had
// none) has been removed again and the parent directories' atime/mtime
// restored; ExitStatus::touched_dirs names those parents. Only if the
// calling process is killed mid-step can some remain: empty files and
// directories (mount points), /etc files, and device nodes under /dev.
#ifndef SHALE_RUNTIME_ISOLATION_BACKEND_H_
#define SHALE_RUNTIME_ISOLATION_BACKEND_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "runtime/run_spec.h"

namespace shale::runtime {

enum class Isolation { kChroot, kRootless, kOci };

std::string_view IsolationName(Isolation isolation);

class IsolationBackend {
 public:
  virtual ~IsolationBackend() = default;

  virtual Isolation kind() const = 0;

  // Runs the step to completion. OK: the step started, and the result says
  // how it ended (exit code or signal). Not OK: it could not be started —
  // InvalidArgument (bad spec), NotFound (args[0], cwd or rootfs missing),
  // PermissionDenied / FailedPrecondition (the isolation is not possible
  // here; the message says what was denied), Internal otherwise.
  // Thread-safe: several steps may run at once.
  virtual Result<ExitStatus> Run(const RunSpec& spec) = 0;
};

// The rootfs subtrees (absolute, rootfs-relative) whose content never
// belongs to the step's layer: /proc, /dev, /sys, /etc/resolv.conf,
// /etc/hosts, /etc/hostname and every spec.mounts target. A snapshotter may
// leave them, and everything below them, out of the step's diff (docker does
// the same). Parent directories the backend had to create for a mount target
// are not listed: they are removed after the step unless the step put
// something in them, and then they are real changes.
std::vector<std::string> ScratchPathCandidates(const RunSpec& spec);

}  // namespace shale::runtime

#endif  // SHALE_RUNTIME_ISOLATION_BACKEND_H_
